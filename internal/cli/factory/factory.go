// Package factory holds what every command shares: the streams, the global
// flags, the way to get AWS clients (starting the in-process sandbox for
// --sandbox), the person's sign-in (Manager, target resolution, the one
// set of sign-in flags), the browser opener and the prompter, and the
// error kinds the root maps to exit codes.
package factory

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/ssoctl/ssoctl/internal/awsclient"
	"github.com/ssoctl/ssoctl/internal/emulator"
	"github.com/ssoctl/ssoctl/internal/iostreams"
	"github.com/ssoctl/ssoctl/internal/render"
)

// Global are the flags every command takes.
type Global struct {
	Profile     string
	Region      string
	EndpointURL string
	Output      string
	Sandbox     bool
	// SandboxOrg is --sandbox-org: the in-process sandbox's demo
	// organization (small, medium or large); it implies --sandbox.
	SandboxOrg string
	// SandboxActivityDays is --sandbox-activity-days: days of sign-in
	// history the in-process sandbox seeds; it implies --sandbox.
	SandboxActivityDays int
	// Debug (--debug) reports every attempt of every AWS call on stderr.
	Debug bool
	// CSVRaw (--csv-raw) writes CSV cells exactly: no ' before a leading
	// formula character, control characters kept (render.SafeCell).
	CSVRaw bool
}

// Factory builds what commands need, on demand.
type Factory struct {
	IOStreams *iostreams.IOStreams
	Global    Global

	mu      sync.Mutex
	clients *awsclient.Set
	sandbox *http.Server
	sbURL   string
	// SandboxOptions configures the in-process sandbox of --sandbox.
	SandboxOptions emulator.Options
	// ClientOptions adjusts client building (tests lower the rates).
	ClientOptions awsclient.Options

	// Browser opens URLs for the person (SSOCTL_BROWSER, else the
	// system's opener); tests replace it.
	Browser Browser
	// Prompter asks the person yes/no questions; tests replace it.
	Prompter Prompter

	signIn signInState

	debugMu sync.Mutex // one --debug line at a time
}

// New returns a Factory over the given streams.
func New(ios *iostreams.IOStreams) *Factory {
	return &Factory{IOStreams: ios, Browser: systemBrowser{ios: ios}, Prompter: NewPrompter(ios)}
}

// Clients returns the AWS clients for the global flags, starting the
// in-process sandbox first when --sandbox is set.
func (f *Factory) Clients(ctx context.Context) (*awsclient.Set, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.clients != nil {
		return f.clients, nil
	}
	opts, err := f.BaseClientOptions()
	if err != nil {
		return nil, err
	}
	opts.Profile, opts.Region, opts.EndpointURL = f.Global.Profile, f.Global.Region, f.Global.EndpointURL
	if f.Global.Sandbox || f.Global.SandboxOrg != "" || f.Global.SandboxActivityDays > 0 {
		if f.Global.SandboxOrg != "" {
			f.SandboxOptions.Org = f.Global.SandboxOrg
		}
		if f.Global.SandboxActivityDays > 0 {
			f.SandboxOptions.ActivityDays = f.Global.SandboxActivityDays
		}
		url, region, err := f.startSandbox()
		if err != nil {
			return nil, err
		}
		opts.EndpointURL = url
		opts.Profile = ""
		if opts.Region == "" {
			opts.Region = region
		}
		opts.Credentials = credentials.NewStaticCredentialsProvider(emulator.SandboxAccessKeyID, emulator.SandboxSecretAccessKey, "")
		// The in-process sandbox enforces no quotas unless asked to, so
		// the client-side buckets would only slow the demo down.
		opts.Unlimited = f.SandboxOptions.Quotas != "aws"
	}
	set, err := awsclient.New(ctx, opts)
	if err != nil {
		return nil, err
	}
	f.clients = set
	return set, nil
}

// BaseClientOptions are ClientOptions with what the environment and the
// global flags ask for: AWS_RETRY_MODE and AWS_MAX_ATTEMPTS (as every
// SDK reads them); SSOCTL_RATE_SCALE (which
// multiplies every client-side rate); SSOCTL_QUOTAS=none (no client-side
// rates at all: `ssoctl sandbox --quotas none` exports it, as that sandbox
// enforces none); SSOCTL_CONNECT_TIMEOUT, SSOCTL_RESPONSE_TIMEOUT and
// SSOCTL_ATTEMPT_TIMEOUT (awsclient.Timeouts); and --debug. Every client
// ssoctl builds starts from them.
func (f *Factory) BaseClientOptions() (awsclient.Options, error) {
	opts := f.ClientOptions
	if f.Global.Debug {
		opts.OnAttempt = f.debugAttempt
	}
	switch q := f.IOStreams.Getenv("SSOCTL_QUOTAS"); q {
	case "", "aws":
	case "none":
		opts.Unlimited = true
	default:
		return opts, fmt.Errorf("SSOCTL_QUOTAS must be aws or none, not %q", q)
	}
	var err error
	if opts.Timeouts, err = f.timeouts(); err != nil {
		return opts, err
	}
	switch m := f.IOStreams.Getenv("AWS_RETRY_MODE"); m {
	case "", "adaptive", "standard":
		opts.RetryMode = m
	case "legacy":
		opts.RetryMode = "standard"
	default:
		return opts, fmt.Errorf("AWS_RETRY_MODE must be adaptive or standard, not %q", m)
	}
	if v := f.IOStreams.Getenv("AWS_MAX_ATTEMPTS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return opts, fmt.Errorf("AWS_MAX_ATTEMPTS must be a whole number of at least 1, not %q", v)
		}
		opts.MaxAttempts = n
	}
	if v := f.IOStreams.Getenv("SSOCTL_RATE_SCALE"); v != "" {
		scale, err := strconv.ParseFloat(v, 64)
		if err != nil || scale <= 0 {
			return opts, fmt.Errorf("SSOCTL_RATE_SCALE must be a positive number, not %q", v)
		}
		opts.RateScale = scale
	}
	return opts, nil
}

// timeouts are ClientOptions.Timeouts with the SSOCTL_*_TIMEOUT
// variables applied.
func (f *Factory) timeouts() (awsclient.Timeouts, error) {
	t := f.ClientOptions.Timeouts
	for _, v := range []struct {
		name string
		d    *time.Duration
	}{
		{"SSOCTL_CONNECT_TIMEOUT", &t.Connect},
		{"SSOCTL_RESPONSE_TIMEOUT", &t.ResponseHeader},
		{"SSOCTL_ATTEMPT_TIMEOUT", &t.Attempt},
	} {
		s := f.IOStreams.Getenv(v.name)
		if s == "" {
			continue
		}
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			return t, fmt.Errorf("%s must be a positive duration such as 5s, not %q", v.name, s)
		}
		*v.d = d
	}
	return t, nil
}

// HTTPClient is the client for AWS endpoints that are not an SDK service
// (the console's federation endpoint), under the same timeouts as the AWS
// clients (a bad SSOCTL_*_TIMEOUT leaves the defaults: the AWS clients
// report it).
func (f *Factory) HTTPClient() *http.Client {
	t, _ := f.timeouts()
	return awsclient.HTTPClient(t)
}

// debugAttempt writes one --debug line for an attempt of an AWS call: the
// service, operation, endpoint, attempt number, HTTP status (and error code),
// duration and request id; never a header, URL path, query or body, where
// tokens and credentials travel.
func (f *Factory) debugAttempt(a awsclient.Attempt) {
	var b strings.Builder
	fmt.Fprintf(&b, "debug: %s %s attempt %d to %s: ", a.Service, a.Operation, a.Number, a.Endpoint)
	d := a.Duration.Round(time.Millisecond)
	switch {
	case a.Status != 0 && a.Err != "":
		fmt.Fprintf(&b, "HTTP %d %s in %s", a.Status, a.Err, d)
	case a.Status != 0:
		fmt.Fprintf(&b, "HTTP %d in %s", a.Status, d)
	default:
		fmt.Fprintf(&b, "%s, after %s", a.Err, d)
	}
	if a.RequestID != "" {
		fmt.Fprintf(&b, ", request id %s", a.RequestID)
	}
	f.debugMu.Lock()
	defer f.debugMu.Unlock()
	fmt.Fprintln(f.IOStreams.ErrOut, render.Escape(b.String()))
}

// SandboxURL is the in-process sandbox's URL ("" until started).
func (f *Factory) SandboxURL() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.sbURL
}

func (f *Factory) startSandbox() (string, string, error) {
	srv, err := emulator.New(f.SandboxOptions)
	if err != nil {
		return "", "", err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", "", fmt.Errorf("start sandbox: %w", err)
	}
	f.sbURL = "http://" + ln.Addr().String()
	f.sandbox = &http.Server{Handler: srv}
	go func() { _ = f.sandbox.Serve(ln) }()
	return f.sbURL, srv.Region(), nil
}

// Close stops the in-process sandbox, if any.
func (f *Factory) Close() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.sandbox != nil {
		_ = f.sandbox.Close()
	}
}
