package awsconfig

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const sample = `# a comment
; another
[default]
region = us-east-1

[profile dev]
sso_session = acme
sso_account_id = 111111111111
sso_role_name = Developer
region = eu-west-1
s3 =
  max_concurrent_requests = 10
Output = json

[profile   legacy]
sso_start_url = https://legacy.awsapps.com/start
sso_region = us-west-2
sso_account_id = 222222222222
sso_role_name = ReadOnly

[profile conflict]
sso_session = acme
sso_region = us-west-2

[profile nossokeys]
region = us-east-2

[sso-session acme]
sso_start_url = https://acme.awsapps.com/start
sso_region = eu-central-1
sso_registration_scopes = sso:account:access, ,sso-portal:*

[sso-session broken]
sso_region = eu-central-1

[services local]
sso =
  endpoint_url = http://127.0.0.1:1

[profile dev]
cli_pager =
`

func TestParse(t *testing.T) {
	f := Parse([]byte(strings.ReplaceAll(sample, "\n", "\r\n")))
	if got, want := f.Names(KindProfile), []string{"conflict", "default", "dev", "legacy", "nossokeys"}; !cmp.Equal(got, want) {
		t.Errorf("profiles %v; want %v", got, want)
	}
	if got, want := f.Names(KindSSOSession), []string{"acme", "broken"}; !cmp.Equal(got, want) {
		t.Errorf("sso-sessions %v; want %v", got, want)
	}
	dev, ok := f.Profile("dev")
	if !ok {
		t.Fatal("profile dev not found")
	}
	want := map[string]string{"sso_session": "acme", "sso_account_id": "111111111111", "sso_role_name": "Developer",
		"region": "eu-west-1", "s3": "", "output": "json", "cli_pager": ""}
	if diff := cmp.Diff(want, dev.Keys); diff != "" {
		t.Errorf("profile dev keys (-want +got):\n%s", diff)
	}
	if _, ok := f.Profile("max_concurrent_requests"); ok {
		t.Error("a sub-property became a profile")
	}
}

func TestProfileSSO(t *testing.T) {
	f := Parse([]byte(sample))
	f.Path = "config"
	tests := []struct {
		profile string
		want    SSO
		err     string
	}{
		{"dev", SSO{Profile: "dev", Session: "acme", StartURL: "https://acme.awsapps.com/start", Region: "eu-central-1",
			Scopes: []string{"sso:account:access", "sso-portal:*"}, AccountID: "111111111111", RoleName: "Developer", ProfileRegion: "eu-west-1"}, ""},
		{"legacy", SSO{Profile: "legacy", StartURL: "https://legacy.awsapps.com/start", Region: "us-west-2", AccountID: "222222222222", RoleName: "ReadOnly"}, ""},
		{"conflict", SSO{}, `sso_region "us-west-2" differs from sso-session "acme"'s "eu-central-1"`},
		{"nossokeys", SSO{}, "no Identity Center"},
		{"missing", SSO{}, `profile "missing" not found in config`},
	}
	for _, tt := range tests {
		t.Run(tt.profile, func(t *testing.T) {
			got, err := f.ProfileSSO(tt.profile)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v; want one containing %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	if _, err := f.ProfileSSO("nossokeys"); !errors.Is(err, ErrNoSSO) {
		t.Errorf("nossokeys: %v; want ErrNoSSO", err)
	}
	if _, err := f.SessionSSO("broken"); err == nil || !strings.Contains(err.Error(), "no sso_start_url") {
		t.Errorf("broken session: %v; want no sso_start_url", err)
	}
}

func TestPathAndLoad(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"HOME": dir}
	getenv := func(k string) string { return env[k] }
	p, err := Path(getenv)
	if err != nil || p != filepath.Join(dir, ".aws", "config") {
		t.Errorf("Path = %q, %v; want ~/.aws/config", p, err)
	}
	env["AWS_CONFIG_FILE"] = "~/elsewhere/config"
	if p, _ = Path(getenv); p != filepath.Join(dir, "elsewhere", "config") {
		t.Errorf("Path with AWS_CONFIG_FILE=~/… = %q", p)
	}
	f, err := Load(filepath.Join(dir, "absent"))
	if err != nil || len(f.Names(KindProfile)) != 0 {
		t.Errorf("a missing file: %v, %v; want an empty File", f, err)
	}
	path := filepath.Join(dir, "config")
	if err := os.WriteFile(path, []byte(sample), 0o600); err != nil {
		t.Fatal(err)
	}
	if f, err = Load(path); err != nil || f.Path != path {
		t.Fatalf("Load = %v, %v", f, err)
	}
	if got := SplitScopes(" a ,b,, "); !cmp.Equal(got, []string{"a", "b"}) {
		t.Errorf("SplitScopes = %q", got)
	}
	if got := SplitScopes(""); got != nil {
		t.Errorf("SplitScopes(\"\") = %q; want nil", got)
	}
}
