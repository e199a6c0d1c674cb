// Package emulatortest starts the sandbox for a test, in the shape of
// net/http/httptest: Start serves an emulator.Server over real HTTP on
// loopback until the test ends, and the Sandbox it returns gives SDK
// configurations for it and reads its call counts. It is imported by tests
// only.
package emulatortest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/ssoctl/ssoctl/internal/emulator"
	"github.com/ssoctl/ssoctl/internal/peertest"
)

// Sandbox is a running sandbox.
type Sandbox struct {
	*emulator.Server
	// URL is where it serves, http://127.0.0.1:PORT.
	URL string
}

// Start serves a new sandbox configured by opts until t ends.
func Start(t testing.TB, opts emulator.Options) *Sandbox {
	t.Helper()
	sb, stop, err := Serve(opts)
	if err != nil {
		t.Fatalf("start the sandbox: %v", err)
	}
	t.Cleanup(stop)
	return sb
}

// Serve is Start for a caller without a testing.TB (testscript's Setup and
// commands): the caller stops the sandbox.
func Serve(opts emulator.Options) (sb *Sandbox, stop func(), err error) {
	srv, err := emulator.New(opts)
	if err != nil {
		return nil, nil, err
	}
	hs := httptest.NewServer(srv)
	return &Sandbox{Server: srv, URL: hs.URL}, hs.Close, nil
}

// Config is an SDK configuration for the sandbox whose calls are not
// retried (peertest.SDKConfig with one attempt): what the sandbox answers
// is what the test sees.
func (s *Sandbox) Config() aws.Config { return peertest.SDKConfig(s.URL, 1) }

// ConfigAttempts is Config with the SDK's standard retries, up to n
// attempts a call.
func (s *Sandbox) ConfigAttempts(n int) aws.Config { return peertest.SDKConfig(s.URL, n) }

// Stats reads GET /_sandbox/stats.
func (s *Sandbox) Stats(t testing.TB) emulator.StatsSnapshot {
	t.Helper()
	return peertest.Stats(t, s.URL)
}

// WantCalls checks the call counts of the operations in want
// ("service:Operation" → count); other operations are not checked.
func (s *Sandbox) WantCalls(t testing.TB, want map[string]int) {
	t.Helper()
	peertest.WantCalls(t, s.URL, want)
}

// Advance moves the sandbox clock forward by d through its endpoint,
// POST /_sandbox/clock (what falls due meanwhile happens before it
// answers), and returns the new time.
func (s *Sandbox) Advance(t testing.TB, d time.Duration) time.Time {
	t.Helper()
	body := `{"advance":"` + d.String() + `"}`
	resp, err := http.Post(s.URL+"/_sandbox/clock", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatalf("advance the sandbox clock: %v", err)
	}
	defer resp.Body.Close()
	var out struct{ Now, Message string }
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("advance the sandbox clock: read the answer: %v", err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("advance the sandbox clock by %s: HTTP %d: %s", d, resp.StatusCode, out.Message)
	}
	now, err := time.Parse(time.RFC3339Nano, out.Now)
	if err != nil {
		t.Fatalf("advance the sandbox clock: its time %q: %v", out.Now, err)
	}
	return now
}

// Env returns the NAME=VALUE pairs of the export lines `ssoctl sandbox`
// prints, pointing a process at this sandbox.
func (s *Sandbox) Env() []string {
	var env []string
	for _, line := range emulator.Exports(s.URL, s.Region()) {
		env = append(env, line[len("export "):])
	}
	return env
}

// ServeDying is Serve for a sandbox that dies at a chosen point: once it
// has answered the n-th call of operation op (an awsJson operation,
// matched on X-Amz-Target, e.g. "ListAccountAssignments"), it stops
// listening, and drops any request that still reaches it on an open
// connection, as if its process had been killed: later calls find nothing
// there (connection refused).
func ServeDying(opts emulator.Options, op string, n int) (sb *Sandbox, stop func(), err error) {
	srv, err := emulator.New(opts)
	if err != nil {
		return nil, nil, err
	}
	var (
		hs    *httptest.Server
		calls atomic.Int64
		dead  atomic.Bool
	)
	hs = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if dead.Load() {
			if hj, ok := w.(http.Hijacker); ok {
				if c, _, err := hj.Hijack(); err == nil {
					c.Close()
					return
				}
			}
			panic(http.ErrAbortHandler)
		}
		srv.ServeHTTP(w, r)
		if strings.HasSuffix(r.Header.Get("X-Amz-Target"), "."+op) && calls.Add(1) == int64(n) {
			dead.Store(true)
			hs.Listener.Close()
		}
	}))
	return &Sandbox{Server: srv, URL: hs.URL}, hs.Close, nil
}
