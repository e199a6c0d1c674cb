package list_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	gocmp "github.com/google/go-cmp/cmp"

	"github.com/ssoctl/ssoctl/internal/assignments"
	"github.com/ssoctl/ssoctl/internal/assignments/list"
	"github.com/ssoctl/ssoctl/internal/emulator"
	"github.com/ssoctl/ssoctl/internal/emulatortest"
	"github.com/ssoctl/ssoctl/internal/inventory"
)

var ctx = context.Background()

// sandbox serves a demo organization over real HTTP and returns SDK
// clients for it.
func sandbox(t testing.TB, opts emulator.Options) (*emulator.Server, inventory.Clients) {
	t.Helper()
	sb := emulatortest.Start(t, opts)
	cfg := sb.Config()
	return sb.Server, inventory.Clients{SSOAdmin: ssoadmin.NewFromConfig(cfg), IdentityStore: identitystore.NewFromConfig(cfg), Organizations: organizations.NewFromConfig(cfg)}
}

func TestList(t *testing.T) {
	srv, c := sandbox(t, emulator.Options{})
	tests := []struct {
		name       string
		spec       list.FilterSpec
		wantRows   int
		wantMethod list.Method
		// wantCalls bounds the sso-admin assignment listings.
		wantPairCalls, wantPrincipalCalls int
	}{
		{"everything", list.FilterSpec{}, 47, list.ByPermissionSet, 41, 0},
		{"one account", list.FilterSpec{AccountNames: []string{"^payments-prod$"}}, 6, list.ByPermissionSet, 4, 0},
		{"OU recursive AND permission set", list.FilterSpec{OUs: []string{"Workloads"}, OURecursive: true, PermissionSets: []string{"^Developer$", "^SeniorDeveloper$"}}, 6, list.ByPermissionSet, 6, 0},
		{"two principals", list.FilterSpec{Users: []string{`^alice\.johnson$`}, Groups: []string{"platform-admins"}}, 12, list.ByPrincipal, 0, 2},
		{"many principals, one account", list.FilterSpec{Users: []string{"."}, AccountNames: []string{"^payments-prod$"}}, 1, list.ByPermissionSet, 4, 0},
		{"one principal, one account", list.FilterSpec{Groups: []string{"^security$"}, AccountNames: []string{"^network$"}}, 1, list.ByPrincipal, 0, 1},
		{"no such principal", list.FilterSpec{Users: []string{"^nobody$"}}, 0, list.ByPrincipal, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := srv.Stats().Calls
			var rows []list.Row
			res, err := list.ListNamed(ctx, c, list.NamedOptions{Filter: mustFilter(t, tt.spec)}, func(a list.Row) error {
				rows = append(rows, a)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != tt.wantRows || res.Rows != tt.wantRows || res.Method != tt.wantMethod {
				t.Errorf("got %d rows (%d counted) by %s; want %d by %s", len(rows), res.Rows, res.Method, tt.wantRows, tt.wantMethod)
			}
			after := srv.Stats().Calls
			pairs := after["sso-admin:ListAccountAssignments"] - before["sso-admin:ListAccountAssignments"]
			principals := after["sso-admin:ListAccountAssignmentsForPrincipal"] - before["sso-admin:ListAccountAssignmentsForPrincipal"]
			if pairs != tt.wantPairCalls || principals != tt.wantPrincipalCalls {
				t.Errorf("got %d ListAccountAssignments and %d ...ForPrincipal calls; want %d and %d", pairs, principals, tt.wantPairCalls, tt.wantPrincipalCalls)
			}
			if after["identitystore:DescribeUser"] != 0 || after["identitystore:DescribeGroup"] != 0 {
				t.Errorf("principal names were described one by one: %v", after)
			}
			for _, r := range rows {
				if r.InstanceArn != res.Instance.Arn || r.TargetType != "AWS_ACCOUNT" || r.TargetName == "" || r.PermissionSetName == "" || r.OU == "" {
					t.Errorf("incomplete row %+v", r)
				}
			}
		})
	}
}

func TestListPartial(t *testing.T) {
	_, c := sandbox(t, emulator.Options{DenyAccounts: []string{"payments-prod"}})
	var accounts []string
	res, err := list.ListNamed(ctx, c, list.NamedOptions{}, func(a list.Row) error {
		accounts = append(accounts, a.TargetName)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Errors) != 4 || len(accounts) != 41 {
		t.Errorf("got %d errors and %d rows; want 4 and 41", len(res.Errors), len(accounts))
	}
	for _, e := range res.Errors {
		if !strings.HasPrefix(e.Item, "account payments-prod (") || !strings.Contains(e.Error, "AccessDenied") {
			t.Errorf("unexpected error %+v", e)
		}
	}
	for _, a := range accounts {
		if a == "payments-prod" {
			t.Fatal("got a row of the denied account")
		}
	}

	// A failing writer stops the listing and is the error.
	boom := errors.New("disk full")
	n := 0
	_, err = list.ListNamed(ctx, c, list.NamedOptions{}, func(list.Row) error {
		n++
		return boom
	})
	if !errors.Is(err, boom) || n != 1 {
		t.Errorf("got %v after %d rows; want disk full after 1", err, n)
	}
}

// TestListSelectionAndCompleteness: nil selects all, empty selects
// nothing; the default method is complete, principal-first over every
// principal is not (it misses the small organization's one orphan), and
// the order is the same every run.
func TestListSelectionAndCompleteness(t *testing.T) {
	srv, c := sandbox(t, emulator.Options{})
	inst, err := inventory.FindInstance(ctx, c.SSOAdmin, "")
	if err != nil {
		t.Fatal(err)
	}
	listed := func(sel list.Selection, m list.Method) ([]assignments.Assignment, *list.Result) {
		t.Helper()
		var out []assignments.Assignment
		res, err := list.List(ctx, c, inst, sel, list.Options{Method: m}, func(a assignments.Assignment) error {
			out = append(out, a)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return out, res
	}
	all, res := listed(list.Selection{}, "")
	if res.Method != list.ByPermissionSet || !res.Complete || len(all) != 47 || res.Assignments != 47 {
		t.Errorf("default: %d assignments by %s, complete %v; want 47 by permission-set, complete", len(all), res.Method, res.Complete)
	}
	again, _ := listed(list.Selection{}, list.MethodAuto)
	if diff := gocmp.Diff(all, again); diff != "" {
		t.Errorf("a second run differs (-first +second):\n%s", diff)
	}
	byPrincipal, res := listed(list.Selection{}, list.ByPrincipal)
	if res.Complete || len(byPrincipal) != 46 {
		t.Errorf("principal-first over every principal: %d assignments, complete %v; want 46, not complete", len(byPrincipal), res.Complete)
	}
	before := srv.Stats().Calls["sso-admin:ListAccountAssignments"]
	none, res := listed(list.Selection{Accounts: []string{}}, "")
	if len(none) != 0 || res.Pairs != 0 || srv.Stats().Calls["sso-admin:ListAccountAssignments"] != before {
		t.Errorf("an empty account selection listed %d assignments in %d pairs; want nothing and no call", len(none), res.Pairs)
	}
	// Named principals (deleted ones included, by id) are complete either way.
	orphan := all[slices.IndexFunc(all, func(a assignments.Assignment) bool {
		return !slices.ContainsFunc(byPrincipal, func(b assignments.Assignment) bool { return a == b })
	})]
	sel := list.Selection{Principals: []list.Principal{{Type: orphan.PrincipalType, Id: orphan.PrincipalId}}}
	for _, m := range []list.Method{list.ByPrincipal, list.ByPermissionSet} {
		got, res := listed(sel, m)
		if !res.Complete || len(got) != 1 || got[0] != orphan {
			t.Errorf("%s for the deleted user %s: got %v, complete %v; want its one assignment", m, orphan.PrincipalId, got, res.Complete)
		}
	}
}
