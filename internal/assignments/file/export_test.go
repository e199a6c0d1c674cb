package file_test

import (
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ssoctl/ssoctl/internal/assignments"
	"github.com/ssoctl/ssoctl/internal/assignments/file"
	"github.com/ssoctl/ssoctl/internal/inventory"
)

// TestMakeExport: the groups cover exactly the live assignments (orphans
// aside), names where unique, the management account and shared names by
// id; and the file parses back.
func TestMakeExport(t *testing.T) {
	names := file.ExportNames{
		Accounts: []inventory.Account{
			{Id: "111111111111", Name: "mgmt"}, {Id: "222222222222", Name: "dev"},
			{Id: "333333333333", Name: "prod"}, {Id: "444444444444", Name: "prod"},
		},
		ManagementAccount: "111111111111",
		PermissionSets:    map[string]string{"arn:a": "Admin", "arn:r": "ReadOnly"},
		Users:             map[string]string{"u1": "ann", "u2": "bo"},
		Groups:            map[string]string{"g1": "ops", "g2": "devs"},
	}
	as := func(ps, typ, id, acct string) assignments.Assignment {
		return assignments.Assignment{AccountId: acct, PermissionSetArn: ps, PrincipalType: typ, PrincipalId: id}
	}
	live := []assignments.Assignment{
		as("arn:a", "GROUP", "g1", "111111111111"), as("arn:a", "GROUP", "g1", "222222222222"), as("arn:a", "GROUP", "g1", "333333333333"),
		as("arn:r", "GROUP", "g1", "111111111111"), as("arn:r", "GROUP", "g1", "222222222222"), as("arn:r", "GROUP", "g1", "333333333333"),
		as("arn:r", "USER", "u1", "222222222222"), as("arn:r", "GROUP", "g2", "222222222222"), as("arn:r", "GROUP", "g2", "444444444444"),
		as("arn:r", "USER", "gone", "222222222222"),
	}
	ex := file.MakeExport(live, names)
	if ex.Assignments != 9 || ex.Orphans != 1 {
		t.Errorf("got %d assignments, %d orphans; want 9, 1", ex.Assignments, ex.Orphans)
	}
	var got []string
	for _, g := range ex.Groups {
		for _, ps := range g.PermissionSets {
			for _, p := range append(prefixed("group:", g.Groups), prefixed("user:", g.Users)...) {
				for _, a := range g.Accounts {
					got = append(got, ps+" "+p+" "+a)
				}
			}
		}
	}
	sort.Strings(got)
	want := []string{
		"Admin group:ops 111111111111", "Admin group:ops 333333333333", "Admin group:ops dev",
		"ReadOnly group:devs 444444444444", "ReadOnly group:devs dev",
		"ReadOnly group:ops 111111111111", "ReadOnly group:ops 333333333333", "ReadOnly group:ops dev",
		"ReadOnly user:ann dev",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("the groups cover differently (-want +got):\n%s", diff)
	}
	// ops has Admin and ReadOnly on the same accounts: one group.
	if len(ex.Groups) != 3 {
		t.Errorf("got %d groups; want 3: %+v", len(ex.Groups), ex.Groups)
	}
	b, err := ex.Encode("exported\nfor a test")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(b), "# exported\n# for a test\n- ") {
		t.Errorf("got %q", b)
	}
	f, err := file.Parse("x.yaml", b)
	if err != nil {
		t.Fatalf("the export does not parse back: %v\n%s", err, b)
	}
	if len(f.Groups) != 3 || f.Groups[0].Accounts[0].Text != "111111111111" {
		t.Errorf("parsed back: %+v", f.Groups[0])
	}
}

func prefixed(p string, s []string) []string {
	out := make([]string, len(s))
	for i, x := range s {
		out[i] = p + x
	}
	return out
}
