package logincmd

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/ssoctl/ssoctl/internal/cli/factory"
	"github.com/ssoctl/ssoctl/internal/cli/views"
	"github.com/ssoctl/ssoctl/internal/iostreams"
	"github.com/ssoctl/ssoctl/internal/sso"
)

type logoutOptions struct {
	IO      *iostreams.IOStreams
	Manager func() (*sso.Manager, error)
	// Target is nil for every session.
	Target func() (sso.Target, error)
}

// NewLogoutCmd returns `ssoctl logout`. runF replaces the run function in
// tests.
func NewLogoutCmd(f *factory.Factory, runF func(context.Context, *logoutOptions) error) *cobra.Command {
	opts := &logoutOptions{IO: f.IOStreams, Manager: f.SignIn}
	var (
		sel factory.SignInFlags
		all bool
	)
	cmd := &cobra.Command{
		Use:   "logout",
		Short: "Sign out of AWS IAM Identity Center and remove cached tokens and credentials",
		Long: `Sign out as ` + "`aws sso logout`" + ` does: for every cached token in ~/.aws/sso/cache
(the AWS CLI's and the SDKs' too), end the session at Identity Center (the
portal's Logout) and remove the file; then remove every role credential the
SSO provider cached in ~/.aws/cli/cache. Client registrations stay.

With --sso-session, --start-url or --profile only that sign-in's token is
ended; cached role credentials are removed all the same (they are fetched
again, without a browser, while other sessions last).`,
		Example: `  ssoctl logout               # every session, like aws sso logout
  ssoctl logout --sso-session acme`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			named := sel.Named() || f.Global.Profile != ""
			if all && named {
				return factory.Usagef("--all cannot be combined with --sso-session, --start-url or --profile")
			}
			if named {
				opts.Target = func() (sso.Target, error) { return f.SignInTarget(sel, "", "") }
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runLogout(cmd.Context(), opts)
		},
	}
	factory.AddSignInFlags(cmd, &sel, factory.SelectFlags)
	factory.SetOutputs(cmd)
	cmd.Flags().BoolVar(&all, "all", false, "sign out of every session (the default when none is named)")
	return cmd
}

func runLogout(ctx context.Context, opts *logoutOptions) error {
	var only *sso.Config
	if opts.Target != nil {
		t, err := opts.Target()
		if err != nil {
			return err
		}
		only = &t.Config
	}
	m, err := opts.Manager()
	if err != nil {
		return err
	}
	res, err := m.Logout(ctx, only)
	if err != nil {
		return fmt.Errorf("logout: %w", err)
	}
	views.Logout(opts.IO.ErrOut, *res)
	return nil
}
