package plan

import (
	"context"

	"github.com/ssoctl/ssoctl/internal/assignments/file"
)

// DeleteNames names what prune would delete: accounts and permission sets
// from the directory, principals the file does not name with one bulk
// lookup (deleted ones get no name). Without prune there is nothing to
// name.
func DeleteNames(ctx context.Context, dir file.Directory, declared []file.Assignment, live *Live, prune bool) (Names, error) {
	if !prune {
		return Names{}, nil
	}
	accounts, err := dir.Accounts(ctx)
	if err != nil {
		return Names{}, err
	}
	sets, err := dir.PermissionSets(ctx)
	if err != nil {
		return Names{}, err
	}
	acct := map[string]string{}
	for _, a := range accounts {
		acct[a.Id] = a.Name
	}
	ps := map[string]string{}
	for _, s := range sets {
		ps[s.Arn] = s.Name
	}
	known := map[string]string{}
	for _, a := range declared {
		known[a.PrincipalType+"|"+a.PrincipalId] = a.PrincipalName
	}
	var users, groups []string
	for _, a := range live.Assignments {
		k := a.PrincipalType + "|" + a.PrincipalId
		if _, ok := known[k]; ok {
			continue
		}
		known[k] = ""
		if a.PrincipalType == file.PrincipalUser {
			users = append(users, a.PrincipalId)
		} else {
			groups = append(groups, a.PrincipalId)
		}
	}
	if len(users) > 0 {
		us, err := dir.UsersByID(ctx, users)
		if err != nil {
			return Names{}, err
		}
		for id, u := range us {
			known[file.PrincipalUser+"|"+id] = u.UserName
		}
	}
	if len(groups) > 0 {
		gs, err := dir.GroupsByID(ctx, groups)
		if err != nil {
			return Names{}, err
		}
		for id, g := range gs {
			known[file.PrincipalGroup+"|"+id] = g.Name
		}
	}
	return Names{
		Account:       func(id string) string { return acct[id] },
		PermissionSet: func(arn string) string { return ps[arn] },
		Principal:     func(typ, id string) string { return known[typ+"|"+id] },
	}, nil
}
