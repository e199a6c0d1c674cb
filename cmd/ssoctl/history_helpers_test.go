package main

import (
	"errors"
	"os"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
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
