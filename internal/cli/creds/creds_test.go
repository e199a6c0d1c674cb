package creds

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ssoctl/ssoctl/internal/cli/factory"
	"github.com/ssoctl/ssoctl/internal/iostreams"
	"github.com/ssoctl/ssoctl/internal/sso"
)

func TestExecArgs(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	f := factory.New(ios)
	var got *execOptions
	cmd := NewExecCmd(f, func(_ context.Context, o *execOptions) error { got = o; return nil })
	// Flags after the command are the command's own.
	cmd.SetArgs([]string{"-a", "123456789012", "-r", "Dev", "--", "aws", "s3", "ls", "--profile", "x"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if want := []string{"aws", "s3", "ls", "--profile", "x"}; !cmp.Equal(got.Argv, want) {
		t.Errorf("argv %q; want %q", got.Argv, want)
	}
}

func TestChildEnv(t *testing.T) {
	tgt := sso.Target{AccountID: "123456789012", RoleName: "Dev"}
	cr := &sso.RoleCredentials{AccessKeyID: "ASIA1", SecretAccessKey: "s", SessionToken: "t", Expiration: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)}
	got := childEnv([]string{"PATH=/bin", "AWS_PROFILE=dev", "AWS_ACCESS_KEY_ID=old", "AWS_DEFAULT_PROFILE=x", "HOME=/h"},
		credentialVars(tgt, cr, "eu-west-1"))
	want := []string{"PATH=/bin", "HOME=/h",
		"AWS_ACCESS_KEY_ID=ASIA1", "AWS_SECRET_ACCESS_KEY=s", "AWS_SESSION_TOKEN=t", "AWS_CREDENTIAL_EXPIRATION=2030-01-02T03:04:05Z",
		"AWS_REGION=eu-west-1", "AWS_DEFAULT_REGION=eu-west-1", "SSOCTL_ACCOUNT_ID=123456789012", "SSOCTL_ROLE_NAME=Dev"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	// No region known: none set, the inherited one stays.
	got = childEnv([]string{"AWS_REGION=us-east-2"}, credentialVars(tgt, cr, ""))
	if !strings.Contains(strings.Join(got, " "), "AWS_REGION=us-east-2") {
		t.Errorf("inherited region lost: %q", got)
	}
}

func TestShellQuote(t *testing.T) {
	for in, want := range map[string]string{
		"ASIA123":        "ASIA123",
		"a+b/c=":         "a+b/c=",
		"has space":      "'has space'",
		"it's":           `'it'\''s'`,
		"":               "''",
		"$(rm -rf /)":    "'$(rm -rf /)'",
		"2030-01-02T03Z": "2030-01-02T03Z",
	} {
		if got := shellQuote(in); got != want {
			t.Errorf("shellQuote(%q) = %s; want %s", in, got, want)
		}
	}
}

func TestExportFormatFlag(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	cmd := NewExportCmd(factory.New(ios), func(context.Context, *exportOptions) error { return nil })
	cmd.SetArgs([]string{"--format", "yaml"})
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	err := cmd.Execute()
	if err == nil || !strings.Contains(err.Error(), "--format must be one of") {
		t.Errorf("--format yaml: %v", err)
	}
}
