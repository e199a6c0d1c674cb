package accounts

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/ssoctl/ssoctl/internal/sso"
)

// Portal is the access portal as a Client reaches it for one sign-in: the
// signed-in person's roles and their credentials. New makes one from
// Options; NewFromPortal takes any.
type Portal interface {
	// Roles lists the roles of the accounts q keeps, sorted by account
	// name, account id and role name. When the roles of some accounts
	// cannot be listed, it returns the others' with a *PartialError.
	Roles(ctx context.Context, q PortalQuery) ([]Role, error)
	// Credentials returns a role's credentials (from the shared cache
	// while they last).
	Credentials(ctx context.Context, accountID, roleName string) (aws.Credentials, error)
	// Cached reports whether a role's credentials are in the shared cache
	// (it makes no call).
	Cached(accountID, roleName string) bool
}

// AccountError is an account whose roles could not be listed, and why.
type AccountError struct {
	AccountID, AccountName string
	Err                    error
}

// PartialError is the error of Find, Roles and Portal.Roles when the roles
// of some accounts could not be listed (a fault that retrying did not
// cure, such as the portal refusing one account): the roles of the other
// accounts are returned with it.
type PartialError struct {
	// Failed are the accounts whose roles are missing.
	Failed []AccountError
	// Accounts is how many accounts' roles were asked for.
	Accounts int
}

func (e *PartialError) Error() string {
	return fmt.Sprintf("could not list the roles of %d of %d account(s)", len(e.Failed), e.Accounts)
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
	var partial *sso.PartialError
	if errors.As(err, &partial) {
		pe := &PartialError{Accounts: partial.Accounts}
		for _, f := range partial.Failed {
			pe.Failed = append(pe.Failed, AccountError{AccountID: f.Account.AccountID, AccountName: f.Account.AccountName, Err: f.Err})
		}
		err = pe
	} else if err != nil {
		return nil, err
	}
	out := make([]Role, len(roles))
	for i, r := range roles {
		out[i] = Role{AccountID: r.AccountID, AccountName: r.AccountName, EmailAddress: r.EmailAddress, RoleName: r.RoleName}
	}
	return out, err
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
