package views

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/ssoctl/ssoctl/internal/assignments/execute"
	"github.com/ssoctl/ssoctl/internal/groups"
	"github.com/ssoctl/ssoctl/internal/iac"
	"github.com/ssoctl/ssoctl/internal/permsets"
	"github.com/ssoctl/ssoctl/internal/render"
)

// Identity Center as code: `ssoctl iac plan`, `apply` and `export`.

// IacPlanDoc is the document of `ssoctl iac plan`.
type IacPlanDoc struct {
	Plan  *iac.Plan `json:"plan"`
	Saved string    `json:"saved,omitempty"`
	Stats CallStats `json:"stats"`
}

// IacPlan renders `ssoctl iac plan`: the plan for people (on errOut when
// stdout holds the saved plan), or its document; then the summary line on
// errOut.
func IacPlan(format string, out, errOut io.Writer, doc IacPlanDoc) error {
	p := doc.Plan
	if format == "json" {
		if err := render.JSON(out, doc); err != nil {
			return err
		}
	} else {
		shown := out
		if doc.Saved == "-" {
			shown = errOut
		}
		WriteIacPlan(shown, p)
		if doc.Saved != "" && doc.Saved != "-" && p.HasChanges() {
			fmt.Fprintf(out, "Saved to %s: carry it out with ssoctl iac apply %s\n", doc.Saved, doc.Saved)
		}
	}
	iacWarnings(errOut, p)
	s := doc.Stats
	fmt.Fprintf(errOut, "plan: %s; %s, %d throttled retries, %.1fs\n", iacCounts(p), plural(s.APICalls, "API call"), s.ThrottledRetries, s.Seconds)
	return nil
}

func iacWarnings(w io.Writer, p *iac.Plan) {
	for _, x := range p.Warnings {
		fmt.Fprintln(w, "warning: "+render.Escape(x))
	}
}

// IacApplyDoc is the document of `ssoctl iac apply`.
type IacApplyDoc struct {
	Plan    *iac.Plan       `json:"plan"`
	Applied bool            `json:"applied"`
	Result  *execute.Report `json:"result,omitempty"`
	// ExecutionSeconds is the time the executor took (the plan aside).
	ExecutionSeconds float64   `json:"executionSeconds,omitempty"`
	Stats            CallStats `json:"stats"`
}

// IacApplied is what `iac apply` did: the executor's report and how long
// it took.
type IacApplied struct {
	Report  execute.Report
	Seconds float64
}

// IacApply is the view of `ssoctl iac apply`, in the shape of every write
// command: the plan before the go-ahead is asked, the whole document once
// the run is over, and on a failed run no document at all.
type IacApply struct {
	JSON        bool
	Out, ErrOut io.Writer
	Stats       func() CallStats
}

// Plan renders the plan for people (JSON holds it for Done).
func (v IacApply) Plan(p *iac.Plan) error {
	if !v.JSON {
		WriteIacPlan(v.Out, p)
	}
	iacWarnings(v.ErrOut, p)
	return nil
}

// NothingToChange adds nothing: the plan says "No changes".
func (v IacApply) NothingToChange(*iac.Plan) {}

// Done renders the document and what the executor did.
func (v IacApply) Done(p *iac.Plan, r *IacApplied) error {
	if v.JSON {
		doc := IacApplyDoc{Plan: p}
		if r != nil {
			doc.Applied, doc.Result, doc.ExecutionSeconds = true, &r.Report, r.Seconds
		}
		doc.Stats = v.Stats()
		if err := render.JSON(v.Out, doc); err != nil {
			return err
		}
	}
	if r != nil {
		IacApplySummary(v.ErrOut, r.Report)
	}
	return nil
}

// Failed says on stderr what was done before the run stopped.
func (v IacApply) Failed(_ *iac.Plan, r *IacApplied, _ error) {
	if r != nil {
		IacApplySummary(v.ErrOut, r.Report)
	}
}

// IacApplySummary writes what the executor did on w (stderr): the counts,
// then each change that did not succeed.
func IacApplySummary(w io.Writer, rep execute.Report) {
	s := rep.Summary
	fmt.Fprintf(w, "apply: %d created, %d updated, %d re-provisioned, %d deleted, %d already as planned, %d failed, %d not started%s\n",
		s.Created, s.Updated, s.Provisioned, s.Deleted, s.Unchanged, s.Failed, s.NotStarted, interruptedCount(s))
	for _, r := range rep.Failures() {
		if r.Status == execute.NotStarted && s.NotStarted > 10 && r.Error == "" {
			continue
		}
		what := strings.ToLower(strings.ReplaceAll(string(r.Status), "_", " "))
		if r.Status == execute.Failed || r.Error != "" {
			what += ": " + render.Escape(r.Reason())
		}
		fmt.Fprintf(w, "  %s — %s\n", render.Escape(r.Change.String()), what)
	}
}

// WriteIacPlan prints a plan for people, in the order it is carried out.
func WriteIacPlan(w io.Writer, p *iac.Plan) {
	if !p.HasChanges() {
		c := p.Counts
		fmt.Fprintf(w, "No changes: Identity Center has the %s, %s and %s the files declare.\n",
			plural(c.PermissionSetsDeclared, "permission set"), plural(c.GroupsDeclared, "group"), plural(c.AssignmentsDeclared, "assignment"))
		writeKept(w, p)
		return
	}
	section := ""
	for _, it := range p.Items {
		s := "Permission sets and groups (made and provisioned first):"
		switch {
		case it.Kind == iac.ItemAssignment && it.Op == execute.Create:
			s = "Assignments to create:"
		case it.Kind == iac.ItemAssignment:
			s = "Assignments to delete:"
		case it.Op == execute.Delete:
			s = "Removals (last):"
		}
		if s != section {
			fmt.Fprintln(w, s)
			section = s
		}
		writeItem(w, it)
	}
	writeKept(w, p)
	fmt.Fprintf(w, "Plan: %s.\n", iacCounts(p))
}

func writeKept(w io.Writer, p *iac.Plan) {
	if len(p.Kept) == 0 {
		return
	}
	fmt.Fprintln(w, "Kept by --prune:")
	for _, k := range p.Kept {
		fmt.Fprintln(w, "  "+render.Escape(k))
	}
}

func sign(op execute.Op) string {
	switch op {
	case execute.Create:
		return "+"
	case execute.Delete:
		return "-"
	}
	return "~"
}

func writeItem(w io.Writer, it iac.Item) {
	switch it.Kind {
	case iac.ItemAssignment:
		fmt.Fprintln(w, "  "+describeIacAssignment(*it.Assignment))
		return
	case iac.ItemGroup:
		fmt.Fprintf(w, "  %s group %s\n", sign(it.Op), render.Escape(it.Name))
		for _, d := range it.Group {
			writeGroupAttr(w, d)
		}
		return
	}
	fmt.Fprintf(w, "  %s permission set %s\n", sign(it.Op), render.Escape(it.Name))
	for _, d := range it.PermissionSet {
		writePermissionSetAttr(w, d)
	}
	if it.Provision != nil {
		fmt.Fprintf(w, "      then re-provisioned to %s\n", it.Provision.String())
	}
}

func quoted(s string) string {
	if s == "" {
		return "(none)"
	}
	return render.Escape(fmt.Sprintf("%q", s))
}

func writePermissionSetAttr(w io.Writer, d permsets.AttrChange) {
	switch {
	case d.Attribute == permsets.AttrInlinePolicy:
		fmt.Fprintf(w, "      %s:\n", d.Attribute)
		for _, l := range d.PolicyDiff {
			fmt.Fprintf(w, "        %s\n", render.Escape(l))
		}
	case len(d.Added)+len(d.Removed) > 0:
		var parts []string
		for _, a := range d.Added {
			parts = append(parts, "+ "+render.Escape(a))
		}
		for _, r := range d.Removed {
			parts = append(parts, "- "+render.Escape(r))
		}
		fmt.Fprintf(w, "      %s: %s\n", d.Attribute, strings.Join(parts, ", "))
	case d.Old == "":
		fmt.Fprintf(w, "      %s: %s\n", d.Attribute, quoted(d.New))
	default:
		fmt.Fprintf(w, "      %s: %s → %s\n", d.Attribute, quoted(d.Old), quoted(d.New))
	}
}

func writeGroupAttr(w io.Writer, d groups.AttrChange) {
	if d.Attribute == "Members" {
		var parts []string
		for _, a := range d.Added {
			parts = append(parts, "+ "+render.Escape(a))
		}
		for _, r := range d.Removed {
			parts = append(parts, "- "+render.Escape(r))
		}
		note := ""
		if len(d.Removed) > 0 {
			note = " (removals after the assignments)"
		}
		fmt.Fprintf(w, "      Members: %s%s\n", strings.Join(parts, ", "), note)
		return
	}
	if d.Old == "" {
		fmt.Fprintf(w, "      %s: %s\n", d.Attribute, quoted(d.New))
		return
	}
	fmt.Fprintf(w, "      %s: %s → %s\n", d.Attribute, quoted(d.Old), quoted(d.New))
}

// describeIacAssignment is one assignment line: "+ group developers:
// Developer on payments-dev (640775136188)".
func describeIacAssignment(c execute.Change) string {
	who := c.PrincipalName
	if who == "" {
		who = c.PrincipalId
		if c.Op == execute.Delete {
			who += " (deleted)"
		}
	}
	ps := c.PermissionSetName
	if ps == "" {
		ps = c.PermissionSetArn
	}
	acct := c.AccountId
	if c.AccountName != "" {
		acct = render.Escape(c.AccountName) + " (" + c.AccountId + ")"
	}
	return fmt.Sprintf("%s %s %s: %s on %s", sign(c.Op), strings.ToLower(c.PrincipalType), render.Escape(who), render.Escape(ps), acct)
}

// iacCounts sums a plan up in one line.
func iacCounts(p *iac.Plan) string {
	c := p.Counts
	var parts []string
	group := func(noun string, pairs ...any) {
		var xs []string
		for i := 0; i+1 < len(pairs); i += 2 {
			if n := pairs[i].(int); n > 0 {
				xs = append(xs, fmt.Sprintf("%d to %s", n, pairs[i+1].(string)))
			}
		}
		if len(xs) > 0 {
			parts = append(parts, noun+" "+strings.Join(xs, ", "))
		}
	}
	group("permission sets:", c.PermissionSetsCreate, "create", c.PermissionSetsUpdate, "update", c.Provisions, "re-provision", c.PermissionSetsDelete, "delete")
	group("groups:", c.GroupsCreate, "create", c.GroupsUpdate, "update", c.GroupsDelete, "delete")
	group("members:", c.MembersAdd, "add", c.MembersRemove, "remove")
	group("assignments:", c.AssignmentsCreate, "create", c.AssignmentsDelete, "delete")
	if len(parts) == 0 {
		return "no changes"
	}
	s := strings.Join(parts, "; ")
	if len(p.Kept) > 0 {
		s += fmt.Sprintf("; %d kept by prune", len(p.Kept))
	}
	return s
}

// IacExportDoc is the JSON document of `ssoctl iac export`.
type IacExportDoc struct {
	Export *iac.Export `json:"export"`
	Stats  CallStats   `json:"stats"`
}

// IacExport renders `ssoctl iac export`'s document: the file (YAML) with a
// header saying what it holds, or the JSON document.
func IacExport(format string, ex *iac.Export, calls CallStats, now time.Time) ([]byte, error) {
	if format == "json" {
		var b bytes.Buffer
		if err := render.JSON(&b, IacExportDoc{Export: ex, Stats: calls}); err != nil {
			return nil, err
		}
		return b.Bytes(), nil
	}
	header := fmt.Sprintf("Identity Center of %s, exported by ssoctl %s: %s, %s, %s.\nPlan it with ssoctl iac plan -f FILE; an attribute left out means none.",
		ex.Instance.Arn, now.UTC().Format("2006-01-02"), plural(ex.Counts.PermissionSets, "permission set"), plural(ex.Counts.Groups, "group"), plural(ex.Counts.Assignments, "assignment"))
	return ex.Encode(header)
}

// IacExportSummary writes on w (stderr) the assignments left out and one
// summary line.
func IacExportSummary(w io.Writer, ex *iac.Export, s CallStats) {
	c := ex.Counts
	if c.Orphans > 0 {
		fmt.Fprintf(w, "note: %s of deleted users or groups left out (ssoctl iac plan --prune deletes them)\n", plural(c.Orphans, "assignment"))
	}
	if c.Grants > 0 {
		fmt.Fprintf(w, "note: %s of just-in-time grants (ssoctl-jit-*) and their %s left out: ssoctl grant manages them\n", plural(c.Grants, "permission set"), plural(c.GrantAssignments, "assignment"))
	}
	fmt.Fprintf(w, "export: %s, %s (%s), %s; %s, %d throttled retries, %.1fs\n",
		plural(c.PermissionSets, "permission set"), plural(c.Groups, "group"), plural(c.Members, "member"), plural(c.Assignments, "assignment"),
		plural(s.APICalls, "API call"), s.ThrottledRetries, s.Seconds)
}
