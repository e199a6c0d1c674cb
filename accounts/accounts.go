// Package accounts runs Go code in every AWS account and role a person can
// reach through one AWS IAM Identity Center sign-in. It lists the accounts
// and roles (Client.Roles), gives an aws.Config holding a role's
// credentials (Client.Config), and runs a function for many roles at once
// (Each), with bounded concurrency, the access portal's calls under a
// token-bucket rate limit, and results in the order of the roles given.
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
	"fmt"
	"math"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/ssoctl/ssoctl/internal/awsclient"
	"github.com/ssoctl/ssoctl/internal/awsconfig"
	"github.com/ssoctl/ssoctl/internal/fanout"
	"github.com/ssoctl/ssoctl/internal/quota"
	"github.com/ssoctl/ssoctl/internal/sso"
)

// ErrSignInRequired is wrapped by the errors of a Client that has no
// usable token: sign in with SignIn, `ssoctl login` or `aws sso login`.
var ErrSignInRequired = sso.ErrSignInRequired

// DefaultConcurrency is how many roles Each works on at once, and how many
// portal calls are in flight, when Options.Concurrency is 0.
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
	// Home is the folder holding .aws (its caches and config file).
	// Default: the user's home folder.
	Home string
	// EndpointURL, when set, receives every call: the portal's, and those
	// of clients made from the configs Config returns (a proxy, or
	// ssoctl's sandbox).
	EndpointURL string

	// Concurrency is how many roles Each works on at once, and how many
	// portal calls Roles makes at once (0: DefaultConcurrency).
	Concurrency int
	// RatePerSecond caps the calls to the access portal (ListAccounts,
	// ListAccountRoles, GetRoleCredentials) with a token bucket of that
	// rate and burst (0: AWS's quota for the portal, in ssoctl's quota
	// table).
	RatePerSecond float64
}

// Client lists a sign-in's accounts and roles and hands out their
// credentials. It is safe for concurrent use.
type Client struct {
	manager     *sso.Manager
	signIn      sso.Config
	base        aws.Config // for the configs Config returns, without credentials
	endpoint    string
	concurrency int
}

// Role is one role (permission set) in one account.
type Role struct {
	// AccountID is the 12-digit account id.
	AccountID string `json:"accountId"`
	// AccountName and EmailAddress are the account's, as the portal
	// shows them.
	AccountName  string `json:"accountName"`
	EmailAddress string `json:"emailAddress,omitempty"`
	// RoleName is the permission set's name.
	RoleName string `json:"roleName"`
}

// New returns a Client for the sign-in Options name. It reads the config
// file but makes no call: a sign-in is needed only when a call is made.
func New(ctx context.Context, o Options) (*Client, error) {
	getenv := func(k string) string {
		if k == "HOME" && o.Home != "" {
			return o.Home
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

	region := firstOf(o.Region, t.ProfileRegion, getenv("AWS_REGION"), getenv("AWS_DEFAULT_REGION"), t.Config.Region)
	// The configs handed out carry no client-side rate limit: AWS's quotas
	// are per account, and each config is for one account.
	base, err := awsclient.New(ctx, awsclient.Options{Region: region, Credentials: aws.AnonymousCredentials{}, Unlimited: true})
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
	concurrency := o.Concurrency
	if concurrency <= 0 {
		concurrency = DefaultConcurrency
	}
	m := &sso.Manager{
		Home: home,
		Clients: func(ctx context.Context, region string) (sso.Clients, error) {
			// Portal and OIDC calls are unsigned: they carry the token.
			set, err := awsclient.New(ctx, awsclient.Options{Region: region, EndpointURL: o.EndpointURL, Credentials: aws.AnonymousCredentials{}, Rates: rates})
			if err != nil {
				return sso.Clients{}, err
			}
			return sso.Clients{OIDC: set.SSOOIDC(), Portal: set.SSO()}, nil
		},
	}
	return &Client{manager: m, signIn: t.Config, base: base.Config, endpoint: o.EndpointURL, concurrency: concurrency}, nil
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
// account name, account id and role name.
func (c *Client) Roles(ctx context.Context) ([]Role, error) {
	roles, err := c.manager.Roles(ctx, c.signIn, sso.RoleQuery{Concurrency: c.concurrency}, nil)
	if err != nil {
		return nil, err
	}
	out := make([]Role, len(roles))
	for i, r := range roles {
		out[i] = Role{AccountID: r.AccountID, AccountName: r.AccountName, EmailAddress: r.EmailAddress, RoleName: r.RoleName}
	}
	return out, nil
}

// Config returns an aws.Config with the role's credentials, for any AWS
// SDK client (s3.NewFromConfig(cfg), …). The credentials come from the
// shared cache while they have more than 15 minutes left, else from one
// GetRoleCredentials call; clients made from the config renew them the
// same way when they near expiry.
func (c *Client) Config(ctx context.Context, r Role) (aws.Config, error) {
	p := roleProvider{c: c, role: r}
	if _, err := p.Retrieve(ctx); err != nil {
		return aws.Config{}, err
	}
	cfg := c.base.Copy()
	cfg.Credentials = aws.NewCredentialsCache(p)
	if c.endpoint != "" {
		cfg.BaseEndpoint = aws.String(c.endpoint)
	}
	return cfg, nil
}

// roleProvider is an aws.CredentialsProvider for one role.
type roleProvider struct {
	c    *Client
	role Role
}

func (p roleProvider) Retrieve(ctx context.Context) (aws.Credentials, error) {
	cr, err := p.c.manager.RoleCredentials(ctx, p.c.signIn, p.role.AccountID, p.role.RoleName, nil)
	if err != nil {
		return aws.Credentials{}, err
	}
	return aws.Credentials{
		AccessKeyID: cr.AccessKeyID, SecretAccessKey: cr.SecretAccessKey, SessionToken: cr.SessionToken,
		Source: "ssoctl/accounts", CanExpire: true, Expires: cr.Expiration, AccountID: p.role.AccountID,
	}, nil
}

// Result is the outcome of fn for one role in Each: its value, or the
// error that fn or fetching the credentials gave.
type Result[T any] struct {
	// Role is the role, as given to Each.
	Role Role
	// Value is what fn returned (its zero value when Err is set).
	Value T
	// Err is fn's error, or why fn was not called: no credentials (the
	// role was not given, the sign-in is needed), or ctx ended.
	Err error
}

// Each calls fn for every role, with that role's config (see
// Client.Config), at most Options.Concurrency at a time, and returns the
// results in the order of roles. A role that fails never stops the
// others; cancelling ctx does (the roles not started get ctx's error).
func Each[T any](ctx context.Context, c *Client, roles []Role, fn func(context.Context, Role, aws.Config) (T, error)) []Result[T] {
	out := make([]Result[T], len(roles))
	started := make([]bool, len(roles))
	fanout.Each(ctx, len(roles), c.concurrency, func(ctx context.Context, i int) {
		started[i] = true
		out[i].Role = roles[i]
		cfg, err := c.Config(ctx, roles[i])
		if err != nil {
			out[i].Err = err
			return
		}
		out[i].Value, out[i].Err = fn(ctx, roles[i], cfg)
	})
	for i := range out {
		if !started[i] {
			out[i] = Result[T]{Role: roles[i], Err: ctx.Err()}
		}
	}
	return out
}
