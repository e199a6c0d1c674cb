// Package consolecmd is `ssoctl console`: the AWS console in the browser as
// one of the signed-in person's roles, through the federation endpoint.
package consolecmd

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ssoctl/ssoctl/internal/awsconfig"
	"github.com/ssoctl/ssoctl/internal/cli/factory"
	"github.com/ssoctl/ssoctl/internal/cli/views"
	"github.com/ssoctl/ssoctl/internal/console"
	"github.com/ssoctl/ssoctl/internal/iostreams"
	"github.com/ssoctl/ssoctl/internal/sso"
)

// Options are `ssoctl console`'s inputs.
type Options struct {
	IO      *iostreams.IOStreams
	Target  func() (sso.Target, error)
	Manager func() (*sso.Manager, error)
	Login   *sso.LoginOptions
	// MFA asks for the code of a role chain's MFA device (nil: none can
	// be asked for).
	MFA func(serial string) (string, error)
	// Open sends a browser to a URL; CanOpen says whether there is one
	// to send (a display, macOS or Windows, or SSOCTL_BROWSER).
	Open    func(url string) error
	CanOpen func() bool
	// HTTP is the client for the federation endpoint.
	HTTP *http.Client
	// Endpoint overrides the federation endpoint's base URL ("" for the
	// partition's own).
	Endpoint string

	Account, Role string
	Region        string
	Destination   string
	Duration      time.Duration
	Print         bool
	Share         bool
	Token         string
}

// NewCmd returns `ssoctl console`. runF replaces the run function in
// tests.
func NewCmd(f *factory.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{
		IO:      f.IOStreams,
		Manager: f.SignIn,
		Open:    f.Browser.Browse,
		CanOpen: func() bool { return factory.CanOpenBrowser(f.IOStreams.Getenv) },
		HTTP:    f.HTTPClient(), // the AWS clients' timeouts
	}
	var signIn factory.SignInFlags
	cmd := &cobra.Command{
		Use:   "console",
		Short: "Open the AWS console as one of your roles",
		Long: `Open the AWS console in the browser, signed in as an account and role you were
given: the role's credentials (cached as credential-process caches them)
are exchanged at the federation endpoint for a sign-in URL.

The role is a profile's (--profile, with sso_account_id and sso_role_name,
or a role chain: role_arn and source_profile, the role it assumes last), or
--account ID|NAME and --role NAME in a sign-in named as for ` + "`ssoctl login`" + `.
--destination is a console URL or a service name (s3, ec2, cloudformation,
lambda, iam, logs, …); --region chooses the console's region (else the
profile's). --duration sets the console session's length (15m to 12h).

The browser is the one ` + "`ssoctl login`" + ` opens (SSOCTL_BROWSER, when set, is the
command to run). Where there is none (no DISPLAY or WAYLAND_DISPLAY on
Linux, and no SSOCTL_BROWSER: an SSH session, a container, CI) the command
says so and exits 1 before fetching anything. --print prints the sign-in URL
on stdout instead and opens nothing: the URL signs anyone in for as long as
it is valid, so treat it as a secret (ssoctl never writes it anywhere else;
what the browser opener prints is discarded, and an opener that fails is
reported by its exit status alone, exit 1).

--share prints a token naming the console page (start URL, SSO region,
account, role, region, destination; never a credential) for a colleague:
` + "`ssoctl console --token T`" + ` opens the same page with their own sign-in.

The federation endpoint is the partition's (signin.aws.amazon.com,
signin.amazonaws-us-gov.com, signin.amazonaws.cn), or AWS_ENDPOINT_URL_SIGNIN
or --endpoint-url (the sandbox's).`,
		Example: `  ssoctl console --profile dev
  ssoctl console --account prod --role ReadOnlyAccess --destination cloudformation --region eu-west-1
  ssoctl console --profile dev --print --duration 1h
  ssoctl console --profile dev --destination s3 --share     # a token for a colleague
  ssoctl console --token ssoctl-console-1.eyJ…
  pbpaste | ssoctl console --token -`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.Region = f.Global.Region
			opts.Endpoint = f.Global.EndpointURL
			if opts.Endpoint == "" {
				opts.Endpoint = f.IOStreams.Getenv("AWS_ENDPOINT_URL_SIGNIN")
			}
			if opts.Duration != 0 && (opts.Duration < console.MinDuration || opts.Duration > console.MaxDuration) {
				return factory.Usagef("--duration must be between 15m and 12h, not %s", opts.Duration)
			}
			if opts.Token != "" && (opts.Share || opts.Account != "" || opts.Role != "" || opts.Destination != "" || f.Global.Profile != "") {
				return factory.Usagef("--token names the account, role and page itself: it goes with none of --profile, --account, --role, --destination, --share")
			}
			if _, err := console.Destination(opts.Destination, ""); opts.Token == "" && err != nil {
				return factory.Usagef("--destination: %v", err)
			}
			opts.Target = func() (sso.Target, error) { return f.Target(signIn, "", "") }
			if opts.Token == "-" {
				b, err := io.ReadAll(io.LimitReader(f.IOStreams.In, 64<<10))
				if err != nil {
					return err
				}
				opts.Token = strings.TrimSpace(string(b))
			}
			if opts.Token != "" {
				share, err := console.DecodeShare(opts.Token)
				if err != nil {
					return factory.Usagef("--token: %v", err)
				}
				opts.Target = func() (sso.Target, error) { return shareTarget(f, share) }
				opts.Account, opts.Role, opts.Destination = share.Account, share.Role, share.Destination
				if opts.Region == "" {
					opts.Region = share.Region
				}
			}
			opts.Login = f.LoginOptions(signIn)
			opts.MFA = f.MFAPrompt()
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return Run(cmd.Context(), opts)
		},
	}
	factory.AddSignInFlags(cmd, &signIn, factory.AllSignInFlags)
	fl := cmd.Flags()
	fl.StringVar(&opts.Account, "account", "", "the account `ID|NAME` (else the profile's)")
	fl.StringVar(&opts.Role, "role", "", "the role (permission set) `NAME` (else the profile's)")
	fl.StringVarP(&opts.Destination, "destination", "d", "", "console `URL` or service name (s3, ec2, cloudformation, …) to land on")
	fl.DurationVar(&opts.Duration, "duration", 0, "console session length, 15m to 12h (default: the endpoint's)")
	fl.BoolVar(&opts.Print, "print", false, "print the sign-in URL (a secret) instead of opening a browser")
	fl.BoolVar(&opts.Share, "share", false, "print a token naming this console page for someone else's sign-in (no credential)")
	fl.StringVar(&opts.Token, "token", "", "open the console page a --share `TOKEN` names, with your own sign-in (- reads it from stdin)")
	factory.RegisterCompletions(f, cmd)
	_ = cmd.RegisterFlagCompletionFunc("destination", func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
		return console.Services(), cobra.ShellCompDirectiveNoFileComp
	})
	factory.SetOutputs(cmd)
	return cmd
}

// shareTarget is the runner's own sign-in to the share's instance: their
// [sso-session] with that start URL when they have one (it refreshes),
// else the start URL itself.
func shareTarget(f *factory.Factory, s console.Share) (sso.Target, error) {
	sel := factory.SignInFlags{StartURL: s.StartURL, Region: s.SSORegion}
	if path, err := awsconfig.Path(f.IOStreams.Getenv); err == nil {
		if file, err := awsconfig.Load(path); err == nil {
			for _, name := range file.Names(awsconfig.KindSSOSession) {
				if c, err := file.SessionSSO(name); err == nil && strings.TrimSuffix(c.StartURL, "/") == strings.TrimSuffix(s.StartURL, "/") {
					sel = factory.SignInFlags{Session: name}
					break
				}
			}
		}
	}
	return f.Target(sel, "", "")
}

// Run resolves the role and opens (or prints) its console sign-in URL, or
// prints a share token.
func Run(ctx context.Context, opts *Options) error {
	t, err := opts.Target()
	if err != nil {
		return err
	}
	if len(t.Chain) > 0 {
		return runChain(ctx, opts, t)
	}
	account, role := opts.Account, opts.Role
	if account == "" {
		account = t.AccountID
	}
	if role == "" {
		role = t.RoleName
	}
	if account == "" || role == "" {
		return factory.Usagef("no account and role: use a profile with sso_account_id and sso_role_name (--profile), or --account and --role")
	}
	region := opts.Region
	if region == "" {
		region = t.ProfileRegion
	}
	if opts.Share {
		return views.ConsoleLine(opts.IO.Out, console.Share{
			StartURL: t.Config.StartURL, SSORegion: t.Config.Region, Account: account, Role: role,
			Region: region, Destination: opts.Destination,
		}.Encode())
	}
	if err := needBrowser(opts); err != nil {
		return err
	}
	m, err := opts.Manager()
	if err != nil {
		return err
	}
	if !awsconfig.IsAccountID(account) {
		r, all, err := factory.FindRole(ctx, m, t, account, role, opts.Login, nil)
		if err != nil {
			return err
		}
		factory.SaveRoles(opts.IO.Getenv, all)
		account = r.AccountID
	}
	dest, err := console.Destination(opts.Destination, consoleRegion(region, t.Config.Region))
	if err != nil {
		return factory.Usagef("--destination: %v", err)
	}
	cr, err := m.RoleCredentials(ctx, t.Config, account, role, opts.Login)
	if err != nil {
		return factory.ExplainSignIn(err, t)
	}
	return openConsole(ctx, opts, t, cr, region, dest, role, account)
}

// runChain opens the console as the last role of a role chain. The
// federation endpoint refuses a session duration for role-chained
// credentials, and a share token names an Identity Center role only.
func runChain(ctx context.Context, opts *Options, t sso.Target) error {
	last := t.Chain[len(t.Chain)-1]
	switch {
	case opts.Account != "" || opts.Role != "":
		return factory.Usagef("profile %q is a role chain (role_arn %s): --account and --role do not apply to it", t.Profile, last.RoleARN)
	case opts.Share:
		return factory.Usagef("--share: profile %q is a role chain; a share token names an Identity Center account and role", t.Profile)
	case opts.Duration != 0:
		return factory.Usagef("--duration: the federation endpoint sets no session duration for role-chained credentials (profile %q)", t.Profile)
	}
	region := opts.Region
	if region == "" {
		region = t.ProfileRegion
	}
	dest, err := console.Destination(opts.Destination, consoleRegion(region, t.Config.Region))
	if err != nil {
		return factory.Usagef("--destination: %v", err)
	}
	if err := needBrowser(opts); err != nil {
		return err
	}
	m, err := opts.Manager()
	if err != nil {
		return err
	}
	cr, err := m.ChainCredentials(ctx, t, factory.ChainOptions(t, opts.Login, region, opts.MFA))
	if err != nil {
		return factory.ExplainSignIn(err, t)
	}
	return openConsole(ctx, opts, t, cr, region, dest, last.RoleName(), cmp.Or(cr.AccountID, last.AccountID()))
}

// openConsole exchanges the credentials for a console sign-in URL and opens (or
// prints) it.
// needBrowser refuses, before anything is fetched, to make a sign-in URL
// that no browser here could be sent (--print aside): the URL would only
// end up where it must not, printed by a failing opener into a terminal or
// a CI log.
func needBrowser(opts *Options) error {
	if opts.Print || opts.CanOpen() {
		return nil
	}
	return errors.New("no browser to open the console with here (no DISPLAY or WAYLAND_DISPLAY, and SSOCTL_BROWSER is not set): run again with --print to get the sign-in URL (a secret: paste it into a browser, never into a log), or set SSOCTL_BROWSER")
}

func openConsole(ctx context.Context, opts *Options, t sso.Target, cr *sso.RoleCredentials, region, dest, role, account string) error {
	endpoint := console.FederationURL(consoleRegion(region, t.Config.Region))
	if opts.Endpoint != "" {
		endpoint = strings.TrimSuffix(opts.Endpoint, "/") + "/federation"
	}
	fed := console.Client{HTTP: opts.HTTP, Endpoint: endpoint}
	tok, err := fed.SigninToken(ctx, console.Credentials{AccessKeyID: cr.AccessKeyID, SecretAccessKey: cr.SecretAccessKey, SessionToken: cr.SessionToken}, opts.Duration)
	if err != nil {
		return err
	}
	u := console.LoginURL(endpoint, t.Config.StartURL, dest, tok)
	if opts.Print {
		return views.ConsoleLine(opts.IO.Out, u)
	}
	views.ConsoleOpening(opts.IO.ErrOut, role, account)
	if err := opts.Open(u); err != nil {
		return fmt.Errorf("could not open a browser (%v); run again with --print to get the sign-in URL", err)
	}
	return nil
}

// consoleRegion is the region that picks the partition: the console's
// region, else the Identity Center region.
func consoleRegion(region, ssoRegion string) string {
	if region != "" {
		return region
	}
	return ssoRegion
}
