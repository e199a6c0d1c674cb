// Package audit computes effective access: every user × account ×
// permission set × path (direct, or through which group), with findings
// (orphaned assignments, disabled users with access, suspended accounts still
// assigned, permission sets not provisioned). It follows anchors-admin.md §5:
// a discovery pass, then the cheaper of permission-set-first and
// principal-first, names from bulk lists, and rows streamed in a
// deterministic order.
package audit

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/ssoctl/ssoctl/internal/fanout"
	"github.com/ssoctl/ssoctl/internal/inventory"
)

// Strategies.
const (
	StrategyAuto          = "auto"
	StrategyPermissionSet = "permission-set" // S2: ListAccountAssignments per provisioned pair
	StrategyPrincipal     = "principal"      // S3: ListAccountAssignmentsForPrincipal per user and group
)

// Finding kinds, also used as row flags.
const (
	FlagOrphaned       = "ORPHANED_PRINCIPAL" // the assigned user or group no longer exists
	FlagDisabledUser   = "DISABLED_USER"      // a DISABLED user still has access
	FlagSuspended      = "SUSPENDED_ACCOUNT"  // the account is suspended or closing, yet assigned
	FlagNotProvisioned = "NOT_PROVISIONED"    // the permission set's latest version is not provisioned there
	FlagUnknownAccount = "UNKNOWN_ACCOUNT"    // the account is not in the organization
	FlagMembersUnknown = "MEMBERS_UNKNOWN"    // the group's members could not be listed
	FlagLegacyIAMUser  = "LEGACY_IAM_USER"    // an IAM user of the same name has a password or active keys
)

// Options controls an audit.
type Options struct {
	InstanceArn string
	Strategy    string
	// IAM adds the legacy IAM status of each user (in the credentials' account).
	IAM bool
	// Progress, when set, is told how far the audit has got.
	Progress func(Progress)
}

// Progress is a snapshot of a running audit.
type Progress struct {
	Phase string // discover, assignments, members, iam, write
	Done  int
	Total int
}

// Row is one line of the report.
type Row struct {
	UserEmail        string     `json:"userEmail"`
	UserName         string     `json:"userName"`
	UserId           string     `json:"userId,omitempty"`
	UserStatus       string     `json:"userStatus,omitempty"`
	DisplayName      string     `json:"displayName,omitempty"`
	AccountId        string     `json:"accountId"`
	AccountName      string     `json:"accountName"`
	AccountStatus    string     `json:"accountStatus,omitempty"`
	PermissionSet    string     `json:"permissionSet"`
	PermissionSetArn string     `json:"permissionSetArn"`
	PrincipalType    string     `json:"principalType"`
	PrincipalId      string     `json:"principalId"`
	GroupName        string     `json:"groupName,omitempty"`
	Flags            []string   `json:"flags,omitempty"`
	IAM              *IAMStatus `json:"iam,omitempty"`
}

// Finding is one problem the audit found, once per assignment (and user).
type Finding struct {
	Kind          string `json:"kind"`
	AccountId     string `json:"accountId"`
	AccountName   string `json:"accountName"`
	PermissionSet string `json:"permissionSet"`
	PrincipalType string `json:"principalType"`
	PrincipalId   string `json:"principalId"`
	Name          string `json:"name,omitempty"` // user or group name when known
	Detail        string `json:"detail"`
}

// ItemError is one item that kept failing; the rest of the report stands.
type ItemError struct {
	Item  string `json:"item"`
	Error string `json:"error"`
}

// Result is everything but the rows, which were streamed.
type Result struct {
	Instance    inventory.Instance `json:"instance"`
	Strategy    string             `json:"strategy"`
	Rows        int                `json:"rows"`
	Findings    []Finding          `json:"findings"`
	Errors      []ItemError        `json:"errors"`
	Notes       []string           `json:"notes,omitempty"`
	Accounts    int                `json:"accounts"`
	PermSets    int                `json:"permissionSets"`
	Users       int                `json:"users"`
	Groups      int                `json:"groups"`
	Provisioned int                `json:"provisionedPairs"`
	Assignments int                `json:"assignments"`
}

// Clients are what an audit reads.
type Clients struct {
	inventory.Clients
	IAM IAM // only with Options.IAM
}

// auditor carries one run's state.
type auditor struct {
	c    Clients
	opts Options
	inst inventory.Instance

	accounts map[string]inventory.Account
	psets    map[string]inventory.PermissionSet
	users    map[string]inventory.User
	groups   map[string]inventory.Group
	// provisioned[ps][account] is true when up to date, false when outdated.
	provisioned map[string]map[string]bool
	members     map[string][]string // group id -> user ids
	memberErr   map[string]bool
	iam         map[string]*IAMStatus // identity-store user id -> IAM status

	side        *fanout.Group   // member listings and the IAM check, beside the assignments
	expanding   map[string]bool // groups whose members are listed or being listed
	membersDone int

	mu     sync.Mutex // guards res, members, memberErr, iam, expanding, membersDone
	res    *Result
	seen   map[string]bool // findings already recorded
	totalP int
}

// Run audits the organization and passes every row to emit, in order.
// It returns an error only when the audit as a whole could not run; items
// that failed are in Result.Errors.
func Run(ctx context.Context, c Clients, opts Options, emit func(Row) error) (*Result, error) {
	a := &auditor{c: c, opts: opts, res: &Result{Findings: []Finding{}, Errors: []ItemError{}}, seen: map[string]bool{},
		members: map[string][]string{}, memberErr: map[string]bool{}, expanding: map[string]bool{}}
	if err := a.discover(ctx); err != nil {
		return nil, err
	}
	strategy := a.chooseStrategy()
	a.res.Strategy = strategy
	// Members of assigned groups are listed as soon as an assignment names
	// the group, and legacy IAM users are read at the same time: the
	// identity store and IAM have quotas of their own, which would
	// otherwise sit idle while sso-admin lists assignments.
	a.side = fanout.NewGroup(ctx, a.c.Concurrency0())
	if opts.IAM {
		a.side.Go(func(ctx context.Context) {
			if err := a.legacyIAM(ctx); err != nil {
				a.itemError("legacy IAM users", err)
			}
		})
	}
	var assignments []inventory.Assignment
	if strategy == StrategyPermissionSet {
		assignments = a.permissionSetFirst(ctx)
	} else {
		assignments = a.principalFirst(ctx)
		a.res.Notes = append(a.res.Notes, "principal-first cannot see assignments of deleted principals; use --strategy permission-set to check for orphans")
	}
	a.side.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	a.res.Assignments = len(assignments)
	if err := a.emitRows(assignments, emit); err != nil {
		return nil, err
	}
	sortFindings(a.res.Findings)
	sort.SliceStable(a.res.Errors, func(i, j int) bool { return a.res.Errors[i].Item < a.res.Errors[j].Item })
	return a.res, nil
}

func (a *auditor) progress(phase string, done, total int) {
	if a.opts.Progress != nil {
		a.opts.Progress(Progress{Phase: phase, Done: done, Total: total})
	}
}

func (a *auditor) itemError(item string, err error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.res.Errors = append(a.res.Errors, ItemError{Item: item, Error: err.Error()})
}

// discover reads the instance, then accounts, permission sets (with their
// provisioning), users and groups, each service concurrently.
func (a *auditor) discover(ctx context.Context) error {
	a.progress("discover", 0, 0)
	inst, err := inventory.FindInstance(ctx, a.c.SSOAdmin, a.opts.InstanceArn)
	if err != nil {
		return err
	}
	a.inst = inst
	a.res.Instance = inst
	var (
		accounts []inventory.Account
		psets    []inventory.PermissionSet
		users    []inventory.User
		groups   []inventory.Group
		errs     [4]error
	)
	fanout.Each(ctx, 4, 4, func(ctx context.Context, i int) {
		switch i {
		case 0:
			accounts, errs[0] = inventory.Accounts(ctx, a.c.Organizations)
		case 1:
			psets, errs[1] = a.discoverPermissionSets(ctx)
		case 2:
			users, errs[2] = inventory.Users(ctx, a.c.IdentityStore, inst)
		case 3:
			groups, errs[3] = inventory.Groups(ctx, a.c.IdentityStore, inst)
		}
	})
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	a.accounts = make(map[string]inventory.Account, len(accounts))
	for _, x := range accounts {
		a.accounts[x.Id] = x
	}
	a.psets = make(map[string]inventory.PermissionSet, len(psets))
	for _, x := range psets {
		a.psets[x.Arn] = x
	}
	a.users = make(map[string]inventory.User, len(users))
	for _, x := range users {
		a.users[x.Id] = x
	}
	a.groups = make(map[string]inventory.Group, len(groups))
	for _, x := range groups {
		a.groups[x.Id] = x
	}
	a.res.Accounts, a.res.PermSets, a.res.Users, a.res.Groups = len(accounts), len(psets), len(users), len(groups)
	return nil
}

// discoverPermissionSets lists the permission sets, then for each, at
// once: its name, the accounts it is provisioned to, and those where its
// latest version is not provisioned.
func (a *auditor) discoverPermissionSets(ctx context.Context) ([]inventory.PermissionSet, error) {
	arns, err := inventory.PermissionSetArns(ctx, a.c.SSOAdmin, a.inst)
	if err != nil {
		return nil, err
	}
	n := len(arns)
	sets := make([]inventory.PermissionSet, n)
	all := make([][]string, n)
	stale := make([][]string, n)
	errs := make([]error, 3*n)
	var done atomic.Int32
	fanout.Each(ctx, 3*n, a.c.Concurrency0(), func(ctx context.Context, i int) {
		arn := arns[i/3]
		switch i % 3 {
		case 0:
			var ps []inventory.PermissionSet
			ps, errs[i] = inventory.DescribePermissionSets(ctx, inventory.Clients{SSOAdmin: a.c.SSOAdmin, Concurrency: 1}, a.inst, []string{arn})
			if errs[i] == nil {
				sets[i/3] = ps[0]
			}
		case 1:
			all[i/3], errs[i] = inventory.ProvisionedAccounts(ctx, a.c.SSOAdmin, a.inst, arn, "")
		case 2:
			stale[i/3], errs[i] = inventory.ProvisionedAccounts(ctx, a.c.SSOAdmin, a.inst, arn, "LATEST_PERMISSION_SET_NOT_PROVISIONED")
		}
		a.progress("discover", int(done.Add(1)), 3*n)
	})
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	a.provisioned = make(map[string]map[string]bool, n)
	for i, arn := range arns {
		m := make(map[string]bool, len(all[i]))
		for _, acct := range all[i] {
			m[acct] = true
		}
		for _, acct := range stale[i] {
			m[acct] = false
		}
		a.provisioned[arn] = m
		a.totalP += len(m)
	}
	a.res.Provisioned = a.totalP
	return sets, nil
}

// chooseStrategy picks the cheaper listing: one ListAccountAssignments (at
// least) per provisioned pair, or one ListAccountAssignmentsForPrincipal
// (at least) per user and group. Ties go to permission-set-first, which also
// sees orphaned assignments.
func (a *auditor) chooseStrategy() string {
	switch a.opts.Strategy {
	case StrategyPermissionSet, StrategyPrincipal:
		return a.opts.Strategy
	}
	if a.totalP <= len(a.users)+len(a.groups) {
		return StrategyPermissionSet
	}
	return StrategyPrincipal
}

type pair struct{ account, ps string }

func (a *auditor) permissionSetFirst(ctx context.Context) []inventory.Assignment {
	var pairs []pair
	for ps, accts := range a.provisioned {
		for acct := range accts {
			pairs = append(pairs, pair{acct, ps})
		}
	}
	sort.Slice(pairs, func(i, j int) bool {
		if pairs[i].account != pairs[j].account {
			return pairs[i].account < pairs[j].account
		}
		return pairs[i].ps < pairs[j].ps
	})
	var done atomic.Int32
	res := fanout.Map(ctx, pairs, a.c.Concurrency0(), func(ctx context.Context, p pair) ([]inventory.Assignment, error) {
		defer func() { a.progress("assignments", int(done.Add(1)), len(pairs)) }()
		as, err := inventory.AccountAssignments(ctx, a.c.SSOAdmin, a.inst, p.account, p.ps)
		a.expand(as)
		return as, err
	})
	var out []inventory.Assignment
	for i, r := range res {
		if r.Err != nil {
			a.itemError(fmt.Sprintf("account %s permission set %s", a.accountLabel(pairs[i].account), a.psName(pairs[i].ps)), r.Err)
			continue
		}
		out = append(out, r.Value...)
	}
	return out
}

func (a *auditor) principalFirst(ctx context.Context) []inventory.Assignment {
	type principal struct{ typ, id, name string }
	var ps []principal
	for _, u := range a.users {
		ps = append(ps, principal{"USER", u.Id, u.UserName})
	}
	for _, g := range a.groups {
		ps = append(ps, principal{"GROUP", g.Id, g.Name})
	}
	sort.Slice(ps, func(i, j int) bool { return ps[i].typ+ps[i].id < ps[j].typ+ps[j].id })
	var done atomic.Int32
	res := fanout.Map(ctx, ps, a.c.Concurrency0(), func(ctx context.Context, p principal) ([]inventory.Assignment, error) {
		defer func() { a.progress("assignments", int(done.Add(1)), len(ps)) }()
		as, err := inventory.AssignmentsForPrincipal(ctx, a.c.SSOAdmin, a.inst, p.typ, p.id, "")
		a.expand(as)
		return as, err
	})
	var out []inventory.Assignment
	for i, r := range res {
		if r.Err != nil {
			a.itemError(fmt.Sprintf("%s %s", lowerType(ps[i].typ), ps[i].name), r.Err)
			continue
		}
		out = append(out, r.Value...)
	}
	return out
}

// expand starts listing the members of every existing group these
// assignments name that is not listed yet.
func (a *auditor) expand(assignments []inventory.Assignment) {
	for _, as := range assignments {
		if as.PrincipalType != "GROUP" {
			continue
		}
		g, ok := a.groups[as.PrincipalId]
		a.mu.Lock()
		start := ok && !a.expanding[g.Id]
		a.expanding[g.Id] = true
		a.mu.Unlock()
		if !start {
			continue
		}
		a.side.Go(func(ctx context.Context) {
			members, err := inventory.GroupMembers(ctx, a.c.IdentityStore, a.inst, g.Id)
			a.mu.Lock()
			if err != nil {
				a.res.Errors = append(a.res.Errors, ItemError{Item: "members of group " + g.Name, Error: err.Error()})
				a.memberErr[g.Id] = true
			} else {
				a.members[g.Id] = members
			}
			a.membersDone++
			done, total := a.membersDone, len(a.expanding)
			a.mu.Unlock()
			a.progress("members", done, total)
		})
	}
}

func (a *auditor) accountLabel(id string) string {
	if acct, ok := a.accounts[id]; ok {
		return acct.Name + " (" + id + ")"
	}
	return id
}

func (a *auditor) psName(arn string) string {
	if ps, ok := a.psets[arn]; ok {
		return ps.Name
	}
	return arn
}

func lowerType(t string) string {
	if t == "GROUP" {
		return "group"
	}
	return "user"
}

// Concurrency0 is the fan-out width (see inventory.Clients.Concurrency).
func (c Clients) Concurrency0() int {
	if c.Concurrency > 0 {
		return c.Concurrency
	}
	return 16
}
