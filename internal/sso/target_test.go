package sso

import (
	"errors"
	"strings"
	"testing"

	"github.com/ssoctl/ssoctl/internal/awsconfig"
)

func TestResolve(t *testing.T) {
	f, err := awsconfig.Parse([]byte(`
[profile dev]
sso_session = acme
sso_account_id = 111111111111
sso_role_name = Developer
region = eu-west-1
[profile plain]
region = us-east-2
[sso-session acme]
sso_start_url = https://acme.awsapps.com/start
sso_region = eu-central-1
`))
	if err != nil {
		t.Fatal(err)
	}
	const envURL = "http://127.0.0.1:1/start"
	tests := []struct {
		name        string
		sel         Selector
		session     string
		startURL    string
		account     string
		login       string
		errContains string
	}{
		{"--sso-session", Selector{Session: "acme", DefaultStartURL: envURL, DefaultRegion: "us-east-1"}, "acme", "https://acme.awsapps.com/start", "", "ssoctl login --sso-session acme", ""},
		{"--sso-session unknown", Selector{Session: "nope"}, "", "", "", "", `sso-session "nope" not found`},
		{"--sso-session with --start-url", Selector{Session: "new", StartURL: "https://n/start", Region: "us-west-1"}, "new", "https://n/start", "", "ssoctl login --sso-session new --start-url https://n/start --sso-region us-west-1", ""},
		{"--start-url", Selector{StartURL: "https://x/start", DefaultRegion: "us-east-1", Profile: "dev"}, "", "https://x/start", "", "ssoctl login --start-url https://x/start --sso-region us-east-1", ""},
		{"--start-url without region", Selector{StartURL: "https://x/start"}, "", "", "", "", "start URL https://x/start has no Identity Center region"},
		{"--profile", Selector{Profile: "dev", EnvProfile: "plain", DefaultStartURL: envURL, DefaultRegion: "us-east-1"}, "acme", "https://acme.awsapps.com/start", "111111111111", "ssoctl login --profile dev", ""},
		{"--profile without sso keys", Selector{Profile: "plain"}, "", "", "", "", "no Identity Center"},
		{"--profile with -a", Selector{Profile: "dev", AccountID: "999999999999"}, "acme", "https://acme.awsapps.com/start", "999999999999", "ssoctl login --profile dev", ""},
		{"AWS_PROFILE with sso keys", Selector{EnvProfile: "dev", DefaultStartURL: envURL, DefaultRegion: "us-east-1"}, "acme", "https://acme.awsapps.com/start", "111111111111", "ssoctl login --profile dev", ""},
		{"AWS_PROFILE without: the default start URL", Selector{EnvProfile: "plain", DefaultStartURL: envURL, DefaultRegion: "us-east-1"}, "", envURL, "", "ssoctl login", ""},
		{"the only sso-session", Selector{}, "acme", "https://acme.awsapps.com/start", "", "ssoctl login --sso-session acme", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Resolve(f, tt.sel)
			if tt.errContains != "" {
				if err == nil || !strings.Contains(err.Error(), tt.errContains) {
					t.Fatalf("error %v; want one containing %q", err, tt.errContains)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Config.Session != tt.session || got.Config.StartURL != tt.startURL || got.AccountID != tt.account || got.LoginCommand() != tt.login {
				t.Errorf("got session %q, start URL %q, account %q, login %q; want %q, %q, %q, %q",
					got.Config.Session, got.Config.StartURL, got.AccountID, got.LoginCommand(), tt.session, tt.startURL, tt.account, tt.login)
			}
		})
	}
	empty, _ := awsconfig.Parse(nil)
	if _, err := Resolve(empty, Selector{}); !errors.Is(err, ErrNoTarget) {
		t.Errorf("nothing named: %v; want ErrNoTarget", err)
	}
}
