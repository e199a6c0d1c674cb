package main

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestEachStopSignals: Ctrl-C or SIGTERM during `ssoctl each` (the real
// binary) starts no new run, passes the signal on to the running commands
// so that their own clean-up runs, kills those still running after
// --grace or at a second Ctrl-C, reports every run as interrupted and
// exits 130.
func TestEachStopSignals(t *testing.T) {
	bin, e := signedInShell(t)

	// each runs COMMAND for payments-* (6 roles in 3 accounts), 2 at a
	// time; the command says it runs by writing NAME.ready in dir, and
	// what its trap does.
	start := func(t *testing.T, grace, trap string) (cmd *exec.Cmd, stderr *syncBuffer, dir string) {
		dir = t.TempDir()
		script := `n=$SSOCTL_ACCOUNT_NAME-$SSOCTL_ROLE_NAME; ` + trap + `; touch "$DIR/$n.ready"; while :; do sleep 0.05; done`
		cmd = exec.Command(bin, "each", "--sso-session", "emu", "--account-name", "^payments-", "--parallel", "2", "--grace", grace, "--", "sh", "-c", script)
		cmd.Env = append(e.env(), "DIR="+dir)
		stderr = &syncBuffer{}
		cmd.Stderr = stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cmd.Process.Kill() })
		waitFiles(t, dir, ".ready", 2, stderr)
		return cmd, stderr, dir
	}
	// wait waits for ssoctl (at most a minute: --grace is longer where the
	// test says it must end at once) and checks it exited 130.
	wait := func(t *testing.T, cmd *exec.Cmd, stderr *syncBuffer) string {
		t.Helper()
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		var err error
		select {
		case err = <-done:
		case <-time.After(time.Minute):
			_ = cmd.Process.Kill()
			t.Fatalf("ssoctl each still running a minute after the signal\n%s", stderr.String())
		}
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 130 {
			t.Fatalf("got %v; want exit 130\n%s", err, stderr.String())
		}
		return stderr.String()
	}
	// Of the 6 runs, the first 2 ran and were interrupted; the other 4
	// were never started.
	wantReport := func(t *testing.T, stderr, how string, dir string) {
		t.Helper()
		for _, want := range []string{
			"interrupted: payments-dev/Developer: interrupted (" + how,
			"interrupted: payments-dev/SeniorDeveloper: interrupted (" + how,
			"interrupted: payments-prod/ProductionSupport: not run: interrupted",
			"interrupted: payments-staging/SeniorDeveloper: not run: interrupted",
			"0 ok, 0 failed, 6 interrupted, ",
			"ssoctl: interrupted",
		} {
			if !strings.Contains(stderr, want) {
				t.Errorf("stderr lacks %q:\n%s", want, stderr)
			}
		}
		ready, _ := filepath.Glob(filepath.Join(dir, "*.ready"))
		if len(ready) != 2 {
			t.Errorf("%d runs started (%q); want 2: none after the signal", len(ready), ready)
		}
	}

	t.Run("SIGINT reaches the commands' clean-up", func(t *testing.T) {
		cmd, stderr, dir := start(t, "10s", `trap 'echo cleaned > "$DIR/$n.clean"; exit 7' INT`)
		if err := cmd.Process.Signal(os.Interrupt); err != nil {
			t.Fatal(err)
		}
		out := wait(t, cmd, stderr)
		wantReport(t, out, "SIGINT), exit status 7", dir)
		for _, n := range []string{"payments-dev-Developer", "payments-dev-SeniorDeveloper"} {
			if b, err := os.ReadFile(filepath.Join(dir, n+".clean")); err != nil || string(b) != "cleaned\n" {
				t.Errorf("%s's INT trap did not run: %q, %v", n, b, err)
			}
		}
	})

	t.Run("a second SIGINT kills at once", func(t *testing.T) {
		// The commands ignore INT (after noting it); the grace is far
		// longer than the test waits.
		cmd, stderr, dir := start(t, "1h", `trap 'echo got-int >> "$DIR/$n.int"' INT`)
		if err := cmd.Process.Signal(os.Interrupt); err != nil {
			t.Fatal(err)
		}
		waitFiles(t, dir, ".int", 2, stderr)
		if err := cmd.Process.Signal(os.Interrupt); err != nil {
			t.Fatal(err)
		}
		out := wait(t, cmd, stderr)
		wantReport(t, out, "SIGINT, then SIGKILL at a second SIGINT), exit status 137", dir)
	})

	t.Run("SIGTERM, then killed after the grace period", func(t *testing.T) {
		cmd, stderr, dir := start(t, "1s", `trap 'echo got-term >> "$DIR/$n.term"' TERM`)
		if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		out := wait(t, cmd, stderr)
		wantReport(t, out, "SIGTERM, then SIGKILL after 1s), exit status 137", dir)
		terms, _ := filepath.Glob(filepath.Join(dir, "*.term"))
		if len(terms) != 2 {
			t.Errorf("%d commands noted SIGTERM; want 2", len(terms))
		}
	})
}

// waitFiles waits until dir holds n files named *suffix.
func waitFiles(t *testing.T, dir, suffix string, n int, stderr *syncBuffer) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for {
		got, _ := filepath.Glob(filepath.Join(dir, "*"+suffix))
		if len(got) >= n {
			return
		}
		if ctx.Err() != nil {
			t.Fatalf("%d of %d *%s files after a minute\n%s", len(got), n, suffix, stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}
