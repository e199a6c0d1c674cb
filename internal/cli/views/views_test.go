package views_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"
	gocmp "github.com/google/go-cmp/cmp"

	"github.com/ssoctl/ssoctl/internal/assignments/list"
	"github.com/ssoctl/ssoctl/internal/audit"
	"github.com/ssoctl/ssoctl/internal/cli/views"
	"github.com/ssoctl/ssoctl/internal/emulator"
	"github.com/ssoctl/ssoctl/internal/emulator/awsproto"
	"github.com/ssoctl/ssoctl/internal/inventory"
	"github.com/ssoctl/ssoctl/internal/peertest"
	"github.com/ssoctl/ssoctl/internal/render"
)

var ctx = context.Background()

// TestUnlistedGroupNeverLooksEmpty: on a sandbox whose identity store
// refuses to list one assigned group's members (AccessDeniedException, a
// fault that retrying does not cure), with an assigned group that has no
// members, the audit's CSV and table show the unlisted group's rows as
// "(members not listed)" and the empty group's with empty user columns;
// the report is incomplete, with the one cause; JSON keeps the exact
// (empty) values with the MEMBERS_UNKNOWN flag.
func TestUnlistedGroupNeverLooksEmpty(t *testing.T) {
	srv, err := emulator.New(emulator.Options{Org: "small"})
	if err != nil {
		t.Fatal(err)
	}
	var refused string // the group id whose members are refused
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.Header.Get("X-Amz-Target"), ".ListGroupMemberships") && refused != "" {
			body, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
			var in struct{ GroupId string }
			if json.Unmarshal(body, &in) == nil && in.GroupId == refused {
				awsproto.WriteJSONError(w, "req-1", &awsproto.Error{Status: 400, Code: "AccessDeniedException", Message: "not allowed to list this group"})
				return
			}
		}
		srv.ServeHTTP(w, r)
	}))
	defer hs.Close()
	cfg := peertest.SDKConfig(hs.URL, 3)
	c := audit.Clients{Clients: inventory.Clients{SSOAdmin: ssoadmin.NewFromConfig(cfg), IdentityStore: identitystore.NewFromConfig(cfg), Organizations: organizations.NewFromConfig(cfg)}}
	inst, err := inventory.FindInstance(ctx, c.SSOAdmin, "")
	if err != nil {
		t.Fatal(err)
	}
	groups, err := inventory.Groups(ctx, c.IdentityStore, inst)
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range groups {
		if g.Name == "developers" {
			refused = g.Id
		}
	}
	// An empty group, assigned to one account.
	ids := identitystore.NewFromConfig(cfg)
	empty, err := ids.CreateGroup(ctx, &identitystore.CreateGroupInput{IdentityStoreId: &inst.IdentityStoreId, DisplayName: aws.String("nobody-yet")})
	if err != nil {
		t.Fatal(err)
	}
	accounts, err := inventory.Accounts(ctx, c.Organizations)
	if err != nil {
		t.Fatal(err)
	}
	arns, err := inventory.PermissionSetArns(ctx, c.SSOAdmin, inst)
	if err != nil {
		t.Fatal(err)
	}
	sso := ssoadmin.NewFromConfig(cfg)
	out, err := sso.CreateAccountAssignment(ctx, &ssoadmin.CreateAccountAssignmentInput{InstanceArn: &inst.Arn, PermissionSetArn: &arns[0],
		PrincipalType: ssotypes.PrincipalTypeGroup, PrincipalId: empty.GroupId, TargetType: ssotypes.TargetTypeAwsAccount, TargetId: &accounts[0].Id})
	if err != nil {
		t.Fatal(err)
	}
	for st := out.AccountAssignmentCreationStatus; st.Status == ssotypes.StatusValuesInProgress; {
		d, err := sso.DescribeAccountAssignmentCreationStatus(ctx, &ssoadmin.DescribeAccountAssignmentCreationStatusInput{InstanceArn: &inst.Arn, AccountAssignmentCreationRequestId: st.RequestId})
		if err != nil {
			t.Fatal(err)
		}
		st = d.AccountAssignmentCreationStatus
	}

	var rows []audit.Row
	res, err := audit.Run(ctx, c, audit.Options{}, func(r audit.Row) error { rows = append(rows, r); return nil })
	if err != nil {
		t.Fatal(err)
	}
	if res.Complete || len(res.Errors) != 1 || len(res.Causes) != 1 {
		t.Fatalf("got complete %v, errors %v, causes %v; want incomplete with one error and its cause", res.Complete, res.Errors, res.Causes)
	}
	wantCause := list.Cause{Cause: "AccessDeniedException: not allowed to list this group", Items: 1, Examples: []string{"members of group developers"}}
	if diff := gocmp.Diff(wantCause, res.Causes[0]); diff != "" {
		t.Errorf("cause (-want +got):\n%s", diff)
	}

	// CSV and table: the user columns say which is which.
	cols := []string{"UserName", "UserEmail", "GroupName", "Flags"}
	for _, format := range []string{"csv", "table"} {
		var b bytes.Buffer
		v, err := views.NewAudit(format, &b, render.RowsOptions{}, cols)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			if err := v.Row(r); err != nil {
				t.Fatal(err)
			}
		}
		if err := v.End(views.NewAuditReport(res, views.CallStats{})); err != nil {
			t.Fatal(err)
		}
		var dev, nobody []string
		for _, line := range strings.Split(b.String(), "\n") {
			switch {
			case strings.Contains(line, ",developers,") || strings.Contains(line, " developers "):
				dev = append(dev, line)
			case strings.Contains(line, "nobody-yet"):
				nobody = append(nobody, line)
			}
		}
		if len(dev) == 0 || len(nobody) != 1 {
			t.Fatalf("%s: %d developers rows, %d nobody-yet rows; want some and one:\n%s", format, len(dev), len(nobody), b.String())
		}
		for _, line := range dev {
			if format == "csv" {
				rec, err := csv.NewReader(strings.NewReader(line)).Read()
				if err != nil {
					t.Fatal(err)
				}
				rec[3] = strings.TrimPrefix(rec[3], list.FlagSuspended+";") // legacy-app is suspended
				if want := []string{views.MembersNotListed, views.MembersNotListed, "developers", list.FlagMembersUnknown}; !gocmp.Equal(rec, want) {
					t.Errorf("csv: developers row %q; want %q", rec, want)
				}
			} else if strings.Count(line, views.MembersNotListed) != 2 {
				t.Errorf("table: developers row %q does not say %s in both user columns", line, views.MembersNotListed)
			}
		}
		if format == "csv" && nobody[0] != ",,nobody-yet," {
			t.Errorf("csv: the empty group's row is %q; want empty user columns", nobody[0])
		}
		if format == "table" && strings.Contains(nobody[0], views.MembersNotListed) {
			t.Errorf("table: the empty group's row %q reads as not listed", nobody[0])
		}
	}

	// JSON: exact values, and the flag.
	for _, r := range rows {
		if r.GroupName == "developers" && (r.UserName != "" || len(r.Flags) == 0 || r.Flags[len(r.Flags)-1] != list.FlagMembersUnknown) {
			t.Errorf("developers row %+v; want no user and the MEMBERS_UNKNOWN flag", r)
		}
	}
}

// TestCauseLine: one item reads as before; many read as one line with
// their count and the first few.
func TestCauseLine(t *testing.T) {
	for _, tc := range []struct {
		c    list.Cause
		want string
	}{
		{list.Cause{Cause: "AccessDeniedException: no", Items: 1, Examples: []string{"account a (1) permission set P"}},
			"error: account a (1) permission set P: AccessDeniedException: no"},
		{list.Cause{Cause: "cannot reach http://x: connection refused", Items: 40, Examples: []string{"a", "b\x1b", "c"}},
			`error: 40 items: cannot reach http://x: connection refused (a; b\x1b; c; and 37 more)`},
		{list.Cause{Cause: "x", Items: 2, Examples: []string{"a", "b"}}, "error: 2 items: x (a; b)"},
	} {
		if got := views.CauseLine(tc.c); got != tc.want {
			t.Errorf("CauseLine(%+v) = %q; want %q", tc.c, got, tc.want)
		}
	}
}

// TestReviewLinesAreEscaped: names from AWS in the production and cause
// lines on stderr have their control and bidirectional characters escaped,
// as in tables.
func TestReviewLinesAreEscaped(t *testing.T) {
	hostile := "ops\x1b[31m\u202eEVIL"
	var buf bytes.Buffer
	views.ProductionLines(&buf, audit.Production{Set: true, Accounts: 1, Reached: 1, Users: 1,
		Scope: []audit.ScopeEntry{{Kind: "ou", Name: "Root/" + hostile}},
		OUs: []audit.ProductionOU{{Path: "Root/" + hostile, Accounts: []audit.ProductionAccount{{AccountId: "111111111111", AccountName: hostile,
			Access: []audit.PrivilegedAccess{{UserName: hostile, PermissionSet: hostile, Path: "group:" + hostile}}}}}}})
	findings := []audit.Finding{{Kind: list.FlagDisabledUser, AccountName: hostile, AccountId: "111111111111", PermissionSet: hostile,
		PrincipalType: "USER", PrincipalId: "u-1", Name: hostile, Detail: "user " + hostile + " is DISABLED"}}
	views.CauseLines(&buf, []audit.Cause{{Kind: list.FlagDisabledUser, Subject: "user", Id: hostile, Name: hostile, Findings: 1, Rows: 1,
		Accounts: []audit.CauseAccount{{Id: "111111111111", Name: hostile}}, MostPrivileged: hostile, FindingIndexes: []int{0}}}, findings, true)
	out := buf.String()
	if strings.ContainsAny(out, "\x1b\u202e") {
		t.Errorf("control or bidi characters reached stderr:\n%q", out)
	}
	if want := "finding: DISABLED_USER user " + render.Escape(hostile) + ": 1 row (1 finding) in " + render.Escape(hostile) + "; most privileged " + render.Escape(hostile) + "\n"; !strings.Contains(out, want) {
		t.Errorf("got\n%s\nwant a line %q", out, want)
	}
	if n := strings.Count(out, "\n"); n != 4 {
		t.Errorf("%d lines; want 4 (production, its OU, the cause, its finding):\n%s", n, out)
	}
}
