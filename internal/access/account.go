package access

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/ssoctl/ssoctl/internal/assignments/list"
	"github.com/ssoctl/ssoctl/internal/fanout"
	"github.com/ssoctl/ssoctl/internal/inventory"
)

// AccountAccess is who can reach one account, and how.
type AccountAccess struct {
	Instance inventory.Instance `json:"instance"`
	Account  inventory.Account  `json:"account"`
	Rows     []AccountRow       `json:"access"`
	// Review is set by Review (with org settings): the account's OU,
	// whether it is production, its privileged permission sets.
	Review *AccountReview `json:"review,omitempty"`
}

// AccountRow is one principal's access to the account with one permission
// set; a group's access is one row per member (one row with no user for a
// group without members).
type AccountRow struct {
	PermissionSet    string   `json:"permissionSet"`
	PermissionSetArn string   `json:"permissionSetArn"`
	PrincipalType    string   `json:"principalType"`
	PrincipalId      string   `json:"principalId"`
	PrincipalName    string   `json:"principalName"` // "" when the principal no longer exists
	UserId           string   `json:"userId,omitempty"`
	UserName         string   `json:"userName,omitempty"`
	Path             string   `json:"path"` // "direct" or "group:<name>"
	Flags            []string `json:"flags,omitempty"`
	// LastUsed is when the user last fetched credentials for this role,
	// where ssoctl access unused has read it (nil: not known).
	LastUsed *time.Time `json:"lastUsed,omitempty"`
}

// ForAccount answers "who can reach this account, and how" with tens of
// calls, not a scan: the account (DescribeAccount for an id, ListAccounts
// pages until the name is found), ListPermissionSetsProvisionedToAccount,
// one ListAccountAssignments per provisioned permission set, the names of
// just the assigned groups, their members, and the names of just the
// users seen (each from the list or one Describe per item, whichever
// inventory finds cheaper). An unknown account wraps inventory.ErrNotFound.
func ForAccount(ctx context.Context, c inventory.Clients, instanceArn, ref string, cache *inventory.NameCache) (*AccountAccess, error) {
	dir := inventory.NewDirectory(c, inventory.DirectoryOptions{InstanceArn: instanceArn, Names: cache})
	var (
		inst    inventory.Instance
		account inventory.Account
	)
	err := fanout.All(ctx,
		func(ctx context.Context) (err error) { inst, err = dir.Instance(ctx, ""); return },
		func(ctx context.Context) (err error) { account, err = dir.FindAccount(ctx, ref); return })
	if err != nil {
		return nil, err
	}

	// The account's assignments: the one lister, per provisioned
	// permission set (ListPermissionSetsProvisionedToAccount, then
	// ListAccountAssignments for each), then the sets' names.
	all, err := list.All(ctx, c, inst, list.Selection{Accounts: []string{account.Id}}, list.ByPermissionSet)
	if err != nil {
		return nil, err
	}
	var psArns []string
	for _, a := range all {
		psArns = append(psArns, a.PermissionSetArn)
	}
	names, err := dir.PermissionSetNames(ctx, sortedSet(psArns))
	if err != nil {
		return nil, err
	}

	// The assigned groups that still exist, then their members.
	var groupIDs, userIDs []string
	for _, a := range all {
		if a.PrincipalType == list.Group {
			groupIDs = append(groupIDs, a.PrincipalId)
		} else {
			userIDs = append(userIDs, a.PrincipalId)
		}
	}
	groupIDs = sortedSet(groupIDs)
	groups := map[string]inventory.Group{}
	if len(groupIDs) > 0 {
		if groups, err = dir.GroupsByID(ctx, groupIDs); err != nil {
			return nil, err
		}
	}
	var existing []string
	for _, id := range groupIDs {
		if _, ok := groups[id]; ok {
			existing = append(existing, id)
		}
	}
	members := map[string][]string{}
	for i, r := range fanout.Map(ctx, existing, c.Limit(), func(ctx context.Context, id string) ([]string, error) {
		return inventory.GroupMembers(ctx, c.IdentityStore, inst, id)
	}) {
		if r.Err != nil {
			return nil, r.Err
		}
		members[existing[i]] = r.Value
		userIDs = append(userIDs, r.Value...)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	userIDs = sortedSet(userIDs)
	users := map[string]inventory.User{}
	if len(userIDs) > 0 {
		if users, err = dir.UsersByID(ctx, userIDs); err != nil {
			return nil, err
		}
	}

	out := &AccountAccess{Instance: inst, Account: account, Rows: []AccountRow{}}
	var acctFlags []string
	if list.Suspended(account.Status) {
		acctFlags = append(acctFlags, list.FlagSuspended)
	}
	userRow := func(base AccountRow, id string) AccountRow {
		r := base
		r.UserId = id
		r.Flags = slices.Clone(acctFlags)
		u, ok := users[id]
		switch {
		case !ok && base.PrincipalType == list.User:
			r.Flags = append(r.Flags, list.FlagOrphaned)
		case u.Status == "DISABLED":
			r.Flags = append(r.Flags, list.FlagDisabledUser)
		}
		r.UserName = u.UserName
		return r
	}
	for _, a := range all {
		base := AccountRow{PermissionSet: names[a.PermissionSetArn], PermissionSetArn: a.PermissionSetArn,
			PrincipalType: a.PrincipalType, PrincipalId: a.PrincipalId, Path: PathDirect}
		if a.PrincipalType == list.User {
			r := userRow(base, a.PrincipalId)
			r.PrincipalName = r.UserName
			out.Rows = append(out.Rows, r)
			continue
		}
		g, ok := groups[a.PrincipalId]
		base.PrincipalName = g.Name
		base.Path = groupPath(g.Name, a.PrincipalId)
		if !ok {
			base.Flags = append(slices.Clone(acctFlags), list.FlagOrphaned)
			out.Rows = append(out.Rows, base)
			continue
		}
		if len(members[g.Id]) == 0 {
			base.Flags = slices.Clone(acctFlags)
			out.Rows = append(out.Rows, base)
			continue
		}
		for _, uid := range members[g.Id] {
			out.Rows = append(out.Rows, userRow(base, uid))
		}
	}
	slices.SortFunc(out.Rows, func(x, y AccountRow) int {
		return cmp.Or(cmp.Compare(x.PermissionSet, y.PermissionSet), cmp.Compare(x.PermissionSetArn, y.PermissionSetArn),
			comparePaths(x.Path, y.Path), cmp.Compare(x.UserName, y.UserName), cmp.Compare(x.PrincipalId, y.PrincipalId), cmp.Compare(x.UserId, y.UserId))
	})
	return out, nil
}

func sortedSet(s []string) []string {
	slices.Sort(s)
	return slices.Compact(s)
}
