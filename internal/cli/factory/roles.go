package factory

import (
	"context"
	"errors"
	"fmt"

	"github.com/ssoctl/ssoctl/internal/sso"
)

// PortalConcurrency is how many ListAccountRoles calls a command keeps in
// flight; the client's portal rate limit (AWS's 20 per second) bounds the
// rate, so this only needs to cover the network's latency.
const PortalConcurrency = 16

// ErrNoSuchRole means the signed-in person cannot reach the account or role
// asked for.
var ErrNoSuchRole = errors.New("no such account and role")

// FindRole resolves --account (id or name) and --role against the roles
// the signed-in person can reach; with either missing it lists them all
// and lets pick choose (pick nil: an error). An account id is listed
// alone (one ListAccountRoles call).
// It also returns the roles it listed.
func FindRole(ctx context.Context, m *sso.Manager, t sso.Target, account, role string, lo *sso.LoginOptions, pick func([]sso.Role) (sso.Role, error)) (sso.Role, []sso.Role, error) {
	q := sso.RoleQuery{Concurrency: PortalConcurrency}
	if account != "" {
		q.Account = func(a sso.Account) bool { return a.AccountID == account || a.AccountName == account }
	}
	roles, err := m.Roles(ctx, t.Config, q, lo)
	var partial *sso.PartialError // some accounts' roles: matters only if none matches
	if err != nil && !errors.As(err, &partial) {
		return sso.Role{}, nil, ExplainSignIn(err, t)
	}
	var match []sso.Role
	ids := map[string]bool{}
	for _, r := range roles {
		if role == "" || r.RoleName == role {
			match = append(match, r)
			ids[r.AccountID] = true
		}
	}
	switch {
	case account != "" && role != "" && len(match) == 1:
		return match[0], roles, nil
	case account != "" && role != "" && len(ids) > 1:
		return sso.Role{}, roles, Usagef("more than one account is named %q: use its id", account)
	case len(match) == 0 && partial != nil:
		f := partial.Failed[0]
		return sso.Role{}, roles, fmt.Errorf("%v: account %s (%s): %s", partial, f.Account.AccountName, f.Account.AccountID, Brief(f.Err))
	case len(match) == 0:
		what := fmt.Sprintf("role %q", role)
		if account != "" {
			what += fmt.Sprintf(" in account %q", account)
		}
		if role == "" {
			what = fmt.Sprintf("account %q", account)
		}
		return sso.Role{}, roles, fmt.Errorf("%w: the signed-in user cannot reach %s (see `ssoctl roles`)", ErrNoSuchRole, what)
	case pick == nil:
		return sso.Role{}, roles, Usagef("--account and --role are required")
	}
	r, err := pick(match)
	return r, roles, err
}
