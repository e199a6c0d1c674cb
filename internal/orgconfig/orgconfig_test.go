package orgconfig_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ssoctl/ssoctl/internal/orgconfig"
)

func TestExampleLoads(t *testing.T) {
	c, err := orgconfig.Load("../../examples/org.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if c.StartURL != "https://acme.awsapps.com/start" || c.SSOSession != "acme" || c.EmailRegion() != "us-east-1" {
		t.Errorf("got %+v", c)
	}
	b, err := c.Bundle("Developer")
	if err != nil {
		t.Fatal(err)
	}
	want := []orgconfig.Grant{
		{PermissionSet: "Developer", Accounts: []string{"payments-dev", "insights-dev"}, Line: 19},
		{PermissionSet: "ReadOnlyAccess", OUs: []string{"Workloads/Staging"}, Line: 20},
	}
	if d := cmp.Diff(want, b.Grants); d != "" {
		t.Errorf("Developer bundle (-want +got):\n%s", d)
	}
	if _, err := c.Bundle("Nope"); err == nil || !strings.Contains(err.Error(), "it has: Developer, SeniorDeveloper, Support, Finance") {
		t.Errorf("unknown bundle: %v", err)
	}
	if !c.InDomain("a@Example.com") || c.InDomain("a@example.net") || !c.IsLegacy("a@example.net") {
		t.Error("domain checks wrong")
	}
}

func TestErrorsHaveLines(t *testing.T) {
	for _, tc := range []struct{ name, file, want string }{
		{"unknown key", "start_url: https://a.awsapps.com/start\nsso_region: eu-west-1\nsso_session: a\nsso_regoin: x\n", "org.yaml:4: unknown setting \"sso_regoin\""},
		{"unknown email key", "start_url: https://a.awsapps.com/start\nsso_region: eu-west-1\nsso_session: a\nemail:\n  form: a@b.com\n", "org.yaml:5: unknown setting \"email.form\""},
		{"bad region", "start_url: https://a.awsapps.com/start\nsso_region: Ireland\nsso_session: a\n", "org.yaml:2: sso_region \"Ireland\" is not an AWS region"},
		{"http start url", "start_url: http://a.awsapps.com/start\nsso_region: eu-west-1\nsso_session: a\n", "org.yaml:1: start_url: \"http://a.awsapps.com/start\" must be an https URL"},
		{"missing", "domain: example.com\n", "org.yaml:1: start_url is required"},
		{"bad legacy", "start_url: https://a.awsapps.com/start\nsso_region: eu-west-1\nsso_session: a\ndomain: example.com\nlegacy_domains:\n  - example.net\n  - example.com\n", "org.yaml:7: legacy_domains: \"example.com\" is also the current domain"},
		{"bad cc", "start_url: https://a.awsapps.com/start\nsso_region: eu-west-1\nsso_session: a\nemail:\n  cc: [ok@example.com, nope]\n", "org.yaml:5: email.cc: \"nope\" is not an e-mail address"},
		{"bundle without targets", "start_url: https://a.awsapps.com/start\nsso_region: eu-west-1\nsso_session: a\naccess:\n  Dev:\n    - {permission_set: Developer}\n", "org.yaml:6: access bundle \"Dev\": give accounts or ous for Developer"},
		{"bundle typo", "start_url: https://a.awsapps.com/start\nsso_region: eu-west-1\nsso_session: a\naccess:\n  Dev:\n    - permission_set: Developer\n      acounts: [dev]\n", "org.yaml:7: access bundle \"Dev\": unknown key \"acounts\""},
		{"syntax", "start_url: [\n", "org.yaml:"},
		{"bad date", "start_url: https://a.awsapps.com/start\nsso_region: eu-west-1\nsso_session: a\nmigration:\n  iam_keys_stop: 31/01/2027\n", "org.yaml:5: migration.iam_keys_stop \"31/01/2027\": write the date as YYYY-MM-DD"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := orgconfig.Parse("org.yaml", []byte(tc.file))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v; want an error containing %q", err, tc.want)
			}
		})
	}
}

func TestLoopbackStartURL(t *testing.T) {
	if _, err := orgconfig.Parse("org.yaml", []byte("start_url: http://127.0.0.1:4567/start\nsso_region: us-east-1\nsso_session: sandbox\n")); err != nil {
		t.Error(err)
	}
}
