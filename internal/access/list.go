package access

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/ssoctl/ssoctl/internal/fanout"
	"github.com/ssoctl/ssoctl/internal/inventory"
)

// Ways List reads assignments.
const (
	MethodPairs      = "account-permission-set" // ListAccountAssignments per provisioned (account, permission set) pair
	MethodPrincipals = "principal"              // ListAccountAssignmentsForPrincipal per selected user and group
)

// Assignment is one raw assignment with its names: aws-sso-util's nine
// columns, then the account's status and OU.
type Assignment struct {
	InstanceArn       string `json:"instanceArn"`
	PrincipalType     string `json:"principalType"`
	PrincipalId       string `json:"principalId"`
	PrincipalName     string `json:"principalName"`
	PermissionSetArn  string `json:"permissionSetArn"`
	PermissionSetName string `json:"permissionSetName"`
	TargetType        string `json:"targetType"`
	TargetId          string `json:"targetId"`
	TargetName        string `json:"targetName"`
	AccountStatus     string `json:"accountStatus"`
	OU                string `json:"ou"`
	OUId              string `json:"ouId"`
}

// AssignmentColumns are the CSV and table columns, aws-sso-util's first.
var AssignmentColumns = []string{
	"instance_arn", "principal_type", "principal_id", "principal_name",
	"permission_set_arn", "permission_set_name", "target_type", "target_id", "target_name",
	"account_status", "ou", "ou_id",
}

// Values are the row's cells in AssignmentColumns order.
func (a Assignment) Values() []string {
	return []string{a.InstanceArn, a.PrincipalType, a.PrincipalId, a.PrincipalName,
		a.PermissionSetArn, a.PermissionSetName, a.TargetType, a.TargetId, a.TargetName,
		a.AccountStatus, a.OU, a.OUId}
}

// ListOptions controls List.
type ListOptions struct {
	InstanceArn string
	Filter      *Filter // nil: every assignment
	// Cache holds permission-set names between runs (may be nil).
	Cache *inventory.NameCache
	// Progress, when set, is told how far the listing has got.
	Progress func(phase string, done, total int)
}

// ListResult is everything but the rows, which were emitted.
type ListResult struct {
	Instance       inventory.Instance `json:"instance"`
	Method         string             `json:"method"`
	Rows           int                `json:"rows"`
	Accounts       int                `json:"accounts"`
	PermissionSets int                `json:"permissionSets"`
	Pairs          int                `json:"provisionedPairs,omitempty"`
	Principals     int                `json:"principals,omitempty"`
	Errors         []ItemError        `json:"errors"`
	Notes          []string           `json:"notes,omitempty"`
}

// lister carries one run's state.
type lister struct {
	c    inventory.Clients
	opts ListOptions
	f    *Filter
	inst inventory.Instance

	tree     *inventory.OrgTree
	accounts map[string]inventory.Account // every account of the organization
	psets    map[string]inventory.PermissionSet
	users    map[string]inventory.User
	groups   map[string]inventory.Group

	selAccounts []inventory.Account
	selPS       []inventory.PermissionSet

	mu  sync.Mutex
	res *ListResult
}

// List reads every assignment the filter selects and passes each to emit,
// ordered by account name, account id, permission-set name, principal type
// (users first), principal name and id.
//
// Discovery is bulk and concurrent: the organization tree (for the OU
// column and --ou), the permission sets (names from the cache), and the
// users and groups (names from ListUsers and ListGroups, never one
// Describe per principal). Then, without a principal filter, it lists the
// provisioned pairs of the selected accounts and permission sets (per
// permission set or per account, whichever is fewer calls) and calls
// ListAccountAssignments per pair; with --user or --group it calls
// ListAccountAssignmentsForPrincipal for just those principals, unless
// listing the selected pairs takes fewer calls (a broad principal filter on
// one account). Items that keep failing are in the result's Errors; the
// rest is emitted.
func List(ctx context.Context, c inventory.Clients, opts ListOptions, emit func(Assignment) error) (*ListResult, error) {
	f := opts.Filter
	if f == nil {
		f = &Filter{}
	}
	l := &lister{c: c, opts: opts, f: f, res: &ListResult{Errors: []ItemError{}}}
	if err := l.discover(ctx); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var emitErr error
	out := func(a Assignment) {
		if emitErr != nil {
			return
		}
		if emitErr = emit(a); emitErr != nil {
			cancel()
			return
		}
		l.res.Rows++
	}
	l.assignments(ctx, out)
	if emitErr != nil {
		return nil, emitErr
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return l.res, nil
}

func (l *lister) progress(phase string, done, total int) {
	if l.opts.Progress != nil {
		l.opts.Progress(phase, done, total)
	}
}

func (l *lister) itemError(item string, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.res.Errors = append(l.res.Errors, ItemError{Item: item, Error: err.Error()})
}

func (l *lister) discover(ctx context.Context) error {
	l.progress("discover", 0, 0)
	inst, err := inventory.FindInstance(ctx, l.c.SSOAdmin, l.opts.InstanceArn)
	if err != nil {
		return err
	}
	l.inst = inst
	l.res.Instance = inst
	// Names of principals the listing can return: all of them, or with a
	// principal filter only the kinds it asks for.
	needUsers := !l.f.HasPrincipal() || l.f.wants("USER")
	needGroups := !l.f.HasPrincipal() || l.f.wants("GROUP")
	var (
		psets  []inventory.PermissionSet
		users  []inventory.User
		groups []inventory.Group
		errs   [4]error
	)
	fanout.Each(ctx, 4, 4, func(ctx context.Context, i int) {
		switch i {
		case 0:
			l.tree, errs[0] = inventory.WalkOrg(ctx, l.c)
		case 1:
			psets, errs[1] = inventory.NamedPermissionSets(ctx, l.c, inst, l.opts.Cache)
		case 2:
			if needUsers {
				users, errs[2] = inventory.Users(ctx, l.c.IdentityStore, inst)
			}
		case 3:
			if needGroups {
				groups, errs[3] = inventory.Groups(ctx, l.c.IdentityStore, inst)
			}
		}
	})
	if err := ctx.Err(); err != nil {
		return err
	}
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	l.accounts = map[string]inventory.Account{}
	for _, a := range l.tree.AllAccounts() {
		l.accounts[a.Id] = a
	}
	l.psets = map[string]inventory.PermissionSet{}
	for _, ps := range psets {
		l.psets[ps.Arn] = ps
		if l.f.PermissionSetMatches(ps) {
			l.selPS = append(l.selPS, ps)
		}
	}
	l.users = map[string]inventory.User{}
	for _, u := range users {
		l.users[u.Id] = u
	}
	l.groups = map[string]inventory.Group{}
	for _, g := range groups {
		l.groups[g.Id] = g
	}
	sel, unknown, err := l.f.SelectAccounts(l.tree)
	if err != nil {
		return err
	}
	l.selAccounts = sel
	for _, id := range unknown {
		l.res.Notes = append(l.res.Notes, fmt.Sprintf("account %s is not in the organization", id))
	}
	l.res.Accounts, l.res.PermissionSets = len(l.selAccounts), len(l.selPS)
	return nil
}

// assignments picks the cheaper way to list, then lists. Without a
// principal filter that is always per pair. With one, it is per principal
// when there are no more principals than the calls that merely listing the
// provisioned pairs would take; otherwise the pairs are listed and the
// cheaper of per pair and per principal is taken.
func (l *lister) assignments(ctx context.Context, emit func(Assignment)) {
	if !l.f.HasPrincipal() {
		l.res.Method = MethodPairs
		l.byPair(ctx, l.provisionedPairs(ctx), emit)
		return
	}
	ps := l.principals()
	l.res.Principals = len(ps)
	if len(ps) <= min(len(l.selAccounts), len(l.selPS)) {
		l.res.Method = MethodPrincipals
		l.byPrincipal(ctx, ps, emit)
		return
	}
	before := len(l.res.Errors)
	pairs := l.provisionedPairs(ctx)
	if len(pairs) < len(ps) {
		l.res.Method = MethodPairs
		l.byPair(ctx, pairs, emit)
		return
	}
	// Per principal after all: the pairs that failed to list do not matter.
	l.res.Errors = l.res.Errors[:before]
	l.res.Method = MethodPrincipals
	l.byPrincipal(ctx, ps, emit)
}

type pair struct {
	account inventory.Account
	ps      inventory.PermissionSet
}

// byPair lists the assignments of each pair, concurrently, emitting pair
// by pair in order as they complete.
func (l *lister) byPair(ctx context.Context, pairs []pair, emit func(Assignment)) {
	l.res.Pairs = len(pairs)
	slices.SortFunc(pairs, func(x, y pair) int {
		return cmp.Or(cmp.Compare(x.account.Name, y.account.Name), cmp.Compare(x.account.Id, y.account.Id),
			cmp.Compare(x.ps.Name, y.ps.Name), cmp.Compare(x.ps.Arn, y.ps.Arn))
	})
	var done atomic.Int32
	fanout.Stream(ctx, pairs, l.c.Limit(), func(ctx context.Context, p pair) ([]inventory.Assignment, error) {
		defer func() { l.progress("assignments", int(done.Add(1)), len(pairs)) }()
		return inventory.AccountAssignments(ctx, l.c.SSOAdmin, l.inst, p.account.Id, p.ps.Arn)
	}, func(p pair, as []inventory.Assignment, err error) {
		if err != nil {
			if ctx.Err() == nil {
				l.itemError(fmt.Sprintf("account %s permission set %s", accountLabel(p.account), p.ps.Name), err)
			}
			return
		}
		rows := make([]Assignment, 0, len(as))
		for _, a := range as {
			r := l.row(a)
			if l.f.PrincipalMatches(r.PrincipalType, r.PrincipalId, r.PrincipalName) {
				rows = append(rows, r)
			}
		}
		sortRows(rows)
		for _, r := range rows {
			emit(r)
		}
	})
}

// provisionedPairs lists which selected permission sets are provisioned
// to which selected accounts: per permission set
// (ListAccountsForProvisionedPermissionSet) or per account
// (ListPermissionSetsProvisionedToAccount), whichever is fewer calls.
func (l *lister) provisionedPairs(ctx context.Context) []pair {
	if len(l.selAccounts) == 0 || len(l.selPS) == 0 {
		return nil
	}
	selA := map[string]inventory.Account{}
	for _, a := range l.selAccounts {
		selA[a.Id] = a
	}
	selP := map[string]inventory.PermissionSet{}
	for _, ps := range l.selPS {
		selP[ps.Arn] = ps
	}
	var pairs []pair
	var done atomic.Int32
	if len(l.selAccounts) < len(l.selPS) {
		res := fanout.Map(ctx, l.selAccounts, l.c.Limit(), func(ctx context.Context, a inventory.Account) ([]string, error) {
			defer func() { l.progress("provisioning", int(done.Add(1)), len(l.selAccounts)) }()
			return inventory.PermissionSetsProvisionedTo(ctx, l.c.SSOAdmin, l.inst, a.Id)
		})
		for i, r := range res {
			a := l.selAccounts[i]
			if r.Err != nil {
				if ctx.Err() == nil {
					l.itemError("account "+accountLabel(a), r.Err)
				}
				continue
			}
			for _, arn := range r.Value {
				if ps, ok := selP[arn]; ok {
					pairs = append(pairs, pair{a, ps})
				}
			}
		}
		return pairs
	}
	res := fanout.Map(ctx, l.selPS, l.c.Limit(), func(ctx context.Context, ps inventory.PermissionSet) ([]string, error) {
		defer func() { l.progress("provisioning", int(done.Add(1)), len(l.selPS)) }()
		return inventory.ProvisionedAccounts(ctx, l.c.SSOAdmin, l.inst, ps.Arn, "")
	})
	for i, r := range res {
		ps := l.selPS[i]
		if r.Err != nil {
			if ctx.Err() == nil {
				l.itemError("permission set "+ps.Name, r.Err)
			}
			continue
		}
		for _, id := range r.Value {
			if a, ok := selA[id]; ok {
				pairs = append(pairs, pair{a, ps})
			}
		}
	}
	return pairs
}

type principal struct{ typ, id, name string }

// principals are the principals the filter selects: users and groups
// whose id or name matches, and id values the identity store no longer has
// (their assignments may still exist); users first, by name.
func (l *lister) principals() []principal {
	var ps []principal
	seen := map[string]bool{}
	add := func(p principal) {
		if !seen[p.typ+p.id] {
			seen[p.typ+p.id] = true
			ps = append(ps, p)
		}
	}
	for _, u := range l.users {
		if l.f.PrincipalMatches("USER", u.Id, u.UserName) {
			add(principal{"USER", u.Id, u.UserName})
		}
	}
	for _, g := range l.groups {
		if l.f.PrincipalMatches("GROUP", g.Id, g.Name) {
			add(principal{"GROUP", g.Id, g.Name})
		}
	}
	for _, typ := range []string{"USER", "GROUP"} {
		for _, id := range l.f.principalIDs(typ) {
			add(principal{typ, id, ""})
		}
	}
	slices.SortFunc(ps, func(x, y principal) int {
		return cmp.Or(cmp.Compare(typeRank(x.typ), typeRank(y.typ)), cmp.Compare(x.name, y.name), cmp.Compare(x.id, y.id))
	})
	return ps
}

// byPrincipal lists the assignments of just the given principals.
func (l *lister) byPrincipal(ctx context.Context, ps []principal, emit func(Assignment)) {
	if len(ps) == 0 || len(l.selAccounts) == 0 || len(l.selPS) == 0 {
		return
	}
	// One selected account: let the service filter.
	account := ""
	if l.f.HasTarget() && len(l.selAccounts) == 1 {
		account = l.selAccounts[0].Id
	}
	selA := map[string]bool{}
	for _, a := range l.selAccounts {
		selA[a.Id] = true
	}
	selP := map[string]bool{}
	for _, p := range l.selPS {
		selP[p.Arn] = true
	}
	var done atomic.Int32
	res := fanout.Map(ctx, ps, l.c.Limit(), func(ctx context.Context, p principal) ([]inventory.Assignment, error) {
		defer func() { l.progress("assignments", int(done.Add(1)), len(ps)) }()
		return inventory.AssignmentsForPrincipal(ctx, l.c.SSOAdmin, l.inst, p.typ, p.id, account)
	})
	var rows []Assignment
	for i, r := range res {
		if r.Err != nil {
			if ctx.Err() == nil {
				p := ps[i]
				l.itemError(fmt.Sprintf("%s %s", lower(p.typ), cmp.Or(p.name, p.id)), r.Err)
			}
			continue
		}
		for _, a := range r.Value {
			// Without target filters, accounts outside the organization
			// are kept; without a permission-set filter, every set is.
			if l.f.HasTarget() && !selA[a.AccountId] {
				continue
			}
			if l.f.HasPermissionSet() && !selP[a.PermissionSetArn] {
				continue
			}
			rows = append(rows, l.row(a))
		}
	}
	slices.SortFunc(rows, func(x, y Assignment) int {
		return cmp.Or(cmp.Compare(x.TargetName, y.TargetName), cmp.Compare(x.TargetId, y.TargetId),
			cmp.Compare(x.PermissionSetName, y.PermissionSetName), cmp.Compare(x.PermissionSetArn, y.PermissionSetArn),
			compareRows(x, y))
	})
	for _, r := range rows {
		emit(r)
	}
}

// row names an assignment.
func (l *lister) row(a inventory.Assignment) Assignment {
	r := Assignment{
		InstanceArn: l.inst.Arn, PrincipalType: a.PrincipalType, PrincipalId: a.PrincipalId,
		PermissionSetArn: a.PermissionSetArn, PermissionSetName: l.psets[a.PermissionSetArn].Name,
		TargetType: "AWS_ACCOUNT", TargetId: a.AccountId,
	}
	if a.PrincipalType == "GROUP" {
		r.PrincipalName = l.groups[a.PrincipalId].Name
	} else {
		r.PrincipalName = l.users[a.PrincipalId].UserName
	}
	if acct, ok := l.accounts[a.AccountId]; ok {
		r.TargetName, r.AccountStatus = acct.Name, acct.Status
	}
	if ou, ok := l.tree.OUOf(a.AccountId); ok {
		r.OU, r.OUId = ou.Path, ou.Id
	}
	return r
}

func sortRows(rows []Assignment) { slices.SortStableFunc(rows, compareRows) }

func compareRows(x, y Assignment) int {
	return cmp.Or(cmp.Compare(typeRank(x.PrincipalType), typeRank(y.PrincipalType)),
		cmp.Compare(x.PrincipalName, y.PrincipalName), cmp.Compare(x.PrincipalId, y.PrincipalId))
}

func accountLabel(a inventory.Account) string {
	if a.Name == "" {
		return a.Id
	}
	return a.Name + " (" + a.Id + ")"
}
