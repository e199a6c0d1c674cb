package views

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/ssoctl/ssoctl/internal/assignments/cfn"
	"github.com/ssoctl/ssoctl/internal/assignments/execute"
	"github.com/ssoctl/ssoctl/internal/assignments/file"
	"github.com/ssoctl/ssoctl/internal/assignments/list"
	"github.com/ssoctl/ssoctl/internal/assignments/plan"
	"github.com/ssoctl/ssoctl/internal/inventory"
	"github.com/ssoctl/ssoctl/internal/render"
)

// Assignments as code: `ssoctl assignments plan`, `apply`, `export` and
// `cfn`.

// FileProblems writes on w (stderr) the problems found in assignments
// files, one a line, when there are several (one is the command's error
// line by itself).
func FileProblems(w io.Writer, problems []string) {
	for _, p := range problems {
		fmt.Fprintln(w, "error: "+p)
	}
}

// FileErrors turns the problems found in declared files into the
// command's error: one problem is the error line itself; several are
// written on w (stderr), one a line, and the error counts them, naming
// where they are (e.g. "the assignments file"). Any other error is
// returned as it is.
func FileErrors(w io.Writer, err error, where string) error {
	es := file.ErrorList(err)
	switch {
	case len(es) == 0:
		return err
	case len(es) == 1:
		return errors.New(es[0].Error())
	}
	problems := make([]string, len(es))
	for i, x := range es {
		problems[i] = x.Error()
	}
	FileProblems(w, problems)
	return fmt.Errorf("%d problems in %s (listed above); fix them and run again", len(es), where)
}

// Warnings writes warnings on w (stderr), one a line, escaped.
func Warnings(w io.Writer, warnings []string) {
	for _, x := range warnings {
		fmt.Fprintln(w, "warning: "+render.Escape(x))
	}
}

// PlanDoc is the document of `ssoctl assignments plan`.
type PlanDoc struct {
	Plan  *plan.Plan `json:"plan"`
	Saved string     `json:"saved,omitempty"`
	Stats CallStats  `json:"stats"`
}

// AssignmentsPlan renders `ssoctl assignments plan`: the plan for people
// (on stderr when stdout holds the saved plan: saved "-"), or its
// document; then the summary line on errOut.
func AssignmentsPlan(format string, out, errOut io.Writer, doc PlanDoc) error {
	p := doc.Plan
	if format == "json" {
		if err := render.JSON(out, doc); err != nil {
			return err
		}
	} else {
		shown := out
		if doc.Saved == "-" { // stdout holds the saved plan
			shown = errOut
		}
		writePlan(shown, p)
		if doc.Saved != "" && doc.Saved != "-" && p.HasChanges() {
			fmt.Fprintf(out, "Saved to %s: carry it out with ssoctl assignments apply %s\n", doc.Saved, doc.Saved)
		}
	}
	s := doc.Stats
	fmt.Fprintf(errOut, "plan: %s declared, %s live in scope, %d to create, %d to delete; %s, %d throttled retries, %.1fs\n",
		plural(p.Declared, "assignment"), plural(p.Live, "assignment"), p.Creates, p.Deletes, plural(s.APICalls, "API call"), s.ThrottledRetries, s.Seconds)
	return nil
}

// ApplyDoc is the document of `ssoctl assignments apply`.
type ApplyDoc struct {
	Plan    *plan.Plan      `json:"plan"`
	Applied bool            `json:"applied"`
	Result  *execute.Report `json:"result,omitempty"`
	// ExecutionSeconds is the time the executor took (the plan aside).
	ExecutionSeconds float64   `json:"executionSeconds,omitempty"`
	Stats            CallStats `json:"stats"`
}

// Applied is what `assignments apply` did: the executor's report and
// how long it took.
type Applied struct {
	Report  execute.Report
	Seconds float64
}

// NewAssignmentsApply returns the view of `ssoctl assignments apply`
// for format table or json; stats gives the run's calls.
func NewAssignmentsApply(format string, out, errOut io.Writer, stats func() CallStats) WriteView[*plan.Plan, Applied] {
	return applyView{format == "json", out, errOut, stats}
}

type applyView struct {
	json        bool
	out, errOut io.Writer
	stats       func() CallStats
}

func (v applyView) Plan(p *plan.Plan) error {
	if !v.json {
		writePlan(v.out, p)
	}
	return nil
}

// NothingToChange adds nothing: the plan says "No changes".
func (v applyView) NothingToChange(*plan.Plan) {}

func (v applyView) Done(p *plan.Plan, r *Applied) error {
	if v.json {
		doc := ApplyDoc{Plan: p}
		if r != nil {
			doc.Applied, doc.Result, doc.ExecutionSeconds = true, &r.Report, r.Seconds
		}
		doc.Stats = v.stats()
		if err := render.JSON(v.out, doc); err != nil {
			return err
		}
	}
	if r != nil {
		applySummary(v.errOut, r.Report)
	}
	return nil
}

func (v applyView) Failed(_ *plan.Plan, r *Applied, _ error) { applySummary(v.errOut, r.Report) }

// interruptedCount is ", N interrupted" for a summary line when the run
// was interrupted with N requests sent and not waited for ("" when none).
func interruptedCount(s execute.Summary) string {
	if s.Interrupted == 0 {
		return ""
	}
	return fmt.Sprintf(", %d interrupted", s.Interrupted)
}

// applySummary writes what the executor did on w (stderr): the counts,
// then each change that did not succeed (those not started only when
// they are few).
func applySummary(w io.Writer, rep execute.Report) {
	s := rep.Summary
	fmt.Fprintf(w, "apply: %d created, %d deleted, %d already as planned, %d failed, %d not started%s\n", s.Created, s.Deleted, s.Unchanged, s.Failed, s.NotStarted, interruptedCount(s))
	for _, r := range rep.Failures() {
		if r.Status == execute.NotStarted && s.NotStarted > 10 {
			continue // counted above; listing them all would bury the rest
		}
		what := strings.ToLower(strings.ReplaceAll(string(r.Status), "_", " "))
		if r.Status == execute.Failed {
			what += ": " + render.Escape(r.Reason())
		}
		fmt.Fprintf(w, "  %s — %s\n", describeAssignment(r.Change), what)
	}
}

// writePlan prints a plan for people.
func writePlan(w io.Writer, p *plan.Plan) {
	if !p.HasChanges() {
		fmt.Fprintf(w, "No changes: Identity Center has the %s the file declares.\n", plural(p.Declared, "assignment"))
		return
	}
	for _, c := range p.Changes {
		fmt.Fprintln(w, "  "+describeAssignment(c))
	}
	prune := ""
	if p.Scope.Prune {
		prune = " (prune)"
	}
	fmt.Fprintf(w, "Plan: %d to create, %d to delete%s, %d unchanged.\n", p.Creates, p.Deletes, prune, p.Unchanged)
}

// describeAssignment is one plan line: "+ group developers: Developer on
// payments-dev (640775136188)".
func describeAssignment(c execute.Change) string {
	sign := "+"
	if c.Op == execute.Delete {
		sign = "-"
	}
	who := c.PrincipalName
	if who == "" {
		who = c.PrincipalId
		if c.Op == execute.Delete {
			who += " (deleted)"
		}
	}
	kind := "group"
	if c.PrincipalType == file.PrincipalUser {
		kind = "user"
	}
	return fmt.Sprintf("%s %s %s: %s", sign, kind, render.Escape(who), describeTarget(c))
}

// ExportDoc is the JSON document of `ssoctl assignments export`.
type ExportDoc struct {
	Groups      []file.ExportGroup `json:"groups"`
	Assignments int                `json:"assignments"`
	Orphans     int                `json:"orphans"`
	Stats       CallStats          `json:"stats"`
}

// AssignmentsExport renders `ssoctl assignments export`: the live
// assignments as an assignments file (format yaml, with a header naming
// the instance and the day) or as a JSON document, returned whole to be
// written where -f says.
func AssignmentsExport(format string, inst inventory.Instance, ex *file.Export, calls CallStats, now time.Time) ([]byte, error) {
	if format == "json" {
		groups := ex.Groups
		if groups == nil {
			groups = []file.ExportGroup{}
		}
		var b bytes.Buffer
		if err := render.JSON(&b, ExportDoc{Groups: groups, Assignments: ex.Assignments, Orphans: ex.Orphans, Stats: calls}); err != nil {
			return nil, err
		}
		return b.Bytes(), nil
	}
	header := fmt.Sprintf("Identity Center assignments of %s, exported by ssoctl %s:\n%s in %s.",
		inst.Arn, now.UTC().Format("2006-01-02"), plural(ex.Assignments, "assignment"), plural(len(ex.Groups), "group"))
	return ex.Encode(header)
}

// ExportSummary writes on w (stderr) the assignments left out and one
// summary line.
func ExportSummary(w io.Writer, ex *file.Export, s CallStats) {
	if ex.Orphans > 0 {
		fmt.Fprintf(w, "note: %s of deleted users or groups left out (ssoctl assignments plan --prune deletes them)\n", plural(ex.Orphans, "assignment"))
	}
	fmt.Fprintf(w, "export: %s in %s; %s, %d throttled retries, %.1fs\n", plural(ex.Assignments, "assignment"), plural(len(ex.Groups), "group"), plural(s.APICalls, "API call"), s.ThrottledRetries, s.Seconds)
}

// ItemErrors writes on w (stderr) the items a listing could not read,
// one a line, escaped.
func ItemErrors(w io.Writer, errs []list.ItemError) {
	for _, e := range errs {
		fmt.Fprintf(w, "error: %s: %s\n", render.Escape(e.Item), render.Escape(e.Error))
	}
}

// CfnDoc is the document of `ssoctl assignments cfn`.
type CfnDoc struct {
	Templates   []cfn.TemplateFile `json:"templates"`
	Assignments int                `json:"assignments"`
	CSV         string             `json:"assignmentsCsv,omitempty"`
	Warnings    []string           `json:"warnings"`
	Stats       CallStats          `json:"stats"`
}

// AssignmentsCfn renders `ssoctl assignments cfn`: its warnings on
// errOut, then the document, or one line per file written (on errOut
// when stdout holds the CSV: CSV "-").
func AssignmentsCfn(format string, out, errOut io.Writer, doc CfnDoc) error {
	Warnings(errOut, doc.Warnings)
	doc.Templates, doc.Warnings = nonNil(doc.Templates), nonNil(doc.Warnings)
	if format == "json" {
		return render.JSON(out, doc)
	}
	list := out
	if doc.CSV == "-" {
		list = errOut
	}
	for _, t := range doc.Templates {
		kind := "child"
		if t.Parent {
			kind = "parent"
		}
		fmt.Fprintf(list, "%s\t%s template, %d resources, %d assignments\n", t.Path, kind, t.Resources, t.Assignments)
	}
	if doc.CSV != "" {
		fmt.Fprintf(list, "%s\t%d assignments (CSV)\n", doc.CSV, doc.Assignments)
	}
	return nil
}

// CfnCSV is the generated assignments as CSV (--assignments-csv, in
// aws-sso-util's columns); how many cells were made safe goes to errOut.
func CfnCSV(errOut io.Writer, ro render.RowsOptions, rows []cfn.Row) ([]byte, error) {
	var b bytes.Buffer
	values := make([][]string, 0, len(rows))
	for _, r := range rows {
		values = append(values, r.Record())
	}
	changed, err := WriteRows(&b, "csv", ro, cfn.CSVHeader, values)
	if err != nil {
		return nil, err
	}
	CSVNote(errOut, changed)
	return b.Bytes(), nil
}
