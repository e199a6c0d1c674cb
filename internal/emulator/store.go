package emulator

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/ssoctl/ssoctl/internal/emulator/awsproto"
)

// store is the indexed, in-memory form of State. Every list an API serves is
// an index, so a page is served without scanning a table. It is guarded by
// Server.mu.
type store struct {
	region string
	org    Organization

	roots    *awsproto.Index[*OrgUnit] // by id
	ous      *awsproto.Index[*OrgUnit] // by id
	accounts *awsproto.Index[*Account] // by id
	// children of a parent: accounts and OUs, by id
	accountsByParent map[string]*awsproto.Index[*Account]
	ousByParent      map[string]*awsproto.Index[*OrgUnit]

	instances *awsproto.Index[*Instance]                 // by instance ARN
	psets     map[string]*awsproto.Index[*PermissionSet] // instance ARN -> by PS ARN
	psByArn   map[string]*PermissionSet
	psByName  map[string]string // instanceArn|lower(name) -> PS ARN

	// provisioning, both ways
	provByPS      map[string]*awsproto.Index[*Provision] // PS ARN -> by account id
	provByAccount map[string]*awsproto.Index[*Provision] // instance|account -> by PS ARN

	// assignments, both ways
	asgByTarget    map[string]*awsproto.Index[*Assignment] // instance|account|ps -> by type|principal
	asgByPrincipal map[string]*awsproto.Index[*Assignment] // instance|type|principal -> by account|ps

	users       map[string]*awsproto.Index[*User] // identity store -> by user id
	userByName  map[string]string                 // store|lower(username) -> id
	groups      map[string]*awsproto.Index[*Group]
	groupByName map[string]string                       // store|lower(displayname) -> id
	memberships map[string]*Membership                  // membership id
	mByGroup    map[string]*awsproto.Index[*Membership] // store|group -> by user id
	mByMember   map[string]*awsproto.Index[*Membership] // store|user -> by group id

	iamUsers      map[string]*awsproto.Index[*IAMUser]          // account -> by user name
	iamGroups     map[string]*awsproto.Index[*IAMGroup]         // account -> by group name
	iamVirtualMFA map[string]*awsproto.Index[*VirtualMFADevice] // account -> unassigned, by serial
	iamRoles      map[string]*awsproto.Index[*IAMRole]          // account -> by lower(role name)
	iamPolicies   map[string]*awsproto.Index[*IAMPolicy]        // account -> by lower(policy name)
	buckets       map[string]*awsproto.Index[*Bucket]           // account -> by name
	ses           map[string]*SESAccount                        // account -> SES settings (replaced, never changed in place)

	requests *requestLog
	sched    *schedulerStore // EventBridge Scheduler (scheduler.go)
}

func newStore() *store {
	return &store{
		roots: awsproto.NewIndex[*OrgUnit](), ous: awsproto.NewIndex[*OrgUnit](), accounts: awsproto.NewIndex[*Account](),
		accountsByParent: map[string]*awsproto.Index[*Account]{}, ousByParent: map[string]*awsproto.Index[*OrgUnit]{},
		instances: awsproto.NewIndex[*Instance](), psets: map[string]*awsproto.Index[*PermissionSet]{},
		psByArn: map[string]*PermissionSet{}, psByName: map[string]string{},
		provByPS: map[string]*awsproto.Index[*Provision]{}, provByAccount: map[string]*awsproto.Index[*Provision]{},
		asgByTarget: map[string]*awsproto.Index[*Assignment]{}, asgByPrincipal: map[string]*awsproto.Index[*Assignment]{},
		users: map[string]*awsproto.Index[*User]{}, userByName: map[string]string{},
		groups: map[string]*awsproto.Index[*Group]{}, groupByName: map[string]string{},
		memberships: map[string]*Membership{}, mByGroup: map[string]*awsproto.Index[*Membership]{}, mByMember: map[string]*awsproto.Index[*Membership]{},
		iamUsers: map[string]*awsproto.Index[*IAMUser]{}, iamGroups: map[string]*awsproto.Index[*IAMGroup]{},
		iamVirtualMFA: map[string]*awsproto.Index[*VirtualMFADevice]{}, buckets: map[string]*awsproto.Index[*Bucket]{},
		iamRoles: map[string]*awsproto.Index[*IAMRole]{}, iamPolicies: map[string]*awsproto.Index[*IAMPolicy]{},
		ses:      map[string]*SESAccount{},
		requests: newRequestLog(),
		sched:    newSchedulerStore(),
	}
}

// sub returns the index m[k], creating it.
func sub[T any](m map[string]*awsproto.Index[T], k string) *awsproto.Index[T] {
	x, ok := m[k]
	if !ok {
		x = awsproto.NewIndex[T]()
		m[k] = x
	}
	return x
}

// empty is the index served for a key nobody has written yet.
func empty[T any](m map[string]*awsproto.Index[T], k string) *awsproto.Index[T] {
	if x, ok := m[k]; ok {
		return x
	}
	return awsproto.NewIndex[T]()
}

func key(parts ...string) string {
	n := 0
	for _, p := range parts {
		n += len(p) + 1
	}
	b := make([]byte, 0, n)
	for i, p := range parts {
		if i > 0 {
			b = append(b, '|')
		}
		b = append(b, p...)
	}
	return string(b)
}

// defaultRegion is the sandbox's Region when the state names none.
const defaultRegion = "us-east-1"

// fromState builds a store, checking references as it goes.
func fromState(st *State) (*store, error) {
	s := newStore()
	s.region = st.Region
	if s.region == "" {
		s.region = defaultRegion
	}
	s.org = st.Organization
	for i := range st.Roots {
		r := st.Roots[i]
		s.roots.Put(r.Id, &r)
	}
	for i := range st.OUs {
		s.addOU(&st.OUs[i])
	}
	for i := range st.Accounts {
		s.addAccount(&st.Accounts[i])
	}
	for i := range st.Instances {
		in := st.Instances[i]
		s.instances.Put(in.InstanceArn, &in)
	}
	for i := range st.PermissionSets {
		ps := st.PermissionSets[i]
		if !s.instances.Has(ps.InstanceArn) {
			return nil, fmt.Errorf("permission set %s: unknown instance %s", ps.Arn, ps.InstanceArn)
		}
		s.addPermissionSet(&ps)
	}
	for i := range st.Provisioned {
		p := st.Provisioned[i]
		if _, ok := s.psByArn[p.PermissionSetArn]; !ok {
			return nil, fmt.Errorf("provisioned: unknown permission set %s", p.PermissionSetArn)
		}
		s.provision(p.PermissionSetArn, p.AccountId, p.Outdated)
	}
	// Load each table in the order of its index keys, so every insert is
	// an append: inserting 100,000 users in random id order into a sorted
	// slice moved ~40 GB and made New(large) quadratic (BENCHMARKS.md).
	users := slices.Clone(st.Users)
	slices.SortFunc(users, func(a, b User) int { return strings.Compare(a.UserId, b.UserId) })
	for i := range users {
		s.addUser(&users[i])
	}
	groups := slices.Clone(st.Groups)
	slices.SortFunc(groups, func(a, b Group) int { return strings.Compare(a.GroupId, b.GroupId) })
	for i := range groups {
		s.addGroup(&groups[i])
	}
	members := slices.Clone(st.Memberships)
	slices.SortFunc(members, func(a, b Membership) int {
		return cmp.Or(strings.Compare(a.UserId, b.UserId), strings.Compare(a.GroupId, b.GroupId))
	})
	for i := range members {
		s.addMembership(&members[i])
	}
	asgs := slices.Clone(st.Assignments)
	slices.SortFunc(asgs, func(a, b Assignment) int {
		return cmp.Or(strings.Compare(a.PrincipalType, b.PrincipalType), strings.Compare(a.PrincipalId, b.PrincipalId),
			strings.Compare(a.AccountId, b.AccountId), strings.Compare(a.PermissionSetArn, b.PermissionSetArn))
	})
	for i := range asgs {
		s.addAssignment(&asgs[i])
	}
	for i := range st.IAMGroups {
		g := st.IAMGroups[i]
		sub(s.iamGroups, g.AccountId).Put(g.GroupName, &g)
	}
	implicit := map[*IAMGroup]bool{}
	for i := range st.IAMUsers {
		u := st.IAMUsers[i]
		sub(s.iamUsers, u.AccountId).Put(u.UserName, &u)
		// A group named only by its members exists from its first
		// member's creation, with an id that depends only on its name.
		for _, name := range u.Groups {
			groups := sub(s.iamGroups, u.AccountId)
			g, ok := groups.Get(name)
			if !ok {
				g = &IAMGroup{AccountId: u.AccountId, GroupName: name, GroupId: iamStableID("AGPA", u.AccountId, name), Path: "/", Created: u.Created}
				groups.Put(name, g)
				implicit[g] = true
			}
			if implicit[g] && u.Created.Before(g.Created) {
				g.Created = u.Created
			}
		}
	}
	for i := range st.IAMVirtualMFADevices {
		d := st.IAMVirtualMFADevices[i]
		sub(s.iamVirtualMFA, d.AccountId).Put(d.SerialNumber, &d)
	}
	roles := st.IAMRoles
	if roles == nil {
		roles = DemoRoles(st)
	}
	for i := range roles {
		r := roles[i]
		sub(s.iamRoles, r.AccountId).Put(lower(r.RoleName), &r)
	}
	policies := st.IAMPolicies
	if policies == nil {
		policies = DemoPolicies(st)
	}
	for i := range policies {
		p := policies[i]
		sub(s.iamPolicies, p.AccountId).Put(lower(p.PolicyName), &p)
	}
	for i := range st.Buckets {
		b := st.Buckets[i]
		sub(s.buckets, b.AccountId).Put(b.Name, &b)
	}
	for i := range st.SES {
		a := st.SES[i]
		s.ses[a.AccountId] = &a
	}
	if err := s.loadScheduler(st); err != nil {
		return nil, err
	}
	return s, nil
}

// toState dumps the store in the interchange format, every list in key order.
func (s *store) toState() *State {
	st := &State{Region: s.region, Organization: s.org}
	for _, r := range s.roots.Values() {
		st.Roots = append(st.Roots, *r)
	}
	for _, o := range s.ous.Values() {
		st.OUs = append(st.OUs, *o)
	}
	for _, a := range s.accounts.Values() {
		st.Accounts = append(st.Accounts, *a)
	}
	for _, in := range s.instances.Values() {
		st.Instances = append(st.Instances, *in)
		for _, ps := range empty(s.psets, in.InstanceArn).Values() {
			st.PermissionSets = append(st.PermissionSets, *ps)
			for _, p := range empty(s.provByPS, ps.Arn).Values() {
				st.Provisioned = append(st.Provisioned, *p)
			}
		}
		store := in.IdentityStoreId
		for _, u := range empty(s.users, store).Values() {
			st.Users = append(st.Users, *u)
		}
		for _, g := range empty(s.groups, store).Values() {
			st.Groups = append(st.Groups, *g)
			for _, m := range empty(s.mByGroup, key(store, g.GroupId)).Values() {
				st.Memberships = append(st.Memberships, *m)
			}
		}
	}
	// Memberships go with their group (deleteGroup), so none is lost above.
	for _, k := range sortedKeys(s.asgByTarget) {
		for _, a := range s.asgByTarget[k].Values() {
			st.Assignments = append(st.Assignments, *a)
		}
	}
	for _, k := range sortedKeys(s.iamUsers) {
		for _, u := range s.iamUsers[k].Values() {
			st.IAMUsers = append(st.IAMUsers, *u)
		}
	}
	for _, k := range sortedKeys(s.iamGroups) {
		for _, g := range s.iamGroups[k].Values() {
			st.IAMGroups = append(st.IAMGroups, *g)
		}
	}
	for _, k := range sortedKeys(s.iamVirtualMFA) {
		for _, d := range s.iamVirtualMFA[k].Values() {
			st.IAMVirtualMFADevices = append(st.IAMVirtualMFADevices, *d)
		}
	}
	st.IAMRoles = []IAMRole{}
	for _, k := range sortedKeys(s.iamRoles) {
		for _, r := range s.iamRoles[k].Values() {
			st.IAMRoles = append(st.IAMRoles, *r)
		}
	}
	st.IAMPolicies = []IAMPolicy{}
	for _, k := range sortedKeys(s.iamPolicies) {
		for _, p := range s.iamPolicies[k].Values() {
			st.IAMPolicies = append(st.IAMPolicies, *p)
		}
	}
	for _, k := range sortedKeys(s.buckets) {
		for _, b := range s.buckets[k].Values() {
			st.Buckets = append(st.Buckets, *b)
		}
	}
	for _, k := range sortedKeys(s.ses) {
		st.SES = append(st.SES, *s.ses[k])
	}
	s.dumpScheduler(st)
	return st
}

func (s *store) addOU(o *OrgUnit) {
	s.ous.Put(o.Id, o)
	sub(s.ousByParent, o.ParentId).Put(o.Id, o)
}

func (s *store) addAccount(a *Account) {
	s.accounts.Put(a.Id, a)
	sub(s.accountsByParent, a.ParentId).Put(a.Id, a)
}

func (s *store) addPermissionSet(ps *PermissionSet) {
	sub(s.psets, ps.InstanceArn).Put(ps.Arn, ps)
	s.psByArn[ps.Arn] = ps
	s.psByName[key(ps.InstanceArn, lower(ps.Name))] = ps.Arn
}

func (s *store) deletePermissionSet(ps *PermissionSet) {
	sub(s.psets, ps.InstanceArn).Del(ps.Arn)
	delete(s.psByArn, ps.Arn)
	delete(s.psByName, key(ps.InstanceArn, lower(ps.Name)))
	for _, p := range empty(s.provByPS, ps.Arn).Values() {
		sub(s.provByAccount, key(ps.InstanceArn, p.AccountId)).Del(ps.Arn)
	}
	delete(s.provByPS, ps.Arn)
}

// provision marks a permission set provisioned (and up to date unless
// outdated) in an account.
func (s *store) provision(psArn, account string, outdated bool) {
	ps := s.psByArn[psArn]
	p := &Provision{PermissionSetArn: psArn, AccountId: account, Outdated: outdated}
	sub(s.provByPS, psArn).Put(account, p)
	sub(s.provByAccount, key(ps.InstanceArn, account)).Put(psArn, p)
}

func (s *store) deprovision(psArn, account string) {
	ps := s.psByArn[psArn]
	sub(s.provByPS, psArn).Del(account)
	sub(s.provByAccount, key(ps.InstanceArn, account)).Del(psArn)
}

func (s *store) addAssignment(a *Assignment) {
	sub(s.asgByTarget, key(a.InstanceArn, a.AccountId, a.PermissionSetArn)).Put(key(a.PrincipalType, a.PrincipalId), a)
	sub(s.asgByPrincipal, key(a.InstanceArn, a.PrincipalType, a.PrincipalId)).Put(key(a.AccountId, a.PermissionSetArn), a)
}

func (s *store) hasAssignment(a *Assignment) bool {
	return empty(s.asgByTarget, key(a.InstanceArn, a.AccountId, a.PermissionSetArn)).Has(key(a.PrincipalType, a.PrincipalId))
}

func (s *store) deleteAssignment(a *Assignment) {
	sub(s.asgByTarget, key(a.InstanceArn, a.AccountId, a.PermissionSetArn)).Del(key(a.PrincipalType, a.PrincipalId))
	sub(s.asgByPrincipal, key(a.InstanceArn, a.PrincipalType, a.PrincipalId)).Del(key(a.AccountId, a.PermissionSetArn))
}

func (s *store) addUser(u *User) {
	sub(s.users, u.IdentityStoreId).Put(u.UserId, u)
	s.userByName[key(u.IdentityStoreId, lower(u.UserName))] = u.UserId
}

// deleteUser removes the user and its memberships; its account assignments
// stay behind as orphans, as they do in AWS.
func (s *store) deleteUser(u *User) {
	sub(s.users, u.IdentityStoreId).Del(u.UserId)
	delete(s.userByName, key(u.IdentityStoreId, lower(u.UserName)))
	for _, m := range empty(s.mByMember, key(u.IdentityStoreId, u.UserId)).Values() {
		s.deleteMembership(m)
	}
}

func (s *store) addGroup(g *Group) {
	sub(s.groups, g.IdentityStoreId).Put(g.GroupId, g)
	s.groupByName[key(g.IdentityStoreId, lower(g.DisplayName))] = g.GroupId
}

func (s *store) deleteGroup(g *Group) {
	sub(s.groups, g.IdentityStoreId).Del(g.GroupId)
	delete(s.groupByName, key(g.IdentityStoreId, lower(g.DisplayName)))
	for _, m := range empty(s.mByGroup, key(g.IdentityStoreId, g.GroupId)).Values() {
		s.deleteMembership(m)
	}
}

func (s *store) addMembership(m *Membership) {
	s.memberships[m.MembershipId] = m
	sub(s.mByGroup, key(m.IdentityStoreId, m.GroupId)).Put(m.UserId, m)
	sub(s.mByMember, key(m.IdentityStoreId, m.UserId)).Put(m.GroupId, m)
}

func (s *store) deleteMembership(m *Membership) {
	delete(s.memberships, m.MembershipId)
	sub(s.mByGroup, key(m.IdentityStoreId, m.GroupId)).Del(m.UserId)
	sub(s.mByMember, key(m.IdentityStoreId, m.UserId)).Del(m.GroupId)
}

// instanceByStore finds the instance that owns an identity store.
func (s *store) instanceByStore(storeID string) *Instance {
	for _, in := range s.instances.Values() {
		if in.IdentityStoreId == storeID {
			return in
		}
	}
	return nil
}

func sortedKeys[T any](m map[string]T) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}
