package emulator

import (
	"fmt"
	"slices"
	"strings"
)

// accountStates are the values of Organizations' AccountState.
var accountStates = []string{"ACTIVE", "SUSPENDED", "PENDING_CLOSURE", "PENDING_ACTIVATION", "CLOSED"}

// Check refuses a state that AWS could not be in: two things with one id
// (or one unique name), and references to what is not there — an account
// or OU under a missing parent, a permission set of a missing instance, an
// assignment to a missing account or permission set, a membership of a
// missing user or group, IAM users of a missing account, and so on. The
// error names the offending value by its JSON path in the state document
// (accounts[3].parentId), on one line; the first one found.
//
// An assignment may name a principal that is gone: AWS keeps the
// assignments of deleted users and groups (the audit's orphans).
func (st *State) Check() error {
	c := stateChecker{}
	c.organization(st)
	c.instances(st)
	c.identities(st)
	c.access(st)
	c.iam(st)
	if c.err != nil {
		return c.err
	}
	return nil
}

// StateError is what is wrong in a state document, and where.
type StateError struct {
	Path string // JSON path of the offending value, like accounts[3].parentId
	Msg  string
}

func (e *StateError) Error() string { return e.Path + ": " + e.Msg }

type stateChecker struct{ err *StateError }

func (c *stateChecker) fail(path, format string, args ...any) {
	if c.err == nil {
		c.err = &StateError{Path: path, Msg: fmt.Sprintf(format, args...)}
	}
}

// uniq remembers the index at which each key of one list was first seen;
// paths and descriptions are built only when something is reported (a
// large state has a million keys).
type uniq[K comparable] map[K]int

// add records key at index i of a list whose paths path gives; a key seen
// before fails, naming the first. what describes the value.
func (u uniq[K]) add(c *stateChecker, key K, i int, path func(int) string, what func() string) {
	if first, ok := u[key]; ok {
		if c.err == nil {
			c.fail(path(i), "duplicate %s (also at %s)", what(), path(first))
		}
		return
	}
	u[key] = i
}

// pathOf gives the JSON paths list[i]member.
func pathOf(list, member string) func(int) string {
	return func(i int) string { return fmt.Sprintf("%s[%d]%s", list, i, member) }
}

func (c *stateChecker) organization(st *State) {
	// Roots and OUs are parents alike: one id space, indexed roots first.
	parents := uniq[string]{}
	parentPath := func(i int) string {
		if i < len(st.Roots) {
			return pathOf("roots", ".id")(i)
		}
		return pathOf("organizationalUnits", ".id")(i - len(st.Roots))
	}
	for i, r := range st.Roots {
		parents.add(c, r.Id, i, parentPath, func() string { return fmt.Sprintf("root id %q", r.Id) })
	}
	for i, o := range st.OUs {
		parents.add(c, o.Id, len(st.Roots)+i, parentPath, func() string { return fmt.Sprintf("OU id %q", o.Id) })
	}
	for i, o := range st.OUs {
		if _, ok := parents[o.ParentId]; !ok {
			c.fail(pathOf("organizationalUnits", ".parentId")(i), "parent %q is neither a root nor an OU", o.ParentId)
		}
	}
	accounts := uniq[string]{}
	for i, a := range st.Accounts {
		accounts.add(c, a.Id, i, pathOf("accounts", ".id"), func() string { return fmt.Sprintf("account id %q", a.Id) })
		if _, ok := parents[a.ParentId]; !ok {
			c.fail(pathOf("accounts", ".parentId")(i), "parent %q is neither a root nor an OU", a.ParentId)
		}
		if !slices.Contains(accountStates, a.State) {
			c.fail(pathOf("accounts", ".state")(i), "%q is not an account state (%s)", a.State, strings.Join(accountStates, ", "))
		}
	}
	if m := st.Organization.MasterAccountId; st.Organization.Id != "" {
		if _, ok := accounts[m]; !ok {
			c.fail("organization.masterAccountId", "account %q is not in accounts", m)
		}
	}
}

func (c *stateChecker) instances(st *State) {
	arns, stores := uniq[string]{}, uniq[string]{}
	accounts := st.accountIDs()
	for i, in := range st.Instances {
		arns.add(c, in.InstanceArn, i, pathOf("instances", ".instanceArn"), func() string { return fmt.Sprintf("instance %q", in.InstanceArn) })
		stores.add(c, in.IdentityStoreId, i, pathOf("instances", ".identityStoreId"), func() string { return fmt.Sprintf("identity store %q", in.IdentityStoreId) })
		if !accounts[in.OwnerAccountId] {
			c.fail(pathOf("instances", ".ownerAccountId")(i), "account %q is not in accounts", in.OwnerAccountId)
		}
		regions := uniq[string]{}
		regionPath := pathOf(fmt.Sprintf("instances[%d].additionalRegions", i), ".name")
		for j, r := range in.AdditionalRegions {
			regions.add(c, r.Name, j, regionPath, func() string { return fmt.Sprintf("Region %q", r.Name) })
			if err := CheckAdditionalRegions(st, []string{r.Name}); err != nil {
				c.fail(regionPath(j), "%v", err)
			}
		}
	}
	sets, names := uniq[string]{}, uniq[[2]string]{}
	for i, ps := range st.PermissionSets {
		if _, ok := arns[ps.InstanceArn]; !ok {
			c.fail(pathOf("permissionSets", ".instanceArn")(i), "instance %q is not in instances", ps.InstanceArn)
		}
		sets.add(c, ps.Arn, i, pathOf("permissionSets", ".permissionSetArn"), func() string { return fmt.Sprintf("permission set %q", ps.Arn) })
		names.add(c, [2]string{ps.InstanceArn, strings.ToLower(ps.Name)}, i, pathOf("permissionSets", ".name"),
			func() string { return fmt.Sprintf("permission set name %q in its instance", ps.Name) })
	}
}

func (c *stateChecker) identities(st *State) {
	stores := map[string]bool{}
	for _, in := range st.Instances {
		stores[in.IdentityStoreId] = true
	}
	users, userNames := make(uniq[[2]string], len(st.Users)), make(uniq[[2]string], len(st.Users))
	for i, u := range st.Users {
		if !stores[u.IdentityStoreId] {
			c.fail(pathOf("users", ".identityStoreId")(i), "identity store %q is not an instance's", u.IdentityStoreId)
		}
		users.add(c, [2]string{u.IdentityStoreId, u.UserId}, i, pathOf("users", ".userId"), func() string { return fmt.Sprintf("user id %q", u.UserId) })
		userNames.add(c, [2]string{u.IdentityStoreId, strings.ToLower(u.UserName)}, i, pathOf("users", ".userName"), func() string { return fmt.Sprintf("user name %q", u.UserName) })
	}
	groups, groupNames := make(uniq[[2]string], len(st.Groups)), make(uniq[[2]string], len(st.Groups))
	for i, g := range st.Groups {
		if !stores[g.IdentityStoreId] {
			c.fail(pathOf("groups", ".identityStoreId")(i), "identity store %q is not an instance's", g.IdentityStoreId)
		}
		groups.add(c, [2]string{g.IdentityStoreId, g.GroupId}, i, pathOf("groups", ".groupId"), func() string { return fmt.Sprintf("group id %q", g.GroupId) })
		groupNames.add(c, [2]string{g.IdentityStoreId, strings.ToLower(g.DisplayName)}, i, pathOf("groups", ".displayName"), func() string { return fmt.Sprintf("group name %q", g.DisplayName) })
	}
	ids, pairs := make(uniq[string], len(st.Memberships)), make(uniq[[3]string], len(st.Memberships))
	for i, m := range st.Memberships {
		ids.add(c, m.MembershipId, i, pathOf("memberships", ".membershipId"), func() string { return fmt.Sprintf("membership id %q", m.MembershipId) })
		if _, ok := groups[[2]string{m.IdentityStoreId, m.GroupId}]; !ok {
			c.fail(pathOf("memberships", ".groupId")(i), "group %q is not in groups of identity store %q", m.GroupId, m.IdentityStoreId)
		}
		if _, ok := users[[2]string{m.IdentityStoreId, m.UserId}]; !ok {
			c.fail(pathOf("memberships", ".userId")(i), "user %q is not in users of identity store %q", m.UserId, m.IdentityStoreId)
		}
		pairs.add(c, [3]string{m.IdentityStoreId, m.GroupId, m.UserId}, i, pathOf("memberships", ""),
			func() string { return fmt.Sprintf("membership of user %q in group %q", m.UserId, m.GroupId) })
	}
}

func (c *stateChecker) access(st *State) {
	accounts := st.accountIDs()
	sets := map[string]string{} // permission set ARN -> instance ARN
	for _, ps := range st.PermissionSets {
		sets[ps.Arn] = ps.InstanceArn
	}
	prov := make(uniq[[2]string], len(st.Provisioned))
	for i, p := range st.Provisioned {
		if _, ok := sets[p.PermissionSetArn]; !ok {
			c.fail(pathOf("provisioned", ".permissionSetArn")(i), "permission set %q is not in permissionSets", p.PermissionSetArn)
		}
		if !accounts[p.AccountId] {
			c.fail(pathOf("provisioned", ".accountId")(i), "account %q is not in accounts", p.AccountId)
		}
		prov.add(c, [2]string{p.PermissionSetArn, p.AccountId}, i, pathOf("provisioned", ""),
			func() string { return fmt.Sprintf("provisioning of %q to account %q", p.PermissionSetArn, p.AccountId) })
	}
	asgs := make(uniq[[5]string], len(st.Assignments))
	for i, a := range st.Assignments {
		switch inst, ok := sets[a.PermissionSetArn]; {
		case !ok:
			c.fail(pathOf("assignments", ".permissionSetArn")(i), "permission set %q is not in permissionSets", a.PermissionSetArn)
		case inst != a.InstanceArn:
			c.fail(pathOf("assignments", ".instanceArn")(i), "instance %q is not the permission set's (%q)", a.InstanceArn, inst)
		}
		if !accounts[a.AccountId] {
			c.fail(pathOf("assignments", ".accountId")(i), "account %q is not in accounts", a.AccountId)
		}
		if a.PrincipalType != "USER" && a.PrincipalType != "GROUP" {
			c.fail(pathOf("assignments", ".principalType")(i), "%q is not USER or GROUP", a.PrincipalType)
		}
		asgs.add(c, [5]string{a.InstanceArn, a.AccountId, a.PermissionSetArn, a.PrincipalType, a.PrincipalId}, i, pathOf("assignments", ""),
			func() string {
				return fmt.Sprintf("assignment of %s %q to account %q with %q", strings.ToLower(a.PrincipalType), a.PrincipalId, a.AccountId, a.PermissionSetArn)
			})
	}
}

func (c *stateChecker) iam(st *State) {
	accounts := st.accountIDs()
	account := func(path func(int) string, i int, id string) {
		if !accounts[id] {
			c.fail(path(i), "account %q is not in accounts", id)
		}
	}
	users := uniq[[2]string]{}
	for i, u := range st.IAMUsers {
		account(pathOf("iamUsers", ".accountId"), i, u.AccountId)
		users.add(c, [2]string{u.AccountId, u.UserName}, i, pathOf("iamUsers", ".userName"),
			func() string { return fmt.Sprintf("IAM user %q in account %q", u.UserName, u.AccountId) })
	}
	groups := uniq[[2]string]{}
	for i, g := range st.IAMGroups {
		account(pathOf("iamGroups", ".accountId"), i, g.AccountId)
		groups.add(c, [2]string{g.AccountId, g.GroupName}, i, pathOf("iamGroups", ".groupName"),
			func() string { return fmt.Sprintf("IAM group %q in account %q", g.GroupName, g.AccountId) })
	}
	roles := uniq[[2]string]{}
	for i, r := range st.IAMRoles {
		account(pathOf("iamRoles", ".accountId"), i, r.AccountId)
		roles.add(c, [2]string{r.AccountId, r.RoleName}, i, pathOf("iamRoles", ".roleName"),
			func() string { return fmt.Sprintf("IAM role %q in account %q", r.RoleName, r.AccountId) })
	}
	policies := uniq[[2]string]{}
	for i, p := range st.IAMPolicies {
		account(pathOf("iamPolicies", ".accountId"), i, p.AccountId)
		policies.add(c, [2]string{p.AccountId, lower(p.PolicyName)}, i, pathOf("iamPolicies", ".policyName"),
			func() string { return fmt.Sprintf("IAM policy %q in account %q", p.PolicyName, p.AccountId) })
		if !reCustomerPolicyPath().MatchString(p.Path) {
			c.fail(pathOf("iamPolicies", ".path")(i), "%q is not an IAM path (/ or /a/b/)", p.Path)
		}
	}
	for i, d := range st.IAMVirtualMFADevices {
		account(pathOf("iamVirtualMFADevices", ".accountId"), i, d.AccountId)
	}
	buckets := uniq[string]{}
	for i, b := range st.Buckets {
		account(pathOf("buckets", ".accountId"), i, b.AccountId)
		buckets.add(c, b.Name, i, pathOf("buckets", ".name"), func() string { return fmt.Sprintf("bucket name %q", b.Name) })
	}
	ses := uniq[string]{}
	for i, a := range st.SES {
		account(pathOf("ses", ".accountId"), i, a.AccountId)
		ses.add(c, a.AccountId, i, pathOf("ses", ".accountId"), func() string { return fmt.Sprintf("SES settings of account %q", a.AccountId) })
	}
}

func (st *State) accountIDs() map[string]bool {
	out := make(map[string]bool, len(st.Accounts))
	for _, a := range st.Accounts {
		out[a.Id] = true
	}
	return out
}
