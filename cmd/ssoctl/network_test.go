package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ssoctl/ssoctl/internal/emulator"
	"github.com/ssoctl/ssoctl/internal/emulatortest"
)

// TestCredentialProcessSilentEndpoint: against an endpoint that accepts
// the connection and never answers, or answers the headers and stalls
// the body, credential-process ends in bounded time with one line naming
// the endpoint and what to check (it used to wait until killed). The
// timeouts are made short through the variables a person would set.
func TestCredentialProcessSilentEndpoint(t *testing.T) {
	bin, e := signedInShell(t)
	silent, _ := emulatortest.Silent(t)
	stalling, _ := emulatortest.Stalling(t)
	fast := []string{"SSOCTL_CONNECT_TIMEOUT=300ms", "SSOCTL_RESPONSE_TIMEOUT=300ms", "SSOCTL_ATTEMPT_TIMEOUT=600ms"}
	tests := []struct {
		name   string
		env    []string
		expire bool // the token must be refreshed first
		want   string
	}{
		{"silent portal", []string{"AWS_ENDPOINT_URL_SSO=" + silent},
			false, "cannot reach " + silent + " (SSO GetRoleCredentials): no answer within 300ms (2 attempts)"},
		{"stalled portal", []string{"AWS_ENDPOINT_URL_SSO=" + stalling},
			false, "cannot reach " + stalling + " (SSO GetRoleCredentials): no complete answer within 600ms (2 attempts)"},
		{"silent sso-oidc at refresh", []string{"AWS_ENDPOINT_URL_SSO_OIDC=" + silent},
			true, "cannot reach " + silent + " (SSO OIDC CreateToken): no answer within 300ms (2 attempts)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// No cached credentials: a call to the portal is needed.
			if err := os.RemoveAll(filepath.Dir(e.credentialPath())); err != nil {
				t.Fatal(err)
			}
			if tt.expire {
				e.editToken(t, func(m map[string]any) {
					m["expiresAt"] = time.Now().Add(-time.Minute).UTC().Format("2006-01-02T15:04:05Z")
				})
			}
			env := append(append(e.env(), fast...), tt.env...)
			stdout, stderr, code, elapsed := runBounded(t, 30*time.Second, env, bin, "credential-process", "--profile", "emu")
			want := "ssoctl: " + tt.want + "; check the network and any proxy (HTTPS_PROXY), the region, and --endpoint-url and the AWS_ENDPOINT_URL* variables\n"
			if code != 1 || stderr != want || stdout != "" {
				t.Errorf("exit %d, stdout %q, stderr\n%q;\nwant exit 1, no stdout, stderr\n%q", code, stdout, stderr, want)
			}
			if elapsed > 10*time.Second {
				t.Errorf("took %s; want the timeouts (2 × 300-600 ms) to end it", elapsed)
			}
		})
	}
}

// runBounded runs a command and returns its stdout, stderr, exit code and
// duration; a command still running after limit is killed and fails the
// test.
func runBounded(t *testing.T, limit time.Duration, env []string, name string, args ...string) (string, string, int, time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	elapsed := time.Since(start)
	if ctx.Err() != nil {
		t.Fatalf("%s %s: still running after %s (killed)\n%s", name, strings.Join(args, " "), limit, stderr.String())
	}
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return stdout.String(), stderr.String(), code, elapsed
}

// TestDebugPrintsNoSecrets: with --debug, a sign-in, a token refresh and
// role credentials print one line per AWS call attempt (service,
// operation, endpoint, attempt, status, duration, request id) and never
// the access token, the refresh token, the client secret, or the role's
// keys.
func TestDebugPrintsNoSecrets(t *testing.T) {
	bin := buildSSOCTL(t)
	e := newSignInEnv(t, emulator.Options{})
	e.writeConfig(t, "")
	env := e.env()
	var stderrs []string
	run := func(args ...string) string {
		t.Helper()
		stdout, stderr, code := e.run(t, env, bin, append(args, "--debug")...)
		if code != 0 {
			t.Fatalf("ssoctl %s: exit %d\n%s", strings.Join(args, " "), code, stderr)
		}
		stderrs = append(stderrs, stderr)
		return stdout
	}
	var secrets []string
	keep := func(path string, keys ...string) {
		t.Helper()
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(data, &m); err != nil {
			t.Fatal(err)
		}
		if c, ok := m["Credentials"].(map[string]any); ok {
			m = c
		}
		for _, k := range keys {
			s, _ := m[k].(string)
			if s == "" {
				t.Fatalf("%s has no %s", path, k)
			}
			secrets = append(secrets, s)
		}
	}

	run("login", "--profile", "emu")
	keep(e.tokenPath(), "accessToken", "refreshToken", "clientSecret")
	creds := parseProcess(t, run("credential-process", "--profile", "emu"))
	secrets = append(secrets, creds.SecretAccessKey, creds.SessionToken)
	run("roles", "--profile", "emu")
	// An expired token is refreshed (sso-oidc CreateToken with the
	// refresh token and the client secret), and new credentials fetched.
	e.editToken(t, func(m map[string]any) {
		m["expiresAt"] = time.Now().Add(-time.Minute).UTC().Format("2006-01-02T15:04:05Z")
	})
	if err := os.RemoveAll(filepath.Dir(e.credentialPath())); err != nil {
		t.Fatal(err)
	}
	run("export", "--profile", "emu")
	keep(e.tokenPath(), "accessToken", "refreshToken", "clientSecret")
	keep(e.credentialPath(), "SecretAccessKey", "SessionToken")

	all := strings.Join(stderrs, "")
	for _, s := range secrets {
		if strings.Contains(all, s) {
			t.Errorf("--debug printed a secret (%.6s…):\n%s", s, all)
		}
	}
	line := regexp.MustCompile(`(?m)^debug: (sso-oidc|sso) (\w+) attempt (\d+) to http://127\.0\.0\.1:\d+: HTTP (\d+)( \w+)? in \d+(\.\d+)?[µm]?s(, request id [\w-]+)?$`)
	for _, want := range []string{"sso-oidc RegisterClient", "sso-oidc StartDeviceAuthorization", "sso-oidc CreateToken", "sso GetRoleCredentials", "sso ListAccounts", "sso ListAccountRoles"} {
		found := false
		for _, m := range line.FindAllStringSubmatch(all, -1) {
			if m[1]+" "+m[2] == want && m[4] != "" {
				found = true
			}
		}
		if !found {
			t.Errorf("no --debug line for %s; got:\n%s", want, all)
		}
	}
	if !regexp.MustCompile(`(?m)^debug: sso GetRoleCredentials attempt 1 to \S+: HTTP 200 in \S+, request id \S+$`).MatchString(all) {
		t.Errorf("no --debug line with a request id; got:\n%s", all)
	}
}

// TestVersionNamesTheRevision: `ssoctl version` and `ssoctl --version` print
// the module version and, when the build recorded it, the VCS revision.
func TestVersionNamesTheRevision(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary; skipped with -short")
	}
	bin := filepath.Join(t.TempDir(), "ssoctl")
	if out, err := exec.Command("go", "build", "-buildvcs=true", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Skipf("go build -buildvcs=true: %v (not in a VCS checkout?)\n%s", err, out)
	}
	info, err := exec.Command("go", "version", "-m", bin).Output()
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^\s+build\s+vcs\.revision=([0-9a-f]+)$`).FindSubmatch(info)
	if m == nil {
		t.Skip("the build recorded no VCS revision (a git worktree, or no git)")
	}
	rev := string(m[1])[:12]
	for _, args := range [][]string{{"version"}, {"--version"}} {
		out, err := exec.Command(bin, args...).Output()
		if err != nil {
			t.Fatal(err)
		}
		if !regexp.MustCompile(`^ssoctl \S+ \(revision ` + rev + `, \d{4}-\d\d-\d\dT[\d:]+Z(, modified)?\)\n$`).Match(out) {
			t.Errorf("ssoctl %s printed %q; want the version and revision %s", args[0], out, rev)
		}
	}
}
