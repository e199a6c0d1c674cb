package views

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/ssoctl/ssoctl/internal/assignments/execute"
	"github.com/ssoctl/ssoctl/internal/grants"
	"github.com/ssoctl/ssoctl/internal/render"
)

// Grant renders `ssoctl grant`: text for people (the plan on stdout,
// what the run did on stderr), one JSON document per run, or (list) CSV.
type Grant struct {
	out, errOut io.Writer
	format      string
	stats       func() CallStats
	prog        *render.Progress
}

// NewGrant returns the grant verbs' view for format table, json or csv.
func NewGrant(format string, out, errOut io.Writer, errTTY bool, stats func() CallStats) *Grant {
	return &Grant{out: out, errOut: errOut, format: format, stats: stats, prog: render.NewProgress(errOut, errTTY)}
}

// ExecutorOptions draw the executor's progress on the terminal.
func (g *Grant) ExecutorOptions() execute.Options {
	return execute.Options{OnProgress: func(pr execute.Progress) {
		g.prog.Update(string(pr.Op)+"s", pr.Done, pr.Total)
	}}
}

// GrantCreateDoc is the document of `grant create`.
type GrantCreateDoc struct {
	Plan    grants.CreatePlan    `json:"plan"`
	Applied bool                 `json:"applied"`
	Result  *grants.CreateResult `json:"result,omitempty"`
	Stats   CallStats            `json:"stats"`
}

// Create is the view of `grant create`.
func (g *Grant) Create() WriteView[grants.CreatePlan, grants.CreateResult] { return grantCreateView{g} }

type grantCreateView struct{ *Grant }

func accountsText(as []grants.Account) string {
	var parts []string
	for _, a := range as {
		if a.Name != "" {
			parts = append(parts, render.Escape(a.Name)+" ("+a.Id+")")
		} else {
			parts = append(parts, a.Id)
		}
	}
	return strings.Join(parts, ", ")
}

func (v grantCreateView) Plan(p grants.CreatePlan) error {
	if v.format == "json" {
		return nil
	}
	w, gr := v.out, p.Grant
	fmt.Fprintf(w, "Grant %s: %s gets %s on %s\n", gr.ID, render.Escape(gr.Principal.Label()), render.Escape(gr.PermissionSet), accountsText(gr.Accounts))
	fmt.Fprintf(w, "  until %s (AWS's clock; now %s)\n", gr.Expires.Format(time.RFC3339), p.Now.Format(time.RFC3339))
	c := p.Clone
	fmt.Fprintf(w, "  + permission set %s: session %s, %d managed and %d customer managed policies, inline policy with the deny after expiry",
		c.Name, c.SessionDuration, len(c.ManagedPolicies), len(c.CustomerManagedPolicies))
	if c.PermissionsBoundary != nil {
		fmt.Fprintf(w, ", boundary %s", render.Escape(c.PermissionsBoundary.String()))
	}
	fmt.Fprintln(w)
	for _, ch := range p.Plan.Changes {
		if ch.Kind == execute.KindAssignment {
			fmt.Fprintf(w, "  + assignment on %s\n", accountsText([]grants.Account{{Id: ch.AccountId, Name: ch.AccountName}}))
		}
	}
	if len(p.Schedules) > 0 {
		fmt.Fprintf(w, "  + %s in group %s deleting the assignments at %s\n", plural(len(p.Schedules), "schedule"), grants.ScheduleGroup, grants.AtExpression(p.Grant.Expires))
	} else {
		fmt.Fprintln(w, "  no schedule (no grants.scheduler_role_arn): run `ssoctl grant expire --yes` from cron to remove it after the expiry")
	}
	for _, warn := range p.Warnings {
		fmt.Fprintf(v.errOut, "warning: %s\n", render.Escape(warn))
	}
	return nil
}

func (v grantCreateView) NothingToChange(grants.CreatePlan) {
	fmt.Fprintln(v.errOut, "Nothing to change.")
}

func (v grantCreateView) Done(p grants.CreatePlan, r *grants.CreateResult) error {
	v.prog.Done()
	if v.format == "json" {
		if err := render.JSON(v.out, GrantCreateDoc{Plan: p, Applied: r != nil, Result: r, Stats: v.stats()}); err != nil {
			return err
		}
	}
	if r != nil {
		v.summary(*r)
	}
	return nil
}

func (v grantCreateView) summary(r grants.CreateResult) {
	grantReport(v.errOut, r.Report)
	for _, e := range r.ScheduleErrors {
		fmt.Fprintf(v.errOut, "  FAILED %s\n", render.Escape(e))
	}
	if r.OK() {
		fmt.Fprintf(v.errOut, "Granted %s until %s (%s made).\n", r.Grant.ID, r.Grant.Expires.Format(time.RFC3339), plural(r.SchedulesMade, "schedule"))
	}
}

func (v grantCreateView) Failed(_ grants.CreatePlan, r *grants.CreateResult, _ error) {
	v.prog.Done()
	v.summary(*r)
}

// grantReport says what the executor did, and each change that did not
// succeed.
func grantReport(w io.Writer, rep execute.Report) {
	ok := 0
	for _, r := range rep.Results {
		if r.OK() {
			ok++
		}
	}
	fmt.Fprintf(w, "Changes: %d of %d done.\n", ok, len(rep.Results))
	for _, r := range rep.Failures() {
		fmt.Fprintf(w, "  %s %s: %s\n", strings.ReplaceAll(string(r.Status), "_", " "), render.Escape(r.Change.String()), render.Escape(r.Reason()))
	}
}

// GrantEndDoc is the document of `grant expire` and `grant revoke`.
type GrantEndDoc struct {
	Plan    grants.EndPlan    `json:"plan"`
	Applied bool              `json:"applied"`
	Result  *grants.EndResult `json:"result,omitempty"`
	Stats   CallStats         `json:"stats"`
}

// End is the view of `grant expire` and `grant revoke`; how is "expired"
// or "revoked".
func (g *Grant) End(how string) WriteView[grants.EndPlan, grants.EndResult] {
	return grantEndView{g, how}
}

type grantEndView struct {
	*Grant
	how string
}

func (v grantEndView) Plan(p grants.EndPlan) error {
	for _, warn := range p.Warnings {
		fmt.Fprintf(v.errOut, "warning: %s\n", render.Escape(warn))
	}
	if v.format == "json" {
		return nil
	}
	w := v.out
	for _, g := range p.Grants {
		fmt.Fprintf(w, "End grant %s (%s, expires %s): %s's %s on %s\n", g.ID, g.State, g.Expires.Format(time.RFC3339),
			render.Escape(g.Principal.Label()), render.Escape(g.PermissionSet), accountsText(g.Accounts))
		for _, a := range g.Assigned {
			fmt.Fprintf(w, "  - assignment on %s\n", a)
		}
		fmt.Fprintf(w, "  - permission set %s\n", g.Clone)
	}
	if len(p.Schedules) > 0 {
		fmt.Fprintf(w, "  - %s in group %s\n", plural(len(p.Schedules), "schedule"), grants.ScheduleGroup)
	}
	fmt.Fprintf(w, "%s to end, %d active left alone (AWS's clock: %s).\n", plural(len(p.Grants), "grant"), p.Active, p.Now.Format(time.RFC3339))
	return nil
}

func (v grantEndView) NothingToChange(grants.EndPlan) { fmt.Fprintln(v.errOut, "Nothing to change.") }

func (v grantEndView) Done(p grants.EndPlan, r *grants.EndResult) error {
	v.prog.Done()
	if v.format == "json" {
		if err := render.JSON(v.out, GrantEndDoc{Plan: p, Applied: r != nil, Result: r, Stats: v.stats()}); err != nil {
			return err
		}
	}
	if r != nil {
		v.summary(*r)
	}
	return nil
}

func (v grantEndView) summary(r grants.EndResult) {
	grantReport(v.errOut, r.Report)
	for _, e := range r.ScheduleErrors {
		fmt.Fprintf(v.errOut, "  FAILED %s\n", render.Escape(e))
	}
	fmt.Fprintf(v.errOut, "Ended %s (%s); %s deleted.\n", plural(len(r.Ended), "grant"), v.how, plural(r.SchedulesDeleted, "schedule"))
}

func (v grantEndView) Failed(_ grants.EndPlan, r *grants.EndResult, _ error) {
	v.prog.Done()
	v.summary(*r)
}

// GrantListDoc is the document of `grant list`.
type GrantListDoc struct {
	Now      time.Time      `json:"now"`
	Grants   []grants.Grant `json:"grants"`
	Warnings []string       `json:"warnings,omitempty"`
	Stats    CallStats      `json:"stats"`
}

// GrantColumns are `grant list`'s columns.
var GrantColumns = []string{"GrantId", "State", "Principal", "PermissionSet", "Accounts", "Assigned", "Expires", "GrantedBy", "Reason", "Ticket"}

// List renders the grants (live, and with --all ended ones).
func (g *Grant) List(live grants.Live, gs []grants.Grant) error {
	for _, warn := range live.Warnings {
		fmt.Fprintf(g.errOut, "warning: %s\n", render.Escape(warn))
	}
	if g.format == "json" {
		return render.JSON(g.out, GrantListDoc{Now: live.Now, Grants: nonNil(gs), Warnings: live.Warnings, Stats: g.stats()})
	}
	rows, err := render.NewRows(g.out, g.format, render.RowsOptions{})
	if err != nil {
		return err
	}
	if err := rows.Header(GrantColumns); err != nil {
		return err
	}
	for _, gr := range gs {
		var accounts []string
		for _, a := range gr.Accounts {
			n := a.Id
			if a.Name != "" {
				n = a.Name
			}
			accounts = append(accounts, n)
		}
		who := gr.Principal.String()
		if gr.Principal.Name != "" {
			who = gr.Principal.Label()
		}
		if err := rows.Row([]string{gr.ID, string(gr.State), who, gr.PermissionSet, strings.Join(accounts, ";"), strings.Join(gr.Assigned, ";"),
			gr.Expires.Format(time.RFC3339), gr.GrantedBy, gr.Reason, gr.Ticket}); err != nil {
			return err
		}
	}
	if err := rows.Flush(); err != nil {
		return err
	}
	CSVNote(g.errOut, rows.Changed())
	if g.format == "table" {
		fmt.Fprintf(g.errOut, "%s (AWS's clock: %s).\n", plural(len(gs), "grant"), live.Now.Format(time.RFC3339))
	}
	return nil
}
