package views_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"

	"github.com/ssoctl/ssoctl/internal/access"
	"github.com/ssoctl/ssoctl/internal/assignments"
	"github.com/ssoctl/ssoctl/internal/assignments/cfn"
	"github.com/ssoctl/ssoctl/internal/assignments/execute"
	"github.com/ssoctl/ssoctl/internal/assignments/file"
	"github.com/ssoctl/ssoctl/internal/assignments/list"
	"github.com/ssoctl/ssoctl/internal/assignments/plan"
	"github.com/ssoctl/ssoctl/internal/audit"
	"github.com/ssoctl/ssoctl/internal/cli"
	"github.com/ssoctl/ssoctl/internal/cli/factory"
	"github.com/ssoctl/ssoctl/internal/cli/views"
	"github.com/ssoctl/ssoctl/internal/each"
	"github.com/ssoctl/ssoctl/internal/grants"
	"github.com/ssoctl/ssoctl/internal/groups"
	"github.com/ssoctl/ssoctl/internal/history"
	"github.com/ssoctl/ssoctl/internal/iac"
	"github.com/ssoctl/ssoctl/internal/inventory"
	"github.com/ssoctl/ssoctl/internal/iostreams"
	"github.com/ssoctl/ssoctl/internal/legacyiam"
	"github.com/ssoctl/ssoctl/internal/lifecycle"
	"github.com/ssoctl/ssoctl/internal/notify"
	"github.com/ssoctl/ssoctl/internal/permsets"
	"github.com/ssoctl/ssoctl/internal/profiles"
	"github.com/ssoctl/ssoctl/internal/render"
	"github.com/ssoctl/ssoctl/internal/report"
	"github.com/ssoctl/ssoctl/internal/sso"
)

// Sample values for the documents: a name with a control character (it
// must come out escaped for people, exact in JSON) and one that starts
// like a spreadsheet formula.
var (
	sampleCalls = views.CallStats{APICalls: 3, CallsByOperation: map[string]int{"sso-admin:ListInstances": 1, "identitystore:GetUserId": 2}, Seconds: 0.25}
	sampleUser  = inventory.User{Id: "9067a1b2c3-1111-2222-3333-444455556666", UserName: "jane.doe", DisplayName: "Jane\x1b Doe", Email: "jane.doe@example.com", Status: "ENABLED"}
	sampleChg   = execute.Change{Op: execute.Create, Assignment: assignments.Assignment{AccountId: "640775136188", PermissionSetArn: "arn:aws:sso:::permissionSet/ssoins-1/ps-1", PrincipalType: "USER", PrincipalId: sampleUser.Id},
		AccountName: "=payments-dev", PermissionSetName: "Developer", PrincipalName: "jane.doe"}
	sampleReport = execute.Report{InstanceArn: "arn:aws:sso:::instance/ssoins-1", Results: []execute.Result{{Change: sampleChg, Status: execute.Succeeded}}, Summary: execute.Summary{Created: 1}}
	sampleRow    = audit.Row{UserEmail: "jane.doe@example.com", UserName: "jane.doe", AccountId: "640775136188", AccountName: "=payments-dev", PermissionSet: "Developer", PrincipalType: "USER", PrincipalId: sampleUser.Id}
)

// sampleIacPlan is an Identity Center plan with one of each kind of item.
func sampleIacPlan() *iac.Plan {
	return &iac.Plan{Version: 1, Scope: iac.Scope{InstanceArn: "arn:aws:sso:::instance/ssoins-1"},
		Items: []iac.Item{
			{Kind: "permissionSet", Op: execute.Update, Name: "Dev\x1beloper", PermissionSet: []permsets.AttrChange{{Attribute: "SessionDuration", Old: "PT1H", New: "PT8H"}}},
			{Kind: "group", Op: execute.Create, Name: "=developers", Group: []groups.AttrChange{{Attribute: "Description", New: "Jane\x1b's team"}}},
			{Kind: "assignment", Op: execute.Create, Name: "jane.doe", Assignment: &sampleChg},
		},
		Changes:  []execute.Change{sampleChg},
		Warnings: []string{"the identity store is provisioned by SCIM (\x1b)"}}
}

// sampleGrant is a grant with a hostile principal name, permission set
// name and reason.
func sampleGrant() grants.Grant {
	return grants.Grant{ID: "abcdefghijkl", PermissionSet: "Dev\x1beloper", Clone: "ssoctl-jit-abcdefghijkl", CloneArn: "arn:aws:sso:::permissionSet/ssoins-1/ps-2",
		Principal: grants.Principal{Type: "USER", Id: sampleUser.Id, Name: "jane\x1b.doe"}, Accounts: []grants.Account{{Id: "640775136188", Name: "=payments-dev"}},
		Assigned: []string{"640775136188"}, Expires: time.Unix(1700007200, 0).UTC(), GrantedBy: "arn:aws:iam::489264326637:user/admin",
		Reason: "=cmd|' /C calc'!A0", Ticket: "OPS-1", State: grants.Active}
}

func grantView(format string, out, errOut io.Writer) *views.Grant {
	return views.NewGrant(format, out, errOut, false, func() views.CallStats { return sampleCalls })
}

// yes is a gate that always gives the go-ahead.
type yes struct{}

func (yes) Confirm(string) (bool, error) { return true, nil }

// write runs one write command's shape over a view with a plan that has
// something to do and an apply that succeeds.
func write[P, R any](v views.WriteView[P, R], plan P, res R) error {
	return views.Write(context.Background(), v, yes{}, views.Change[P, R]{Plan: plan, Todo: 1, Question: "Go?",
		Apply: func(context.Context) (R, error) { return res, nil }})
}

func userView(format string, out, errOut io.Writer) *views.User {
	return views.NewUser(format, out, errOut, false, func() views.CallStats { return sampleCalls })
}

// renderer renders one command's document in a format.
type renderer struct {
	render func(format string, out, errOut io.Writer) error
	// stats: the JSON document carries the one CallStats.
	stats bool
}

// renderers are every command that declares output formats, by command
// path, with a sample of its document.
func renderers() map[string]renderer {
	accessPlan := lifecycle.AccessPlan{User: sampleUser, Plan: execute.Plan{InstanceArn: "arn:aws:sso:::instance/ssoins-1", Changes: []execute.Change{sampleChg}}}
	iamUser := legacyiam.User{UserName: "jane.doe", Exists: true, AccessKeys: []legacyiam.AccessKey{{Id: "AKIAEXAMPLEEXAMPLE01", Status: "Active"}}}
	steps := legacyiam.Steps(iamUser)
	stepResults := []legacyiam.StepResult{{Step: steps[0], Done: true}}
	auditRender := func(format string, out, errOut io.Writer) error {
		if format == "html" {
			b := report.NewBuilder()
			if err := b.Row(sampleRow); err != nil {
				return err
			}
			return b.Write(out, report.Info{Generated: time.Unix(1700000000, 0), InstanceArn: "arn:aws:sso:::instance/ssoins-1"})
		}
		v, err := views.NewAudit(format, out, render.RowsOptions{}, views.AuditDefaultColumns)
		if err != nil {
			return err
		}
		if err := v.Row(sampleRow); err != nil {
			return err
		}
		return v.End(views.NewAuditReport(&audit.Result{Complete: true}, sampleCalls))
	}
	filePlan := &plan.Plan{Version: 1, Declared: 2, Live: 1, Unchanged: 1, Creates: 1, Changes: []execute.Change{sampleChg}, Warnings: []string{}}
	return map[string]renderer{
		"ssoctl audit":        {auditRender, true},
		"ssoctl history show": {auditRender, true},
		"ssoctl report html":  {auditRender, false},
		"ssoctl history diff": {func(format string, out, errOut io.Writer) error {
			v, err := views.NewHistoryDiff(format, out, render.RowsOptions{}, views.AuditDefaultColumns)
			if err != nil {
				return err
			}
			if err := v.Change(history.Change{Change: "GAINED", Row: sampleRow}); err != nil {
				return err
			}
			return v.End(views.HistoryDiffReport{})
		}, false},
		"ssoctl history list": {func(format string, out, errOut io.Writer) error {
			return views.HistoryList(format, out, errOut, render.RowsOptions{}, []history.Snapshot{{ID: 1, Created: time.Unix(1700000000, 0), InstanceArn: "arn:aws:sso:::instance/ssoins-1", Rows: 137, Complete: true}})
		}, false},
		"ssoctl history prune": {func(format string, out, errOut io.Writer) error {
			return views.HistoryPrune(format, out, 2, views.HistoryPruneDoc{Deleted: []int64{1, 2}})
		}, false},
		"ssoctl admin assignments": {func(format string, out, errOut io.Writer) error {
			v, err := views.NewAssignments(format, out, render.RowsOptions{})
			if err != nil {
				return err
			}
			if err := v.Row(list.Row{InstanceArn: "arn:aws:sso:::instance/ssoins-1", PrincipalType: "USER", PrincipalId: sampleUser.Id, PrincipalName: "jane.doe", TargetId: "640775136188", TargetName: "=payments-dev"}); err != nil {
				return err
			}
			return v.End(views.NewAssignmentsReport(&list.NamedResult{}, sampleCalls))
		}, true},
		"ssoctl admin lookup": {func(format string, out, errOut io.Writer) error {
			return views.Lookup(format, out, errOut, render.RowsOptions{}, views.LookupDoc{Results: []inventory.LookupResult{{Kind: "user", Name: "jane.doe", Value: sampleUser.Id, Found: true}}, Stats: sampleCalls})
		}, true},
		"ssoctl access user": {func(format string, out, errOut io.Writer) error {
			return views.NewUserAccess(format, out, errOut, render.RowsOptions{}).Show(&access.UserAccess{User: sampleUser, Rows: []access.UserRow{{AccountId: "640775136188", AccountName: "=payments-dev", PermissionSet: "Developer", Path: "direct"}}}, sampleCalls)
		}, true},
		"ssoctl access account": {func(format string, out, errOut io.Writer) error {
			return views.NewAccountAccess(format, out, errOut, render.RowsOptions{}).Show(&access.AccountAccess{Account: inventory.Account{Id: "640775136188", Name: "=payments-dev"}, Rows: []access.AccountRow{{PermissionSet: "Developer", PrincipalType: "USER", PrincipalId: sampleUser.Id, PrincipalName: "jane.doe", Path: "direct"}}}, sampleCalls)
		}, true},
		"ssoctl access unused": {func(format string, out, errOut io.Writer) error {
			v, err := views.NewUnused(format, out, render.RowsOptions{})
			if err != nil {
				return err
			}
			if err := v.Row(views.UnusedRow{UserName: "jane.doe", UserId: sampleUser.Id, AccountId: "640775136188", AccountName: "=payments-dev", PermissionSet: "Developer", Path: "direct", Unused: true}); err != nil {
				return err
			}
			return v.End(views.UnusedReport{Days: 90, Rows: 1, Unused: 1, Stats: sampleCalls})
		}, true},
		"ssoctl roles": {func(format string, out, errOut io.Writer) error {
			return views.Roles(format, out, errOut, render.RowsOptions{}, []sso.Role{{AccountID: "640775136188", AccountName: "=payments-dev", RoleName: "Developer"}}, nil)
		}, false},
		"ssoctl check": {func(format string, out, errOut io.Writer) error {
			return views.Check(format, out, views.CheckDoc{OK: true, Checks: []views.Finding{{Check: "config", OK: true, Detail: "profile dev"}, {Check: "role", Skipped: true, Detail: "no role", Fix: "give -a and -r"}}})
		}, false},
		"ssoctl each": {func(format string, out, errOut io.Writer) error {
			t := each.Target{AccountId: "640775136188", AccountName: "payments-dev", RoleName: "Developer"}
			v := views.NewEach(format, out, errOut, false, []each.Target{t})
			v.Result(each.Result{Target: t, Stdout: "hello\n", Seconds: 0.1})
			v.Summary(time.Second)
			return nil
		}, false},
		"ssoctl configure populate": {func(format string, out, errOut io.Writer) error {
			return views.Populate(format, out, errOut, views.PopulateDoc{Path: "/home/x/.aws/config", Changes: []profiles.Change{{Action: profiles.Added, Name: "payments-dev.Developer", AccountID: "640775136188", AccountName: "payments-dev", RoleName: "Developer"}}}, nil, nil)
		}, false},
		"ssoctl configure profile": {func(format string, out, errOut io.Writer) error {
			return views.Populate(format, out, errOut, views.PopulateDoc{Path: "/home/x/.aws/config", Changes: []profiles.Change{{Action: profiles.Added, Name: "dev", AccountID: "640775136188", AccountName: "payments-dev", RoleName: "Developer"}}}, nil, nil)
		}, false},
		"ssoctl assignments plan": {func(format string, out, errOut io.Writer) error {
			return views.AssignmentsPlan(format, out, errOut, views.PlanDoc{Plan: filePlan, Stats: sampleCalls})
		}, true},
		"ssoctl assignments apply": {func(format string, out, errOut io.Writer) error {
			return write(views.NewAssignmentsApply(format, out, errOut, func() views.CallStats { return sampleCalls }), filePlan, views.Applied{Report: sampleReport, Seconds: 1})
		}, true},
		"ssoctl assignments export": {func(format string, out, errOut io.Writer) error {
			ex := file.MakeExport([]assignments.Assignment{{AccountId: "640775136188", PermissionSetArn: "arn:aws:sso:::permissionSet/ssoins-1/ps-1", PrincipalType: "USER", PrincipalId: sampleUser.Id}},
				file.ExportNames{PermissionSets: map[string]string{"arn:aws:sso:::permissionSet/ssoins-1/ps-1": "Developer"}, Users: map[string]string{sampleUser.Id: "jane.doe"}, Groups: map[string]string{},
					Accounts: []inventory.Account{{Id: "640775136188", Name: "payments-dev"}}})
			b, err := views.AssignmentsExport(format, inventory.Instance{Arn: "arn:aws:sso:::instance/ssoins-1"}, ex, sampleCalls, time.Unix(1700000000, 0))
			if err != nil {
				return err
			}
			_, err = out.Write(b)
			return err
		}, true},
		"ssoctl assignments cfn": {func(format string, out, errOut io.Writer) error {
			return views.AssignmentsCfn(format, out, errOut, views.CfnDoc{Templates: []cfn.TemplateFile{{Input: "access.yaml", Path: "templates/access.yaml", Parent: true, Resources: 1, Assignments: 1}}, Assignments: 1, Stats: sampleCalls})
		}, true},
		"ssoctl iac plan": {func(format string, out, errOut io.Writer) error {
			return views.IacPlan(format, out, errOut, views.IacPlanDoc{Plan: sampleIacPlan(), Stats: sampleCalls})
		}, true},
		"ssoctl iac apply": {func(format string, out, errOut io.Writer) error {
			v := views.IacApply{JSON: format == "json", Out: out, ErrOut: errOut, Stats: func() views.CallStats { return sampleCalls }}
			return write(v, sampleIacPlan(), views.IacApplied{Report: sampleReport, Seconds: 1})
		}, true},
		"ssoctl iac export": {func(format string, out, errOut io.Writer) error {
			ex := &iac.Export{Instance: inventory.Instance{Arn: "arn:aws:sso:::instance/ssoins-1"},
				PermissionSets: []*permsets.Live{{Arn: "arn:aws:sso:::permissionSet/ssoins-1/ps-1", Desired: permsets.Desired{Name: "Developer", Description: "=cmd|' /C calc'!A0", SessionDuration: "PT8H",
					ManagedPolicies: []string{"arn:aws:iam::aws:policy/PowerUserAccess"}, InlinePolicy: `{"Version":"2012-10-17","Statement":[]}`}}},
				Groups:      []*groups.Live{{Id: "g-1", Name: "developers", Description: "Jane\x1b's team", Members: []groups.Member{{UserId: sampleUser.Id, UserName: "jane.doe"}}}},
				Assignments: []file.ExportGroup{},
				Counts:      iac.ExportCounts{PermissionSets: 1, Groups: 1, Members: 1}}
			b, err := views.IacExport(format, ex, sampleCalls, time.Unix(1700000000, 0))
			if err != nil {
				return err
			}
			_, err = out.Write(b)
			views.IacExportSummary(errOut, ex, sampleCalls)
			return err
		}, true},
		"ssoctl user assign": {func(format string, out, errOut io.Writer) error {
			return write(userView(format, out, errOut).Access("Assign"), accessPlan, sampleReport)
		}, true},
		"ssoctl user unassign": {func(format string, out, errOut io.Writer) error {
			p := accessPlan
			p.Plan.Changes = []execute.Change{sampleChg}
			p.Plan.Changes[0].Op = execute.Delete
			return write(userView(format, out, errOut).Access("Unassign"), p, sampleReport)
		}, true},
		"ssoctl user change-access": {func(format string, out, errOut io.Writer) error {
			return write(userView(format, out, errOut).Access("Change access from Developer to SeniorDeveloper"), accessPlan, sampleReport)
		}, true},
		"ssoctl user create": {func(format string, out, errOut io.Writer) error {
			cp := &lifecycle.CreatePlan{User: lifecycle.NewUser{UserName: "jane.doe", GivenName: "Jane", FamilyName: "Doe", Email: "jane.doe@example.com", DisplayName: "Jane Doe", Access: "Developer"}, Access: accessPlan}
			items := []views.CreateItem{{Plan: cp}, {Line: 3, Error: "people.csv:3: no family_name"}}
			done := append([]views.CreateItem(nil), items...)
			done[0].Result = &lifecycle.CreateResult{User: sampleUser, Created: true, Access: sampleReport}
			done[0].PasswordEmailURL = "https://us-east-1.console.aws.amazon.com/singlesignon/home"
			return write[[]views.CreateItem, views.Created](userView(format, out, errOut).Create(), items, views.Created{Users: done, Report: sampleReport})
		}, true},
		"ssoctl user offboard": {func(format string, out, errOut io.Writer) error {
			p := lifecycle.OffboardPlan{User: sampleUser, Assignments: execute.Plan{Changes: []execute.Change{sampleChg}}, Memberships: []lifecycle.Membership{{GroupName: "developers"}}}
			doc := views.OffboardDoc{UserFound: true, Plan: p, IAM: &views.MigrateDoc{Account: "489264326637", IAMUser: iamUser, Steps: steps}}
			return write[views.OffboardDoc, lifecycle.Offboarding](userView(format, out, errOut).Offboard(), doc,
				lifecycle.Offboarding{IAMResults: stepResults, Result: &lifecycle.OffboardResult{User: sampleUser, Assignments: sampleReport, UserRemoved: true}})
		}, true},
		"ssoctl user migrate-iam": {func(format string, out, errOut io.Writer) error {
			d := &views.MigrateDoc{Stage: "delete", Account: "489264326637", IAMUser: iamUser, Steps: steps}
			p := views.MigratePlan{Name: "jane.doe", Accounts: []*views.MigrateDoc{d}}
			v := userView(format, out, errOut).Migrate()
			return views.Write(context.Background(), v, yes{}, views.Change[views.MigratePlan, struct{}]{Plan: p, Todo: 1, Question: "Go?",
				Apply: func(context.Context) (struct{}, error) {
					v.Account(p, d)
					for _, r := range stepResults {
						v.Step(r)
					}
					d.Applied, d.Results = true, stepResults
					v.Retired(p, d)
					return struct{}{}, nil
				}})
		}, true},
		"ssoctl grant create": {func(format string, out, errOut io.Writer) error {
			g := sampleGrant()
			p := grants.CreatePlan{Grant: g, Now: g.Expires.Add(-2 * time.Hour), Clone: permsets.Desired{Name: g.Clone, SessionDuration: "PT2H"},
				Plan: execute.Plan{Changes: []execute.Change{sampleChg}}, Schedules: []grants.Schedule{{Name: g.Clone + "-640775136188", AccountId: "640775136188", At: g.Expires}},
				Warnings: []string{"skipped \x1blegacy"}}
			return write(grantView(format, out, errOut).Create(), p, grants.CreateResult{Grant: g, Report: sampleReport, SchedulesMade: 1})
		}, true},
		"ssoctl grant expire": {func(format string, out, errOut io.Writer) error {
			g := sampleGrant()
			p := grants.EndPlan{Now: g.Expires.Add(time.Minute), Grants: []grants.Grant{g}, Plan: execute.Plan{Changes: []execute.Change{sampleChg}}, Schedules: []string{g.Clone + "-640775136188"}}
			return write(grantView(format, out, errOut).End("expired"), p, grants.EndResult{Report: sampleReport, SchedulesDeleted: 1, Ended: []string{g.ID}})
		}, true},
		"ssoctl grant revoke": {func(format string, out, errOut io.Writer) error {
			g := sampleGrant()
			p := grants.EndPlan{Now: g.Expires.Add(-time.Hour), Grants: []grants.Grant{g}, Plan: execute.Plan{Changes: []execute.Change{sampleChg}}}
			return write(grantView(format, out, errOut).End("revoked"), p, grants.EndResult{Report: sampleReport, Ended: []string{g.ID}})
		}, true},
		"ssoctl grant list": {func(format string, out, errOut io.Writer) error {
			g := sampleGrant()
			ended := g
			ended.State = grants.Ended
			return grantView(format, out, errOut).List(grants.Live{Now: g.Expires.Add(-time.Hour), Grants: []grants.Grant{g}}, []grants.Grant{g, ended})
		}, true},
		"ssoctl user notify": {func(format string, out, errOut io.Writer) error {
			m := notify.Message{From: "aws-admin@example.com", To: []string{"jane.doe@example.com"}, Subject: "Your AWS access is ready", Text: "Hello Jane\n", HTML: "<p>Hello Jane</p>"}
			return write(userView(format, out, errOut).Notify(), views.NotifyPlan{Template: "welcome", Email: "jane.doe@example.com", Message: m}, views.Notified{MessageId: "m-1"})
		}, true},
	}
}

// TestEveryDocumentRendersInEveryFormat: every command that declares
// output formats (factory.SetOutputs) has a view here, and each renders
// its document in every format the command declares: JSON that parses
// (one document, or one per line for the line-streaming commands), with
// the one CallStats where the document carries it; CSV whose records all
// have the header's width, a cell that looks like a formula made safe;
// a table or text for people with no raw control character; YAML that
// parses; a whole HTML page.
func TestEveryDocumentRendersInEveryFormat(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	root := cli.NewRootCmd(factory.New(ios))
	all := renderers()
	seen := map[string]bool{}
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			walk(sub)
		}
		formats, _ := factory.Outputs(c)
		if len(formats) == 0 {
			return
		}
		path := c.CommandPath()
		seen[path] = true
		r, ok := all[path]
		if !ok {
			t.Errorf("%s declares %v but has no view in this test", path, formats)
			return
		}
		for _, format := range formats {
			t.Run(strings.ReplaceAll(strings.TrimPrefix(path, "ssoctl "), " ", "_")+"/"+format, func(t *testing.T) {
				var out, errOut bytes.Buffer
				if err := r.render(format, &out, &errOut); err != nil {
					t.Fatalf("render: %v", err)
				}
				checkFormat(t, format, out.Bytes(), r.stats)
			})
		}
	}
	walk(root)
	for path := range all {
		if !seen[path] {
			t.Errorf("%s has a view in this test but declares no output formats", path)
		}
	}
}

func checkFormat(t *testing.T, format string, out []byte, stats bool) {
	t.Helper()
	if len(bytes.TrimSpace(out)) == 0 {
		t.Fatalf("%s: nothing written", format)
	}
	switch format {
	case "json":
		docs := [][]byte{out}
		if !json.Valid(out) { // JSON lines
			docs = bytes.Split(bytes.TrimSpace(out), []byte("\n"))
		}
		for _, d := range docs {
			if !json.Valid(d) {
				t.Fatalf("json: not JSON:\n%s", out)
			}
		}
		if stats {
			var doc struct {
				Stats *views.CallStats `json:"stats"`
			}
			if err := json.Unmarshal(out, &doc); err != nil || doc.Stats == nil || doc.Stats.APICalls != sampleCalls.APICalls {
				t.Errorf("json: no stats member with the run's calls (%v):\n%s", err, out)
			}
		}
		if !bytes.Contains(out, []byte(`\u001b`)) && bytes.Contains(out, []byte("\x1b")) {
			t.Errorf("json: a raw control character:\n%q", out)
		}
	case "csv":
		recs, err := csv.NewReader(bytes.NewReader(out)).ReadAll()
		if err != nil {
			t.Fatalf("csv: %v\n%s", err, out)
		}
		if len(recs) < 2 {
			t.Fatalf("csv: %d records; want the header and a row:\n%s", len(recs), out)
		}
		if bytes.Contains(out, []byte(",=payments-dev")) {
			t.Errorf("csv: a cell that starts like a formula was written as it is:\n%s", out)
		}
	case "table", "text":
		if bytes.Contains(out, []byte("\x1b")) {
			t.Errorf("%s: a raw control character:\n%q", format, out)
		}
	case "yaml":
		var v any
		if err := yaml.Unmarshal(out, &v); err != nil || v == nil {
			t.Errorf("yaml: %v:\n%s", err, out)
		}
	case "html":
		if !bytes.HasPrefix(bytes.TrimSpace(out), []byte("<!DOCTYPE html>")) || !bytes.Contains(out, []byte("</html>")) {
			t.Errorf("html: not a whole page:\n%.200s", out)
		}
	default:
		t.Errorf("format %s: no check for it in this test", format)
	}
}

// TestFailedWriteLeavesNoDocument: when the apply of a write command
// fails, nothing is written on stdout in any format — no plan document, no
// partial result — and what was done before it stopped is said on stderr;
// the command's error is the apply's.
func TestFailedWriteLeavesNoDocument(t *testing.T) {
	stopped := errors.New("interrupted")
	failedReport := execute.Report{Results: []execute.Result{{Change: sampleChg, Status: execute.Succeeded}, {Change: sampleChg, Status: execute.NotStarted}}, Summary: execute.Summary{Created: 1, NotStarted: 1}}
	accessPlan := lifecycle.AccessPlan{User: sampleUser, Plan: execute.Plan{Changes: []execute.Change{sampleChg, sampleChg}}}
	filePlan := &plan.Plan{Version: 1, Creates: 2, Changes: []execute.Change{sampleChg, sampleChg}}
	for _, tc := range []struct {
		name string
		run  func(format string, out, errOut io.Writer) error
		said string
	}{
		{"user assign", func(format string, out, errOut io.Writer) error {
			return views.Write(context.Background(), userView(format, out, errOut).Access("Assign"), yes{}, views.Change[lifecycle.AccessPlan, execute.Report]{
				Plan: accessPlan, Todo: 2, Apply: func(context.Context) (execute.Report, error) { return failedReport, stopped }})
		}, "Assignments: 1 created, 0 deleted, 0 unchanged, 0 failed, 1 not started."},
		{"user offboard", func(format string, out, errOut io.Writer) error {
			return views.Write(context.Background(), userView(format, out, errOut).Offboard(), yes{}, views.Change[views.OffboardDoc, lifecycle.Offboarding]{
				Plan: views.OffboardDoc{UserFound: true, Plan: lifecycle.OffboardPlan{User: sampleUser}}, Todo: 1,
				Apply: func(context.Context) (lifecycle.Offboarding, error) {
					return lifecycle.Offboarding{Result: &lifecycle.OffboardResult{Assignments: failedReport}}, stopped
				}})
		}, "1 not started"},
		{"user create", func(format string, out, errOut io.Writer) error {
			items := []views.CreateItem{{Plan: &lifecycle.CreatePlan{User: lifecycle.NewUser{UserName: "jane.doe"}}}}
			return views.Write(context.Background(), userView(format, out, errOut).Create(), yes{}, views.Change[[]views.CreateItem, views.Created]{
				Plan: items, Todo: 1, Apply: func(context.Context) (views.Created, error) {
					return views.Created{Users: items, Report: failedReport}, stopped
				}})
		}, "1 not started"},
		{"assignments apply", func(format string, out, errOut io.Writer) error {
			return views.Write(context.Background(), views.NewAssignmentsApply(format, out, errOut, func() views.CallStats { return sampleCalls }), yes{}, views.Change[*plan.Plan, views.Applied]{
				Plan: filePlan, Todo: 2, Apply: func(context.Context) (views.Applied, error) { return views.Applied{Report: failedReport}, stopped }})
		}, "apply: 1 created, 0 deleted, 0 already as planned, 0 failed, 1 not started"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			err := tc.run("json", &out, &errOut)
			if !errors.Is(err, stopped) {
				t.Errorf("error %v; want the apply's", err)
			}
			if out.Len() != 0 {
				t.Errorf("stdout holds %q; want nothing", out.String())
			}
			if !strings.Contains(errOut.String(), tc.said) {
				t.Errorf("stderr %q; want it to say %q", errOut.String(), tc.said)
			}
		})
	}
}

// TestSummaryCountsInterrupted: a request sent and not waited for is
// counted as interrupted, as its result line says, not as not started.
func TestSummaryCountsInterrupted(t *testing.T) {
	rep := execute.Merge("", execute.Report{Results: []execute.Result{
		{Change: sampleChg, Status: execute.Succeeded},
		{Change: sampleChg, Status: execute.Interrupted},
		{Change: sampleChg, Status: execute.Interrupted},
		{Change: sampleChg, Status: execute.NotStarted},
	}})
	if rep.Summary.Interrupted != 2 || rep.Summary.NotStarted != 1 {
		t.Errorf("summary %+v; want 2 interrupted, 1 not started", rep.Summary)
	}
	stopped := errors.New("interrupted")
	filePlan := &plan.Plan{Version: 1, Creates: 4, Changes: []execute.Change{sampleChg, sampleChg, sampleChg, sampleChg}}
	for _, tc := range []struct {
		name  string
		write func(w io.Writer)
		want  string
	}{
		{"iac apply", func(w io.Writer) { views.IacApplySummary(w, rep) },
			"apply: 1 created, 0 updated, 0 re-provisioned, 0 deleted, 0 already as planned, 0 failed, 1 not started, 2 interrupted\n"},
		{"user verbs", func(w io.Writer) { views.ExecutionSummary(w, rep) },
			"Assignments: 1 created, 0 deleted, 0 unchanged, 0 failed, 1 not started, 2 interrupted.\n"},
		{"assignments apply", func(w io.Writer) {
			_ = views.Write(context.Background(), views.NewAssignmentsApply("json", io.Discard, w, func() views.CallStats { return sampleCalls }), yes{}, views.Change[*plan.Plan, views.Applied]{
				Plan: filePlan, Todo: 4, Apply: func(context.Context) (views.Applied, error) { return views.Applied{Report: rep}, stopped }})
		}, "apply: 1 created, 0 deleted, 0 already as planned, 0 failed, 1 not started, 2 interrupted\n"},
	} {
		var b bytes.Buffer
		tc.write(&b)
		if !strings.HasPrefix(b.String(), tc.want) && !strings.Contains(b.String(), "\n"+tc.want) {
			t.Errorf("%s: wrote %q; want the line %q", tc.name, b.String(), tc.want)
		}
		if got := strings.Count(b.String(), " — interrupted\n") + strings.Count(b.String(), "INTERRUPTED "); got != 2 {
			t.Errorf("%s: %d lines say interrupted; want 2:\n%s", tc.name, got, b.String())
		}
	}
}
