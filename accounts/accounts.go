// Package accounts runs Go code in every AWS account and role a person can
// reach through one AWS IAM Identity Center sign-in. It lists the accounts
// and roles (Client.Roles, or Client.Find for some of them), gives an
// aws.Config holding a role's credentials (Client.Config) or the
// environment for a command to run as the role (Client.Environ), and runs
// a function for many roles at once (Each, Stream), with bounded
// concurrency, every role's credentials fetched ahead of the function and
// once per account and role, the access portal's calls under a
// token-bucket rate limit, and results in the order of the roles given.
// It is the fan-out `ssoctl each` and `ssoctl credentials export` use.
//
// It shares its caches, file for file, with the AWS CLI v2, the AWS SDKs
// and ssoctl: the token that `aws sso login` or `ssoctl login` left in
// ~/.aws/sso/cache (refreshed when it nears expiry), and role credentials
// in ~/.aws/cli/cache, so a role's credentials are fetched from the portal
// about once an hour however many programs ask for them.
//
// A typical program:
//
//	c, err := accounts.New(ctx, accounts.Options{Profile: "dev"})
//	roles, err := c.Roles(ctx)
//	results := accounts.Each(ctx, c, roles, func(ctx context.Context, r accounts.Role, cfg aws.Config) (int, error) {
//		out, err := s3.NewFromConfig(cfg).ListBuckets(ctx, &s3.ListBucketsInput{})
//		if err != nil {
//			return 0, err
//		}
//		return len(out.Buckets), nil
//	})
package accounts

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/ssoctl/ssoctl/internal/awsclient"
	"github.com/ssoctl/ssoctl/internal/awsconfig"
	"github.com/ssoctl/ssoctl/internal/childenv"
	"github.com/ssoctl/ssoctl/internal/quota"
	"github.com/ssoctl/ssoctl/internal/sso"
)

// ErrSignInRequired is wrapped by the errors of a Client that has no
// usable token: sign in with SignIn, `ssoctl login` or `aws sso login`.
var ErrSignInRequired = sso.ErrSignInRequired

// DefaultConcurrency is how many roles Each works on at once when
// Options.Concurrency is 0.
const DefaultConcurrency = 16

// Options chooses the sign-in and how hard to drive the portal.
//
// The sign-in is, in this order: SSOSession; StartURL with SSORegion;
// Profile; the AWS_PROFILE environment variable when that profile has
// Identity Center settings; AWS_DEFAULT_SSO_START_URL with
// AWS_DEFAULT_SSO_REGION; the only [sso-session] of the config file
// (AWS_CONFIG_FILE, else .aws/config in the home folder).
type Options struct {
	// Profile is a profile of the config file with sso_session, or with
	// legacy sso_start_url and sso_region.
	Profile string
	// SSOSession is an [sso-session] of the config file.
	SSOSession string
	// StartURL and SSORegion name a sign-in without a config file: the
	// access portal's start URL and the Identity Center region.
	StartURL, SSORegion string

	// Region is the region of the configs Config returns. Default: the
	// profile's region, else AWS_REGION, else AWS_DEFAULT_REGION, else
	// the Identity Center region.
	Region string
	// Home is the folder holding .aws (its caches and config file) and
	// .cache/ssoctl (the portal's shared rate limit). Default: the user's
	// home folder (and $XDG_CACHE_HOME/ssoctl when set).
	Home string
	// EndpointURL, when set, receives every call: the portal's, and those
	// of clients made from the configs Config returns (a proxy, or
	// ssoctl's sandbox).
	EndpointURL string

	// Concurrency is how many roles Each works on at once (0:
	// DefaultConcurrency). Portal calls (listing roles, fetching
	// credentials ahead of Each's function) run up to 64 at once, or
	// Concurrency if more: they wait on the network, under the rate limit.
	Concurrency int
	// RatePerSecond caps the calls to the access portal (ListAccounts,
	// ListAccountRoles, GetRoleCredentials) with a token bucket of that
	// rate and burst (0: AWS's quota for the portal, in ssoctl's quota
	// table). The calls are also paced with those of every other process
	// using the portal from this home folder (ssoctl's included), through
	// a bucket shared in a file ($XDG_CACHE_HOME/ssoctl, else
	// ~/.cache/ssoctl) at that rate and three quarters of the burst.
	RatePerSecond float64
}

// Client lists a sign-in's accounts and roles and hands out their
// credentials. It is safe for concurrent use.
type Client struct {
	portal      Portal
	manager     *sso.Manager // nil when made with NewFromPortal
	signIn      sso.Config
	base        aws.Config // for the configs Config returns, without credentials
	endpoint    string
	concurrency int
}

// Role is one role (permission set) in one account: AccountID,
// AccountName, EmailAddress and RoleName as the portal shows them, and
// Region, when set, the region of the config Config returns for the role
// (else Options.Region) — give Each a role once per region to work in
// several, and its credentials are still fetched once. It is ssoctl's own
// role type (sso.Role), so what ssoctl lists is what a Go program gets.
type Role = sso.Role

// New returns a Client for the sign-in Options name. It reads the config
// file but makes no call: a sign-in is needed only when a call is made.
func New(ctx context.Context, o Options) (*Client, error) {
	getenv := func(k string) string {
		switch {
		case k == "HOME" && o.Home != "":
			return o.Home
		case k == "XDG_CACHE_HOME" && o.Home != "":
			return "" // Home's own .cache
		}
		return os.Getenv(k)
	}
	home, err := awsconfig.Home(getenv)
	if err != nil {
		return nil, err
	}
	path, err := awsconfig.Path(getenv)
	if err != nil {
		return nil, err
	}
	file, err := awsconfig.Load(path)
	if err != nil {
		return nil, err
	}
	t, err := sso.Resolve(file, sso.Selector{
		Profile: o.Profile, EnvProfile: getenv("AWS_PROFILE"),
		Session: o.SSOSession, StartURL: o.StartURL, Region: o.SSORegion,
		DefaultStartURL: getenv("AWS_DEFAULT_SSO_START_URL"), DefaultRegion: getenv("AWS_DEFAULT_SSO_REGION"),
	})
	if err != nil {
		return nil, fmt.Errorf("choose the sign-in: %w", err)
	}

	o.Region = firstOf(o.Region, t.ProfileRegion, getenv("AWS_REGION"), getenv("AWS_DEFAULT_REGION"), t.Config.Region)
	base, err := baseConfig(ctx, o.Region)
	if err != nil {
		return nil, err
	}
	rates := map[string]quota.Rate{}
	for k, v := range quota.AWS {
		rates[k] = v
	}
	if o.RatePerSecond > 0 {
		rates["sso"] = quota.Rate{PerSecond: o.RatePerSecond, Burst: math.Max(1, math.Ceil(o.RatePerSecond))}
	}
	cacheDir, err := sso.CacheDir(getenv)
	if err != nil {
		return nil, err
	}
	m := &sso.Manager{
		Home: home,
		Clients: func(ctx context.Context, region string) (sso.Clients, error) {
			// Portal and OIDC calls are unsigned: they carry the token.
			set, err := awsclient.New(ctx, awsclient.Options{Region: region, EndpointURL: o.EndpointURL, Credentials: aws.AnonymousCredentials{}, Rates: rates})
			if err != nil {
				return sso.Clients{}, err
			}
			// The portal's quota is the account's: its calls are paced
			// with every other process's, ssoctl's too.
			bucket := quota.NewSharedBucket(sso.PacePath(cacheDir, region), rates["sso"].Shared(1))
			return sso.Clients{OIDC: set.SSOOIDC(), Portal: sso.PacedPortal(set.SSO(), bucket.Wait)}, nil
		},
	}
	c := newClient(SSO(m, t.Config, nil), base, o)
	c.manager, c.signIn = m, t.Config
	return c, nil
}

// NewFromPortal returns a Client over p: ssoctl's commands give the
// Portal of their own sign-in (SSO), which may sign in interactively; a
// test may give a fake. Of o, only Region, EndpointURL and Concurrency
// count.
func NewFromPortal(ctx context.Context, p Portal, o Options) (*Client, error) {
	base, err := baseConfig(ctx, o.Region)
	if err != nil {
		return nil, err
	}
	return newClient(p, base, o), nil
}

func newClient(p Portal, base aws.Config, o Options) *Client {
	concurrency := o.Concurrency
	if concurrency <= 0 {
		concurrency = DefaultConcurrency
	}
	return &Client{portal: p, base: base, endpoint: o.EndpointURL, concurrency: concurrency}
}

// baseConfig is the config Config copies, for region: no credentials, and
// no client-side rate limit (AWS's quotas are per account, and each config
// is for one account).
func baseConfig(ctx context.Context, region string) (aws.Config, error) {
	set, err := awsclient.New(ctx, awsclient.Options{Region: region, Credentials: aws.AnonymousCredentials{}, Unlimited: true})
	if err != nil {
		return aws.Config{}, err
	}
	return set.Config, nil
}

func firstOf(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// SignIn signs in with the device-code flow and caches the token where
// the AWS CLI finds it too. show is called once with the URL to open (on
// any device) and the code to confirm there; SignIn returns when the
// person has approved, or ctx ends, or after 10 minutes.
func (c *Client) SignIn(ctx context.Context, show func(verificationURL, userCode string)) error {
	if c.manager == nil {
		return errors.New("sign in: a Client made with NewFromPortal signs in through its Portal")
	}
	_, err := c.manager.Login(ctx, c.signIn, sso.LoginOptions{
		Flow: sso.FlowDevice,
		OnDeviceCode: func(d sso.DeviceAuthorization) {
			if show != nil {
				show(d.VerificationURIComplete, d.UserCode)
			}
		},
	})
	if err != nil {
		return fmt.Errorf("sign in to %s: %w", c.signIn.Name(), err)
	}
	return nil
}

// Roles lists the accounts and roles of the signed-in person, sorted by
// account name, account id and role name. When the roles of some accounts
// cannot be listed, it returns the others' with a *PartialError naming
// those accounts.
func (c *Client) Roles(ctx context.Context) ([]Role, error) {
	return c.Find(ctx, Query{})
}

// Query narrows what Find lists.
type Query struct {
	// Account keeps only the accounts it returns true for (nil: all); the
	// roles of the others are never listed, so a narrow query makes few
	// portal calls.
	Account func(accountID, accountName string) bool
	// RoleName, when set, keeps only the roles of that name. An account
	// whose credentials for it are in the shared cache has it: its roles
	// are not listed, and a second run within the hour makes no portal
	// call but ListAccounts.
	RoleName string
}

// Find lists the accounts and roles of the signed-in person that q
// keeps, sorted as Roles sorts them; a *PartialError comes with the roles
// it could list when some accounts' could not be.
func (c *Client) Find(ctx context.Context, q Query) ([]Role, error) {
	pq := PortalQuery{
		Account: q.Account,
		// Listing waits on the network, bounded by the portal's rate
		// limit: no reason to hold it to Concurrency's few.
		Concurrency: max(c.concurrency, prefetchConcurrency),
	}
	if q.RoleName != "" {
		pq.Known = func(accountID string) ([]string, bool) {
			if c.portal.Cached(accountID, q.RoleName) {
				return []string{q.RoleName}, true
			}
			return nil, false
		}
	}
	roles, err := c.portal.Roles(ctx, pq)
	var partial *PartialError
	if err != nil && !errors.As(err, &partial) {
		return nil, err
	}
	if q.RoleName == "" {
		return roles, err
	}
	keep := roles[:0]
	for _, r := range roles {
		if r.RoleName == q.RoleName {
			keep = append(keep, r)
		}
	}
	return keep, err
}

// Config returns an aws.Config with the role's credentials, for any AWS
// SDK client (s3.NewFromConfig(cfg), …), in the role's Region if it has
// one. The credentials come from the shared cache while they have more
// than 15 minutes left, else from one GetRoleCredentials call; clients
// made from the config renew them the same way when they near expiry.
func (c *Client) Config(ctx context.Context, r Role) (aws.Config, error) {
	cr, err := c.portal.Credentials(ctx, r.AccountID, r.RoleName)
	if err != nil {
		return aws.Config{}, err
	}
	return c.config(r, cr), nil
}

// config is r's config, starting with the credentials cr.
func (c *Client) config(r Role, cr aws.Credentials) aws.Config {
	cfg := c.base.Copy()
	cfg.Credentials = aws.NewCredentialsCache(&roleProvider{c: c, role: r, first: &cr})
	if c.endpoint != "" {
		cfg.BaseEndpoint = aws.String(c.endpoint)
	}
	if r.Region != "" {
		cfg.Region = r.Region
	}
	return cfg
}

// Environ returns base (NAME=VALUE entries, as os.Environ gives them)
// for a command to run as the role, as `ssoctl each` runs it: the role's
// credentials, AWS_CREDENTIAL_EXPIRATION, the role's Region as AWS_REGION
// and AWS_DEFAULT_REGION, SSOCTL_ACCOUNT_ID, SSOCTL_ACCOUNT_NAME and
// SSOCTL_ROLE_NAME; AWS_PROFILE, AWS_DEFAULT_PROFILE and
// AWS_SECURITY_TOKEN removed, so the command's AWS CLI or SDK uses these
// credentials.
func (c *Client) Environ(ctx context.Context, r Role, base []string) ([]string, error) {
	cr, err := c.portal.Credentials(ctx, r.AccountID, r.RoleName)
	if err != nil {
		return nil, err
	}
	return Environ(r, cr, base), nil
}

// Environ is Client.Environ with the credentials given.
func Environ(r Role, cr aws.Credentials, base []string) []string {
	return childenv.Build(base, r, cr)
}

// roleProvider is an aws.CredentialsProvider for one role, which hands
// out the credentials it was made with first.
type roleProvider struct {
	c     *Client
	role  Role
	mu    sync.Mutex
	first *aws.Credentials
}

func (p *roleProvider) Retrieve(ctx context.Context) (aws.Credentials, error) {
	p.mu.Lock()
	first := p.first
	p.first = nil
	p.mu.Unlock()
	if first != nil {
		return *first, nil
	}
	return p.c.portal.Credentials(ctx, p.role.AccountID, p.role.RoleName)
}
