package audit

import (
	"cmp"
	"context"
	"sort"
	"strings"
	"sync"

	"github.com/ssoctl/ssoctl/internal/assignments"
	"github.com/ssoctl/ssoctl/internal/assignments/list"
	"github.com/ssoctl/ssoctl/internal/inventory"
	"github.com/ssoctl/ssoctl/internal/orgconfig"
)

// queue hands the lister's blocks (the assignments of one account and
// permission set, in the lister's order) to the writer. It never blocks the
// lister; it holds only the blocks the writer has not reached yet.
type queue struct {
	mu     sync.Mutex
	blocks [][]assignments.Assignment
	n      int // assignments pushed
	closed bool
	err    error
	wake   chan struct{}
}

func newQueue() *queue { return &queue{wake: make(chan struct{}, 1)} }

func (q *queue) push(b []assignments.Assignment) {
	q.mu.Lock()
	q.blocks = append(q.blocks, b)
	q.n += len(b)
	q.mu.Unlock()
	q.signal()
}

// close ends the queue; err is the listing's error, if any.
func (q *queue) close(err error) {
	q.mu.Lock()
	q.closed, q.err = true, err
	q.mu.Unlock()
	q.signal()
}

func (q *queue) signal() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// pop waits for the next block; ok is false once the queue is closed and
// empty, or the listing failed.
func (q *queue) pop(ctx context.Context) (b []assignments.Assignment, listed int, closed, ok bool) {
	for {
		q.mu.Lock()
		if q.err != nil {
			q.mu.Unlock()
			return nil, 0, true, false
		}
		if len(q.blocks) > 0 {
			b = q.blocks[0]
			q.blocks[0] = nil
			q.blocks = q.blocks[1:]
			listed, closed = q.n, q.closed
			q.mu.Unlock()
			return b, listed, closed, true
		}
		if q.closed {
			q.mu.Unlock()
			return nil, q.n, true, false
		}
		q.mu.Unlock()
		select {
		case <-q.wake:
		case <-ctx.Done():
			return nil, 0, false, false
		}
	}
}

// write turns the listed blocks into rows as they arrive, each block
// sorted once its groups' members are listed, and emits them: the rows
// come out in the same order as if every assignment had been listed first,
// and only the blocks not yet written are held in memory.
func (a *auditor) write(ctx context.Context, q *queue, emit func(Row) error) error {
	select { // rows carry the IAM status
	case <-a.iamDone:
	case <-ctx.Done():
		return nil
	}
	var (
		rows    []Row
		written int
	)
	for {
		listed, listedN, closed, ok := q.pop(ctx)
		if !ok {
			if closed && listedN > 0 {
				a.progress("write", written, listedN)
			}
			return nil
		}
		if !a.waitMembers(ctx, listed) || !a.waitPolicies(ctx, listed[0].PermissionSetArn) {
			return nil
		}
		rows = rows[:0]
		for _, as := range listed {
			rows = append(rows, a.rowsOf(as)...)
		}
		sortRows(rows)
		for _, r := range rows {
			if err := emit(r); err != nil {
				return err
			}
			a.reviewer.Row(r)
			a.res.Rows++
		}
		clear(rows)
		written += len(listed)
		a.res.Assignments = written
		if closed { // the total is known once the listing is over
			a.progress("write", written, listedN)
		}
	}
}

// waitMembers waits until the members of every group these assignments
// name are listed (or failed); false when ctx ended first.
func (a *auditor) waitMembers(ctx context.Context, listed []assignments.Assignment) bool {
	for _, as := range listed {
		if as.PrincipalType != "GROUP" {
			continue
		}
		a.mu.Lock()
		done := a.memberDone[as.PrincipalId]
		a.mu.Unlock()
		if done == nil {
			continue // not a known group: no members to wait for
		}
		select {
		case <-done:
		case <-ctx.Done():
			return false
		}
	}
	return true
}

// sortRows orders one block: direct assignments first, then by group
// name, user name and user id.
func sortRows(rows []Row) {
	sort.SliceStable(rows, func(i, j int) bool {
		x, y := rows[i], rows[j]
		return cmp.Or(
			cmp.Compare(list.TypeRank(x.PrincipalType), list.TypeRank(y.PrincipalType)),
			cmp.Compare(x.GroupName, y.GroupName),
			cmp.Compare(x.PrincipalId, y.PrincipalId),
			cmp.Compare(x.UserName, y.UserName),
			cmp.Compare(x.UserId, y.UserId),
		) < 0
	})
}

// rowsOf expands one assignment: a user gives one row; a group gives one
// row per member, or one row with empty user columns when it has none.
func (a *auditor) rowsOf(as assignments.Assignment) []Row {
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
		flags = append(flags, list.FlagUnknownAccount)
		a.finding(list.FlagUnknownAccount, base, "", "the account is not in the organization")
	} else if acct.Status != "ACTIVE" {
		flags = append(flags, list.FlagSuspended)
		a.finding(list.FlagSuspended, base, "", "account is "+acct.Status+" but still assigned")
	}
	if up, ok := a.provisioned[as.PermissionSetArn][as.AccountId]; !ok || !up {
		flags = append(flags, list.FlagNotProvisioned)
		detail := "the permission set is not provisioned to this account"
		if ok {
			detail = "the latest version of the permission set is not provisioned to this account"
		}
		a.finding(list.FlagNotProvisioned, base, "", detail)
	}

	userRow := func(u inventory.User, extra ...string) Row {
		r := base
		r.UserEmail, r.UserName, r.UserId, r.UserStatus, r.DisplayName = u.Email, u.UserName, u.Id, u.Status, u.DisplayName
		r.Flags = append(append([]string(nil), flags...), extra...)
		if u.Status == "DISABLED" {
			r.Flags = append(r.Flags, list.FlagDisabledUser)
			a.finding(list.FlagDisabledUser, base, u.UserName, "user "+u.UserName+" is DISABLED but has access")
		}
		if a.legacyDomain(u.Email) {
			r.Flags = append(r.Flags, list.FlagLegacyDomain)
			a.finding(list.FlagLegacyDomain, base, u.UserName, "user "+u.UserName+"'s e-mail address "+u.Email+" is in a legacy domain")
		}
		if st := a.iam[u.Id]; st != nil {
			r.IAM = st
			if st.Legacy() {
				r.Flags = append(r.Flags, list.FlagLegacyIAMUser)
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
			a.finding(list.FlagOrphaned, base, "", "the assigned user no longer exists")
			return []Row{emptyRow(list.FlagOrphaned)}
		}
		return []Row{userRow(u)}
	default:
		g, ok := a.groups[as.PrincipalId]
		if !ok {
			a.finding(list.FlagOrphaned, base, "", "the assigned group no longer exists")
			return []Row{emptyRow(list.FlagOrphaned)}
		}
		a.mu.Lock()
		failed, members := a.memberErr[g.Id], a.members[g.Id]
		a.mu.Unlock()
		if failed {
			return []Row{emptyRow(list.FlagMembersUnknown)}
		}
		if len(members) == 0 {
			return []Row{emptyRow()}
		}
		rows := make([]Row, 0, len(members))
		for _, m := range members {
			u, ok := a.users[m.UserId]
			if !ok {
				u = inventory.User{Id: m.UserId}
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
