package views

import (
	"fmt"
	"io"
	"strings"

	"github.com/ssoctl/ssoctl/internal/assignments/execute"
	"github.com/ssoctl/ssoctl/internal/inventory"
	"github.com/ssoctl/ssoctl/internal/legacyiam"
	"github.com/ssoctl/ssoctl/internal/lifecycle"
	"github.com/ssoctl/ssoctl/internal/notify"
	"github.com/ssoctl/ssoctl/internal/render"
)

// User renders the `ssoctl user` verbs, each a write command
// (views.Write): text for people (-o table, the default: the plan on
// stdout, the executor's summary and failures on stderr) or one JSON
// document per run, written once the run is over.
type User struct {
	out, errOut io.Writer
	json        bool
	stats       func() CallStats
	prog        *render.Progress
}

// NewUser returns the user verbs' view for format table or json; stats
// gives the run's calls when a document is written; a progress line is
// drawn on errOut when it is a terminal.
func NewUser(format string, out, errOut io.Writer, errTTY bool, stats func() CallStats) *User {
	return &User{out: out, errOut: errOut, json: format == "json", stats: stats, prog: render.NewProgress(errOut, errTTY)}
}

// ExecutorOptions draw the executor's progress on the terminal.
func (u *User) ExecutorOptions() execute.Options {
	return execute.Options{OnProgress: func(pr execute.Progress) {
		u.prog.Update(string(pr.Op)+"s", pr.Done, pr.Total)
	}}
}

// ProgressDone clears the progress line.
func (u *User) ProgressDone() { u.prog.Done() }

func (u *User) doc(v any) error { return render.JSON(u.out, v) }

// nothing says a user verb's plan has nothing to do.
func (u *User) nothing() { fmt.Fprintln(u.errOut, "Nothing to change.") }

func (v personAccessView) NothingToChange(lifecycle.AccessPlan) { v.nothing() }
func (v CreateView) NothingToChange([]CreateItem)               { v.nothing() }
func (v MigrateView) NothingToChange(MigratePlan)               { v.nothing() }
func (v OffboardView) NothingToChange(OffboardDoc)              { v.nothing() }
func (v notifyView) NothingToChange(NotifyPlan)                 { v.nothing() }

// UserAccessDoc is the document of user assign, unassign and
// change-access.
type UserAccessDoc struct {
	Plan    lifecycle.AccessPlan `json:"plan"`
	Applied bool                 `json:"applied"`
	Result  *execute.Report      `json:"result,omitempty"`
	Stats   CallStats            `json:"stats"`
}

// Access is the view of assign, unassign and change-access; verb heads
// the plan ("Assign", "Change access from A to B").
func (u *User) Access(verb string) WriteView[lifecycle.AccessPlan, execute.Report] {
	return personAccessView{u, verb}
}

type personAccessView struct {
	*User
	verb string
}

func (v personAccessView) Plan(p lifecycle.AccessPlan) error {
	if v.json {
		return nil
	}
	fmt.Fprintf(v.out, "%s for %s:\n", v.verb, userLabel(p.User))
	writeAccessPlan(v.out, p)
	fmt.Fprintf(v.out, "%d to add, %d to remove.\n", p.Plan.Creates(), p.Plan.Deletes())
	return nil
}

func (v personAccessView) Done(p lifecycle.AccessPlan, r *execute.Report) error {
	v.ProgressDone()
	if v.json {
		if err := v.doc(UserAccessDoc{Plan: p, Applied: r != nil, Result: r, Stats: v.stats()}); err != nil {
			return err
		}
	}
	if r != nil {
		ExecutionSummary(v.errOut, *r)
	}
	return nil
}

func (v personAccessView) Failed(_ lifecycle.AccessPlan, r *execute.Report, _ error) {
	v.ProgressDone()
	ExecutionSummary(v.errOut, *r)
}

// ExecutionSummary writes what the executor did for a user verb on w
// (stderr): the counts, then each change that did not succeed.
func ExecutionSummary(w io.Writer, rep execute.Report) {
	s := rep.Summary
	fmt.Fprintf(w, "Assignments: %d created, %d deleted, %d unchanged, %d failed, %d not started%s.\n", s.Created, s.Deleted, s.Unchanged, s.Failed, s.NotStarted, interruptedCount(s))
	for _, r := range rep.Failures() {
		switch r.Status {
		case execute.Failed:
			fmt.Fprintf(w, "  FAILED %s %s: %s\n", r.Op, describeTarget(r.Change), render.Escape(r.Reason()))
		default:
			fmt.Fprintf(w, "  %s %s %s\n", strings.ReplaceAll(string(r.Status), "_", " "), r.Op, describeTarget(r.Change))
		}
	}
}

// CreateItem is one person of `user create`: the plan, then what
// happened.
type CreateItem struct {
	Line   int                     `json:"line,omitempty"`
	Plan   *lifecycle.CreatePlan   `json:"plan,omitempty"`
	Result *lifecycle.CreateResult `json:"result,omitempty"`
	// PasswordEmailURL is the console page that sends the password e-mail.
	PasswordEmailURL string `json:"passwordEmailUrl,omitempty"`
	Notified         bool   `json:"notified,omitempty"`
	Error            string `json:"error,omitempty"`
	// WelcomeWarning says what went wrong after the welcome e-mail was
	// sent; WelcomeFailure why it was not sent (also in Error).
	WelcomeWarning string `json:"-"`
	WelcomeFailure string `json:"-"`
}

// CreateDoc is the document of `user create`.
type CreateDoc struct {
	Applied bool         `json:"applied"`
	Users   []CreateItem `json:"users"`
	Stats   CallStats    `json:"stats"`
}

// Created is what `user create` did: every person's item, and the
// executor's report of their assignments.
type Created struct {
	Users  []CreateItem
	Report execute.Report
}

// Create is the view of `user create`.
func (u *User) Create() CreateView { return CreateView{u} }

// CreateView renders `user create`; Person tells of each person as soon as
// they exist, so an interrupted bulk run shows who was made.
type CreateView struct{ *User }

// Plan writes each person's plan; a row that cannot be used is reported on
// stderr.
func (v CreateView) Plan(items []CreateItem) error {
	if v.json {
		return nil
	}
	w := v.out
	for _, it := range items {
		if it.Plan == nil {
			fmt.Fprintf(v.errOut, "skipped: %s\n", render.Escape(it.Error))
			continue
		}
		p := it.Plan
		if p.Exists != "" {
			fmt.Fprintf(w, "User %s exists (id %s): not created again.\n", render.Escape(p.User.UserName), p.Exists)
		} else {
			fmt.Fprintf(w, "Create user %s (%s <%s>)\n", render.Escape(p.User.UserName), render.Escape(p.User.DisplayName), render.Escape(p.User.Email))
		}
		if p.User.Access != "" {
			fmt.Fprintf(w, "  access bundle %s: %s to add\n", render.Escape(p.User.Access), plural(len(p.Access.Plan.Changes), "assignment"))
		}
		writeAccessPlan(w, p.Access)
		switch {
		case p.Welcome && p.Exists != "":
			fmt.Fprintf(w, "  then e-mail the welcome message to %s (never sent so far)\n", render.Escape(p.User.Email))
		case p.Welcome:
			fmt.Fprintf(w, "  then e-mail the welcome message to %s\n", render.Escape(p.User.Email))
		}
	}
	return nil
}

// Person tells of one person as soon as they exist (or could not be
// made), and how many of how many are done.
func (v CreateView) Person(res lifecycle.CreateResult, done, total int) {
	if !v.json && (res.Created || res.Error != "") {
		v.prog.Done() // clear the progress line; the next update redraws it
		if res.Created {
			fmt.Fprintf(v.out, "Created user %s (id %s).\n", render.Escape(res.User.UserName), res.User.Id)
		} else {
			fmt.Fprintf(v.errOut, "FAILED: %s\n", render.Escape(res.Error))
		}
	}
	v.prog.Update("users created", done, total)
}

// Done writes the executor's summary, the welcome e-mails and where to
// send each new person's password e-mail (or the document).
func (v CreateView) Done(items []CreateItem, r *Created) error {
	v.prog.Done()
	doc := CreateDoc{Users: items}
	if r != nil {
		doc.Applied, doc.Users = true, r.Users
		if len(r.Report.Results) > 0 && !v.json {
			ExecutionSummary(v.errOut, r.Report)
		}
		for _, it := range r.Users {
			if it.WelcomeWarning != "" {
				fmt.Fprintf(v.errOut, "warning: sent the welcome e-mail to %s, but %s: a later --notify run may send it again\n", render.Escape(it.Result.User.UserName), render.Escape(it.WelcomeWarning))
			}
			switch {
			case v.json:
			case it.Notified:
				fmt.Fprintf(v.out, "Sent the welcome e-mail to %s.\n", render.Escape(it.Result.User.Email))
			case it.WelcomeFailure != "":
				fmt.Fprintf(v.errOut, "FAILED: %s\n", render.Escape(it.WelcomeFailure))
			}
		}
		v.passwordPages(r.Users)
	}
	if v.json {
		doc.Stats = v.stats()
		return v.doc(doc)
	}
	return nil
}

// Failed writes what was done before the run stopped: the executor's
// summary and the password pages of the people made.
func (v CreateView) Failed(_ []CreateItem, r *Created, _ error) {
	v.prog.Done()
	if len(r.Report.Results) > 0 {
		ExecutionSummary(v.errOut, r.Report)
	}
	v.passwordPages(r.Users)
}

func (v CreateView) passwordPages(items []CreateItem) {
	if v.json {
		return
	}
	for _, it := range items {
		if it.Result != nil && it.Result.Created {
			fmt.Fprintf(v.out, "No AWS API sends the password e-mail: in the IAM Identity Center console open Users → %s → Reset password → Send email:\n  %s\n", render.Escape(it.Result.User.UserName), it.PasswordEmailURL)
		}
	}
}

// MigrateDoc is one account's legacy IAM user and its retirement
// (user migrate-iam; user offboard --iam).
type MigrateDoc struct {
	// Stage is what this run does: deactivate (the access keys, and the
	// console password with --remove-password) or delete (the checklist).
	Stage       string                 `json:"stage"`
	Account     string                 `json:"account"`
	AccountName string                 `json:"accountName,omitempty"`
	IAMUser     legacyiam.User         `json:"iamUser"`
	Steps       []legacyiam.Step       `json:"steps"`
	Applied     bool                   `json:"applied"`
	Results     []legacyiam.StepResult `json:"results,omitempty"`
	// Error says why this account's IAM user could not be read or was kept.
	Error string `json:"error,omitempty"`
}

// MigratePlan is what `user migrate-iam` will do, an account at a time.
type MigratePlan struct {
	// Name is the IAM user's name.
	Name       string
	Deactivate bool
	Accounts   []*MigrateDoc
	// Early says why the deletion is not due yet ("" when it is).
	Early string
}

// Migrate is the view of `user migrate-iam`: one document for one
// account, a list of them for several.
func (u *User) Migrate() MigrateView { return MigrateView{u} }

// MigrateView renders `user migrate-iam`; Account, Step and Retired tell
// of each account as its checklist runs.
type MigrateView struct{ *User }

// Plan writes each account's plan, and why the deletion is not due yet.
func (v MigrateView) Plan(p MigratePlan) error {
	if !v.json {
		name := render.Escape(p.Name)
		for _, d := range p.Accounts {
			acct := accountLabel(d)
			switch {
			case d.Error != "":
				fmt.Fprintf(v.out, "Account %s: FAILED: %s\n", acct, render.Escape(d.Error))
			case !d.IAMUser.Exists:
				fmt.Fprintf(v.out, "No IAM user %s in account %s: nothing to retire.\n", name, acct)
			case len(d.Steps) == 0:
				fmt.Fprintf(v.out, "IAM user %s in account %s is %s: nothing to deactivate.\n", name, acct, d.IAMUser.Stage())
			case p.Deactivate:
				fmt.Fprintf(v.out, "Deactivate IAM user %s in account %s (stage %s; reversible):\n", name, acct, d.IAMUser.Stage())
				writeSteps(v.out, d.Steps)
			default:
				fmt.Fprintf(v.out, "Retire IAM user %s in account %s:\n", name, acct)
				writeSteps(v.out, d.Steps)
			}
		}
	}
	if p.Early != "" {
		fmt.Fprintf(v.errOut, "note: %s; until then run --deactivate, or pass --before-deadline.\n", p.Early)
	}
	return nil
}

// Account heads an account's steps when there are several accounts.
func (v MigrateView) Account(p MigratePlan, d *MigrateDoc) {
	if !v.json && len(p.Accounts) > 1 {
		fmt.Fprintf(v.out, "Account %s:\n", accountLabel(d))
	}
}

// Step tells of one step as it is done.
func (v MigrateView) Step(r legacyiam.StepResult) {
	if !v.json {
		writeStepResult(v.out, r)
	}
}

// Retired tells of an account whose checklist ran without failing: done,
// and for the deactivation how to undo it.
func (v MigrateView) Retired(p MigratePlan, d *MigrateDoc) {
	switch {
	case v.json || d.Error != "":
	case p.Deactivate:
		fmt.Fprintf(v.out, "Deactivated IAM user %s in account %s; it is deleted on or after the announced date (migrate-iam without --deactivate).\n", render.Escape(p.Name), accountLabel(d))
		for _, r := range d.Results {
			if r.Kind == "deactivate-key" && r.Done && !r.AlreadyGone {
				fmt.Fprintf(v.out, "  to undo: aws iam update-access-key --user-name %s --access-key-id %s --status Active\n", render.Escape(p.Name), r.Target)
			}
		}
	default:
		fmt.Fprintf(v.out, "Retired IAM user %s in account %s.\n", render.Escape(p.Name), accountLabel(d))
	}
}

// MigrateList is the document of `user migrate-iam` over several
// accounts: one MigrateDoc each. (The document of one account is its
// MigrateDoc with the run's stats.)
type MigrateList []MigrateDoc

// migrateOne is the document of `user migrate-iam` for one account.
type migrateOne struct {
	MigrateDoc
	Stats CallStats `json:"stats"`
}

// Done writes the document (the plan and its results were written as they
// came).
func (v MigrateView) Done(p MigratePlan, _ *struct{}) error {
	if !v.json {
		return nil
	}
	if len(p.Accounts) == 1 {
		return v.doc(migrateOne{*p.Accounts[0], v.stats()})
	}
	docs := make(MigrateList, len(p.Accounts))
	for i, d := range p.Accounts {
		docs[i] = *d
	}
	return v.doc(docs)
}

// Failed writes nothing more: each step was told as it came.
func (v MigrateView) Failed(MigratePlan, *struct{}, error) {}

// accountLabel is "ID" or "ID (NAME)", escaped for a terminal.
func accountLabel(d *MigrateDoc) string {
	if d.AccountName == "" {
		return d.Account
	}
	return d.Account + " (" + render.Escape(d.AccountName) + ")"
}

func writeSteps(w io.Writer, steps []legacyiam.Step) {
	for i, s := range steps {
		fmt.Fprintf(w, "  %2d. %s\n", i+1, render.Escape(s.String()))
	}
}

func writeStepResult(w io.Writer, r legacyiam.StepResult) {
	switch {
	case r.AlreadyGone:
		fmt.Fprintf(w, "  done: %s (already gone)\n", render.Escape(r.Step.String()))
	case r.Done:
		fmt.Fprintf(w, "  done: %s\n", render.Escape(r.Step.String()))
	case r.Skipped:
		fmt.Fprintf(w, "  skipped: %s: %s\n", render.Escape(r.Step.String()), r.Error)
	default:
		fmt.Fprintf(w, "  FAILED: %s: %s\n", render.Escape(r.Step.String()), render.Escape(r.Error))
	}
}

// OffboardDoc is the document of `user offboard`.
type OffboardDoc struct {
	// UserFound is false when there is no such user (already offboarded):
	// nothing to change.
	UserFound bool                      `json:"userFound"`
	Plan      lifecycle.OffboardPlan    `json:"plan"`
	IAM       *MigrateDoc               `json:"iam,omitempty"`
	Applied   bool                      `json:"applied"`
	Result    *lifecycle.OffboardResult `json:"result,omitempty"`
	Stats     CallStats                 `json:"stats"`
}

// Offboard is the view of `user offboard`.
func (u *User) Offboard() OffboardView { return OffboardView{u} }

// OffboardView renders `user offboard`; Step tells of each step of the
// legacy IAM user's checklist as it is done.
type OffboardView struct{ *User }

// NoUser says there is nothing to offboard: no such user (already
// offboarded?); closest lists similar names ("" for none).
func (v OffboardView) NoUser(ref string, disable bool, closest string) error {
	fmt.Fprintf(v.errOut, "Nothing to change: no user %q in the identity store (already offboarded?)%s\n", render.Escape(ref), closest)
	if !v.json {
		return nil
	}
	return v.doc(OffboardDoc{Plan: lifecycle.OffboardPlan{User: inventory.User{UserName: ref}, Disable: disable}, Stats: v.stats()})
}

// Plan writes what will be removed, the legacy IAM user first.
func (v OffboardView) Plan(d OffboardDoc) error {
	if v.json {
		return nil
	}
	w, p, u := v.out, d.Plan, d.Plan.User
	if d.IAM != nil {
		if d.IAM.IAMUser.Exists {
			fmt.Fprintf(w, "Retire IAM user %s in account %s first:\n", render.Escape(u.UserName), d.IAM.Account)
			writeSteps(w, d.IAM.Steps)
		} else {
			fmt.Fprintf(w, "No IAM user %s in account %s.\n", render.Escape(u.UserName), d.IAM.Account)
		}
	}
	fmt.Fprintf(w, "Offboard %s:\n", userLabel(u))
	for _, ch := range p.Assignments.Changes {
		fmt.Fprintln(w, "  "+describeChange(ch))
	}
	for _, m := range p.Memberships {
		fmt.Fprintf(w, "  - member of group %s\n", render.Escape(m.GroupName))
	}
	switch {
	case p.Disable && u.Status == "DISABLED":
		fmt.Fprintln(w, "  the user is disabled already")
	case p.Disable:
		fmt.Fprintln(w, "  then disable the user")
	default:
		fmt.Fprintln(w, "  then delete the user")
	}
	fmt.Fprintf(w, "%s and %s to remove.\n", plural(len(p.Assignments.Changes), "assignment"), plural(len(p.Memberships), "group membership"))
	return nil
}

// Step tells of one step of the IAM user's checklist as it is done.
func (v OffboardView) Step(r legacyiam.StepResult) {
	if !v.json {
		writeStepResult(v.out, r)
	}
}

// Done writes the document, then (with the Identity Center part done)
// what the executor did, what failed and what is left, and whether the
// user is gone.
func (v OffboardView) Done(d OffboardDoc, r *lifecycle.Offboarding) error {
	v.prog.Done()
	if r != nil {
		d.Applied = true
		if d.IAM != nil && len(d.IAM.Steps) > 0 {
			iam := *d.IAM
			iam.Applied, iam.Results = true, r.IAMResults
			d.IAM = &iam
		}
		d.Result = r.Result
	}
	if v.json {
		d.Stats = v.stats()
		if err := v.doc(d); err != nil {
			return err
		}
	}
	if r == nil || r.Result == nil {
		return nil
	}
	res := r.Result
	v.removals(res)
	if res.OK() && !v.json {
		if res.Disabled {
			fmt.Fprintf(v.out, "Disabled user %s; every assignment and group membership was removed.\n", render.Escape(d.Plan.User.UserName))
		} else {
			fmt.Fprintf(v.out, "Deleted user %s; every assignment and group membership was removed first.\n", render.Escape(d.Plan.User.UserName))
		}
	}
	return nil
}

// Failed writes what the executor did before the run stopped.
func (v OffboardView) Failed(_ OffboardDoc, r *lifecycle.Offboarding, _ error) {
	v.prog.Done()
	if r.Result != nil {
		v.removals(r.Result)
	}
}

func (v OffboardView) removals(res *lifecycle.OffboardResult) {
	ExecutionSummary(v.errOut, res.Assignments)
	for _, m := range res.Memberships {
		if m.Error != "" {
			fmt.Fprintf(v.errOut, "  FAILED remove from group %s: %s\n", render.Escape(m.GroupName), render.Escape(m.Error))
		}
	}
	for _, r := range res.Remaining {
		fmt.Fprintf(v.errOut, "  still there: %s\n", render.Escape(r))
	}
}

// NotifyPlan is the e-mail `user notify` will send.
type NotifyPlan struct {
	Template string
	// Email is the person's address, as the identity store has it.
	Email   string
	Message notify.Message
}

// Notified is what sending did.
type Notified struct {
	MessageId string
	// Warning says what went wrong after the e-mail was sent ("" for
	// nothing).
	Warning string
}

// NotifyDoc is the document of `user notify`.
type NotifyDoc struct {
	Message   notify.Message `json:"message"`
	Sent      bool           `json:"sent"`
	MessageId string         `json:"messageId,omitempty"`
	Stats     CallStats      `json:"stats"`
}

// Notify is the view of `user notify`.
func (u *User) Notify() WriteView[NotifyPlan, Notified] { return notifyView{u} }

type notifyView struct{ *User }

func (v notifyView) Plan(p NotifyPlan) error {
	if v.json {
		return nil
	}
	m, w := p.Message, v.out
	fmt.Fprintf(w, "From: %s\nTo: %s\n", render.Escape(m.From), render.Escape(strings.Join(m.To, ", ")))
	if len(m.CC) > 0 {
		fmt.Fprintf(w, "Cc: %s\n", render.Escape(strings.Join(m.CC, ", ")))
	}
	fmt.Fprintf(w, "Subject: %s\n\n%s", render.Escape(m.Subject), m.Text)
	fmt.Fprintln(w, "(and the same as HTML; -o json shows both parts)")
	return nil
}

func (v notifyView) Done(p NotifyPlan, r *Notified) error {
	doc := NotifyDoc{Message: p.Message}
	if r != nil {
		doc.Sent, doc.MessageId = true, r.MessageId
		if r.Warning != "" {
			fmt.Fprintf(v.errOut, "warning: the e-mail was sent, but %s: a later `user create --notify` may send it again\n", render.Escape(r.Warning))
		}
	}
	if v.json {
		doc.Stats = v.stats()
		return v.doc(doc)
	}
	if r != nil {
		fmt.Fprintf(v.out, "Sent the %s e-mail to %s (SES message id %s).\n", p.Template, render.Escape(p.Email), r.MessageId)
	}
	return nil
}

func (v notifyView) Failed(NotifyPlan, *Notified, error) {}

// describeChange is one plan line: "+ Developer on payments-dev (640775136188)".
func describeChange(ch execute.Change) string {
	sign := "+"
	if ch.Op == execute.Delete {
		sign = "-"
	}
	return sign + " " + describeTarget(ch)
}

// describeTarget is "Developer on payments-dev (640775136188)".
func describeTarget(ch execute.Change) string {
	ps := ch.PermissionSetName
	if ps == "" {
		ps = ch.PermissionSetArn
	}
	acct := ch.AccountId
	if ch.AccountName != "" {
		acct = render.Escape(ch.AccountName) + " (" + ch.AccountId + ")"
	}
	return fmt.Sprintf("%s on %s", render.Escape(ps), acct)
}

func writeAccessPlan(w io.Writer, p lifecycle.AccessPlan) {
	for _, ch := range p.Plan.Changes {
		fmt.Fprintln(w, "  "+describeChange(ch))
	}
	for _, ch := range p.Unchanged {
		what := "already assigned"
		if ch.Op == execute.Delete {
			what = "not assigned"
		}
		fmt.Fprintf(w, "  = %s (%s)\n", describeTarget(ch), what)
	}
	for _, s := range p.Skipped {
		fmt.Fprintf(w, "  ! skipped %s (%s): %s\n", render.Escape(s.Account.Name), s.Account.Id, s.Reason)
	}
}

func userLabel(u inventory.User) string {
	s := render.Escape(u.UserName)
	if u.DisplayName != "" || u.Email != "" {
		s += " (" + strings.TrimSpace(render.Escape(u.DisplayName)+" <"+render.Escape(u.Email)+">") + ")"
	}
	return s
}
