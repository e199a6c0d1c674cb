// Package list is ssoctl's one assignment lister (the reading side of the
// assignments family: plan compares its answer with the declared file). A Selection
// (accounts, permission sets, principals; nil selects all) goes in; the
// assignments come out in a deterministic order, with the method that
// listed them and the items that kept failing. The audit, `access user`,
// `access account`, `admin assignments` and `assignments plan` all list
// through List; Filter and ListNamed add the command line's filters and the
// names aws-sso-util's columns show.
//
// Two methods read assignments (the Identity Center API has no third):
//
//   - ByPermissionSet: ListAccountAssignments for every provisioned
//     (account, permission set) pair. It sees every assignment, those of
//     deleted users and groups included: AWS provisions a permission set to
//     an account when it is first assigned there and never unprovisions it
//     while assigned.
//   - ByPrincipal: ListAccountAssignmentsForPrincipal for every selected
//     user and group. Far fewer calls for a few principals, but it cannot
//     see the assignments of principals it is not told about: with every
//     principal selected (nil) it misses those of deleted principals, and
//     the Result says it is not Complete.
//
// MethodAuto picks ByPermissionSet when every principal is selected, and the
// cheaper of the two (both complete) when principals are named.
package list

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/ssoctl/ssoctl/internal/assignments"
	"github.com/ssoctl/ssoctl/internal/awsclient"
	"github.com/ssoctl/ssoctl/internal/fanout"
	"github.com/ssoctl/ssoctl/internal/inventory"
)

// Method is how List reads assignments.
type Method string

// Methods.
const (
	MethodAuto      Method = "auto"           // ByPermissionSet, or the cheaper complete one for named principals
	ByPermissionSet Method = "permission-set" // ListAccountAssignments per provisioned (account, permission set) pair
	ByPrincipal     Method = "principal"      // ListAccountAssignmentsForPrincipal per selected user and group
)

// ParseMethod reads a method name; "" is MethodAuto.
func ParseMethod(s string) (Method, error) {
	switch m := Method(s); m {
	case "":
		return MethodAuto, nil
	case MethodAuto, ByPermissionSet, ByPrincipal:
		return m, nil
	}
	return "", fmt.Errorf("unknown method %q (known: auto, permission-set, principal)", s)
}

// Principal types.
const (
	User  = assignments.User
	Group = assignments.Group
)

// Principal is a user or a group.
type Principal struct {
	Type string // User or Group
	Id   string
}

// Selection chooses the assignments to list. A nil field selects
// everything; an empty, non-nil one selects nothing.
type Selection struct {
	Accounts       []string    // account ids
	PermissionSets []string    // permission set ARNs
	Principals     []Principal // users and groups, deleted ones included
}

// Known is what the caller has already read, so List does not read it
// again. Every field is optional.
type Known struct {
	Accounts       []string    // every account id of the organization
	PermissionSets []string    // every permission set ARN of the instance
	Principals     []Principal // every user and group
	// Provisioned maps every permission set ARN to the accounts it is
	// provisioned to.
	Provisioned map[string][]string
}

// Names name what List orders by and reports errors about; a nil func (or
// an empty name) falls back to the id.
type Names struct {
	Account       func(id string) string
	PermissionSet func(arn string) string
	Principal     func(typ, id string) string
}

// Options control List.
type Options struct {
	Method Method // "" is MethodAuto
	Known  Known
	Names  Names
	// Listed, when set, sees each item's assignments as soon as they are
	// read, before they are emitted in order; it is called concurrently.
	// The audit starts listing group members from it.
	Listed func([]assignments.Assignment)
	// Resolve, when set, is called by ByPrincipal with every assignment
	// read, before they are ordered, so the caller can read the names of
	// just those accounts (and OUs) and Names can answer for them.
	Resolve func(ctx context.Context, listed []assignments.Assignment) error
	// Progress, when set, is told how far the listing has got.
	Progress func(phase string, done, total int)
}

// ItemError is one item that kept failing; the rest of the result stands.
type ItemError struct {
	Item  string `json:"item"`
	Error string `json:"error"`
	Err   error  `json:"-"` // the error itself, for callers that fail on it
}

// Result is what List did, the assignments aside.
type Result struct {
	Method Method
	// Complete is false when the method cannot have seen every selected
	// assignment: ByPrincipal over every principal misses those of
	// principals deleted since they were assigned.
	Complete    bool
	Pairs       int // provisioned pairs listed (ByPermissionSet)
	Principals  int // principals listed (ByPrincipal)
	Assignments int // assignments emitted
	Errors      []ItemError
}

// IncompleteNote says what an incomplete listing cannot have seen.
const IncompleteNote = "principal-first cannot see assignments of deleted principals; use --strategy permission-set to check for orphans"

// List reads the selected assignments of the instance and passes each to
// emit, ordered by account name, account id, permission-set name and ARN,
// users before groups, principal name and id (names from opts.Names). With
// ByPermissionSet the pairs are listed concurrently and emitted pair by
// pair as they complete in order, so they are never all held; ByPrincipal
// holds them to sort. Items that keep failing are in Result.Errors; an
// error from emit, or ctx ending, stops the listing and is returned.
func List(ctx context.Context, c inventory.Clients, inst inventory.Instance, sel Selection, opts Options, emit func(assignments.Assignment) error) (*Result, error) {
	if opts.Method == "" {
		opts.Method = MethodAuto
	}
	l := &lister{c: c, inst: inst, sel: sel, opts: opts, res: &Result{Errors: []ItemError{}, Complete: true}}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var emitErr error
	out := func(a assignments.Assignment) {
		if emitErr != nil {
			return
		}
		if emitErr = emit(a); emitErr != nil {
			cancel()
			return
		}
		l.res.Assignments++
	}
	err := l.run(ctx, out)
	if emitErr != nil {
		return nil, emitErr
	}
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	slices.SortStableFunc(l.res.Errors, func(x, y ItemError) int { return cmp.Compare(x.Item, y.Item) })
	return l.res, nil
}

type lister struct {
	c    inventory.Clients
	inst inventory.Instance
	sel  Selection
	opts Options

	mu  sync.Mutex // guards res.Errors
	res *Result
}

type pair struct{ account, ps string }

func (l *lister) run(ctx context.Context, emit func(assignments.Assignment)) error {
	switch l.opts.Method {
	case ByPermissionSet:
		pairs, err := l.provisionedPairs(ctx)
		if err != nil {
			return err
		}
		l.byPair(ctx, pairs, emit)
		return nil
	case ByPrincipal:
		ps, err := l.principals(ctx)
		if err != nil {
			return err
		}
		l.res.Complete = l.sel.Principals != nil
		return l.byPrincipal(ctx, ps, emit)
	case MethodAuto:
	default:
		return fmt.Errorf("unknown method %q", l.opts.Method)
	}
	if l.sel.Principals == nil {
		l.opts.Method = ByPermissionSet
		return l.run(ctx, emit)
	}
	// Named principals: per principal when there are no more of them than
	// the calls that merely listing the provisioned pairs would take;
	// otherwise the pairs are listed and the cheaper way is taken.
	ps, err := l.principals(ctx)
	if err != nil {
		return err
	}
	accounts, err := l.accounts(ctx)
	if err != nil {
		return err
	}
	psets, err := l.permissionSets(ctx)
	if err != nil {
		return err
	}
	if len(ps) <= min(len(accounts), len(psets)) {
		return l.byPrincipal(ctx, ps, emit)
	}
	before := len(l.res.Errors)
	pairs, err := l.provisionedPairs(ctx)
	if err != nil {
		return err
	}
	if len(pairs) < len(ps) {
		l.byPair(ctx, pairs, emit)
		return nil
	}
	// Per principal after all: the pairs that failed to list do not matter.
	l.res.Errors = l.res.Errors[:before]
	return l.byPrincipal(ctx, ps, emit)
}

func (l *lister) progress(phase string, done, total int) {
	if l.opts.Progress != nil {
		l.opts.Progress(phase, done, total)
	}
}

func (l *lister) itemError(ctx context.Context, item string, err error) {
	if ctx.Err() != nil {
		return // cancelled: not the item's fault
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.res.Errors = append(l.res.Errors, ItemError{Item: item, Error: awsclient.Explain(err).Error(), Err: err})
}

// accounts are the selected account ids: the selection, else every
// account (known, or listed).
func (l *lister) accounts(ctx context.Context) ([]string, error) {
	if l.sel.Accounts != nil {
		return l.sel.Accounts, nil
	}
	if l.opts.Known.Accounts != nil {
		return l.opts.Known.Accounts, nil
	}
	all, err := inventory.Accounts(ctx, l.c.Organizations)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(all))
	for i, a := range all {
		ids[i] = a.Id
	}
	l.opts.Known.Accounts = ids
	return ids, nil
}

// permissionSets are the selected permission set ARNs: the selection,
// else every set (known, or listed).
func (l *lister) permissionSets(ctx context.Context) ([]string, error) {
	if l.sel.PermissionSets != nil {
		return l.sel.PermissionSets, nil
	}
	if l.opts.Known.PermissionSets == nil {
		arns, err := inventory.PermissionSetArns(ctx, l.c.SSOAdmin, l.inst)
		if err != nil {
			return nil, err
		}
		l.opts.Known.PermissionSets = arns
	}
	return l.opts.Known.PermissionSets, nil
}

// principals are the selected principals, else every user and group
// (known, or listed), users first, by name and id.
func (l *lister) principals(ctx context.Context) ([]Principal, error) {
	ps := l.sel.Principals
	if ps == nil {
		ps = l.opts.Known.Principals
	}
	if ps == nil {
		var (
			users  []inventory.User
			groups []inventory.Group
		)
		err := fanout.All(ctx,
			func(ctx context.Context) (err error) {
				users, err = inventory.Users(ctx, l.c.IdentityStore, l.inst)
				return
			},
			func(ctx context.Context) (err error) {
				groups, err = inventory.Groups(ctx, l.c.IdentityStore, l.inst)
				return
			})
		if err != nil {
			return nil, err
		}
		for _, u := range users {
			ps = append(ps, Principal{User, u.Id})
		}
		for _, g := range groups {
			ps = append(ps, Principal{Group, g.Id})
		}
	}
	ps = slices.Clone(ps)
	slices.SortFunc(ps, l.comparePrincipals)
	return slices.CompactFunc(ps, func(x, y Principal) bool { return x == y }), nil
}

func (l *lister) comparePrincipals(x, y Principal) int {
	return cmp.Or(cmp.Compare(TypeRank(x.Type), TypeRank(y.Type)),
		cmp.Compare(l.principalName(x.Type, x.Id), l.principalName(y.Type, y.Id)), cmp.Compare(x.Id, y.Id))
}

// provisionedPairs lists which selected permission sets are provisioned
// to which selected accounts: from Known.Provisioned, else per permission
// set (ListAccountsForProvisionedPermissionSet) or per account
// (ListPermissionSetsProvisionedToAccount), whichever is fewer calls.
func (l *lister) provisionedPairs(ctx context.Context) ([]pair, error) {
	var pairs []pair
	if prov := l.opts.Known.Provisioned; prov != nil {
		selA := set(l.sel.Accounts)
		selP := set(l.sel.PermissionSets)
		for ps, accts := range prov {
			if selP != nil && !selP[ps] {
				continue
			}
			for _, a := range accts {
				if selA == nil || selA[a] {
					pairs = append(pairs, pair{a, ps})
				}
			}
		}
		return pairs, nil
	}
	accounts := l.sel.Accounts
	if accounts == nil {
		accounts = l.opts.Known.Accounts
	}
	psets := l.sel.PermissionSets
	if psets == nil {
		psets = l.opts.Known.PermissionSets
	}
	perAccount := accounts != nil && (psets == nil || len(accounts) < len(psets))
	var err error
	if !perAccount {
		// Every account the sets are provisioned to, when accounts is nil.
		if psets, err = l.permissionSets(ctx); err != nil {
			return nil, err
		}
	}
	if len(accounts) == 0 && accounts != nil || len(psets) == 0 && psets != nil {
		return nil, nil
	}
	var done atomic.Int32
	if perAccount {
		selP := set(l.sel.PermissionSets)
		res := fanout.Map(ctx, accounts, l.c.Limit(), func(ctx context.Context, a string) ([]string, error) {
			defer func() { l.progress("provisioning", int(done.Add(1)), len(accounts)) }()
			return inventory.PermissionSetsProvisionedTo(ctx, l.c.SSOAdmin, l.inst, a)
		})
		for i, r := range res {
			if r.Err != nil {
				l.itemError(ctx, "account "+l.accountLabel(accounts[i]), r.Err)
				continue
			}
			for _, arn := range r.Value {
				if selP == nil || selP[arn] {
					pairs = append(pairs, pair{accounts[i], arn})
				}
			}
		}
		return pairs, nil
	}
	selA := set(l.sel.Accounts)
	res := fanout.Map(ctx, psets, l.c.Limit(), func(ctx context.Context, ps string) ([]string, error) {
		defer func() { l.progress("provisioning", int(done.Add(1)), len(psets)) }()
		return inventory.ProvisionedAccounts(ctx, l.c.SSOAdmin, l.inst, ps, "")
	})
	for i, r := range res {
		if r.Err != nil {
			l.itemError(ctx, "permission set "+l.psName(psets[i]), r.Err)
			continue
		}
		for _, a := range r.Value {
			if selA == nil || selA[a] {
				pairs = append(pairs, pair{a, psets[i]})
			}
		}
	}
	return pairs, nil
}

// byPair lists the assignments of each pair, concurrently, emitting pair
// by pair in order as they complete.
func (l *lister) byPair(ctx context.Context, pairs []pair, emit func(assignments.Assignment)) {
	l.res.Method = ByPermissionSet
	slices.SortFunc(pairs, func(x, y pair) int {
		return cmp.Or(l.compareAccounts(x.account, y.account), l.comparePermissionSets(x.ps, y.ps))
	})
	// A service that repeats a permission set or account lists it once.
	pairs = slices.Compact(pairs)
	l.res.Pairs = len(pairs)
	selPr := principalSet(l.sel.Principals)
	var done atomic.Int32
	fanout.Stream(ctx, pairs, l.c.Limit(), func(ctx context.Context, p pair) ([]assignments.Assignment, error) {
		defer func() { l.progress("assignments", int(done.Add(1)), len(pairs)) }()
		as, err := accountAssignments(ctx, l.c.SSOAdmin, l.inst, p.account, p.ps)
		if err == nil && l.opts.Listed != nil {
			l.opts.Listed(as)
		}
		return as, err
	}, func(p pair, as []assignments.Assignment, err error) {
		if err != nil {
			l.itemError(ctx, fmt.Sprintf("account %s permission set %s", l.accountLabel(p.account), l.psName(p.ps)), err)
			return
		}
		if selPr != nil {
			as = slices.DeleteFunc(as, func(a assignments.Assignment) bool { return !selPr[Principal{a.PrincipalType, a.PrincipalId}] })
		}
		slices.SortStableFunc(as, l.compareAssignments)
		as = slices.Compact(as)
		for _, a := range as {
			emit(a)
		}
	})
}

// byPrincipal lists the assignments of the given principals.
func (l *lister) byPrincipal(ctx context.Context, ps []Principal, emit func(assignments.Assignment)) error {
	l.res.Method = ByPrincipal
	l.res.Principals = len(ps)
	if len(ps) == 0 || (l.sel.Accounts != nil && len(l.sel.Accounts) == 0) || (l.sel.PermissionSets != nil && len(l.sel.PermissionSets) == 0) {
		return nil
	}
	// One selected account: let the service filter.
	account := ""
	if len(l.sel.Accounts) == 1 {
		account = l.sel.Accounts[0]
	}
	selA, selP := set(l.sel.Accounts), set(l.sel.PermissionSets)
	var done atomic.Int32
	res := fanout.Map(ctx, ps, l.c.Limit(), func(ctx context.Context, p Principal) ([]assignments.Assignment, error) {
		defer func() { l.progress("assignments", int(done.Add(1)), len(ps)) }()
		as, err := principalAssignments(ctx, l.c.SSOAdmin, l.inst, p.Type, p.Id, account)
		if err == nil && l.opts.Listed != nil {
			l.opts.Listed(as)
		}
		return as, err
	})
	var all []assignments.Assignment
	for i, r := range res {
		if r.Err != nil {
			p := ps[i]
			l.itemError(ctx, strings.ToLower(p.Type)+" "+cmp.Or(l.principalName(p.Type, p.Id), p.Id), r.Err)
			continue
		}
		for _, a := range r.Value {
			if (selA == nil || selA[a.AccountId]) && (selP == nil || selP[a.PermissionSetArn]) {
				all = append(all, a)
			}
		}
	}
	if l.opts.Resolve != nil && ctx.Err() == nil {
		if err := l.opts.Resolve(ctx, all); err != nil {
			return err
		}
	}
	slices.SortFunc(all, func(x, y assignments.Assignment) int {
		return cmp.Or(l.compareAccounts(x.AccountId, y.AccountId), l.comparePermissionSets(x.PermissionSetArn, y.PermissionSetArn),
			l.compareAssignments(x, y))
	})
	// A service that repeats an item (across pages, say) gives it once.
	all = slices.Compact(all)
	for _, a := range all {
		emit(a)
	}
	return nil
}

func (l *lister) compareAccounts(x, y string) int {
	return cmp.Or(cmp.Compare(l.accountName(x), l.accountName(y)), cmp.Compare(x, y))
}

func (l *lister) comparePermissionSets(x, y string) int {
	return cmp.Or(cmp.Compare(l.psNameOnly(x), l.psNameOnly(y)), cmp.Compare(x, y))
}

// compareAssignments orders the assignments of one pair: users first, then
// by principal name and id.
func (l *lister) compareAssignments(x, y assignments.Assignment) int {
	return l.comparePrincipals(Principal{x.PrincipalType, x.PrincipalId}, Principal{y.PrincipalType, y.PrincipalId})
}

func (l *lister) accountName(id string) string {
	if l.opts.Names.Account == nil {
		return ""
	}
	return l.opts.Names.Account(id)
}

func (l *lister) psNameOnly(arn string) string {
	if l.opts.Names.PermissionSet == nil {
		return ""
	}
	return l.opts.Names.PermissionSet(arn)
}

func (l *lister) principalName(typ, id string) string {
	if l.opts.Names.Principal == nil {
		return ""
	}
	return l.opts.Names.Principal(typ, id)
}

// accountLabel is "name (id)", or the id when the name is unknown.
func (l *lister) accountLabel(id string) string {
	if n := l.accountName(id); n != "" {
		return n + " (" + id + ")"
	}
	return id
}

func (l *lister) psName(arn string) string { return cmp.Or(l.psNameOnly(arn), arn) }

// TypeRank orders principal types: users before groups.
func TypeRank(t string) int {
	if t == User {
		return 0
	}
	return 1
}

func set(ids []string) map[string]bool {
	if ids == nil {
		return nil
	}
	m := make(map[string]bool, len(ids))
	for _, id := range ids {
		m[id] = true
	}
	return m
}

func principalSet(ps []Principal) map[Principal]bool {
	if ps == nil {
		return nil
	}
	m := make(map[Principal]bool, len(ps))
	for _, p := range ps {
		m[p] = true
	}
	return m
}
