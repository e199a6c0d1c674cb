package inventory

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"

	"github.com/ssoctl/ssoctl/internal/awsconfig"
	"github.com/ssoctl/ssoctl/internal/fanout"
)

// NamedInstance is an instance with its display name (often empty) and
// its Regions.
type NamedInstance struct {
	Instance
	Name string `json:"name,omitempty"`
	// PrimaryRegion is where the instance was enabled: permission-set and
	// assignment calls work only there. Regions are every Region it is
	// enabled in, the primary first (sign-in works in any of them). Both
	// are empty where AWS does not say (before multi-Region replication).
	PrimaryRegion string   `json:"primaryRegion,omitempty"`
	Regions       []string `json:"regions,omitempty"`
}

// Instances lists every Identity Center instance the credentials can see.
func Instances(ctx context.Context, c SSOAdmin) ([]NamedInstance, error) {
	var out []NamedInstance
	p := ssoadmin.NewListInstancesPaginator(c, &ssoadmin.ListInstancesInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list Identity Center instances: %w", err)
		}
		for _, in := range page.Instances {
			ni := NamedInstance{Instance: Instance{Arn: aws.ToString(in.InstanceArn), IdentityStoreId: aws.ToString(in.IdentityStoreId)},
				Name: aws.ToString(in.Name), PrimaryRegion: aws.ToString(in.PrimaryRegion)}
			for _, r := range in.Regions {
				if r.IsPrimaryRegion {
					ni.Regions = append([]string{aws.ToString(r.RegionName)}, ni.Regions...)
				} else {
					ni.Regions = append(ni.Regions, aws.ToString(r.RegionName))
				}
			}
			out = append(out, ni)
		}
	}
	return out, nil
}

// NameCache remembers permission-set names by ARN, per instance, in one
// small file, so a name lookup lists the ARNs (one call per 100) and
// describes only the sets it has not seen. A permission set's name cannot
// change, so an entry never goes stale; entries of deleted sets are dropped
// whenever a full listing shows them gone. A missing or unreadable file is
// an empty cache. The zero path keeps the cache in memory only.
type NameCache struct {
	path  string
	mu    sync.Mutex
	data  nameCacheFile
	dirty bool
}

type nameCacheFile struct {
	Version int `json:"version"`
	// Instances maps instance ARN -> permission-set ARN -> name.
	Instances map[string]map[string]string `json:"instances"`
}

const nameCacheVersion = 1

// DefaultNameCachePath is where the cache lives: ssoctl/permission-set-names.json
// in the user's cache folder ("" when there is none).
func DefaultNameCachePath() string {
	dir, err := os.UserCacheDir()
	if err != nil || dir == "" {
		return ""
	}
	return filepath.Join(dir, "ssoctl", "permission-set-names.json")
}

// OpenNameCache reads the cache at path. A file that is missing, corrupt
// or of another version gives an empty cache, rewritten on Save.
func OpenNameCache(path string) *NameCache {
	c := &NameCache{path: path}
	if path != "" {
		if b, err := os.ReadFile(path); err == nil {
			var f nameCacheFile
			if json.Unmarshal(b, &f) == nil && f.Version == nameCacheVersion {
				c.data = f
			} else {
				c.dirty = true
			}
		}
	}
	c.data.Version = nameCacheVersion
	if c.data.Instances == nil {
		c.data.Instances = map[string]map[string]string{}
	}
	return c
}

// Path is the cache file ("" for memory only).
func (c *NameCache) Path() string { return c.path }

// Name returns the cached name of a permission set.
func (c *NameCache) Name(instanceArn, psArn string) (string, bool) {
	if c == nil {
		return "", false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	n, ok := c.data.Instances[instanceArn][psArn]
	return n, ok
}

// Put records a permission set's name.
func (c *NameCache) Put(instanceArn, psArn, name string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	m := c.data.Instances[instanceArn]
	if m == nil {
		m = map[string]string{}
		c.data.Instances[instanceArn] = m
	}
	if m[psArn] != name {
		m[psArn] = name
		c.dirty = true
	}
}

// keepOnly drops the instance's entries whose ARN is not in arns.
func (c *NameCache) keepOnly(instanceArn string, arns []string) {
	if c == nil {
		return
	}
	keep := make(map[string]bool, len(arns))
	for _, a := range arns {
		keep[a] = true
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for arn := range c.data.Instances[instanceArn] {
		if !keep[arn] {
			delete(c.data.Instances[instanceArn], arn)
			c.dirty = true
		}
	}
}

// Save writes the cache if it changed: to a temporary file in the same
// folder, renamed into place, 0600 in a 0700 folder.
func (c *NameCache) Save() error {
	if c == nil || c.path == "" {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.dirty {
		return nil
	}
	b, err := json.MarshalIndent(c.data, "", "  ")
	if err != nil {
		return fmt.Errorf("save permission-set name cache: %w", err)
	}
	dir := filepath.Dir(c.path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("save permission-set name cache: %w", err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(c.path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("save permission-set name cache: %w", err)
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("save permission-set name cache: %w", err)
	}
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("save permission-set name cache: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("save permission-set name cache: %w", err)
	}
	if err := os.Rename(tmp.Name(), c.path); err != nil {
		return fmt.Errorf("save permission-set name cache: %w", err)
	}
	c.dirty = false
	return nil
}

// PermissionSetNames returns the names of the given permission sets,
// describing (concurrently) only those the cache does not know, and
// records them in the cache. cache may be nil.
func PermissionSetNames(ctx context.Context, c Clients, inst Instance, cache *NameCache, arns []string) (map[string]string, error) {
	names, _, err := permissionSetNames(ctx, c, inst, cache, arns)
	return names, err
}

// permissionSetNames is PermissionSetNames with the full descriptions of
// the sets it described (those the cache did not know), by ARN.
func permissionSetNames(ctx context.Context, c Clients, inst Instance, cache *NameCache, arns []string) (map[string]string, map[string]PermissionSet, error) {
	names := make(map[string]string, len(arns))
	var missing []string
	seen := map[string]bool{}
	for _, arn := range arns {
		if seen[arn] {
			continue
		}
		seen[arn] = true
		if n, ok := cache.Name(inst.Arn, arn); ok {
			names[arn] = n
			continue
		}
		missing = append(missing, arn)
	}
	described := make(map[string]PermissionSet, len(missing))
	if len(missing) == 0 {
		return names, described, nil
	}
	sets, err := DescribePermissionSets(ctx, c, inst, missing)
	if err != nil {
		return nil, nil, err
	}
	for _, ps := range sets {
		names[ps.Arn] = ps.Name
		described[ps.Arn] = ps
		cache.Put(inst.Arn, ps.Arn, ps.Name)
	}
	return names, described, nil
}

// NamedPermissionSets lists every permission set with its name (only Arn
// and Name are set), sorted by name: ⌈P/100⌉ ListPermissionSets calls and
// a DescribePermissionSet for each set the cache does not know. cache may
// be nil; entries of deleted sets are dropped from it.
func NamedPermissionSets(ctx context.Context, c Clients, inst Instance, cache *NameCache) ([]PermissionSet, error) {
	sets, _, err := namedPermissionSets(ctx, c, inst, cache)
	return sets, err
}

// namedPermissionSets is NamedPermissionSets with the full descriptions of
// the sets it described, by ARN.
func namedPermissionSets(ctx context.Context, c Clients, inst Instance, cache *NameCache) ([]PermissionSet, map[string]PermissionSet, error) {
	arns, err := PermissionSetArns(ctx, c.SSOAdmin, inst)
	if err != nil {
		return nil, nil, err
	}
	names, described, err := permissionSetNames(ctx, c, inst, cache, arns)
	if err != nil {
		return nil, nil, err
	}
	cache.keepOnly(inst.Arn, arns)
	out := make([]PermissionSet, 0, len(arns))
	for _, arn := range arns {
		out = append(out, PermissionSet{Arn: arn, Name: names[arn]})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return out[i].Arn < out[j].Arn
	})
	return out, described, nil
}

// AccountsByID returns the accounts with the given ids that exist (others
// are absent from the map). See resolve for how it picks between
// ListAccounts and DescribeAccount.
func AccountsByID(ctx context.Context, c Clients, ids []string) (map[string]Account, error) {
	return resolve(ctx, ids, c.limit(), accountPages(c.Organizations),
		func(a Account) string { return a.Id },
		func(ctx context.Context, id string) (Account, error) {
			return DescribeAccount(ctx, c.Organizations, id)
		})
}

// DescribeAccount reads one account; an unknown id wraps ErrNotFound.
func DescribeAccount(ctx context.Context, c Organizations, id string) (Account, error) {
	out, err := c.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: &id})
	var nf *orgtypes.AccountNotFoundException
	if errors.As(err, &nf) {
		return Account{}, fmt.Errorf("account %s %w", id, ErrNotFound)
	}
	if err != nil {
		return Account{}, fmt.Errorf("describe account %s: %w", id, err)
	}
	return accountOf(*out.Account), nil
}

// UsersByID returns the users with the given ids that exist, from
// ListUsers pages or DescribeUser calls, whichever resolve finds cheaper.
func UsersByID(ctx context.Context, c Clients, inst Instance, ids []string) (map[string]User, error) {
	p := identitystore.NewListUsersPaginator(c.IdentityStore, &identitystore.ListUsersInput{IdentityStoreId: &inst.IdentityStoreId, MaxResults: aws.Int32(100)})
	return resolve(ctx, ids, c.limit(),
		func(ctx context.Context) ([]User, bool, error) {
			page, err := p.NextPage(ctx)
			if err != nil {
				return nil, false, fmt.Errorf("list users: %w", err)
			}
			out := make([]User, 0, len(page.Users))
			for _, u := range page.Users {
				out = append(out, userOf(u.UserId, u.UserName, u.DisplayName, u.Emails, u.UserStatus, u.ExternalIds))
			}
			return out, p.HasMorePages(), nil
		},
		func(u User) string { return u.Id },
		func(ctx context.Context, id string) (User, error) {
			return DescribeUser(ctx, c.IdentityStore, inst, id)
		})
}

// GroupsByID returns the groups with the given ids that exist, from
// ListGroups pages or DescribeGroup calls, whichever resolve finds cheaper.
func GroupsByID(ctx context.Context, c Clients, inst Instance, ids []string) (map[string]Group, error) {
	p := identitystore.NewListGroupsPaginator(c.IdentityStore, &identitystore.ListGroupsInput{IdentityStoreId: &inst.IdentityStoreId, MaxResults: aws.Int32(100)})
	return resolve(ctx, ids, c.limit(),
		func(ctx context.Context) ([]Group, bool, error) {
			page, err := p.NextPage(ctx)
			if err != nil {
				return nil, false, fmt.Errorf("list groups: %w", err)
			}
			out := make([]Group, 0, len(page.Groups))
			for _, g := range page.Groups {
				out = append(out, groupOf(g.GroupId, g.DisplayName, g.Description, g.ExternalIds))
			}
			return out, p.HasMorePages(), nil
		},
		func(g Group) string { return g.Id },
		func(ctx context.Context, id string) (Group, error) {
			return DescribeGroup(ctx, c.IdentityStore, inst, id)
		})
}

// resolve finds items by id without knowing how long the bulk list is: it
// reads list pages while fewer pages have been read than items remain to
// be found, then describes the rest one by one (concurrently). One item is
// always described; a list that fits in a page costs one call. Like renting
// skis until the rent would pay for a pair, this never costs more than about
// twice the cheaper of the two ways. Items that do not exist (the describe
// wraps ErrNotFound) are absent from the result.
func resolve[T any](ctx context.Context, ids []string, limit int,
	nextPage func(context.Context) ([]T, bool, error),
	idOf func(T) string,
	describe func(context.Context, string) (T, error),
) (map[string]T, error) {
	need := map[string]bool{}
	for _, id := range ids {
		need[id] = true
	}
	out := make(map[string]T, len(need))
	pages, more := 0, true
	for more && len(need) > 1 && pages < len(need) {
		items, m, err := nextPage(ctx)
		if err != nil {
			return nil, err
		}
		pages++
		more = m
		for _, it := range items {
			if id := idOf(it); need[id] {
				out[id] = it
				delete(need, id)
			}
		}
	}
	if len(need) == 0 || (!more && pages > 0) {
		return out, nil // the whole list was read: the rest do not exist
	}
	rest := make([]string, 0, len(need))
	for id := range need {
		rest = append(rest, id)
	}
	sort.Strings(rest)
	for i, r := range fanout.Map(ctx, rest, limit, describe) {
		switch {
		case r.Err == nil:
			out[rest[i]] = r.Value
		case !errors.Is(r.Err, ErrNotFound):
			return nil, r.Err
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// Kinds of names Lookup resolves.
const (
	KindInstance      = "instance"
	KindIdentityStore = "identity-store"
	KindUser          = "user"
	KindGroup         = "group"
	KindPermissionSet = "permission-set"
	KindAccount       = "account"
)

// LookupKinds are the kinds Lookup takes, in the order help lists them.
var LookupKinds = []string{KindInstance, KindIdentityStore, KindUser, KindGroup, KindPermissionSet, KindAccount}

// NotFound is the value of a name that does not exist.
const NotFound = "NOT_FOUND"

// All, as the only name, asks for every item of a kind.
const All = ":all"

// LookupResult is one name and what it stands for.
type LookupResult struct {
	Kind  string `json:"kind"`
	Name  string `json:"name"`
	Value string `json:"value"` // the id or ARN, or NOT_FOUND
	Found bool   `json:"found"`
}

// Lookup resolves names of one kind to ids and ARNs, one result per name
// in the order given (an account name several accounts share gives one
// result each); with the single name ":all", every item of the kind,
// sorted by name. instance and identity-store take no names and list
// every instance (or the one instanceArn names).
//
// Users and groups are found with GetUserId and GetGroupId (one call per
// name); permission sets from the ARN listing and the name cache; accounts
// from ListAccounts, by name or id.
func Lookup(ctx context.Context, c Clients, kind string, names []string, instanceArn string, cache *NameCache) ([]LookupResult, error) {
	switch kind {
	case KindInstance, KindIdentityStore:
		all, err := Instances(ctx, c.SSOAdmin)
		if err != nil {
			return nil, err
		}
		var out []LookupResult
		for _, in := range all {
			if instanceArn != "" && in.Arn != instanceArn {
				continue
			}
			if kind == KindInstance {
				out = append(out, LookupResult{Kind: kind, Name: in.Name, Value: in.Arn, Found: true})
			} else {
				out = append(out, LookupResult{Kind: kind, Name: in.Arn, Value: in.IdentityStoreId, Found: true})
			}
		}
		if len(out) == 0 {
			if instanceArn != "" {
				return nil, fmt.Errorf("instance %s %w", instanceArn, ErrNotFound)
			}
			return nil, ErrNoInstance
		}
		return out, nil
	case KindAccount:
		accounts, err := Accounts(ctx, c.Organizations)
		if err != nil {
			return nil, err
		}
		return lookupAccounts(accounts, names), nil
	}
	inst, err := FindInstance(ctx, c.SSOAdmin, instanceArn)
	if err != nil {
		return nil, err
	}
	all := len(names) == 1 && names[0] == All
	switch kind {
	case KindUser:
		if all {
			users, err := Users(ctx, c.IdentityStore, inst)
			if err != nil {
				return nil, err
			}
			out := make([]LookupResult, 0, len(users))
			for _, u := range users {
				out = append(out, LookupResult{Kind: kind, Name: u.UserName, Value: u.Id, Found: true})
			}
			return sortedByName(out), nil
		}
		return lookupEach(ctx, c, kind, names, func(ctx context.Context, n string) (string, error) { return UserID(ctx, c.IdentityStore, inst, n) })
	case KindGroup:
		if all {
			groups, err := Groups(ctx, c.IdentityStore, inst)
			if err != nil {
				return nil, err
			}
			out := make([]LookupResult, 0, len(groups))
			for _, g := range groups {
				out = append(out, LookupResult{Kind: kind, Name: g.Name, Value: g.Id, Found: true})
			}
			return sortedByName(out), nil
		}
		return lookupEach(ctx, c, kind, names, func(ctx context.Context, n string) (string, error) { return GroupID(ctx, c.IdentityStore, inst, n) })
	case KindPermissionSet:
		sets, err := NamedPermissionSets(ctx, c, inst, cache)
		if err != nil {
			return nil, err
		}
		return lookupPermissionSets(sets, names, all), nil
	}
	return nil, fmt.Errorf("unknown kind %q (choose one of %v)", kind, LookupKinds)
}

func sortedByName(rs []LookupResult) []LookupResult {
	sort.SliceStable(rs, func(i, j int) bool { return rs[i].Name < rs[j].Name })
	return rs
}

// lookupEach resolves every name with find, concurrently, in order.
func lookupEach(ctx context.Context, c Clients, kind string, names []string, find func(context.Context, string) (string, error)) ([]LookupResult, error) {
	res := fanout.Map(ctx, names, c.limit(), find)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := make([]LookupResult, 0, len(names))
	for i, r := range res {
		switch {
		case r.Err == nil:
			out = append(out, LookupResult{Kind: kind, Name: names[i], Value: r.Value, Found: true})
		case errors.Is(r.Err, ErrNotFound):
			out = append(out, LookupResult{Kind: kind, Name: names[i], Value: NotFound})
		default:
			return nil, r.Err
		}
	}
	return out, nil
}

// lookupPermissionSets matches names, or ARNs and ids (arn:…, ssoins-…/ps-…,
// ps-…) for the reverse lookup.
func lookupPermissionSets(sets []PermissionSet, names []string, all bool) []LookupResult {
	var out []LookupResult
	if all {
		for _, ps := range sets {
			out = append(out, LookupResult{Kind: KindPermissionSet, Name: ps.Name, Value: ps.Arn, Found: true})
		}
		return out
	}
	for _, n := range names {
		r := LookupResult{Kind: KindPermissionSet, Name: n, Value: NotFound}
		for _, ps := range sets {
			if ps.Name == n || PermissionSetRefMatches(ps.Arn, n) {
				r = LookupResult{Kind: KindPermissionSet, Name: ps.Name, Value: ps.Arn, Found: true}
				break
			}
		}
		out = append(out, r)
	}
	return out
}

// PermissionSetRefMatches reports whether ref names the permission set
// arn by its whole ARN, its "ssoins-…/ps-…" part, or its "ps-…" id.
func PermissionSetRefMatches(arn, ref string) bool {
	if arn == ref {
		return true
	}
	_, rest, ok := strings.Cut(arn, ":permissionSet/")
	if !ok {
		return false
	}
	if rest == ref {
		return true
	}
	_, id, _ := strings.Cut(rest, "/")
	return id == ref
}

func lookupAccounts(accounts []Account, names []string) []LookupResult {
	var out []LookupResult
	if len(names) == 1 && names[0] == All {
		for _, a := range accounts {
			out = append(out, LookupResult{Kind: KindAccount, Name: a.Name, Value: a.Id, Found: true})
		}
		return sortedByName(out)
	}
	for _, n := range names {
		found := false
		for _, a := range accounts {
			if a.Name == n || a.Id == n {
				out = append(out, LookupResult{Kind: KindAccount, Name: a.Name, Value: a.Id, Found: true})
				found = true
			}
		}
		if !found {
			out = append(out, LookupResult{Kind: KindAccount, Name: n, Value: NotFound})
		}
	}
	return out
}

// Limit is the number of calls in flight per fan-out (Concurrency, or 16).
func (c Clients) Limit() int { return c.limit() }

// FindAccount resolves an account by 12-digit id (one DescribeAccount) or
// by name (ListAccounts pages up to the first account of that name; give
// the id when names repeat). An unknown account wraps ErrNotFound.
func FindAccount(ctx context.Context, c Organizations, ref string) (Account, error) {
	if awsconfig.IsAccountID(ref) {
		a, err := DescribeAccount(ctx, c, ref)
		if errors.Is(err, ErrNotFound) {
			return Account{}, fmt.Errorf("account %q %w", ref, ErrNotFound)
		}
		return a, err
	}
	next := accountPages(c)
	for more := true; more; {
		var page []Account
		var err error
		if page, more, err = next(ctx); err != nil {
			return Account{}, err
		}
		for _, a := range page {
			if a.Name == ref {
				return a, nil
			}
		}
	}
	return Account{}, fmt.Errorf("account %q %w", ref, ErrNotFound)
}
