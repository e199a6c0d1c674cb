package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
)

// terminalQuery matches the escape sequences that ask a terminal something
// and wait for its answer: OSC colour queries (ESC ] 10;? / 11;? / 4;N;?),
// device status and cursor position (CSI 5n / 6n), device attributes
// (CSI c, CSI > c), mode and version requests (CSI ? … $p, CSI > q), the
// kitty keyboard query (CSI ? u), window-size reports (CSI 14t / 18t) and
// XTGETTCAP (ESC P + q). A terminal that does not answer leaves the
// program that asked waiting for its timeout.
var terminalQuery = regexp.MustCompile(`\x1b\][0-9;]*\?|\x1b\[\??[0-9;]*n|\x1b\[[>=]?[0-9;]*c|\x1b\[\??[0-9;]*\$p|\x1b\[>[0-9;]*q|\x1b\[\?u|\x1b\[1[48]t|\x1bP\+q`)

// TestNoTerminalQueriesAtATerminal runs commands with stdin, stdout and
// stderr on a real pty that answers nothing, as a terminal that does not
// answer colour queries: nothing may ask the terminal anything (a library's
// package init did: ESC ]11;? and ESC [6n, then a 5 s stall), and each
// command ends long before such a stall would.
func TestNoTerminalQueriesAtATerminal(t *testing.T) {
	bin, e := signedInShell(t)
	env := append(e.env(), "TERM=xterm-256color", "COLORTERM=truecolor")
	for _, args := range [][]string{
		{"version"},
		{"roles", "--profile", "emu"},
		{"export", "--profile", "emu"},
	} {
		t.Run(args[0], func(t *testing.T) {
			out, elapsed, code := runAtPTY(t, env, bin, args...)
			if code != 0 {
				t.Fatalf("ssoctl %s: exit %d\n%q", strings.Join(args, " "), code, out)
			}
			if q := terminalQuery.FindAll(out, -1); len(q) > 0 {
				t.Errorf("ssoctl %s wrote terminal queries %q; want none (output %q)", strings.Join(args, " "), q, out)
			}
			// The stall was 5 s; a generous bound keeps a loaded machine
			// from failing this (BENCHMARKS.md has the real figures).
			if elapsed > 3*time.Second {
				t.Errorf("ssoctl %s took %s at a terminal; want well under the 5 s query timeout", strings.Join(args, " "), elapsed.Round(time.Millisecond))
			}
		})
	}
}

// runAtPTY runs name with a new pty as its controlling terminal and its
// stdin, stdout and stderr, and returns what it wrote there, how long it
// ran, and its exit code. The pty never answers a query.
func runAtPTY(t *testing.T, env []string, name string, args ...string) ([]byte, time.Duration, int) {
	t.Helper()
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pty: %v", err)
	}
	defer ptmx.Close()
	if err := pty.Setsize(ptmx, &pty.Winsize{Rows: 40, Cols: 120}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = env
	cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		tty.Close()
		t.Fatal(err)
	}
	tty.Close() // the child holds it; reads of ptmx end when it exits
	var out bytes.Buffer
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		_, _ = io.Copy(&out, ptmx) // ends with EIO once the child is gone
	}()
	err = cmd.Wait()
	elapsed := time.Since(start)
	<-copied
	if ctx.Err() != nil {
		t.Fatalf("%s %s: still running after 60 s\n%q", name, strings.Join(args, " "), out.Bytes())
	}
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.Bytes(), elapsed, code
}
