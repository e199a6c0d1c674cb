package sso_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ssoctl/ssoctl/internal/peertest"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/ssoctl/ssoctl/internal/awsclient"
	"github.com/ssoctl/ssoctl/internal/emulator"
	"github.com/ssoctl/ssoctl/internal/emulatortest"
	"github.com/ssoctl/ssoctl/internal/sso"
)

// Sign-in against the sandbox served over real HTTP, with the SDK's real
// sso-oidc and portal clients.

const (
	devAccount = "640775136188" // payments-dev in the small demo organization
	devRole    = "Developer"    // dave.miller has it through a group
)

type sandbox struct {
	url string
}

func newSandbox(t *testing.T, opts emulator.Options) *sandbox {
	t.Helper()
	// Hermetic SDK configuration: no shared files, no profile.
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_PROFILE", "")
	if opts.SignInAs == "" {
		opts.SignInAs = "dave.miller"
	}
	return &sandbox{url: emulatortest.Start(t, opts).URL}
}

func (s *sandbox) config(session string) sso.Config {
	return sso.Config{Session: session, StartURL: s.url + "/start", Region: "us-east-1"}
}

// calls returns the sandbox's call counts by "service:Operation".
func (s *sandbox) calls(t *testing.T) map[string]int { return peertest.Stats(t, s.url).Calls }

func (s *sandbox) wantCalls(t *testing.T, want map[string]int) { peertest.WantCalls(t, s.url, want) }

// warnings collects a Manager's warnings.
type warnings struct {
	mu  sync.Mutex
	msg []string
}

func (w *warnings) add(m string) { w.mu.Lock(); w.msg = append(w.msg, m); w.mu.Unlock() }
func (w *warnings) all() string  { w.mu.Lock(); defer w.mu.Unlock(); return strings.Join(w.msg, "\n") }

func (s *sandbox) manager(home string, w *warnings) *sso.Manager {
	m := &sso.Manager{
		Home: home,
		Clients: func(ctx context.Context, region string) (sso.Clients, error) {
			set, err := awsclient.New(ctx, awsclient.Options{Region: region, EndpointURL: s.url, Credentials: aws.AnonymousCredentials{}, Unlimited: true})
			if err != nil {
				return sso.Clients{}, err
			}
			return sso.Clients{OIDC: set.SSOOIDC(), Portal: set.SSO()}, nil
		},
	}
	if w != nil {
		m.Warn = w.add
	}
	return m
}

func device() sso.LoginOptions { return sso.LoginOptions{Flow: sso.FlowDevice} }

func readJSON(t *testing.T, path string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return m
}

func TestDeviceSignIn(t *testing.T) {
	sb := newSandbox(t, emulator.Options{PendingPolls: 2})
	home := t.TempDir()
	m := sb.manager(home, nil)
	cfg := sb.config("emu")
	var shown sso.DeviceAuthorization
	lo := device()
	lo.OnDeviceCode = func(d sso.DeviceAuthorization) { shown = d }
	start := time.Now()
	res, err := m.Login(context.Background(), cfg, lo)
	if err != nil {
		t.Fatal(err)
	}
	if shown.UserCode == "" || !strings.Contains(shown.VerificationURIComplete, "user_code="+shown.UserCode) {
		t.Errorf("device authorization shown: %+v", shown)
	}
	// Two pending polls at the sandbox's 1 s interval.
	if d := time.Since(start); d < 2*time.Second {
		t.Errorf("signed in after %v; want two polls a second apart", d)
	}
	sb.wantCalls(t, map[string]int{"sso-oidc:RegisterClient": 1, "sso-oidc:StartDeviceAuthorization": 1, "sso-oidc:CreateToken": 3})

	tok := readJSON(t, m.TokenPath(cfg))
	if filepath.Base(m.TokenPath(cfg)) != "6551e797240051925b8a62615f4c8baaa4c1698c.json" {
		t.Errorf("token file %s; want sha1(\"emu\").json", m.TokenPath(cfg))
	}
	for _, k := range []string{"startUrl", "region", "accessToken", "expiresAt", "clientId", "clientSecret", "registrationExpiresAt", "refreshToken"} {
		if s, _ := tok[k].(string); s == "" {
			t.Errorf("token member %s missing", k)
		}
	}
	if tok["accessToken"] != res.Token.AccessToken {
		t.Error("the file does not hold the returned token")
	}
	reg := readJSON(t, m.RegistrationPath(cfg))
	if _, ok := reg["grantTypes"]; ok {
		t.Error("a device registration has grantTypes")
	}
	if fmt.Sprint(reg["scopes"]) != "[sso:account:access]" || reg["clientId"] != tok["clientId"] || reg["expiresAt"] != tok["registrationExpiresAt"] {
		t.Errorf("registration %v does not match the token", reg)
	}
	for _, p := range []string{m.TokenPath(cfg), m.RegistrationPath(cfg)} {
		fi, _ := os.Stat(p)
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v; want 0600", p, fi.Mode())
		}
	}
	fi, _ := os.Stat(m.TokenDir())
	if fi.Mode().Perm() != 0o700 {
		t.Errorf("cache folder mode %v; want 0700", fi.Mode())
	}

	// Role credentials: fetched once, then from ~/.aws/cli/cache.
	ctx := context.Background()
	c1, err := m.RoleCredentials(ctx, cfg, devAccount, devRole, nil)
	if err != nil {
		t.Fatal(err)
	}
	c2, err := sb.manager(home, nil).RoleCredentials(ctx, cfg, devAccount, devRole, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c1.AccessKeyID != c2.AccessKeyID {
		t.Error("the second call did not use the cache")
	}
	sb.wantCalls(t, map[string]int{"sso:GetRoleCredentials": 1})
	if _, err := m.RoleCredentials(ctx, cfg, devAccount, "AdministratorAccess", nil); !errors.Is(err, sso.ErrNoAccess) {
		t.Errorf("a role not given: %v; want ErrNoAccess", err)
	}
}

func TestPKCESignIn(t *testing.T) {
	sb := newSandbox(t, emulator.Options{})
	m := sb.manager(t.TempDir(), nil)
	cfg := sb.config("emu")
	var (
		authURL   string
		forged    int
		browseErr = make(chan error, 1)
	)
	lo := sso.LoginOptions{Flow: sso.FlowPKCE, Timeout: 30 * time.Second, OnAuthorizeURL: func(u string) {
		authURL = u
		go func() {
			// A request with another state is refused and does not end the wait.
			q, _ := url.Parse(u)
			redirect := q.Query().Get("redirect_uri")
			resp, err := http.Get(redirect + "?code=forged&state=not-ours")
			if err != nil {
				browseErr <- err
				return
			}
			forged = resp.StatusCode
			resp.Body.Close()
			// Then the browser follows the authorize page's redirect.
			resp, err = http.Get(u)
			if err != nil {
				browseErr <- err
				return
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || !strings.Contains(string(body), "You can close this tab") {
				browseErr <- fmt.Errorf("callback page %d: %s", resp.StatusCode, body)
				return
			}
			browseErr <- nil
		}()
	}}
	res, err := m.Login(context.Background(), cfg, lo)
	if err != nil {
		t.Fatal(err)
	}
	if err := <-browseErr; err != nil {
		t.Fatal(err)
	}
	if forged != http.StatusBadRequest {
		t.Errorf("a callback with a forged state got %d; want 400", forged)
	}
	u, _ := url.Parse(authURL)
	q := u.Query()
	for k, want := range map[string]string{"response_type": "code", "code_challenge_method": "S256", "scopes": "sso:account:access"} {
		if q.Get(k) != want {
			t.Errorf("authorize %s=%q; want %q", k, q.Get(k), want)
		}
	}
	if u.Path != "/authorize" || len(q.Get("code_challenge")) != 43 || len(q.Get("state")) != 36 ||
		!strings.HasPrefix(q.Get("redirect_uri"), "http://127.0.0.1:") || !strings.HasSuffix(q.Get("redirect_uri"), "/oauth/callback") {
		t.Errorf("authorize URL %s", authURL)
	}
	if res.Token.RefreshToken == "" {
		t.Error("no refresh token")
	}
	reg := readJSON(t, m.RegistrationPath(cfg))
	if fmt.Sprint(reg["grantTypes"]) != "[authorization_code refresh_token]" {
		t.Errorf("PKCE registration grantTypes %v", reg["grantTypes"])
	}
	sb.wantCalls(t, map[string]int{"sso-oidc:RegisterClient": 1, "sso-oidc:Authorize": 1, "sso-oidc:CreateToken": 1, "sso-oidc:StartDeviceAuthorization": 0})

	// A device sign-in cannot use the PKCE registration: it registers again.
	if _, err := m.Login(context.Background(), cfg, device()); err != nil {
		t.Fatal(err)
	}
	sb.wantCalls(t, map[string]int{"sso-oidc:RegisterClient": 2})
	if _, ok := readJSON(t, m.RegistrationPath(cfg))["grantTypes"]; ok {
		t.Error("the device registration did not replace the PKCE one")
	}
}

// rewriteToken edits the cached token file's members.
func rewriteToken(t *testing.T, path string, edit func(map[string]any)) {
	t.Helper()
	m := readJSON(t, path)
	edit(m)
	data, _ := json.Marshal(m)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestRefreshKeepsFields(t *testing.T) {
	sb := newSandbox(t, emulator.Options{})
	w := &warnings{}
	m := sb.manager(t.TempDir(), w)
	cfg := sb.config("emu")
	ctx := context.Background()
	first, err := m.Login(ctx, cfg, device())
	if err != nil {
		t.Fatal(err)
	}
	// Inside the refresh window, with a member ssoctl does not know.
	rewriteToken(t, m.TokenPath(cfg), func(tok map[string]any) {
		tok["expiresAt"] = time.Now().Add(5 * time.Minute).UTC().Format("2006-01-02T15:04:05Z")
		tok["receivedAt"] = "2024-01-01T00:00:00Z"
	})
	tok, err := m.Token(ctx, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if tok.AccessToken == first.Token.AccessToken || tok.RefreshToken == first.Token.RefreshToken || tok.RefreshToken == "" {
		t.Error("the token was not refreshed, or the refresh token not rotated")
	}
	if time.Until(tok.ExpiresAt) < 7*time.Hour {
		t.Errorf("refreshed token expires at %v", tok.ExpiresAt)
	}
	file := readJSON(t, m.TokenPath(cfg))
	if file["receivedAt"] != "2024-01-01T00:00:00Z" || file["accessToken"] != tok.AccessToken || file["clientId"] != first.Token.ClientID ||
		file["registrationExpiresAt"] == nil {
		t.Errorf("rewritten file lost or mangled members: %v", file)
	}
	sb.wantCalls(t, map[string]int{"sso-oidc:CreateToken": 2})

	// Fresh now: no second refresh.
	if _, err := m.Token(ctx, cfg, nil); err != nil {
		t.Fatal(err)
	}
	sb.wantCalls(t, map[string]int{"sso-oidc:CreateToken": 2})

	// Expired, with an expired registration: no refresh is tried, a
	// sign-in is required.
	rewriteToken(t, m.TokenPath(cfg), func(tok map[string]any) {
		tok["expiresAt"] = "2020-01-01T00:00:00Z"
		tok["registrationExpiresAt"] = "2020-01-01T00:00:00Z"
	})
	if _, err := m.Token(ctx, cfg, nil); !errors.Is(err, sso.ErrSignInRequired) || !strings.Contains(err.Error(), "expired at 2020-01-01T00:00:00Z") {
		t.Errorf("expired token: %v; want ErrSignInRequired", err)
	}
	sb.wantCalls(t, map[string]int{"sso-oidc:CreateToken": 2})
	if w.all() != "" {
		t.Errorf("warnings: %s", w.all())
	}
}

func TestCorruptCacheFiles(t *testing.T) {
	sb := newSandbox(t, emulator.Options{})
	w := &warnings{}
	home := t.TempDir()
	m := sb.manager(home, w)
	cfg := sb.config("emu")
	ctx := context.Background()
	for _, p := range []string{m.TokenPath(cfg), m.RegistrationPath(cfg), m.CredentialPath(cfg, devAccount, devRole)} {
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(`{"accessToken": "x", "expi`), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := m.RoleCredentials(ctx, cfg, devAccount, devRole, nil); !errors.Is(err, sso.ErrSignInRequired) {
		t.Fatalf("corrupt token: %v; want ErrSignInRequired", err)
	}
	if !strings.Contains(w.all(), "ignoring unreadable token cache: corrupt cache file") ||
		!strings.Contains(w.all(), "ignoring unreadable credential cache") {
		t.Errorf("warnings: %s", w.all())
	}
	lo := device()
	if _, err := m.RoleCredentials(ctx, cfg, devAccount, devRole, &lo); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{m.TokenPath(cfg), m.RegistrationPath(cfg), m.CredentialPath(cfg, devAccount, devRole)} {
		readJSON(t, p) // rewritten, valid
	}
	if !strings.Contains(w.all(), "ignoring unreadable client registration cache") {
		t.Errorf("warnings: %s", w.all())
	}
}

func TestLogout(t *testing.T) {
	sb := newSandbox(t, emulator.Options{})
	home := t.TempDir()
	m := sb.manager(home, nil)
	ctx := context.Background()
	emu, other := sb.config("emu"), sb.config("other")
	for _, c := range []sso.Config{emu, other} {
		if _, err := m.Login(ctx, c, device()); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := m.RoleCredentials(ctx, emu, devAccount, devRole, nil); err != nil {
		t.Fatal(err)
	}
	saved, _ := os.ReadFile(m.TokenPath(emu))
	foreign := filepath.Join(m.CredentialDir(), "assume-role.json")
	if err := os.WriteFile(foreign, []byte(`{"ProviderType": "assume-role", "Credentials": {}}`), 0o600); err != nil {
		t.Fatal(err)
	}

	res, err := m.Logout(ctx, &other)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Tokens) != 1 || res.SignedOut != 1 || res.Credentials != 1 {
		t.Errorf("logout of one session: %+v", res)
	}
	if _, err := os.Stat(m.TokenPath(emu)); err != nil {
		t.Error("the other session's token was removed")
	}
	if res, err = m.Logout(ctx, nil); err != nil || len(res.Tokens) != 1 || res.SignedOut != 1 {
		t.Errorf("logout of all: %+v, %v", res, err)
	}
	for _, p := range []string{m.TokenPath(emu), m.TokenPath(other), m.CredentialPath(emu, devAccount, devRole)} {
		if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s still there", p)
		}
	}
	for _, p := range []string{m.RegistrationPath(emu), foreign} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s removed: %v", p, err)
		}
	}
	sb.wantCalls(t, map[string]int{"sso:Logout": 2})

	// The signed-out token no longer works, nor does its refresh token.
	if err := os.WriteFile(m.TokenPath(emu), saved, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = sb.manager(home, nil).Accounts(ctx, emu, nil)
	if !errors.Is(err, sso.ErrSignInRequired) || !strings.Contains(err.Error(), "rejected") {
		t.Errorf("signed-out token: %v; want ErrSignInRequired (rejected)", err)
	}
}

// TestSingleFlight: 50 callers (each its own Manager, as separate
// processes would be) need credentials at once with no token; exactly one
// signs in and one fetches credentials. Then, with the token inside the
// refresh window, exactly one refreshes.
func TestSingleFlight(t *testing.T) {
	sb := newSandbox(t, emulator.Options{})
	home := t.TempDir()
	cfg := sb.config("emu")
	const n = 50
	run := func() []*sso.RoleCredentials {
		out := make([]*sso.RoleCredentials, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				lo := device()
				out[i], errs[i] = sb.manager(home, nil).RoleCredentials(context.Background(), cfg, devAccount, devRole, &lo)
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("caller %d: %v", i, err)
			}
			if out[i].AccessKeyID != out[0].AccessKeyID {
				t.Fatalf("caller %d got other credentials", i)
			}
		}
		return out
	}
	run()
	sb.wantCalls(t, map[string]int{"sso-oidc:RegisterClient": 1, "sso-oidc:StartDeviceAuthorization": 1, "sso-oidc:CreateToken": 1, "sso:GetRoleCredentials": 1})

	m := sb.manager(home, nil)
	rewriteToken(t, m.TokenPath(cfg), func(tok map[string]any) {
		tok["expiresAt"] = time.Now().Add(5 * time.Minute).UTC().Format("2006-01-02T15:04:05Z")
	})
	if err := os.Remove(m.CredentialPath(cfg, devAccount, devRole)); err != nil {
		t.Fatal(err)
	}
	run()
	sb.wantCalls(t, map[string]int{"sso-oidc:RegisterClient": 1, "sso-oidc:StartDeviceAuthorization": 1, "sso-oidc:CreateToken": 2, "sso:GetRoleCredentials": 2})
}

// A refresh that cannot reach sso-oidc says which endpoint to check, not
// "sign in again" (which would not help either).
func TestRefreshUnreachable(t *testing.T) {
	sb := newSandbox(t, emulator.Options{})
	home := t.TempDir()
	cfg := sb.config("emu")
	ctx := context.Background()
	if _, err := sb.manager(home, nil).Login(ctx, cfg, device()); err != nil {
		t.Fatal(err)
	}
	rewriteToken(t, sb.manager(home, nil).TokenPath(cfg), func(tok map[string]any) {
		tok["expiresAt"] = "2020-01-01T00:00:00Z"
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close()
	w := &warnings{}
	m := (&sandbox{url: closed}).manager(home, w)
	_, err = m.Token(ctx, cfg, nil)
	u, ok := awsclient.Unreachable(err)
	if !ok || errors.Is(err, sso.ErrSignInRequired) || !strings.HasPrefix(u.Error(), "cannot reach "+closed+" (SSO OIDC CreateToken): connection refused") {
		t.Errorf("err %v; want the unreachable endpoint, not a sign-in", err)
	}
	if w.all() != "" {
		t.Errorf("warnings %q; want none (the error says it)", w.all())
	}
	// With the endpoint back, the same token refreshes.
	if _, err := sb.manager(home, nil).Token(ctx, cfg, nil); err != nil {
		t.Errorf("refresh with the sandbox back: %v", err)
	}
}
