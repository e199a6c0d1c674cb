package access_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ssoctl/ssoctl/internal/peertest"

	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	"github.com/google/go-cmp/cmp"

	"github.com/ssoctl/ssoctl/internal/access"
	"github.com/ssoctl/ssoctl/internal/emulator"
	"github.com/ssoctl/ssoctl/internal/emulatortest"
	"github.com/ssoctl/ssoctl/internal/inventory"
)

var ctx = context.Background()

// sandbox serves the small demo organization over real HTTP and returns
// SDK clients for it.
func sandbox(t testing.TB, opts emulator.Options) (*emulator.Server, inventory.Clients) {
	t.Helper()
	sb := emulatortest.Start(t, opts)
	return sb.Server, clientsAt(sb.URL)
}

// clientsAt are real SDK clients for an endpoint.
func clientsAt(url string) inventory.Clients {
	cfg := peertest.SDKConfig(url, 1)
	return inventory.Clients{SSOAdmin: ssoadmin.NewFromConfig(cfg), IdentityStore: identitystore.NewFromConfig(cfg), Organizations: organizations.NewFromConfig(cfg)}
}

func total(srv *emulator.Server) int {
	n := 0
	for _, v := range srv.Stats().Calls {
		n += v
	}
	return n
}

func TestForUser(t *testing.T) {
	srv, c := sandbox(t, emulator.Options{})
	got, err := access.ForUser(ctx, c, "", "alice.johnson", nil)
	if err != nil {
		t.Fatal(err)
	}
	type row struct{ Account, PS, Path, Flags string }
	var rows []row
	for _, r := range got.Rows {
		rows = append(rows, row{r.AccountName, r.PermissionSet, r.Path, strings.Join(r.Flags, ";")})
	}
	want := []row{{"acme-management", "AdministratorAccess", "direct", ""}}
	for _, a := range []string{"acme-management", "developer-sandbox", "insights-dev", "insights-prod", "log-archive", "network",
		"payments-dev", "payments-prod", "payments-staging", "security-audit", "shared-services"} {
		want = append(want, row{a, "AdministratorAccess", "group:platform-admins", ""})
	}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	if got.User.UserName != "alice.johnson" || len(got.Groups) != 1 || got.Groups[0].Name != "platform-admins" {
		t.Errorf("got user %+v in groups %+v; want alice.johnson in platform-admins", got.User, got.Groups)
	}
	// ListInstances, GetUserId, DescribeUser, ListGroupMembershipsForMember,
	// 2 × ForPrincipal, DescribeGroup, ListAccounts, DescribePermissionSet.
	if n := total(srv); n != 9 {
		t.Errorf("got %d calls (%v); want 9", n, srv.Stats().Calls)
	}

	// Flags: a suspended account, a disabled user; by e-mail and by id.
	bob, err := access.ForUser(ctx, c, "", "bob.smith@example.com", nil)
	if err != nil {
		t.Fatal(err)
	}
	var legacy []string
	for _, r := range bob.Rows {
		if r.AccountName == "legacy-app" {
			legacy = append(legacy, r.Path+" "+strings.Join(r.Flags, ";"))
		}
	}
	if diff := cmp.Diff([]string{"group:developers SUSPENDED_ACCOUNT"}, legacy); diff != "" {
		t.Errorf("bob in legacy-app (-want +got):\n%s", diff)
	}
	mallory, err := access.ForUser(ctx, c, "", "mallory.evans", nil)
	if err != nil {
		t.Fatal(err)
	}
	byID, err := access.ForUser(ctx, c, "", mallory.User.Id, nil)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(mallory, byID); diff != "" {
		t.Errorf("by id differs from by name (-name +id):\n%s", diff)
	}
	if len(mallory.Rows) != 1 || strings.Join(mallory.Rows[0].Flags, ";") != "DISABLED_USER" {
		t.Errorf("got %+v; want one DISABLED_USER row", mallory.Rows)
	}

	_, err = access.ForUser(ctx, c, "", "nobody", nil)
	if !errors.Is(err, inventory.ErrNotFound) || err.Error() != `user "nobody" not found` {
		t.Errorf("got %v; want user \"nobody\" not found", err)
	}
}

func TestForAccount(t *testing.T) {
	srv, c := sandbox(t, emulator.Options{})
	got, err := access.ForAccount(ctx, c, "", "payments-prod", nil)
	if err != nil {
		t.Fatal(err)
	}
	type row struct{ PS, Type, Principal, User, Path, Flags string }
	var rows []row
	for _, r := range got.Rows {
		rows = append(rows, row{r.PermissionSet, r.PrincipalType, r.PrincipalName, r.UserName, r.Path, strings.Join(r.Flags, ";")})
	}
	want := []row{
		{"AdministratorAccess", "GROUP", "platform-admins", "alice.johnson", "group:platform-admins", ""},
		{"AdministratorAccess", "GROUP", "platform-admins", "trent.king", "group:platform-admins", ""},
		{"ProductionSupport", "USER", "mallory.evans", "mallory.evans", "direct", "DISABLED_USER"},
		{"ProductionSupport", "GROUP", "production-support", "dave.miller", "group:production-support", ""},
		{"ProductionSupport", "GROUP", "production-support", "rupert.thompson", "group:production-support", ""},
		{"ProductionSupport", "GROUP", "production-support", "sybil.young", "group:production-support", ""},
		{"ReadOnlyAccess", "USER", "", "", "direct", "ORPHANED_PRINCIPAL"},
		{"ReadOnlyAccess", "GROUP", "security", "victor.wright", "group:security", ""},
		{"ReadOnlyAccess", "GROUP", "security", "walter.lopez", "group:security", ""},
		{"SeniorDeveloper", "GROUP", "senior-developers", "carol.garcia", "group:senior-developers", ""},
		{"SeniorDeveloper", "GROUP", "senior-developers", "dave.miller", "group:senior-developers", ""},
		{"SeniorDeveloper", "GROUP", "senior-developers", "ivan.anderson", "group:senior-developers", ""},
	}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	if n := total(srv); n != 17 {
		t.Errorf("got %d calls (%v); want 17", n, srv.Stats().Calls)
	}

	byID, err := access.ForAccount(ctx, c, "", got.Account.Id, nil)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(got, byID); diff != "" {
		t.Errorf("by id differs from by name (-name +id):\n%s", diff)
	}

	// A group with no members gives one row with no user.
	sec, err := access.ForAccount(ctx, c, "", "security-audit", nil)
	if err != nil {
		t.Fatal(err)
	}
	var empty []string
	for _, r := range sec.Rows {
		if r.UserName == "" {
			empty = append(empty, r.PermissionSet+" "+r.Path)
		}
	}
	if diff := cmp.Diff([]string{"ReadOnlyAccess group:auditors"}, empty); diff != "" {
		t.Errorf("rows without a user (-want +got):\n%s", diff)
	}

	for _, ref := range []string{"nowhere", "999999999999"} {
		if _, err := access.ForAccount(ctx, c, "", ref, nil); !errors.Is(err, inventory.ErrNotFound) {
			t.Errorf("ForAccount(%s) = %v; want not found", ref, err)
		}
	}
}

// A group path says when the user joined the group: the membership's
// CreatedAt, as the identity store answers it; direct access has none.
func TestForUserMemberSince(t *testing.T) {
	srv, c := sandbox(t, emulator.Options{})
	st := srv.Snapshot()
	var bob, developers string
	for _, u := range st.Users {
		if u.UserName == "bob.smith" {
			bob = u.UserId
		}
	}
	for _, g := range st.Groups {
		if g.DisplayName == "developers" {
			developers = g.GroupId
		}
	}
	var want time.Time
	for _, m := range st.Memberships {
		if m.UserId == bob && m.GroupId == developers {
			want = m.Created
		}
	}
	if want.IsZero() {
		t.Fatal("bob.smith is not in developers in the small org, or the membership has no CreatedAt")
	}
	got, err := access.ForUser(ctx, c, "", "bob.smith", nil)
	if err != nil {
		t.Fatal(err)
	}
	groupRows := 0
	for _, r := range got.Rows {
		switch r.Path {
		case "group:developers":
			groupRows++
			if !r.MemberSince.Equal(want) {
				t.Errorf("%s %s via developers: member since %v; want %v", r.AccountName, r.PermissionSet, r.MemberSince, want)
			}
		case access.PathDirect:
			if !r.MemberSince.IsZero() {
				t.Errorf("%s %s direct: member since %v; want none", r.AccountName, r.PermissionSet, r.MemberSince)
			}
		}
	}
	if groupRows == 0 {
		t.Error("no row through developers")
	}
}
