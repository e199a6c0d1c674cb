package list

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/ssoctl/ssoctl/internal/assignments"
	"github.com/ssoctl/ssoctl/internal/fanout"
	"github.com/ssoctl/ssoctl/internal/inventory"
)

// Row is one raw assignment with its names: aws-sso-util's nine fields,
// then the account's status and OU. PrincipalName is "" for a principal
// deleted since it was assigned.
type Row struct {
	InstanceArn       string `json:"instanceArn"`
	PrincipalType     string `json:"principalType"`
	PrincipalId       string `json:"principalId"`
	PrincipalName     string `json:"principalName"`
	PermissionSetArn  string `json:"permissionSetArn"`
	PermissionSetName string `json:"permissionSetName"`
	TargetType        string `json:"targetType"`
	TargetId          string `json:"targetId"`
	TargetName        string `json:"targetName"`
	AccountStatus     string `json:"accountStatus"`
	OU                string `json:"ou"`
	OUId              string `json:"ouId"`
}

// NamedOptions control ListNamed.
type NamedOptions struct {
	InstanceArn string
	Filter      *Filter // nil: every assignment
	// Cache holds permission-set names between runs (may be nil).
	Cache *inventory.NameCache
	// Directory is the org directory to ask (nil: one over the clients,
	// InstanceArn and Cache).
	Directory *inventory.Directory
	// Progress, when set, is told how far the listing has got.
	Progress func(phase string, done, total int)
}

// NamedResult is what ListNamed did, the rows aside.
type NamedResult struct {
	Instance       inventory.Instance
	Method         Method
	Rows           int
	Accounts       int // accounts selected
	PermissionSets int // permission sets selected
	Pairs          int // provisioned pairs listed (ByPermissionSet)
	Principals     int // principals listed (ByPrincipal)
	Errors         []ItemError
	Notes          []string
}

// ListNamed lists every assignment the filter selects, with names, through
// List, and passes each to emit in List's order.
//
// Discovery is bulk and concurrent: the organization tree (for the OU
// column and --ou), the permission sets (names from the cache), and the
// users and groups (names from ListUsers and ListGroups, never one
// Describe per principal; with a principal filter only the kinds it names).
func ListNamed(ctx context.Context, c inventory.Clients, opts NamedOptions, emit func(Row) error) (*NamedResult, error) {
	f := opts.Filter
	if f == nil {
		f = &Filter{}
	}
	if opts.Progress != nil {
		opts.Progress("discover", 0, 0)
	}
	dir := opts.Directory
	if dir == nil {
		dir = inventory.NewDirectory(c, inventory.DirectoryOptions{InstanceArn: opts.InstanceArn, Names: opts.Cache})
	}
	inst, err := dir.Instance(ctx, "")
	if err != nil {
		return nil, err
	}
	needUsers := !f.HasPrincipal() || f.wants(User)
	needGroups := !f.HasPrincipal() || f.wants(Group)
	// The organization tree names accounts and OUs and selects them. With
	// only a principal filter it is not walked up front: the accounts
	// their assignments name are resolved afterwards (see resolve).
	walk := !f.HasPrincipal() || f.HasTarget()
	which := inventory.ListPermissionSets
	for _, w := range []struct {
		want bool
		l    inventory.Listings
	}{{walk, inventory.ListOrgTree}, {needUsers, inventory.ListUsers}, {needGroups, inventory.ListGroups}} {
		if w.want {
			which |= w.l
		}
	}
	found, err := dir.Discover(ctx, which)
	if err != nil {
		return nil, err
	}
	tree, psets, users, groups := found.OrgTree, found.PermissionSets, found.Users, found.Groups
	res := &NamedResult{Instance: inst}
	note := func(format string, args ...any) { res.Notes = append(res.Notes, fmt.Sprintf(format, args...)) }

	var sel Selection
	known := Known{PermissionSets: []string{}}
	psNames := map[string]string{}
	if f.HasPermissionSet() {
		sel.PermissionSets = []string{}
	}
	for _, ps := range psets {
		psNames[ps.Arn] = ps.Name
		known.PermissionSets = append(known.PermissionSets, ps.Arn)
		if f.HasPermissionSet() && f.PermissionSetMatches(ps) {
			sel.PermissionSets = append(sel.PermissionSets, ps.Arn)
		}
	}
	for _, v := range f.unmatchedPermissionSets(psets) {
		note("no permission set matches %q", v)
	}
	userNames := make(map[string]string, len(users))
	for _, u := range users {
		userNames[u.Id] = u.UserName
	}
	groupNames := make(map[string]string, len(groups))
	for _, g := range groups {
		groupNames[g.Id] = g.Name
	}
	if f.HasPrincipal() {
		sel.Principals = f.principals(users, groups)
		for _, v := range f.unmatchedPrincipals(User, users, nil) {
			note("no user name matches %q", v)
		}
		for _, v := range f.unmatchedPrincipals(Group, nil, groups) {
			note("no group name matches %q", v)
		}
	}
	res.PermissionSets = len(psets)
	if sel.PermissionSets != nil {
		res.PermissionSets = len(sel.PermissionSets)
	}

	accounts := map[string]inventory.Account{}
	ouOf := map[string]inventory.OU{}
	method := MethodAuto
	var resolve func(context.Context, []assignments.Assignment) error
	if walk || len(sel.Principals) > res.PermissionSets {
		// Many principals: the tree after all (it costs as much as
		// naming the accounts of their assignments would).
		if tree == nil {
			if tree, err = dir.OrgTree(ctx); err != nil {
				return nil, err
			}
		}
		known.Accounts = []string{}
		for _, a := range tree.AllAccounts() {
			accounts[a.Id] = a
			known.Accounts = append(known.Accounts, a.Id)
			if ou, ok := tree.OUOf(a.Id); ok {
				ouOf[a.Id] = ou
			}
		}
		selAccounts, unknown, err := f.SelectAccounts(tree)
		if err != nil {
			return nil, err
		}
		if f.HasTarget() {
			sel.Accounts = []string{}
			for _, a := range selAccounts {
				sel.Accounts = append(sel.Accounts, a.Id)
			}
		}
		for _, id := range unknown {
			note("account %s is not in the organization", id)
		}
		for _, v := range f.unmatchedAccountNames(tree) {
			note("no account name matches %q", v)
		}
		res.Accounts = len(selAccounts)
	} else {
		// A few principals, no target filter: per principal, then just the
		// accounts (and their OUs) their assignments name.
		method = ByPrincipal
		resolve = func(ctx context.Context, listed []assignments.Assignment) error {
			var ids []string
			for _, a := range listed {
				ids = append(ids, a.AccountId)
			}
			slices.Sort(ids)
			ids = slices.Compact(ids)
			res.Accounts = len(ids)
			if len(ids) == 0 {
				return nil
			}
			var (
				found map[string]inventory.Account
				ous   map[string]inventory.OU
			)
			err := fanout.All(ctx,
				func(ctx context.Context) (err error) { found, err = dir.AccountsByID(ctx, ids); return },
				func(ctx context.Context) (err error) { ous, err = dir.OUsOf(ctx, ids); return })
			if err != nil {
				return err
			}
			maps.Copy(accounts, found)
			maps.Copy(ouOf, ous)
			return nil
		}
	}

	principalName := func(typ, id string) string {
		if typ == Group {
			return groupNames[id]
		}
		return userNames[id]
	}
	lres, err := List(ctx, c, inst, sel, Options{
		Method:  method,
		Resolve: resolve,
		Known:   known,
		Names: Names{
			Account:       func(id string) string { return accounts[id].Name },
			PermissionSet: func(arn string) string { return psNames[arn] },
			Principal:     principalName,
		},
		Progress: opts.Progress,
	}, func(a assignments.Assignment) error {
		r := Row{
			InstanceArn: inst.Arn, PrincipalType: a.PrincipalType, PrincipalId: a.PrincipalId,
			PrincipalName:    principalName(a.PrincipalType, a.PrincipalId),
			PermissionSetArn: a.PermissionSetArn, PermissionSetName: psNames[a.PermissionSetArn],
			TargetType: "AWS_ACCOUNT", TargetId: a.AccountId,
		}
		if acct, ok := accounts[a.AccountId]; ok {
			r.TargetName, r.AccountStatus = acct.Name, acct.Status
		}
		if ou, ok := ouOf[a.AccountId]; ok {
			r.OU, r.OUId = ou.Path, ou.Id
		}
		if err := emit(r); err != nil {
			return err
		}
		res.Rows++
		return nil
	})
	if err != nil {
		return nil, err
	}
	res.Method, res.Pairs, res.Principals, res.Errors = lres.Method, lres.Pairs, lres.Principals, lres.Errors
	if res.Rows == 0 && len(res.Errors) == 0 && (f.HasTarget() || f.HasPermissionSet() || f.HasPrincipal()) {
		note("no assignment matches the filters")
	}
	return res, nil
}
