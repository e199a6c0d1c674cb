package emulator

import (
	"cmp"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ssoctl/ssoctl/internal/emulator/awsproto"
)

// sso-oidc: client registration, the device-code and authorization-code
// (PKCE) flows, and refresh-token rotation. Nobody clicks "Allow" in the
// sandbox: a device code is approved after Options.PendingPolls polls, and
// /authorize redirects at once, in both cases as the person Options.SignInAs
// names (else the first enabled user, by user name, who has an assignment).

const (
	grantDevice  = "urn:ietf:params:oauth:grant-type:device_code"
	grantCode    = "authorization_code"
	grantRefresh = "refresh_token"

	// scopeAccountAccess is the scope that makes tokens refreshable
	// (without it CreateToken returns no refresh token).
	scopeAccountAccess = "sso:account:access"

	deviceCodeTTL   = 10 * time.Minute // StartDeviceAuthorization's expiresIn
	deviceInterval  = 1                // seconds between polls the client is told
	authCodeTTL     = 5 * time.Minute
	defaultTokenTTL = 8 * time.Hour
	// defaultSessionTTL is Identity Center's default session duration: a
	// hard cap that refreshing cannot extend.
	defaultSessionTTL      = 8 * time.Hour
	defaultRegistrationTTL = 90 * 24 * time.Hour
)

// signIn is the sandbox's sign-in state. Lock order: signIn.mu may be held
// while taking Server.mu, never the other way round.
type signIn struct {
	mu      sync.Mutex
	clients map[string]*oidcClient  // by client id
	devices map[string]*deviceGrant // by device code
	codes   map[string]*authCode    // by authorization code
	access  map[string]accessToken  // by access token
	refresh map[string]*session     // refresh token -> session (only the latest)
}

func newSignIn() *signIn {
	return &signIn{
		clients: map[string]*oidcClient{}, devices: map[string]*deviceGrant{}, codes: map[string]*authCode{},
		access: map[string]accessToken{}, refresh: map[string]*session{},
	}
}

// oidcClient is one RegisterClient registration.
type oidcClient struct {
	id, secret   string
	name         string
	scopes       []string
	grantTypes   []string
	redirectURIs []string
	expires      time.Time
}

// allows reports whether the registration may use a grant type. Without
// grantTypes (every CLI before PKCE) device code and refresh are allowed.
func (c *oidcClient) allows(grant string) bool {
	if len(c.grantTypes) == 0 {
		return grant == grantDevice || grant == grantRefresh
	}
	return slices.Contains(c.grantTypes, grant)
}

// refreshable reports whether tokens of this registration come with a
// refresh token: only when it asked for sso:account:access (and, if it
// lists grant types, the refresh_token grant).
func (c *oidcClient) refreshable() bool {
	if !c.allows(grantRefresh) {
		return false
	}
	for _, sc := range c.scopes {
		if strings.HasPrefix(sc, scopeAccountAccess) {
			return true
		}
	}
	return false
}

// deviceGrant is one StartDeviceAuthorization.
type deviceGrant struct {
	clientID string
	userCode string
	expires  time.Time
	polls    int
}

// authCode is one code handed out by /authorize.
type authCode struct {
	clientID    string
	redirectURI string
	challenge   string
	who         person
	expires     time.Time
}

// session is one sign-in: who, through which client, until when. Every
// access token and the current refresh token point at it; Logout ends it.
type session struct {
	who          person
	clientID     string
	end          time.Time
	refreshToken string // current one; "" when the client gets none
	revoked      bool
}

// accessToken is an issued access token: its session and its own expiry.
type accessToken struct {
	sess    *session
	expires time.Time
}

// person is who a token belongs to.
type person struct {
	InstanceArn, StoreID, UserID, UserName string
}

// oauthCodes maps each sso-oidc exception to its OAuth `error` value.
var oauthCodes = map[string]string{
	"AccessDeniedException":          "access_denied",
	"AuthorizationPendingException":  "authorization_pending",
	"ExpiredTokenException":          "expired_token",
	"InternalServerException":        "server_error",
	"InvalidClientException":         "invalid_client",
	"InvalidClientMetadataException": "invalid_client_metadata",
	"InvalidGrantException":          "invalid_grant",
	"InvalidRedirectUriException":    "invalid_redirect_uri",
	"InvalidRequestException":        "invalid_request",
	"InvalidScopeException":          "invalid_scope",
	"SlowDownException":              "slow_down",
	"UnauthorizedClientException":    "unauthorized_client",
	"UnsupportedGrantTypeException":  "unsupported_grant_type",
}

// oidcErr is an sso-oidc error: the exception name in x-amzn-ErrorType and
// {"error","error_description"} in the body, as sso-oidc answers (not the
// __type/message shape of the other awsJson services).
func oidcErr(code, format string, args ...any) *awsproto.Error {
	status := 400
	switch code {
	case "InvalidClientException":
		status = 401
	case "InternalServerException":
		status = 500
	}
	return awsproto.Err(status, code, format, args...).WithOAuth(oauthCodes[code])
}

// decodeOIDC reads a JSON request body.
func decodeOIDC(r *http.Request, v any) error {
	if err := json.NewDecoder(r.Body).Decode(v); err != nil {
		return oidcErr("InvalidRequestException", "Invalid request body: %v", err)
	}
	return nil
}

// base is the URL the client reached the sandbox at: the server needs no
// other knowledge of where it is served (httptest, `ssoctl sandbox`, the
// in-process --sandbox, or a test's wrapping handler all serve it as is).
func (s *Server) base(r *http.Request) string { return "http://" + r.Host }

func (s *Server) tokenTTL() time.Duration {
	return cmp.Or(s.opts.TokenTTL, defaultTokenTTL)
}

// sessionTTL is how long a sign-in lasts: RefreshTTL, by default AWS's
// eight hours, but never less than the access token's own lifetime.
func (s *Server) sessionTTL() time.Duration {
	if s.opts.RefreshTTL > 0 {
		return s.opts.RefreshTTL
	}
	return max(defaultSessionTTL, s.tokenTTL())
}

// urlToken returns n random base64url characters.
func (s *Server) urlToken(n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	s.rngMu.Lock()
	defer s.rngMu.Unlock()
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[s.rng.IntN(len(alphabet))]
	}
	return string(b)
}

// userCode is what a person types at the verification URI: ABCD-EFGH.
func (s *Server) userCode() string {
	const alphabet = "BCDFGHJKLMNPQRSTVWXZ"
	s.rngMu.Lock()
	defer s.rngMu.Unlock()
	b := make([]byte, 9)
	for i := range b {
		b[i] = alphabet[s.rng.IntN(len(alphabet))]
	}
	b[4] = '-'
	return string(b)
}

// RegisterClient: POST /client/register.
func (s *Server) registerClient(w http.ResponseWriter, r *http.Request, reqID string) error {
	var in struct {
		ClientName   string   `json:"clientName"`
		ClientType   string   `json:"clientType"`
		Scopes       []string `json:"scopes"`
		GrantTypes   []string `json:"grantTypes"`
		RedirectUris []string `json:"redirectUris"`
		IssuerUrl    string   `json:"issuerUrl"`
	}
	if err := decodeOIDC(r, &in); err != nil {
		return err
	}
	switch {
	case in.ClientName == "":
		return oidcErr("InvalidRequestException", "clientName is required")
	case in.ClientType != "public":
		return oidcErr("InvalidClientMetadataException", "Invalid client type: %q", in.ClientType)
	}
	for _, g := range in.GrantTypes {
		if g != grantDevice && g != grantCode && g != grantRefresh {
			return oidcErr("InvalidClientMetadataException", "Invalid grant type: %q", g)
		}
	}
	for _, u := range in.RedirectUris {
		if !loopbackURI(u) {
			return oidcErr("InvalidRedirectUriException", "Invalid redirect URI: %s", u)
		}
	}
	if slices.Contains(in.GrantTypes, grantCode) && len(in.RedirectUris) == 0 {
		return oidcErr("InvalidRequestException", "redirectUris is required for the authorization_code grant")
	}
	issued := s.now()
	c := &oidcClient{
		id:           s.urlToken(22) + base64.RawURLEncoding.EncodeToString([]byte(s.Region())),
		secret:       "eyJraWQiOiJrZXktc2FuZGJveCIsImFsZyI6IkhTMzg0In0." + s.urlToken(400) + "." + s.urlToken(64),
		name:         in.ClientName,
		scopes:       in.Scopes,
		grantTypes:   in.GrantTypes,
		redirectURIs: in.RedirectUris,
		expires:      issued.Add(cmp.Or(s.opts.RegistrationTTL, defaultRegistrationTTL)),
	}
	s.signin.mu.Lock()
	s.signin.clients[c.id] = c
	s.signin.mu.Unlock()
	base := s.base(r)
	awsproto.WriteJSON(w, reqID, "application/json", map[string]any{
		"clientId":              c.id,
		"clientSecret":          c.secret,
		"clientIdIssuedAt":      issued.Unix(),
		"clientSecretExpiresAt": c.expires.Unix(),
		"authorizationEndpoint": base + "/authorize",
		"tokenEndpoint":         base + "/token",
	})
	return nil
}

// loopbackURI accepts the redirect URIs a CLI can listen on: http on
// 127.0.0.1, [::1] or localhost, any port.
func loopbackURI(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "http" {
		return false
	}
	switch u.Hostname() {
	case "127.0.0.1", "::1", "localhost":
		return true
	}
	return false
}

// client authenticates a client id and secret. Call with signin.mu held.
func (si *signIn) client(id, secret string, now time.Time) (*oidcClient, error) {
	c, ok := si.clients[id]
	if !ok || subtle.ConstantTimeCompare([]byte(c.secret), []byte(secret)) != 1 {
		return nil, oidcErr("InvalidClientException", "Invalid client provided")
	}
	if now.After(c.expires) {
		return nil, oidcErr("InvalidClientException", "Client secret has expired")
	}
	return c, nil
}

// StartDeviceAuthorization: POST /device_authorization.
func (s *Server) startDeviceAuthorization(w http.ResponseWriter, r *http.Request, reqID string) error {
	var in struct {
		ClientId     string `json:"clientId"`
		ClientSecret string `json:"clientSecret"`
		StartUrl     string `json:"startUrl"`
	}
	if err := decodeOIDC(r, &in); err != nil {
		return err
	}
	if in.StartUrl == "" {
		return oidcErr("InvalidRequestException", "startUrl is required")
	}
	deviceCode, userCode := s.urlToken(86), s.userCode()
	si := s.signin
	si.mu.Lock()
	c, err := si.client(in.ClientId, in.ClientSecret, s.now())
	if err == nil && !c.allows(grantDevice) {
		err = oidcErr("UnauthorizedClientException", "Client is not authorized for the device code grant")
	}
	if err == nil {
		si.devices[deviceCode] = &deviceGrant{clientID: c.id, userCode: userCode, expires: s.now().Add(deviceCodeTTL)}
	}
	si.mu.Unlock()
	if err != nil {
		return err
	}
	verify := s.base(r) + "/device"
	awsproto.WriteJSON(w, reqID, "application/json", map[string]any{
		"deviceCode":              deviceCode,
		"userCode":                userCode,
		"verificationUri":         verify,
		"verificationUriComplete": verify + "?user_code=" + url.QueryEscape(userCode),
		"expiresIn":               int(deviceCodeTTL / time.Second),
		"interval":                deviceInterval,
	})
	return nil
}

// authorize serves GET /authorize, the page a browser opens in the PKCE
// flow. The sandbox approves at once and redirects to the client's loopback
// listener with code and state. Errors about the client or the redirect URI
// are answered here; the rest go to the redirect URI as ?error=, as OAuth
// says (RFC 6749 §4.1.2.1).
func (s *Server) authorize(w http.ResponseWriter, r *http.Request, _ string) error {
	q := r.URL.Query()
	redirect := q.Get("redirect_uri")
	s.signin.mu.Lock()
	c, ok := s.signin.clients[q.Get("client_id")]
	s.signin.mu.Unlock()
	if !ok || s.now().After(c.expires) {
		return oidcErr("InvalidClientException", "Invalid client provided")
	}
	if !callbackURI(redirect) || !slices.ContainsFunc(c.redirectURIs, func(reg string) bool { return sameIgnoringPort(reg, redirect) }) {
		return oidcErr("InvalidRedirectUriException", "Invalid redirect URI: %s", redirect)
	}
	back := func(params url.Values) error {
		params.Set("state", q.Get("state"))
		http.Redirect(w, r, redirect+"?"+params.Encode(), http.StatusFound)
		return nil
	}
	fail := func(code, desc string) error {
		return back(url.Values{"error": {code}, "error_description": {desc}})
	}
	requested := strings.Fields(cmp.Or(q.Get("scopes"), q.Get("scope")))
	switch {
	case q.Get("response_type") != "code":
		return fail("unsupported_response_type", "response_type must be code")
	case !c.allows(grantCode):
		return fail("unauthorized_client", "Client is not registered for the authorization_code grant")
	case q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "":
		return fail("invalid_request", "code_challenge with code_challenge_method S256 is required")
	case len(c.scopes) > 0 && slices.ContainsFunc(requested, func(sc string) bool { return !slices.Contains(c.scopes, sc) }):
		return fail("invalid_scope", "Requested scopes were not registered")
	}
	who, err := s.signInPerson()
	if err != nil {
		return fail("access_denied", awsproto.AsError(err).Message)
	}
	code := s.urlToken(43)
	s.signin.mu.Lock()
	s.signin.codes[code] = &authCode{clientID: c.id, redirectURI: redirect, challenge: q.Get("code_challenge"), who: who, expires: s.now().Add(authCodeTTL)}
	s.signin.mu.Unlock()
	return back(url.Values{"code": {code}})
}

// callbackURI is the only redirect URI /authorize accepts:
// http://127.0.0.1:<port>/oauth/callback.
func callbackURI(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && u.Scheme == "http" && u.Hostname() == "127.0.0.1" && u.Port() != "" &&
		u.Path == "/oauth/callback" && u.RawQuery == "" && u.Fragment == ""
}

// sameIgnoringPort compares two URIs without their ports: the AWS CLI
// registers http://127.0.0.1/oauth/callback and then listens on a free port.
func sameIgnoringPort(a, b string) bool {
	ua, err1 := url.Parse(a)
	ub, err2 := url.Parse(b)
	if err1 != nil || err2 != nil {
		return false
	}
	return ua.Scheme == ub.Scheme && ua.Hostname() == ub.Hostname() && ua.Path == ub.Path
}

// tokenRequest is CreateToken's input.
type tokenRequest struct {
	ClientId     string   `json:"clientId"`
	ClientSecret string   `json:"clientSecret"`
	GrantType    string   `json:"grantType"`
	DeviceCode   string   `json:"deviceCode"`
	Code         string   `json:"code"`
	CodeVerifier string   `json:"codeVerifier"`
	RedirectUri  string   `json:"redirectUri"`
	RefreshToken string   `json:"refreshToken"`
	Scope        []string `json:"scope"`
}

// CreateToken: POST /token.
func (s *Server) createToken(w http.ResponseWriter, r *http.Request, reqID string) error {
	if r.URL.Query().Has("aws_iam") {
		return oidcErr("InvalidRequestException", "CreateTokenWithIAM is not supported by the sandbox")
	}
	var in tokenRequest
	if err := decodeOIDC(r, &in); err != nil {
		return err
	}
	si := s.signin
	si.mu.Lock()
	defer si.mu.Unlock()
	c, err := si.client(in.ClientId, in.ClientSecret, s.now())
	if err != nil {
		return err
	}
	var sess *session
	switch in.GrantType {
	case grantDevice, grantCode, grantRefresh:
		if !c.allows(in.GrantType) {
			return oidcErr("UnauthorizedClientException", "Client is not authorized for grant type %s", in.GrantType)
		}
	default:
		return oidcErr("UnsupportedGrantTypeException", "Unsupported grant type: %s", in.GrantType)
	}
	switch in.GrantType {
	case grantDevice:
		sess, err = s.redeemDeviceCode(c, in.DeviceCode)
	case grantCode:
		sess, err = s.redeemAuthCode(c, in)
	case grantRefresh:
		sess, err = s.redeemRefreshToken(c, in.RefreshToken)
	}
	if err != nil {
		return err
	}
	awsproto.WriteJSON(w, reqID, "application/json", s.issueTokens(sess))
	return nil
}

// redeemDeviceCode answers authorization_pending for the first
// PendingPolls polls of a device code, then signs the person in. Call with
// signin.mu held.
func (s *Server) redeemDeviceCode(c *oidcClient, code string) (*session, error) {
	if code == "" {
		return nil, oidcErr("InvalidRequestException", "deviceCode is required")
	}
	d, ok := s.signin.devices[code]
	if !ok || d.clientID != c.id {
		return nil, oidcErr("InvalidGrantException", "Invalid device code provided")
	}
	if s.now().After(d.expires) {
		delete(s.signin.devices, code)
		return nil, oidcErr("ExpiredTokenException", "Device code has expired")
	}
	if d.polls < s.opts.PendingPolls {
		d.polls++
		return nil, oidcErr("AuthorizationPendingException", "Authorization is still pending")
	}
	who, err := s.signInPerson()
	if err != nil {
		return nil, err
	}
	delete(s.signin.devices, code)
	return s.newSession(c, who), nil
}

// redeemAuthCode checks a PKCE code: its client, redirect URI and
// verifier. A code is spent by its first successful use. Call with
// signin.mu held.
func (s *Server) redeemAuthCode(c *oidcClient, in tokenRequest) (*session, error) {
	if in.Code == "" {
		return nil, oidcErr("InvalidRequestException", "code is required")
	}
	ac, ok := s.signin.codes[in.Code]
	switch {
	case !ok || ac.clientID != c.id:
		return nil, oidcErr("InvalidGrantException", "Invalid authorization code provided")
	case s.now().After(ac.expires):
		delete(s.signin.codes, in.Code)
		return nil, oidcErr("InvalidGrantException", "Authorization code has expired")
	case in.RedirectUri != ac.redirectURI:
		return nil, oidcErr("InvalidGrantException", "redirectUri does not match the authorization request")
	case in.CodeVerifier == "" || pkceChallenge(in.CodeVerifier) != ac.challenge:
		return nil, oidcErr("InvalidGrantException", "Code verifier does not match the code challenge")
	}
	delete(s.signin.codes, in.Code)
	return s.newSession(c, ac.who), nil
}

// pkceChallenge is the S256 code challenge of a verifier (RFC 7636 §4.2).
func pkceChallenge(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// redeemRefreshToken rotates a refresh token: the session gets a new one
// and the old one stops working. Call with signin.mu held.
func (s *Server) redeemRefreshToken(c *oidcClient, tok string) (*session, error) {
	if tok == "" {
		return nil, oidcErr("InvalidRequestException", "refreshToken is required")
	}
	sess, ok := s.signin.refresh[tok]
	if !ok || sess.clientID != c.id || sess.revoked || !s.now().Before(sess.end) {
		return nil, oidcErr("InvalidGrantException", "Invalid refresh token provided")
	}
	delete(s.signin.refresh, tok)
	sess.refreshToken = ""
	return sess, nil
}

func (s *Server) newSession(c *oidcClient, who person) *session {
	return &session{who: who, clientID: c.id, end: s.now().Add(s.sessionTTL())}
}

// issueTokens hands out an access token for sess and, when the client's
// scopes allow, a new refresh token. Call with signin.mu held.
func (s *Server) issueTokens(sess *session) map[string]any {
	access := "aoa" + s.urlToken(140)
	ttl := min(s.tokenTTL(), sess.end.Sub(s.now()))
	s.signin.access[access] = accessToken{sess: sess, expires: s.now().Add(ttl)}
	out := map[string]any{
		"accessToken": access,
		"tokenType":   "Bearer",
		"expiresIn":   int(math.Ceil(ttl.Seconds())),
	}
	if c := s.signin.clients[sess.clientID]; c != nil && c.refreshable() {
		sess.refreshToken = "aor" + s.urlToken(140)
		s.signin.refresh[sess.refreshToken] = sess
		out["refreshToken"] = sess.refreshToken
	}
	return out
}

// SignInUser is the user name of who approves sign-ins (Options.SignInAs,
// else the first enabled user with access), or why nobody can.
func (s *Server) SignInUser() (string, error) {
	p, err := s.signInPerson()
	if err != nil {
		return "", errors.New(awsproto.AsError(err).Message)
	}
	return p.UserName, nil
}

// signInPerson is who approves a sign-in: Options.SignInAs, else the
// enabled user with the smallest user name who has at least one
// assignment, directly or through a group.
func (s *Server) signInPerson() (person, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	instances := s.st.instances.Values()
	if name := s.opts.SignInAs; name != "" {
		for _, in := range instances {
			id, ok := s.st.userByName[key(in.IdentityStoreId, lower(name))]
			if !ok {
				continue
			}
			u, _ := empty(s.st.users, in.IdentityStoreId).Get(id)
			if u.UserStatus == "DISABLED" {
				return person{}, oidcErr("AccessDeniedException", "User %s is disabled", u.UserName)
			}
			return person{in.InstanceArn, in.IdentityStoreId, u.UserId, u.UserName}, nil
		}
		return person{}, oidcErr("AccessDeniedException", "No user named %s can sign in (sandbox --sign-in-as)", name)
	}
	for _, in := range instances {
		var best *User
		for _, u := range empty(s.st.users, in.IdentityStoreId).Values() {
			if u.UserStatus == "DISABLED" || (best != nil && lower(u.UserName) >= lower(best.UserName)) {
				continue
			}
			if len(s.roles(person{in.InstanceArn, in.IdentityStoreId, u.UserId, u.UserName})) > 0 {
				best = u
			}
		}
		if best != nil {
			return person{in.InstanceArn, in.IdentityStoreId, best.UserId, best.UserName}, nil
		}
	}
	return person{}, oidcErr("AccessDeniedException", "No enabled user with an assignment can sign in to the sandbox")
}

// devicePage serves GET /device, the verification URI. Approval needs no
// click in the sandbox; the page says so.
func (s *Server) devicePage(w http.ResponseWriter, r *http.Request, _ string) error {
	code := r.URL.Query().Get("user_code")
	body := fmt.Sprintf(`<p>Sign-in requests are approved automatically after %d polls.</p>`, s.opts.PendingPolls)
	if code != "" {
		body = `<p>Code <strong>` + html.EscapeString(code) + `</strong>.</p>` + body
	}
	writePage(w, "Authorize request", body)
	return nil
}

func writePage(w http.ResponseWriter, title, body string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>%s — ssoctl sandbox</title></head>\n<body><h1>%s</h1>\n%s\n</body></html>\n",
		html.EscapeString(title), html.EscapeString(title), body)
}
