package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ssoctl/ssoctl/internal/emulator"
)

// holdingProxy sits between ssoctl and the sandbox. While holding, it
// answers sso-oidc CreateToken (POST /token) only after hold has passed
// since the sandbox answered it, and says on answered when the sandbox has:
// the moment the sandbox has rotated the refresh token and the answer
// carrying the new one is on its way, when a real network would take its
// time.
type holdingProxy struct {
	upstream string
	hold     time.Duration

	mu       sync.Mutex
	holding  bool
	answered chan struct{}
}

func (p *holdingProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	req, err := http.NewRequestWithContext(context.WithoutCancel(r.Context()), r.Method, p.upstream+r.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	req.Header = r.Header.Clone()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	p.mu.Lock()
	hold := p.holding && r.URL.Path == "/token"
	answered := p.answered
	p.mu.Unlock()
	if hold {
		answered <- struct{}{}
		time.Sleep(p.hold)
	}
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(out)
}

// setHolding turns holding on or off; on, it returns the channel answered
// CreateTokens are reported on.
func (p *holdingProxy) setHolding(on bool) chan struct{} {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.holding = on
	p.answered = make(chan struct{}, 4)
	return p.answered
}

// TestRefreshSurvivesInterrupt: SIGINT or SIGTERM reaching
// `credential-process` while it refreshes the token (the sandbox has
// rotated the refresh token; its answer is still on the way) does not lose
// the session: the process takes the answer, writes the new token and only
// then stops (exit 130), and the next call uses the session without a
// sign-in. (Before: the interrupt cut the exchange short, the new refresh
// token was never written, the old one no longer worked: exit 4, sign in
// again.) Real signals against the real binary, several times each.
func TestRefreshSurvivesInterrupt(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("POSIX signals")
	}
	bin := buildSSOCTL(t)
	e := newSignInEnv(t, emulator.Options{})
	proxy := &holdingProxy{upstream: e.url, hold: 300 * time.Millisecond}
	srv := httptest.NewServer(proxy)
	defer srv.Close()
	e.writeConfig(t, "")
	env := e.env()
	for i, kv := range env {
		if strings.HasPrefix(kv, "AWS_ENDPOINT_URL_SSO") {
			k, _, _ := strings.Cut(kv, "=")
			env[i] = k + "=" + srv.URL
		}
	}
	if _, stderr, code := e.run(t, env, bin, "login", "--profile", "emu"); code != 0 {
		t.Fatalf("ssoctl login: exit %d\n%s", code, stderr)
	}

	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		for round := range 4 {
			t.Run(fmt.Sprintf("%v-%d", sig, round), func(t *testing.T) {
				// The token inside the refresh window, no credentials
				// cached: the call refreshes first.
				e.editToken(t, func(m map[string]any) {
					m["expiresAt"] = time.Now().Add(5 * time.Minute).UTC().Format("2006-01-02T15:04:05Z")
				})
				if err := os.Remove(e.credentialPath()); err != nil && !os.IsNotExist(err) {
					t.Fatal(err)
				}
				before := e.refreshToken(t)
				answered := proxy.setHolding(true)
				ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
				defer cancel()
				cmd := exec.CommandContext(ctx, bin, "credential-process", "--profile", "emu")
				cmd.Env = env
				var stderr bytes.Buffer
				cmd.Stderr = &stderr
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				select {
				case <-answered:
				case <-time.After(30 * time.Second):
					_ = cmd.Process.Kill()
					t.Fatalf("no refresh seen\n%s", stderr.String())
				}
				if err := cmd.Process.Signal(sig); err != nil {
					t.Fatal(err)
				}
				err := cmd.Wait()
				proxy.setHolding(false)
				if code := cmd.ProcessState.ExitCode(); code != 130 {
					t.Errorf("credential-process after %v: exit %d (%v); want 130\n%s", sig, code, err, stderr.String())
				}
				if after := e.refreshToken(t); after == before {
					t.Errorf("the rotated refresh token was not written: the cache still holds the one the sandbox no longer takes")
				}
				// The session goes on: with the access token expired, the
				// next call refreshes with the refresh token written, no
				// sign-in.
				e.editToken(t, func(m map[string]any) {
					m["expiresAt"] = time.Now().Add(-time.Minute).UTC().Format("2006-01-02T15:04:05Z")
				})
				if err := os.Remove(e.credentialPath()); err != nil && !os.IsNotExist(err) {
					t.Fatal(err)
				}
				if _, stderr, code := e.run(t, env, bin, "credential-process", "--profile", "emu"); code != 0 {
					t.Fatalf("the next credential-process: exit %d; want 0 (the session lost)\n%s", code, stderr)
				}
			})
		}
	}
}

// refreshToken is the refresh token in the cached token of sso-session emu.
func (e *signInEnv) refreshToken(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(e.tokenPath())
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		RefreshToken string `json:"refreshToken"`
	}
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	return m.RefreshToken
}
