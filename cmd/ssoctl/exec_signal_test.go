package main

import (
	"bytes"
	"context"
	"errors"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ssoctl/ssoctl/internal/emulator"
)

// TestExecForwardsSIGTERM: a SIGTERM sent to `ssoctl exec` alone (as a
// supervisor sends it) reaches the command, and ssoctl exits with the
// command's status once it has finished.
func TestExecForwardsSIGTERM(t *testing.T) {
	bin, e := signedInShell(t)

	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "exec", "--profile", "emu", "--",
		"sh", "-c", `trap 'echo got-term; exit 42' TERM; echo ready; while :; do sleep 0.05; done`)
	cmd.Env = e.env()
	var out syncBuffer
	cmd.Stdout = &out
	// If the command never gets the signal, the context kills ssoctl and
	// WaitDelay stops waiting for the orphaned command's output.
	cmd.WaitDelay = time.Second
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for !strings.Contains(out.String(), "ready\n") {
		if ctx.Err() != nil {
			t.Fatalf("the command never started; output %q", out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 42 {
		t.Fatalf("got %v; want ssoctl to exit 42, the command's status", err)
	}
	rest := out.String()
	if !strings.Contains(rest, "got-term") {
		t.Errorf("got output %q; want the command to have received SIGTERM", rest)
	}
}

// signedInShell builds ssoctl and signs it in to a sandbox (profile emu),
// for the signal tests, whose commands are sh scripts.
func signedInShell(t *testing.T) (string, *signInEnv) {
	t.Helper()
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("sh not found")
	}
	bin := buildSSOCTL(t)
	e := newSignInEnv(t, emulator.Options{})
	e.writeConfig(t, "")
	if _, stderr, code := e.run(t, e.env(), bin, "credential-process", "--profile", "emu", "--login"); code != 0 {
		t.Fatalf("sign in: exit %d\n%s", code, stderr)
	}
	return bin, e
}

// syncBuffer is a bytes.Buffer safe to read while a process writes to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
