package iac

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/ssoctl/ssoctl/internal/assignments"
	"github.com/ssoctl/ssoctl/internal/assignments/execute"
	"github.com/ssoctl/ssoctl/internal/assignments/file"
	"github.com/ssoctl/ssoctl/internal/assignments/plan"
	"github.com/ssoctl/ssoctl/internal/groups"
	"github.com/ssoctl/ssoctl/internal/inventory"
	"github.com/ssoctl/ssoctl/internal/permsets"
)

// Version is the saved plan format's version.
const Version = 1

// Item kinds: what one item of a plan is about.
const (
	ItemPermissionSet = "permissionSet"
	ItemGroup         = "group"
	ItemAssignment    = "assignment"
)

// Item is one object's part of a plan, for people: a permission set or a
// group made, changed (attribute by attribute) or deleted, a permission
// set re-provisioned, or an assignment created or deleted.
type Item struct {
	Kind string     `json:"kind"`
	Op   execute.Op `json:"op"`
	Name string     `json:"name"`
	// PermissionSet and Group are the attributes that change.
	PermissionSet []permsets.AttrChange `json:"permissionSet,omitempty"`
	Group         []groups.AttrChange   `json:"group,omitempty"`
	// Provision says the set is re-provisioned, and to how many accounts.
	Provision *execute.ProvisionTarget `json:"provision,omitempty"`
	// Assignment is an assignment item's change.
	Assignment *execute.Change `json:"assignment,omitempty"`
}

// Counts sum a plan up.
type Counts struct {
	PermissionSetsCreate   int `json:"permissionSetsToCreate"`
	PermissionSetsUpdate   int `json:"permissionSetsToUpdate"`
	PermissionSetsDelete   int `json:"permissionSetsToDelete"`
	Provisions             int `json:"reprovisions"`
	GroupsCreate           int `json:"groupsToCreate"`
	GroupsUpdate           int `json:"groupsToUpdate"`
	GroupsDelete           int `json:"groupsToDelete"`
	MembersAdd             int `json:"membersToAdd"`
	MembersRemove          int `json:"membersToRemove"`
	AssignmentsCreate      int `json:"assignmentsToCreate"`
	AssignmentsDelete      int `json:"assignmentsToDelete"`
	AssignmentsDeclared    int `json:"assignmentsDeclared"`
	AssignmentsUnchanged   int `json:"assignmentsUnchanged"`
	PermissionSetsDeclared int `json:"permissionSetsDeclared"`
	GroupsDeclared         int `json:"groupsDeclared"`
}

// Plan is what to change, in the order it is done, and what it was made
// against.
type Plan struct {
	Version   int       `json:"version"`
	CreatedAt time.Time `json:"createdAt"`
	Files     []string  `json:"files"`
	Prune     bool      `json:"prune"`
	Scope     Scope     `json:"scope"`
	// Fingerprint is of the live state in Scope when planned.
	Fingerprint string `json:"fingerprint"`
	// Source says whether the identity store is provisioned by SCIM;
	// group writes are then refused unless allowed.
	Source groups.Source `json:"source"`
	Items  []Item        `json:"items"`
	// Changes are the executor's, in the order it carries them out.
	Changes []execute.Change `json:"changes"`
	// Kept are what prune does not delete, and why.
	Kept     []string `json:"kept"`
	Warnings []string `json:"warnings"`
	Counts   Counts   `json:"counts"`
}

// HasChanges reports whether the plan changes anything.
func (p *Plan) HasChanges() bool { return len(p.Changes) > 0 }

// GroupWrites reports whether the plan writes groups or memberships (what
// a SCIM-provisioned store refuses).
func (p *Plan) GroupWrites() bool {
	for _, c := range p.Changes {
		if c.Kind == execute.KindGroup || c.Kind == execute.KindMembership {
			return true
		}
	}
	return false
}

// Executor is the plan as the executor takes it.
func (p *Plan) Executor() execute.Plan {
	return execute.Plan{InstanceArn: p.Scope.InstanceArn, IdentityStoreId: p.Scope.IdentityStoreId, Changes: p.Changes}
}

// Make plans r: reads the live state in its scope (only what the files
// touch), and compares.
func Make(ctx context.Context, c Clients, dir Directory, r *Resolved, prune bool, progress func(string, int, int)) (*Plan, *Live, error) {
	scope, err := ScopeOf(ctx, r, dir, prune)
	if err != nil {
		return nil, nil, err
	}
	live, err := ReadLive(ctx, c, dir, scope, progress)
	if err != nil {
		return nil, nil, err
	}
	p, err := Compute(ctx, dir, r, live, scope, prune)
	if err != nil {
		return nil, nil, err
	}
	return p, live, nil
}

// Check re-reads a saved plan's scope and refuses (ErrStale) when the live
// state differs from what it was made against.
func Check(ctx context.Context, c Clients, dir Directory, p *Plan, progress func(string, int, int)) error {
	live, err := ReadLive(ctx, c, dir, p.Scope, progress)
	if err != nil {
		return err
	}
	if live.Fingerprint() != p.Fingerprint {
		return fmt.Errorf("%w (the permission sets, groups or assignments it read are not as they were at %s)", ErrStale, p.CreatedAt.Format(time.RFC3339))
	}
	return nil
}

// Compute compares the resolved files with the live state read in scope.
func Compute(ctx context.Context, dir file.Directory, r *Resolved, live *Live, scope Scope, prune bool) (*Plan, error) {
	p := &Plan{Version: Version, Prune: prune, Scope: scope, Fingerprint: live.Fingerprint(), Source: live.Source,
		Items: []Item{}, Changes: []execute.Change{}, Kept: []string{}, Warnings: append([]string{}, r.Warnings...)}
	p.Counts.PermissionSetsDeclared, p.Counts.GroupsDeclared = len(r.PermissionSets), len(r.Groups)
	for _, f := range r.Set.Files {
		p.Files = append(p.Files, f.Path)
	}
	// Name the members read, for the removals.
	var memberIDs []string
	for _, g := range live.Groups {
		for _, m := range g.Members {
			memberIDs = append(memberIDs, m.UserId)
		}
	}
	if err := nameUsers(ctx, dir, r, memberIDs, live.Users); err != nil {
		return nil, err
	}
	for _, g := range live.Groups {
		for i, m := range g.Members {
			if u, ok := live.Users[m.UserId]; ok {
				g.Members[i].UserName = u.UserName
			}
		}
	}

	var psItems, psDeletes, groupItems, groupDeletes, asgItems []Item
	var psChanges, groupChanges, asgChanges []execute.Change
	byName := map[string]LivePermissionSet{}
	for _, l := range live.PermissionSets {
		byName[l.Name] = l
	}
	for _, d := range r.PermissionSets {
		l := byName[d.Name]
		pp := permsets.Changes(d, l.Live, l.Provisioning)
		p.Warnings = append(p.Warnings, pp.Warnings...)
		if len(pp.Changes) == 0 {
			continue
		}
		it := Item{Kind: ItemPermissionSet, Name: d.Name, PermissionSet: pp.Diff}
		for _, ch := range pp.Changes {
			switch ch.Kind {
			case execute.KindProvision:
				it.Provision = ch.Provision
				p.Counts.Provisions++
			case execute.KindPermissionSet:
				it.Op = ch.Op
				if ch.Op == execute.Create {
					p.Counts.PermissionSetsCreate++
				} else {
					p.Counts.PermissionSetsUpdate++
				}
			}
		}
		if it.Op == "" {
			it.Op = execute.Provision
		}
		psItems = append(psItems, it)
		psChanges = append(psChanges, pp.Changes...)
	}
	for _, d := range r.Groups {
		gp := groups.Changes(d, live.Groups[d.Name])
		if len(gp.Changes) == 0 {
			continue
		}
		it := Item{Kind: ItemGroup, Name: d.Name, Group: gp.Diff, Op: execute.Update}
		for _, ch := range gp.Changes {
			switch {
			case ch.Kind == execute.KindGroup && ch.Op == execute.Create:
				it.Op = execute.Create
				p.Counts.GroupsCreate++
			case ch.Kind == execute.KindGroup:
				p.Counts.GroupsUpdate++
			case ch.Op == execute.Create:
				p.Counts.MembersAdd++
			default:
				p.Counts.MembersRemove++
			}
		}
		if it.Op == execute.Update && !hasKind(gp.Changes, execute.KindGroup) {
			p.Counts.GroupsUpdate++ // only its members change
		}
		groupItems = append(groupItems, it)
		groupChanges = append(groupChanges, gp.Changes...)
	}

	// Assignments: those declared and not live are made; with prune, those
	// live (of the permission sets the file names) and not declared go.
	var declared []file.Assignment
	if r.Assignments != nil {
		declared = r.Assignments.Assignments()
	}
	named := map[string]bool{}
	for _, arn := range scope.NamedPermissionSets {
		named[arn] = true
	}
	liveNamed := &plan.Live{}
	for _, a := range live.Assignments.Assignments {
		if named[a.PermissionSetArn] {
			liveNamed.Assignments = append(liveNamed.Assignments, a)
		}
	}
	pruneAssignments := prune && r.Set.Has[SectionAssignments]
	names, err := plan.DeleteNames(ctx, dir, declared, liveNamed, pruneAssignments)
	if err != nil {
		return nil, err
	}
	ap := plan.Compute(declared, liveNamed, plan.Scope{InstanceArn: scope.InstanceArn, PermissionSets: scope.NamedPermissionSets, Prune: pruneAssignments}, names)
	p.Counts.AssignmentsDeclared, p.Counts.AssignmentsUnchanged = ap.Declared, ap.Unchanged
	deleted := map[string]bool{}
	for _, ch := range ap.Changes {
		if ch.Op == execute.Delete && IsGrant(ch.PermissionSetName) {
			continue // a grant's assignment: ssoctl grant ends it, prune never does
		}
		if IsPending(ch.PermissionSetArn) {
			ch.PermissionSetArn = ""
		}
		if IsPending(ch.PrincipalId) {
			ch.PrincipalId = ""
		}
		if ch.Op == execute.Create {
			p.Counts.AssignmentsCreate++
		} else {
			p.Counts.AssignmentsDelete++
			deleted[ch.Key()] = true
		}
		c := ch
		asgItems = append(asgItems, Item{Kind: ItemAssignment, Op: ch.Op, Name: assignmentName(ch), Assignment: &c})
		asgChanges = append(asgChanges, ch)
	}

	// Prune: the permission sets and groups the file does not declare, in
	// the sections it has — never one that a remaining assignment uses,
	// never Control Tower's AWS* groups.
	remaining := func(match func(key string, arn, ptype, pid string) bool, liveOnes []assignments.Assignment) int {
		n := 0
		for _, a := range declared {
			if match("", a.PermissionSetArn, a.PrincipalType, a.PrincipalId) {
				n++
			}
		}
		for _, a := range liveOnes {
			k := a.AccountId + "|" + a.PermissionSetArn + "|" + a.PrincipalType + "|" + a.PrincipalId
			if !deleted[k] && match(k, a.PermissionSetArn, a.PrincipalType, a.PrincipalId) {
				n++
			}
		}
		return n
	}
	if scope.PrunePermissionSets {
		declaredPS := map[string]bool{}
		for _, d := range r.PermissionSets {
			declaredPS[d.Name] = true
		}
		for _, ps := range live.AllPermissionSets {
			if declaredPS[ps.Name] {
				continue
			}
			if IsGrant(ps.Name) {
				p.Kept = append(p.Kept, fmt.Sprintf("permission set %s: not deleted, a just-in-time grant's (ssoctl grant expire or revoke ends it)", ps.Name))
				continue
			}
			arn := ps.Arn
			n := remaining(func(_ string, a, _, _ string) bool { return a == arn }, live.Assignments.Assignments)
			if n > 0 {
				p.Kept = append(p.Kept, fmt.Sprintf("permission set %s: not deleted, %s (declare it, or remove them)", ps.Name, stillUse(n)))
				continue
			}
			ch := execute.Change{Kind: execute.KindPermissionSet, Op: execute.Delete, Assignment: assignments.Assignment{PermissionSetArn: arn}, PermissionSetName: ps.Name}
			psDeletes = append(psDeletes, Item{Kind: ItemPermissionSet, Op: execute.Delete, Name: ps.Name})
			psChanges = append(psChanges, ch)
			p.Counts.PermissionSetsDelete++
		}
	}
	if scope.PruneGroups {
		declaredG := map[string]bool{}
		for _, d := range r.Groups {
			declaredG[d.Name] = true
		}
		all := append([]inventory.Group(nil), live.AllGroups...)
		sort.Slice(all, func(i, j int) bool { return all[i].Name < all[j].Name })
		for _, g := range all {
			if declaredG[g.Name] {
				continue
			}
			if groups.ControlTower(g.Name) {
				p.Kept = append(p.Kept, fmt.Sprintf("group %s: not deleted, a name starting with AWS is Control Tower's (declare it to manage it)", g.Name))
				continue
			}
			id := g.Id
			n := remaining(func(_ string, _, ptype, pid string) bool { return ptype == "GROUP" && pid == id }, live.GroupAssignments[id])
			if n > 0 {
				p.Kept = append(p.Kept, fmt.Sprintf("group %s: not deleted, %s (declare it, or remove them)", g.Name, stillUse(n)))
				continue
			}
			ch := execute.Change{Kind: execute.KindGroup, Op: execute.Delete, Assignment: assignments.Assignment{PrincipalType: "GROUP", PrincipalId: id}, PrincipalName: g.Name}
			groupDeletes = append(groupDeletes, Item{Kind: ItemGroup, Op: execute.Delete, Name: g.Name})
			groupChanges = append(groupChanges, ch)
			p.Counts.GroupsDelete++
		}
	}
	// Items in the order the executor works: groups and permission sets
	// first, then assignments (creates, then deletes), removals last.
	var creates, deletes []Item
	for _, it := range asgItems {
		if it.Op == execute.Create {
			creates = append(creates, it)
		} else {
			deletes = append(deletes, it)
		}
	}
	for _, part := range [][]Item{groupItems, psItems, creates, deletes, psDeletes, groupDeletes} {
		p.Items = append(p.Items, part...)
	}
	p.Changes = order(append(append(groupChanges, psChanges...), asgChanges...))
	if live.Source.SCIM && p.GroupWrites() {
		p.Warnings = append(p.Warnings, "the identity store is provisioned by SCIM from an external identity provider ("+live.Source.Evidence+"): group changes made here drift from the IdP and its next sync undoes them; apply refuses them unless --allow-scim-drift")
	}
	return p, nil
}

func hasKind(cs []execute.Change, k execute.Kind) bool {
	for _, c := range cs {
		if c.Kind == k {
			return true
		}
	}
	return false
}

// stageOf is the rank of a change in the executor's order.
func stageOf(c execute.Change) int {
	switch {
	case c.Kind == execute.KindGroup && c.Op != execute.Delete:
		return 0
	case c.Kind == execute.KindPermissionSet && c.Op != execute.Delete:
		return 1
	case c.Kind == execute.KindMembership && c.Op == execute.Create:
		return 2
	case c.Kind == execute.KindProvision:
		return 3
	case c.Kind == execute.KindAssignment && c.Op == execute.Create:
		return 4
	case c.Kind == execute.KindAssignment:
		return 5
	case c.Kind == execute.KindMembership:
		return 6
	case c.Kind == execute.KindPermissionSet:
		return 7
	}
	return 8
}

// order sorts changes by stage, keeping their order within one.
func order(cs []execute.Change) []execute.Change {
	sort.SliceStable(cs, func(i, j int) bool { return stageOf(cs[i]) < stageOf(cs[j]) })
	if cs == nil {
		return []execute.Change{}
	}
	return cs
}

func assignmentName(c execute.Change) string {
	who := c.PrincipalName
	if who == "" {
		who = c.PrincipalId
	}
	ps := c.PermissionSetName
	if ps == "" {
		ps = c.PermissionSetArn
	}
	return strings.ToLower(c.PrincipalType) + " " + who + ": " + ps + " on " + c.AccountId
}

func stillUse(n int) string {
	if n == 1 {
		return "1 assignment still uses it"
	}
	return fmt.Sprintf("%d assignments still use it", n)
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// Marshal is the saved plan's bytes.
func (p *Plan) Marshal() ([]byte, error) {
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// Unmarshal reads a saved plan.
func Unmarshal(b []byte) (*Plan, error) {
	var p Plan
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("not a saved plan: %w", err)
	}
	if p.Version != Version {
		return nil, fmt.Errorf("a saved plan of version %d; this ssoctl reads version %d: make the plan again", p.Version, Version)
	}
	if p.Scope.InstanceArn == "" || p.Fingerprint == "" {
		return nil, errors.New("not a saved plan of ssoctl iac: no instance or fingerprint")
	}
	for _, c := range p.Changes {
		if stageOf(c) == 8 || c.Kind == execute.KindAssignment && c.Op != execute.Create && c.Op != execute.Delete {
			return nil, fmt.Errorf("not a saved plan: unknown change %q of %q", c.Op, c.Kind)
		}
	}
	return &p, nil
}
