package admincmd

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/ssoctl/ssoctl/internal/assignments/list"
	"github.com/ssoctl/ssoctl/internal/cli/factory"
	"github.com/ssoctl/ssoctl/internal/iostreams"
)

func TestNewLookupCmd(t *testing.T) {
	tests := []struct {
		args    []string
		tty     bool
		want    lookupOptions
		wantErr string
	}{
		{args: []string{"user", "alice", "bob"}, want: lookupOptions{Kind: "user", Names: []string{"alice", "bob"}, Format: "csv"}},
		{args: []string{"users", "alice"}, tty: true, want: lookupOptions{Kind: "user", Names: []string{"alice"}, Format: "table"}},
		{args: []string{"permission-sets", ":all", "-o", "json"}, want: lookupOptions{Kind: "permission-set", Names: []string{":all"}, Format: "json"}},
		{args: []string{"-e", "group", "developers", "--instance-arn", "arn:x"}, want: lookupOptions{Kind: "group", Names: []string{"developers"}, Format: "csv", ErrorIfNotFound: true, InstanceArn: "arn:x"}},
		{args: []string{"instance"}, want: lookupOptions{Kind: "instance", Names: []string{}, Format: "csv"}},
		{args: []string{"accounts", "payments-prod", "123456789012"}, want: lookupOptions{Kind: "account", Names: []string{"payments-prod", "123456789012"}, Format: "csv"}},
		{args: nil, wantErr: "lookup needs a KIND"},
		{args: []string{"widgets", "x"}, wantErr: `unknown KIND "widgets"`},
		{args: []string{"group"}, wantErr: "lookup group needs at least one NAME (or :all)"},
		{args: []string{"identity-store", "x"}, wantErr: "lookup identity-store takes no NAME"},
		{args: []string{"user", "a", ":all"}, wantErr: ":all must be the only NAME"},
		{args: []string{"user", "a", "-o", "yaml"}, wantErr: `unsupported output format "yaml"`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			ios, _, _, _ := iostreams.Test()
			ios.SetTTY(false, tt.tty, false)
			f := factory.New(ios)
			var got *lookupOptions
			cmd := NewLookupCmd(f, func(_ context.Context, o *lookupOptions) error { got = o; return nil })
			// -o is a persistent flag of the root; give the test its own.
			cmd.Flags().StringVarP(&f.Global.Output, "output", "o", "", "")
			cmd.SetArgs(tt.args)
			cmd.SetOut(ios.ErrOut)
			cmd.SetErr(ios.ErrOut)
			err := cmd.Execute()
			if tt.wantErr != "" {
				var usage *factory.UsageError
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.As(err, &usage) {
					t.Fatalf("got %v; want usage error containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, *got, cmpopts.IgnoreFields(lookupOptions{}, "IO", "Clients", "CachePath"), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("options (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNewAssignmentsCmd(t *testing.T) {
	tests := []struct {
		args    []string
		want    list.FilterSpec
		wantErr string
	}{
		{args: nil, want: list.FilterSpec{}},
		{args: []string{"--account", "111111111111,222222222222", "-a", "333333333333"},
			want: list.FilterSpec{Accounts: []string{"111111111111", "222222222222", "333333333333"}}},
		// a regular expression keeps its commas
		{args: []string{"--account-name", "^a{1,3}$", "--account-name", "prod"}, want: list.FilterSpec{AccountNames: []string{"^a{1,3}$", "prod"}}},
		{args: []string{"--ou", "Workloads", "--ou-recursive", "-p", "Admin", "-u", "alice", "-g", "dev", "-g", "ops"},
			want: list.FilterSpec{OUs: []string{"Workloads"}, OURecursive: true, PermissionSets: []string{"Admin"}, Users: []string{"alice"}, Groups: []string{"dev", "ops"}}},
		{args: []string{"--ou-recursive"}, wantErr: "--ou-recursive needs --ou"},
		{args: []string{"--account", "payments"}, wantErr: `--account takes 12-digit account ids, not "payments"`},
		{args: []string{"-p", "("}, wantErr: `--permission-set "(" is not a valid regular expression`},
		{args: []string{"extra"}, wantErr: `unknown command "extra"`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			ios, _, _, _ := iostreams.Test()
			f := factory.New(ios)
			var got *assignmentsOptions
			cmd := NewAssignmentsCmd(f, func(_ context.Context, o *assignmentsOptions) error { got = o; return nil })
			cmd.SetArgs(tt.args)
			cmd.SetOut(ios.ErrOut)
			cmd.SetErr(ios.ErrOut)
			err := cmd.Execute()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got %v; want error containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got.Spec, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("filter (-want +got):\n%s", diff)
			}
			if got.Format != "csv" || got.Filter == nil {
				t.Errorf("got format %q, filter %v; want csv and a compiled filter", got.Format, got.Filter)
			}
		})
	}
}

// TestRunLookup runs the command against the in-process sandbox with test
// streams.
func TestRunLookup(t *testing.T) {
	ios, _, out, errOut := iostreams.Test()
	f := factory.New(ios)
	f.Global.Sandbox = true
	defer f.Close()
	opts := &lookupOptions{IO: ios, Clients: f.Clients, CachePath: filepath.Join(t.TempDir(), "names.json"),
		Format: "csv", Kind: "permission-set", Names: []string{"Developer", "Nope"}}
	if err := runLookup(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 || lines[0] != "kind,name,value" || !strings.HasPrefix(lines[1], "permission-set,Developer,arn:aws:sso:::permissionSet/") || lines[2] != "permission-set,Nope,NOT_FOUND" {
		t.Errorf("got output %q", out.String())
	}
	if errOut.Len() != 0 {
		t.Errorf("got stderr %q; want none", errOut.String())
	}

	out.Reset()
	opts.ErrorIfNotFound = true
	err := runLookup(context.Background(), opts)
	if err == nil || err.Error() != `permission set "Nope" not found` || out.Len() != 0 {
		t.Errorf("got %v and output %q; want one error line and no output", err, out.String())
	}
}
