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
	"sync"

	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/ssoctl/ssoctl/internal/awsclient"
	"github.com/ssoctl/ssoctl/internal/emulator"
	"github.com/ssoctl/ssoctl/internal/iostreams"
)

// Global are the flags every command takes.
type Global struct {
	Profile     string
	Region      string
	EndpointURL string
	Output      string
	Sandbox     bool
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
	if f.Global.Sandbox {
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

// BaseClientOptions are ClientOptions with what the environment asks for:
// AWS_RETRY_MODE, and SSOCTL_RATE_SCALE (which multiplies every
// client-side rate). Every client ssoctl builds starts from them.
func (f *Factory) BaseClientOptions() (awsclient.Options, error) {
	opts := f.ClientOptions
	switch m := f.IOStreams.Getenv("AWS_RETRY_MODE"); m {
	case "", "adaptive", "standard":
		opts.RetryMode = m
	case "legacy":
		opts.RetryMode = "standard"
	default:
		return opts, fmt.Errorf("AWS_RETRY_MODE must be adaptive or standard, not %q", m)
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
