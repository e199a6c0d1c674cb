package audit

import (
	"cmp"
	"sort"
	"strings"

	"github.com/ssoctl/ssoctl/internal/assignments"
	"github.com/ssoctl/ssoctl/internal/inventory"
	"github.com/ssoctl/ssoctl/internal/orgconfig"
)

// emitRows expands the assignments, which come in the lister's order
// (account name, account id, permission set name and ARN), into rows and
// emits one (account, permission set) block at a time, sorted, so only
// that block is held in memory.
func (a *auditor) emitRows(listed []inventory.Assignment, emit func(Row) error) error {
	total := len(listed)
	var block []Row
	flush := func() error {
		sortRows(block)
		for _, r := range block {
			if err := emit(r); err != nil {
				return err
			}
			a.res.Rows++
		}
		block = block[:0]
		return nil
	}
	for i, as := range listed {
		if i > 0 && (as.AccountId != listed[i-1].AccountId || as.PermissionSetArn != listed[i-1].PermissionSetArn) {
			if err := flush(); err != nil {
				return err
			}
			a.progress("write", i, total)
		}
		block = append(block, a.rowsOf(as)...)
	}
	if err := flush(); err != nil {
		return err
	}
	a.progress("write", total, total)
	return nil
}

// sortRows orders one block: direct assignments first, then by group
// name, user name and user id.
func sortRows(rows []Row) {
	sort.SliceStable(rows, func(i, j int) bool {
		x, y := rows[i], rows[j]
		return cmp.Or(
			cmp.Compare(assignments.TypeRank(x.PrincipalType), assignments.TypeRank(y.PrincipalType)),
			cmp.Compare(x.GroupName, y.GroupName),
			cmp.Compare(x.PrincipalId, y.PrincipalId),
			cmp.Compare(x.UserName, y.UserName),
			cmp.Compare(x.UserId, y.UserId),
		) < 0
	})
}

// rowsOf expands one assignment: a user gives one row; a group gives one
// row per member, or one row with empty user columns when it has none.
func (a *auditor) rowsOf(as inventory.Assignment) []Row {
	acct, knownAccount := a.accounts[as.AccountId]
	ps := a.psets[as.PermissionSetArn]
	base := Row{
		AccountId: as.AccountId, AccountName: acct.Name, AccountStatus: acct.Status,
		PermissionSet: ps.Name, PermissionSetArn: as.PermissionSetArn,
		PrincipalType: as.PrincipalType, PrincipalId: as.PrincipalId,
	}
	if ps.Name == "" {
		base.PermissionSet = as.PermissionSetArn
	}
	if g, ok := a.groups[as.PrincipalId]; ok && as.PrincipalType == "GROUP" {
		base.GroupName = g.Name
	}
	// Flags that hold for the whole assignment.
	var flags []string
	if !knownAccount {
		flags = append(flags, assignments.FlagUnknownAccount)
		a.finding(assignments.FlagUnknownAccount, base, "", "the account is not in the organization")
	} else if acct.Status != "ACTIVE" {
		flags = append(flags, assignments.FlagSuspended)
		a.finding(assignments.FlagSuspended, base, "", "account is "+acct.Status+" but still assigned")
	}
	if up, ok := a.provisioned[as.PermissionSetArn][as.AccountId]; !ok || !up {
		flags = append(flags, assignments.FlagNotProvisioned)
		detail := "the permission set is not provisioned to this account"
		if ok {
			detail = "the latest version of the permission set is not provisioned to this account"
		}
		a.finding(assignments.FlagNotProvisioned, base, "", detail)
	}

	userRow := func(u inventory.User, extra ...string) Row {
		r := base
		r.UserEmail, r.UserName, r.UserId, r.UserStatus, r.DisplayName = u.Email, u.UserName, u.Id, u.Status, u.DisplayName
		r.Flags = append(append([]string(nil), flags...), extra...)
		if u.Status == "DISABLED" {
			r.Flags = append(r.Flags, assignments.FlagDisabledUser)
			a.finding(assignments.FlagDisabledUser, base, u.UserName, "user "+u.UserName+" is DISABLED but has access")
		}
		if a.legacyDomain(u.Email) {
			r.Flags = append(r.Flags, assignments.FlagLegacyDomain)
			a.finding(assignments.FlagLegacyDomain, base, u.UserName, "user "+u.UserName+"'s e-mail address "+u.Email+" is in a legacy domain")
		}
		if st := a.iam[u.Id]; st != nil {
			r.IAM = st
			if st.Legacy() {
				r.Flags = append(r.Flags, assignments.FlagLegacyIAMUser)
			}
		}
		return r
	}
	emptyRow := func(extra ...string) Row {
		r := base
		r.Flags = append(append([]string(nil), flags...), extra...)
		return r
	}

	switch as.PrincipalType {
	case "USER":
		u, ok := a.users[as.PrincipalId]
		if !ok {
			a.finding(assignments.FlagOrphaned, base, "", "the assigned user no longer exists")
			return []Row{emptyRow(assignments.FlagOrphaned)}
		}
		return []Row{userRow(u)}
	default:
		g, ok := a.groups[as.PrincipalId]
		if !ok {
			a.finding(assignments.FlagOrphaned, base, "", "the assigned group no longer exists")
			return []Row{emptyRow(assignments.FlagOrphaned)}
		}
		if a.memberErr[g.Id] {
			return []Row{emptyRow(assignments.FlagMembersUnknown)}
		}
		members := a.members[g.Id]
		if len(members) == 0 {
			return []Row{emptyRow()}
		}
		rows := make([]Row, 0, len(members))
		for _, id := range members {
			u, ok := a.users[id]
			if !ok {
				u = inventory.User{Id: id}
			}
			rows = append(rows, userRow(u))
		}
		return rows
	}
}

// finding records a finding once per kind, assignment and user.
func (a *auditor) finding(kind string, r Row, user, detail string) {
	k := kind + "|" + r.AccountId + "|" + r.PermissionSetArn + "|" + r.PrincipalType + "|" + r.PrincipalId + "|" + user
	if a.seen[k] {
		return
	}
	a.seen[k] = true
	name := user
	if name == "" {
		if r.PrincipalType == "GROUP" {
			name = r.GroupName
		} else if u, ok := a.users[r.PrincipalId]; ok {
			name = u.UserName
		}
	}
	a.res.Findings = append(a.res.Findings, Finding{
		Kind: kind, AccountId: r.AccountId, AccountName: r.AccountName, PermissionSet: r.PermissionSet,
		PrincipalType: r.PrincipalType, PrincipalId: r.PrincipalId, Name: name, Detail: detail,
	})
}

func sortFindings(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		x, y := fs[i], fs[j]
		return cmp.Or(
			cmp.Compare(x.Kind, y.Kind), cmp.Compare(x.AccountName, y.AccountName), cmp.Compare(x.AccountId, y.AccountId),
			cmp.Compare(x.PermissionSet, y.PermissionSet), cmp.Compare(x.PrincipalId, y.PrincipalId), cmp.Compare(x.Name, y.Name),
		) < 0
	})
}

// legacyDomain reports whether an address is in one of Options.LegacyDomains.
func (a *auditor) legacyDomain(email string) bool {
	d := orgconfig.DomainOf(email)
	if d == "" {
		return false
	}
	for _, l := range a.opts.LegacyDomains {
		if strings.EqualFold(d, l) {
			return true
		}
	}
	return false
}
