package audit_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/identitystore/document"
	istypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	satypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"
	gocmp "github.com/google/go-cmp/cmp"

	"github.com/ssoctl/ssoctl/internal/audit"
	"github.com/ssoctl/ssoctl/internal/emulator"
	"github.com/ssoctl/ssoctl/internal/emulatortest"
)

// baseOf is what a saved snapshot of this audit gives an incremental one.
func baseOf(rows []audit.Row, res *audit.Result) *audit.Base {
	b := audit.NewBase(*res.Directory)
	for _, r := range rows {
		b.AddRow(r)
	}
	return b
}

func update(t *testing.T, c audit.Clients, base *audit.Base, ch audit.Changes) ([]audit.Row, *audit.Result) {
	t.Helper()
	var rows []audit.Row
	res, err := audit.Update(ctx, c, base, ch, audit.Options{}, func(r audit.Row) error {
		rows = append(rows, r)
		return nil
	})
	if err != nil {
		t.Fatalf("audit.Update: %v", err)
	}
	return rows, res
}

// sameAudit fails unless two audits agree on everything a snapshot keeps.
func sameAudit(t *testing.T, gotRows []audit.Row, got *audit.Result, wantRows []audit.Row, want *audit.Result) {
	t.Helper()
	if d := gocmp.Diff(wantRows, gotRows); d != "" {
		t.Errorf("rows differ from a full audit's (-full +update):\n%s", d)
	}
	if d := gocmp.Diff(want.Findings, got.Findings); d != "" {
		t.Errorf("findings differ (-full +update):\n%s", d)
	}
	if d := gocmp.Diff(want.Directory, got.Directory); d != "" {
		t.Errorf("directory differs (-full +update):\n%s", d)
	}
	type counts struct{ Accounts, PermissionSets, Users, Groups, Provisioned, Assignments, Rows int }
	g := counts{got.Accounts, got.PermissionSets, got.Users, got.Groups, got.Provisioned, got.Assignments, got.Rows}
	w := counts{want.Accounts, want.PermissionSets, want.Users, want.Groups, want.Provisioned, want.Assignments, want.Rows}
	if g != w || !got.Complete {
		t.Errorf("got counts %+v (complete %v); want %+v, complete", g, got.Complete, w)
	}
}

func TestUpdateWithoutChangesIsTheBase(t *testing.T) {
	_, url := sandbox(t, emulator.Options{})
	c := clientsFor(sdkConfig(url))
	rows, res := run(t, c, audit.Options{})
	got, gres := update(t, c, baseOf(rows, res), audit.Changes{})
	sameAudit(t, got, gres, rows, res)
}

// TestUpdateEqualsFullAudit changes the organization through the SDK, as
// an administrator would, tells Update what changed (as activity.Place
// reads it from the events), and compares it with a fresh full audit.
func TestUpdateEqualsFullAudit(t *testing.T) {
	_, url := sandbox(t, emulator.Options{})
	cfg := sdkConfig(url)
	c := clientsFor(cfg)
	rows, res := run(t, c, audit.Options{})
	base := baseOf(rows, res)
	inst := res.Instance
	sa, ids := ssoadmin.NewFromConfig(cfg), identitystore.NewFromConfig(cfg)

	var ch audit.Changes
	// A user assigned directly where they were not.
	var direct, group audit.Row
	for _, r := range rows {
		if r.PrincipalType == "USER" && r.UserId != "" && direct.UserId == "" {
			direct = r
		}
		if r.PrincipalType == "GROUP" && r.UserId != "" && group.UserId == "" && r.AccountId != direct.AccountId {
			group = r
		}
	}
	var newcomer string
	for _, r := range rows {
		if r.UserId != "" && r.UserId != direct.UserId && !slices.ContainsFunc(rows, func(x audit.Row) bool {
			return x.AccountId == direct.AccountId && x.PermissionSetArn == direct.PermissionSetArn && x.UserId == r.UserId
		}) {
			newcomer = r.UserId
			break
		}
	}
	if direct.UserId == "" || group.UserId == "" || newcomer == "" {
		t.Fatal("the small organization has no direct and group rows to change")
	}
	assign := func(kind string, acct, ps, ptype, pid string) {
		in := &ssoadmin.CreateAccountAssignmentInput{InstanceArn: &inst.Arn, TargetId: &acct, TargetType: satypes.TargetTypeAwsAccount,
			PermissionSetArn: &ps, PrincipalType: satypes.PrincipalType(ptype), PrincipalId: &pid}
		var err error
		if kind == "create" {
			_, err = sa.CreateAccountAssignment(ctx, in)
		} else {
			_, err = sa.DeleteAccountAssignment(ctx, (*ssoadmin.DeleteAccountAssignmentInput)(in))
		}
		if err != nil {
			t.Fatalf("%s assignment: %v", kind, err)
		}
		ch.Pairs = append(ch.Pairs, audit.Pair{AccountId: acct, PermissionSetArn: ps})
		ch.ProvisionedTo = append(ch.ProvisionedTo, acct)
	}
	assign("create", direct.AccountId, direct.PermissionSetArn, "USER", newcomer)
	assign("delete", group.AccountId, group.PermissionSetArn, "GROUP", group.PrincipalId)

	// A member removed from a group, another added to it.
	var membership string
	for _, g := range res.Directory.AssignedGroups {
		if g.Id == group.PrincipalId {
			for _, m := range g.Members {
				if m.UserId == group.UserId {
					membership = m.MembershipId
				}
			}
		}
	}
	if _, err := ids.DeleteGroupMembership(ctx, &identitystore.DeleteGroupMembershipInput{IdentityStoreId: &inst.IdentityStoreId, MembershipId: &membership}); err != nil {
		t.Fatalf("DeleteGroupMembership: %v", err)
	}
	if _, err := ids.CreateGroupMembership(ctx, &identitystore.CreateGroupMembershipInput{IdentityStoreId: &inst.IdentityStoreId, GroupId: &group.PrincipalId,
		MemberId: &istypes.MemberIdMemberUserId{Value: direct.UserId}}); err != nil {
		t.Fatalf("CreateGroupMembership: %v", err)
	}
	ch.MembersOf = append(ch.MembersOf, group.PrincipalId)

	// A user renamed, a user deleted (with their memberships), one created.
	if _, err := ids.UpdateUser(ctx, &identitystore.UpdateUserInput{IdentityStoreId: &inst.IdentityStoreId, UserId: &newcomer,
		Operations: []istypes.AttributeOperation{{AttributePath: aws.String("displayName"), AttributeValue: document.NewLazyDocument("Renamed Person")}}}); err != nil {
		t.Fatalf("UpdateUser: %v", err)
	}
	ch.Users = append(ch.Users, newcomer)
	// The user deleted reaches access through a direct assignment and a
	// group, or through two groups.
	paths := map[string]map[string]bool{}
	for _, r := range rows {
		if r.UserId != "" && r.UserId != group.UserId && r.UserId != direct.UserId && r.UserId != newcomer {
			if paths[r.UserId] == nil {
				paths[r.UserId] = map[string]bool{}
			}
			paths[r.UserId][r.PrincipalId] = true
		}
	}
	leaver := ""
	for id, p := range paths {
		if len(p) >= 2 && (leaver == "" || id < leaver) {
			leaver = id
		}
	}
	if leaver == "" {
		t.Fatal("no user with two paths to delete")
	}
	if _, err := ids.DeleteUser(ctx, &identitystore.DeleteUserInput{IdentityStoreId: &inst.IdentityStoreId, UserId: &leaver}); err != nil {
		t.Fatalf("DeleteUser: %v", err)
	}
	ch.Users = append(ch.Users, leaver)
	ch.MembersOf = append(ch.MembersOf, base.Directory.MemberOf(leaver)...)
	if _, err := ids.CreateUser(ctx, &identitystore.CreateUserInput{IdentityStoreId: &inst.IdentityStoreId, UserName: aws.String("fresh.person"),
		DisplayName: aws.String("Fresh Person"), Name: &istypes.Name{GivenName: aws.String("Fresh"), FamilyName: aws.String("Person")}}); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}

	wantRows, want := run(t, c, audit.Options{})
	if gocmp.Equal(wantRows, rows) {
		t.Fatal("the changes changed no row")
	}
	got, gres := update(t, c, base, ch)
	sameAudit(t, got, gres, wantRows, want)
}

// TestUpdateAccountsThroughDirectory: accounts to read again are read
// through the org directory, which lists them in pages when that is
// cheaper than a DescribeAccount each (every account of the small
// organization: one ListAccounts page), and the result is still the full
// audit's.
func TestUpdateAccountsThroughDirectory(t *testing.T) {
	sb := emulatortest.Start(t, emulator.Options{})
	c := clientsFor(sdkConfig(sb.URL))
	rows, res := run(t, c, audit.Options{})
	var ch audit.Changes
	for _, a := range res.Directory.Accounts {
		ch.AccountIds = append(ch.AccountIds, a.Id)
	}
	if len(ch.AccountIds) < 3 {
		t.Fatalf("the small organization has %d accounts; want several", len(ch.AccountIds))
	}
	resp, err := http.Post(sb.URL+"/_sandbox/stats/reset", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	got, gres := update(t, c, baseOf(rows, res), ch)
	sameAudit(t, got, gres, rows, res)
	sb.WantCalls(t, map[string]int{"organizations:DescribeAccount": 0, "organizations:ListAccounts": 1})
}
