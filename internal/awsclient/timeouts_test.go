package awsclient_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sso"

	"github.com/ssoctl/ssoctl/internal/awsclient"
	"github.com/ssoctl/ssoctl/internal/emulator"
	"github.com/ssoctl/ssoctl/internal/emulatortest"
)

// fast are timeouts short enough for a test.
var fast = awsclient.Timeouts{Connect: 200 * time.Millisecond, ResponseHeader: 300 * time.Millisecond, Attempt: 500 * time.Millisecond}

// TestSilentEndpointEndsTheCall: an endpoint that accepts and never
// answers, or answers the headers and stalls the body, ends a call after
// two timed-out attempts (the second one a retry), with one line naming
// the endpoint, what timed out and what to check; every attempt is told
// to OnAttempt.
func TestSilentEndpointEndsTheCall(t *testing.T) {
	silent, silentConns := emulatortest.Silent(t)
	stalling, stallingRequests := emulatortest.Stalling(t)
	tests := []struct {
		name, url string
		count     func() int
		what      string
	}{
		{"silent", silent, silentConns, "no answer within 300ms (2 attempts)"},
		{"stalled body", stalling, stallingRequests, "no complete answer within 500ms (2 attempts)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var mu sync.Mutex
			var attempts []awsclient.Attempt
			set, err := awsclient.New(context.Background(), awsclient.Options{
				EndpointURL: tt.url, Region: "us-east-1", Unlimited: true,
				Credentials: aws.AnonymousCredentials{}, Timeouts: fast,
				OnAttempt: func(a awsclient.Attempt) { mu.Lock(); attempts = append(attempts, a); mu.Unlock() },
			})
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			_, err = set.SSO().GetRoleCredentials(context.Background(), &sso.GetRoleCredentialsInput{
				AccessToken: aws.String("token"), AccountId: aws.String("111122223333"), RoleName: aws.String("Dev")})
			elapsed := time.Since(start)
			u, ok := awsclient.Unreachable(err)
			if !ok {
				t.Fatalf("got %v; want an unreachable endpoint", err)
			}
			want := "cannot reach " + tt.url + " (SSO GetRoleCredentials): " + tt.what + "; check the network and any proxy (HTTPS_PROXY), the region, and --endpoint-url and the AWS_ENDPOINT_URL* variables"
			if u.Error() != want {
				t.Errorf("got %q;\nwant %q", u.Error(), want)
			}
			if elapsed > 5*time.Second {
				t.Errorf("the call took %s; want it ended by its timeouts", elapsed)
			}
			if n := tt.count(); n != 2 {
				t.Errorf("the endpoint saw %d attempts; want 2 (one retry)", n)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(attempts) != 2 || attempts[0].Number != 1 || attempts[1].Number != 2 ||
				attempts[0].Service != "sso" || attempts[0].Operation != "GetRoleCredentials" || attempts[0].Endpoint != tt.url || attempts[1].Err == "" {
				t.Errorf("OnAttempt saw %+v; want attempts 1 and 2 of sso GetRoleCredentials at %s, failed", attempts, tt.url)
			}
		})
	}
}

// TestTimedOutAttemptIsRetried: an attempt that times out is retried like
// any transient error, and the retry's answer is the call's.
func TestTimedOutAttemptIsRetried(t *testing.T) {
	sb := emulatortest.Start(t, emulator.Options{})
	var n atomic.Int32
	front := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			<-r.Context().Done() // the first attempt gets no answer
			return
		}
		proxy(t, sb.URL, w, r)
	})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = front.Serve(ln) }()
	t.Cleanup(func() { front.Close() })

	set, err := awsclient.New(context.Background(), awsclient.Options{
		EndpointURL: "http://" + ln.Addr().String(), Region: "us-east-1", Unlimited: true, Timeouts: fast,
		Credentials: aws.AnonymousCredentials{},
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = set.SSO().ListAccounts(context.Background(), &sso.ListAccountsInput{AccessToken: aws.String("not-a-token")})
	// The sandbox refuses the made-up token: an answer, after the retry.
	if err == nil || !strings.Contains(err.Error(), "UnauthorizedException") {
		t.Errorf("got %v; want the sandbox's answer to the retry (UnauthorizedException)", err)
	}
	if got := n.Load(); got != 2 {
		t.Errorf("%d attempts; want 2", got)
	}
	if got := set.Stats().Calls["sso:ListAccounts"]; got != 2 {
		t.Errorf("stats count %d attempts; want 2", got)
	}
}

// proxy forwards r to base and copies the answer to w.
func proxy(t *testing.T, base string, w http.ResponseWriter, r *http.Request) {
	req, err := http.NewRequestWithContext(r.Context(), r.Method, base+r.URL.RequestURI(), r.Body)
	if err != nil {
		t.Error(err)
		return
	}
	req.Header = r.Header.Clone()
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Error(err)
		return
	}
	defer resp.Body.Close()
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = io.Copy(w, resp.Body)
}

// TestHTTPClientTimesOut: the plain client for non-SDK endpoints (the
// console's federation endpoint) ends against a silent endpoint too.
func TestHTTPClientTimesOut(t *testing.T) {
	silent, _ := emulatortest.Silent(t)
	start := time.Now()
	resp, err := awsclient.HTTPClient(fast).Get(silent + "/federation")
	if err == nil {
		resp.Body.Close()
		t.Fatal("got an answer from a silent endpoint")
	}
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Errorf("got %v; want a timeout", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("took %s; want the response-header timeout", d)
	}
}
