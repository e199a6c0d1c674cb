package inventory

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
	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/ssoctl/ssoctl/internal/fanout"
)

// Directory is the org directory of one Identity Center instance: the
// instance, the accounts (with their State), the OU tree, the permission
// sets, users and groups, and name <-> id resolution with suggestions. Each
// listing is read once, on first use, and shared by every caller; a lookup
// of a few ids reads just those while the listing has not been read. It is
// safe for concurrent use. The audit, the assignment lister, the user
// lifecycle, access questions and the assignments file all ask it.
type Directory struct {
	c    Clients
	opts DirectoryOptions

	inst     lazy[Instance]
	accounts lazy[[]Account]
	tree     lazy[*OrgTree]
	sets     lazy[setListing]
	users    lazy[[]User]
	groups   lazy[[]Group]
	mgmt     lazy[string]
}

// DirectoryOptions choose the instance and the name cache.
type DirectoryOptions struct {
	// InstanceArn is the instance ("" is the only one there is).
	InstanceArn string
	// Names holds permission-set names between runs (nil: none). New names
	// are put in it; saving it is the caller's.
	Names *NameCache
}

// NewDirectory returns a Directory over c. It makes no call.
func NewDirectory(c Clients, opts DirectoryOptions) *Directory {
	return &Directory{c: c, opts: opts}
}

// UseNameCache sets the permission-set name cache (DirectoryOptions.Names)
// of a directory that has not read the permission sets yet.
func (d *Directory) UseNameCache(c *NameCache) {
	d.sets.mu.Lock()
	defer d.sets.mu.Unlock()
	d.opts.Names = c
}

// Clients are the directory's clients.
func (d *Directory) Clients() Clients { return d.c }

// NameCache is the permission-set name cache (nil when none).
func (d *Directory) NameCache() *NameCache { return d.opts.Names }

// setListing is the permission sets as listed, and the full descriptions
// of those the listing described (the name cache spares the others).
type setListing struct {
	list      []PermissionSet
	described map[string]PermissionSet
}

// lazy is one listing, read once: a failed read is tried again by the
// next caller (its context may have ended, not the listing's chances).
type lazy[T any] struct {
	mu   sync.Mutex
	done bool
	v    T
}

func (l *lazy[T]) get(read func() (T, error)) (T, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.done {
		return l.v, nil
	}
	v, err := read()
	if err != nil {
		return v, err
	}
	l.v, l.done = v, true
	return v, nil
}

// peek is the listing when it has been read.
func (l *lazy[T]) peek() (T, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.v, l.done
}

// Instance is the directory's instance: the one its options name (or the
// only one), read once. A non-empty arn names it instead (an assignments
// file may); a directory reads one instance, so once it has read one,
// another arn is an error.
func (d *Directory) Instance(ctx context.Context, arn string) (Instance, error) {
	if arn == "" {
		arn = d.opts.InstanceArn
	}
	if in, ok := d.inst.peek(); ok && arn != "" && arn != in.Arn {
		return Instance{}, fmt.Errorf("instance %s: this directory reads instance %s", arn, in.Arn)
	}
	return d.inst.get(func() (Instance, error) { return FindInstance(ctx, d.c.SSOAdmin, arn) })
}

func (d *Directory) instance(ctx context.Context) (Instance, error) { return d.Instance(ctx, "") }

// Listings names what Discover reads.
type Listings int

// The listings of the directory.
const (
	ListAccounts Listings = 1 << iota
	ListOrgTree
	ListPermissionSets
	ListUsers
	ListGroups
)

// Discovery is what Discover read: the listings it was asked for (the
// others are nil).
type Discovery struct {
	Accounts       []Account
	OrgTree        *OrgTree
	PermissionSets []PermissionSet
	Users          []User
	Groups         []Group
}

// Discover reads the given listings (each unless read already) and runs
// the caller's own reads (with) all at once, and returns when every one is
// done: an organization's discovery in one round, the audit's and the
// named listing's alike. Its error is ctx's, else the first that failed.
func (d *Directory) Discover(ctx context.Context, which Listings, with ...func(context.Context) error) (*Discovery, error) {
	var out Discovery
	var fns []func(context.Context) error
	read := func(l Listings, fn func(context.Context) (err error)) {
		if which&l != 0 {
			fns = append(fns, fn)
		}
	}
	read(ListOrgTree, func(ctx context.Context) (err error) { out.OrgTree, err = d.OrgTree(ctx); return })
	read(ListAccounts, func(ctx context.Context) (err error) { out.Accounts, err = d.Accounts(ctx); return })
	read(ListPermissionSets, func(ctx context.Context) (err error) { out.PermissionSets, err = d.PermissionSets(ctx); return })
	read(ListUsers, func(ctx context.Context) (err error) { out.Users, err = d.Users(ctx); return })
	read(ListGroups, func(ctx context.Context) (err error) { out.Groups, err = d.Groups(ctx); return })
	if err := fanout.All(ctx, append(fns, with...)...); err != nil {
		return nil, err
	}
	return &out, nil
}

// Accounts lists the organization's accounts (ListAccounts), sorted by id.
func (d *Directory) Accounts(ctx context.Context) ([]Account, error) {
	return d.accounts.get(func() ([]Account, error) { return Accounts(ctx, d.c.Organizations) })
}

// OrgTree walks the organization's roots and OUs (see WalkOrg).
func (d *Directory) OrgTree(ctx context.Context) (*OrgTree, error) {
	return d.tree.get(func() (*OrgTree, error) { return WalkOrg(ctx, d.c) })
}

// PermissionSets lists the instance's permission sets with their names
// (Arn and Name; see NamedPermissionSets), sorted by name.
func (d *Directory) PermissionSets(ctx context.Context) ([]PermissionSet, error) {
	inst, err := d.instance(ctx)
	if err != nil {
		return nil, err
	}
	l, err := d.sets.get(func() (setListing, error) {
		list, described, err := namedPermissionSets(ctx, d.c, inst, d.opts.Names)
		return setListing{list, described}, err
	})
	return l.list, err
}

// DescribedPermissionSet is a permission set as DescribePermissionSet told
// it while the listing named the sets (every field of PermissionSet set):
// a caller reading its other attributes need not describe it again. False
// when the sets are not listed yet or the name came from the name cache.
func (d *Directory) DescribedPermissionSet(arn string) (PermissionSet, bool) {
	l, ok := d.sets.peek()
	if !ok {
		return PermissionSet{}, false
	}
	ps, ok := l.described[arn]
	return ps, ok
}

// Users lists every user of the identity store, in the store's order.
func (d *Directory) Users(ctx context.Context) ([]User, error) {
	inst, err := d.instance(ctx)
	if err != nil {
		return nil, err
	}
	return d.users.get(func() ([]User, error) { return Users(ctx, d.c.IdentityStore, inst) })
}

// Groups lists every group of the identity store.
func (d *Directory) Groups(ctx context.Context) ([]Group, error) {
	inst, err := d.instance(ctx)
	if err != nil {
		return nil, err
	}
	return d.groups.get(func() ([]Group, error) { return Groups(ctx, d.c.IdentityStore, inst) })
}

// FirstGroups are some of the store's groups, for a question one page may
// answer (is the store provisioned by SCIM?): every group once listed, else
// the first ListGroups page (at most 100), not kept.
func (d *Directory) FirstGroups(ctx context.Context) ([]Group, error) {
	if all, ok := d.groups.peek(); ok {
		return all, nil
	}
	inst, err := d.instance(ctx)
	if err != nil {
		return nil, err
	}
	page, err := d.c.IdentityStore.ListGroups(ctx, &identitystore.ListGroupsInput{IdentityStoreId: &inst.IdentityStoreId, MaxResults: aws.Int32(100)})
	if err != nil {
		return nil, fmt.Errorf("list groups: %w", err)
	}
	out := make([]Group, 0, len(page.Groups))
	for _, g := range page.Groups {
		out = append(out, groupOf(g.GroupId, g.DisplayName, g.Description, g.ExternalIds))
	}
	return out, nil
}

// FirstUsers are some of the store's users, as FirstGroups: every user
// once listed, else the first ListUsers page (at most 100), not kept.
func (d *Directory) FirstUsers(ctx context.Context) ([]User, error) {
	if all, ok := d.users.peek(); ok {
		return all, nil
	}
	inst, err := d.instance(ctx)
	if err != nil {
		return nil, err
	}
	page, err := d.c.IdentityStore.ListUsers(ctx, &identitystore.ListUsersInput{IdentityStoreId: &inst.IdentityStoreId, MaxResults: aws.Int32(100)})
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	out := make([]User, 0, len(page.Users))
	for _, u := range page.Users {
		out = append(out, userOf(u.UserId, u.UserName, u.DisplayName, u.Emails, u.UserStatus, u.ExternalIds))
	}
	return out, nil
}

// ManagementAccount is the organization's management account id.
func (d *Directory) ManagementAccount(ctx context.Context) (string, error) {
	return d.mgmt.get(func() (string, error) {
		out, err := d.c.Organizations.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
		if err != nil {
			return "", fmt.Errorf("describe organization: %w", err)
		}
		return aws.ToString(out.Organization.MasterAccountId), nil
	})
}

// UserID finds a user's id by user name (or e-mail; see UserID).
func (d *Directory) UserID(ctx context.Context, name string) (string, error) {
	inst, err := d.instance(ctx)
	if err != nil {
		return "", err
	}
	return UserID(ctx, d.c.IdentityStore, inst, name)
}

// GroupID finds a group's id by display name.
func (d *Directory) GroupID(ctx context.Context, name string) (string, error) {
	inst, err := d.instance(ctx)
	if err != nil {
		return "", err
	}
	return GroupID(ctx, d.c.IdentityStore, inst, name)
}

// UsersByID returns those of ids that exist: from the listing once read,
// else from ListUsers pages or DescribeUser calls (see UsersByID).
func (d *Directory) UsersByID(ctx context.Context, ids []string) (map[string]User, error) {
	inst, err := d.instance(ctx)
	if err != nil {
		return nil, err
	}
	if all, ok := d.users.peek(); ok {
		return pick(all, ids, func(u User) string { return u.Id }), nil
	}
	return UsersByID(ctx, d.c, inst, ids)
}

// GroupsByID returns those of ids that exist: from the listing once read,
// else from ListGroups pages or DescribeGroup calls (see GroupsByID).
func (d *Directory) GroupsByID(ctx context.Context, ids []string) (map[string]Group, error) {
	inst, err := d.instance(ctx)
	if err != nil {
		return nil, err
	}
	if all, ok := d.groups.peek(); ok {
		return pick(all, ids, func(g Group) string { return g.Id }), nil
	}
	return GroupsByID(ctx, d.c, inst, ids)
}

// AccountsByID returns those of ids that exist: from the listing once
// read, else from ListAccounts pages or DescribeAccount calls (see
// AccountsByID).
func (d *Directory) AccountsByID(ctx context.Context, ids []string) (map[string]Account, error) {
	if all, ok := d.accounts.peek(); ok {
		return pick(all, ids, func(a Account) string { return a.Id }), nil
	}
	return AccountsByID(ctx, d.c, ids)
}

// PermissionSetNames names the given permission sets: from the listing
// once read, else from the name cache and DescribePermissionSet (see
// PermissionSetNames).
func (d *Directory) PermissionSetNames(ctx context.Context, arns []string) (map[string]string, error) {
	inst, err := d.instance(ctx)
	if err != nil {
		return nil, err
	}
	if all, ok := d.sets.peek(); ok {
		names := make(map[string]string, len(arns))
		for arn, ps := range pick(all.list, arns, func(ps PermissionSet) string { return ps.Arn }) {
			names[arn] = ps.Name
		}
		return names, nil
	}
	return PermissionSetNames(ctx, d.c, inst, d.opts.Names, arns)
}

// FindAccount resolves an account by id or name (see FindAccount), from
// the listing once read.
func (d *Directory) FindAccount(ctx context.Context, ref string) (Account, error) {
	if all, ok := d.accounts.peek(); ok {
		for _, a := range all {
			if a.Id == ref || a.Name == ref {
				return a, nil
			}
		}
		return Account{}, fmt.Errorf("account %q %w", ref, ErrNotFound)
	}
	return FindAccount(ctx, d.c.Organizations, ref)
}

// OUsOf finds the OU (or root) directly above each account: from the tree
// once walked, else from the bottom up (see OUsOf).
func (d *Directory) OUsOf(ctx context.Context, ids []string) (map[string]OU, error) {
	if t, ok := d.tree.peek(); ok {
		out := make(map[string]OU, len(ids))
		for _, id := range ids {
			if ou, ok := t.OUOf(id); ok {
				out[id] = ou
			}
		}
		return out, nil
	}
	return OUsOf(ctx, d.c, ids)
}

func pick[T any](all []T, ids []string, idOf func(T) string) map[string]T {
	want := make(map[string]bool, len(ids))
	for _, id := range ids {
		want[id] = true
	}
	out := make(map[string]T, len(want))
	for _, x := range all {
		if id := idOf(x); want[id] {
			out[id] = x
		}
	}
	return out
}

// reIdentityStoreID is the identity-store id format of users and groups.
var reIdentityStoreID = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^([0-9a-f]{10}-|)[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{12}$`)
})

// IsPrincipalID reports whether s has the form of an identity-store user
// or group id: a UUID, optionally after ten hex digits and "-".
func IsPrincipalID(s string) bool { return reIdentityStoreID().MatchString(s) }

// User resolves a user by user name, e-mail address or user id; an unknown
// one wraps ErrNotFound (UserSuggestions names the closest).
func (d *Directory) User(ctx context.Context, ref string) (User, error) {
	inst, err := d.instance(ctx)
	if err != nil {
		return User{}, err
	}
	if IsPrincipalID(ref) {
		u, err := DescribeUser(ctx, d.c.IdentityStore, inst, ref)
		if err == nil || !errors.Is(err, ErrNotFound) {
			return u, err
		}
	}
	id, err := UserID(ctx, d.c.IdentityStore, inst, ref)
	if err != nil {
		return User{}, err
	}
	return DescribeUser(ctx, d.c.IdentityStore, inst, id)
}

// lookupOneByOne is how many user names UserIDsByName looks up one by one
// (GetUserId); above it the store is listed once (ListUsers, 100 a page),
// which is cheaper for any file worth the name.
const lookupOneByOne = 10

// UserIDsByName maps the lower-case user names (and, for names that are
// e-mail addresses, the address) of those users that exist to their ids:
// one GetUserId per name for a few names while the users have not been
// listed, else from the listing.
func (d *Directory) UserIDsByName(ctx context.Context, names []string) (map[string]string, error) {
	out := map[string]string{}
	if _, listed := d.users.peek(); len(names) <= lookupOneByOne && !listed {
		for _, n := range names {
			id, err := d.UserID(ctx, n)
			switch {
			case err == nil:
				out[strings.ToLower(n)] = id
			case !errors.Is(err, ErrNotFound):
				return nil, err
			}
		}
		return out, nil
	}
	users, err := d.Users(ctx)
	if err != nil {
		return nil, err
	}
	byName, byEmail := map[string]string{}, map[string]string{}
	for _, u := range users {
		byName[strings.ToLower(u.UserName)] = u.Id
		if u.Email != "" {
			byEmail[strings.ToLower(u.Email)] = u.Id
		}
	}
	for _, n := range names {
		k := strings.ToLower(n)
		if id, ok := byName[k]; ok {
			out[k] = id
		} else if id, ok := byEmail[k]; ok && strings.Contains(n, "@") {
			out[k] = id
		}
	}
	return out, nil
}

// maxSuggestPages bounds the ListUsers pages read only to suggest a user
// name for a typo (100 users a page): a hint must not cost minutes of a
// 100,000-user store's 20 TPS.
const maxSuggestPages = 50

// UserSuggestions are the user names (and e-mail addresses) closest to
// ref, from the listing once read, else from at most maxSuggestPages pages
// of ListUsers.
func (d *Directory) UserSuggestions(ctx context.Context, ref string) []string {
	users, ok := d.users.peek()
	if !ok {
		inst, err := d.instance(ctx)
		if err != nil {
			return nil
		}
		p := identitystore.NewListUsersPaginator(d.c.IdentityStore, &identitystore.ListUsersInput{IdentityStoreId: &inst.IdentityStoreId, MaxResults: aws.Int32(100)})
		for pages := 0; p.HasMorePages() && pages < maxSuggestPages; pages++ {
			page, err := p.NextPage(ctx)
			if err != nil {
				break
			}
			for _, u := range page.Users {
				users = append(users, User{UserName: aws.ToString(u.UserName)})
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
	return Closest(ref, cands, 3)
}

// maxListed is the most names a not-found error lists when none is close
// to what was asked for (beyond it, the list would be noise).
const maxListed = 20

// PermissionSet resolves a permission set by name, ARN or ps- id; an
// unknown one wraps ErrNotFound, with the closest names (or all of them,
// when there are few and none is close).
func (d *Directory) PermissionSet(ctx context.Context, ref string) (PermissionSet, error) {
	sets, err := d.PermissionSets(ctx)
	if err != nil {
		return PermissionSet{}, err
	}
	var names []string
	for _, ps := range sets {
		if ps.Name == ref || PermissionSetRefMatches(ps.Arn, ref) {
			return ps, nil
		}
		names = append(names, ps.Name)
	}
	if hint := Suggest(ref, names); hint != "" || len(names) > maxListed {
		return PermissionSet{}, fmt.Errorf("permission set %q %w%s", ref, ErrNotFound, hint)
	}
	return PermissionSet{}, fmt.Errorf("permission set %q %w (there are: %s)", ref, ErrNotFound, strings.Join(names, ", "))
}

// PermissionSetName names a permission set ARN ("" if unknown).
func (d *Directory) PermissionSetName(ctx context.Context, arn string) string {
	ps, err := d.PermissionSet(ctx, arn)
	if err != nil || ps.Arn != arn {
		return ""
	}
	return ps.Name
}

// Account resolves an account by id or name (case-insensitive) from the
// listing; an unknown one wraps ErrNotFound with the closest names, and a
// name several accounts share asks for the id.
func (d *Directory) Account(ctx context.Context, ref string) (Account, error) {
	all, err := d.Accounts(ctx)
	if err != nil {
		return Account{}, err
	}
	var byName []Account
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
		return Account{}, fmt.Errorf("account %q %w%s", ref, ErrNotFound, Suggest(ref, accountNames(all)))
	}
	return Account{}, fmt.Errorf("account name %q is used by %d accounts; give the account id", ref, len(byName))
}

// AccountName names an account id ("" if unknown).
func (d *Directory) AccountName(ctx context.Context, id string) string {
	all, err := d.Accounts(ctx)
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

// AccountSuggestions are the account names (or ids) closest to ref.
func (d *Directory) AccountSuggestions(ctx context.Context, ref string) []string {
	all, err := d.Accounts(ctx)
	if err != nil {
		return nil
	}
	return Closest(ref, accountNames(all), 3)
}

// accountNames are the accounts' names, then their ids, for suggestions.
func accountNames(all []Account) []string {
	out := make([]string, 0, 2*len(all))
	for _, a := range all {
		out = append(out, a.Name)
	}
	for _, a := range all {
		out = append(out, a.Id)
	}
	return out
}

// OU resolves an OU or root by id, path or name (see OrgTree.FindOU); an
// unknown one wraps ErrNotFound with the closest paths.
func (d *Directory) OU(ctx context.Context, ref string) (OU, error) {
	t, err := d.OrgTree(ctx)
	if err != nil {
		return OU{}, err
	}
	ou, err := t.FindOU(ref)
	if errors.Is(err, ErrNotFound) {
		err = fmt.Errorf("%w%s", err, Suggest(ref, ouPaths(t)))
	}
	return ou, err
}

// ouPaths are the OUs as people write them (a path without the root's
// name, "Workloads/Prod"; a root by its name), sorted, for suggestions.
func ouPaths(t *OrgTree) []string {
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
