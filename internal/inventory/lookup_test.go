package inventory_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ssoctl/ssoctl/internal/inventory"
)

func TestNameCacheFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cache", "ssoctl")
	path := filepath.Join(dir, "permission-set-names.json")
	const inst, ps = "arn:aws:sso:::instance/ssoins-1", "arn:aws:sso:::permissionSet/ssoins-1/ps-1"

	c := inventory.OpenNameCache(path) // no file yet: empty
	if n, ok := c.Name(inst, ps); ok {
		t.Fatalf("got %q from an empty cache", n)
	}
	c.Put(inst, ps, "Developer")
	if err := c.Save(); err != nil {
		t.Fatalf("Save: %v", err)
	}
	for p, want := range map[string]os.FileMode{dir: 0o700, path: 0o600} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != want {
			t.Errorf("got mode %v for %s; want %v", got, p, want)
		}
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*.tmp")); len(left) > 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
	if n, ok := inventory.OpenNameCache(path).Name(inst, ps); !ok || n != "Developer" {
		t.Errorf("got %q, %v after reopening; want Developer", n, ok)
	}

	// Corrupt or foreign content is an empty cache, rewritten on Save.
	for _, content := range []string{"{ not json", `{"version": 99, "instances": {}}`, ""} {
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		c := inventory.OpenNameCache(path)
		if n, ok := c.Name(inst, ps); ok {
			t.Errorf("got %q from cache file %q; want nothing", n, content)
		}
		if err := c.Save(); err != nil {
			t.Fatalf("Save over %q: %v", content, err)
		}
		b, _ := os.ReadFile(path)
		if !strings.Contains(string(b), `"version": 1`) {
			t.Errorf("cache file %q was not rewritten: %s", content, b)
		}
	}

	// Memory only: Save does nothing.
	mem := inventory.OpenNameCache("")
	mem.Put(inst, ps, "Developer")
	if err := mem.Save(); err != nil {
		t.Errorf("Save of a memory cache: %v", err)
	}
	var nilCache *inventory.NameCache // a nil cache is no cache
	if _, ok := nilCache.Name(inst, ps); ok {
		t.Error("a nil cache found a name")
	}
}

func TestNamedPermissionSetsUsesCache(t *testing.T) {
	srv, c := sandbox(t)
	inst, err := inventory.FindInstance(ctx, c.SSOAdmin, "")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "names.json")
	cache := inventory.OpenNameCache(path)
	cache.Put(inst.Arn, "arn:aws:sso:::permissionSet/ssoins-gone/ps-0000000000000000", "Deleted")

	describes := func() int { return srv.Stats().Calls["sso-admin:DescribePermissionSet"] }
	sets, err := inventory.NamedPermissionSets(ctx, c, inst, cache)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, ps := range sets {
		got = append(got, ps.Name)
	}
	want := []string{"AdministratorAccess", "Developer", "FinanceAdmin", "InsightsDeveloper", "JuniorDeveloper",
		"ProductionSupport", "ReadOnlyAccess", "SecurityAdmin", "SeniorDeveloper"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("names (-want +got):\n%s", diff)
	}
	if n := describes(); n != 9 {
		t.Errorf("got %d DescribePermissionSet calls on a cold cache; want 9", n)
	}
	if _, ok := cache.Name(inst.Arn, "arn:aws:sso:::permissionSet/ssoins-gone/ps-0000000000000000"); ok {
		t.Error("the entry of a deleted permission set was kept")
	}
	if err := cache.Save(); err != nil {
		t.Fatal(err)
	}

	// A new process: the file answers every name.
	again, err := inventory.NamedPermissionSets(ctx, c, inst, inventory.OpenNameCache(path))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(sets, again); diff != "" {
		t.Errorf("second listing differs (-first +second):\n%s", diff)
	}
	if n := describes(); n != 9 {
		t.Errorf("got %d DescribePermissionSet calls after a warm listing; want still 9", n)
	}

	// Names of a few sets: only the unknown ones are described.
	names, err := inventory.PermissionSetNames(ctx, c, inst, nil, []string{sets[0].Arn, sets[0].Arn, sets[1].Arn})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]string{sets[0].Arn: "AdministratorAccess", sets[1].Arn: "Developer"}, names); diff != "" {
		t.Errorf("names (-want +got):\n%s", diff)
	}
	if n := describes(); n != 11 {
		t.Errorf("got %d DescribePermissionSet calls; want 11 (two sets described once each)", n)
	}
}

func TestLookup(t *testing.T) {
	_, c := sandbox(t)
	mask := func(rs []inventory.LookupResult) []inventory.LookupResult {
		for i := range rs {
			if rs[i].Found {
				rs[i].Value = "found"
			}
		}
		return rs
	}
	found := func(kind, name string) inventory.LookupResult {
		return inventory.LookupResult{Kind: kind, Name: name, Value: "found", Found: true}
	}
	missing := func(kind, name string) inventory.LookupResult {
		return inventory.LookupResult{Kind: kind, Name: name, Value: inventory.NotFound}
	}
	tests := []struct {
		kind  string
		names []string
		want  []inventory.LookupResult
	}{
		{inventory.KindUser, []string{"bob.smith", "nobody", "carol.garcia@example.com"},
			[]inventory.LookupResult{found("user", "bob.smith"), missing("user", "nobody"), found("user", "carol.garcia@example.com")}},
		{inventory.KindGroup, []string{"auditors", "nobody"},
			[]inventory.LookupResult{found("group", "auditors"), missing("group", "nobody")}},
		{inventory.KindAccount, []string{"legacy-app", "123456789012"},
			[]inventory.LookupResult{found("account", "legacy-app"), missing("account", "123456789012")}},
		{inventory.KindPermissionSet, []string{"FinanceAdmin", "ps-0000000000000000", "financeadmin"},
			[]inventory.LookupResult{found("permission-set", "FinanceAdmin"), missing("permission-set", "ps-0000000000000000"), missing("permission-set", "financeadmin")}},
		{inventory.KindInstance, nil, []inventory.LookupResult{found("instance", "sandbox")}},
	}
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			got, err := inventory.Lookup(ctx, c, tt.kind, tt.names, "", nil)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, mask(got)); diff != "" {
				t.Errorf("Lookup(%s, %v) (-want +got):\n%s", tt.kind, tt.names, diff)
			}
		})
	}

	// :all, sorted by name; then the reverse lookups by ARN and ps- id.
	all, err := inventory.Lookup(ctx, c, inventory.KindPermissionSet, []string{inventory.All}, "", nil)
	if err != nil || len(all) != 9 || all[0].Name != "AdministratorAccess" {
		t.Fatalf("got %v, %v; want 9 sets from AdministratorAccess", all, err)
	}
	arn := all[0].Value
	psID := arn[strings.LastIndex(arn, "/")+1:]
	insPS := arn[strings.Index(arn, "ssoins-"):]
	rev, err := inventory.Lookup(ctx, c, inventory.KindPermissionSet, []string{arn, psID, insPS}, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rev {
		if r.Name != "AdministratorAccess" || r.Value != arn {
			t.Errorf("got %+v; want AdministratorAccess %s", r, arn)
		}
	}
	accounts, err := inventory.Lookup(ctx, c, inventory.KindAccount, []string{inventory.All}, "", nil)
	if err != nil || len(accounts) != 12 || accounts[0].Name != "acme-management" {
		t.Fatalf("got %v, %v; want 12 accounts from acme-management", accounts, err)
	}
	byID, err := inventory.Lookup(ctx, c, inventory.KindAccount, []string{accounts[0].Value}, "", nil)
	if err != nil || len(byID) != 1 || byID[0].Name != "acme-management" {
		t.Errorf("got %v, %v; want acme-management by id", byID, err)
	}

	if _, err := inventory.Lookup(ctx, c, inventory.KindUser, []string{"bob.smith"}, "arn:aws:sso:::instance/ssoins-0000000000000000", nil); err == nil {
		t.Error("got no error for an unknown --instance-arn")
	}
}

func TestFindAccount(t *testing.T) {
	_, c := sandbox(t)
	byName, err := inventory.FindAccount(ctx, c.Organizations, "payments-prod")
	if err != nil || byName.Name != "payments-prod" || byName.Status != "ACTIVE" {
		t.Fatalf("got %+v, %v; want payments-prod", byName, err)
	}
	byID, err := inventory.FindAccount(ctx, c.Organizations, byName.Id)
	if diff := cmp.Diff(byName, byID); err != nil || diff != "" {
		t.Errorf("by id: %v (-name +id):\n%s", err, diff)
	}
	for _, ref := range []string{"nowhere", "999999999999"} {
		_, err := inventory.FindAccount(ctx, c.Organizations, ref)
		if !errors.Is(err, inventory.ErrNotFound) || err.Error() != `account "`+ref+`" not found` {
			t.Errorf("got %v; want account %q not found", err, ref)
		}
	}
}

func TestByIDHelpers(t *testing.T) {
	srv, c := sandbox(t)
	inst, err := inventory.FindInstance(ctx, c.SSOAdmin, "")
	if err != nil {
		t.Fatal(err)
	}
	st := srv.Snapshot()
	var userIDs []string
	for _, u := range st.Users[:5] {
		userIDs = append(userIDs, u.UserId)
	}
	const gone = "0000000000-00000000-0000-0000-0000-000000000000"
	users, err := inventory.UsersByID(ctx, c, inst, append(userIDs, gone))
	if err != nil {
		t.Fatal(err)
	}
	if len(users) != 5 {
		t.Errorf("got %d users; want 5 (the deleted one absent)", len(users))
	}
	for _, id := range userIDs {
		if users[id].UserName == "" {
			t.Errorf("user %s has no name", id)
		}
	}
	// 38 users fit one page: one ListUsers and no Describe.
	if calls := srv.Stats().Calls; calls["identitystore:ListUsers"] != 1 || calls["identitystore:DescribeUser"] != 0 {
		t.Errorf("got %d ListUsers and %d DescribeUser calls; want 1 and 0", calls["identitystore:ListUsers"], calls["identitystore:DescribeUser"])
	}
	// One group: one Describe.
	groups, err := inventory.GroupsByID(ctx, c, inst, []string{st.Groups[0].GroupId})
	if err != nil || groups[st.Groups[0].GroupId].Name != st.Groups[0].DisplayName {
		t.Errorf("got %v, %v; want %s", groups, err, st.Groups[0].DisplayName)
	}
	if calls := srv.Stats().Calls; calls["identitystore:ListGroups"] != 0 || calls["identitystore:DescribeGroup"] != 1 {
		t.Errorf("got %d ListGroups and %d DescribeGroup calls; want 0 and 1", calls["identitystore:ListGroups"], calls["identitystore:DescribeGroup"])
	}
	accounts, err := inventory.AccountsByID(ctx, c, []string{st.Accounts[0].Id, st.Accounts[1].Id, "999999999999"})
	if err != nil || len(accounts) != 2 {
		t.Errorf("got %v, %v; want two accounts", accounts, err)
	}
}
