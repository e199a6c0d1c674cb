package views

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/ssoctl/ssoctl/internal/assignments/list"
	"github.com/ssoctl/ssoctl/internal/audit"
	"github.com/ssoctl/ssoctl/internal/inventory"
	"github.com/ssoctl/ssoctl/internal/render"
)

// Audit renders `ssoctl audit`: rows as they come, then the rest.
type Audit interface {
	// Row writes one row of the report.
	Row(audit.Row) error
	// End writes the rest of the document (JSON: findings, errors, notes,
	// stats; CSV and table: nothing more) and flushes.
	End(AuditReport) error
	// Abort ends a failed run without leaving a partial document.
	Abort(cause error) error
	// Changed is how many CSV cells were made safe (CSVNote).
	Changed() int
}

// AuditReport is the audit's document, its rows aside.
type AuditReport struct {
	Findings []audit.Finding  `json:"findings"`
	Errors   []list.ItemError `json:"errors"`
	Notes    []string         `json:"notes"`
	// Production is who has privileged access to production, by OU and
	// account; Causes are the findings by cause, each with the indexes of
	// its findings (the drill-down). Not to be confused with stats.causes:
	// why a run is incomplete.
	Production audit.Production `json:"production"`
	Causes     []audit.Cause    `json:"causes"`
	Stats      AuditStats       `json:"stats"`
	// Review is what the review knew (saved with a snapshot; the HTML
	// report groups accounts by its OU paths).
	Review audit.Review `json:"-"`
	// Incremental describes an `audit --since` run (nil otherwise: the
	// member is then left out).
	Incremental *Incremental `json:"incremental,omitempty"`
}

// Incremental is what `audit --since` did: the snapshot it started from,
// the CloudTrail window it read, what it listed again, or why it made a
// full audit instead.
type Incremental struct {
	// Base is the snapshot it started from (nil: none was found).
	Base *int64 `json:"base"`
	// Fallback says why the audit was made in full (nil: it was
	// incremental).
	Fallback *string `json:"fallback"`
	// ExactUntil is the time up to which the result is exact (the
	// window's end less --cloudtrail-lag; a full audit: its start).
	ExactUntil time.Time `json:"exactUntil"`
	// The window of events read (absent when none was read).
	From    *time.Time `json:"from,omitempty"`
	To      *time.Time `json:"to,omitempty"`
	Lookups int        `json:"lookups"`
	Pages   int        `json:"pages"`
	Events  int        `json:"events"`
	// Placed counts the events that changed what the audit shows, by
	// name; Ignored those that did not; Repeated those the base placed.
	Placed   map[string]int `json:"placed"`
	Ignored  int            `json:"ignored"`
	Repeated int            `json:"repeated"`
	// Widened are the reasons the listing went beyond what the events
	// named (an incremental run).
	Widened []string `json:"widened"`
	// Relisted is what was listed again (an incremental run).
	Relisted *Relisted `json:"relisted"`
}

// Relisted is what an incremental audit listed again.
type Relisted struct {
	EveryAccount         bool `json:"everyAccount"`
	EveryUserAndGroup    bool `json:"everyUserAndGroup"`
	MembersOfEveryGroup  bool `json:"membersOfEveryAssignedGroup"`
	Pairs                int  `json:"pairs"`
	PermissionSets       int  `json:"permissionSets"`
	Accounts             int  `json:"accounts"`
	AccountsProvisioning int  `json:"accountsProvisioning"`
	GroupsMembers        int  `json:"groupsMembers"`
	Groups               int  `json:"groups"`
	Users                int  `json:"users"`
}

// AuditStats are what the audit read and how.
type AuditStats struct {
	Instance inventory.Instance `json:"instance"`
	// Strategy is the listing method ("permission-set" or "principal").
	Strategy list.Method `json:"strategy"`
	// Complete is false when the report may miss access: the method cannot
	// have seen every assignment, or items could not be listed; Causes
	// says why.
	Complete         bool         `json:"complete"`
	Causes           []list.Cause `json:"causes,omitempty"`
	Rows             int          `json:"rows"`
	Accounts         int          `json:"accounts"`
	PermissionSets   int          `json:"permissionSets"`
	Users            int          `json:"users"`
	Groups           int          `json:"groups"`
	ProvisionedPairs int          `json:"provisionedPairs"`
	Assignments      int          `json:"assignments"`
	// PoliciesRead is how many permission sets' policies were read for
	// the privilege rule (two calls each).
	PoliciesRead int `json:"policiesRead"`
	CallStats
}

// NewAuditReport is the document of an audit's result.
func NewAuditReport(res *audit.Result, calls CallStats) AuditReport {
	return AuditReport{
		Findings: nonNil(res.Findings), Errors: nonNil(res.Errors), Notes: nonNil(res.Notes),
		Production: res.AccessReview.Production, Causes: nonNil(res.AccessReview.Causes), Review: res.Review,
		Stats: AuditStats{
			Instance: res.Instance, Strategy: res.Method, Complete: res.Complete, Causes: res.Causes, Rows: res.Rows,
			Accounts: res.Accounts, PermissionSets: res.PermissionSets, Users: res.Users, Groups: res.Groups,
			ProvisionedPairs: res.Provisioned, Assignments: res.Assignments, PoliciesRead: res.Review.PoliciesRead, CallStats: calls,
		},
	}
}

// NewAudit returns the view for format csv, table or json; columns are
// the CSV and table columns (ParseAuditColumns).
func NewAudit(format string, w io.Writer, ro render.RowsOptions, columns []string) (Audit, error) {
	s, err := newStream(format, w, ro, "rows", columns, func(r audit.Row) []string { return auditValues(r, columns) })
	if err != nil {
		return nil, err
	}
	return &auditView{s}, nil
}

type auditView struct{ s *stream[audit.Row] }

func (v *auditView) Row(r audit.Row) error { return v.s.item(r) }
func (v *auditView) Abort(err error) error { return v.s.abort(err) }
func (v *auditView) Changed() int          { return v.s.changed() }
func (v *auditView) End(r AuditReport) error {
	members := []render.Member{
		{Key: "findings", Value: r.Findings},
		{Key: "errors", Value: r.Errors},
		{Key: "notes", Value: r.Notes},
		{Key: "production", Value: r.Production},
		{Key: "causes", Value: nonNil(r.Causes)},
		{Key: "stats", Value: r.Stats},
	}
	if r.Incremental != nil {
		members = append(members, render.Member{Key: "incremental", Value: r.Incremental})
	}
	return v.s.end(members...)
}

// AuditSummary writes the audit's item errors (a line per cause), notes,
// the privileged access to production (a line per OU), the findings by
// cause (a line each; with rows, each finding under its cause) and one
// summary line to w (stderr); path is the report file ("" or "-" for
// stdout), asked is the file asked for when an incomplete report was
// written elsewhere (IncompletePath).
func AuditSummary(w io.Writer, r AuditReport, path, asked string, rows bool) {
	problems(w, r.Errors, r.Notes)
	ProductionLines(w, r.Production)
	CauseLines(w, r.Causes, r.Findings, rows)
	kinds := map[string]int{}
	for _, f := range r.Findings {
		kinds[f.Kind]++
	}
	var parts []string
	for k, n := range kinds {
		parts = append(parts, fmt.Sprintf("%d %s", n, k))
	}
	sort.Strings(parts)
	findings := fmt.Sprintf("%d findings", len(r.Findings))
	if len(parts) > 0 {
		findings += " (" + strings.Join(parts, ", ") + ")"
	}
	method := string(r.Stats.Strategy)
	if r.Stats.Strategy == list.ByPrincipal {
		method += " (INCOMPLETE: assignments of deleted principals are not listed)"
	}
	if len(r.Errors) > 0 {
		method += "; INCOMPLETE: " + plural(len(r.Errors), "item") + " could not be listed"
	}
	where := ""
	if path != "" && path != "-" {
		where = "; wrote " + render.Escape(path)
		if asked != "" && asked != path {
			where += " (not " + render.Escape(asked) + ": the report is incomplete)"
		}
	}
	fmt.Fprintf(w, "audit: %d rows, %s, %d errors; %d API calls, %d throttled retries, %.1fs%s; strategy %s%s\n",
		r.Stats.Rows, findings, len(r.Errors), r.Stats.APICalls, r.Stats.ThrottledRetries, r.Stats.Seconds, reviewCalls(r.Stats), method, where)
}

// reviewCalls says what the review's reads cost: the permission sets'
// policies and the OU tree (" (18 calls read the policies of 9 permission
// sets, 19 the OU tree)"), "" when there were none.
func reviewCalls(s AuditStats) string {
	policies := s.CallsByOperation["sso-admin:GetInlinePolicyForPermissionSet"] + s.CallsByOperation["sso-admin:ListManagedPoliciesInPermissionSet"]
	tree := s.CallsByOperation["organizations:ListRoots"] + s.CallsByOperation["organizations:ListOrganizationalUnitsForParent"] +
		s.CallsByOperation["organizations:ListAccountsForParent"]
	var parts []string
	if policies > 0 {
		parts = append(parts, fmt.Sprintf("%s read the policies of %s", plural(policies, "call"), plural(s.PoliciesRead, "permission set")))
	}
	if tree > 0 {
		parts = append(parts, fmt.Sprintf("%d the OU tree", tree))
		if policies == 0 {
			parts[len(parts)-1] = plural(tree, "call") + " read the OU tree"
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

// MaxProductionNames bounds the users named on one OU's line.
const MaxProductionNames = 5

// ProductionLines writes the privileged access to production on w
// (stderr), one line per OU, escaped: "production: OU: N accounts, M users
// with privileged access (PS, PS): user, user, … and K more". Nothing when
// the org settings name no production.
func ProductionLines(w io.Writer, p audit.Production) {
	if !p.Set {
		return
	}
	var scope []string
	for _, e := range p.Scope {
		scope = append(scope, render.Escape(e.Name))
	}
	fmt.Fprintf(w, "production: %d of %s (%s) reached with a privileged permission set, by %s\n",
		p.Reached, plural(p.Accounts, "production account"), strings.Join(scope, ", "), plural(p.Users, "user"))
	for _, ou := range p.OUs {
		users, sets := map[string]bool{}, map[string]bool{}
		var names []string
		for _, a := range ou.Accounts {
			for _, x := range a.Access {
				sets[x.PermissionSet] = true
				who := x.UserName
				if who == "" {
					who = "(" + x.Path + ", no user)"
				}
				if !users[who] {
					users[who] = true
					names = append(names, who)
				}
			}
		}
		sort.Strings(names)
		more := ""
		if len(names) > MaxProductionNames {
			more = fmt.Sprintf(" and %d more", len(names)-MaxProductionNames)
			names = names[:MaxProductionNames]
		}
		for i := range names {
			names[i] = render.Escape(names[i])
		}
		setNames := make([]string, 0, len(sets))
		for s := range sets {
			setNames = append(setNames, render.Escape(s))
		}
		sort.Strings(setNames)
		fmt.Fprintf(w, "production: %s: %s, %s with privileged access (%s): %s%s\n", render.Escape(cmp.Or(ou.Path, "(no OU)")),
			plural(len(ou.Accounts), "account"), plural(len(users), "user"), strings.Join(setNames, ", "), strings.Join(names, ", "), more)
	}
}

// CauseLines writes the findings by cause on w (stderr), one line each,
// escaped: "finding: KIND SUBJECT NAME: N rows (F findings) in ACCOUNTS;
// most privileged PS". With rows, each cause's findings follow it,
// indented, one a line: the drill-down.
func CauseLines(w io.Writer, causes []audit.Cause, findings []audit.Finding, rows bool) {
	for _, c := range causes {
		fmt.Fprintln(w, CauseSummary(c))
		if !rows {
			continue
		}
		for _, i := range c.FindingIndexes {
			if i < 0 || i >= len(findings) {
				continue
			}
			f := findings[i]
			fmt.Fprintf(w, "  %s %s %s %s %s: %s\n", render.Escape(f.AccountName), render.Escape(f.AccountId), render.Escape(f.PermissionSet),
				render.Escape(f.PrincipalType), render.Escape(f.PrincipalId), render.Escape(f.Detail))
		}
	}
}

// CauseSummary is one cause on one line, escaped: "finding: KIND WHAT:
// N rows (F findings) in ACCOUNTS (P production); most privileged PS".
func CauseSummary(c audit.Cause) string {
	var what string
	switch c.Subject {
	case "user":
		what = "user " + render.Escape(c.Name)
	case "account":
		what = "account " + render.Escape(c.Name) + " " + render.Escape(c.Id)
	case "permissionSet":
		what = "permission set " + render.Escape(c.Name)
	default:
		what = render.Escape(c.Name) + " " + render.Escape(c.Id)
	}
	where := ""
	switch {
	case c.Subject == "account" || len(c.Accounts) == 0:
	case len(c.Accounts) == 1:
		where = " in " + render.Escape(c.Accounts[0].Name)
	default:
		where = " in " + plural(len(c.Accounts), "account")
	}
	if c.ProductionAccounts > 0 {
		where += fmt.Sprintf(" (%d production)", c.ProductionAccounts)
	}
	most := ""
	if c.MostPrivileged != "" {
		most = "; most privileged " + render.Escape(c.MostPrivileged)
		if c.Privileged {
			most += " (PRIVILEGED)"
		}
	}
	return fmt.Sprintf("finding: %s %s: %s (%s)%s%s", c.Kind, what, plural(c.Rows, "row"), plural(c.Findings, "finding"), where, most)
}

// AuditDefaultColumns are the report's columns, in order (aws-sso-audit's).
var AuditDefaultColumns = []string{"UserEmail", "UserName", "AccountId", "AccountName", "PermissionSet", "PrincipalType", "PrincipalId", "GroupName"}

// AuditIAMColumns are added by default with --iam, and need it.
var AuditIAMColumns = []string{"IAMUser", "IAMStage", "IAMConsolePassword", "IAMActiveKeys", "IAMMFA"}

// MembersNotListed fills the user columns of a group's row when its
// members could not be listed (the MEMBERS_UNKNOWN flag), so that it never
// reads as a group with no members (a row with empty user columns).
const MembersNotListed = "(members not listed)"

// userCell is a user column's cell: the value, or MembersNotListed.
func userCell(r audit.Row, v string) string {
	if v == "" && slices.Contains(r.Flags, list.FlagMembersUnknown) {
		return MembersNotListed
	}
	return v
}

// auditColumns are every column a report can have.
var auditColumns = map[string]func(audit.Row) string{
	"UserEmail":        func(r audit.Row) string { return userCell(r, r.UserEmail) },
	"UserName":         func(r audit.Row) string { return userCell(r, r.UserName) },
	"UserId":           func(r audit.Row) string { return userCell(r, r.UserId) },
	"UserStatus":       func(r audit.Row) string { return userCell(r, r.UserStatus) },
	"DisplayName":      func(r audit.Row) string { return userCell(r, r.DisplayName) },
	"AccountId":        func(r audit.Row) string { return r.AccountId },
	"AccountName":      func(r audit.Row) string { return r.AccountName },
	"AccountStatus":    func(r audit.Row) string { return r.AccountStatus },
	"PermissionSet":    func(r audit.Row) string { return r.PermissionSet },
	"PermissionSetArn": func(r audit.Row) string { return r.PermissionSetArn },
	"PrincipalType":    func(r audit.Row) string { return r.PrincipalType },
	"PrincipalId":      func(r audit.Row) string { return r.PrincipalId },
	"GroupName":        func(r audit.Row) string { return r.GroupName },
	"Flags":            func(r audit.Row) string { return strings.Join(r.Flags, ";") },
	// Path is how the user has the access: direct, group:NAME, or grant
	// (a just-in-time grant's; grant:group:NAME through a group).
	"Path": func(r audit.Row) string { return r.Path() },
	// GrantExpires is when a just-in-time grant's access ends (RFC 3339
	// UTC; empty for other access).
	"GrantExpires": func(r audit.Row) string {
		if r.GrantExpires == nil {
			return ""
		}
		return r.GrantExpires.UTC().Format(time.RFC3339)
	},
	"IAMUser": func(r audit.Row) string {
		if r.IAM == nil {
			return ""
		}
		return r.IAM.UserName
	},
	// IAMStage is the legacy user's migration stage: active (a key works),
	// keys-deactivated (only the console password does), deactivated
	// (nothing does; the deletion is left).
	"IAMStage": func(r audit.Row) string {
		if r.IAM == nil {
			return ""
		}
		return r.IAM.Stage
	},
	"IAMConsolePassword": func(r audit.Row) string {
		if r.IAM == nil {
			return ""
		}
		return yesNo(r.IAM.ConsolePassword)
	},
	"IAMActiveKeys": func(r audit.Row) string {
		if r.IAM == nil {
			return ""
		}
		var keys []string
		for _, k := range r.IAM.ActiveKeys {
			used := "never used"
			if k.LastUsed != nil {
				used = "last used " + k.LastUsed.UTC().Format(time.RFC3339)
				if k.Service != "" {
					used += " (" + k.Service + ")"
				}
			}
			keys = append(keys, k.Id+" "+used)
		}
		return strings.Join(keys, ";")
	},
	"IAMMFA": func(r audit.Row) string {
		if r.IAM == nil {
			return ""
		}
		return yesNo(r.IAM.MFA)
	},
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// AuditColumnNames lists every known column, sorted.
func AuditColumnNames() []string {
	out := make([]string, 0, len(auditColumns))
	for k := range auditColumns {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// ParseAuditColumns reads --columns: "A,B" chooses the columns; "+A,B"
// adds them to the defaults. Names match without regard to case. The IAM
// columns need iam (--iam): without it they would be empty.
func ParseAuditColumns(spec string, iam bool) ([]string, error) {
	base := append([]string(nil), AuditDefaultColumns...)
	if iam {
		base = append(base, AuditIAMColumns...)
	}
	if spec == "" {
		return base, nil
	}
	add := strings.HasPrefix(spec, "+")
	var out []string
	if add {
		out = base
		spec = spec[1:]
	}
	for _, name := range strings.Split(spec, ",") {
		name = strings.TrimSpace(name)
		canon := ""
		for k := range auditColumns {
			if strings.EqualFold(k, name) {
				canon = k
			}
		}
		if canon == "" {
			return nil, fmt.Errorf("unknown column %q (known: %s)", name, strings.Join(AuditColumnNames(), ", "))
		}
		if !iam && strings.HasPrefix(canon, "IAM") {
			return nil, fmt.Errorf("column %s needs --iam (it shows the legacy IAM user that --iam looks up)", canon)
		}
		out = append(out, canon)
	}
	return out, nil
}

// auditValues renders a row in the given columns.
func auditValues(r audit.Row, cols []string) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = auditColumns[c](r)
	}
	return out
}
