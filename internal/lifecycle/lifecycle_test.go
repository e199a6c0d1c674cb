package lifecycle_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/ssoctl/ssoctl/internal/access"
	"github.com/ssoctl/ssoctl/internal/awsclient"
	"github.com/ssoctl/ssoctl/internal/emulator"
	"github.com/ssoctl/ssoctl/internal/emulatortest"
	"github.com/ssoctl/ssoctl/internal/inventory"
	"github.com/ssoctl/ssoctl/internal/lifecycle"
	"github.com/ssoctl/ssoctl/internal/orgconfig"
)

func sandboxDirectory(t *testing.T) *lifecycle.Directory {
	t.Helper()
	return directoryOn(t, emulatortest.Start(t, emulator.Options{}))
}

// directoryOn opens the Identity Center instance of a running sandbox.
func directoryOn(t *testing.T, sb *emulatortest.Sandbox) *lifecycle.Directory {
	t.Helper()
	set := must(awsclient.New(context.Background(), awsclient.Options{EndpointURL: sb.URL, Region: "us-east-1", Unlimited: true,
		Credentials: credentials.NewStaticCredentialsProvider(emulator.SandboxAccessKeyID, emulator.SandboxSecretAccessKey, "")}))
	return must(lifecycle.Open(context.Background(), lifecycle.Clients{SSOAdmin: set.SSOAdmin(), IdentityStore: set.IdentityStore(), Organizations: set.Organizations()}, ""))
}

// TestUserResolves: USER is a user name, an e-mail address or a user id.
func TestUserResolves(t *testing.T) {
	d := sandboxDirectory(t)
	ctx := context.Background()
	byName := must(d.User(ctx, "hana.roberts"))
	for _, ref := range []string{"hana.roberts@example.com", byName.Id} {
		u, err := d.User(ctx, ref)
		if err != nil || u.Id != byName.Id {
			t.Errorf("User(%q) = %+v, %v; want %s", ref, u, err, byName.Id)
		}
	}
	if _, err := d.User(ctx, "nobody"); !errors.Is(err, inventory.ErrNotFound) {
		t.Errorf("unknown user: %v; want ErrNotFound", err)
	}
}

// TestTargets: OUs expand to every account below them, suspended accounts
// are skipped, an account reached twice counts once.
func TestTargets(t *testing.T) {
	d := sandboxDirectory(t)
	ts, skipped, err := d.Targets(context.Background(), "ReadOnlyAccess", []string{"payments-prod", "legacy-app"}, []string{"Workloads/Prod"})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, x := range ts {
		names = append(names, x.Account.Name)
	}
	if got := strings.Join(names, " "); got != "payments-prod insights-prod" {
		t.Errorf("targets %s; want payments-prod insights-prod", got)
	}
	if len(skipped) != 1 || skipped[0].Account.Name != "legacy-app" {
		t.Errorf("skipped %+v; want legacy-app", skipped)
	}
	if _, _, err := d.Targets(context.Background(), "Nope", []string{"payments-prod"}, nil); err == nil {
		t.Error("unknown permission set accepted")
	}
}

// TestPlanCreateDomain: an address outside the domain is refused unless forced.
func TestPlanCreateDomain(t *testing.T) {
	d := sandboxDirectory(t)
	cfg := must(orgconfig.Load("../../examples/org.yaml"))
	_, err := d.PlanCreate(context.Background(), cfg, lifecycle.NewUser{UserName: "x.y", GivenName: "X", FamilyName: "Y", Email: "x.y@example.net"}, false)
	if !errors.Is(err, lifecycle.ErrOutsideDomain) {
		t.Errorf("got %v; want ErrOutsideDomain", err)
	}
	p, err := d.PlanCreate(context.Background(), cfg, lifecycle.NewUser{UserName: "x.y", GivenName: "X", FamilyName: "Y", Email: "x.y@example.net", Access: "Support"}, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Access.Plan.Changes) != 2 || p.User.DisplayName != "X Y" {
		t.Errorf("plan %+v; want ProductionSupport on the two Prod accounts", p)
	}
}

// TestHasAccessAnswersWhatAccessUserAnswers: the check before a legacy IAM
// user is retired asks what `access user` asks, by the same route: for
// every user of the small organization (direct access, access through a
// group, none, disabled), HasAccess is true exactly when the user is
// enabled and access.ForUser lists something.
func TestHasAccessAnswersWhatAccessUserAnswers(t *testing.T) {
	sb := emulatortest.Start(t, emulator.Options{})
	d := directoryOn(t, sb)
	ctx := context.Background()
	c := d.Clients()
	ic := inventory.Clients{SSOAdmin: c.SSOAdmin, IdentityStore: c.IdentityStore, Organizations: c.Organizations}
	users, err := d.Users(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var with, without int
	for _, u := range users {
		got, err := d.HasAccess(ctx, u)
		if err != nil {
			t.Fatalf("HasAccess(%s): %v", u.UserName, err)
		}
		ua, err := access.ForUser(ctx, ic, "", u.Id, nil)
		if err != nil {
			t.Fatalf("ForUser(%s): %v", u.UserName, err)
		}
		if want := u.Status != "DISABLED" && len(ua.Rows) > 0; got != want {
			t.Errorf("HasAccess(%s) = %v; want %v (status %s, %d rows of access user)", u.UserName, got, want, u.Status, len(ua.Rows))
		}
		if got {
			with++
		} else {
			without++
		}
	}
	if with == 0 || without == 0 {
		t.Errorf("%d users with access, %d without; want both kinds in the demo organization", with, without)
	}
}

// TestHasAccessDirectIsOneCall: a user with an assignment of their own is
// answered by one ListAccountAssignmentsForPrincipal, without listing their
// groups (most people retired from IAM have direct access); a user reached
// only through a group still is, after their groups are listed.
func TestHasAccessDirectIsOneCall(t *testing.T) {
	sb := emulatortest.Start(t, emulator.Options{})
	d := directoryOn(t, sb)
	ctx := context.Background()
	users, err := d.Users(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c := d.Clients()
	ic := inventory.Clients{SSOAdmin: c.SSOAdmin, IdentityStore: c.IdentityStore, Organizations: c.Organizations}
	const (
		byPrincipal = "sso-admin:ListAccountAssignmentsForPrincipal"
		memberships = "identitystore:ListGroupMembershipsForMember"
	)
	var direct, viaGroup int
	for _, u := range users {
		if u.Status == "DISABLED" {
			continue
		}
		own, err := access.ForUser(ctx, ic, "", u.Id, nil)
		if err != nil {
			t.Fatal(err)
		}
		isDirect := false
		for _, r := range own.Rows {
			if r.Path == "direct" {
				isDirect = true
			}
		}
		before := sb.Stats(t).Calls
		ok, err := d.HasAccess(ctx, u)
		if err != nil {
			t.Fatalf("HasAccess(%s): %v", u.UserName, err)
		}
		after := sb.Stats(t).Calls
		calls, groups := after[byPrincipal]-before[byPrincipal], after[memberships]-before[memberships]
		switch {
		case isDirect:
			direct++
			if !ok || calls != 1 || groups != 0 {
				t.Errorf("HasAccess(%s), direct access: %v with %d %s and %d %s; want true with 1 and 0", u.UserName, ok, calls, byPrincipal, groups, memberships)
			}
		case ok:
			viaGroup++
			if groups != 1 {
				t.Errorf("HasAccess(%s), access through a group: %d %s; want 1", u.UserName, groups, memberships)
			}
		}
	}
	if direct == 0 || viaGroup == 0 {
		t.Errorf("%d users with direct access, %d through a group only; want both in the demo organization", direct, viaGroup)
	}
}
