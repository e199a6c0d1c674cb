package login

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/spf13/cobra"

	"github.com/ssoctl/ssoctl/internal/awsclient"
	"github.com/ssoctl/ssoctl/internal/awsconfig"
	"github.com/ssoctl/ssoctl/internal/cli/factory"
	"github.com/ssoctl/ssoctl/internal/iostreams"
	"github.com/ssoctl/ssoctl/internal/sso"
)

// What the sign-in commands (login, logout, and the credential commands in
// internal/cli/creds) share: the sign-in Manager over the person's caches,
// the choice of sign-in from flags and environment, and how a sign-in
// talks to the person.

// NewManager returns the sign-in Manager over ~/.aws caches. Clients are
// built only when a call must be made, through awsclient, unsigned
// (anonymous credentials: the portal and sso-oidc take bearer tokens), in
// the sso_region, honouring --endpoint-url and AWS_ENDPOINT_URL_SSO(_OIDC).
func NewManager(f *factory.Factory) (*sso.Manager, error) {
	home, err := awsconfig.Home(f.IOStreams.Getenv)
	if err != nil {
		return nil, err
	}
	ios := f.IOStreams
	return &sso.Manager{
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
			return sso.Clients{OIDC: set.SSOOIDC(), Portal: set.SSO()}, nil
		},
	}, nil
}

// Selection are the flags that name a sign-in.
type Selection struct {
	Session  string
	StartURL string
	Region   string
}

// Resolve reads ~/.aws/config and picks the target from the selection
// flags, --profile, and the environment (sso.Resolve has the order). A
// config file botocore would refuse is an error (exit 1); a profile that
// is not there, or no sign-in named at all, a usage error (exit 2).
func Resolve(f *factory.Factory, sel Selection, accountID, roleName string) (sso.Target, error) {
	getenv := f.IOStreams.Getenv
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
		Session: sel.Session, StartURL: sel.StartURL, Region: sel.Region,
		AccountID: accountID, RoleName: roleName,
		DefaultStartURL: getenv("AWS_DEFAULT_SSO_START_URL"), DefaultRegion: getenv("AWS_DEFAULT_SSO_REGION"),
	})
	if err != nil {
		return sso.Target{}, &factory.UsageError{Err: err}
	}
	return t, nil
}

// signInError is a sign-in-required error (sso.ErrSignInRequired: exit 4)
// with what to run about it.
type signInError struct {
	err  error
	hint string
}

func (e *signInError) Error() string { return e.err.Error() + "; run `" + e.hint + "` to sign in" }
func (e *signInError) Unwrap() error { return e.err }

// Explain adds to a sign-in-required error the command that fixes it.
func Explain(err error, t sso.Target) error {
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
func ChooseFlow(ios *iostreams.IOStreams, useDeviceCode bool) sso.Flow {
	if useDeviceCode || !CanOpenBrowser(ios.Getenv) {
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

// SignInFlags are --login, --use-device-code and --no-browser: whether a
// command that needs a token may sign in when there is none, and how.
type SignInFlags struct {
	Login, UseDeviceCode, NoBrowser bool
}

// Add adds the flags to cmd.
func (s *SignInFlags) Add(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.BoolVar(&s.Login, "login", false, "sign in when there is no usable token (else exit 4)")
	fl.BoolVar(&s.UseDeviceCode, "use-device-code", false, "with --login: use the device-code flow")
	fl.BoolVar(&s.NoBrowser, "no-browser", false, "with --login: print the sign-in URL instead of opening a browser")
}

// Options are nil unless --login: then how to sign in, talking on stderr.
func (s SignInFlags) Options(ios *iostreams.IOStreams) *sso.LoginOptions {
	if !s.Login {
		return nil
	}
	lo := Prompts(ios, ChooseFlow(ios, s.UseDeviceCode), s.NoBrowser)
	return &lo
}

// Prompts returns the LoginOptions that talk to the person on stderr
// (never stdout, which may carry credentials), opening a browser unless
// noBrowser or there is none.
func Prompts(ios *iostreams.IOStreams, flow sso.Flow, noBrowser bool) sso.LoginOptions {
	open := !noBrowser && CanOpenBrowser(ios.Getenv)
	w := ios.ErrOut
	return sso.LoginOptions{
		Flow: flow,
		OnAuthorizeURL: func(url string) {
			fmt.Fprintf(w, "Sign in to AWS IAM Identity Center in your browser. If it does not open, open this URL on this machine:\n\n  %s\n\n", url)
			if open {
				if err := OpenBrowser(ios, url); err != nil {
					fmt.Fprintf(w, "warning: could not open a browser: %v\n", err)
				}
			}
		},
		OnDeviceCode: func(d sso.DeviceAuthorization) {
			fmt.Fprintf(w, "To sign in, open this URL on any device and confirm the code %s:\n\n  %s\n\n", d.UserCode, d.VerificationURIComplete)
			if open {
				if err := OpenBrowser(ios, d.VerificationURIComplete); err != nil {
					fmt.Fprintf(w, "warning: could not open a browser: %v\n", err)
				}
			}
			fmt.Fprintf(w, "Waiting for approval (the code expires in %s)…\n", d.ExpiresIn.Round(time.Second))
		},
	}
}

// OpenBrowser opens url: with SSOCTL_BROWSER (a command, run with the URL
// as its last argument) when set, else the system's opener. It does not
// wait for the browser; the opener's output goes to stderr.
func OpenBrowser(ios *iostreams.IOStreams, url string) error {
	var argv []string
	if c := strings.Fields(ios.Getenv("SSOCTL_BROWSER")); len(c) > 0 {
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
	cmd := exec.Command(argv[0], argv[1:]...)
	if f, ok := ios.ErrOut.(*os.File); ok {
		cmd.Stdout, cmd.Stderr = f, f
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	go func() { _ = cmd.Wait() }()
	return nil
}
