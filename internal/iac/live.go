package iac

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/ssoctl/ssoctl/internal/assignments"
	"github.com/ssoctl/ssoctl/internal/assignments/file"
	"github.com/ssoctl/ssoctl/internal/assignments/list"
	"github.com/ssoctl/ssoctl/internal/assignments/plan"
	"github.com/ssoctl/ssoctl/internal/fanout"
	"github.com/ssoctl/ssoctl/internal/groups"
	"github.com/ssoctl/ssoctl/internal/inventory"
	"github.com/ssoctl/ssoctl/internal/permsets"
)

// SSOAdmin is what reading the live state calls of sso-admin.
type SSOAdmin interface {
	inventory.SSOAdmin
	permsets.Reader
}

// IdentityStore is what reading the live state calls of the identity store.
type IdentityStore interface {
	inventory.IdentityStore
	groups.Reader
}

// Clients are the services the live state is read from.
type Clients struct {
	SSOAdmin      SSOAdmin
	IdentityStore IdentityStore
	Organizations inventory.Organizations
}

// Inventory is the clients as package inventory takes them.
func (c Clients) Inventory() inventory.Clients {
	return inventory.Clients{SSOAdmin: c.SSOAdmin, IdentityStore: c.IdentityStore, Organizations: c.Organizations}
}

// Directory is the org directory a plan or an export reads through
// (package inventory's): what the assignments file asks, and the full
// descriptions of the permission sets its listing described, so that
// reading a set's attributes does not describe it again.
type Directory interface {
	file.Directory
	groups.Directory
	DescribedPermissionSet(arn string) (inventory.PermissionSet, bool)
}

// readPermissionSets reads each permission set with every attribute:
// those the directory described already, without DescribePermissionSet
// (five calls), the others with it (six).
func readPermissionSets(ctx context.Context, c permsets.Reader, dir Directory, instanceArn string, arns []string) ([]*permsets.Live, error) {
	res := fanout.Map(ctx, arns, readLimit, func(ctx context.Context, arn string) (*permsets.Live, error) {
		return readPermissionSet(ctx, c, dir, instanceArn, arn)
	})
	out := make([]*permsets.Live, 0, len(res))
	for _, r := range res {
		if r.Err != nil {
			return nil, r.Err
		}
		out = append(out, r.Value)
	}
	return out, ctx.Err()
}

func readPermissionSet(ctx context.Context, c permsets.Reader, dir Directory, instanceArn, arn string) (*permsets.Live, error) {
	ps, ok := dir.DescribedPermissionSet(arn)
	if !ok {
		return permsets.Read(ctx, c, instanceArn, arn)
	}
	l := &permsets.Live{Arn: arn, Created: ps.Created, Desired: permsets.Desired{
		Name: ps.Name, Description: ps.Description, SessionDuration: ps.SessionDuration, RelayState: ps.RelayState}}
	return l, permsets.ReadBasics(ctx, c, instanceArn, l)
}

// Scope is what a plan reads of the live state — only what the file
// touches: the permission sets and groups it declares (by name), with
// prune every permission set or group's name (to find those it does not
// declare) in the sections it has, the assignments of the permission sets
// it names in the accounts it declares (every account with prune), and
// whether the identity store is provisioned by SCIM (when it declares
// groups). A saved plan keeps its scope, so apply reads the same again.
type Scope struct {
	InstanceArn     string   `json:"instanceArn"`
	IdentityStoreId string   `json:"identityStoreId"`
	PermissionSets  []string `json:"permissionSets"`
	Groups          []string `json:"groups"`
	// PrunePermissionSets and PruneGroups: every live permission set or
	// group is listed, and those the file does not declare are read for
	// whether anything still uses them.
	PrunePermissionSets bool `json:"prunePermissionSets,omitempty"`
	PruneGroups         bool `json:"pruneGroups,omitempty"`
	// Assignments is what the assignment lister reads (nil: no file has
	// an Assignments section and none are pruned).
	Assignments *plan.Scope `json:"assignments,omitempty"`
	// NamedPermissionSets are the permission sets whose live assignments
	// the file manages (the Assignments section names them, or the
	// PermissionSets section declares them): with prune, their
	// undeclared assignments are deleted.
	NamedPermissionSets []string `json:"namedPermissionSets,omitempty"`
	// SCIM: whether the store's provisioning is checked.
	SCIM bool `json:"scim,omitempty"`
}

// LivePermissionSet is a declared permission set as read: nil Live when it
// does not exist.
type LivePermissionSet struct {
	Name         string                `json:"name"`
	Live         *permsets.Live        `json:"live,omitempty"`
	Provisioning permsets.Provisioning `json:"provisioning"`
}

// Live is what a plan read of the live state.
type Live struct {
	PermissionSets []LivePermissionSet `json:"permissionSets"`
	// Groups are the declared groups that exist, by name.
	Groups map[string]*groups.Live `json:"groups"`
	// AllPermissionSets and AllGroups are every live one (with prune).
	AllPermissionSets []inventory.PermissionSet `json:"allPermissionSets,omitempty"`
	AllGroups         []inventory.Group         `json:"allGroups,omitempty"`
	// GroupAssignments are, with prune, the live assignments of each group
	// the file does not declare, by group id.
	GroupAssignments map[string][]assignments.Assignment `json:"groupAssignments,omitempty"`
	// Assignments are the live assignments in scope.
	Assignments *plan.Live    `json:"-"`
	Source      groups.Source `json:"source"`
	// Users name the members and principals read, by id.
	Users map[string]inventory.User `json:"-"`
}

// ScopeOf is the scope a plan of r reads.
func ScopeOf(ctx context.Context, r *Resolved, dir file.Directory, prune bool) (Scope, error) {
	s := Scope{InstanceArn: r.Instance.Arn, IdentityStoreId: r.Instance.IdentityStoreId, PermissionSets: []string{}, Groups: []string{}}
	for _, ps := range r.PermissionSets {
		s.PermissionSets = append(s.PermissionSets, ps.Name)
	}
	for _, g := range r.Groups {
		s.Groups = append(s.Groups, g.Name)
	}
	sort.Strings(s.PermissionSets)
	sort.Strings(s.Groups)
	has := r.Set.Has
	s.PrunePermissionSets = prune && has[SectionPermissionSets]
	s.PruneGroups = prune && has[SectionGroups]
	s.SCIM = has[SectionGroups]
	pruneAssignments := prune && has[SectionAssignments]
	if !has[SectionAssignments] && !s.PrunePermissionSets && !s.PruneGroups {
		return s, nil
	}
	live, err := dir.PermissionSets(ctx)
	if err != nil {
		return s, err
	}
	arnOf := map[string]string{}
	for _, ps := range live {
		arnOf[ps.Name] = ps.Arn
	}
	named := map[string]bool{}
	if r.Assignments != nil {
		for _, arn := range r.Assignments.PermissionSetArns() {
			if !IsPending(arn) {
				named[arn] = true
			}
		}
	}
	if has[SectionAssignments] {
		for _, ps := range r.PermissionSets {
			if arn := arnOf[ps.Name]; arn != "" {
				named[arn] = true
			}
		}
	}
	for arn := range named {
		s.NamedPermissionSets = append(s.NamedPermissionSets, arn)
	}
	sort.Strings(s.NamedPermissionSets)
	// The lister reads the named sets' assignments (with prune, in every
	// account) and, to tell whether a set prune would delete is still
	// used, every set the file does not declare.
	read := map[string]bool{}
	for arn := range named {
		read[arn] = true
	}
	if s.PrunePermissionSets {
		declared := map[string]bool{}
		for _, ps := range r.PermissionSets {
			declared[ps.Name] = true
		}
		for _, ps := range live {
			if !declared[ps.Name] && !IsGrant(ps.Name) {
				read[ps.Arn] = true
			}
		}
	}
	as := &plan.Scope{InstanceArn: r.Instance.Arn, PermissionSets: []string{}, Prune: pruneAssignments || s.PrunePermissionSets}
	for arn := range read {
		as.PermissionSets = append(as.PermissionSets, arn)
	}
	sort.Strings(as.PermissionSets)
	if !as.Prune {
		seen := map[string]bool{}
		as.Accounts = []string{}
		if r.Assignments != nil {
			for _, a := range r.Assignments.Assignments() {
				if !seen[a.AccountId] {
					seen[a.AccountId] = true
					as.Accounts = append(as.Accounts, a.AccountId)
				}
			}
		}
		sort.Strings(as.Accounts)
		// Without prune, only whether each declared assignment exists
		// matters: its principals' assignments are all there is to read
		// (per principal when cheaper: one group on 50 sets in 10 accounts
		// is a few ListAccountAssignmentsForPrincipal pages, not 500
		// ListAccountAssignments).
		as.Principals = []list.Principal{}
		seenP := map[list.Principal]bool{}
		if r.Assignments != nil {
			for _, a := range r.Assignments.Assignments() {
				p := list.Principal{Type: a.PrincipalType, Id: a.PrincipalId}
				if !IsPending(a.PrincipalId) && !seenP[p] {
					seenP[p] = true
					as.Principals = append(as.Principals, p)
				}
			}
		}
		sort.Slice(as.Principals, func(i, j int) bool {
			return as.Principals[i].Type+as.Principals[i].Id < as.Principals[j].Type+as.Principals[j].Id
		})
	}
	s.Assignments = as
	return s, nil
}

// readLimit bounds the reads in flight (the clients' token buckets keep
// the rate under the quotas).
const readLimit = 8

// ReadLive reads what scope says, through dir (which caches what it
// lists) and the clients.
func ReadLive(ctx context.Context, c Clients, dir Directory, scope Scope, progress func(string, int, int)) (*Live, error) {
	inst := inventory.Instance{Arn: scope.InstanceArn, IdentityStoreId: scope.IdentityStoreId}
	live := &Live{Groups: map[string]*groups.Live{}, Users: map[string]inventory.User{}}
	step := func(what string) {
		if progress != nil {
			progress(what, 0, 0)
		}
	}
	// Permission sets: by name, then every attribute and where each is
	// provisioned.
	if len(scope.PermissionSets) > 0 || scope.PrunePermissionSets {
		step("reading permission sets")
		all, err := dir.PermissionSets(ctx)
		if err != nil {
			return nil, err
		}
		arnOf := map[string]string{}
		for _, ps := range all {
			arnOf[ps.Name] = ps.Arn
		}
		if scope.PrunePermissionSets {
			live.AllPermissionSets = all
		}
		res := fanout.Map(ctx, scope.PermissionSets, readLimit, func(ctx context.Context, name string) (LivePermissionSet, error) {
			out := LivePermissionSet{Name: name}
			arn := arnOf[name]
			if arn == "" {
				return out, nil
			}
			l, err := readPermissionSet(ctx, c.SSOAdmin, dir, inst.Arn, arn)
			if err != nil {
				return out, err
			}
			out.Live = l
			accts, err := permsets.Provisioned(ctx, c.SSOAdmin, inst.Arn, arn, "")
			if err != nil {
				return out, err
			}
			out.Provisioning.Accounts = len(accts)
			if len(accts) > 0 {
				outdated, err := permsets.Provisioned(ctx, c.SSOAdmin, inst.Arn, arn, "LATEST_PERMISSION_SET_NOT_PROVISIONED")
				if err != nil {
					return out, err
				}
				out.Provisioning.Outdated = len(outdated)
			}
			return out, nil
		})
		for _, r := range res {
			if r.Err != nil {
				return nil, r.Err
			}
			live.PermissionSets = append(live.PermissionSets, r.Value)
		}
	}
	// Groups: by name (one list when many are named), then each with its
	// members.
	if len(scope.Groups) > 0 || scope.PruneGroups {
		step("reading groups")
		ids := map[string]string{}
		if scope.PruneGroups || len(scope.Groups) > manyNames/4 {
			all, err := dir.Groups(ctx)
			if err != nil {
				return nil, err
			}
			for _, g := range all {
				ids[g.Name] = g.Id
			}
			if scope.PruneGroups {
				live.AllGroups = all
			}
		} else {
			res := fanout.Map(ctx, scope.Groups, readLimit, func(ctx context.Context, name string) (string, error) {
				id, err := dir.GroupID(ctx, name)
				if errors.Is(err, inventory.ErrNotFound) {
					return "", nil
				}
				return id, err
			})
			for i, r := range res {
				if r.Err != nil {
					return nil, r.Err
				}
				if r.Value != "" {
					ids[scope.Groups[i]] = r.Value
				}
			}
		}
		var names []string
		for _, n := range scope.Groups {
			if ids[n] != "" {
				names = append(names, n)
			}
		}
		res := fanout.Map(ctx, names, readLimit, func(ctx context.Context, name string) (*groups.Live, error) {
			return groups.Read(ctx, c.IdentityStore, inst.IdentityStoreId, ids[name])
		})
		for i, r := range res {
			if r.Err != nil {
				return nil, r.Err
			}
			live.Groups[names[i]] = r.Value
		}
		if scope.PruneGroups {
			declared := map[string]bool{}
			for _, n := range scope.Groups {
				declared[n] = true
			}
			var candidates []inventory.Group
			for _, g := range live.AllGroups {
				if !declared[g.Name] && !groups.ControlTower(g.Name) {
					candidates = append(candidates, g)
				}
			}
			step("reading the assignments of undeclared groups")
			live.GroupAssignments = map[string][]assignments.Assignment{}
			if len(candidates) > 0 {
				sel := list.Selection{}
				for _, g := range candidates {
					sel.Principals = append(sel.Principals, list.Principal{Type: list.Group, Id: g.Id})
				}
				all, err := list.All(ctx, c.Inventory(), inst, sel, list.ByPrincipal)
				if err != nil {
					return nil, err
				}
				for _, a := range all {
					live.GroupAssignments[a.PrincipalId] = append(live.GroupAssignments[a.PrincipalId], a)
				}
			}
		}
	}
	if scope.Assignments != nil && len(scope.Assignments.PermissionSets) > 0 {
		a, err := plan.ReadLive(ctx, c.Inventory(), *scope.Assignments, progress)
		if err != nil {
			return nil, err
		}
		live.Assignments = a
	} else {
		live.Assignments = &plan.Live{}
	}
	if scope.SCIM {
		var read []*groups.Live
		for _, n := range sortedKeys(live.Groups) {
			read = append(read, live.Groups[n])
		}
		src, err := groups.DetectSCIM(ctx, dir, read)
		if err != nil {
			return nil, err
		}
		live.Source = src
	}
	return live, ctx.Err()
}

func sortedKeys[T any](m map[string]T) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Fingerprint is a digest of everything the plan read: a saved plan is
// carried out only while the live state it was made against is unchanged.
func (l *Live) Fingerprint() string {
	type group struct {
		Id, Name, Description string
		Members               []string
		External              []groups.ExternalId
	}
	doc := struct {
		PermissionSets    []LivePermissionSet
		Groups            []group
		AllPermissionSets []string
		AllGroups         []string
		GroupAssignments  []string
		Assignments       string
		Source            groups.Source
	}{PermissionSets: l.PermissionSets, Source: l.Source}
	for _, n := range sortedKeys(l.Groups) {
		g := l.Groups[n]
		x := group{Id: g.Id, Name: g.Name, Description: g.Description, External: g.ExternalIds}
		for _, m := range g.Members {
			x.Members = append(x.Members, m.UserId)
		}
		doc.Groups = append(doc.Groups, x)
	}
	for _, ps := range l.AllPermissionSets {
		doc.AllPermissionSets = append(doc.AllPermissionSets, ps.Arn+" "+ps.Name)
	}
	sort.Strings(doc.AllPermissionSets)
	for _, g := range l.AllGroups {
		doc.AllGroups = append(doc.AllGroups, g.Id+" "+g.Name)
	}
	sort.Strings(doc.AllGroups)
	for id, as := range l.GroupAssignments {
		for _, a := range as {
			doc.GroupAssignments = append(doc.GroupAssignments, id+"|"+a.AccountId+"|"+a.PermissionSetArn)
		}
	}
	sort.Strings(doc.GroupAssignments)
	if l.Assignments != nil {
		doc.Assignments = plan.Fingerprint(l.Assignments.Assignments)
	}
	b, err := json.Marshal(doc)
	if err != nil {
		panic(fmt.Sprintf("fingerprint: %v", err)) // plain data: cannot fail
	}
	h := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(h[:])
}

// ErrStale is wrapped when the live state changed since a saved plan was
// made.
var ErrStale = errors.New("the live state changed since the plan was made")

// nameUsers names users by id, in one bulk lookup (those the resolution
// listed already are not looked up again).
func nameUsers(ctx context.Context, dir file.Directory, r *Resolved, ids []string, into map[string]inventory.User) error {
	var missing []string
	for _, id := range ids {
		if _, ok := into[id]; ok {
			continue
		}
		if u, ok := r.users[id]; ok {
			into[id] = u
			continue
		}
		missing = append(missing, id)
	}
	if len(missing) == 0 {
		return nil
	}
	us, err := dir.UsersByID(ctx, missing)
	if err != nil {
		return err
	}
	for id, u := range us {
		into[id] = u
	}
	return nil
}

// trimInstance is an instance ARN's id.
func trimInstance(arn string) string { return arn[strings.LastIndex(arn, "/")+1:] }
