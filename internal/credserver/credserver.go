// Package credserver is the container-credentials endpoint: the HTTP
// protocol Amazon ECS serves credentials to tasks with, which every AWS SDK
// and the AWS CLI speak (AWS_CONTAINER_CREDENTIALS_FULL_URI with
// AWS_CONTAINER_AUTHORIZATION_TOKEN), so a program that runs for hours gets
// fresh credentials each time its SDK asks rather than keys that expire in
// its environment.
//
// The endpoint listens on a loopback address only, and every request must
// carry the random token it was made with: anyone else on the machine who
// can connect cannot get credentials without it. Credentials come from a
// source function (ssoctl's sign-in, with its caches and single-flight
// sign-in behind it) and are kept in memory while more than Window of
// their lifetime remains.
package credserver

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// DefaultWindow is how long before their expiration credentials are
// fetched again: the 15 minutes the AWS CLI and the SDKs use.
const DefaultWindow = 15 * time.Minute

// Server serves one role's credentials over the container-credentials
// protocol. Make it with New.
type Server struct {
	token  string
	source func(context.Context) (aws.Credentials, error)
	// Window: credentials with less than this left are fetched again.
	Window time.Duration
	// Failed, when set, is told when credentials could not be had (the
	// requester gets a 500 and the error's text).
	Failed func(error)
	// Now is the clock (time.Now when nil).
	Now func() time.Time

	mu  sync.Mutex
	cur aws.Credentials
}

// New returns a Server that requires token on every request and hands out
// the credentials source returns.
func New(token string, source func(context.Context) (aws.Credentials, error)) *Server {
	return &Server{token: token, source: source, Window: DefaultWindow}
}

// NewToken returns a random token: 32 bytes from crypto/rand, in hex.
func NewToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("make a token: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// Listen listens on addr, which must be a loopback address (127.0.0.0/8,
// ::1 or localhost; port 0 picks a free port): the endpoint hands out
// credentials, and only this machine may reach it.
func Listen(addr string) (net.Listener, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("%q is not HOST:PORT: %w", addr, err)
	}
	if host == "localhost" {
		addr = net.JoinHostPort("127.0.0.1", port)
	} else if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return nil, fmt.Errorf("%s is not a loopback address (such as 127.0.0.1:0): the endpoint hands out credentials, and only this machine may reach it", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	return ln, nil
}

// URL is the endpoint's address for AWS_CONTAINER_CREDENTIALS_FULL_URI.
func URL(ln net.Listener) string { return "http://" + ln.Addr().String() + "/" }

// Credentials returns the credentials the endpoint hands out now: those
// in memory while more than Window remains, else fresh ones from the
// source. Concurrent callers wait for one fetch.
func (s *Server) Credentials(ctx context.Context) (aws.Credentials, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	if s.Now != nil {
		now = s.Now()
	}
	if s.cur.AccessKeyID != "" && (!s.cur.CanExpire || s.cur.Expires.Sub(now) >= s.Window) {
		return s.cur, nil
	}
	c, err := s.source(ctx)
	if err != nil {
		return aws.Credentials{}, err
	}
	s.cur = c
	return c, nil
}

// response is the protocol's answer, as ECS and the SDKs spell it.
type response struct {
	AccessKeyID     string `json:"AccessKeyId"`
	SecretAccessKey string `json:"SecretAccessKey"`
	Token           string `json:"Token"`
	Expiration      string `json:"Expiration,omitempty"`
	AccountID       string `json:"AccountId,omitempty"`
}

// ServeHTTP answers GET with the credentials when the Authorization header
// is the token: 401 without one, 403 with another, 405 for other methods.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		writeError(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "only GET is served")
		return
	}
	got := r.Header.Get("Authorization")
	switch {
	case got == "":
		writeError(w, http.StatusUnauthorized, "Unauthorized", "the Authorization header (AWS_CONTAINER_AUTHORIZATION_TOKEN) is required")
		return
	case subtle.ConstantTimeCompare([]byte(got), []byte(s.token)) != 1:
		writeError(w, http.StatusForbidden, "Forbidden", "the Authorization header is not this endpoint's token")
		return
	}
	c, err := s.Credentials(r.Context())
	if err != nil {
		if s.Failed != nil && !errors.Is(err, context.Canceled) {
			s.Failed(err)
		}
		writeError(w, http.StatusInternalServerError, "CredentialsUnavailable", err.Error())
		return
	}
	res := response{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, Token: c.SessionToken, AccountID: c.AccountID}
	if c.CanExpire {
		res.Expiration = c.Expires.UTC().Format(time.RFC3339)
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(res)
}

// writeError writes the error document the SDKs read: {"code", "message"}.
func writeError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"code": code, "message": msg})
}

// Serve serves s on ln until ctx ends, then shuts down (giving requests in
// flight two seconds).
func Serve(ctx context.Context, ln net.Listener, s *Server) error {
	hs := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case <-ctx.Done():
		shut, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = hs.Shutdown(shut)
		return nil
	case err := <-errc:
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return err
	}
}
