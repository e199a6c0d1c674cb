package factory

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/spf13/cobra"

	"github.com/ssoctl/ssoctl/internal/awsclient"
	"github.com/ssoctl/ssoctl/internal/awsconfig"
	"github.com/ssoctl/ssoctl/internal/iostreams"
	"github.com/ssoctl/ssoctl/internal/quota"
	"github.com/ssoctl/ssoctl/internal/sso"
)

// What every command that uses a person's sign-in shares, as the GitHub
// CLI's cmdutil.Factory shares its HTTP client, browser and prompter: the
// sign-in Manager over the person's caches, the choice of sign-in from
// flags and environment, the browser opener and the prompter.

// SignInFlags are the one set of sign-in flags (AddSignInFlags registers
// them): which sign-in (--sso-session, --start-url with --sso-region), and
// whether and how a command may sign in (--login, --use-device-code,
// --no-browser).
type SignInFlags struct {
	Session, StartURL, Region       string
	Login, UseDeviceCode, NoBrowser bool
}

// SignInFlagSet says which sign-in flags a command takes.
type SignInFlagSet int

const (
	// SelectFlags are --sso-session, --start-url and --sso-region.
	SelectFlags SignInFlagSet = iota
	// SignInHowFlags add --use-device-code and --no-browser (login).
	SignInHowFlags
	// AllSignInFlags add --login too (commands that need a token).
	AllSignInFlags
)

// AddSignInFlags registers the sign-in flags of set on cmd.
func AddSignInFlags(cmd *cobra.Command, s *SignInFlags, set SignInFlagSet) {
	fl := cmd.Flags()
	fl.StringVar(&s.Session, "sso-session", "", "the [sso-session `NAME`] of ~/.aws/config")
	fl.StringVar(&s.StartURL, "start-url", "", "the AWS access portal's start `URL` (without an sso-session)")
	fl.StringVar(&s.Region, "sso-region", "", "the Identity Center `region` that goes with --start-url")
	switch set {
	case SignInHowFlags:
		fl.BoolVar(&s.UseDeviceCode, "use-device-code", false, "use the device-code flow (open a URL on any device and confirm a code)")
		fl.BoolVar(&s.NoBrowser, "no-browser", false, "print the sign-in URL instead of opening a browser")
	case AllSignInFlags:
		fl.BoolVar(&s.Login, "login", false, "sign in when there is no usable token (else exit 4)")
		fl.BoolVar(&s.UseDeviceCode, "use-device-code", false, "with --login: use the device-code flow")
		fl.BoolVar(&s.NoBrowser, "no-browser", false, "with --login: print the sign-in URL instead of opening a browser")
	}
}

// Named reports whether the flags name a sign-in.
func (s SignInFlags) Named() bool { return s.Session != "" || s.StartURL != "" }

// Browser opens a URL for the person.
type Browser interface {
	Browse(url string) error
}

// Prompter asks the person a question at the terminal.
type Prompter interface {
	// Confirm asks a yes/no question; only y or yes is a yes, and no
	// answer (end of input) is a no.
	Confirm(question string) (bool, error)
	// Input asks for one line (an MFA code, say) and returns it trimmed;
	// no answer (end of input) is an error.
	Input(question string) (string, error)
}

// signInState is what the Factory builds once for sign-in.
type signInState struct {
	once    sync.Once
	manager *sso.Manager
	err     error
}

// SignIn returns the sign-in Manager over the person's ~/.aws caches
// (built once). Its clients are built only when a call must be made,
// through awsclient, unsigned (the portal and sso-oidc take bearer
// tokens), in the sso_region, honouring --endpoint-url and
// AWS_ENDPOINT_URL_SSO(_OIDC).
func (f *Factory) SignIn() (*sso.Manager, error) {
	f.signIn.once.Do(func() {
		home, err := awsconfig.Home(f.IOStreams.Getenv)
		if err != nil {
			f.signIn.err = err
			return
		}
		ios := f.IOStreams
		f.signIn.manager = &sso.Manager{
			Home: home,
			Warn: func(msg string) { fmt.Fprintln(ios.ErrOut, "warning: "+msg) },
			Clients: func(ctx context.Context, region string) (sso.Clients, error) {
				opts, err := f.BaseClientOptions()
				if err != nil {
					return sso.Clients{}, err
				}
				opts.Region, opts.EndpointURL = region, f.Global.EndpointURL
				opts.Profile = ""
				opts.Credentials = aws.AnonymousCredentials{}
				set, err := awsclient.New(ctx, opts)
				if err != nil {
					return sso.Clients{}, err
				}
				return sso.Clients{OIDC: set.SSOOIDC(), Portal: f.pacePortal(set.SSO(), region, opts)}, nil
			},
			STS: func(ctx context.Context, region string, creds aws.Credentials) (sso.STS, error) {
				return f.assumeRoleClient(ctx, region, creds)
			},
		}
	})
	return f.signIn.manager, f.signIn.err
}

// RoleClients returns AWS clients that use a role's credentials (from the
// portal) in region, honouring --endpoint-url and AWS_ENDPOINT_URL*.
func (f *Factory) RoleClients(ctx context.Context, region string, cr *sso.RoleCredentials) (*awsclient.Set, error) {
	opts, err := f.BaseClientOptions()
	if err != nil {
		return nil, err
	}
	opts.Region, opts.EndpointURL, opts.Profile = region, f.Global.EndpointURL, ""
	opts.Credentials = credentials.NewStaticCredentialsProvider(cr.AccessKeyID, cr.SecretAccessKey, cr.SessionToken)
	return awsclient.New(ctx, opts)
}

// pacePortal paces the portal's calls in a region across processes: the
// portal's quota (quota.AWS's "sso", scaled as every client rate is) is
// the account's, so ssoctl processes run one after another, or at once,
// draw from one bucket (quota.SharedBucket in sso.CacheDir) rather than
// each starting with a full one of its own. Unpaced where no client is
// limited (opts.Unlimited, and --sandbox without --quotas aws).
func (f *Factory) pacePortal(p sso.Portal, region string, opts awsclient.Options) sso.Portal {
	if opts.Unlimited || f.Global.Sandbox && f.SandboxOptions.Quotas != "aws" {
		return p
	}
	dir, err := sso.CacheDir(f.IOStreams.Getenv)
	if err != nil {
		return p
	}
	rates := opts.Rates
	if rates == nil {
		rates = quota.AWS
	}
	return sso.PacedPortal(p, quota.NewSharedBucket(sso.PacePath(dir, region), rates["sso"].Shared(opts.RateScale)).Wait)
}

// Target is the sign-in a command uses: SignInTarget, or when that names
// AWS_DEFAULT_SSO_START_URL and has no cached token, an [sso-session] of
// the same start URL that has one (sso.Manager.Prefer): after
// `ssoctl login --profile dev`, a bare `ssoctl roles` uses dev's session.
func (f *Factory) Target(s SignInFlags, accountID, roleName string) (sso.Target, error) {
	t, err := f.SignInTarget(s, accountID, roleName)
	if err != nil || len(t.Same) == 0 {
		return t, err
	}
	m, err := f.SignIn()
	if err != nil {
		return sso.Target{}, err
	}
	return m.Prefer(t), nil
}

// SignInTarget reads ~/.aws/config and picks the sign-in (and the account
// and role, which accountID and roleName override) from the flags,
// --profile and the environment, exactly as named (sso.Resolve has the
// order); login signs in to it. A config file botocore would refuse is an
// error (exit 1); a profile that is not there, or no sign-in named at
// all, a usage error (exit 2).
func (f *Factory) SignInTarget(s SignInFlags, accountID, roleName string) (sso.Target, error) {
	getenv := f.IOStreams.Getenv
	if s.StartURL != "" {
		if err := sso.CheckStartURL(s.StartURL); err != nil {
			return sso.Target{}, Usagef("--start-url: %v", err)
		}
	}
	if u := getenv("AWS_DEFAULT_SSO_START_URL"); u != "" && !s.Named() {
		if err := sso.CheckStartURL(u); err != nil {
			return sso.Target{}, fmt.Errorf("AWS_DEFAULT_SSO_START_URL: %w", err)
		}
	}
	if accountID != "" && strings.Trim(accountID, "0123456789") == "" && !awsconfig.IsAccountID(accountID) {
		return sso.Target{}, Usagef("--account %q: an AWS account id is 12 digits", accountID)
	}
	path, err := awsconfig.Path(getenv)
	if err != nil {
		return sso.Target{}, err
	}
	file, err := awsconfig.Load(path)
	if err != nil {
		return sso.Target{}, err
	}
	envProfile, envVar := getenv("AWS_PROFILE"), "AWS_PROFILE"
	if envProfile == "" {
		envProfile, envVar = getenv("AWS_DEFAULT_PROFILE"), "AWS_DEFAULT_PROFILE"
	}
	t, err := sso.Resolve(file, sso.Selector{
		Profile: f.Global.Profile, EnvProfile: envProfile, EnvProfileVar: envVar,
		Session: s.Session, StartURL: s.StartURL, Region: s.Region,
		AccountID: accountID, RoleName: roleName,
		DefaultStartURL: getenv("AWS_DEFAULT_SSO_START_URL"), DefaultRegion: getenv("AWS_DEFAULT_SSO_REGION"),
	})
	if err != nil {
		return sso.Target{}, signInUsage(err, f.Global.Profile != "")
	}
	return t, nil
}

// signInUsage words sso.Resolve's errors as the command line names
// things: what the flags could not name is a usage error (exit 2); a
// config file that is wrong otherwise stays an error (exit 1).
func signInUsage(err error, profileFlag bool) error {
	var region *sso.MissingRegionError
	var env *sso.EnvProfileError
	var chain *sso.ChainError
	switch {
	case errors.Is(err, sso.ErrNoTarget):
		return Usagef("%v: use --sso-session NAME, --profile NAME (with sso_session or sso_start_url), or --start-url URL --sso-region REGION, or set AWS_DEFAULT_SSO_START_URL and AWS_DEFAULT_SSO_REGION", err)
	case errors.As(err, &region):
		return Usagef("--start-url needs --sso-region (or AWS_DEFAULT_SSO_REGION)")
	case errors.As(err, &env), errors.Is(err, awsconfig.ErrNotFound), profileFlag && errors.Is(err, awsconfig.ErrNoSSO), errors.As(err, &chain):
		return &UsageError{Err: err}
	}
	return err
}

// LoginOptions are nil unless --login: then how to sign in, talking on
// stderr.
func (f *Factory) LoginOptions(s SignInFlags) *sso.LoginOptions {
	if !s.Login {
		return nil
	}
	lo := f.Prompts(f.ChooseFlow(s.UseDeviceCode), s.NoBrowser)
	return &lo
}

// signInError is a sign-in-required error (sso.ErrSignInRequired: exit 4)
// with what to run about it.
type signInError struct {
	err  error
	hint string
}

func (e *signInError) Error() string { return e.err.Error() + "; run `" + e.hint + "` to sign in" }
func (e *signInError) Unwrap() error { return e.err }

// ExplainSignIn adds to a sign-in-required error the command that fixes
// it; other errors stay as they are.
func ExplainSignIn(err error, t sso.Target) error {
	if errors.Is(err, sso.ErrSignInRequired) {
		return &signInError{err: err, hint: t.LoginCommand()}
	}
	return err
}

// ChooseFlow picks the sign-in flow: the device code when asked for, or
// when no browser can be opened here (an SSH session, a container: the
// PKCE redirect goes to this machine's loopback, which a browser elsewhere
// cannot reach); otherwise PKCE, where --no-browser only prints the URL
// for a browser on this machine.
func (f *Factory) ChooseFlow(useDeviceCode bool) sso.Flow {
	if useDeviceCode || !CanOpenBrowser(f.IOStreams.Getenv) {
		return sso.FlowDevice
	}
	return sso.FlowPKCE
}

// CanOpenBrowser reports whether this machine can show a browser:
// SSOCTL_BROWSER is set, or it is macOS or Windows, or it has a display.
func CanOpenBrowser(getenv func(string) string) bool {
	switch {
	case getenv("SSOCTL_BROWSER") != "":
		return true
	case runtime.GOOS == "darwin" || runtime.GOOS == "windows":
		return true
	}
	return getenv("DISPLAY") != "" || getenv("WAYLAND_DISPLAY") != ""
}

// Prompts returns the LoginOptions that talk to the person on stderr
// (never stdout, which may carry credentials), opening the Browser unless
// noBrowser or there is none.
func (f *Factory) Prompts(flow sso.Flow, noBrowser bool) sso.LoginOptions {
	open := !noBrowser && CanOpenBrowser(f.IOStreams.Getenv)
	w := f.IOStreams.ErrOut
	browse := func(url string) {
		if !open {
			return
		}
		if err := f.Browser.Browse(url); err != nil {
			fmt.Fprintf(w, "warning: could not open a browser: %v\n", err)
		}
	}
	return sso.LoginOptions{
		Flow: flow,
		OnAuthorizeURL: func(url string) {
			fmt.Fprintf(w, "Sign in to AWS IAM Identity Center in your browser. If it does not open, open this URL on this machine:\n\n  %s\n\n", url)
			browse(url)
		},
		OnDeviceCode: func(d sso.DeviceAuthorization) {
			fmt.Fprintf(w, "To sign in, open this URL on any device and confirm the code %s:\n\n  %s\n\n", d.UserCode, d.VerificationURIComplete)
			browse(d.VerificationURIComplete)
			fmt.Fprintf(w, "Waiting for approval (the code expires in %s)…\n", d.ExpiresIn.Round(time.Second))
		},
	}
}

// systemBrowser opens URLs with SSOCTL_BROWSER (a command, run with the
// URL as its last argument) when set, else the system's opener.
//
// Nothing the opener says reaches ssoctl's streams: a console sign-in URL
// is a secret, and a failing opener prints its argument (xdg-open: "no
// method available for opening '<URL>'"), so its output goes nowhere. It
// is given openerWait to fail: an opener that exits non-zero by then is an
// error (naming the opener and its status, never the URL); one still
// running (a browser in the foreground) is left to run.
type systemBrowser struct{ ios *iostreams.IOStreams }

// openerWait is how long Browse waits for the opener's exit status.
const openerWait = 3 * time.Second

func (b systemBrowser) Browse(url string) error {
	var argv []string
	if c := strings.Fields(b.ios.Getenv("SSOCTL_BROWSER")); len(c) > 0 {
		argv = append(c, url)
	} else {
		switch runtime.GOOS {
		case "darwin":
			argv = []string{"open", url}
		case "windows":
			argv = []string{"rundll32", "url.dll,FileProtocolHandler", url}
		default:
			for _, p := range []string{"xdg-open", "x-www-browser", "www-browser", "wslview"} {
				if _, err := exec.LookPath(p); err == nil {
					argv = []string{p, url}
					break
				}
			}
			if argv == nil {
				return errors.New("none of xdg-open, x-www-browser, www-browser, wslview found")
			}
		}
	}
	cmd := exec.Command(argv[0], argv[1:]...) // Stdin, Stdout, Stderr: the null device
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", argv[0], err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return fmt.Errorf("%s exited with status %d", argv[0], ee.ExitCode())
		}
		if err != nil {
			return fmt.Errorf("%s: %w", argv[0], err)
		}
		return nil
	case <-time.After(openerWait):
		return nil
	}
}

// NewPrompter returns the Prompter that asks on ios's stderr and reads
// the answers from its stdin (the Factory's own).
func NewPrompter(ios *iostreams.IOStreams) Prompter { return &terminalPrompter{ios: ios} }

// terminalPrompter asks on stderr and reads the answers from stdin.
type terminalPrompter struct {
	ios  *iostreams.IOStreams
	once sync.Once
	in   *bufio.Reader
}

func (p *terminalPrompter) Confirm(question string) (bool, error) {
	p.once.Do(func() { p.in = bufio.NewReader(p.ios.In) })
	fmt.Fprint(p.ios.ErrOut, question)
	line, err := p.in.ReadString('\n')
	if err != nil && line == "" {
		if err == io.EOF {
			fmt.Fprintln(p.ios.ErrOut)
			return false, nil
		}
		return false, fmt.Errorf("read the answer: %w", err)
	}
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return true, nil
	}
	return false, nil
}

func (p *terminalPrompter) Input(question string) (string, error) {
	p.once.Do(func() { p.in = bufio.NewReader(p.ios.In) })
	fmt.Fprint(p.ios.ErrOut, question)
	line, err := p.in.ReadString('\n')
	if err != nil && line == "" {
		if err == io.EOF {
			fmt.Fprintln(p.ios.ErrOut)
			return "", errors.New("no answer at the prompt")
		}
		return "", fmt.Errorf("read the answer: %w", err)
	}
	return strings.TrimSpace(line), nil
}

// RoleFlags name one account and role: --account ID|NAME (also -a, and
// --account-id as aws-sso-util spells it) and --role NAME (also -r and
// --role-name). An account is named the same way in every command (see
// sso.AccountMatcher).
type RoleFlags struct {
	Account, Role string
}

// AddRoleFlags registers the role flags on cmd; of is what they name
// ("" for the account and role to use).
func AddRoleFlags(cmd *cobra.Command, r *RoleFlags, of string) {
	if of != "" {
		of = " " + of
	}
	fl := cmd.Flags()
	fl.StringVarP(&r.Account, "account", "a", "", "the `ACCOUNT`"+of+": its id or name (else the profile's sso_account_id)")
	fl.StringVar(&r.Account, "account-id", "", "same as --account")
	fl.StringVarP(&r.Role, "role", "r", "", "the role (permission set) `NAME`"+of+" (else the profile's sso_role_name)")
	fl.StringVar(&r.Role, "role-name", "", "same as --role")
	_ = fl.MarkHidden("account-id")
	_ = fl.MarkHidden("role-name")
}

// ResolveAccount turns an account named by name (or pattern) in t into its
// id, listing the person's accounts (one portal call); an id, or no
// account, needs no call.
func ResolveAccount(ctx context.Context, m *sso.Manager, t sso.Target, lo *sso.LoginOptions) (sso.Target, error) {
	if t.AccountID == "" || awsconfig.IsAccountID(t.AccountID) {
		return t, nil
	}
	accounts, err := m.Accounts(ctx, t.Config, lo)
	if err != nil {
		return t, ExplainSignIn(err, t)
	}
	a, err := sso.OneAccount(accounts, t.AccountID)
	var none *sso.NoAccountError
	switch {
	case errors.As(err, &none):
		return t, fmt.Errorf("--account: %w (see `ssoctl roles`)", err)
	case err != nil:
		return t, Usagef("--account: %v", err)
	}
	t.AccountID = a.AccountID
	return t, nil
}
