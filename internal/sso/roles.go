package sso

import (
	"context"
	"fmt"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssso "github.com/aws/aws-sdk-go-v2/service/sso"

	"github.com/ssoctl/ssoctl/internal/fanout"
)

// Account is an account the signed-in person can reach.
type Account struct {
	AccountID    string `json:"accountId"`
	AccountName  string `json:"accountName"`
	EmailAddress string `json:"emailAddress,omitempty"`
}

// Role is one role (permission set) in one account: ssoctl's one type for
// it, from the portal's listing to profiles, the public accounts package
// and a child process's environment.
type Role struct {
	// AccountID is the 12-digit account id.
	AccountID string `json:"accountId"`
	// AccountName and EmailAddress are the account's, as the portal
	// shows them.
	AccountName  string `json:"accountName"`
	EmailAddress string `json:"emailAddress,omitempty"`
	// RoleName is the permission set's name.
	RoleName string `json:"roleName"`
	// Region, when set, is the Region the role is used in (the portal does
	// not say): the region of the config accounts.Client.Config returns for
	// it, and a child's AWS_REGION. Give accounts.Each a role once per
	// region to work in several; its credentials are still fetched once.
	Region string `json:"region,omitempty"`
}

// RoleQuery chooses what Roles lists.
type RoleQuery struct {
	// Account keeps only the accounts it returns true for (nil: all).
	Account func(Account) bool
	// Concurrency is how many ListAccountRoles calls run at once (0: 8).
	Concurrency int
	// Known, when set, may give the roles that matter in an account
	// without asking the portal (ok true): ListAccountRoles is then not
	// called for it. A caller that wants one role can answer from the
	// role-credential cache, say.
	Known func(Account) (roles []string, ok bool)
}

// AccountFailure is an account whose roles could not be listed, and why.
type AccountFailure struct {
	Account Account
	Err     error
}

// PartialError is Roles' error when the roles of some accounts could not be
// listed (a fault that retrying did not cure): Roles returns the roles of
// the other accounts with it.
type PartialError struct {
	// Failed are the accounts whose roles are missing, in account order.
	Failed []AccountFailure
	// Accounts is how many accounts' roles were asked for.
	Accounts int
}

func (e *PartialError) Error() string {
	return fmt.Sprintf("could not list the roles of %d of %d account(s)", len(e.Failed), e.Accounts)
}

// Roles lists the accounts and roles of the signed-in person, sorted by
// account name, account id and role name. It uses the sign-in's token as
// Token does (login may be nil); a token the portal rejects is replaced
// once (refreshed, or signed in again with login). When the roles of some
// accounts cannot be listed, it returns the others' with a *PartialError
// naming them; listing the accounts themselves failing is an error.
func (m *Manager) Roles(ctx context.Context, c Config, q RoleQuery, login *LoginOptions) ([]Role, error) {
	var roles []Role
	err := m.withToken(ctx, c, login, func(t *Token) (err error) {
		roles, err = m.listRoles(ctx, c, t, q)
		return err
	})
	return roles, err
}

// Accounts lists the accounts of the signed-in person, as Roles does.
func (m *Manager) Accounts(ctx context.Context, c Config, login *LoginOptions) ([]Account, error) {
	var accounts []Account
	err := m.withToken(ctx, c, login, func(t *Token) error {
		cl, err := m.clients(ctx, tokenRegion(c, t))
		if err != nil {
			return err
		}
		accounts, err = ListAccounts(ctx, cl.Portal, t.AccessToken)
		return err
	})
	return accounts, err
}

// withToken calls fn with the sign-in's token; when the portal rejects the
// token it is replaced once (Token's rules) and fn called again.
func (m *Manager) withToken(ctx context.Context, c Config, login *LoginOptions, fn func(*Token) error) error {
	t, err := m.Token(ctx, c, login)
	if err != nil {
		return err
	}
	err = fn(t)
	if isUnauthorized(err) {
		if t, err = m.replaceRejected(ctx, c, login, t.AccessToken); err != nil {
			return err
		}
		err = fn(t)
	}
	if isUnauthorized(err) {
		return fmt.Errorf("%w: the portal rejected the token of %s (%v)", ErrSignInRequired, c.Name(), err)
	}
	return err
}

func (m *Manager) listRoles(ctx context.Context, c Config, t *Token, q RoleQuery) ([]Role, error) {
	cl, err := m.clients(ctx, tokenRegion(c, t))
	if err != nil {
		return nil, err
	}
	accounts, err := ListAccounts(ctx, cl.Portal, t.AccessToken)
	if err != nil {
		return nil, err
	}
	var keep []Account
	for _, a := range accounts {
		if q.Account == nil || q.Account(a) {
			keep = append(keep, a)
		}
	}
	limit := q.Concurrency
	if limit <= 0 {
		limit = 8
	}
	results := fanout.Map(ctx, keep, limit, func(ctx context.Context, a Account) ([]string, error) {
		if q.Known != nil {
			if roles, ok := q.Known(a); ok {
				return roles, nil
			}
		}
		return ListAccountRoles(ctx, cl.Portal, t.AccessToken, a.AccountID)
	})
	var out []Role
	var failed []AccountFailure
	for i, r := range results {
		if r.Err != nil {
			// A rejected token is the whole sign-in's (withToken replaces
			// it), and an ended ctx ends everything.
			if isUnauthorized(r.Err) || ctx.Err() != nil {
				return nil, r.Err
			}
			failed = append(failed, AccountFailure{Account: keep[i], Err: r.Err})
			continue
		}
		a := keep[i]
		for _, name := range r.Value {
			out = append(out, Role{AccountID: a.AccountID, AccountName: a.AccountName, EmailAddress: a.EmailAddress, RoleName: name})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.AccountName != b.AccountName {
			return a.AccountName < b.AccountName
		}
		if a.AccountID != b.AccountID {
			return a.AccountID < b.AccountID
		}
		return a.RoleName < b.RoleName
	})
	if len(failed) > 0 {
		return out, &PartialError{Failed: failed, Accounts: len(keep)}
	}
	return out, nil
}

// ListAccounts lists every account the token's owner can reach.
func ListAccounts(ctx context.Context, p Portal, token string) ([]Account, error) {
	var out []Account
	pg := awssso.NewListAccountsPaginator(p, &awssso.ListAccountsInput{AccessToken: aws.String(token), MaxResults: aws.Int32(100)})
	for pg.HasMorePages() {
		page, err := pg.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list accounts: %w", err)
		}
		for _, a := range page.AccountList {
			out = append(out, Account{AccountID: aws.ToString(a.AccountId), AccountName: aws.ToString(a.AccountName), EmailAddress: aws.ToString(a.EmailAddress)})
		}
	}
	return out, nil
}

// ListAccountRoles lists the role names the token's owner has in an account.
func ListAccountRoles(ctx context.Context, p Portal, token, accountID string) ([]string, error) {
	var out []string
	pg := awssso.NewListAccountRolesPaginator(p, &awssso.ListAccountRolesInput{AccessToken: aws.String(token), AccountId: aws.String(accountID), MaxResults: aws.Int32(100)})
	for pg.HasMorePages() {
		page, err := pg.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list roles in account %s: %w", accountID, err)
		}
		for _, r := range page.RoleList {
			out = append(out, aws.ToString(r.RoleName))
		}
	}
	return out, nil
}
