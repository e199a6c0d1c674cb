package configurecmd

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/ssoctl/ssoctl/internal/cli/factory"
	"github.com/ssoctl/ssoctl/internal/iostreams"
	"github.com/ssoctl/ssoctl/internal/sso"
)

// TestPickerAccessible drives the picker the way a screen reader user does
// (numbered choices, a number typed), through its injected streams.
func TestPickerAccessible(t *testing.T) {
	roles := []sso.Role{
		{AccountID: "111111111111", AccountName: "dev", RoleName: "Admin"},
		{AccountID: "222222222222", AccountName: "pro\x1b[2Jd", RoleName: "ReadOnly"},
	}
	var out bytes.Buffer
	got, err := Picker(strings.NewReader("2\n"), &out, true)(roles)
	if err != nil {
		t.Fatal(err)
	}
	if got != roles[1] {
		t.Errorf("got %+v; want %+v", got, roles[1])
	}
	if !strings.Contains(out.String(), "1. dev (111111111111)  Admin") || strings.Contains(out.String(), "\x1b[2J") {
		t.Errorf("choices shown: %q; want them numbered, control characters escaped", out.String())
	}
}

func TestPopulateFlags(t *testing.T) {
	for _, tc := range []struct {
		args    []string
		wantErr string
		check   func(*testing.T, *PopulateOptions)
	}{
		{args: []string{"--region", "eu-west-1", "--region", "us-east-1", "--lower", "--replace-spaces", "_", "--trim-account-name", "^acme-", "--prune", "--dry-run", "--credential-process"},
			check: func(t *testing.T, o *PopulateOptions) {
				if len(o.Spec.Regions) != 2 || !o.Spec.Lower || o.Spec.SpaceReplace != "_" || o.Spec.TrimAccount.String() != "^acme-" || !o.Prune || !o.DryRun || !o.Spec.CredentialProcess {
					t.Errorf("got %+v", o)
				}
			}},
		{args: []string{"--name", "{{.Nope}}"}, wantErr: "--name: name template"},
		{args: []string{"--name", "{{.AccountName"}, wantErr: "--name: name template"},
		{args: []string{"--trim-account-name", "("}, wantErr: "--trim-account-name: error parsing regexp"},
		{args: []string{"-o", "csv"}, wantErr: "unsupported output format"},
	} {
		ios, _, _, _ := iostreams.Test()
		f := factory.New(ios)
		var got *PopulateOptions
		cmd := NewPopulateCmd(f, func(_ context.Context, o *PopulateOptions) error { got = o; return nil })
		if len(tc.args) > 0 && tc.args[0] == "-o" {
			f.Global.Output = tc.args[1]
			tc.args = nil
		}
		cmd.SetArgs(tc.args)
		err := cmd.Execute()
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%v: got %v; want an error containing %q", tc.args, err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%v: %v", tc.args, err)
		}
		tc.check(t, got)
	}
}

func TestProfileNeedsTerminalForPicker(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	cmd := NewProfileCmd(factory.New(ios), func(context.Context, *ProfileOptions) error { return nil })
	cmd.SetArgs([]string{"dev", "--account", "dev"})
	if err := cmd.Execute(); err == nil || !strings.Contains(err.Error(), "required when not on a terminal") {
		t.Errorf("got %v; want the usage error", err)
	}
	ios.SetTTY(true, true, true)
	cmd = NewProfileCmd(factory.New(ios), func(context.Context, *ProfileOptions) error { return nil })
	cmd.SetArgs([]string{"dev"})
	if err := cmd.Execute(); err != nil {
		t.Errorf("on a terminal: got %v; want the picker allowed", err)
	}
}
