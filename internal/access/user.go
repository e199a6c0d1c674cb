package access

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/ssoctl/ssoctl/internal/assignments"
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
	// LastUsed is when the user last fetched credentials for this role,
	// where ssoctl access unused has read it (nil: not known).
	LastUsed *time.Time `json:"lastUsed,omitempty"`
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
	dir := inventory.NewDirectory(c, inventory.DirectoryOptions{InstanceArn: instanceArn, Names: cache})
	inst, err := dir.Instance(ctx, "")
	if err != nil {
		return nil, err
	}
	id := name
	if !inventory.IsPrincipalID(name) {
		if id, err = dir.UserID(ctx, name); err != nil {
			if errors.Is(err, inventory.ErrNotFound) {
				return nil, fmt.Errorf("user %q %w", name, inventory.ErrNotFound)
			}
			return nil, err
		}
	}
	var (
		user        inventory.User
		memberships []inventory.Membership
	)
	err = fanout.All(ctx,
		func(ctx context.Context) (err error) {
			user, err = inventory.DescribeUser(ctx, c.IdentityStore, inst, id)
			return
		},
		func(ctx context.Context) (err error) {
			memberships, err = inventory.MembershipsOf(ctx, c.IdentityStore, inst, id)
			return
		})
	if err != nil {
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

	// What the user reaches (the one lister, per principal: the user and
	// their groups), and all the groups' names, at once.
	var (
		groups map[string]inventory.Group
		all    []assignments.Assignment
	)
	err = fanout.All(ctx,
		func(ctx context.Context) (err error) { all, err = list.Reach(ctx, c, inst, id, groupIDs); return },
		func(ctx context.Context) (err error) {
			if len(groupIDs) > 0 {
				groups, err = dir.GroupsByID(ctx, groupIDs)
			}
			return
		})
	if err != nil {
		return nil, err
	}

	accounts, psNames, err := namesOf(ctx, dir, all)
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
func namesOf(ctx context.Context, dir *inventory.Directory, as []assignments.Assignment) (map[string]inventory.Account, map[string]string, error) {
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
	)
	err := fanout.All(ctx,
		func(ctx context.Context) (err error) {
			if len(accountIDs) > 0 {
				accounts, err = dir.AccountsByID(ctx, accountIDs)
			}
			return
		},
		func(ctx context.Context) (err error) { names, err = dir.PermissionSetNames(ctx, psArns); return })
	if err != nil {
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
