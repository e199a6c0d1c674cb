// Package rolescmd is `ssoctl roles`: the accounts and roles the
// signed-in person can use.
package rolescmd

import (
	"context"
	"errors"
	"fmt"
	"regexp"

	"github.com/spf13/cobra"

	"github.com/ssoctl/ssoctl/internal/cli/factory"
	"github.com/ssoctl/ssoctl/internal/cli/views"
	"github.com/ssoctl/ssoctl/internal/iostreams"
	"github.com/ssoctl/ssoctl/internal/render"
	"github.com/ssoctl/ssoctl/internal/sso"
)

type rolesOptions struct {
	IO      *iostreams.IOStreams
	Target  func() (sso.Target, error)
	Manager func() (*sso.Manager, error)
	Login   *sso.LoginOptions
	Format  string
	Rows    render.RowsOptions

	// Account matches an account by id, name or pattern (nil: any).
	Account               func(sso.Account) bool
	AccountName, RoleName *regexp.Regexp // nil: any
}

// NewRolesCmd returns `ssoctl roles`. runF replaces the run function in
// tests.
func NewRolesCmd(f *factory.Factory, runF func(context.Context, *rolesOptions) error) *cobra.Command {
	opts := &rolesOptions{IO: f.IOStreams, Manager: f.SignIn}
	var signIn factory.SignInFlags
	var account, accountName, roleName string
	cmd := &cobra.Command{
		Use:   "roles",
		Short: "List the accounts and roles you can use",
		Long: `List the accounts and roles (permission sets) the signed-in person was given,
from the AWS access portal, one row per account and role, sorted by account
name. --account (-a) names an account as every command does: its id, its
name, or a regular expression matched anywhere in either; --account-name is
a regular expression matched anywhere in the name (anchor it with ^ and $).
--role-name (also --role, -r) matches the whole role name, as every command's
role flag does: an exact name, or a regular expression such as 'Admin.*'.

The sign-in is named as for ` + "`ssoctl login`" + `. Output: a table on a terminal, else
CSV; -o json for one JSON array. An account whose roles cannot be listed is
reported on stderr in one line, the others are listed, and ssoctl exits 3.`,
		Example: `  ssoctl roles
  ssoctl roles --account-name '^payments-' --role-name 'Admin.*' -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var err error
			if opts.Format, err = f.CommandFormat(cmd, "table", "csv"); err != nil {
				return err
			}
			opts.Rows = f.RowsOptions()
			for _, x := range []struct {
				flag, v string
				dst     **regexp.Regexp
			}{{"--account-name", accountName, &opts.AccountName}, {"--role-name", anchored(roleName), &opts.RoleName}} {
				if x.v == "" {
					continue
				}
				if *x.dst, err = regexp.Compile(x.v); err != nil {
					return factory.Usagef("%s: %v", x.flag, err)
				}
			}
			if opts.Account, err = sso.AccountMatcher(account); err != nil {
				return factory.Usagef("--account: %v", err)
			}
			opts.Target = func() (sso.Target, error) { return f.Target(signIn, "", "") }
			opts.Login = f.LoginOptions(signIn)
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runRoles(cmd.Context(), opts)
		},
	}
	factory.AddSignInFlags(cmd, &signIn, factory.AllSignInFlags)
	factory.SetOutputs(cmd, "table", "json", "csv")
	fl := cmd.Flags()
	fl.StringVarP(&account, "account", "a", "", "only this `ACCOUNT`: its id or name, or a regex matched anywhere in either")
	fl.StringVar(&account, "account-id", "", "same as --account")
	_ = fl.MarkHidden("account-id")
	fl.StringVar(&accountName, "account-name", "", "only accounts whose name matches this `regex`")
	fl.StringVarP(&roleName, "role-name", "r", "", "only this `ROLE`: its name, or a regex matching the whole name")
	fl.StringVar(&roleName, "role", "", "same as --role-name")
	return cmd
}

func runRoles(ctx context.Context, opts *rolesOptions) error {
	t, err := opts.Target()
	if err != nil {
		return err
	}
	m, err := opts.Manager()
	if err != nil {
		return err
	}
	match := func(re *regexp.Regexp, s string) bool { return re == nil || re.MatchString(s) }
	roles, err := m.Roles(ctx, t.Config, sso.RoleQuery{
		Account: func(a sso.Account) bool {
			return (opts.Account == nil || opts.Account(a)) && match(opts.AccountName, a.AccountName)
		},
	}, opts.Login)
	var partial *sso.PartialError // the others are listed; exit 3
	if err != nil && !errors.As(err, &partial) {
		return factory.ExplainSignIn(err, t)
	}
	var kept []sso.Role
	for _, r := range roles {
		if match(opts.RoleName, r.RoleName) {
			kept = append(kept, r)
		}
	}
	var unlisted []views.Unlisted
	if partial != nil {
		for _, f := range partial.Failed {
			unlisted = append(unlisted, views.Unlisted{AccountID: f.Account.AccountID, AccountName: f.Account.AccountName, Error: factory.Brief(f.Err)})
		}
	}
	if err := views.Roles(opts.Format, opts.IO.Out, opts.IO.ErrOut, opts.Rows, kept, unlisted); err != nil {
		return err
	}
	if partial == nil {
		return nil
	}
	return &factory.PartialError{Err: fmt.Errorf("%v; the others are listed", partial)}
}

// anchored makes a role expression match whole names only, as the role
// flag of each, exec and the other commands does ("" stays "": no filter).
func anchored(expr string) string {
	if expr == "" {
		return ""
	}
	return "^(?:" + expr + ")$"
}
