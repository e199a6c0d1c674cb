package sso

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"html"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	oidctypes "github.com/aws/aws-sdk-go-v2/service/ssooidc/types"

	"github.com/ssoctl/ssoctl/internal/awsclient"
)

// Flow is how a person signs in.
type Flow int

const (
	// FlowPKCE is the authorization-code flow with PKCE: a browser on this
	// machine opens the authorize page and comes back to a loopback
	// listener.
	FlowPKCE Flow = iota
	// FlowDevice is the device-code flow: the person opens a URL on any
	// device and confirms a code.
	FlowDevice
)

func (f Flow) String() string {
	if f == FlowDevice {
		return "device code"
	}
	return "authorization code (PKCE)"
}

const (
	grantDevice  = "urn:ietf:params:oauth:grant-type:device_code"
	grantCode    = "authorization_code"
	grantRefresh = "refresh_token"

	// registeredRedirect is the redirect URI registered for PKCE; the
	// listener's port is added when the browser is sent there.
	registeredRedirect = "http://127.0.0.1/oauth/callback"
	callbackPath       = "/oauth/callback"
	// defaultTimeout is how long the AWS CLI waits for the browser.
	defaultTimeout  = 10 * time.Minute
	slowDownStep    = 5 * time.Second
	defaultInterval = 5 * time.Second
)

// DeviceAuthorization is what a person needs to approve a device-code
// sign-in.
type DeviceAuthorization struct {
	VerificationURI         string
	VerificationURIComplete string
	UserCode                string
	ExpiresIn               time.Duration
}

// LoginOptions say how to sign in when a sign-in is needed.
type LoginOptions struct {
	Flow Flow
	// OnDeviceCode shows the verification URL and code (device flow). It
	// must not block.
	OnDeviceCode func(DeviceAuthorization)
	// OnAuthorizeURL sends a browser to the authorize URL, or shows it
	// (PKCE). The loopback listener is already bound. It must not block.
	OnAuthorizeURL func(url string)
	// Timeout bounds the wait for the person: for the browser to come
	// back (PKCE) or for the approval (device code, which also ends when
	// its code expires); 10 minutes when 0.
	Timeout time.Duration
}

// LoginResult is the outcome of Login.
type LoginResult struct {
	Token *Token
	// Reused is true when another process signed in while this one waited
	// for the lock, and its fresh token was taken instead of a second
	// sign-in.
	Reused bool
}

// Login signs in and caches the new token, replacing the cached one. When
// another process signs in for the same session while this one waits for
// the lock, its token is used instead of asking the person twice.
func (m *Manager) Login(ctx context.Context, c Config, lo LoginOptions) (*LoginResult, error) {
	path := m.TokenPath(c)
	before := m.readToken(path)
	unlock, err := lockFile(ctx, path)
	if err != nil {
		return nil, err
	}
	defer unlock()
	if cur := m.readToken(path); cur.Fresh(m.now()) && (before == nil || cur.AccessToken != before.AccessToken) {
		return &LoginResult{Token: cur, Reused: true}, nil
	}
	t, err := m.signInLocked(ctx, c, path, lo)
	if err != nil {
		return nil, err
	}
	return &LoginResult{Token: t}, nil
}

// Token returns a usable access token for the sign-in: the cached one,
// refreshed when less than RefreshWindow remains, or (when login is not
// nil) a new sign-in. Without login and without a usable token the error
// wraps ErrSignInRequired.
func (m *Manager) Token(ctx context.Context, c Config, login *LoginOptions) (*Token, error) {
	path := m.TokenPath(c)
	if t := m.readToken(path); t.Fresh(m.now()) {
		return t, nil
	}
	unlock, err := lockFile(ctx, path)
	if err != nil {
		return nil, err
	}
	defer unlock()
	return m.tokenLocked(ctx, c, path, login, "")
}

// replaceRejected is Token after the portal refused the access token
// rejected: a token another process wrote meanwhile is used, else the
// token is refreshed or (with login) a new sign-in made.
func (m *Manager) replaceRejected(ctx context.Context, c Config, login *LoginOptions, rejected string) (*Token, error) {
	path := m.TokenPath(c)
	unlock, err := lockFile(ctx, path)
	if err != nil {
		return nil, err
	}
	defer unlock()
	return m.tokenLocked(ctx, c, path, login, rejected)
}

// tokenLocked runs with the token file's lock held. It re-reads the file:
// another process may have refreshed or signed in while this one waited.
func (m *Manager) tokenLocked(ctx context.Context, c Config, path string, login *LoginOptions, rejected string) (*Token, error) {
	t := m.readToken(path)
	usable := func() bool { return t.Valid(m.now()) && (rejected == "" || t.AccessToken != rejected) }
	if usable() && t.Fresh(m.now()) {
		return t, nil
	}
	var refreshErr error
	if t.Refreshable(m.now()) && ctx.Err() == nil {
		nt, err := m.refreshAndStore(ctx, c, path, t)
		if err == nil {
			return nt, nil
		}
		if ctx.Err() != nil {
			return nil, err
		}
		refreshErr = err
		if u, ok := awsclient.Unreachable(err); ok {
			refreshErr = u
		}
	}
	if usable() {
		if refreshErr != nil {
			m.warn("could not refresh the token of %s: %v", c.Name(), refreshErr)
		}
		return t, nil // inside the refresh window but not expired
	}
	if u, ok := refreshErr.(*awsclient.UnreachableError); ok {
		// Signing in again would not help: say which endpoint to check.
		return nil, u
	}
	if refreshErr != nil {
		m.warn("could not refresh the token of %s: %v", c.Name(), refreshErr)
	}
	if login == nil {
		switch {
		case t == nil:
			return nil, fmt.Errorf("%w: no cached token for %s", ErrSignInRequired, c.Name())
		case rejected != "" && t.AccessToken == rejected:
			return nil, fmt.Errorf("%w: the portal rejected the token of %s (signed out, or the session ended)", ErrSignInRequired, c.Name())
		case t.ExpiresAt.After(m.now()):
			return nil, fmt.Errorf("%w: the token of %s expires at %s, too soon to use, and could not be refreshed", ErrSignInRequired, c.Name(), formatTime(t.ExpiresAt))
		default:
			return nil, fmt.Errorf("%w: the token of %s expired at %s", ErrSignInRequired, c.Name(), formatTime(t.ExpiresAt))
		}
	}
	return m.signInLocked(ctx, c, path, *login)
}

// refreshTimeout bounds a refresh that an interrupt does not cut short.
const refreshTimeout = 30 * time.Second

// refreshAndStore redeems t's refresh token and writes the new token the
// moment it arrives, before anything else. The refresh token rotates on
// every refresh (the old one stops working the moment the server answers),
// so once the request is sent its answer must be kept: an interrupt (ctx
// ending at SIGINT or SIGTERM) does not cut the exchange short, which
// would lose the session; it is bounded by refreshTimeout instead, and the
// caller stops after it.
func (m *Manager) refreshAndStore(ctx context.Context, c Config, path string, t *Token) (*Token, error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), refreshTimeout)
	defer cancel()
	nt, err := m.refresh(ctx, c, t)
	if err != nil {
		return nil, err
	}
	if err := writeToken(path, nt); err != nil {
		return nil, err
	}
	return nt, nil
}

// refresh redeems t's refresh token for a new access token. The new token
// keeps every member of t (unknown ones too); a rotated refresh token
// replaces the old one, and none returned drops it, as the AWS CLI does.
func (m *Manager) refresh(ctx context.Context, c Config, t *Token) (*Token, error) {
	region := t.Region
	if region == "" {
		region = c.Region
	}
	cl, err := m.clients(ctx, region)
	if err != nil {
		return nil, err
	}
	out, err := cl.OIDC.CreateToken(ctx, &ssooidc.CreateTokenInput{
		ClientId:     aws.String(t.ClientID),
		ClientSecret: aws.String(t.ClientSecret),
		GrantType:    aws.String(grantRefresh),
		RefreshToken: aws.String(t.RefreshToken),
	})
	if err != nil {
		return nil, err
	}
	nt := *t
	nt.AccessToken = aws.ToString(out.AccessToken)
	nt.ExpiresAt = m.now().Add(time.Duration(out.ExpiresIn) * time.Second)
	nt.RefreshToken = aws.ToString(out.RefreshToken)
	if nt.AccessToken == "" {
		return nil, errors.New("CreateToken returned no access token")
	}
	return &nt, nil
}

// signInLocked signs in with the token file's lock held and writes the
// new token.
func (m *Manager) signInLocked(ctx context.Context, c Config, path string, lo LoginOptions) (*Token, error) {
	var ln net.Listener
	if lo.Flow == FlowPKCE {
		// Bind before anything else, so the browser can never arrive
		// before the listener (aws-sso-cli#1441).
		var err error
		if ln, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
			return nil, fmt.Errorf("listen for the browser's redirect: %w", err)
		}
		defer ln.Close()
	}
	cl, err := m.clients(ctx, c.Region)
	if err != nil {
		return nil, err
	}
	reg, cached, err := m.registration(ctx, cl, c, lo.Flow, false)
	if err != nil {
		return nil, err
	}
	var out *ssooidc.CreateTokenOutput
	if lo.Flow == FlowDevice {
		out, err = m.deviceFlow(ctx, cl, c, reg, lo)
		var invalid *oidctypes.InvalidClientException
		if cached && errors.As(err, &invalid) {
			// The service no longer knows the cached registration (it was
			// revoked): register again, once.
			if reg, _, err = m.registration(ctx, cl, c, lo.Flow, true); err == nil {
				out, err = m.deviceFlow(ctx, cl, c, reg, lo)
			}
		}
	} else {
		out, err = m.pkceFlow(ctx, cl, c, reg, lo, ln)
	}
	if err != nil {
		return nil, err
	}
	t := &Token{
		StartURL:              c.StartURL,
		Region:                c.Region,
		AccessToken:           aws.ToString(out.AccessToken),
		ExpiresAt:             m.now().Add(time.Duration(out.ExpiresIn) * time.Second),
		ClientID:              reg.ClientID,
		ClientSecret:          reg.ClientSecret,
		RegistrationExpiresAt: reg.ExpiresAt,
		RefreshToken:          aws.ToString(out.RefreshToken),
	}
	if t.AccessToken == "" {
		return nil, errors.New("CreateToken returned no access token")
	}
	if err := writeToken(path, t); err != nil {
		return nil, err
	}
	return t, nil
}

// fits reports whether a cached registration can serve a flow: a PKCE
// sign-in needs one registered for the authorization_code grant, and a
// device sign-in one that is not (the two are never interchangeable).
func (r *Registration) fits(f Flow) bool {
	auth := false
	for _, g := range r.GrantTypes {
		auth = auth || g == grantCode
	}
	if f == FlowPKCE {
		return auth
	}
	return !auth
}

// registration returns the client registration for a sign-in: the cached
// one while more than RegistrationWindow remains and it fits the flow,
// else a new one, cached under the registration file's lock.
// With force it registers anew whatever the cache holds. cached says the
// registration came from the cache.
func (m *Manager) registration(ctx context.Context, cl Clients, c Config, f Flow, force bool) (r *Registration, cached bool, err error) {
	path := m.RegistrationPath(c)
	unlock, err := lockFile(ctx, path)
	if err != nil {
		return nil, false, err
	}
	defer unlock()
	if r := m.readRegistration(path); !force && r != nil && r.ExpiresAt.Sub(m.now()) > RegistrationWindow && r.fits(f) {
		return r, true, nil
	}
	name := c.Session
	if name == "" {
		name = strconv.FormatInt(m.now().Unix(), 10)
	}
	in := &ssooidc.RegisterClientInput{
		ClientName: aws.String("ssoctl-" + name),
		ClientType: aws.String("public"),
		Scopes:     c.scopes(),
	}
	if f == FlowPKCE {
		in.GrantTypes = []string{grantCode, grantRefresh}
		in.RedirectUris = []string{registeredRedirect}
		in.IssuerUrl = aws.String(c.StartURL)
	}
	out, err := cl.OIDC.RegisterClient(ctx, in)
	if err != nil {
		return nil, false, fmt.Errorf("register the client: %w", err)
	}
	r = &Registration{
		ClientID:     aws.ToString(out.ClientId),
		ClientSecret: aws.ToString(out.ClientSecret),
		ExpiresAt:    time.Unix(out.ClientSecretExpiresAt, 0).UTC(),
		Scopes:       c.scopes(),
		GrantTypes:   in.GrantTypes,
	}
	if err := writeAtomic(path, r.encode()); err != nil {
		return nil, false, err
	}
	return r, false, nil
}

// deviceFlow runs the device-code flow: start it, show the code, poll
// every interval (5 s more after each SlowDown) until approved, denied or
// expired.
func (m *Manager) deviceFlow(ctx context.Context, cl Clients, c Config, reg *Registration, lo LoginOptions) (*ssooidc.CreateTokenOutput, error) {
	deadline := time.Now().Add(lo.timeout())
	var auth *ssooidc.StartDeviceAuthorizationOutput
	// sso-oidc answers a busy moment with SlowDownException, which the
	// SDK does not count as throttling: wait and ask again (1 s, doubling
	// to 10 s) while the sign-in may still take place.
	for wait := time.Second; ; wait = min(2*wait, 10*time.Second) {
		var err error
		auth, err = cl.OIDC.StartDeviceAuthorization(ctx, &ssooidc.StartDeviceAuthorizationInput{
			ClientId:     aws.String(reg.ClientID),
			ClientSecret: aws.String(reg.ClientSecret),
			StartUrl:     aws.String(c.StartURL),
		})
		if err == nil {
			break
		}
		if !slowDown(err) {
			return nil, fmt.Errorf("start the device authorization: %w", err)
		}
		if time.Now().Add(wait).After(deadline) {
			return nil, fmt.Errorf("start the device authorization: still told to slow down after %s: %w", lo.timeout(), err)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(wait):
		}
	}
	interval := time.Duration(auth.Interval) * time.Second
	if interval <= 0 {
		interval = defaultInterval
	}
	if lo.OnDeviceCode != nil {
		lo.OnDeviceCode(DeviceAuthorization{
			VerificationURI:         aws.ToString(auth.VerificationUri),
			VerificationURIComplete: aws.ToString(auth.VerificationUriComplete),
			UserCode:                aws.ToString(auth.UserCode),
			ExpiresIn:               time.Duration(auth.ExpiresIn) * time.Second,
		})
	}
	for {
		out, err := cl.OIDC.CreateToken(ctx, &ssooidc.CreateTokenInput{
			ClientId:     aws.String(reg.ClientID),
			ClientSecret: aws.String(reg.ClientSecret),
			GrantType:    aws.String(grantDevice),
			DeviceCode:   auth.DeviceCode,
		})
		var (
			pending *oidctypes.AuthorizationPendingException
			slow    *oidctypes.SlowDownException
			expired *oidctypes.ExpiredTokenException
			denied  *oidctypes.AccessDeniedException
		)
		switch {
		case err == nil:
			return out, nil
		case errors.As(err, &pending):
		case errors.As(err, &slow), slowDown(err):
			interval += slowDownStep
		case errors.As(err, &expired):
			return nil, errors.New("the sign-in request expired before it was approved; sign in again")
		case errors.As(err, &denied):
			return nil, fmt.Errorf("sign-in was denied: %s", denied.ErrorMessage())
		default:
			return nil, fmt.Errorf("wait for the device authorization: %w", err)
		}
		if time.Now().Add(interval).After(deadline) {
			return nil, fmt.Errorf("no approval within %s", lo.timeout())
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(interval):
		}
	}
}

func (lo LoginOptions) timeout() time.Duration {
	if lo.Timeout <= 0 {
		return defaultTimeout
	}
	return lo.Timeout
}

// pkceFlow runs the authorization-code flow with PKCE (RFC 7636) on the
// bound loopback listener ln.
func (m *Manager) pkceFlow(ctx context.Context, cl Clients, c Config, reg *Registration, lo LoginOptions, ln net.Listener) (*ssooidc.CreateTokenOutput, error) {
	authorize, err := authorizeEndpoint(ctx, cl.OIDC)
	if err != nil {
		return nil, err
	}
	verifier, err := codeVerifier()
	if err != nil {
		return nil, err
	}
	state, err := uuid4()
	if err != nil {
		return nil, err
	}
	redirect := fmt.Sprintf("http://127.0.0.1:%d%s", ln.Addr().(*net.TCPAddr).Port, callbackPath)
	sum := sha256.Sum256([]byte(verifier))
	params := []struct{ k, v string }{
		{"response_type", "code"},
		{"client_id", reg.ClientID},
		{"redirect_uri", redirect},
		{"state", state},
		{"code_challenge_method", "S256"},
		{"scopes", strings.Join(c.scopes(), " ")},
		{"code_challenge", base64.RawURLEncoding.EncodeToString(sum[:])},
	}
	q := make([]string, len(params))
	for i, p := range params {
		q[i] = p.k + "=" + url.QueryEscape(p.v)
	}
	authURL := authorize + "?" + strings.Join(q, "&")

	type result struct {
		code string
		err  error
	}
	done := make(chan result, 1)
	mux := http.NewServeMux()
	mux.HandleFunc(callbackPath, func(w http.ResponseWriter, r *http.Request) {
		rq := r.URL.Query()
		if rq.Get("state") != state {
			// Not our request (a stale tab, or a forgery): keep waiting.
			callbackPage(w, http.StatusBadRequest, "Sign-in failed", "This sign-in link does not match the one ssoctl is waiting for. Start again from the terminal.")
			return
		}
		var res result
		switch {
		case rq.Get("error") != "":
			res.err = fmt.Errorf("the authorize page answered %s: %s", rq.Get("error"), rq.Get("error_description"))
			callbackPage(w, http.StatusBadRequest, "Sign-in failed", rq.Get("error")+": "+rq.Get("error_description"))
		case rq.Get("code") == "":
			res.err = errors.New("the authorize page came back without a code")
			callbackPage(w, http.StatusBadRequest, "Sign-in failed", "No authorization code was received.")
		default:
			res.code = rq.Get("code")
			callbackPage(w, http.StatusOK, "Signed in", "ssoctl has signed you in. You can close this tab and return to the terminal.")
		}
		select {
		case done <- res:
		default:
		}
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()

	if lo.OnAuthorizeURL != nil {
		lo.OnAuthorizeURL(authURL)
	}
	timeout := lo.timeout()
	var res result
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-time.After(timeout):
		return nil, fmt.Errorf("no answer from the browser within %s", timeout)
	case res = <-done:
	}
	if res.err != nil {
		return nil, res.err
	}
	out, err := cl.OIDC.CreateToken(ctx, &ssooidc.CreateTokenInput{
		ClientId:     aws.String(reg.ClientID),
		ClientSecret: aws.String(reg.ClientSecret),
		GrantType:    aws.String(grantCode),
		Code:         aws.String(res.code),
		RedirectUri:  aws.String(redirect),
		CodeVerifier: aws.String(verifier),
	})
	if err != nil {
		return nil, fmt.Errorf("redeem the authorization code: %w", err)
	}
	return out, nil
}

func callbackPage(w http.ResponseWriter, status int, title, msg string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	fmt.Fprintf(w, "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>%s — ssoctl</title></head>\n<body style=\"font-family: sans-serif; margin: 3em\"><h1>%s</h1>\n<p>%s</p>\n</body></html>\n",
		html.EscapeString(title), html.EscapeString(title), html.EscapeString(msg))
}

// authorizeEndpoint is <the sso-oidc endpoint>/authorize, resolved as the
// client resolves its own endpoint (so a base endpoint from
// AWS_ENDPOINT_URL_SSO_OIDC or --endpoint-url, FIPS and other partitions
// all apply).
func authorizeEndpoint(ctx context.Context, c OIDC) (string, error) {
	o := c.Options()
	ep, err := ssooidc.NewDefaultEndpointResolverV2().ResolveEndpoint(ctx, ssooidc.EndpointParameters{
		Region:       aws.String(o.Region),
		Endpoint:     o.BaseEndpoint,
		UseFIPS:      aws.Bool(o.EndpointOptions.UseFIPSEndpoint == aws.FIPSEndpointStateEnabled),
		UseDualStack: aws.Bool(o.EndpointOptions.UseDualStackEndpoint == aws.DualStackEndpointStateEnabled),
	})
	if err != nil {
		return "", fmt.Errorf("resolve the sso-oidc endpoint: %w", err)
	}
	u := ep.URI
	u.Path = strings.TrimSuffix(u.Path, "/") + "/authorize"
	return u.String(), nil
}

// codeVerifier is 64 random characters of [A-Za-z0-9-._~] (RFC 7636 §4.1).
func codeVerifier() (string, error) {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"
	const limit = 256 - 256%len(alphabet) // reject bytes that would bias the draw
	out := make([]byte, 0, 64)
	buf := make([]byte, 96)
	for len(out) < 64 {
		if _, err := rand.Read(buf); err != nil {
			return "", err
		}
		for _, c := range buf {
			if int(c) < limit && len(out) < 64 {
				out = append(out, alphabet[int(c)%len(alphabet)])
			}
		}
	}
	return string(out), nil
}

func uuid4() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16]), nil
}

// slowDown reports an error that asks the client to call again later:
// sso-oidc's SlowDownException, or any throttling error the SDK's retries
// gave up on.
func slowDown(err error) bool {
	var slow *oidctypes.SlowDownException
	return errors.As(err, &slow) || retry.IsErrorThrottles(retry.DefaultThrottles).IsErrorThrottle(err) == aws.TrueTernary
}
