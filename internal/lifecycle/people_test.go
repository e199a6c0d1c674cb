package lifecycle_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ssoctl/ssoctl/internal/assignments/execute"
	"github.com/ssoctl/ssoctl/internal/emulator"
	"github.com/ssoctl/ssoctl/internal/emulatortest"
	"github.com/ssoctl/ssoctl/internal/lifecycle"
	"github.com/ssoctl/ssoctl/internal/orgconfig"
)

// rowErrs is "line: error" (or "line: ok") per row.
func rowErrs(rows []lifecycle.Row) []string {
	var out []string
	for _, r := range rows {
		if r.Err != nil {
			out = append(out, fmt.Sprintf("%d: %v", r.Line, r.Err))
		} else {
			out = append(out, fmt.Sprintf("%d: ok %s", r.Line, r.User.UserName))
		}
	}
	return out
}

// TestReadPeople: a row that cannot be read is reported with its line and
// the others go on (a broken first field used to panic in FieldPos); a row
// with more fields than the header is refused; a header with an unknown
// or repeated column fails the whole file, naming it.
func TestReadPeople(t *testing.T) {
	for _, tc := range []struct {
		name, csv string
		want      []string
		wantErr   string
	}{
		{"broken first field", "username,given_name,family_name\n\"bad\"x,A,B\nok.one,O,One\n",
			[]string{`2: not valid CSV: extraneous or missing " in quoted-field`, "3: ok ok.one"}, ""},
		{"bare quote", "username,given_name,family_name\nba\"d,A,B\nok.two,O,Two\n",
			[]string{`2: not valid CSV: bare " in non-quoted-field`, "3: ok ok.two"}, ""},
		{"extra field", "username,given_name,family_name\nx.y,X,Y,Z\n",
			[]string{"2: 4 fields; the header has 3 (a comma too many, or a value that needs quotes)"}, ""},
		{"fewer fields are empty optional ones", "username,given_name,family_name,email,access\nx.y,X,Y\n",
			[]string{"2: ok x.y"}, ""},
		{"blank lines skipped, columns in any order", "\ufeffFamily_Name,username,given_name\n\nY,x.y,X\n",
			[]string{"3: ok x.y"}, ""},
		{"unknown column", "username,given_name,family_name,emial\n", nil,
			`people.csv:1: unknown column "emial"; closest: email (the columns are username,given_name,family_name,email,access,display_name)`},
		{"repeated column", "username,given_name,family_name,email,Email\n", nil, "people.csv:1: column email appears twice"},
		{"missing column", "username,given_name\n", nil, "people.csv:1: the CSV header needs the columns username,given_name,family_name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rows, err := lifecycle.ReadPeople("people.csv", strings.NewReader(tc.csv))
			if tc.wantErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tc.wantErr) {
					t.Fatalf("got %v; want %s", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, rowErrs(rows)); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
		})
	}
}

// TestCheckPeople: every row is checked without AWS — fields, domain,
// bundle names (with the closest), duplicate user names and addresses.
func TestCheckPeople(t *testing.T) {
	cfg := must(orgconfig.Load("../../examples/org.yaml"))
	rows := must(lifecycle.ReadPeople("p.csv", strings.NewReader(`username,given_name,family_name,email,access
ann.lee,Ann,Lee,,Developer
ANN.LEE,Ann,Again,,
bo.ng,Bo,Ng,ann.lee@example.com,
cy.do,Cy,Do,,Develper
di.an,Di,,,
ed.ox,Ed,Ox,ed@example.net,
`)))
	lifecycle.CheckPeople(cfg, rows, false)
	want := []string{
		"2: ok ann.lee",
		"3: user ANN.LEE is already on line 2",
		"4: user bo.ng: the e-mail address ann.lee@example.com is already on line 2",
		`5: access bundle "Develper" is not in ../../examples/org.yaml; closest: Developer`,
		"6: user di.an: given name and family name are required",
		"7: user ed.ox: ed@example.net is in the legacy domain example.net, not example.com (e-mail address outside the organization's domain; --force creates it anyway)",
	}
	if diff := cmp.Diff(want, rowErrs(rows)); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
}

// TestPlanCreatesReadsOnce: a file's users are found by one ListUsers
// listing (not a GetUserId per row), each bundle is resolved once, and the
// existing users' access is read per target when that is fewer listings.
func TestPlanCreatesReadsOnce(t *testing.T) {
	sb := emulatortest.Start(t, emulator.Options{})
	d := directoryOn(t, sb)
	cfg := must(orgconfig.Load("../../examples/org.yaml"))
	var csv strings.Builder
	csv.WriteString("username,given_name,family_name,access\n")
	for i := range 40 {
		fmt.Fprintf(&csv, "new.user%02d,New,User,Developer\n", i)
	}
	csv.WriteString("bob.smith,Bob,Smith,Developer\nalice.johnson,Alice,Johnson,Support\n")
	rows := must(lifecycle.ReadPeople("p.csv", strings.NewReader(csv.String())))
	plans := must(d.PlanCreates(context.Background(), cfg, rows, lifecycle.CreateOptions{}))
	for i, p := range plans {
		if p == nil {
			t.Fatalf("row %d: %v", rows[i].Line, rows[i].Err)
		}
	}
	if plans[40].Exists == "" || plans[41].Exists == "" || plans[0].Exists != "" {
		t.Errorf("existing: bob %q alice %q new %q; want the two ids and none", plans[40].Exists, plans[41].Exists, plans[0].Exists)
	}
	st := sb.Stats(t)
	for op, want := range map[string]int{"identitystore:ListUsers": 1, "identitystore:GetUserId": 0, "identitystore:DescribeUser": 0,
		"sso-admin:ListPermissionSets": 1, "organizations:ListAccounts": 1, "sso-admin:ListAccountAssignmentsForPrincipal": 2} {
		if got := st.Calls[op]; got != want {
			t.Errorf("%s: %d calls; want %d", op, got, want)
		}
	}
}

// TestApplyCreatesInBatches: 250 people go in three batches, the
// assignments of one batch made while the next is created; every user and
// assignment is there once, each result carries its own part of the report.
func TestApplyCreatesInBatches(t *testing.T) {
	sb := emulatortest.Start(t, emulator.Options{})
	d := directoryOn(t, sb)
	cfg := must(orgconfig.Parse("org.yaml", []byte(`start_url: https://acme.awsapps.com/start
sso_region: us-east-1
sso_session: acme
domain: example.com
access:
  One:
    - {permission_set: ReadOnlyAccess, accounts: [payments-dev]}
`)))
	var csv strings.Builder
	csv.WriteString("username,given_name,family_name,access\n")
	for i := range 250 {
		fmt.Fprintf(&csv, "batch.user%03d,Batch,User,One\n", i)
	}
	rows := must(lifecycle.ReadPeople("p.csv", strings.NewReader(csv.String())))
	plans := must(d.PlanCreates(context.Background(), cfg, rows, lifecycle.CreateOptions{}))
	var created []int
	results, rep, err := d.ApplyCreates(context.Background(), plans, execute.Options{}, func(_ int, _ lifecycle.CreateResult, done, total int) {
		if total != 250 {
			t.Errorf("progress total %d; want 250", total)
		}
		created = append(created, done)
	})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Summary.Created != 250 || !rep.OK() || len(created) != 250 {
		t.Fatalf("report %+v, %d users reported; want 250 assignments and users", rep.Summary, len(created))
	}
	for i, r := range results {
		if !r.Created || r.User.Id == "" || r.Access.Summary.Created != 1 || r.Access.Results[0].PrincipalId != r.User.Id {
			t.Fatalf("result %d: %+v; want the user and its one assignment", i, r)
		}
	}
	st := sb.Stats(t)
	if st.Calls["identitystore:CreateUser"] != 250 || st.Calls["sso-admin:CreateAccountAssignment"] != 250 {
		t.Errorf("calls %v; want 250 CreateUser and 250 CreateAccountAssignment", st.Calls)
	}
}
