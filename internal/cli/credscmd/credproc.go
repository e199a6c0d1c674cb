package credscmd

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/ssoctl/ssoctl/internal/cli/factory"
	"github.com/ssoctl/ssoctl/internal/cli/views"
	"github.com/ssoctl/ssoctl/internal/iostreams"
)

type processOptions struct {
	IO     *iostreams.IOStreams
	Source roleSource
}

// NewCredentialProcessCmd returns `ssoctl credential-process`. runF
// replaces the run function in tests.
func NewCredentialProcessCmd(f *factory.Factory, runF func(context.Context, *processOptions) error) *cobra.Command {
	opts := &processOptions{IO: f.IOStreams}
	r := &roleFlags{}
	cmd := &cobra.Command{
		Use:   "credential-process",
		Short: "Print role credentials for credential_process in ~/.aws/config",
		Long: `Print credentials for one account and role in the format of credential_process
(Version 1 JSON), for every AWS SDK and the AWS CLI:

  [profile dev]
  credential_process = ssoctl credential-process --profile dev-sso

The role is the profile's sso_account_id and sso_role_name (with its
sso_session, or legacy sso_start_url and sso_region), or --account (an id or
a name) and --role in a sign-in named as for ` + "`ssoctl login`" + `. A profile with
role_arn and source_profile (a role chain over an Identity Center profile,
hop by hop, with external_id, role_session_name, duration_seconds and
mfa_serial) is resolved as the AWS CLI resolves it: the credentials are
those of the role it assumes last, each hop's cached as the AWS CLI caches
assumed roles (its file names), so a warm call for a chain costs what one
for a plain role does. An MFA code can be typed only at a terminal: warm the
cache there first (` + "`ssoctl export --profile P`" + `).

Credentials are cached in ~/.aws/cli/cache exactly as the AWS CLI caches
them, until 15 minutes before they expire; a warm call reads two small files
and makes no network call. An expiring token is refreshed without a browser.

It never opens a browser unless --login is given: without a usable token it
exits with status 4 and says which ` + "`ssoctl login`" + ` to run. With --login it signs
in (the device-code flow when there is no display), talking on stderr only.
Many processes starting at once sign in, refresh and fetch credentials once
between them.`,
		Example: `  ssoctl credential-process --profile dev
  ssoctl credential-process --sso-session acme -a 123456789012 -r ReadOnly --login`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.Source = r.source(f)
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runProcess(cmd.Context(), opts)
		},
	}
	r.add(cmd)
	return cmd
}

func runProcess(ctx context.Context, opts *processOptions) error {
	_, cr, err := opts.Source.credentials(ctx)
	if err != nil {
		return err
	}
	return views.ProcessCredentials(opts.IO.Out, cr)
}
