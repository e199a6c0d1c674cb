package access_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	"github.com/google/go-cmp/cmp"

	"github.com/ssoctl/ssoctl/internal/access"
	"github.com/ssoctl/ssoctl/internal/audit"
	"github.com/ssoctl/ssoctl/internal/emulator"
	"github.com/ssoctl/ssoctl/internal/orgconfig"
)

// TestReviewAccount: with org settings naming Workloads production,
// payments-prod's answer says where it is, that it is production (by the
// OU above its own), flags the rows of its privileged permission set and
// puts them first — in a few more calls: the OU chain, and two per
// permission set assigned there.
func TestReviewAccount(t *testing.T) {
	srv, c := sandbox(t, emulator.Options{})
	settings, err := orgconfig.Parse("org.yaml", []byte("start_url: https://a.awsapps.com/start\nsso_region: us-east-1\nsso_session: a\nproduction:\n  ous: [Workloads]\n"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := access.ForAccount(ctx, c, "", "payments-prod", nil)
	if err != nil {
		t.Fatal(err)
	}
	before := srv.Stats().Calls
	if err := access.Review(ctx, c, c.SSOAdmin.(*ssoadmin.Client), settings, res); err != nil {
		t.Fatal(err)
	}
	rv := res.Review
	if rv == nil || rv.OU != "Root/Workloads/Prod" || !rv.Production || rv.ProductionBy != "OU Workloads" || rv.Users != 2 {
		t.Fatalf("review %+v; want Root/Workloads/Prod, production by OU Workloads, 2 privileged users", rv)
	}
	if len(rv.Privileged) != 1 || rv.Privileged[0].Name != "AdministratorAccess" || rv.Privileged[0].Rank != audit.RankAdmin {
		t.Errorf("privileged %+v; want AdministratorAccess", rv.Privileged)
	}
	var got []string
	for _, r := range res.Rows[:3] {
		got = append(got, r.PermissionSet+" "+r.UserName+" "+strings.Join(r.Flags, ";"))
	}
	want := []string{"AdministratorAccess alice.johnson PRIVILEGED", "AdministratorAccess trent.king PRIVILEGED", "ProductionSupport mallory.evans DISABLED_USER"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("first rows (-want +got):\n%s", d)
	}
	after := srv.Stats().Calls
	calls := map[string]int{}
	for k, v := range after {
		if d := v - before[k]; d > 0 {
			calls[k] = d
		}
	}
	wantCalls := map[string]int{
		"organizations:ListParents": 3, "organizations:DescribeOrganizationalUnit": 2, "organizations:ListRoots": 1,
		"sso-admin:GetInlinePolicyForPermissionSet": 4, "sso-admin:ListManagedPoliciesInPermissionSet": 4,
	}
	if d := cmp.Diff(wantCalls, calls); d != "" {
		t.Errorf("the review's calls (-want +got):\n%s", d)
	}

	// Not production: the privileged rows are flagged but keep their place.
	res, err = access.ForAccount(ctx, c, "", "security-audit", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := access.Review(ctx, c, nil, settings, res); err != nil {
		t.Fatal(err)
	}
	if res.Review.Production || res.Review.OU != "Root/Security" || res.Rows[0].Flags[0] != access.FlagPrivileged {
		t.Errorf("security-audit: review %+v, first row %+v; want Root/Security, not production, AdministratorAccess flagged", res.Review, res.Rows[0])
	}
}
