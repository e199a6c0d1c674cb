package awsclient

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
)

func TestValidateEndpointURL(t *testing.T) {
	tests := []struct {
		url  string
		want string // "" for valid
	}{
		{"http://127.0.0.1:4566", ""},
		{"https://sso.eu-west-1.amazonaws.com", ""},
		{"HTTP://localhost:8080/", ""},
		{"127.0.0.1:4566", `"127.0.0.1:4566" is not a usable endpoint URL: it needs http:// or https:// in front (try http://127.0.0.1:4566)`},
		{"localhost:4566", `it needs http:// or https:// in front (try http://localhost:4566)`},
		{"sandbox.example", `it needs http:// or https:// in front`},
		{"ftp://host", `the scheme must be http or https, not "ftp"`},
		{"http://", `it has no host`},
		{"http:///path", `it has no host`},
		{" http://x", `spaces`},
	}
	for _, tt := range tests {
		err := ValidateEndpointURL("--endpoint-url", tt.url)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%q: %v; want valid", tt.url, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%q: %v; want an error containing %q", tt.url, err, tt.want)
		}
	}
	if err := ValidateEnvEndpoints([]string{"AWS_ENDPOINT_URL=http://a:1", "AWS_ENDPOINT_URL_SSO=b:2", "AWS_ENDPOINT_URL_STS="}); err == nil || !strings.HasPrefix(err.Error(), `AWS_ENDPOINT_URL_SSO "b:2"`) {
		t.Errorf("env: %v; want AWS_ENDPOINT_URL_SSO named", err)
	}
}

// countingListener counts the connections it accepts.
type countingListener struct {
	net.Listener
	n atomic.Int32
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.n.Add(1)
	}
	return c, err
}

func newTestSet(t *testing.T, endpoint string) *Set {
	t.Helper()
	s, err := New(context.Background(), Options{
		Region: "us-east-1", EndpointURL: endpoint, Unlimited: true,
		Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Errors no retry can cure fail on the first attempt, with one line naming
// the endpoint; throttling is still retried.
func TestUnreachableIsNotRetried(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	// A closed port: connection refused.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close()

	// An http server spoken to with https.
	cl := &countingListener{}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "plain http", http.StatusBadRequest)
	}))
	cl.Listener = srv.Listener
	srv.Listener = cl
	srv.Start()
	defer srv.Close()
	httpsToHTTP := strings.Replace(srv.URL, "http://", "https://", 1)

	for _, tt := range []struct {
		endpoint, reason string
	}{
		{closed, "connection refused"},
		{httpsToHTTP, "it speaks plain HTTP, not HTTPS; use http:// in the endpoint URL"},
	} {
		s := newTestSet(t, tt.endpoint)
		_, err := s.SSOAdmin().ListInstances(ctx, &ssoadmin.ListInstancesInput{})
		u, ok := Unreachable(err)
		if !ok {
			t.Fatalf("%s: %v is not recognised as unreachable", tt.endpoint, err)
		}
		want := "cannot reach " + tt.endpoint + " (SSO Admin ListInstances): " + tt.reason
		if !strings.HasPrefix(u.Error(), want) || strings.Contains(u.Error(), "\n") {
			t.Errorf("message %q; want one line starting %q", u, want)
		}
		if got := s.Stats().Calls["sso-admin:ListInstances"]; got != 1 {
			t.Errorf("%s: %d attempts; want 1 (not retried)", tt.endpoint, got)
		}
	}
	if n := cl.n.Load(); n != 1 {
		t.Errorf("https against http: %d connections; want 1", n)
	}
}

func TestThrottlingStillRetried(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		if n.Add(1) <= 2 {
			w.Header().Set("x-amzn-ErrorType", "ThrottlingException")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"__type":"ThrottlingException","message":"Rate exceeded"}`))
			return
		}
		_, _ = w.Write([]byte(`{"Instances":[]}`))
	}))
	defer srv.Close()
	s := newTestSet(t, srv.URL)
	if _, err := s.SSOAdmin().ListInstances(context.Background(), &ssoadmin.ListInstancesInput{}); err != nil {
		t.Fatal(err)
	}
	st := s.Stats()
	if st.Calls["sso-admin:ListInstances"] != 3 || st.Throttled["sso-admin:ListInstances"] != 2 {
		t.Errorf("stats %+v; want 3 attempts, 2 throttled", st)
	}
}

func TestUnreachableOtherErrors(t *testing.T) {
	if _, ok := Unreachable(errors.New("boom")); ok {
		t.Error("a plain error counted as unreachable")
	}
	if _, ok := Unreachable(nil); ok {
		t.Error("nil counted as unreachable")
	}
}
