// Package logincmd is the `ssoctl login` and `ssoctl logout` commands.
// What other commands share of sign-in (the Manager, the choice of
// sign-in, the flags, the prompts and the browser) is on the factory.
package logincmd

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/ssoctl/ssoctl/internal/cli/factory"
	"github.com/ssoctl/ssoctl/internal/cli/views"
	"github.com/ssoctl/ssoctl/internal/iostreams"
	"github.com/ssoctl/ssoctl/internal/sso"
)

type options struct {
	IO      *iostreams.IOStreams
	Manager func() (*sso.Manager, error)
	Target  func() (sso.Target, error)
	// Flow is the sign-in flow; Prompts how it talks to the person.
	Flow    func(useDeviceCode bool) sso.Flow
	Prompts func(flow sso.Flow, noBrowser bool) sso.LoginOptions

	UseDeviceCode bool
	NoBrowser     bool
	Timeout       time.Duration
}

// NewCmd returns `ssoctl login`. runF replaces the run function in tests.
func NewCmd(f *factory.Factory, runF func(context.Context, *options) error) *cobra.Command {
	opts := &options{IO: f.IOStreams, Manager: f.SignIn, Flow: f.ChooseFlow, Prompts: f.Prompts}
	var sel factory.SignInFlags
	cmd := &cobra.Command{
		Use:   "login",
		Short: "Sign in to AWS IAM Identity Center",
		Long: `Sign in to AWS IAM Identity Center and cache the token in ~/.aws/sso/cache,
where the AWS CLI v2 and the SDKs find it too.

What to sign in to, in this order: --sso-session NAME; --start-url URL
--sso-region REGION; --profile NAME (a profile with sso_session, or legacy
sso_start_url and sso_region); AWS_PROFILE when that profile has them;
AWS_DEFAULT_SSO_START_URL and AWS_DEFAULT_SSO_REGION; the only
[sso-session] in ~/.aws/config.

How: the authorization-code flow with PKCE when this machine can show a
browser (a display, macOS or Windows, or SSOCTL_BROWSER): ssoctl listens on
127.0.0.1, opens the sign-in page, and the browser comes back to it. The URL
is also printed, so with --no-browser you can open it in the browser of your
choice on this machine. Without a display (an SSH session, a container), or
with --use-device-code, it uses the device-code flow: open the printed URL on
any device and confirm the code.

SSOCTL_BROWSER, when set, is the command that opens the URL (it gets the URL
as its last argument), e.g. SSOCTL_BROWSER="firefox -P work".

Tokens are refreshed without a browser while the session lasts (ssoctl asks
for the sso:account:access scope unless sso_registration_scopes says
otherwise). When several ssoctl processes need a sign-in at once, one signs
in and the others wait for its token.`,
		Example: `  ssoctl login --profile dev
  ssoctl login --sso-session acme --use-device-code
  ssoctl login --start-url https://acme.awsapps.com/start --sso-region eu-west-1`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.Timeout <= 0 {
				return factory.Usagef("--timeout must be positive, not %s", opts.Timeout)
			}
			opts.UseDeviceCode, opts.NoBrowser = sel.UseDeviceCode, sel.NoBrowser
			opts.Target = func() (sso.Target, error) { return f.SignInTarget(sel, "", "") }
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return run(cmd.Context(), opts)
		},
	}
	factory.AddSignInFlags(cmd, &sel, factory.SignInHowFlags)
	fl := cmd.Flags()
	factory.SetOutputs(cmd)
	fl.DurationVar(&opts.Timeout, "timeout", 10*time.Minute, "how long to wait for the browser or the device approval")
	return cmd
}

func run(ctx context.Context, opts *options) error {
	t, err := opts.Target()
	if err != nil {
		return err
	}
	m, err := opts.Manager()
	if err != nil {
		return err
	}
	flow := opts.Flow(opts.UseDeviceCode)
	if flow == sso.FlowDevice && !opts.UseDeviceCode {
		views.DeviceCodeFallback(opts.IO.ErrOut)
	}
	lo := opts.Prompts(flow, opts.NoBrowser)
	lo.Timeout = opts.Timeout
	res, err := m.Login(ctx, t.Config, lo)
	if err != nil {
		return fmt.Errorf("sign in to %s: %w", t.Config.Name(), err)
	}
	how := "with " + flow.String()
	if res.Reused {
		how = "by another ssoctl process meanwhile"
	}
	views.Login(opts.IO.ErrOut, views.SignedIn{StartURL: t.Config.StartURL, Session: t.Config.Session, How: how,
		ExpiresAt: res.Token.ExpiresAt, Refreshable: res.Token.RefreshToken != ""})
	return nil
}
