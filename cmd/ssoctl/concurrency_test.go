package main

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ssoctl/ssoctl/internal/emulator"
)

// TestSignInProcesses is the proof of single flight across
// processes: 100 `ssoctl credential-process --login` processes start at
// once with no token against a sandbox that approves at once; exactly one
// signs in and one fetches credentials, every process prints them, and no
// cache file is corrupt. Then 100 more with the token inside the refresh
// window: exactly one refresh.
func TestSignInProcesses(t *testing.T) {
	start := time.Now()
	bin := buildSSOCTL(t)
	e := newSignInEnv(t, emulator.Options{})
	e.writeConfig(t, "")
	const n = 100

	storm := func() {
		t.Helper()
		var wg sync.WaitGroup
		outs, errs := make([]string, n), make([]string, n)
		codes := make([]int, n)
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Second)
		defer cancel()
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				cmd := exec.CommandContext(ctx, bin, "credential-process", "--profile", "emu", "--login")
				cmd.Env = e.env()
				var so, se strings.Builder
				cmd.Stdout, cmd.Stderr = &so, &se
				if err := cmd.Run(); err != nil {
					codes[i] = -1
					if ee, ok := err.(*exec.ExitError); ok {
						codes[i] = ee.ExitCode()
					}
				}
				outs[i], errs[i] = so.String(), se.String()
			}()
		}
		wg.Wait()
		var first processCredentials
		for i := range n {
			if codes[i] != 0 {
				t.Fatalf("process %d: exit %d\n%s", i, codes[i], errs[i])
			}
			p := parseProcess(t, outs[i])
			if i == 0 {
				first = p
			} else if p != first {
				t.Fatalf("process %d printed other credentials than process 0", i)
			}
		}
		// Every cache file is whole JSON; no temporary or lock file is left.
		for _, dir := range []string{filepath.Join(e.home, ".aws", "sso", "cache"), filepath.Join(e.home, ".aws", "cli", "cache")} {
			entries, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			for _, de := range entries {
				name := de.Name()
				switch {
				case strings.HasSuffix(name, ".json") && !strings.HasPrefix(name, "."):
					data, _ := os.ReadFile(filepath.Join(dir, name))
					var m map[string]any
					if err := json.Unmarshal(data, &m); err != nil {
						t.Errorf("%s/%s is corrupt: %v", dir, name, err)
					}
				default:
					t.Errorf("%s/%s left behind", dir, name)
				}
			}
		}
	}

	storm()
	e.wantCalls(t, map[string]int{
		"sso-oidc:RegisterClient": 1, "sso-oidc:StartDeviceAuthorization": 1, "sso-oidc:CreateToken": 1, "sso:GetRoleCredentials": 1,
	})
	t.Logf("%d processes with no token: one sign-in, %v", n, time.Since(start).Round(time.Millisecond))

	// The token inside the refresh window (5 minutes left), credentials gone.
	e.editToken(t, func(m map[string]any) {
		m["expiresAt"] = time.Now().Add(5 * time.Minute).UTC().Format("2006-01-02T15:04:05Z")
	})
	if err := os.Remove(e.credentialPath()); err != nil {
		t.Fatal(err)
	}
	mid := time.Now()
	storm()
	e.wantCalls(t, map[string]int{
		"sso-oidc:RegisterClient": 1, "sso-oidc:StartDeviceAuthorization": 1, "sso-oidc:CreateToken": 2, "sso:GetRoleCredentials": 2,
	})
	t.Logf("%d processes with a token to refresh: one refresh, %v; total %v", n, time.Since(mid).Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
}
