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

const base = "start_url: https://a.awsapps.com/start\nsso_region: eu-west-1\nsso_session: a\n"

// TestReviewDefaults: a file without privileged: or production: (and the
// example file) treats AdministratorAccess and IAMFullAccess as privileged
// by name, reads policies, and names no production.
func TestReviewDefaults(t *testing.T) {
	c, err := orgconfig.Parse("org.yaml", []byte(base))
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(orgconfig.DefaultPrivileged(), c.Privileged); d != "" {
		t.Errorf("privileged (-want +got):\n%s", d)
	}
	want := orgconfig.Privileged{PermissionSets: []orgconfig.Ref{{Value: "AdministratorAccess"}, {Value: "IAMFullAccess"}}, Policies: true}
	if d := cmp.Diff(want, orgconfig.DefaultPrivileged()); d != "" {
		t.Errorf("defaults (-want +got):\n%s", d)
	}
	if c.Production.Set() {
		t.Errorf("production %+v; want none", c.Production)
	}
	if got := c.Where(orgconfig.Ref{Value: "AdministratorAccess"}); got != "" {
		t.Errorf("a default's place is %q; want none", got)
	}
}

// TestReviewSettings: the privileged: and production: sections, with each
// entry's line.
func TestReviewSettings(t *testing.T) {
	file := base + `privileged:
  permission_sets: [AdministratorAccess, PlatformAdmin]
  policies: false
production:
  ous:
    - Workloads/Prod
    - ou-abcd-12345678
  accounts: [acme-management, 012345678901]
`
	c, err := orgconfig.Parse("org.yaml", []byte(file))
	if err != nil {
		t.Fatal(err)
	}
	wantP := orgconfig.Privileged{PermissionSets: []orgconfig.Ref{{Value: "AdministratorAccess", Line: 5}, {Value: "PlatformAdmin", Line: 5}}, Policies: false, Line: 4}
	if d := cmp.Diff(wantP, c.Privileged); d != "" {
		t.Errorf("privileged (-want +got):\n%s", d)
	}
	wantProd := orgconfig.Production{
		OUs:      []orgconfig.Ref{{Value: "Workloads/Prod", Line: 9}, {Value: "ou-abcd-12345678", Line: 10}},
		Accounts: []orgconfig.Ref{{Value: "acme-management", Line: 11}, {Value: "012345678901", Line: 11}},
		Line:     7,
	}
	if d := cmp.Diff(wantProd, c.Production); d != "" {
		t.Errorf("production (-want +got):\n%s", d)
	}
	if got := c.Where(c.Production.OUs[1]); got != "org.yaml:10: " {
		t.Errorf("Where = %q; want org.yaml:10: ", got)
	}
	// Only policies: the names keep their default; an empty list names none.
	c, err = orgconfig.Parse("org.yaml", []byte(base+"privileged:\n  policies: true\n"))
	if err != nil || len(c.Privileged.PermissionSets) != 2 {
		t.Errorf("privileged with only policies: %+v, %v; want the default names", c.Privileged, err)
	}
	c, err = orgconfig.Parse("org.yaml", []byte(base+"privileged:\n  permission_sets: []\n"))
	if err != nil || len(c.Privileged.PermissionSets) != 0 || !c.Privileged.Policies {
		t.Errorf("privileged with no names: %+v, %v; want none by name, policies read", c.Privileged, err)
	}
}

func TestReviewErrorsHaveLines(t *testing.T) {
	for _, tc := range []struct{ name, file, want string }{
		{"privileged typo", base + "privileged:\n  permision_sets: [Admin]\n", `org.yaml:5: unknown setting "privileged.permision_sets" (known: privileged.permission_sets, privileged.policies)`},
		{"privileged not a mapping", base + "privileged: [Admin]\n", "org.yaml:4: privileged must be a mapping"},
		{"policies not a bool", base + "privileged:\n  policies: sometimes\n", `org.yaml:5: privileged.policies must be true or false, not "sometimes"`},
		{"production typo", base + "production:\n  ou: [Prod]\n", `org.yaml:5: unknown setting "production.ou" (known: production.ous, production.accounts)`},
		{"production empty", base + "production:\n  ous: []\n", "org.yaml:4: production names no OU and no account"},
		{"production entry not a name", base + "production:\n  accounts:\n    - {name: x}\n", "org.yaml:6: production.accounts: each entry is a name, path or id"},
		{"production twice", base + "production:\n  ous:\n    - Prod\n    - Prod\n", `org.yaml:7: production.ous: "Prod" is listed twice`},
		{"production not a mapping", base + "production: Prod\n", "org.yaml:4: production must be a mapping"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := orgconfig.Parse("org.yaml", []byte(tc.file))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v; want an error containing %q", err, tc.want)
			}
		})
	}
}
