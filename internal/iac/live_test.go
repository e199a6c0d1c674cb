package iac_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"

	"github.com/ssoctl/ssoctl/internal/assignments"
	"github.com/ssoctl/ssoctl/internal/assignments/list"
	"github.com/ssoctl/ssoctl/internal/emulator"
	"github.com/ssoctl/ssoctl/internal/emulatortest"
	"github.com/ssoctl/ssoctl/internal/iac"
	"github.com/ssoctl/ssoctl/internal/inventory"
)

// sandbox is the small demo organization over real HTTP, its iac clients,
// and a directory without a name cache (so it describes every set).
func sandbox(t *testing.T) (*emulatortest.Sandbox, iac.Clients, *inventory.Directory) {
	t.Helper()
	sb := emulatortest.Start(t, emulator.Options{Org: "small"})
	cfg := sb.Config()
	c := iac.Clients{SSOAdmin: ssoadmin.NewFromConfig(cfg), IdentityStore: identitystore.NewFromConfig(cfg), Organizations: organizations.NewFromConfig(cfg)}
	return sb, c, inventory.NewDirectory(c.Inventory(), inventory.DirectoryOptions{})
}

// plan parses, resolves and plans one file against the sandbox.
func makePlan(t *testing.T, c iac.Clients, dir *inventory.Directory, yaml string, prune bool) *iac.Plan {
	t.Helper()
	ctx := context.Background()
	f, err := iac.Parse("ic.yaml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	s, err := iac.Merge([]*iac.File{f})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	r, err := iac.Resolve(ctx, s, dir)
	if err != nil {
		t.Fatal(err)
	}
	p, _, err := iac.Make(ctx, c, dir, r, prune, nil)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestExportDescribesEachPermissionSetOnce: the directory's listing
// describes every set for its name; reading the attributes reuses that
// description instead of describing the set again.
func TestExportDescribesEachPermissionSetOnce(t *testing.T) {
	sb, c, dir := sandbox(t)
	ex, err := iac.ReadExport(context.Background(), c, dir, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	n := len(ex.PermissionSets)
	if n == 0 {
		t.Fatal("the small organization exported no permission set")
	}
	sb.WantCalls(t, map[string]int{"sso-admin:DescribePermissionSet": n, "sso-admin:GetInlinePolicyForPermissionSet": n})
	for _, ps := range ex.PermissionSets {
		if ps.Created.IsZero() || ps.SessionDuration == "" {
			t.Errorf("%s: created %v, session duration %q; want both from the directory's description", ps.Name, ps.Created, ps.SessionDuration)
		}
	}
}

// TestPlanDescribesEachPermissionSetOnce: a plan of every live set, as
// exported, describes each once and finds nothing to change.
func TestPlanDescribesEachPermissionSetOnce(t *testing.T) {
	sb, c, dir := sandbox(t)
	ex, err := iac.ReadExport(context.Background(), c, inventory.NewDirectory(c.Inventory(), inventory.DirectoryOptions{}), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	ex.Groups, ex.Assignments = nil, nil
	b, err := ex.Encode("# the sets")
	if err != nil {
		t.Fatal(err)
	}
	before := sb.Stats(t).Calls["sso-admin:DescribePermissionSet"]
	p := makePlan(t, c, dir, string(b), false)
	if p.HasChanges() {
		t.Errorf("the exported sets planned with changes: %+v", p.Changes)
	}
	if got := sb.Stats(t).Calls["sso-admin:DescribePermissionSet"] - before; got != len(ex.PermissionSets) {
		t.Errorf("the plan made %d DescribePermissionSet calls for %d sets; want one each", got, len(ex.PermissionSets))
	}
}

// TestGroupsListedThroughTheDirectory: the export's groups and a pruning
// plan's SCIM check come from the directory's one listing of the groups
// (issue 24: every package asks the directory), so a listing read once is
// not read again.
func TestGroupsListedThroughTheDirectory(t *testing.T) {
	sb, c, dir := sandbox(t)
	ctx := context.Background()
	ex, err := iac.ReadExport(ctx, c, dir, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	all, err := dir.Groups(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != len(ex.Groups) || len(all) == 0 {
		t.Fatalf("the directory has %d groups, the export %d; want the same, some", len(all), len(ex.Groups))
	}
	described := 0
	for _, g := range ex.Groups {
		if g.Description != "" {
			described++
		}
	}
	if described == 0 {
		t.Error("no exported group has its description")
	}
	sb.WantCalls(t, map[string]int{"identitystore:ListGroups": 1, "identitystore:ListUsers": 1})

	// A plan pruning groups lists them once, and its SCIM check reads
	// that listing.
	sb2, c2, dir2 := sandbox(t)
	makePlan(t, c2, dir2, "Groups:\n  developers:\n    Members: []\n", true)
	sb2.WantCalls(t, map[string]int{"identitystore:ListGroups": 1})
}

// TestPlanWithoutPruneReadsTheDeclaredPrincipals: without prune a plan
// only asks which declared assignments exist, so it reads its principals'
// assignments (one ListAccountAssignmentsForPrincipal page for a group)
// instead of every (account, permission set) pair's, and finds the same.
func TestPlanWithoutPruneReadsTheDeclaredPrincipals(t *testing.T) {
	sb, c, dir := sandbox(t)
	ctx := context.Background()
	inst, err := dir.Instance(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	// The group with the most assignments, and every set and account
	// it has one in.
	gs, err := dir.Groups(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var group inventory.Group
	var live []assignments.Assignment
	for _, g := range gs {
		as, err := list.All(ctx, c.Inventory(), inst, list.Selection{Principals: []list.Principal{{Type: list.Group, Id: g.Id}}}, list.ByPrincipal)
		if err != nil {
			t.Fatal(err)
		}
		if len(as) > len(live) {
			group, live = g, as
		}
	}
	sets, accts := map[string]bool{}, map[string]bool{}
	for _, a := range live {
		sets[a.PermissionSetArn], accts[a.AccountId] = true, true
	}
	if len(sets) < 2 || len(accts) < 2 {
		t.Fatalf("group %s has %d assignments in %d sets and %d accounts; want a few of each", group.Name, len(live), len(sets), len(accts))
	}
	names, err := dir.PermissionSetNames(ctx, keys(sets))
	if err != nil {
		t.Fatal(err)
	}
	var setNames []string
	for _, n := range names {
		setNames = append(setNames, n)
	}
	sort.Strings(setNames)
	yaml := fmt.Sprintf("Assignments:\n  - Groups: [%q]\n    PermissionSets: [%s]\n    Accounts: [%s]\n",
		group.Name, strings.Join(setNames, ", "), strings.Join(keys(accts), ", "))
	before := sb.Stats(t).Calls
	p := makePlan(t, c, dir, yaml, false)
	after := sb.Stats(t).Calls
	declared := len(sets) * len(accts)
	if p.Counts.AssignmentsDeclared != declared || p.Counts.AssignmentsUnchanged != len(live) || p.Counts.AssignmentsCreate != declared-len(live) {
		t.Errorf("plan counts %+v; want %d declared, %d unchanged, %d to create", p.Counts, declared, len(live), declared-len(live))
	}
	for op, want := range map[string]int{"sso-admin:ListAccountAssignments": 0, "sso-admin:ListAccountAssignmentsForPrincipal": 1} {
		if got := after[op] - before[op]; got != want {
			t.Errorf("the plan made %d %s calls; want %d", got, op, want)
		}
	}
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
