package main

import (
	"errors"
	"os"
	"strconv"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/ssoctl/ssoctl/internal/emulatortest"
)

// cmdWaitFile waits until FILE exists: waitfile FILE (for example the
// journal SQLite holds while a snapshot is being written). It gives up
// after a minute, which only a broken run reaches.
func cmdWaitFile(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: waitfile FILE")
	}
	path := ts.MkAbs(args[0])
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(5 * time.Millisecond) {
		_, err := os.Stat(path)
		if err == nil {
			return
		}
		if !errors.Is(err, os.ErrNotExist) {
			ts.Fatalf("waitfile: %v", err)
		}
		if time.Now().After(deadline) {
			ts.Fatalf("waitfile: %s did not appear within a minute", args[0])
		}
	}
}

// cmdSandboxDiesAfter replaces the script's sandbox with one that dies
// once it has answered the N-th call of operation OP (emulatortest.
// ServeDying), configured like sandbox-restart:
// sandbox-dies-after OP N [NAME=VALUE...].
func cmdSandboxDiesAfter(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: sandbox-dies-after OP N [NAME=VALUE...]")
	}
	n, err := strconv.Atoi(args[1])
	ts.Check(err)
	o := sandboxOptions(ts, args[2:])
	sb, stop, err := emulatortest.ServeDying(o, args[0], n)
	ts.Check(err)
	ts.Defer(stop)
	exportSandbox(sb, ts.Setenv)
}
