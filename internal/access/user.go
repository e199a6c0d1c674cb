package access

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/ssoctl/ssoctl/internal/assignments/list"
	"github.com/ssoctl/ssoctl/internal/fanout"
	"github.com/ssoctl/ssoctl/internal/inventory"
)

// UserAccess is what one person can reach, and through which group.
type UserAccess struct {
	Instance inventory.Instance `json:"instance"`
	User     inventory.User     `json:"user"`
	// Groups are every group the user is in, with or without access.
	Groups []inventory.Group `json:"groups"`
	Rows   []UserRow         `json:"access"`
}

// UserRow is one account and permission set the user can reach, by one
// path.
type UserRow struct {
	AccountId        string `json:"accountId"`
	AccountName      string `json:"accountName"`
	AccountStatus    string `json:"accountStatus,omitempty"`
	PermissionSet    string `json:"permissionSet"`
	PermissionSetArn string `json:"permissionSetArn"`
	Path             string `json:"path"` // "direct" or "group:<name>"
	GroupId          string `json:"groupId,omitempty"`
	// MemberSince is when the user joined the group of a group path (zero
	// for direct access, or where the identity store does not say).
	MemberSince time.Time `json:"memberSince,omitzero"`
	Flags       []string  `json:"flags,omitempty"`
}

// ForUser answers "what can this person reach, and through which group"
// with a handful of calls, not a scan: GetUserId (skipped when name is an
// id), then at once DescribeUser, ListGroupMembershipsForMember and the
// user's ListAccountAssignmentsForPrincipal; then one
// ListAccountAssignmentsForPrincipal per group and the groups' names; then
// the names of just the accounts and permission sets seen (ListAccounts or
// DescribeAccount, whichever is cheaper; permission-set names from the
// cache, else DescribePermissionSet). An unknown user wraps
// inventory.ErrNotFound.
func ForUser(ctx context.Context, c inventory.Clients, instanceArn, name string, cache *inventory.NameCache) (*UserAccess, error) {
	inst, err := inventory.FindInstance(ctx, c.SSOAdmin, instanceArn)
	if err != nil {
		return nil, err
	}
	id := name
	if !list.IsPrincipalID(name) {
		if id, err = inventory.UserID(ctx, c.IdentityStore, inst, name); err != nil {
			if errors.Is(err, inventory.ErrNotFound) {
				return nil, fmt.Errorf("user %q %w", name, inventory.ErrNotFound)
			}
			return nil, err
		}
	}
	var (
		user        inventory.User
		memberships []inventory.Membership
		errs        [2]error
	)
	fanout.Each(ctx, 2, 2, func(ctx context.Context, i int) {
		switch i {
		case 0:
			user, errs[0] = inventory.DescribeUser(ctx, c.IdentityStore, inst, id)
		case 1:
			memberships, errs[1] = inventory.MembershipsOf(ctx, c.IdentityStore, inst, id)
		}
	})
	if err := firstErr(ctx, errs[:]...); err != nil {
		if errors.Is(err, inventory.ErrNotFound) {
			return nil, fmt.Errorf("user %q %w", name, inventory.ErrNotFound)
		}
		return nil, err
	}
	groupIDs := make([]string, 0, len(memberships))
	since := make(map[string]time.Time, len(memberships))
	for _, m := range memberships {
		groupIDs = append(groupIDs, m.GroupId)
		since[m.GroupId] = m.Since
	}
	slices.Sort(groupIDs)

	// The user's and the groups' assignments (the one lister, per
	// principal), and all the groups' names, at once.
	sel := list.Selection{Principals: []list.Principal{{Type: list.User, Id: id}}}
	for _, g := range groupIDs {
		sel.Principals = append(sel.Principals, list.Principal{Type: list.Group, Id: g})
	}
	var (
		groups   map[string]inventory.Group
		groupErr error
		all      []inventory.Assignment
		listErr  error
	)
	fanout.Each(ctx, 2, 2, func(ctx context.Context, i int) {
		if i == 1 {
			if len(groupIDs) > 0 {
				groups, groupErr = inventory.GroupsByID(ctx, c, inst, groupIDs)
			}
			return
		}
		all, listErr = listAll(ctx, c, inst, sel, list.ByPrincipal)
	})
	if err := firstErr(ctx, listErr, groupErr); err != nil {
		return nil, err
	}

	accounts, psNames, err := namesOf(ctx, c, inst, cache, all)
	if err != nil {
		return nil, err
	}

	out := &UserAccess{Instance: inst, User: user, Groups: []inventory.Group{}, Rows: []UserRow{}}
	for _, gid := range groupIDs {
		g, ok := groups[gid]
		if !ok {
			g = inventory.Group{Id: gid}
		}
		out.Groups = append(out.Groups, g)
	}
	slices.SortFunc(out.Groups, func(x, y inventory.Group) int { return cmp.Or(cmp.Compare(x.Name, y.Name), cmp.Compare(x.Id, y.Id)) })
	for _, a := range all {
		row := UserRow{AccountId: a.AccountId, PermissionSetArn: a.PermissionSetArn, PermissionSet: psNames[a.PermissionSetArn], Path: PathDirect}
		if a.PrincipalType == list.Group {
			row.GroupId = a.PrincipalId
			row.Path = groupPath(groups[a.PrincipalId].Name, a.PrincipalId)
			row.MemberSince = since[a.PrincipalId]
		}
		acct, ok := accounts[a.AccountId]
		row.AccountName, row.AccountStatus = acct.Name, acct.Status
		switch {
		case !ok:
			row.Flags = append(row.Flags, list.FlagUnknownAccount)
		case list.Suspended(acct.Status):
			row.Flags = append(row.Flags, list.FlagSuspended)
		}
		if user.Status == "DISABLED" {
			row.Flags = append(row.Flags, list.FlagDisabledUser)
		}
		out.Rows = append(out.Rows, row)
	}
	slices.SortFunc(out.Rows, func(x, y UserRow) int {
		return cmp.Or(cmp.Compare(x.AccountName, y.AccountName), cmp.Compare(x.AccountId, y.AccountId),
			cmp.Compare(x.PermissionSet, y.PermissionSet), cmp.Compare(x.PermissionSetArn, y.PermissionSetArn),
			comparePaths(x.Path, y.Path))
	})
	return out, nil
}

// namesOf names the accounts and permission sets of some assignments, at
// once: accounts by ListAccounts or DescribeAccount (inventory.AccountsByID
// picks), permission sets from the cache or DescribePermissionSet.
func namesOf(ctx context.Context, c inventory.Clients, inst inventory.Instance, cache *inventory.NameCache, as []inventory.Assignment) (map[string]inventory.Account, map[string]string, error) {
	var accountIDs, psArns []string
	for _, a := range as {
		accountIDs = append(accountIDs, a.AccountId)
		psArns = append(psArns, a.PermissionSetArn)
	}
	slices.Sort(accountIDs)
	accountIDs = slices.Compact(accountIDs)
	var (
		accounts map[string]inventory.Account
		names    map[string]string
		errs     [2]error
	)
	fanout.Each(ctx, 2, 2, func(ctx context.Context, i int) {
		if i == 0 {
			if len(accountIDs) > 0 {
				accounts, errs[0] = inventory.AccountsByID(ctx, c, accountIDs)
			}
			return
		}
		names, errs[1] = inventory.PermissionSetNames(ctx, c, inst, cache, psArns)
	})
	if err := firstErr(ctx, errs[:]...); err != nil {
		return nil, nil, err
	}
	return accounts, names, nil
}

// comparePaths puts direct access first, then groups by name.
func comparePaths(x, y string) int {
	if (x == PathDirect) != (y == PathDirect) {
		if x == PathDirect {
			return -1
		}
		return 1
	}
	return cmp.Compare(x, y)
}

// firstErr is ctx's error, else the first non-nil error.
func firstErr(ctx context.Context, errs ...error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
