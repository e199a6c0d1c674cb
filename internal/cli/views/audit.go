package views

import (
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
	Stats    AuditStats       `json:"stats"`
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
	CallStats
}

// NewAuditReport is the document of an audit's result.
func NewAuditReport(res *audit.Result, calls CallStats) AuditReport {
	return AuditReport{
		Findings: nonNil(res.Findings), Errors: nonNil(res.Errors), Notes: nonNil(res.Notes),
		Stats: AuditStats{
			Instance: res.Instance, Strategy: res.Method, Complete: res.Complete, Causes: res.Causes, Rows: res.Rows,
			Accounts: res.Accounts, PermissionSets: res.PermissionSets, Users: res.Users, Groups: res.Groups,
			ProvisionedPairs: res.Provisioned, Assignments: res.Assignments, CallStats: calls,
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
	return v.s.end(
		render.Member{Key: "findings", Value: r.Findings},
		render.Member{Key: "errors", Value: r.Errors},
		render.Member{Key: "notes", Value: r.Notes},
		render.Member{Key: "stats", Value: r.Stats},
	)
}

// AuditSummary writes the audit's item errors (a line per cause), notes
// and one summary line to w (stderr); path is the report file ("" or "-"
// for stdout), asked is the file asked for when an incomplete report was
// written elsewhere (IncompletePath).
func AuditSummary(w io.Writer, r AuditReport, path, asked string) {
	problems(w, r.Errors, r.Notes)
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
	fmt.Fprintf(w, "audit: %d rows, %s, %d errors; %d API calls, %d throttled retries, %.1fs; strategy %s%s\n",
		r.Stats.Rows, findings, len(r.Errors), r.Stats.APICalls, r.Stats.ThrottledRetries, r.Stats.Seconds, method, where)
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
