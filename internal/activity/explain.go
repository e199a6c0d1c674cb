package activity

import (
	"slices"

	"github.com/ssoctl/ssoctl/internal/audit"
)

// Explainer tells which event explains a row of access gained or lost
// between two audits, from the facts of the events between them.
type Explainer struct {
	byAssignment map[[4]string][]Fact // account, permission set, principal type, principal id
	byMember     map[[2]string][]Fact // group, user
	byGroup      map[string][]Fact
	byUser       map[string][]Fact
}

// NewExplainer indexes facts.
func NewExplainer(facts []Fact) *Explainer {
	x := &Explainer{byAssignment: map[[4]string][]Fact{}, byMember: map[[2]string][]Fact{}, byGroup: map[string][]Fact{}, byUser: map[string][]Fact{}}
	for _, f := range facts {
		switch f.Kind {
		case Assign, Unassign:
			k := [4]string{f.AccountId, f.PermissionSetArn, f.PrincipalType, f.PrincipalId}
			x.byAssignment[k] = append(x.byAssignment[k], f)
		case Join, Leave:
			x.byMember[[2]string{f.GroupId, f.UserId}] = append(x.byMember[[2]string{f.GroupId, f.UserId}], f)
			x.byGroup[f.GroupId] = append(x.byGroup[f.GroupId], f)
		case DeleteGroup:
			x.byGroup[f.GroupId] = append(x.byGroup[f.GroupId], f)
		case DeleteUser:
			x.byUser[f.UserId] = append(x.byUser[f.UserId], f)
		}
	}
	return x
}

// Explain returns the latest event that explains row r being gained
// (change "GAINED") or lost ("LOST"), and whether there is one:
//
//   - gained: the assignment created; the user added to the group; for the
//     empty row of a group, its last member removed or the group (or a
//     user assigned directly) deleted, which leaves its assignment orphaned;
//   - lost: the assignment deleted; the user removed from the group; the
//     user or the group deleted; for the empty row of a group, its first
//     member added.
func (x *Explainer) Explain(change string, r audit.Row) (Fact, bool) {
	var cands []Fact
	add := func(fs []Fact, kinds ...string) {
		for _, f := range fs {
			if slices.Contains(kinds, f.Kind) {
				cands = append(cands, f)
			}
		}
	}
	assignment := x.byAssignment[[4]string{r.AccountId, r.PermissionSetArn, r.PrincipalType, r.PrincipalId}]
	group := r.PrincipalType == "GROUP"
	gained := change == "GAINED"
	switch {
	case gained && r.UserId != "":
		add(assignment, Assign)
		if group {
			add(x.byMember[[2]string{r.PrincipalId, r.UserId}], Join)
		}
	case gained && group:
		add(assignment, Assign)
		add(x.byGroup[r.PrincipalId], Leave, DeleteGroup)
	case gained:
		add(assignment, Assign)
		add(x.byUser[r.PrincipalId], DeleteUser)
	case r.UserId != "":
		add(assignment, Unassign)
		add(x.byUser[r.UserId], DeleteUser)
		if group {
			add(x.byMember[[2]string{r.PrincipalId, r.UserId}], Leave)
			add(x.byGroup[r.PrincipalId], DeleteGroup)
		}
	case group:
		add(assignment, Unassign)
		add(x.byGroup[r.PrincipalId], Join)
	default:
		add(assignment, Unassign)
	}
	if len(cands) == 0 {
		return Fact{}, false
	}
	return slices.MaxFunc(cands, func(a, b Fact) int { return a.Time.Compare(b.Time) }), true
}
