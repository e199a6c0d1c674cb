package audit

import (
	"cmp"
	"maps"
	"slices"

	"github.com/ssoctl/ssoctl/internal/assignments"
	"github.com/ssoctl/ssoctl/internal/inventory"
)

// Directory is what an audit knew of the organization beyond its rows:
// every account, every permission set with the accounts it is provisioned
// to, the groups its assignments name with their members (and the
// memberships' ids, which DeleteGroupMembership events name), and how many
// users and groups the identity store held. Saved beside a snapshot's rows,
// it lets an incremental audit (Update) start from the snapshot without
// listing any of it again.
type Directory struct {
	Instance       inventory.Instance       `json:"instance"`
	Accounts       []inventory.Account      `json:"accounts"`
	PermissionSets []DirectoryPermissionSet `json:"permissionSets"`
	// AssignedGroups are the existing groups that assignments name.
	AssignedGroups []DirectoryGroup `json:"assignedGroups"`
	UserCount      int              `json:"users"`
	GroupCount     int              `json:"groups"`
	// Review is the access review's knowledge (OU paths, production,
	// privileged permission sets), which an incremental audit carries
	// forward, reading again only the policies of permission sets that
	// changed.
	Review Review `json:"review"`
}

// DirectoryPermissionSet is a permission set and where it is provisioned.
type DirectoryPermissionSet struct {
	Arn  string `json:"arn"`
	Name string `json:"name"`
	// Provisioned are the accounts with its latest version; Outdated those
	// provisioned with an earlier one.
	Provisioned []string `json:"provisioned,omitempty"`
	Outdated    []string `json:"outdated,omitempty"`
}

// DirectoryGroup is an assigned group and its members.
type DirectoryGroup struct {
	Id      string             `json:"id"`
	Name    string             `json:"name"`
	Members []inventory.Member `json:"members"`
}

// MemberOf returns the groups of d whose members include user.
func (d *Directory) MemberOf(user string) []string {
	var out []string
	for _, g := range d.AssignedGroups {
		if slices.ContainsFunc(g.Members, func(m inventory.Member) bool { return m.UserId == user }) {
			out = append(out, g.Id)
		}
	}
	return out
}

// directory is what this audit knew, for Result.Directory.
func (a *auditor) directory() *Directory {
	d := &Directory{Instance: a.inst, UserCount: a.res.Users, GroupCount: a.res.Groups,
		Accounts: []inventory.Account{}, PermissionSets: []DirectoryPermissionSet{}, AssignedGroups: []DirectoryGroup{}}
	for _, x := range a.accounts {
		d.Accounts = append(d.Accounts, x)
	}
	slices.SortFunc(d.Accounts, func(x, y inventory.Account) int { return cmp.Compare(x.Id, y.Id) })
	for arn, ps := range a.psets {
		p := DirectoryPermissionSet{Arn: arn, Name: ps.Name}
		for acct, latest := range a.provisioned[arn] {
			if latest {
				p.Provisioned = append(p.Provisioned, acct)
			} else {
				p.Outdated = append(p.Outdated, acct)
			}
		}
		slices.Sort(p.Provisioned)
		slices.Sort(p.Outdated)
		d.PermissionSets = append(d.PermissionSets, p)
	}
	slices.SortFunc(d.PermissionSets, func(x, y DirectoryPermissionSet) int { return cmp.Compare(x.Arn, y.Arn) })
	a.mu.Lock()
	defer a.mu.Unlock()
	for id := range a.expanding {
		g, ok := a.groups[id]
		if !ok || a.memberErr[id] {
			continue
		}
		d.AssignedGroups = append(d.AssignedGroups, DirectoryGroup{Id: id, Name: g.Name, Members: append([]inventory.Member{}, a.members[id]...)})
	}
	slices.SortFunc(d.AssignedGroups, func(x, y DirectoryGroup) int { return cmp.Compare(x.Id, y.Id) })
	d.Review = a.review
	d.Review.Privileged = maps.Clone(a.privileged)
	return d
}

// Base is a saved audit that an incremental audit updates: its directory,
// the users its rows name and every assignment it listed. AddRow builds the
// last two from the saved rows.
type Base struct {
	Directory   Directory
	Users       map[string]inventory.User
	Assignments []assignments.Assignment
	seen        map[assignments.Assignment]bool
}

// NewBase starts a Base from a saved directory.
func NewBase(d Directory) *Base {
	return &Base{Directory: d, Users: map[string]inventory.User{}, seen: map[assignments.Assignment]bool{}}
}

// AddRow adds what one of the saved audit's rows says: its assignment, and
// its user when the row names one that exists (a member the identity
// store did not know gives a row with the id alone).
func (b *Base) AddRow(r Row) {
	as := assignments.Assignment{AccountId: r.AccountId, PermissionSetArn: r.PermissionSetArn, PrincipalType: r.PrincipalType, PrincipalId: r.PrincipalId}
	if !b.seen[as] {
		b.seen[as] = true
		b.Assignments = append(b.Assignments, as)
	}
	if r.UserId != "" && r.UserName != "" {
		b.Users[r.UserId] = inventory.User{Id: r.UserId, UserName: r.UserName, DisplayName: r.DisplayName, Email: r.UserEmail, Status: r.UserStatus}
	}
}
