package sso

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/ssoctl/ssoctl/internal/awsconfig"
)

// Role chains. A profile with role_arn and source_profile is resolved as
// botocore's AssumeRoleProvider resolves it (credentials.py): the source
// profile is followed while it has role_arn (and no static keys), a
// profile may not come back to one already visited, and the chain starts
// from a profile without role_arn, which for ssoctl must be an Identity
// Center one. Each profile with role_arn is one sts:AssumeRole, with its
// own role_session_name, external_id, duration_seconds and mfa_serial.

// Hop is one sts:AssumeRole of a role chain.
type Hop struct {
	// Profile is the profile that names it ("" for a hop named on the
	// command line, such as each --assume-role).
	Profile string
	RoleARN string
	// ExternalID is external_id ("" when not set).
	ExternalID string
	// SessionName is role_session_name; "" means botocore's default,
	// botocore-session-<Unix time>, which the cache key leaves out.
	SessionName string
	// DurationSeconds is duration_seconds (0: not sent, so AWS's default
	// of one hour).
	DurationSeconds int
	// MFASerial is mfa_serial: the MFA device whose code AssumeRole needs.
	MFASerial string
}

// RoleName is the name of the role the hop assumes (the last part of its
// ARN).
func (h Hop) RoleName() string {
	i := strings.LastIndexByte(h.RoleARN, '/')
	return h.RoleARN[i+1:]
}

// AccountID is the account of the role the hop assumes ("" when the ARN
// has none).
func (h Hop) AccountID() string {
	parts := strings.SplitN(h.RoleARN, ":", 6)
	if len(parts) < 6 {
		return ""
	}
	return parts[4]
}

// ChainError is a role chain the config file does not make: a cycle, a
// source profile that is not there, or one ssoctl cannot start from.
type ChainError struct {
	Profile string
	Msg     string
	// Foreign says the chain is well made but does not start from
	// Identity Center (credential_source, or a source profile without
	// Identity Center configuration): a profile the environment names is
	// then passed over, as one without Identity Center configuration is.
	Foreign bool
}

// foreign reports whether err says a chain does not start from Identity
// Center.
func foreign(err error) bool {
	var ce *ChainError
	return errors.As(err, &ce) && ce.Foreign
}

func (e *ChainError) Error() string { return fmt.Sprintf("profile %q: %s", e.Profile, e.Msg) }

// hasRoleARN is botocore's _has_assume_role_config_vars: role_arn without
// web_identity_token_file.
func hasRoleARN(p awsconfig.Section) bool {
	_, role := p.Keys["role_arn"]
	_, web := p.Keys["web_identity_token_file"]
	return role && !web
}

// hasStaticKeys is botocore's _has_static_credentials.
func hasStaticKeys(p awsconfig.Section) bool {
	_, id := p.Keys["aws_access_key_id"]
	_, secret := p.Keys["aws_secret_access_key"]
	return id || secret
}

// resolveChain follows profile name's role_arn and source_profile. For a
// chain it returns the profile it starts from and the hops in the order
// they are assumed (hops[0] with the starting profile's credentials); for
// a profile without role_arn, name and no hops. The profile must exist.
func resolveChain(f *awsconfig.File, name string) (root string, hops []Hop, err error) {
	visited := []string{name}
	cur := name
	for {
		p, _ := f.Profile(cur)
		if !hasRoleARN(p) {
			break
		}
		src, hasSrc := p.Keys["source_profile"]
		credSrc, hasCredSrc := p.Keys["credential_source"]
		switch {
		case hasSrc && hasCredSrc:
			return "", nil, &ChainError{Profile: cur, Msg: "has both source_profile and credential_source"}
		case hasCredSrc:
			return "", nil, &ChainError{Profile: cur, Msg: fmt.Sprintf("credential_source = %s: ssoctl assumes roles from an Identity Center profile; name it in source_profile", credSrc), Foreign: true}
		case !hasSrc:
			return "", nil, &ChainError{Profile: cur, Msg: "has role_arn but neither source_profile nor credential_source"}
		}
		sp, ok := f.Profile(src)
		if !ok {
			return "", nil, &ChainError{Profile: cur, Msg: fmt.Sprintf("source_profile %q does not exist in %s", src, f.Path)}
		}
		if slices.Contains(visited, src) {
			// botocore lets a profile be its own source only for its
			// static keys, which are not Identity Center credentials.
			return "", nil, &ChainError{Profile: cur, Msg: fmt.Sprintf("source_profile %q makes a cycle: %s -> %s", src, strings.Join(visited, " -> "), src)}
		}
		hops = append(hops, hopOf(cur, p))
		visited = append(visited, src)
		cur = src
		if hasStaticKeys(sp) {
			break
		}
	}
	slices.Reverse(hops)
	return cur, hops, nil
}

// hopOf reads a profile's assume-role keys; a duration_seconds that is not
// a number is ignored, as botocore ignores it.
func hopOf(name string, p awsconfig.Section) Hop {
	h := Hop{
		Profile:     name,
		RoleARN:     p.Get("role_arn"),
		ExternalID:  p.Get("external_id"),
		SessionName: p.Get("role_session_name"),
		MFASerial:   p.Get("mfa_serial"),
	}
	if n, err := strconv.Atoi(p.Get("duration_seconds")); err == nil {
		h.DurationSeconds = n
	}
	return h
}

// chainTarget is the target of profile name when it is a role chain: the
// Identity Center profile it starts from (its sign-in, account and role),
// the hops, and name's own region (botocore reads the region of the
// profile named, not of its sources). ok is false for a profile without
// role_arn.
func chainTarget(f *awsconfig.File, name string) (t Target, ok bool, err error) {
	root, hops, err := resolveChain(f, name)
	if err != nil || len(hops) == 0 {
		return Target{}, false, err
	}
	s, err := f.ProfileSSO(root)
	if err != nil {
		if errors.Is(err, awsconfig.ErrNoSSO) {
			return Target{}, true, &ChainError{Profile: hops[0].Profile, Msg: fmt.Sprintf("source_profile %q has no Identity Center configuration (sso_session or sso_start_url): ssoctl's role chains start from an Identity Center role", root), Foreign: true}
		}
		return Target{}, true, err
	}
	if s.AccountID == "" || s.RoleName == "" {
		return Target{}, true, &ChainError{Profile: hops[0].Profile, Msg: fmt.Sprintf("source_profile %q has no sso_account_id and sso_role_name", root)}
	}
	p, _ := f.Profile(name)
	return Target{
		Config:    Config{Session: s.Session, StartURL: s.StartURL, Region: s.Region, Scopes: s.Scopes},
		Profile:   name,
		AccountID: s.AccountID, RoleName: s.RoleName, ProfileRegion: p.Get("region"),
		LoginArgs: []string{"--profile", name},
		Chain:     hops,
	}, true, nil
}
