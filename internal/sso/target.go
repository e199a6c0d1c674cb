package sso

import (
	"errors"
	"fmt"
	"strings"

	"github.com/ssoctl/ssoctl/internal/awsconfig"
)

// Selector is how a person named what to sign in to (command-line flags
// and the environment), before the config file is consulted.
type Selector struct {
	// Profile is --profile; EnvProfile is AWS_PROFILE, used only when it
	// has Identity Center configuration.
	Profile, EnvProfile string
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
}

// LoginCommand is the command that signs in to the target.
func (t Target) LoginCommand() string {
	return strings.Join(append([]string{"ssoctl", "login"}, t.LoginArgs...), " ")
}

// ErrNoTarget means nothing names an Identity Center sign-in.
var ErrNoTarget = errors.New("no Identity Center sign-in named: use --sso-session NAME, --profile NAME (with sso_session or sso_start_url), or --start-url URL --sso-region REGION, or set AWS_DEFAULT_SSO_START_URL and AWS_DEFAULT_SSO_REGION")

// Resolve picks the sign-in, in this order: --sso-session; --start-url
// (with --sso-region or AWS_DEFAULT_SSO_REGION); --profile; AWS_PROFILE
// when that profile has Identity Center keys; AWS_DEFAULT_SSO_START_URL
// and AWS_DEFAULT_SSO_REGION; the config file's only [sso-session].
func Resolve(f *awsconfig.File, sel Selector) (Target, error) {
	t, err := resolve(f, sel)
	if err != nil {
		return Target{}, err
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
			return Target{}, errors.New("--start-url needs --sso-region (or AWS_DEFAULT_SSO_REGION)")
		}
		return Target{Config: Config{StartURL: sel.StartURL, Region: region},
			LoginArgs: []string{"--start-url", sel.StartURL, "--sso-region", region}}, nil
	case sel.Profile != "":
		s, err := f.ProfileSSO(sel.Profile)
		if err != nil {
			return Target{}, err
		}
		return fromSSO(s, "--profile", sel.Profile), nil
	}
	if sel.EnvProfile != "" {
		if s, err := f.ProfileSSO(sel.EnvProfile); err == nil {
			return fromSSO(s, "--profile", sel.EnvProfile), nil
		} else if !errors.Is(err, awsconfig.ErrNoSSO) {
			if _, ok := f.Profile(sel.EnvProfile); ok {
				return Target{}, fmt.Errorf("AWS_PROFILE: %w", err)
			}
		}
	}
	if sel.DefaultStartURL != "" {
		if sel.DefaultRegion == "" {
			return Target{}, errors.New("AWS_DEFAULT_SSO_START_URL is set but AWS_DEFAULT_SSO_REGION is not")
		}
		return Target{Config: Config{StartURL: sel.DefaultStartURL, Region: sel.DefaultRegion}}, nil
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
