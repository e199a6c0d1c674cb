package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ssoctl/ssoctl/internal/peertest"

	"github.com/ssoctl/ssoctl/internal/emulator"
	"github.com/ssoctl/ssoctl/internal/emulatortest"
)

// Helpers for the tests that run the real ssoctl binary as separate
// processes next to other clients (boto3, the AWS CLI v2).

// buildSSOCTL builds the ssoctl binary into a temporary folder.
func buildSSOCTL(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary; skipped with -short")
	}
	bin := filepath.Join(t.TempDir(), "ssoctl")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// signInEnv is a sandbox and a home folder for sign-in processes.
type signInEnv struct {
	url  string
	home string
}

// The small demo organization's payments-dev account, where dave.miller
// has Developer through a group.
const (
	peerAccount = "640775136188"
	peerRole    = "Developer"
)

func newSignInEnv(t *testing.T, opts emulator.Options) *signInEnv {
	t.Helper()
	if opts.SignInAs == "" {
		opts.SignInAs = "dave.miller"
	}
	sb := emulatortest.Start(t, opts)
	e := &signInEnv{url: sb.URL, home: t.TempDir()}
	if err := os.MkdirAll(filepath.Join(e.home, ".aws"), 0o700); err != nil {
		t.Fatal(err)
	}
	return e
}

// writeConfig writes ~/.aws/config: profile emu (sso-session emu,
// payments-dev Developer) and any extra text.
func (e *signInEnv) writeConfig(t *testing.T, extra string) {
	t.Helper()
	cfg := `[profile emu]
sso_session = emu
sso_account_id = ` + peerAccount + `
sso_role_name = ` + peerRole + `
region = us-east-1

[sso-session emu]
sso_start_url = ` + e.url + `/start
sso_region = us-east-1
sso_registration_scopes = sso:account:access
` + extra
	if err := os.WriteFile(filepath.Join(e.home, ".aws", "config"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
}

// env is a hermetic environment: the home folder, the sandbox's portal and
// OIDC endpoints, no display, and a plain PATH.
func (e *signInEnv) env() []string {
	return []string{
		"HOME=" + e.home,
		"PATH=/usr/local/bin:/usr/bin:/bin",
		"LANG=C.UTF-8",
		"AWS_CONFIG_FILE=" + filepath.Join(e.home, ".aws", "config"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(e.home, ".aws", "credentials"),
		"AWS_ENDPOINT_URL_SSO=" + e.url,
		"AWS_ENDPOINT_URL_SSO_OIDC=" + e.url,
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_PAGER=",
	}
}

// run runs a command in the environment and returns stdout, stderr and the
// exit code.
func (e *signInEnv) run(t *testing.T, env []string, name string, args ...string) (string, string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("%s %s: timed out\n%s", name, strings.Join(args, " "), stderr.String())
	}
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return stdout.String(), stderr.String(), code
}

// calls returns the sandbox's call counts.
func (e *signInEnv) calls(t *testing.T) map[string]int { return peertest.Stats(t, e.url).Calls }

func (e *signInEnv) wantCalls(t *testing.T, want map[string]int) { peertest.WantCalls(t, e.url, want) }

// processCredentials is credential_process's output.
type processCredentials struct {
	Version         int
	AccessKeyID     string `json:"AccessKeyId"`
	SecretAccessKey string
	SessionToken    string
	Expiration      string
}

func parseProcess(t *testing.T, out string) processCredentials {
	t.Helper()
	var p processCredentials
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatalf("credential-process output %q: %v", out, err)
	}
	if _, err := time.Parse(time.RFC3339, p.Expiration); p.Version != 1 || !strings.HasPrefix(p.AccessKeyID, "ASIA") ||
		p.SecretAccessKey == "" || p.SessionToken == "" || err != nil {
		t.Fatalf("credential-process output %q is not Version 1 credentials", out)
	}
	return p
}

// tokenPath is the cached token of sso-session emu: sha1("emu").
func (e *signInEnv) tokenPath() string {
	return filepath.Join(e.home, ".aws", "sso", "cache", "6551e797240051925b8a62615f4c8baaa4c1698c.json")
}

// credentialPath is the cached payments-dev Developer credentials of
// sso-session emu.
func (e *signInEnv) credentialPath() string {
	return filepath.Join(e.home, ".aws", "cli", "cache", "18d345ca6b5f7f5d66b4e8654bb487919e078285.json")
}

// editToken rewrites members of the cached token.
func (e *signInEnv) editToken(t *testing.T, edit func(map[string]any)) {
	t.Helper()
	data, err := os.ReadFile(e.tokenPath())
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	edit(m)
	if data, err = json.Marshal(m); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(e.tokenPath(), data, 0o600); err != nil {
		t.Fatal(err)
	}
}
