package audit_test

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"
	gocmp "github.com/google/go-cmp/cmp"

	"github.com/ssoctl/ssoctl/internal/assignments/list"
	"github.com/ssoctl/ssoctl/internal/audit"
	"github.com/ssoctl/ssoctl/internal/emulator"
	"github.com/ssoctl/ssoctl/internal/emulatortest"
	"github.com/ssoctl/ssoctl/internal/inventory"
	"github.com/ssoctl/ssoctl/internal/orgconfig"
)

func TestInlinePolicyPrivilege(t *testing.T) {
	for _, tc := range []struct {
		name, doc  string
		rank       int
		reasonPart string
	}{
		{"empty", "", audit.RankNone, ""},
		{"allow *", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`, audit.RankAdmin, "allows *"},
		{"one statement, not a list", `{"Statement":{"Effect":"Allow","Action":["s3:GetObject","*:*"],"Resource":["*"]}}`, audit.RankAdmin, "allows *"},
		{"iam:*", `{"Statement":[{"Effect":"Allow","Action":["ec2:Describe*","iam:*"],"Resource":"*"}]}`, audit.RankIAM, "allows iam:*"},
		{"IAM:* in capitals", `{"Statement":[{"Effect":"Allow","Action":"IAM:*","Resource":"*"}]}`, audit.RankIAM, "allows iam:*"},
		{"* outranks iam:*", `{"Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"*"},{"Effect":"Allow","Action":"*","Resource":"*"}]}`, audit.RankAdmin, "allows *"},
		{"NotAction leaving out no IAM", `{"Statement":[{"Effect":"Allow","NotAction":"s3:*","Resource":"*"}]}`, audit.RankAdmin, "every action but s3:*"},
		{"NotAction leaving out some IAM", `{"Statement":[{"Effect":"Allow","NotAction":["iam:CreateUser"],"Resource":"*"}]}`, audit.RankIAM, "IAM actions but iam:CreateUser"},
		{"PowerUserAccess's NotAction", `{"Statement":[{"Effect":"Allow","NotAction":["iam:*","organizations:*","account:*"],"Resource":"*"}]}`, audit.RankNone, ""},
		{"Deny *", `{"Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}`, audit.RankNone, ""},
		{"* on one bucket", `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"arn:aws:s3:::logs/*"}]}`, audit.RankNone, ""},
		{"* with NotResource", `{"Statement":[{"Effect":"Allow","Action":"*","NotResource":"arn:aws:s3:::secret/*"}]}`, audit.RankAdmin, "allows *"},
		{"limited actions", `{"Statement":[{"Effect":"Allow","Action":["s3:*","iam:Get*"],"Resource":"*"}]}`, audit.RankNone, ""},
		{"the sandbox's Deny", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":["iam:CreateUser","iam:CreateAccessKey"],"Resource":"*"}]}`, audit.RankNone, ""},
		{"URL-encoded", url.QueryEscape(`{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`), audit.RankAdmin, "allows *"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rank, reason, err := audit.InlinePolicyPrivilege(tc.doc)
			if err != nil {
				t.Fatal(err)
			}
			if rank != tc.rank || !strings.Contains(reason, tc.reasonPart) {
				t.Errorf("got rank %d, reason %q; want rank %d, a reason with %q", rank, reason, tc.rank, tc.reasonPart)
			}
		})
	}
	if _, _, err := audit.InlinePolicyPrivilege(`{"Statement":`); err == nil {
		t.Error("a policy that is not JSON: no error")
	}
}

func TestManagedPolicyPrivilege(t *testing.T) {
	for arn, want := range map[string]int{
		"arn:aws:iam::aws:policy/AdministratorAccess":          audit.RankAdmin,
		"arn:aws-us-gov:iam::aws:policy/AdministratorAccess":   audit.RankAdmin,
		"arn:aws:iam::aws:policy/IAMFullAccess":                audit.RankIAM,
		"arn:aws:iam::aws:policy/PowerUserAccess":              audit.RankNone,
		"arn:aws:iam::aws:policy/IAMReadOnlyAccess":            audit.RankNone,
		"arn:aws:iam::aws:policy/job-function/Billing":         audit.RankNone,
		"arn:aws:iam::123456789012:policy/AdministratorAccess": audit.RankNone, // a customer's policy of that name is not AWS's
	} {
		if got, _ := audit.ManagedPolicyPrivilege(arn); got != want {
			t.Errorf("%s: got rank %d; want %d", arn, got, want)
		}
	}
}

// reviewClients are real SDK clients for every service the audit reads,
// the policy reader included.
func reviewClients(cfg aws.Config) audit.Clients {
	c := clientsFor(cfg)
	c.Policies = ssoadmin.NewFromConfig(cfg)
	return c
}

func settings(t *testing.T, extra string) *orgconfig.Config {
	t.Helper()
	c, err := orgconfig.Parse("org.yaml", []byte("start_url: https://a.awsapps.com/start\nsso_region: us-east-1\nsso_session: a\n"+extra))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// psArn is the ARN of the small organization's permission set name.
func psArn(t *testing.T, c audit.Clients, inst inventory.Instance, name string) string {
	t.Helper()
	sets, err := inventory.PermissionSets(ctx, c.Clients, inst)
	if err != nil {
		t.Fatal(err)
	}
	for _, ps := range sets {
		if ps.Name == name {
			return ps.Arn
		}
	}
	t.Fatalf("no permission set %s", name)
	return ""
}

// TestAuditReview: on the small organization, with an inline policy that
// allows * on SeniorDeveloper and IAMFullAccess attached to
// ProductionSupport (through the sandbox's API), and Workloads/Prod named
// production, the review finds every privileged permission set by its
// rule, reads the policies of just the permission sets the assignments
// name, lists who has privileged access to production by OU and account,
// and gives the findings by cause.
func TestAuditReview(t *testing.T) {
	sb := emulatortest.Start(t, emulator.Options{Org: "small"})
	cfg := sdkConfig(sb.URL)
	c := reviewClients(cfg)
	inst, err := inventory.FindInstance(ctx, c.SSOAdmin, "")
	if err != nil {
		t.Fatal(err)
	}
	sa := ssoadmin.NewFromConfig(cfg)
	senior, support := psArn(t, c, inst, "SeniorDeveloper"), psArn(t, c, inst, "ProductionSupport")
	if _, err := sa.PutInlinePolicyToPermissionSet(ctx, &ssoadmin.PutInlinePolicyToPermissionSetInput{InstanceArn: &inst.Arn, PermissionSetArn: &senior,
		InlinePolicy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := sa.AttachManagedPolicyToPermissionSet(ctx, &ssoadmin.AttachManagedPolicyToPermissionSetInput{InstanceArn: &inst.Arn, PermissionSetArn: &support,
		ManagedPolicyArn: aws.String("arn:aws:iam::aws:policy/IAMFullAccess")}); err != nil {
		t.Fatal(err)
	}
	// Provisioned again, as an administrator would after the changes.
	for _, ps := range []string{senior, support} {
		out, err := sa.ProvisionPermissionSet(ctx, &ssoadmin.ProvisionPermissionSetInput{InstanceArn: &inst.Arn, PermissionSetArn: aws.String(ps), TargetType: ssotypes.ProvisionTargetTypeAllProvisionedAccounts})
		if err != nil {
			t.Fatal(err)
		}
		for st := out.PermissionSetProvisioningStatus; st.Status == ssotypes.StatusValuesInProgress; {
			d, err := sa.DescribePermissionSetProvisioningStatus(ctx, &ssoadmin.DescribePermissionSetProvisioningStatusInput{InstanceArn: &inst.Arn, ProvisionPermissionSetRequestId: st.RequestId})
			if err != nil {
				t.Fatal(err)
			}
			st = d.PermissionSetProvisioningStatus
		}
	}
	// A permission set no assignment names: its policies are not read.
	if _, err := sa.CreatePermissionSet(ctx, &ssoadmin.CreatePermissionSetInput{InstanceArn: &inst.Arn, Name: aws.String("Unassigned")}); err != nil {
		t.Fatal(err)
	}
	before := sb.Stats(t).Calls["sso-admin:GetInlinePolicyForPermissionSet"]

	_, res := run(t, c, audit.Options{Settings: settings(t, "production:\n  ous: [Workloads/Prod]\n")})

	// Privileged: AdministratorAccess by name and by its managed policy,
	// SeniorDeveloper by its inline policy, ProductionSupport by
	// IAMFullAccess; nothing else.
	var names []string
	for _, p := range res.Review.Privileged {
		names = append(names, p.Name)
	}
	slices.Sort(names)
	if want := []string{"AdministratorAccess", "ProductionSupport", "SeniorDeveloper"}; !slices.Equal(names, want) {
		t.Errorf("privileged %q; want %q", names, want)
	}
	if p := res.Review.Privileged[senior]; p.Rank != audit.RankAdmin || p.Reason() != "inline policy allows *" {
		t.Errorf("SeniorDeveloper: %+v; want RankAdmin, inline policy allows *", p)
	}
	if p := res.Review.Privileged[support]; p.Rank != audit.RankIAM || p.Reason() != "AWS managed policy IAMFullAccess" {
		t.Errorf("ProductionSupport: %+v; want RankIAM, AWS managed policy IAMFullAccess", p)
	}
	// Only the 9 assigned permission sets' policies were read, 2 calls each.
	stats := sb.Stats(t).Calls
	if res.Review.PoliciesRead != 9 || stats["sso-admin:GetInlinePolicyForPermissionSet"]-before != 9 || stats["sso-admin:ListManagedPoliciesInPermissionSet"] != 9 {
		t.Errorf("policies read for %d permission sets (%d GetInlinePolicy, %d ListManagedPolicies calls); want 9: the assigned ones, not Unassigned",
			res.Review.PoliciesRead, stats["sso-admin:GetInlinePolicyForPermissionSet"]-before, stats["sso-admin:ListManagedPoliciesInPermissionSet"])
	}

	// Production: Workloads/Prod holds payments-prod and insights-prod.
	p := res.AccessReview.Production
	if !p.Set || p.Accounts != 2 || p.Reached != 2 || len(p.Scope) != 1 || p.Scope[0].Name != "Root/Workloads/Prod" || p.Scope[0].Accounts != 2 {
		t.Fatalf("production %+v; want Root/Workloads/Prod's 2 accounts, both reached", p)
	}
	if len(p.OUs) != 1 || p.OUs[0].Path != "Root/Workloads/Prod" || len(p.OUs[0].Accounts) != 2 {
		t.Fatalf("production OUs %+v; want one, Root/Workloads/Prod, with 2 accounts", p.OUs)
	}
	var got []string
	for _, a := range p.OUs[0].Accounts {
		for _, x := range a.Access {
			got = append(got, a.AccountName+" "+x.UserName+" "+x.PermissionSet+" "+x.Path+" "+strings.Join(x.Flags, ";"))
		}
	}
	want := []string{
		"insights-prod alice.johnson AdministratorAccess group:platform-admins ",
		"insights-prod dave.miller ProductionSupport group:production-support ",
		"insights-prod rupert.thompson ProductionSupport group:production-support ",
		"insights-prod sybil.young ProductionSupport group:production-support ",
		"insights-prod trent.king AdministratorAccess group:platform-admins ",
		"payments-prod alice.johnson AdministratorAccess group:platform-admins ",
		"payments-prod carol.garcia SeniorDeveloper group:senior-developers ",
		"payments-prod dave.miller ProductionSupport group:production-support ",
		"payments-prod dave.miller SeniorDeveloper group:senior-developers ",
		"payments-prod ivan.anderson SeniorDeveloper group:senior-developers ",
		"payments-prod mallory.evans ProductionSupport direct DISABLED_USER",
		"payments-prod rupert.thompson ProductionSupport group:production-support ",
		"payments-prod sybil.young ProductionSupport group:production-support ",
		"payments-prod trent.king AdministratorAccess group:platform-admins ",
	}
	if d := gocmp.Diff(want, got); d != "" {
		t.Errorf("privileged access to production (-want +got):\n%s", d)
	}
	if p.Users != 8 {
		t.Errorf("%d users with privileged access to production; want 8", p.Users)
	}

	// Findings by cause: mallory's (privileged, in production) first.
	var causes []string
	for _, c := range res.AccessReview.Causes {
		priv := "-"
		if c.Privileged {
			priv = "privileged"
		}
		causes = append(causes, fmt.Sprintf("%s %s %s %d %d %d %d %s %s", c.Kind, c.Subject, c.Name, c.Rows, c.Findings, len(c.Accounts), c.ProductionAccounts, c.MostPrivileged, priv))
	}
	wantCauses := []string{
		"DISABLED_USER user mallory.evans 1 1 1 1 ProductionSupport privileged",
		"NOT_PROVISIONED permissionSet InsightsDeveloper 1 1 1 0 InsightsDeveloper -",
		"ORPHANED_PRINCIPAL principal deleted user 1 1 1 1 ReadOnlyAccess -",
		"SUSPENDED_ACCOUNT account legacy-app 10 1 1 0 Developer -",
	}
	if d := gocmp.Diff(wantCauses, causes); d != "" {
		t.Errorf("causes (-want +got):\n%s", d)
	}
	for _, c := range res.AccessReview.Causes {
		for _, i := range c.FindingIndexes {
			if f := res.Findings[i]; f.Kind != c.Kind {
				t.Errorf("cause %s %s drills down to finding %d of kind %s", c.Kind, c.Name, i, f.Kind)
			}
		}
		if len(c.FindingIndexes) != c.Findings {
			t.Errorf("cause %s %s: %d findings, %d indexes", c.Kind, c.Name, c.Findings, len(c.FindingIndexes))
		}
	}

	// privileged.policies: false reads no policy; only names count.
	before = sb.Stats(t).Calls["sso-admin:GetInlinePolicyForPermissionSet"]
	_, res = run(t, c, audit.Options{Settings: settings(t, "privileged:\n  policies: false\n")})
	if after := sb.Stats(t).Calls["sso-admin:GetInlinePolicyForPermissionSet"]; after != before || res.Review.PoliciesRead != 0 {
		t.Errorf("policies: false made %d GetInlinePolicy calls (%d read)", after-before, res.Review.PoliciesRead)
	}
	if len(res.Review.Privileged) != 1 || res.AccessReview.Production.Set {
		t.Errorf("by name only: privileged %+v, production %+v; want AdministratorAccess only, no production", res.Review.Privileged, res.AccessReview.Production)
	}
}

// TestAuditReviewSettingsErrors: what the settings name but the
// organization lacks fails the audit, at the settings' line, with the
// closest names.
func TestAuditReviewSettingsErrors(t *testing.T) {
	_, url := sandbox(t, emulator.Options{Org: "small"})
	c := reviewClients(sdkConfig(url))
	for _, tc := range []struct{ name, extra, want string }{
		{"OU", "production:\n  ous: [Workloads/Prd]\n", `org.yaml:5: production.ous: OU "Workloads/Prd" not found; closest: Workloads, Workloads/Prod`},
		{"account", "production:\n  accounts: [paymnets-prod]\n", `org.yaml:5: production.accounts: account "paymnets-prod" is not in the organization; closest: payments-prod`},
		{"permission set", "privileged:\n  permission_sets: [AdministratorAcess]\n", `org.yaml:5: privileged.permission_sets: permission set "AdministratorAcess" is not in the instance; closest: AdministratorAccess`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := audit.Run(ctx, c, audit.Options{Settings: settings(t, tc.extra)}, func(audit.Row) error { return nil })
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v; want an error containing %q", err, tc.want)
			}
		})
	}
	// The default names may be listed though the instance lacks one (the
	// small organization has no IAMFullAccess).
	if _, err := audit.Run(ctx, c, audit.Options{Settings: settings(t, "privileged:\n  permission_sets: [AdministratorAccess, IAMFullAccess]\n")},
		func(audit.Row) error { return nil }); err != nil {
		t.Errorf("the default names listed: %v", err)
	}
}

// TestFindingCausesMedium: the medium organization's 856 findings are 19
// disabled users (809 rows), 5 orphaned principals and 5 suspended
// accounts (42 findings, 1,093 rows): 29 causes.
func TestFindingCausesMedium(t *testing.T) {
	if testing.Short() {
		t.Skip("audits the medium organization; skipped with -short")
	}
	_, url := sandbox(t, emulator.Options{Org: "medium"})
	_, res := run(t, reviewClients(sdkConfig(url)), audit.Options{})
	type sum struct{ Causes, Findings, Rows int }
	got := map[string]sum{}
	for _, c := range res.AccessReview.Causes {
		s := got[c.Kind]
		got[c.Kind] = sum{s.Causes + 1, s.Findings + c.Findings, s.Rows + c.Rows}
	}
	want := map[string]sum{
		list.FlagDisabledUser: {19, 809, 809},
		list.FlagOrphaned:     {5, 5, 5},
		list.FlagSuspended:    {5, 42, 1093},
	}
	if d := gocmp.Diff(want, got); d != "" || len(res.Findings) != 856 {
		t.Errorf("%d findings; causes by kind (-want +got):\n%s", len(res.Findings), d)
	}
}

// TestSettingsDigest: the digest an incremental audit compares follows the
// values of the privileged: and production: sections, not their lines or
// the rest of the file; no file is the defaults.
func TestSettingsDigest(t *testing.T) {
	prod := func(line int, ous ...string) *orgconfig.Config {
		c := &orgconfig.Config{Path: "org.yaml", StartURL: "https://x.awsapps.com/start", Privileged: orgconfig.DefaultPrivileged()}
		for _, ou := range ous {
			c.Production.OUs = append(c.Production.OUs, orgconfig.Ref{Value: ou, Line: line})
		}
		c.Production.Line = line
		return c
	}
	base := audit.SettingsDigest(prod(4, "Workloads/Prod"))
	if got := audit.SettingsDigest(prod(9, "Workloads/Prod")); got != base {
		t.Errorf("moving the production: section changed the digest")
	}
	if got := audit.SettingsDigest(prod(4, "Workloads")); got == base {
		t.Errorf("another production OU kept the digest")
	}
	if audit.SettingsDigest(nil) != audit.SettingsDigest(prod(0)) {
		t.Errorf("no settings file and a file with neither section differ")
	}
	noPolicies := prod(4, "Workloads/Prod")
	noPolicies.Privileged.Policies = false
	if audit.SettingsDigest(noPolicies) == base {
		t.Errorf("privileged.policies: false kept the digest")
	}
}
