package views

import (
	"fmt"
	"io"

	"github.com/ssoctl/ssoctl/internal/assignments/list"
	"github.com/ssoctl/ssoctl/internal/inventory"
	"github.com/ssoctl/ssoctl/internal/render"
)

// Assignments renders `ssoctl admin assignments`: rows as they come,
// then the rest.
type Assignments interface {
	Row(list.Row) error
	End(AssignmentsReport) error
	Abort(cause error) error
	// Changed is how many CSV cells were made safe (CSVNote).
	Changed() int
}

// AssignmentsReport is the listing's document, its rows aside.
type AssignmentsReport struct {
	Errors []list.ItemError `json:"errors"`
	Notes  []string         `json:"notes"`
	Stats  AssignmentsStats `json:"stats"`
}

// AssignmentsStats are what the listing read and how.
type AssignmentsStats struct {
	Instance inventory.Instance `json:"instance"`
	// Method is "account-permission-set" (per provisioned pair) or
	// "principal", as this document has always named them.
	Method           string `json:"method"`
	Rows             int    `json:"rows"`
	Accounts         int    `json:"accounts"`
	PermissionSets   int    `json:"permissionSets"`
	ProvisionedPairs int    `json:"provisionedPairs"`
	Principals       int    `json:"principals"`
	CallStats
}

// NewAssignmentsReport is the document of a listing's result.
func NewAssignmentsReport(res *list.NamedResult, calls CallStats) AssignmentsReport {
	method := string(res.Method)
	if res.Method == list.ByPermissionSet {
		method = "account-permission-set"
	}
	return AssignmentsReport{
		Errors: nonNil(res.Errors), Notes: nonNil(res.Notes),
		Stats: AssignmentsStats{
			Instance: res.Instance, Method: method, Rows: res.Rows, Accounts: res.Accounts,
			PermissionSets: res.PermissionSets, ProvisionedPairs: res.Pairs, Principals: res.Principals, CallStats: calls,
		},
	}
}

// AssignmentColumns are the CSV and table columns, aws-sso-util's first.
var AssignmentColumns = []string{
	"instance_arn", "principal_type", "principal_id", "principal_name",
	"permission_set_arn", "permission_set_name", "target_type", "target_id", "target_name",
	"account_status", "ou", "ou_id",
}

func assignmentValues(a list.Row) []string {
	return []string{a.InstanceArn, a.PrincipalType, a.PrincipalId, a.PrincipalName,
		a.PermissionSetArn, a.PermissionSetName, a.TargetType, a.TargetId, a.TargetName,
		a.AccountStatus, a.OU, a.OUId}
}

// NewAssignments returns the view for format csv, table or json.
func NewAssignments(format string, w io.Writer, ro render.RowsOptions) (Assignments, error) {
	s, err := newStream(format, w, ro, "assignments", AssignmentColumns, assignmentValues)
	if err != nil {
		return nil, err
	}
	return &assignmentsView{s}, nil
}

type assignmentsView struct{ s *stream[list.Row] }

func (v *assignmentsView) Row(r list.Row) error  { return v.s.item(r) }
func (v *assignmentsView) Abort(err error) error { return v.s.abort(err) }
func (v *assignmentsView) Changed() int          { return v.s.changed() }
func (v *assignmentsView) End(r AssignmentsReport) error {
	return v.s.end(
		render.Member{Key: "errors", Value: r.Errors},
		render.Member{Key: "notes", Value: r.Notes},
		render.Member{Key: "stats", Value: r.Stats},
	)
}

// AssignmentsSummary writes the listing's item errors, notes and one
// summary line to w (stderr).
func AssignmentsSummary(w io.Writer, r AssignmentsReport) {
	problems(w, r.Errors, r.Notes)
	s := r.Stats
	how := "listed per provisioned (account, permission set) pair: " + plural(s.ProvisionedPairs, "pair")
	if s.Method == string(list.ByPrincipal) {
		how = "listed per principal: " + plural(s.Principals, "principal")
	}
	fmt.Fprintf(w, "assignments: %s, %s; %s, %s; %s; %s, %d throttled retries, %.1fs\n",
		plural(s.Rows, "row"), plural(len(r.Errors), "error"), plural(s.Accounts, "account"), plural(s.PermissionSets, "permission set"),
		how, plural(s.APICalls, "API call"), s.ThrottledRetries, s.Seconds)
}
