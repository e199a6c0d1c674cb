package assignments_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"

	"github.com/ssoctl/ssoctl/internal/assignments"
	"github.com/ssoctl/ssoctl/internal/emulator"
	"github.com/ssoctl/ssoctl/internal/inventory"
	"github.com/ssoctl/ssoctl/internal/peertest"
)

var ctx = context.Background()

// sandbox serves a demo organization over real HTTP and returns SDK
// clients for it.
func sandbox(t testing.TB, opts emulator.Options) (*emulator.Server, inventory.Clients) {
	t.Helper()
	srv, err := emulator.New(opts)
	if err != nil {
		t.Fatalf("emulator.New: %v", err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	srv.SetBaseURL(ts.URL)
	cfg := peertest.SDKConfig(ts.URL, 1)
	return srv, inventory.Clients{SSOAdmin: ssoadmin.NewFromConfig(cfg), IdentityStore: identitystore.NewFromConfig(cfg), Organizations: organizations.NewFromConfig(cfg)}
}

func TestList(t *testing.T) {
	srv, c := sandbox(t, emulator.Options{})
	tests := []struct {
		name       string
		spec       assignments.FilterSpec
		wantRows   int
		wantMethod assignments.Method
		// wantCalls bounds the sso-admin assignment listings.
		wantPairCalls, wantPrincipalCalls int
	}{
		{"everything", assignments.FilterSpec{}, 47, assignments.ByPermissionSet, 41, 0},
		{"one account", assignments.FilterSpec{AccountNames: []string{"^payments-prod$"}}, 6, assignments.ByPermissionSet, 4, 0},
		{"OU recursive AND permission set", assignments.FilterSpec{OUs: []string{"Workloads"}, OURecursive: true, PermissionSets: []string{"^Developer$", "^SeniorDeveloper$"}}, 6, assignments.ByPermissionSet, 6, 0},
		{"two principals", assignments.FilterSpec{Users: []string{`^alice\.johnson$`}, Groups: []string{"platform-admins"}}, 12, assignments.ByPrincipal, 0, 2},
		{"many principals, one account", assignments.FilterSpec{Users: []string{"."}, AccountNames: []string{"^payments-prod$"}}, 1, assignments.ByPermissionSet, 4, 0},
		{"one principal, one account", assignments.FilterSpec{Groups: []string{"^security$"}, AccountNames: []string{"^network$"}}, 1, assignments.ByPrincipal, 0, 1},
		{"no such principal", assignments.FilterSpec{Users: []string{"^nobody$"}}, 0, assignments.ByPrincipal, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := srv.Stats().Calls
			var rows []assignments.Row
			res, err := assignments.ListNamed(ctx, c, assignments.NamedOptions{Filter: mustFilter(t, tt.spec)}, func(a assignments.Row) error {
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
	res, err := assignments.ListNamed(ctx, c, assignments.NamedOptions{}, func(a assignments.Row) error {
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
	_, err = assignments.ListNamed(ctx, c, assignments.NamedOptions{}, func(assignments.Row) error {
		n++
		return boom
	})
	if !errors.Is(err, boom) || n != 1 {
		t.Errorf("got %v after %d rows; want disk full after 1", err, n)
	}
}
