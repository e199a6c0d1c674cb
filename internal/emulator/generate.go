package emulator

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// Preset sizes of the generated organizations.
type orgSize struct {
	Accounts, PermissionSets, Users, Groups int
	// AssignedGroups and AssignedUsers are how many groups and users carry
	// assignments; PerGroup and PerUser how many (account, permission set)
	// pairs each gets.
	AssignedGroups, AssignedUsers, PerGroup, PerUser int
	GroupsPerUser                                    int // memberships per user, at most
}

var presets = map[string]orgSize{
	"medium": {Accounts: 500, PermissionSets: 40, Users: 3000, Groups: 200,
		AssignedGroups: 150, AssignedUsers: 100, PerGroup: 28, PerUser: 2, GroupsPerUser: 3},
	"large": {Accounts: 3000, PermissionSets: 500, Users: 100000, Groups: 10000,
		AssignedGroups: 7500, AssignedUsers: 2000, PerGroup: 8, PerUser: 2, GroupsPerUser: 4},
}

// demoPermissionSets are the permission sets a real company uses, with
// what each carries.
var demoPermissionSets = []struct {
	Name, Description, Duration string
	Managed                     []string
	Customer                    []string
	Inline                      bool
	Boundary                    string
}{
	{"JuniorDeveloper", "Read-only access plus limited deploys in development", "PT4H", []string{"ReadOnlyAccess"}, nil, true, ""},
	{"Developer", "Build and deploy in non-production accounts", "PT8H", []string{"PowerUserAccess"}, nil, false, ""},
	{"SeniorDeveloper", "Developer plus IAM read and limited production changes", "PT8H", []string{"PowerUserAccess", "IAMReadOnlyAccess"}, nil, true, ""},
	{"InsightsDeveloper", "Analytics workloads: Athena, Glue and the insights data lake", "PT8H", []string{"AmazonAthenaFullAccess"}, []string{"insights-data-access"}, false, ""},
	{"ProductionSupport", "Read production and operate support cases", "PT2H", []string{"ReadOnlyAccess", "AWSSupportAccess"}, nil, false, "ProductionSupportBoundary"},
	{"SecurityAdmin", "Security tooling and audit", "PT4H", []string{"SecurityAudit", "AWSSecurityHubFullAccess"}, nil, false, ""},
	{"FinanceAdmin", "Billing, budgets and cost explorer", "PT4H", []string{"job-function/Billing"}, nil, false, ""},
	{"ReadOnlyAccess", "View-only access to resources", "PT12H", []string{"job-function/ViewOnlyAccess"}, nil, false, ""},
	{"AdministratorAccess", "Full administrator access", "PT1H", []string{"AdministratorAccess"}, nil, false, ""},
}

var (
	firstNames = []string{"alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy",
		"mallory", "niaj", "olivia", "peggy", "rupert", "sybil", "trent", "victor", "walter", "yolanda",
		"zoe", "arthur", "bianca", "chen", "dmitri", "esther", "fatima", "gustavo", "hana", "ingrid"}
	lastNames = []string{"johnson", "smith", "garcia", "miller", "davis", "wilson", "moore", "taylor", "anderson", "thomas",
		"evans", "white", "harris", "martin", "thompson", "young", "king", "wright", "lopez", "hill",
		"scott", "green", "adams", "baker", "nelson", "carter", "mitchell", "perez", "roberts", "turner"}
)

// gen builds a State with ids drawn from one seeded generator.
type gen struct {
	r     *rand.Rand
	st    *State
	base  time.Time
	inst  *Instance
	psArn map[string]string
	acct  map[string]string // account name -> id
	usr   map[string]string // user name -> id
	grp   map[string]string // group name -> id
	prov  map[string]bool   // ps|account
	// outdated lists (ps|account) pairs whose latest version is not provisioned.
	outdated map[string]bool
	asgSeen  map[string]bool
	acctIDs  map[string]bool
	created  map[string]time.Time // user or group id -> when it was made
}

// Generate returns the demo organization named by size ("small", "medium",
// "large"; "" is small), the same for the same seed.
func Generate(size string, seed uint64) *State {
	g := &gen{
		r:     rand.New(rand.NewPCG(seed, 0x0dd5eed)),
		st:    &State{Region: "us-east-1"},
		base:  time.Date(2023, 3, 1, 9, 0, 0, 0, time.UTC),
		psArn: map[string]string{}, acct: map[string]string{}, usr: map[string]string{}, grp: map[string]string{},
		prov: map[string]bool{}, outdated: map[string]bool{}, asgSeen: map[string]bool{}, acctIDs: map[string]bool{},
		created: map[string]time.Time{},
	}
	if p, ok := presets[size]; ok {
		g.sized(p)
	} else {
		g.small()
	}
	g.finish()
	g.st.IAMRoles = DemoRoles(g.st)
	g.st.IAMPolicies = DemoPolicies(g.st)
	return g.st
}

func (g *gen) at(days int) time.Time { return g.base.Add(time.Duration(days) * 24 * time.Hour) }

func (g *gen) accountID() string {
	for {
		b := make([]byte, 12)
		for i := range b {
			b[i] = byte('0' + g.r.IntN(10))
		}
		b[0] = byte('1' + g.r.IntN(9))
		if id := string(b); !g.acctIDs[id] {
			g.acctIDs[id] = true
			return id
		}
	}
}

func (g *gen) org(mgmtName string) {
	orgID := "o-" + randLower(g.r, 10)
	mgmt := g.accountID()
	g.st.Organization = Organization{
		Id: orgID, Arn: "arn:aws:organizations::" + mgmt + ":organization/" + orgID,
		FeatureSet: "ALL", MasterAccountId: mgmt, MasterAccountEmail: "aws+" + mgmtName + "@example.com",
	}
	rootID := "r-" + randLower(g.r, 4)
	g.st.Roots = []OrgUnit{{Id: rootID, Arn: "arn:aws:organizations::" + mgmt + ":root/" + orgID + "/" + rootID, Name: "Root"}}
	g.addAccountWithID(mgmt, mgmtName, rootID, "ACTIVE", "CREATED")
	g.st.Accounts[0].JoinedMethod = "INVITED"
	insArn := "arn:aws:sso:::instance/ssoins-" + randHex(g.r, 16)
	g.st.Instances = []Instance{{InstanceArn: insArn, IdentityStoreId: "d-" + randHex(g.r, 10), OwnerAccountId: mgmt, Name: "sandbox", Created: g.at(0)}}
	g.inst = &g.st.Instances[0]
}

func (g *gen) ou(name, parent string) string {
	id := "ou-" + randLower(g.r, 4) + "-" + randLower(g.r, 8)
	mgmt := g.st.Organization.MasterAccountId
	g.st.OUs = append(g.st.OUs, OrgUnit{Id: id, Arn: "arn:aws:organizations::" + mgmt + ":ou/" + g.st.Organization.Id + "/" + id, Name: name, ParentId: parent})
	return id
}

func (g *gen) rootID() string { return g.st.Roots[0].Id }

func (g *gen) account(name, parent, status string) string {
	id := g.accountID()
	g.addAccountWithID(id, name, parent, status, "CREATED")
	return id
}

func (g *gen) addAccountWithID(id, name, parent, status, method string) {
	mgmt := g.st.Organization.MasterAccountId
	g.st.Accounts = append(g.st.Accounts, Account{
		Id: id, Arn: "arn:aws:organizations::" + mgmt + ":account/" + g.st.Organization.Id + "/" + id,
		Name: name, Email: "aws+" + name + "@example.com", State: status, JoinedMethod: method,
		Joined: g.at(len(g.st.Accounts)), ParentId: parent,
	})
	g.acct[name] = id
}

func (g *gen) permissionSet(name, desc, duration string, managed, customer []string, inline bool, boundary string) {
	insID := strings.TrimPrefix(g.inst.InstanceArn, "arn:aws:sso:::instance/")
	arn := "arn:aws:sso:::permissionSet/" + insID + "/ps-" + randHex(g.r, 16)
	ps := PermissionSet{InstanceArn: g.inst.InstanceArn, Arn: arn, Name: name, Description: desc,
		SessionDuration: duration, Created: g.at(len(g.st.PermissionSets))}
	for _, m := range managed {
		parts := strings.Split(m, "/")
		ps.ManagedPolicies = append(ps.ManagedPolicies, ManagedPolicy{Name: parts[len(parts)-1], Arn: "arn:aws:iam::aws:policy/" + m})
	}
	for _, c := range customer {
		ps.CustomerManagedPolicies = append(ps.CustomerManagedPolicies, CustomerPolicyRef{Name: c, Path: "/"})
	}
	if inline {
		ps.InlinePolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":["iam:CreateUser","iam:CreateAccessKey"],"Resource":"*"}]}`
	}
	if boundary != "" {
		ps.PermissionsBoundary = &PermissionsBoundary{CustomerManagedPolicyReference: &CustomerPolicyRef{Name: boundary, Path: "/"}}
	}
	g.st.PermissionSets = append(g.st.PermissionSets, ps)
	g.psArn[name] = arn
}

func (g *gen) user(userName, given, family, status string) string {
	id := principalID(g.r)
	display := titleCase(given) + " " + titleCase(family)
	at := g.at(len(g.st.Users) % 700)
	g.st.Users = append(g.st.Users, User{
		IdentityStoreId: g.inst.IdentityStoreId, UserId: id, UserName: userName, DisplayName: display,
		Name:       &UserName{GivenName: titleCase(given), FamilyName: titleCase(family), Formatted: display},
		Emails:     []Email{{Value: userName + "@example.com", Type: "work", Primary: true}},
		UserStatus: status, Created: at, Updated: at, CreatedBy: g.admin(), UpdatedBy: g.admin(),
	})
	g.created[id] = at
	g.usr[userName] = id
	return id
}

func (g *gen) group(name, desc string) string {
	id := principalID(g.r)
	at := g.at(len(g.st.Groups))
	g.st.Groups = append(g.st.Groups, Group{IdentityStoreId: g.inst.IdentityStoreId, GroupId: id, DisplayName: name, Description: desc,
		Created: at, Updated: at, CreatedBy: g.admin(), UpdatedBy: g.admin()})
	g.created[id] = at
	g.grp[name] = id
	return id
}

// member puts a user in a group a week after the later of the two was made.
func (g *gen) member(groupID, userID string) {
	at := g.created[groupID]
	if u := g.created[userID]; u.After(at) {
		at = u
	}
	at = at.Add(7 * 24 * time.Hour)
	g.st.Memberships = append(g.st.Memberships, Membership{IdentityStoreId: g.inst.IdentityStoreId, MembershipId: principalID(g.r), GroupId: groupID, UserId: userID,
		Created: at, Updated: at, CreatedBy: g.admin(), UpdatedBy: g.admin()})
}

// admin is who made the demo organization's identities: the management
// account's administrator, the sandbox's default caller.
func (g *gen) admin() string {
	return "arn:aws:iam::" + g.st.Organization.MasterAccountId + ":user/sandbox-admin"
}

func (g *gen) assign(accountID, psName, ptype, pid string) {
	ps := g.psArn[psName]
	k := key(accountID, ps, ptype, pid)
	if g.asgSeen[k] {
		return
	}
	g.asgSeen[k] = true
	g.st.Assignments = append(g.st.Assignments, Assignment{InstanceArn: g.inst.InstanceArn, AccountId: accountID, PermissionSetArn: ps, PrincipalType: ptype, PrincipalId: pid})
	pk := key(ps, accountID)
	if !g.prov[pk] {
		g.prov[pk] = true
		g.st.Provisioned = append(g.st.Provisioned, Provision{PermissionSetArn: ps, AccountId: accountID, Outdated: g.outdated[pk]})
	}
}

// small is the README demo: a dozen accounts, the nine permission sets, a
// few dozen people, and one of every finding the audit reports.
func (g *gen) small() {
	g.org("acme-management")
	root := g.rootID()
	sec := g.ou("Security", root)
	infra := g.ou("Infrastructure", root)
	work := g.ou("Workloads", root)
	prod := g.ou("Prod", work)
	stage := g.ou("Staging", work)
	dev := g.ou("Dev", work)
	sandbox := g.ou("Sandbox", root)
	suspended := g.ou("Suspended", root)
	for _, a := range []struct{ name, ou string }{
		{"security-audit", sec}, {"log-archive", sec}, {"shared-services", infra}, {"network", infra},
		{"payments-prod", prod}, {"insights-prod", prod}, {"payments-staging", stage},
		{"payments-dev", dev}, {"insights-dev", dev}, {"developer-sandbox", sandbox},
	} {
		g.account(a.name, a.ou, "ACTIVE")
	}
	g.account("legacy-app", suspended, "SUSPENDED")

	for _, p := range demoPermissionSets {
		g.permissionSet(p.Name, p.Description, p.Duration, p.Managed, p.Customer, p.Inline, p.Boundary)
	}

	people := []struct{ first, last string }{}
	for i := 0; i < 30; i++ {
		people = append(people, struct{ first, last string }{firstNames[i], lastNames[i]})
	}
	// New hires, not yet in any group.
	for i := 0; i < 8; i++ {
		people = append(people, struct{ first, last string }{firstNames[i], lastNames[29-i]})
	}
	for _, p := range people {
		status := "ENABLED"
		if p.first == "mallory" {
			status = "DISABLED"
		}
		g.user(p.first+"."+p.last, p.first, p.last, status)
	}
	u := func(first string) string {
		for _, p := range people {
			if p.first == first {
				return g.usr[p.first+"."+p.last]
			}
		}
		panic("no demo user " + first)
	}
	groups := []struct {
		name, desc string
		members    []string
	}{
		{"platform-admins", "Platform team: administrators everywhere", []string{"alice", "trent"}},
		{"developers", "All product engineers", []string{"bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "chen", "dmitri"}},
		{"senior-developers", "Senior engineers", []string{"carol", "dave", "ivan"}},
		{"junior-developers", "Engineers in their first year", []string{"judy", "niaj", "esther"}},
		{"insights-team", "Data and analytics", []string{"olivia", "peggy", "fatima", "gustavo"}},
		{"production-support", "On-call rotation", []string{"dave", "rupert", "sybil"}},
		{"security", "Security engineering", []string{"victor", "walter"}},
		{"finance", "Finance and cost management", []string{"yolanda", "zoe"}},
		{"auditors", "External auditors (no members yet)", nil},
		{"contractors", "Contractors (no assignments)", []string{"arthur", "bianca"}},
	}
	for _, gr := range groups {
		id := g.group(gr.name, gr.desc)
		for _, m := range gr.members {
			g.member(id, u(m))
		}
	}
	a := g.acct
	all := []string{}
	for _, acc := range g.st.Accounts {
		all = append(all, acc.Id)
	}
	grp := func(name string) (string, string) { return "GROUP", g.grp[name] }
	for _, id := range all {
		if id == a["legacy-app"] {
			continue
		}
		t, p := grp("platform-admins")
		g.assign(id, "AdministratorAccess", t, p)
		t, p = grp("security")
		g.assign(id, "ReadOnlyAccess", t, p)
	}
	for _, n := range []string{"payments-dev", "insights-dev", "payments-staging", "developer-sandbox", "legacy-app"} {
		t, p := grp("developers")
		g.assign(a[n], "Developer", t, p)
	}
	for _, n := range []string{"payments-dev", "payments-staging", "payments-prod"} {
		t, p := grp("senior-developers")
		g.assign(a[n], "SeniorDeveloper", t, p)
	}
	for _, n := range []string{"payments-dev", "developer-sandbox"} {
		t, p := grp("junior-developers")
		g.assign(a[n], "JuniorDeveloper", t, p)
	}
	for _, n := range []string{"insights-dev", "insights-prod"} {
		t, p := grp("insights-team")
		g.assign(a[n], "InsightsDeveloper", t, p)
	}
	for _, n := range []string{"payments-prod", "insights-prod"} {
		t, p := grp("production-support")
		g.assign(a[n], "ProductionSupport", t, p)
	}
	for _, n := range []string{"security-audit", "log-archive"} {
		t, p := grp("security")
		g.assign(a[n], "SecurityAdmin", t, p)
		t, p = grp("auditors")
		g.assign(a[n], "ReadOnlyAccess", t, p)
	}
	t, p := grp("finance")
	g.assign(a["acme-management"], "FinanceAdmin", t, p)

	// Direct assignments, each telling its own story.
	g.assign(a["acme-management"], "AdministratorAccess", "USER", u("alice")) // break-glass admin, also via group
	g.assign(a["developer-sandbox"], "Developer", "USER", u("bob"))           // direct and via developers
	g.assign(a["payments-prod"], "ProductionSupport", "USER", u("mallory"))   // DISABLED user with access
	g.assign(a["insights-dev"], "JuniorDeveloper", "USER", u("hana"))         // a direct-only user
	// A permission set changed since it was provisioned to the account, so
	// its latest version is not provisioned there.
	g.outdated[key(g.psArn["InsightsDeveloper"], a["shared-services"])] = true
	g.assign(a["shared-services"], "InsightsDeveloper", "USER", u("olivia"))
	// An orphan: the assignment of a user who has since been deleted.
	g.assign(a["payments-prod"], "ReadOnlyAccess", "USER", principalID(g.r))

	mgmt := a["acme-management"]
	g.iamUser(mgmt, "alice.johnson", true, []bool{true, false}, true)
	g.iamUser(mgmt, "bob.smith", false, []bool{false}, false)
	g.iamUser(mgmt, "mallory.evans", true, nil, false)
	g.iamUser(mgmt, "ci-deploy", false, []bool{true}, false)
	g.iamUser(a["payments-prod"], "payments-legacy-batch", false, []bool{true}, false)
}

// iamUser adds a legacy IAM user; keys lists access keys (true = Active).
func (g *gen) iamUser(account, name string, password bool, keys []bool, mfa bool) {
	n := len(g.st.IAMUsers)
	u := IAMUser{AccountId: account, UserName: name, UserId: "AIDA" + strings.ToUpper(randLower(g.r, 17)), Path: "/", Created: g.at(-400 + n)}
	if password {
		u.LoginProfile = &LoginProfile{Created: g.at(-390 + n)}
		t := g.at(500 + n)
		u.PasswordLastUsed = &t
	}
	for i, active := range keys {
		k := AccessKey{AccessKeyId: "AKIA" + strings.ToUpper(randLower(g.r, 16)), Status: "Inactive", Created: g.at(-380 + n + i)}
		if active {
			k.Status = "Active"
			k.LastUsed = &KeyLastUsed{Date: g.at(520 + n + i), ServiceName: "s3", Region: "us-east-1"}
		}
		u.AccessKeys = append(u.AccessKeys, k)
	}
	if mfa {
		u.MFADevices = []MFADevice{{SerialNumber: "arn:aws:iam::" + account + ":mfa/" + name, EnableDate: g.at(-385 + n)}}
	}
	if n%2 == 0 {
		u.Groups = []string{"legacy-developers"}
		u.AttachedPolicies = []ManagedPolicy{{Name: "ReadOnlyAccess", Arn: "arn:aws:iam::aws:policy/ReadOnlyAccess"}}
	}
	if n%2 == 1 || n == 0 {
		u.InlinePolicies = []string{name + "-inline"}
	}
	// The first user holds one of every kind of attachment the IAM-user
	// deletion checklist removes.
	if n == 0 {
		u.SSHPublicKeys = []IAMCredential{{Id: "APKA" + strings.ToUpper(randLower(g.r, 16)), Status: "Active", Created: g.at(-300)}}
		u.SigningCertificates = []IAMCredential{{Id: strings.ToUpper(randLower(g.r, 32)), Status: "Active", Created: g.at(-300)}}
		u.ServiceCredentials = []IAMCredential{{Id: "ACCA" + strings.ToUpper(randLower(g.r, 17)), Status: "Active", Created: g.at(-300), ServiceName: "codecommit.amazonaws.com"}}
	}
	g.st.IAMUsers = append(g.st.IAMUsers, u)
}

// sized builds medium and large: a tree of OUs, generated names, and
// assignments mostly through groups, as in a real company.
func (g *gen) sized(p orgSize) {
	g.org("management")
	root := g.rootID()
	tops := []string{"Security", "Infrastructure", "Prod", "Staging", "Dev", "Sandbox", "Data", "Suspended"}
	var leaves []string
	for _, t := range tops {
		id := g.ou(t, root)
		if t == "Suspended" || t == "Security" {
			leaves = append(leaves, id)
			continue
		}
		for i := 0; i < 4; i++ {
			leaves = append(leaves, g.ou(fmt.Sprintf("%s-team-%d", strings.ToLower(t), i+1), id))
		}
	}
	for i := 1; i < p.Accounts; i++ {
		leaf := leaves[(i-1)%len(leaves)]
		status := "ACTIVE"
		if i%97 == 0 {
			status = "SUSPENDED"
		}
		g.account(fmt.Sprintf("workload-%04d", i), leaf, status)
	}
	for i := 0; i < p.PermissionSets; i++ {
		if i < len(demoPermissionSets) {
			d := demoPermissionSets[i]
			g.permissionSet(d.Name, d.Description, d.Duration, d.Managed, d.Customer, d.Inline, d.Boundary)
			continue
		}
		g.permissionSet(fmt.Sprintf("Team%03dAccess", i), "Team access", "PT8H", []string{"ReadOnlyAccess"}, nil, i%5 == 0, "")
	}
	userIDs := make([]string, p.Users)
	for i := 0; i < p.Users; i++ {
		f, l := firstNames[i%len(firstNames)], lastNames[(i/len(firstNames))%len(lastNames)]
		status := "ENABLED"
		if i%150 == 7 {
			status = "DISABLED"
		}
		userIDs[i] = g.user(fmt.Sprintf("%s.%s.%d", f, l, i), f, l, status)
	}
	groupIDs := make([]string, p.Groups)
	for i := 0; i < p.Groups; i++ {
		groupIDs[i] = g.group(fmt.Sprintf("team-%04d", i), "Generated team")
	}
	// Each user joins 1..GroupsPerUser groups; group i's members are spread.
	for i, uid := range userIDs {
		n := 1 + g.r.IntN(p.GroupsPerUser)
		seen := map[int]bool{}
		for j := 0; j < n; j++ {
			gi := (i*7 + j*13 + g.r.IntN(p.Groups)) % p.Groups
			if !seen[gi] {
				seen[gi] = true
				g.member(groupIDs[gi], uid)
			}
		}
	}
	accts := g.st.Accounts
	psNames := make([]string, 0, len(g.psArn))
	for _, ps := range g.st.PermissionSets {
		psNames = append(psNames, ps.Name)
	}
	for i := 0; i < p.AssignedGroups && i < len(groupIDs); i++ {
		ps := psNames[i%len(psNames)]
		for j := 0; j < p.PerGroup; j++ {
			a := accts[g.r.IntN(len(accts))]
			if j%3 == 2 {
				ps = psNames[g.r.IntN(len(psNames))]
			}
			g.assign(a.Id, ps, "GROUP", groupIDs[i])
		}
	}
	for i := 0; i < p.AssignedUsers; i++ {
		uid := userIDs[(i*37)%len(userIDs)]
		for j := 0; j < p.PerUser; j++ {
			a := accts[g.r.IntN(len(accts))]
			g.assign(a.Id, psNames[g.r.IntN(len(psNames))], "USER", uid)
		}
	}
	// A few orphans: assignments of users deleted since.
	for i := 0; i < 5; i++ {
		g.assign(accts[g.r.IntN(len(accts))].Id, psNames[0], "USER", principalID(g.r))
	}
	mgmt := g.st.Organization.MasterAccountId
	for i := 0; i < 20; i++ {
		f, l := firstNames[i%len(firstNames)], lastNames[(i/len(firstNames))%len(lastNames)]
		g.iamUser(mgmt, fmt.Sprintf("%s.%s.%d", f, l, i), i%2 == 0, []bool{i%3 != 0}, i%4 == 0)
	}
}

// finish adds the per-account demo buckets, and the management account's
// SES settings: out of the SES sandbox, with example.com (the domain of
// every demo address) verified.
func (g *gen) finish() {
	g.st.SES = []SESAccount{{AccountId: g.st.Organization.MasterAccountId, ProductionAccess: true,
		Identities: []EmailIdentity{{Name: "example.com", Type: "DOMAIN", Verified: true}}}}
	for i, a := range g.st.Accounts {
		for _, kind := range []string{"logs", "artifacts"} {
			g.st.Buckets = append(g.st.Buckets, Bucket{AccountId: a.Id, Name: a.Name + "-" + kind + "-" + a.Id, Created: g.at(i)})
		}
	}
}

func randLower(r *rand.Rand, n int) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[r.IntN(len(alphabet))]
	}
	return string(b)
}

func titleCase(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
