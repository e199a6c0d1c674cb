// Package lifecycle is the user lifecycle of IAM Identity Center: create a
// person (one, or many from a CSV), give and take access (a permission set
// on accounts and OUs, or a named bundle from the org settings), move them
// from one bundle to another without a moment without access, and offboard
// them (every assignment and group membership removed and confirmed before
// the user is deleted or disabled).
//
// Every operation is a plan first (Plan… functions, read-only) and is
// carried out by Apply… functions only when the command line has its
// confirmation. Assignments are created and deleted by the one executor
// (internal/assignments/execute). The package never prints.
package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"

	"github.com/ssoctl/ssoctl/internal/assignments/execute"
	"github.com/ssoctl/ssoctl/internal/inventory"
	"github.com/ssoctl/ssoctl/internal/orgconfig"
)

// SSOAdmin is what the lifecycle reads and the executor writes.
type SSOAdmin interface {
	inventory.SSOAdmin
	execute.SSOAdmin
}

// IdentityStore is the identity store, reads and the user writes.
type IdentityStore interface {
	inventory.IdentityStore
	CreateUser(context.Context, *identitystore.CreateUserInput, ...func(*identitystore.Options)) (*identitystore.CreateUserOutput, error)
	UpdateUser(context.Context, *identitystore.UpdateUserInput, ...func(*identitystore.Options)) (*identitystore.UpdateUserOutput, error)
	DeleteUser(context.Context, *identitystore.DeleteUserInput, ...func(*identitystore.Options)) (*identitystore.DeleteUserOutput, error)
	DeleteGroupMembership(context.Context, *identitystore.DeleteGroupMembershipInput, ...func(*identitystore.Options)) (*identitystore.DeleteGroupMembershipOutput, error)
	CreateGroup(context.Context, *identitystore.CreateGroupInput, ...func(*identitystore.Options)) (*identitystore.CreateGroupOutput, error)
	CreateGroupMembership(context.Context, *identitystore.CreateGroupMembershipInput, ...func(*identitystore.Options)) (*identitystore.CreateGroupMembershipOutput, error)
	GetGroupMembershipId(context.Context, *identitystore.GetGroupMembershipIdInput, ...func(*identitystore.Options)) (*identitystore.GetGroupMembershipIdOutput, error)
}

// Clients are the services the lifecycle calls.
type Clients struct {
	SSOAdmin      SSOAdmin
	IdentityStore IdentityStore
	Organizations inventory.Organizations
}

func (c Clients) inventory() inventory.Clients {
	return inventory.Clients{SSOAdmin: c.SSOAdmin, IdentityStore: c.IdentityStore, Organizations: c.Organizations}
}

// Directory resolves names (users, permission sets, accounts, OUs) in one
// instance, reading each listing once.
type Directory struct {
	c    Clients
	inst inventory.Instance

	names    *inventory.NameCache
	users    []inventory.User // every user, once a bulk plan listed them
	sets     []inventory.PermissionSet
	accounts []inventory.Account
	tree     *inventory.OrgTree

	welcomeGroup string // WelcomeGroup's id, once known
}

// Open finds the instance (instanceArn "" means the only one) and returns
// a Directory for it.
func Open(ctx context.Context, c Clients, instanceArn string) (*Directory, error) {
	inst, err := inventory.FindInstance(ctx, c.SSOAdmin, instanceArn)
	if err != nil {
		return nil, err
	}
	return &Directory{c: c, inst: inst}, nil
}

// UseNameCache makes permission-set names come from cache where it knows
// them (one DescribePermissionSet per set otherwise); new names are put in
// it, and saving it is the caller's.
func (d *Directory) UseNameCache(cache *inventory.NameCache) { d.names = cache }

// Instance is the Identity Center instance.
func (d *Directory) Instance() inventory.Instance { return d.inst }

// Clients are the directory's clients.
func (d *Directory) Clients() Clients { return d.c }

var reUserID = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^([0-9a-f]{10}-|)[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{12}$`)
})

// User resolves a user name, an e-mail address or a user id.
func (d *Directory) User(ctx context.Context, ref string) (inventory.User, error) {
	if reUserID().MatchString(ref) {
		u, err := inventory.DescribeUser(ctx, d.c.IdentityStore, d.inst, ref)
		if err == nil || !errors.Is(err, inventory.ErrNotFound) {
			return u, err
		}
	}
	id, err := inventory.UserID(ctx, d.c.IdentityStore, d.inst, ref)
	if err != nil {
		return inventory.User{}, err
	}
	return inventory.DescribeUser(ctx, d.c.IdentityStore, d.inst, id)
}

// PermissionSet resolves a permission set by name (or ARN, or ps- id).
func (d *Directory) PermissionSet(ctx context.Context, ref string) (inventory.PermissionSet, error) {
	if d.sets == nil {
		sets, err := inventory.NamedPermissionSets(ctx, d.c.inventory(), d.inst, d.names)
		if err != nil {
			return inventory.PermissionSet{}, err
		}
		d.sets = sets
	}
	var names []string
	for _, ps := range d.sets {
		if ps.Name == ref || inventory.PermissionSetRefMatches(ps.Arn, ref) {
			return ps, nil
		}
		names = append(names, ps.Name)
	}
	if hint := inventory.Suggest(ref, names); hint != "" || len(names) > maxListed {
		return inventory.PermissionSet{}, fmt.Errorf("permission set %q %w%s", ref, inventory.ErrNotFound, hint)
	}
	return inventory.PermissionSet{}, fmt.Errorf("permission set %q %w (there are: %s)", ref, inventory.ErrNotFound, strings.Join(names, ", "))
}

// maxListed is the most names a not-found error lists when none is close
// to what was asked for (beyond it, the list would be noise).
const maxListed = 20

// PermissionSetName names a permission set ARN ("" if unknown).
func (d *Directory) PermissionSetName(ctx context.Context, arn string) string {
	if _, err := d.PermissionSet(ctx, arn); err != nil {
		return ""
	}
	for _, ps := range d.sets {
		if ps.Arn == arn {
			return ps.Name
		}
	}
	return ""
}

func (d *Directory) allAccounts(ctx context.Context) ([]inventory.Account, error) {
	if d.accounts == nil {
		all, err := inventory.Accounts(ctx, d.c.Organizations)
		if err != nil {
			return nil, err
		}
		d.accounts = all
	}
	return d.accounts, nil
}

// Account resolves an account by id or name (one ListAccounts, cached).
func (d *Directory) Account(ctx context.Context, ref string) (inventory.Account, error) {
	all, err := d.allAccounts(ctx)
	if err != nil {
		return inventory.Account{}, err
	}
	return findAccount(all, ref)
}

// AccountName names an account id ("" if unknown).
func (d *Directory) AccountName(ctx context.Context, id string) string {
	all, err := d.allAccounts(ctx)
	if err != nil {
		return ""
	}
	for _, a := range all {
		if a.Id == id {
			return a.Name
		}
	}
	return ""
}

// Target is one permission set on one account.
type Target struct {
	PermissionSet inventory.PermissionSet
	Account       inventory.Account
	// Via is the OU the account was reached through ("" when named).
	Via string
}

// Skipped is an account left out of a plan, and why.
type Skipped struct {
	Account inventory.Account `json:"account"`
	Reason  string            `json:"reason"`
}

// Targets resolves a permission set on accounts (id or name) and OUs (id,
// path or name; every account below them). Suspended accounts are skipped
// (and reported); an account reached twice counts once.
func (d *Directory) Targets(ctx context.Context, permissionSet string, accounts, ous []string) ([]Target, []Skipped, error) {
	ps, err := d.PermissionSet(ctx, permissionSet)
	if err != nil {
		return nil, nil, err
	}
	all, err := d.allAccounts(ctx)
	if err != nil {
		return nil, nil, err
	}
	var out []Target
	var skipped []Skipped
	seen := map[string]bool{}
	add := func(a inventory.Account, via string) {
		if seen[a.Id] {
			return
		}
		seen[a.Id] = true
		if a.Status != "" && a.Status != "ACTIVE" {
			skipped = append(skipped, Skipped{Account: a, Reason: "account is " + strings.ToLower(a.Status)})
			return
		}
		out = append(out, Target{PermissionSet: ps, Account: a, Via: via})
	}
	for _, ref := range accounts {
		a, err := findAccount(all, ref)
		if err != nil {
			return nil, nil, err
		}
		add(a, "")
	}
	if len(ous) > 0 && d.tree == nil {
		t, err := inventory.WalkOrg(ctx, d.c.inventory())
		if err != nil {
			return nil, nil, err
		}
		d.tree = t
	}
	for _, ref := range ous {
		ou, err := d.tree.FindOU(ref)
		if errors.Is(err, inventory.ErrNotFound) {
			err = fmt.Errorf("%w%s", err, inventory.Suggest(ref, ouPaths(d.tree)))
		}
		if err != nil {
			return nil, nil, err
		}
		for _, a := range d.tree.AccountsUnder(ou.Id, true) {
			add(a, ou.Path)
		}
	}
	return out, skipped, nil
}

// ouPaths are the OUs as people write them (a path without the root's
// name, "Workloads/Prod"; a root by its name), sorted, for suggestions.
func ouPaths(t *inventory.OrgTree) []string {
	out := make([]string, 0, len(t.OUs))
	for _, o := range t.OUs {
		if _, rel, ok := strings.Cut(o.Path, "/"); ok && rel != "" {
			out = append(out, rel)
		} else {
			out = append(out, o.Path)
		}
	}
	sort.Strings(out)
	return out
}

// Bundle is the named access bundle of the org settings; a name that is not
// there is reported with the closest ones (or all of them when none is close).
func Bundle(cfg *orgconfig.Config, name string) (orgconfig.Bundle, error) {
	if cfg == nil {
		return orgconfig.Bundle{}, fmt.Errorf("access bundle %q: no org settings file", name)
	}
	b, err := cfg.Bundle(name)
	if err == nil {
		return b, nil
	}
	names := make([]string, 0, len(cfg.Access))
	for _, b := range cfg.Access {
		names = append(names, b.Name)
	}
	if hint := inventory.Suggest(name, names); hint != "" {
		return b, fmt.Errorf("access bundle %q is not in %s%s", name, cfg.Path, hint)
	}
	return b, err
}

// maxSuggestPages bounds the ListUsers pages read only to suggest a user
// name for a typo (100 users a page): a hint must not cost minutes of a
// 100,000-user store's 20 TPS.
const maxSuggestPages = 50

// UserSuggestions are the user names (and e-mail addresses) closest to
// ref, from the directory's listing when it has one, else from at most
// maxSuggestPages pages of ListUsers.
func (d *Directory) UserSuggestions(ctx context.Context, ref string) []string {
	users := d.users
	if users == nil {
		p := identitystore.NewListUsersPaginator(d.c.IdentityStore, &identitystore.ListUsersInput{IdentityStoreId: &d.inst.IdentityStoreId, MaxResults: aws.Int32(100)})
		for pages := 0; p.HasMorePages() && pages < maxSuggestPages; pages++ {
			page, err := p.NextPage(ctx)
			if err != nil {
				break
			}
			for _, u := range page.Users {
				users = append(users, inventory.User{UserName: aws.ToString(u.UserName)})
				for _, e := range u.Emails {
					users[len(users)-1].Email = aws.ToString(e.Value)
				}
			}
		}
	}
	cands := make([]string, 0, 2*len(users))
	for _, u := range users {
		cands = append(cands, u.UserName)
	}
	if strings.Contains(ref, "@") {
		for _, u := range users {
			cands = append(cands, u.Email)
		}
	}
	return inventory.Closest(ref, cands, 3)
}

// accountNames are the accounts' names, then their ids, for suggestions.
func accountNames(all []inventory.Account) []string {
	out := make([]string, 0, 2*len(all))
	for _, a := range all {
		out = append(out, a.Name)
	}
	for _, a := range all {
		out = append(out, a.Id)
	}
	return out
}

// AccountSuggestions are the account names (or ids) closest to ref.
func (d *Directory) AccountSuggestions(ctx context.Context, ref string) []string {
	all, err := d.allAccounts(ctx)
	if err != nil {
		return nil
	}
	return inventory.Closest(ref, accountNames(all), 3)
}

func findAccount(all []inventory.Account, ref string) (inventory.Account, error) {
	var byName []inventory.Account
	for _, a := range all {
		if a.Id == ref {
			return a, nil
		}
		if strings.EqualFold(a.Name, ref) {
			byName = append(byName, a)
		}
	}
	switch len(byName) {
	case 1:
		return byName[0], nil
	case 0:
		return inventory.Account{}, fmt.Errorf("account %q %w%s", ref, inventory.ErrNotFound, inventory.Suggest(ref, accountNames(all)))
	}
	return inventory.Account{}, fmt.Errorf("account name %q is used by %d accounts; give the account id", ref, len(byName))
}

// BundleTargets resolves every grant of a bundle.
func (d *Directory) BundleTargets(ctx context.Context, b orgconfig.Bundle) ([]Target, []Skipped, error) {
	var out []Target
	var skipped []Skipped
	seen := map[string]bool{}
	for _, g := range b.Grants {
		ts, sk, err := d.Targets(ctx, g.PermissionSet, g.Accounts, g.OUs)
		if err != nil {
			return nil, nil, fmt.Errorf("access bundle %s: %w", b.Name, err)
		}
		for _, t := range ts {
			k := t.PermissionSet.Arn + "|" + t.Account.Id
			if !seen[k] {
				seen[k] = true
				out = append(out, t)
			}
		}
		skipped = append(skipped, sk...)
	}
	return out, skipped, nil
}

// change is the executor change giving (or taking) a target to a user.
func change(op execute.Op, u inventory.User, t Target) execute.Change {
	return execute.Change{Op: op,
		Assignment:  execute.Assignment{AccountId: t.Account.Id, PermissionSetArn: t.PermissionSet.Arn, PrincipalType: "USER", PrincipalId: u.Id},
		AccountName: t.Account.Name, PermissionSetName: t.PermissionSet.Name, PrincipalName: u.UserName}
}

// AccessPlan is what assign / unassign / change-access will do for one user.
type AccessPlan struct {
	User inventory.User `json:"user"`
	Plan execute.Plan   `json:"plan"`
	// Unchanged are changes already as wanted (assigned, or not there).
	Unchanged []execute.Change `json:"unchanged,omitempty"`
	Skipped   []Skipped        `json:"skipped,omitempty"`
}

// Direct lists the user's direct assignments.
func (d *Directory) Direct(ctx context.Context, u inventory.User) ([]inventory.Assignment, error) {
	return inventory.AssignmentsForPrincipal(ctx, d.c.SSOAdmin, d.inst, "USER", u.Id, "")
}

// PlanAccess plans giving (add) and taking (remove) targets to a user:
// what is already assigned is not created again, what is not assigned is
// not deleted, and a target in both lists is kept.
func (d *Directory) PlanAccess(ctx context.Context, u inventory.User, add, remove []Target) (AccessPlan, error) {
	have := map[string]bool{}
	if u.Id != "" {
		direct, err := d.Direct(ctx, u)
		if err != nil {
			return AccessPlan{}, err
		}
		for _, a := range direct {
			have[a.PermissionSetArn+"|"+a.AccountId] = true
		}
	}
	return d.planAccess(u, have, add, remove), nil
}

// planAccess is PlanAccess once the user's direct assignments are known
// (have: "permission set ARN|account id").
func (d *Directory) planAccess(u inventory.User, have map[string]bool, add, remove []Target) AccessPlan {
	p := AccessPlan{User: u, Plan: execute.Plan{InstanceArn: d.inst.Arn}}
	keep := map[string]bool{}
	for _, t := range add {
		k := t.PermissionSet.Arn + "|" + t.Account.Id
		keep[k] = true
		if have[k] {
			p.Unchanged = append(p.Unchanged, change(execute.Create, u, t))
		} else {
			p.Plan.Changes = append(p.Plan.Changes, change(execute.Create, u, t))
		}
	}
	for _, t := range remove {
		k := t.PermissionSet.Arn + "|" + t.Account.Id
		switch {
		case keep[k]:
		case have[k]:
			p.Plan.Changes = append(p.Plan.Changes, change(execute.Delete, u, t))
		default:
			p.Unchanged = append(p.Unchanged, change(execute.Delete, u, t))
		}
	}
	return p
}

// GivenName reads a user's given name (the inventory's User has none).
func (d *Directory) GivenName(ctx context.Context, userID string) (string, error) {
	out, err := d.c.IdentityStore.DescribeUser(ctx, &identitystore.DescribeUserInput{IdentityStoreId: &d.inst.IdentityStoreId, UserId: &userID})
	if err != nil {
		return "", err
	}
	if out.Name == nil {
		return "", nil
	}
	return aws.ToString(out.Name.GivenName), nil
}

// HasAccess reports whether an enabled user can reach at least one account
// through Identity Center: a direct assignment, or one of a group they are
// in. It is the check before a legacy IAM user is retired.
func (d *Directory) HasAccess(ctx context.Context, u inventory.User) (bool, error) {
	if u.Status == "DISABLED" {
		return false, nil
	}
	direct, err := d.Direct(ctx, u)
	if err != nil || len(direct) > 0 {
		return len(direct) > 0, err
	}
	ms, err := d.memberships(ctx, u.Id)
	if err != nil {
		return false, err
	}
	for _, m := range ms {
		as, err := inventory.AssignmentsForPrincipal(ctx, d.c.SSOAdmin, d.inst, "GROUP", m.GroupId, "")
		if err != nil {
			return false, err
		}
		if len(as) > 0 {
			return true, nil
		}
	}
	return false, nil
}
