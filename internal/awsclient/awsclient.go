// Package awsclient is the only place ssoctl builds aws.Config and service
// clients. It applies the profile, region and endpoint overrides, the SDK's
// retry (standard, or adaptive on request; backoff honours a service's
// RetryAfterSeconds), a client-side token bucket per service in front of
// every attempt, so ssoctl stays under AWS's documented quotas instead of
// bouncing off them, and timeouts on every attempt (connect, response
// headers, the whole attempt), so no endpoint can hang a call. Explain and
// Unreachable say a failed call in one line.
package awsclient

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime/debug"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	istypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sso"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/logging"
	"github.com/aws/smithy-go/middleware"

	"github.com/ssoctl/ssoctl/internal/quota"
)

// Options chooses how clients are built. The zero value is the SDK's
// default chain with AWS's documented rates.
type Options struct {
	Profile string
	Region  string
	// EndpointURL, when set, is used by every service, ahead of the
	// AWS_ENDPOINT_URL* variables (which the SDK honours otherwise).
	EndpointURL string
	// Credentials replaces the default credential chain.
	Credentials aws.CredentialsProvider
	// Rates are the client-side token buckets; nil means quota.AWS.
	Rates map[string]quota.Rate
	// RateScale multiplies every rate (0 means 1).
	RateScale float64
	// Unlimited turns the client-side buckets off.
	Unlimited bool
	// MaxAttempts per call, retries included (0 means 10).
	MaxAttempts int
	// MaxBackoff caps the delay between attempts (0 means 20 s).
	MaxBackoff time.Duration
	// RetryMode is "standard" (the default) or "adaptive" (as AWS_RETRY_MODE).
	// Standard retry behind the quota token buckets is the default: the
	// SDK's adaptive mode adds a client-side limiter that collapses toward
	// 0.5 TPS under sustained throttling (BENCHMARKS.md: the small-org audit
	// with 30% injected throttling took 79 s adaptive, 3.4 s standard), and
	// the buckets already keep calls under the documented quotas.
	RetryMode string
	// Timeouts bound each attempt (zero fields: the defaults).
	Timeouts Timeouts
	// OnAttempt, when set, is told of every attempt of every call (for
	// --debug); it may be called from many goroutines at once.
	OnAttempt func(Attempt)
}

// Set is a configuration and the clients built from it, made on first use.
type Set struct {
	Config   aws.Config
	opts     Options
	limiters quota.Limiters

	clients sync.Map // client name -> built client
	mu      sync.Mutex

	parent *Set // of a Set made by AssumeRole: counts and limits calls

	regions primaryRegions // the instances' primary Regions, as learned (regions.go)

	statsMu   sync.Mutex
	calls     map[string]int
	throttled map[string]int
}

// CallStats counts, per "service:Operation", the attempts sent (retries
// included) and the attempts answered with a throttling error.
type CallStats struct {
	Calls     map[string]int `json:"calls"`
	Throttled map[string]int `json:"throttled"`
}

// Total is the number of attempts sent.
func (c CallStats) Total() int { return sum(c.Calls) }

// TotalThrottled is the number of attempts that were throttled.
func (c CallStats) TotalThrottled() int { return sum(c.Throttled) }

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// Stats returns the calls made through this Set so far.
func (s *Set) Stats() CallStats {
	if s.parent != nil {
		return s.parent.Stats()
	}
	s.statsMu.Lock()
	defer s.statsMu.Unlock()
	cp := func(m map[string]int) map[string]int {
		out := make(map[string]int, len(m))
		for k, v := range m {
			out[k] = v
		}
		return out
	}
	return CallStats{Calls: cp(s.calls), Throttled: cp(s.throttled)}
}

// New loads the configuration. It fails only when the configuration itself
// is unusable (a missing profile, a malformed file, an endpoint URL
// without an http or https scheme and a host, in opts or in the
// AWS_ENDPOINT_URL* variables).
func New(ctx context.Context, opts Options) (*Set, error) {
	if opts.EndpointURL != "" {
		if err := ValidateEndpointURL("--endpoint-url", opts.EndpointURL); err != nil {
			return nil, err
		}
	}
	if err := ValidateEnvEndpoints(os.Environ()); err != nil {
		return nil, err
	}
	s := &Set{opts: opts, calls: map[string]int{}, throttled: map[string]int{}}
	if !opts.Unlimited {
		rates := opts.Rates
		if rates == nil {
			rates = quota.AWS
		}
		s.limiters = quota.NewLimiters(rates, opts.RateScale)
	}
	attempts := opts.MaxAttempts
	if attempts <= 0 {
		attempts = 10
	}
	maxBackoff := opts.MaxBackoff
	if maxBackoff <= 0 {
		maxBackoff = 20 * time.Second
	}
	load := []func(*config.LoadOptions) error{
		config.WithAppID("ssoctl/" + Version()),
		config.WithRetryer(func() aws.Retryer {
			standard := func(so *retry.StandardOptions) {
				so.MaxAttempts = attempts
				so.MaxBackoff = maxBackoff
				so.Backoff = retryAfterBackoff{base: 100 * time.Millisecond, max: maxBackoff}
				// No retry quota: a long audit under throttling must not
				// give up with "retry quota exceeded" (terraform #35646).
				so.RateLimiter = ratelimit.None
				so.Retryables = append([]retry.IsErrorRetryable{noCure{}}, so.Retryables...)
			}
			if opts.RetryMode == "adaptive" {
				return retry.NewAdaptiveMode(func(o *retry.AdaptiveModeOptions) {
					o.StandardOptions = append(o.StandardOptions, standard)
				})
			}
			return retry.NewStandard(standard)
		}),
		config.WithHTTPClient(buildableClient(opts.Timeouts)),
		config.WithAPIOptions([]func(*middleware.Stack) error{addCallState, s.addLimiter, addAttempt(opts.Timeouts, opts.OnAttempt), PlainRequestBodies}),
		// The SDK logs retried transport hiccups ("failed to discard
		// remaining HTTP response body") straight to stderr, where they
		// would interleave with ssoctl's own output; the retries are
		// counted in Stats instead.
		config.WithLogger(logging.Nop{}),
	}
	if opts.Profile != "" {
		load = append(load, config.WithSharedConfigProfile(opts.Profile))
	}
	if opts.Region != "" {
		load = append(load, config.WithRegion(opts.Region))
	}
	if opts.Credentials != nil {
		load = append(load, config.WithCredentialsProvider(opts.Credentials))
	}
	cfg, err := config.LoadDefaultConfig(ctx, load...)
	if err != nil {
		return nil, fmt.Errorf("load AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	s.Config = cfg
	return s, nil
}

// AssumeRole returns a Set whose clients use the credentials of the IAM
// role roleARN, assumed through s's sts client under the session name
// session (the SDK's stscreds provider, refreshed before they expire), as
// an administrator reaches another account of the organization from the
// management account's credentials. It shares s's options, quota buckets
// and call counts. Nothing is called until a client is used.
func (s *Set) AssumeRole(roleARN, session string) *Set {
	cfg := s.Config.Copy()
	cfg.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(s.STS(), roleARN, func(o *stscreds.AssumeRoleOptions) {
		o.RoleSessionName = session
	}))
	root := s
	if s.parent != nil {
		root = s.parent
	}
	return &Set{Config: cfg, opts: s.opts, limiters: s.limiters, parent: root}
}

// retryAfterBackoff is full-jitter exponential backoff from a 100 ms base
// (the SDK's starts at 1 s), and at least as long as a throttling error asks
// (identitystore's RetryAfterSeconds). A short base is safe because every
// attempt, retries included, also waits for a token of the service's
// quota bucket; a long one makes each phase of an audit wait seconds for its
// unluckiest call.
type retryAfterBackoff struct{ base, max time.Duration }

func (b retryAfterBackoff) BackoffDelay(attempt int, err error) (time.Duration, error) {
	ceiling := b.max
	if attempt < 20 {
		ceiling = min(b.base<<attempt, b.max)
	}
	d := time.Duration(rand.Int64N(int64(ceiling) + 1))
	var te *istypes.ThrottlingException
	if errors.As(err, &te) && te.RetryAfterSeconds > 0 {
		if ra := time.Duration(te.RetryAfterSeconds) * time.Second; ra > d {
			d = ra
		}
	}
	return d, nil
}

// serviceKeys maps SDK service ids to the names quotas and the sandbox use.
var serviceKeys = map[string]string{
	ssoadmin.ServiceID: "sso-admin", identitystore.ServiceID: "identitystore",
	organizations.ServiceID: "organizations", iam.ServiceID: "iam", sts.ServiceID: "sts",
	sso.ServiceID: "sso", ssooidc.ServiceID: "sso-oidc", sesv2.ServiceID: "sesv2", s3.ServiceID: "s3",
	scheduler.ServiceID:  "scheduler",
	cloudtrail.ServiceID: "cloudtrail",
}

// addLimiter puts the token bucket after the retry middleware, so every
// attempt, retries included, waits for a token; it also counts attempts.
func (s *Set) addLimiter(stack *middleware.Stack) error {
	return stack.Finalize.Add(middleware.FinalizeMiddlewareFunc("ssoctlRateLimit",
		func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
			svc := serviceKeys[awsmiddleware.GetServiceID(ctx)]
			op := awsmiddleware.GetOperationName(ctx)
			if l := s.limiters.For(svc, op); l != nil {
				if err := l.Wait(ctx); err != nil {
					return middleware.FinalizeOutput{}, middleware.Metadata{}, err
				}
			}
			out, md, err := next.HandleFinalize(ctx, in)
			s.statsMu.Lock()
			s.calls[svc+":"+op]++
			if err != nil && retry.IsErrorThrottles(retry.DefaultThrottles).IsErrorThrottle(err) == aws.TrueTernary {
				s.throttled[svc+":"+op]++
			}
			s.statsMu.Unlock()
			return out, md, err
		}), middleware.After)
}

// client builds (once) the named client.
func client[C any](s *Set, name string, build func() C) C {
	if c, ok := s.clients.Load(name); ok {
		return c.(C)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.clients.Load(name); ok {
		return c.(C)
	}
	c := build()
	s.clients.Store(name, c)
	return c
}

func endpoint[O any](url string, set func(*O, *string)) func(*O) {
	return func(o *O) {
		if url != "" {
			set(o, aws.String(url))
		}
	}
}

// SSOAdmin returns the sso-admin client; calls naming an instance go to
// its primary Region once the Set has seen it (regions.go).
func (s *Set) SSOAdmin() *ssoadmin.Client {
	return client(s, "sso-admin", func() *ssoadmin.Client {
		return ssoadmin.NewFromConfig(s.Config, endpoint(s.opts.EndpointURL, func(o *ssoadmin.Options, u *string) { o.BaseEndpoint = u }), s.ssoAdminRouting)
	})
}

// IdentityStore returns the identitystore client; calls naming an identity
// store go to its instance's primary Region once the Set has seen it.
func (s *Set) IdentityStore() *identitystore.Client {
	return client(s, "identitystore", func() *identitystore.Client {
		return identitystore.NewFromConfig(s.Config, endpoint(s.opts.EndpointURL, func(o *identitystore.Options, u *string) { o.BaseEndpoint = u }), s.identityStoreRouting)
	})
}

// Organizations returns the organizations client.
func (s *Set) Organizations() *organizations.Client {
	return client(s, "organizations", func() *organizations.Client {
		return organizations.NewFromConfig(s.Config, endpoint(s.opts.EndpointURL, func(o *organizations.Options, u *string) { o.BaseEndpoint = u }))
	})
}

// IAM returns the iam client.
func (s *Set) IAM() *iam.Client {
	return client(s, "iam", func() *iam.Client {
		return iam.NewFromConfig(s.Config, endpoint(s.opts.EndpointURL, func(o *iam.Options, u *string) { o.BaseEndpoint = u }))
	})
}

// STS returns the sts client.
func (s *Set) STS() *sts.Client {
	return client(s, "sts", func() *sts.Client {
		return sts.NewFromConfig(s.Config, endpoint(s.opts.EndpointURL, func(o *sts.Options, u *string) { o.BaseEndpoint = u }))
	})
}

// SSO returns the sso portal client (unsigned; bearer-token operations).
func (s *Set) SSO() *sso.Client {
	return client(s, "sso", func() *sso.Client {
		return sso.NewFromConfig(s.Config, endpoint(s.opts.EndpointURL, func(o *sso.Options, u *string) { o.BaseEndpoint = u }))
	})
}

// SSOOIDC returns the sso-oidc client.
func (s *Set) SSOOIDC() *ssooidc.Client {
	return client(s, "sso-oidc", func() *ssooidc.Client {
		return ssooidc.NewFromConfig(s.Config, endpoint(s.opts.EndpointURL, func(o *ssooidc.Options, u *string) { o.BaseEndpoint = u }))
	})
}

// SESv2 returns the sesv2 client.
func (s *Set) SESv2() *sesv2.Client {
	return client(s, "sesv2", func() *sesv2.Client {
		return sesv2.NewFromConfig(s.Config, endpoint(s.opts.EndpointURL, func(o *sesv2.Options, u *string) { o.BaseEndpoint = u }))
	})
}

// Scheduler returns the EventBridge Scheduler client.
func (s *Set) Scheduler() *scheduler.Client {
	return client(s, "scheduler", func() *scheduler.Client {
		return scheduler.NewFromConfig(s.Config, endpoint(s.opts.EndpointURL, func(o *scheduler.Options, u *string) { o.BaseEndpoint = u }))
	})
}

// CloudTrail returns the cloudtrail client (LookupEvents, 2 requests/s per
// account and Region: quota.AWS).
func (s *Set) CloudTrail() *cloudtrail.Client {
	return client(s, "cloudtrail", func() *cloudtrail.Client {
		return cloudtrail.NewFromConfig(s.Config, endpoint(s.opts.EndpointURL, func(o *cloudtrail.Options, u *string) { o.BaseEndpoint = u }))
	})
}

// S3 returns the s3 client (path-style, so a loopback endpoint works).
func (s *Set) S3() *s3.Client {
	return client(s, "s3", func() *s3.Client {
		return s3.NewFromConfig(s.Config, func(o *s3.Options) {
			o.UsePathStyle = true
			if s.opts.EndpointURL != "" {
				o.BaseEndpoint = aws.String(s.opts.EndpointURL)
			}
		})
	})
}

// Version is ssoctl's version from the build info.
func Version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok || bi.Main.Version == "" {
		return "dev"
	}
	return bi.Main.Version
}
