package credserver_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/endpointcreds"

	"github.com/ssoctl/ssoctl/internal/credserver"
)

// serve starts s on a loopback port for the test and returns its URL.
func serve(t *testing.T, s *credserver.Server) string {
	t.Helper()
	ln, err := credserver.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = credserver.Serve(ctx, ln, s); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return credserver.URL(ln)
}

// counting is a source whose every call returns new credentials valid for
// ttl.
type counting struct {
	n   atomic.Int32
	ttl time.Duration
}

func (c *counting) source(context.Context) (aws.Credentials, error) {
	n := c.n.Add(1)
	return aws.Credentials{AccessKeyID: fmt.Sprintf("ASIA%016d", n), SecretAccessKey: "secret", SessionToken: "token",
		CanExpire: true, Expires: time.Now().Add(c.ttl), AccountID: "640775136188"}, nil
}

// sdk is the Go SDK's own container-credentials provider, as any program
// built on it resolves AWS_CONTAINER_CREDENTIALS_FULL_URI.
func sdk(url, token string) *endpointcreds.Provider {
	return endpointcreds.New(url, func(o *endpointcreds.Options) { o.AuthorizationToken = token })
}

// TestSDKReadsCredentials: the SDK's endpoint provider gets the source's
// credentials with the token, and is refused without it (401) or with
// another (403).
func TestSDKReadsCredentials(t *testing.T) {
	token, err := credserver.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	if len(token) != 64 || strings.Trim(token, "0123456789abcdef") != "" {
		t.Errorf("token %q; want 64 hex digits", token)
	}
	src := &counting{ttl: time.Hour}
	url := serve(t, credserver.New(token, src.source))
	ctx := context.Background()
	c, err := sdk(url, token).Retrieve(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if c.AccessKeyID != "ASIA0000000000000001" || c.SecretAccessKey != "secret" || c.SessionToken != "token" || !c.CanExpire ||
		time.Until(c.Expires) < 59*time.Minute || c.AccountID != "640775136188" {
		t.Errorf("got %+v; want the source's credentials, expiring in an hour", c)
	}
	for _, tt := range []struct {
		token string
		code  int
	}{{"", http.StatusUnauthorized}, {"not-it", http.StatusForbidden}, {token[:63], http.StatusForbidden}} {
		_, err := sdk(url, tt.token).Retrieve(ctx)
		var re interface{ HTTPStatusCode() int }
		if !errors.As(err, &re) || re.HTTPStatusCode() != tt.code {
			t.Errorf("token %q: got %v; want HTTP %d", tt.token, err, tt.code)
		}
	}
	req, _ := http.NewRequest(http.MethodPost, url, nil)
	req.Header.Set("Authorization", token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d; want 405", resp.StatusCode)
	}
	if n := src.n.Load(); n != 1 {
		t.Errorf("source called %d times; want once (refused requests never reach it)", n)
	}
}

// TestRefresh: credentials are reused while more than the window remains,
// fetched again inside it; concurrent requests make one fetch.
func TestRefresh(t *testing.T) {
	src := &counting{ttl: time.Hour}
	s := credserver.New("t", src.source)
	now := time.Now()
	s.Now = func() time.Time { return now }
	ctx := context.Background()
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() { defer wg.Done(); _, _ = s.Credentials(ctx) }()
	}
	wg.Wait()
	if n := src.n.Load(); n != 1 {
		t.Fatalf("20 concurrent requests made %d fetches; want 1", n)
	}
	now = now.Add(44 * time.Minute) // 16 minutes left
	if c, _ := s.Credentials(ctx); c.AccessKeyID != "ASIA0000000000000001" {
		t.Errorf("with 16 minutes left: %s; want the first credentials", c.AccessKeyID)
	}
	now = now.Add(2 * time.Minute) // 14 minutes left
	if c, _ := s.Credentials(ctx); c.AccessKeyID != "ASIA0000000000000002" {
		t.Errorf("with 14 minutes left: %s; want new credentials", c.AccessKeyID)
	}
}

// TestSourceFailure: a source's error is a 500 with its text (no
// credential), and reported.
func TestSourceFailure(t *testing.T) {
	var mu sync.Mutex
	var reported []string
	s := credserver.New("t", func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{}, errors.New("sign-in required: no cached token for sso-session emu")
	})
	s.Failed = func(err error) { mu.Lock(); reported = append(reported, err.Error()); mu.Unlock() }
	url := serve(t, s)
	_, err := sdk(url, "t").Retrieve(context.Background())
	if err == nil || !strings.Contains(err.Error(), "sign-in required") {
		t.Errorf("got %v; want the source's error", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(reported) == 0 {
		t.Error("the failure was not reported")
	}
}

// TestListenLoopbackOnly: anything but a loopback address is refused.
func TestListenLoopbackOnly(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":0", "192.0.2.1:0", "example.com:0", "[::]:0", "127.0.0.1"} {
		if ln, err := credserver.Listen(addr); err == nil {
			ln.Close()
			t.Errorf("Listen(%q) succeeded; want it refused", addr)
		}
	}
	for _, addr := range []string{"127.0.0.1:0", "localhost:0", "127.0.0.2:0"} {
		ln, err := credserver.Listen(addr)
		if err != nil {
			t.Errorf("Listen(%q): %v", addr, err)
			continue
		}
		if ip := ln.Addr().(*net.TCPAddr).IP; !ip.IsLoopback() {
			t.Errorf("Listen(%q) listens on %s", addr, ip)
		}
		ln.Close()
	}
}
