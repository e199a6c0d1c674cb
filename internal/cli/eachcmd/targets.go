// Package eachcmd is the commands that fan out from one sign-in to many
// accounts: `ssoctl each`, which runs a command once per matching account
// and role, and `ssoctl credentials export`, which writes the credentials
// of every matching role to one file.
package eachcmd

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/spf13/cobra"

	"github.com/ssoctl/ssoctl/accounts"
	"github.com/ssoctl/ssoctl/internal/cli/factory"
	"github.com/ssoctl/ssoctl/internal/cli/views"
	"github.com/ssoctl/ssoctl/internal/each"
	"github.com/ssoctl/ssoctl/internal/sso"
)

// defaultParallel is how many runs (and portal calls) are in flight at
// once unless --parallel says otherwise.
const defaultParallel = 16

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
	fl.StringSliceVar(&ff.accounts, "account", nil, "only these accounts: `ID`s or exact names (repeat, or separate with commas)")
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
	// AssumeRole, when set, is the IAM role assumed in each account from
	// the Identity Center role (each --assume-role).
	AssumeRole string
}

// newSignIn resolves the sign-in from --profile, --sso-session,
// --start-url/--sso-region and the environment, as the creds commands do.
// A profile that is a role chain names the sign-in it starts from (and
// its own region), as a profile with sso_account_id names only its
// sign-in here.
func newSignIn(f *factory.Factory, flags factory.SignInFlags) signIn {
	return signIn{
		Target:  func() (sso.Target, error) { return f.Target(flags, "", "") },
		Manager: f.SignIn,
		Login:   f.LoginOptions(flags),
	}
}

// found is the outcome of listing: the sign-in, the fan-out Client over
// it, the chosen targets, the e-mail address of each account, and the
// accounts whose roles could not be listed.
type found struct {
	target   sso.Target
	client   *accounts.Client
	targets  []each.Target
	emails   map[string]string
	unlisted []accounts.AccountError
}

// unlistedViews are the accounts whose roles could not be listed, as
// the views show them.
func (fd *found) unlistedViews() []views.Unlisted {
	var out []views.Unlisted
	for _, a := range fd.unlisted {
		out = append(out, views.Unlisted{AccountID: a.AccountID, AccountName: a.AccountName, Error: factory.Brief(a.Err)})
	}
	return out
}

// unlistedError is the partial result's error when some accounts' roles
// could not be listed (nil when all were), with what else failed.
func (fd *found) unlistedError(also string) error {
	if len(fd.unlisted) == 0 {
		return nil
	}
	msg := fmt.Sprintf("the roles of %s could not be listed", plural(len(fd.unlisted), "account"))
	if also != "" {
		msg = also + "; " + msg
	}
	return &factory.PartialError{Err: errors.New(msg)}
}

// list lists the signed-in person's accounts and roles and keeps those
// the filter chooses, through the accounts package (the one fan-out),
// with parallel runs at once. Accounts the filter rules out are dropped
// before their roles are listed, so a narrow filter makes few portal
// calls; for one role by name, accounts where its credentials are cached
// are not listed at all. With profileRegion and no regions in the filter,
// the profile's region (if any) is the one region.
func (s signIn) list(ctx context.Context, filter each.Filter, parallel int, profileRegion bool) (*found, error) {
	account, err := filter.AccountMatcher()
	if err != nil {
		return nil, filterUsage(err)
	}
	if _, err := each.Select(nil, filter); err != nil {
		return nil, filterUsage(err)
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
	var portal accounts.Portal = explained{accounts.SSO(m, t.Config, s.Login), t}
	if s.AssumeRole != "" {
		// No MFA: one code cannot serve many accounts.
		portal = hopPortal{Portal: portal, m: m, role: s.AssumeRole, ssoRegion: t.Config.Region, opts: factory.ChainOptions(t, s.Login, "", nil)}
	}
	c, err := accounts.NewFromPortal(ctx, portal, accounts.Options{Region: t.Config.Region, Concurrency: parallel})
	if err != nil {
		return nil, err
	}
	var reach, kept atomic.Int64 // accounts in reach, and those the filter keeps
	q := accounts.Query{Account: func(id, name string) bool {
		reach.Add(1)
		ok := account(id, name)
		if ok {
			kept.Add(1)
		}
		return ok
	}}
	if role := filter.Role; role != "" && regexp.QuoteMeta(role) == role {
		q.RoleName = role
	}
	roles, err := c.Find(ctx, q)
	var partial *accounts.PartialError
	if err != nil && !errors.As(err, &partial) {
		return nil, err
	}
	fd := &found{target: t, client: c}
	if partial != nil {
		fd.unlisted = partial.Failed
	}
	all := make([]each.Target, len(roles))
	emails := map[string]string{}
	for i, r := range roles {
		all[i] = each.Target{AccountId: r.AccountID, AccountName: r.AccountName, RoleName: r.RoleName}
		emails[r.AccountID] = r.EmailAddress
	}
	targets, err := each.Select(all, filter)
	if err != nil {
		return nil, filterUsage(err)
	}
	fd.targets, fd.emails = targets, emails
	if len(targets) == 0 {
		// Say where the filter lost everything: the accounts, or the
		// roles of those it kept.
		what := fmt.Sprintf("no account and role matches: the filter keeps none of the %s in reach", plural(int(reach.Load()), "account"))
		if kept.Load() > 0 {
			what = fmt.Sprintf("no account and role matches: no role matches in the %s the filter keeps (of %d in reach)", plural(int(kept.Load()), "account"), reach.Load())
		}
		if len(fd.unlisted) > 0 {
			return fd, fd.unlistedError(what)
		}
		return nil, fmt.Errorf("%s: see `ssoctl roles`", what)
	}
	return fd, nil
}

// explained is a Portal whose sign-in-required errors say which
// `ssoctl login` to run.
type explained struct {
	accounts.Portal
	t sso.Target
}

func (e explained) Roles(ctx context.Context, q accounts.PortalQuery) ([]accounts.Role, error) {
	roles, err := e.Portal.Roles(ctx, q)
	return roles, factory.ExplainSignIn(err, e.t)
}

func (e explained) Credentials(ctx context.Context, accountID, roleName string) (aws.Credentials, error) {
	cr, err := e.Portal.Credentials(ctx, accountID, roleName)
	return cr, factory.ExplainSignIn(err, e.t)
}

// filterFlag is the flag of a part of a filter.
func filterFlag(f each.Field) string {
	switch f {
	case each.FieldRole:
		return "--role"
	case each.FieldAccountName:
		return "--account-name"
	}
	return "--exclude"
}

// filterUsage words a filter's error as a usage error about its flag.
func filterUsage(err error) error {
	var fe *each.FilterError
	if errors.As(err, &fe) {
		return factory.Usagef("%s: %v", filterFlag(fe.Field), fe.Err)
	}
	return factory.Usagef("%v", err)
}

// checkParallel rejects a --parallel below 1.
func checkParallel(n int) error {
	if n < 1 {
		return factory.Usagef("--parallel must be at least 1, not %d", n)
	}
	return nil
}
