package sso

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/ssoctl/ssoctl/internal/awsconfig"
)

// Selector is how a person named what to sign in to (command-line flags
// and the environment), before the config file is consulted.
type Selector struct {
	// Profile is --profile. EnvProfile is the profile the environment
	// names (AWS_PROFILE, else AWS_DEFAULT_PROFILE), and EnvProfileVar
	// the variable that named it ("AWS_PROFILE" when empty). A profile
	// the environment names must exist; it names the sign-in when it has
	// Identity Center configuration.
	Profile, EnvProfile, EnvProfileVar string
	// Session is --sso-session.
	Session string
	// StartURL and Region are --start-url and --sso-region.
	StartURL, Region string
	// AccountID and RoleName override the profile's.
	AccountID, RoleName string
	// DefaultStartURL and DefaultRegion are AWS_DEFAULT_SSO_START_URL and
	// AWS_DEFAULT_SSO_REGION.
	DefaultStartURL, DefaultRegion string
}

// Target is what a command works on: a sign-in, and for credentials an
// account and role.
type Target struct {
	Config    Config
	Profile   string // the profile it came from, if any
	AccountID string
	RoleName  string
	// ProfileRegion is the profile's region key.
	ProfileRegion string
	// LoginArgs are the `ssoctl login` arguments that sign in to it.
	LoginArgs []string
	// Same are other sign-ins with the same start URL and region (the
	// [sso-session] sections that match AWS_DEFAULT_SSO_START_URL): a
	// token of any of them serves (see Manager.Prefer).
	Same []Config
	// Chain, for a profile with role_arn, are the roles assumed from the
	// Identity Center role AccountID and RoleName, in order (Profile is
	// the profile named; Config, AccountID and RoleName are those of the
	// Identity Center profile the chain starts from).
	Chain []Hop
}

// LoginCommand is the command that signs in to the target, its words
// quoted for a POSIX shell so it can be pasted as printed.
func (t Target) LoginCommand() string {
	words := []string{"ssoctl", "login"}
	for _, a := range t.LoginArgs {
		words = append(words, ShellQuote(a))
	}
	return strings.Join(words, " ")
}

// ShellQuote quotes a word for a POSIX shell only when it needs it: in
// single quotes, with each ' written as '\”.
func ShellQuote(s string) string {
	if s != "" && strings.Trim(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=_-.:,@") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// ErrNoTarget means nothing names an Identity Center sign-in: no session,
// start URL or profile with Identity Center configuration, and no default
// start URL. (The command line says which flags name one.)
var ErrNoTarget = errors.New("no Identity Center sign-in named")

// MissingRegionError says a start URL was given without the Identity
// Center region that goes with it.
type MissingRegionError struct{ StartURL string }

func (e *MissingRegionError) Error() string {
	return fmt.Sprintf("start URL %s has no Identity Center region", e.StartURL)
}

// EnvProfileError says the environment names a profile the config file
// does not have (botocore and the AWS CLI refuse to start then too).
type EnvProfileError struct {
	Var, Profile, Path string
}

func (e *EnvProfileError) Error() string {
	return fmt.Sprintf("%s names profile %q, which is not in %s", e.Var, e.Profile, e.Path)
}

// Resolve picks the sign-in, in this order: a session by name; a start
// URL (with its region, else the default region); the profile as botocore
// picks it (the --profile flag, else AWS_PROFILE, else
// AWS_DEFAULT_PROFILE, else [default]), when it has Identity Center
// configuration; AWS_DEFAULT_SSO_START_URL and AWS_DEFAULT_SSO_REGION; the
// config file's only [sso-session]. A profile named on the command line
// must have Identity Center configuration; one named by the environment
// must exist.
func Resolve(f *awsconfig.File, sel Selector) (Target, error) {
	t, err := resolve(f, sel)
	if err != nil {
		return Target{}, err
	}
	if len(t.Chain) > 0 && (sel.AccountID != "" || sel.RoleName != "") {
		return Target{}, &ChainError{Profile: t.Profile, Msg: fmt.Sprintf("a role chain (role_arn %s) starts from its source profile's Identity Center role: --account and --role do not apply to it", t.Chain[len(t.Chain)-1].RoleARN)}
	}
	if sel.AccountID != "" {
		t.AccountID = sel.AccountID
	}
	if sel.RoleName != "" {
		t.RoleName = sel.RoleName
	}
	return t, nil
}

func resolve(f *awsconfig.File, sel Selector) (Target, error) {
	fromSSO := func(s awsconfig.SSO, args ...string) Target {
		return Target{
			Config:    Config{Session: s.Session, StartURL: s.StartURL, Region: s.Region, Scopes: s.Scopes},
			Profile:   s.Profile,
			AccountID: s.AccountID, RoleName: s.RoleName, ProfileRegion: s.ProfileRegion,
			LoginArgs: args,
		}
	}
	switch {
	case sel.Session != "":
		s, err := f.SessionSSO(sel.Session)
		if err != nil && sel.StartURL != "" && sel.Region != "" {
			// An sso-session named on the command line alone.
			return Target{Config: Config{Session: sel.Session, StartURL: sel.StartURL, Region: sel.Region},
				LoginArgs: []string{"--sso-session", sel.Session, "--start-url", sel.StartURL, "--sso-region", sel.Region}}, nil
		}
		if err != nil {
			return Target{}, err
		}
		return fromSSO(s, "--sso-session", sel.Session), nil
	case sel.StartURL != "":
		region := sel.Region
		if region == "" {
			region = sel.DefaultRegion
		}
		if region == "" {
			return Target{}, &MissingRegionError{StartURL: sel.StartURL}
		}
		return Target{Config: Config{StartURL: sel.StartURL, Region: region},
			LoginArgs: []string{"--start-url", sel.StartURL, "--sso-region", region}}, nil
	case sel.Profile != "":
		if _, ok := f.Profile(sel.Profile); ok {
			if t, ok, err := chainTarget(f, sel.Profile); ok || err != nil {
				return t, err
			}
		}
		s, err := f.ProfileSSO(sel.Profile)
		if err != nil {
			return Target{}, err
		}
		return fromSSO(s, "--profile", sel.Profile), nil
	}
	if sel.EnvProfile != "" {
		if _, ok := f.Profile(sel.EnvProfile); !ok {
			return Target{}, &EnvProfileError{Var: sel.envVar(), Profile: sel.EnvProfile, Path: f.Path}
		}
		if t, ok, err := chainTarget(f, sel.EnvProfile); (ok || err != nil) && !foreign(err) {
			return t, err
		}
		s, err := f.ProfileSSO(sel.EnvProfile)
		if err == nil {
			return fromSSO(s, "--profile", sel.EnvProfile), nil
		}
		if !errors.Is(err, awsconfig.ErrNoSSO) {
			return Target{}, fmt.Errorf("%s: %w", sel.envVar(), err)
		}
	} else if _, ok := f.Profile("default"); ok {
		// botocore's profile when none is named.
		if t, ok, err := chainTarget(f, "default"); (ok || err != nil) && !foreign(err) {
			return t, err
		}
		s, err := f.ProfileSSO("default")
		if err == nil {
			return fromSSO(s, "--profile", "default"), nil
		}
		if !errors.Is(err, awsconfig.ErrNoSSO) {
			return Target{}, err
		}
	}
	if sel.DefaultStartURL != "" {
		if sel.DefaultRegion == "" {
			return Target{}, errors.New("AWS_DEFAULT_SSO_START_URL is set but AWS_DEFAULT_SSO_REGION is not")
		}
		t := Target{Config: Config{StartURL: sel.DefaultStartURL, Region: sel.DefaultRegion}}
		for _, name := range f.Names(awsconfig.KindSSOSession) {
			if s, err := f.SessionSSO(name); err == nil && sameStartURL(s.StartURL, sel.DefaultStartURL) && s.Region == sel.DefaultRegion {
				t.Same = append(t.Same, Config{Session: s.Session, StartURL: s.StartURL, Region: s.Region, Scopes: s.Scopes})
			}
		}
		return t, nil
	}
	if names := f.Names(awsconfig.KindSSOSession); len(names) == 1 {
		s, err := f.SessionSSO(names[0])
		if err != nil {
			return Target{}, err
		}
		return fromSSO(s, "--sso-session", names[0]), nil
	}
	return Target{}, ErrNoTarget
}

func (sel Selector) envVar() string {
	if sel.EnvProfileVar == "" {
		return "AWS_PROFILE"
	}
	return sel.EnvProfileVar
}

// sameStartURL compares start URLs as the portal does: a trailing slash
// or fragment (#/) makes no difference.
func sameStartURL(a, b string) bool {
	norm := func(u string) string {
		u, _, _ = strings.Cut(u, "#")
		return strings.TrimRight(u, "/")
	}
	return norm(a) == norm(b)
}

// Prefer returns t, or when t's own sign-in has no cached token and one of
// the sign-ins in t.Same has, t with that one: signing in with
// `--profile dev` then running a command that names nothing uses dev's
// sso-session when its start URL is AWS_DEFAULT_SSO_START_URL.
func (m *Manager) Prefer(t Target) Target {
	if len(t.Same) == 0 || m.CachedToken(t.Config) != nil {
		return t
	}
	for _, c := range t.Same {
		if m.CachedToken(c) != nil {
			t.Config = c
			t.LoginArgs = []string{"--sso-session", c.Session}
			return t
		}
	}
	return t
}

// CheckStartURL checks an AWS access portal start URL: https, or http
// only to a loopback host (a local emulator), and a host.
func CheckStartURL(u string) error {
	p, err := url.Parse(u)
	if err != nil || p.Host == "" {
		return fmt.Errorf("%q is not a URL such as https://example.awsapps.com/start", u)
	}
	switch strings.ToLower(p.Scheme) {
	case "https":
		return nil
	case "http":
		host := p.Hostname()
		if ip := net.ParseIP(host); (ip != nil && ip.IsLoopback()) || host == "localhost" {
			return nil
		}
		return fmt.Errorf("%q is not https (plain http is only for a loopback address)", u)
	}
	return fmt.Errorf("%q is not an https URL", u)
}
