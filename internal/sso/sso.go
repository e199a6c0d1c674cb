// Package sso is sign-in to AWS IAM Identity Center for people: the token
// cache in ~/.aws/sso/cache and the role-credential cache in
// ~/.aws/cli/cache (both shared, file for file, with the AWS CLI v2 and the
// SDKs), the device-code and authorization-code (PKCE) flows, refresh, and
// logout.
//
// Several processes may need a token at the same moment (every
// credential_process call of a parallel build, say). Every
// read-modify-write of a cache file happens under a file lock and re-reads
// the file once the lock is held, so exactly one process signs in or
// refreshes and the others use its result: no storm of browser tabs, no
// refresh token spent twice, no half-written file.
package sso

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssso "github.com/aws/aws-sdk-go-v2/service/sso"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
)

// ErrSignInRequired means there is no usable token and signing in was not
// allowed.
var ErrSignInRequired = errors.New("sign-in required")

// Config names one Identity Center sign-in: an sso-session, or a start URL
// for legacy profiles and AWS_DEFAULT_SSO_START_URL.
type Config struct {
	// Session is the sso-session name; "" keys the token by StartURL.
	Session  string
	StartURL string
	// Region is the sso_region.
	Region string
	// Scopes are the registration scopes; nil means sso:account:access.
	Scopes []string
}

// scopes are the registration scopes: sso:account:access by default, the
// scope that makes a token refreshable.
func (c Config) scopes() []string {
	if c.Scopes == nil {
		return []string{"sso:account:access"}
	}
	return c.Scopes
}

// Name is how messages refer to the sign-in.
func (c Config) Name() string {
	if c.Session != "" {
		return "sso-session " + c.Session
	}
	return c.StartURL
}

// OIDC is the part of the sso-oidc client sign-in uses.
type OIDC interface {
	RegisterClient(context.Context, *ssooidc.RegisterClientInput, ...func(*ssooidc.Options)) (*ssooidc.RegisterClientOutput, error)
	StartDeviceAuthorization(context.Context, *ssooidc.StartDeviceAuthorizationInput, ...func(*ssooidc.Options)) (*ssooidc.StartDeviceAuthorizationOutput, error)
	CreateToken(context.Context, *ssooidc.CreateTokenInput, ...func(*ssooidc.Options)) (*ssooidc.CreateTokenOutput, error)
	Options() ssooidc.Options
}

// Portal is the part of the access-portal (sso) client ssoctl uses.
type Portal interface {
	awssso.ListAccountsAPIClient
	awssso.ListAccountRolesAPIClient
	GetRoleCredentials(context.Context, *awssso.GetRoleCredentialsInput, ...func(*awssso.Options)) (*awssso.GetRoleCredentialsOutput, error)
	Logout(context.Context, *awssso.LogoutInput, ...func(*awssso.Options)) (*awssso.LogoutOutput, error)
}

// Clients are the sso-oidc and portal clients of one region.
type Clients struct {
	OIDC   OIDC
	Portal Portal
}

// Manager signs in and keeps the caches. The zero value is not usable; set
// Home and Clients.
type Manager struct {
	// Home is the folder holding .aws/sso/cache and .aws/cli/cache.
	Home string
	// Clients returns the clients for an sso_region. It is called only
	// when a call must be made, so a warm cache never builds one.
	Clients func(ctx context.Context, region string) (Clients, error)
	// STS returns an sts client in region signing with creds, for the
	// AssumeRole calls of role chains. Like Clients, it is called only
	// when a call must be made.
	STS func(ctx context.Context, region string, creds aws.Credentials) (STS, error)
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// Warn receives warnings (a corrupt cache file, a failed refresh).
	Warn func(msg string)

	mu     sync.Mutex
	built  map[string]Clients // by region
	warned map[string]bool    // warnings already given
}

// clients returns (building once per region) the clients of a region.
func (m *Manager) clients(ctx context.Context, region string) (Clients, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if c, ok := m.built[region]; ok {
		return c, nil
	}
	if m.Clients == nil {
		return Clients{}, errors.New("no AWS clients configured")
	}
	c, err := m.Clients(ctx, region)
	if err != nil {
		return Clients{}, err
	}
	if m.built == nil {
		m.built = map[string]Clients{}
	}
	m.built[region] = c
	return c, nil
}

func (m *Manager) now() time.Time {
	if m.Now != nil {
		return m.Now()
	}
	return time.Now()
}

// warn reports a warning once per Manager.
func (m *Manager) warn(format string, args ...any) {
	if m.Warn == nil {
		return
	}
	msg := fmt.Sprintf(format, args...)
	m.mu.Lock()
	if m.warned == nil {
		m.warned = map[string]bool{}
	}
	seen := m.warned[msg]
	m.warned[msg] = true
	m.mu.Unlock()
	if !seen {
		m.Warn(msg)
	}
}

// TokenDir is ~/.aws/sso/cache.
func (m *Manager) TokenDir() string { return filepath.Join(m.Home, ".aws", "sso", "cache") }

// CredentialDir is ~/.aws/cli/cache.
func (m *Manager) CredentialDir() string { return filepath.Join(m.Home, ".aws", "cli", "cache") }

// TokenPath is the token file of a sign-in.
func (m *Manager) TokenPath(c Config) string {
	return filepath.Join(m.TokenDir(), TokenCacheKey(c.Session, c.StartURL)+".json")
}

// RegistrationPath is the client registration file of a sign-in.
func (m *Manager) RegistrationPath(c Config) string {
	return filepath.Join(m.TokenDir(), RegistrationCacheKey(c.StartURL, c.Region, c.scopes(), c.Session)+".json")
}

// CredentialPath is the role-credential file of an account and role.
func (m *Manager) CredentialPath(c Config, accountID, roleName string) string {
	return filepath.Join(m.CredentialDir(), RoleCacheKey(accountID, roleName, c.Session, c.StartURL)+".json")
}

// readToken reads a token file; a corrupt one is reported and treated as
// absent.
func (m *Manager) readToken(path string) *Token {
	mem, err := readObject(path)
	if err == nil && mem != nil {
		var t *Token
		if t, err = decodeToken(mem); err == nil {
			return t
		}
		err = fmt.Errorf("%w %s: %v", ErrCorrupt, path, err)
	}
	if err != nil {
		m.warn("ignoring unreadable token cache: %v", err)
	}
	return nil
}

func (m *Manager) readRegistration(path string) *Registration {
	mem, err := readObject(path)
	if err == nil && mem != nil {
		var r *Registration
		if r, err = decodeRegistration(mem); err == nil {
			return r
		}
		err = fmt.Errorf("%w %s: %v", ErrCorrupt, path, err)
	}
	if err != nil {
		m.warn("ignoring unreadable client registration cache: %v", err)
	}
	return nil
}

func (m *Manager) readCredentials(path string) *RoleCredentials {
	mem, err := readObject(path)
	if err == nil && mem != nil {
		var c *RoleCredentials
		if c, err = decodeRoleCredentials(mem); err == nil {
			return c
		}
		err = fmt.Errorf("%w %s: %v", ErrCorrupt, path, err)
	}
	if err != nil {
		m.warn("ignoring unreadable credential cache: %v", err)
	}
	return nil
}

// CachedToken returns the cached token of a sign-in (nil when there is none
// or it cannot be read), without locking, refreshing or checking expiry.
func (m *Manager) CachedToken(c Config) *Token { return m.readToken(m.TokenPath(c)) }
