package accounts

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/ssoctl/ssoctl/internal/sso"
)

// Portal is the access portal as a Client reaches it for one sign-in: the
// signed-in person's roles and their credentials. New makes one from
// Options; NewFromPortal takes any.
type Portal interface {
	// Roles lists the roles of the accounts q keeps, sorted by account
	// name, account id and role name.
	Roles(ctx context.Context, q PortalQuery) ([]Role, error)
	// Credentials returns a role's credentials (from the shared cache
	// while they last).
	Credentials(ctx context.Context, accountID, roleName string) (aws.Credentials, error)
	// Cached reports whether a role's credentials are in the shared cache
	// (it makes no call).
	Cached(accountID, roleName string) bool
}

// PortalQuery is what Portal.Roles lists.
type PortalQuery struct {
	// Account keeps only the accounts it returns true for (nil: all).
	Account func(accountID, accountName string) bool
	// Known, when set, may give the roles that matter in an account
	// without a ListAccountRoles call (ok true).
	Known func(accountID string) (roles []string, ok bool)
	// Concurrency is how many ListAccountRoles calls run at once.
	Concurrency int
}

// SSO returns the Portal of ssoctl's sign-in Manager (an internal
// package) for the sign-in c; login, when set, lets it sign in when no
// token is usable (nil: ErrSignInRequired). New uses it; so do ssoctl's
// commands, with the Manager and sign-in prompts their flags configure.
func SSO(m *sso.Manager, c sso.Config, login *sso.LoginOptions) Portal {
	return ssoPortal{m: m, c: c, login: login}
}

type ssoPortal struct {
	m     *sso.Manager
	c     sso.Config
	login *sso.LoginOptions
}

func (p ssoPortal) Roles(ctx context.Context, q PortalQuery) ([]Role, error) {
	rq := sso.RoleQuery{Concurrency: q.Concurrency}
	if q.Account != nil {
		rq.Account = func(a sso.Account) bool { return q.Account(a.AccountID, a.AccountName) }
	}
	if q.Known != nil {
		rq.Known = func(a sso.Account) ([]string, bool) { return q.Known(a.AccountID) }
	}
	roles, err := p.m.Roles(ctx, p.c, rq, p.login)
	if err != nil {
		return nil, err
	}
	out := make([]Role, len(roles))
	for i, r := range roles {
		out[i] = Role{AccountID: r.AccountID, AccountName: r.AccountName, EmailAddress: r.EmailAddress, RoleName: r.RoleName}
	}
	return out, nil
}

func (p ssoPortal) Credentials(ctx context.Context, accountID, roleName string) (aws.Credentials, error) {
	cr, err := p.m.RoleCredentials(ctx, p.c, accountID, roleName, p.login)
	if err != nil {
		return aws.Credentials{}, err
	}
	return aws.Credentials{
		AccessKeyID: cr.AccessKeyID, SecretAccessKey: cr.SecretAccessKey, SessionToken: cr.SessionToken,
		Source: "ssoctl/accounts", CanExpire: true, Expires: cr.Expiration, AccountID: accountID,
	}, nil
}

func (p ssoPortal) Cached(accountID, roleName string) bool {
	return p.m.CachedCredentials(p.c, accountID, roleName) != nil
}
