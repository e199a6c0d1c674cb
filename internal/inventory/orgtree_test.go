package inventory_test

import (
	"context"
	"errors"
	"sort"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	"github.com/google/go-cmp/cmp"

	"github.com/ssoctl/ssoctl/internal/emulator"
	"github.com/ssoctl/ssoctl/internal/emulatortest"
	"github.com/ssoctl/ssoctl/internal/inventory"
)

var ctx = context.Background()

// sandbox serves the small demo organization over real HTTP and returns
// SDK clients for it (no retries: what the sandbox says is what we get).
func sandbox(t testing.TB) (*emulator.Server, inventory.Clients) {
	t.Helper()
	sb := emulatortest.Start(t, emulator.Options{})
	cfg := sb.Config()
	return sb.Server, inventory.Clients{
		SSOAdmin:      ssoadmin.NewFromConfig(cfg),
		IdentityStore: identitystore.NewFromConfig(cfg),
		Organizations: organizations.NewFromConfig(cfg),
	}
}

func names(accts []inventory.Account) []string {
	var out []string
	for _, a := range accts {
		out = append(out, a.Name)
	}
	sort.Strings(out)
	return out
}

func TestWalkOrg(t *testing.T) {
	srv, c := sandbox(t)
	tree, err := inventory.WalkOrg(ctx, c)
	if err != nil {
		t.Fatalf("WalkOrg: %v", err)
	}
	if got := len(tree.AllAccounts()); got != 12 {
		t.Errorf("got %d accounts; want 12", got)
	}
	var paths []string
	for _, o := range tree.OUs {
		paths = append(paths, o.Path)
	}
	sort.Strings(paths)
	want := []string{"Root", "Root/Infrastructure", "Root/Sandbox", "Root/Security", "Root/Suspended",
		"Root/Workloads", "Root/Workloads/Dev", "Root/Workloads/Prod", "Root/Workloads/Staging"}
	if diff := cmp.Diff(want, paths); diff != "" {
		t.Errorf("OU paths (-want +got):\n%s", diff)
	}

	work, err := tree.FindOU("Workloads")
	if err != nil {
		t.Fatalf("FindOU: %v", err)
	}
	if got := tree.AccountsUnder(work.Id, false); len(got) != 0 {
		t.Errorf("got %v directly under Workloads; want none", names(got))
	}
	wantNested := []string{"insights-dev", "insights-prod", "payments-dev", "payments-prod", "payments-staging"}
	if diff := cmp.Diff(wantNested, names(tree.AccountsUnder(work.Id, true))); diff != "" {
		t.Errorf("accounts under Workloads, recursively (-want +got):\n%s", diff)
	}
	root, _ := tree.FindOU("Root")
	if got := len(tree.AccountsUnder(root.Id, true)); got != 12 {
		t.Errorf("got %d accounts under the root; want 12", got)
	}
	for _, a := range tree.AllAccounts() {
		if a.Name == "payments-prod" {
			ou, ok := tree.OUOf(a.Id)
			if !ok || ou.Path != "Root/Workloads/Prod" {
				t.Errorf("got OU %+v, %v for payments-prod; want Root/Workloads/Prod", ou, ok)
			}
		}
		if a.Name == "legacy-app" && a.Status != "SUSPENDED" {
			t.Errorf("got legacy-app status %q; want SUSPENDED", a.Status)
		}
	}

	// One ListRoots, then one list of OUs and one of accounts per parent
	// (the root and its 8 OUs).
	calls := srv.Stats().Calls
	for op, n := range map[string]int{"organizations:ListRoots": 1, "organizations:ListOrganizationalUnitsForParent": 9, "organizations:ListAccountsForParent": 9} {
		if calls[op] != n {
			t.Errorf("got %d %s calls; want %d", calls[op], op, n)
		}
	}
}

func TestFindOU(t *testing.T) {
	// Two OUs named Prod, under different parents.
	tree := &inventory.OrgTree{OUs: map[string]inventory.OU{
		"r-abcd":          {Id: "r-abcd", Name: "Root", Path: "Root"},
		"ou-abcd-1111111": {Id: "ou-abcd-1111111", Name: "Workloads", ParentId: "r-abcd", Path: "Root/Workloads"},
		"ou-abcd-2222222": {Id: "ou-abcd-2222222", Name: "Prod", ParentId: "ou-abcd-1111111", Path: "Root/Workloads/Prod"},
		"ou-abcd-3333333": {Id: "ou-abcd-3333333", Name: "Data", ParentId: "r-abcd", Path: "Root/Data"},
		"ou-abcd-4444444": {Id: "ou-abcd-4444444", Name: "Prod", ParentId: "ou-abcd-3333333", Path: "Root/Data/Prod"},
	}}
	tests := []struct {
		ref     string
		want    string // OU id
		wantErr string
	}{
		{ref: "ou-abcd-2222222", want: "ou-abcd-2222222"},
		{ref: "r-abcd", want: "r-abcd"},
		{ref: "Root/Workloads/Prod", want: "ou-abcd-2222222"},
		{ref: "Workloads/Prod", want: "ou-abcd-2222222"},
		{ref: "/data/prod/", want: "ou-abcd-4444444"},
		{ref: "Workloads", want: "ou-abcd-1111111"},
		{ref: "root", want: "r-abcd"},
		{ref: "Prod", wantErr: `OU "Prod" is ambiguous: Root/Data/Prod (ou-abcd-4444444), Root/Workloads/Prod (ou-abcd-2222222); give its id or path`},
		{ref: "Nowhere", wantErr: `OU "Nowhere" not found`},
	}
	for _, tt := range tests {
		t.Run(tt.ref, func(t *testing.T) {
			got, err := tree.FindOU(tt.ref)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("got %+v, %v; want error %q", got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got.Id != tt.want {
				t.Fatalf("got %+v, %v; want %s", got, err, tt.want)
			}
		})
	}
	if _, err := tree.FindOU("Nowhere"); !errors.Is(err, inventory.ErrNotFound) {
		t.Errorf("got %v; want it to wrap ErrNotFound", err)
	}
}
