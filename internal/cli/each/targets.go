// Package each is the commands that fan out from one sign-in to many
// accounts: `ssoctl each`, which runs a command once per matching account
// and role, and `ssoctl credentials export`, which writes the credentials
// of every matching role to one file.
package each

import (
	"context"
	"fmt"
	"regexp"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/spf13/cobra"

	"github.com/ssoctl/ssoctl/internal/cli/factory"
	"github.com/ssoctl/ssoctl/internal/each"
	"github.com/ssoctl/ssoctl/internal/sso"
)

// defaultParallel is how many runs (and portal calls) are in flight at
// once unless --parallel says otherwise.
const defaultParallel = 16

// listConcurrency is the least number of ListAccountRoles calls in flight.
const listConcurrency = 64

// filterFlags choose accounts and roles; both commands take them.
type filterFlags struct {
	role        string
	accounts    []string
	accountName string
	exclude     []string
}

func (ff *filterFlags) add(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&ff.role, "role", "", "only this role: a `NAME`, or a regular expression matching the whole name")
	fl.StringSliceVar(&ff.accounts, "account", nil, "only these account `ID`s (repeat, or separate with commas)")
	fl.StringVar(&ff.accountName, "account-name", "", "only accounts whose name matches this `REGEX`")
	// Not a slice flag: a regular expression may hold a comma.
	fl.StringArrayVar(&ff.exclude, "exclude", nil, "leave out an account `ID`, or the accounts whose name matches a regex (repeat)")
}

func (ff *filterFlags) filter() each.Filter {
	return each.Filter{Role: ff.role, Accounts: ff.accounts, AccountName: ff.accountName, Exclude: ff.exclude}
}

// signIn is what both commands need to reach the portal: the sign-in they
// use, its Manager, and how to sign in (nil: not allowed; exit 4 instead).
type signIn struct {
	Target  func() (sso.Target, error)
	Manager func() (*sso.Manager, error)
	Login   *sso.LoginOptions
}

// newSignIn resolves the sign-in from --profile, --sso-session,
// --start-url/--sso-region and the environment, as the creds commands do.
func newSignIn(f *factory.Factory, flags factory.SignInFlags) signIn {
	return signIn{
		Target:  func() (sso.Target, error) { return f.Target(flags, "", "") },
		Manager: f.SignIn,
		Login:   f.LoginOptions(flags),
	}
}

// found is the outcome of listing: the sign-in, its Manager, the chosen
// targets, and the e-mail address of each account.
type found struct {
	target  sso.Target
	manager *sso.Manager
	targets []each.Target
	emails  map[string]string
}

// list lists the signed-in person's accounts and roles and keeps those
// the filter chooses. Accounts the filter rules out are dropped before
// their roles are listed, so a narrow filter makes few portal calls. With
// profileRegion and no regions in the filter, the profile's region (if
// any) is the one region.
func (s signIn) list(ctx context.Context, filter each.Filter, parallel int, profileRegion bool) (*found, error) {
	account, err := filter.AccountMatcher()
	if err != nil {
		return nil, factory.Usagef("%v", err)
	}
	if _, err := each.Select(nil, filter); err != nil {
		return nil, factory.Usagef("%v", err)
	}
	t, err := s.Target()
	if err != nil {
		return nil, err
	}
	if profileRegion && len(filter.Regions) == 0 && t.ProfileRegion != "" {
		filter.Regions = []string{t.ProfileRegion}
	}
	m, err := s.Manager()
	if err != nil {
		return nil, err
	}
	q := sso.RoleQuery{
		Account: func(a sso.Account) bool { return account(a.AccountID, a.AccountName) },
		// Listing is waiting on the network, bounded by the portal's
		// rate limit: no reason to hold it to --parallel's few.
		Concurrency: max(parallel, listConcurrency),
	}
	if role := filter.Role; role != "" && regexp.QuoteMeta(role) == role {
		// One role by name: where its credentials are cached, the
		// account has it, and its other roles do not matter. Run again
		// within the hour, fan-out makes no portal call but ListAccounts.
		q.Known = func(a sso.Account) ([]string, bool) {
			if m.CachedCredentials(t.Config, a.AccountID, role) != nil {
				return []string{role}, true
			}
			return nil, false
		}
	}
	roles, err := m.Roles(ctx, t.Config, q, s.Login)
	if err != nil {
		return nil, factory.ExplainSignIn(err, t)
	}
	all := make([]each.Target, len(roles))
	emails := map[string]string{}
	for i, r := range roles {
		all[i] = each.Target{AccountId: r.AccountID, AccountName: r.AccountName, RoleName: r.RoleName}
		emails[r.AccountID] = r.EmailAddress
	}
	targets, err := each.Select(all, filter)
	if err != nil {
		return nil, factory.Usagef("%v", err)
	}
	if len(targets) == 0 {
		return nil, fmt.Errorf("no account and role matches (of %d role(s) in reach): see `ssoctl roles`", len(roles))
	}
	return &found{target: t, manager: m, targets: targets, emails: emails}, nil
}

// credentials fetches a role's credentials through the Manager: from the
// role-credential cache the AWS CLI shares, else one GetRoleCredentials.
func (fd *found) credentials(lo *sso.LoginOptions) each.Credentials {
	return func(ctx context.Context, accountID, roleName string) (aws.Credentials, error) {
		cr, err := fd.manager.RoleCredentials(ctx, fd.target.Config, accountID, roleName, lo)
		if err != nil {
			return aws.Credentials{}, factory.ExplainSignIn(err, fd.target)
		}
		return aws.Credentials{
			AccessKeyID: cr.AccessKeyID, SecretAccessKey: cr.SecretAccessKey, SessionToken: cr.SessionToken,
			CanExpire: true, Expires: cr.Expiration, Source: "ssoctl", AccountID: accountID,
		}, nil
	}
}

// checkParallel rejects a --parallel below 1.
func checkParallel(n int) error {
	if n < 1 {
		return factory.Usagef("--parallel must be at least 1, not %d", n)
	}
	return nil
}
