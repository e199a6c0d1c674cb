package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ssoctl/ssoctl/internal/emulator"
	"github.com/ssoctl/ssoctl/internal/emulatortest"
	"github.com/ssoctl/ssoctl/internal/peertest"
)

// TestAssignmentsApplyInterrupted: `assignments apply` interrupted with
// SIGINT half-way (some creates sent, others not) exits 130; run again, it
// finishes the work — nothing created twice, nothing FAILED — and a plan
// then shows no changes.
func TestAssignmentsApplyInterrupted(t *testing.T) {
	bin := buildSSOCTL(t)
	sb := emulatortest.Start(t, emulator.Options{PendingPolls: 3, Latency: 20 * time.Millisecond})
	home := t.TempDir()
	env := []string{"HOME=" + home, "PATH=/usr/local/bin:/usr/bin:/bin", "AWS_EC2_METADATA_DISABLED=true", "SSOCTL_RATE_SCALE=50"}
	env = append(env, sb.Env()...)
	// Every person ReadOnlyAccess on the five Workloads accounts: 190
	// creates, about 13 rounds of 15 outstanding requests.
	file := filepath.Join(home, "everyone.yaml")
	var users []string
	for _, u := range emulator.Generate("small", 0).Users {
		users = append(users, u.UserName)
	}
	body := fmt.Sprintf("- Users: [%s]\n  PermissionSets: [ReadOnlyAccess]\n  RecursiveOUs: [Root/Workloads]\n", strings.Join(users, ", "))
	if err := os.WriteFile(file, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "assignments", "apply", "-f", file, "--yes")
	cmd.Env = env
	var stderr syncBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Interrupt once some creates were sent.
	for peertest.Stats(t, sb.URL).Calls["sso-admin:CreateAccountAssignment"] < 20 {
		if ctx.Err() != nil {
			t.Fatalf("no creates were sent; stderr:\n%s", stderr.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 130 {
		t.Fatalf("got %v; want exit 130 after SIGINT\n%s", err, stderr.String())
	}
	sent := peertest.Stats(t, sb.URL).Calls["sso-admin:CreateAccountAssignment"]
	if sent >= 190 {
		t.Fatalf("%d creates were sent before the interrupt took effect; want it half-way", sent)
	}

	t.Logf("%d creates sent before the interrupt; its report:\n%s", sent, stderr.String())
	e := &signInEnv{url: sb.URL, home: home}
	_, errOut, code := e.run(t, env, bin, "assignments", "apply", "-f", file, "--yes")
	if code != 0 {
		t.Fatalf("the second apply exited %d:\n%s", code, errOut)
	}
	t.Logf("the second apply: %s", errOut)
	if !strings.Contains(errOut, " 0 failed, 0 not started") {
		t.Errorf("the second apply: %s; want nothing failed", errOut)
	}
	total := peertest.Stats(t, sb.URL).Calls["sso-admin:CreateAccountAssignment"]
	if total > 190+15 {
		t.Errorf("%d creates sent in all; want at most 190 plus the %d left in flight", total, 15)
	}
	out, errOut, code := e.run(t, env, bin, "assignments", "plan", "-f", file, "--detailed-exitcode")
	if code != 0 || !strings.Contains(out, "No changes: Identity Center has the 190 assignments the file declares.") {
		t.Errorf("plan after the re-run: exit %d\n%s%s", code, out, errOut)
	}
	// No duplicate: each (account, permission set) lists each user once.
	out, _, _ = e.run(t, env, bin, "admin", "assignments", "-p", "^ReadOnlyAccess$", "--ou", "Workloads", "--ou-recursive")
	seen := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n")[1:] {
		if seen[line] {
			t.Errorf("listed twice: %s", line)
		}
		seen[line] = true
	}
}
