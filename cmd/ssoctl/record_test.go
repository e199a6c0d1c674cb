package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/ssoctl/ssoctl/internal/cli"
	"github.com/ssoctl/ssoctl/internal/iostreams"
)

// recordMain is ssoctl as the scripts run it: main, except that with
// SSOCTL_RECORD set (bench/compare_outputs.sh sets it) each run's stdout is
// also written to $SSOCTL_RECORD/<script>/<n>.out, after a line holding its
// arguments, so the outputs of two builds over the same scripts can be
// compared byte for byte.
func recordMain() {
	dir := os.Getenv("SSOCTL_RECORD")
	if dir == "" {
		main()
		return
	}
	script := strings.TrimPrefix(filepath.Base(os.Getenv("WORK")), "script-")
	f, err := recordFile(filepath.Join(dir, script))
	if err != nil {
		fmt.Fprintln(os.Stderr, "record:", err)
		os.Exit(1)
	}
	fmt.Fprintf(f, "# ssoctl %s\n", strings.Join(os.Args[1:], " "))
	ios := iostreams.System()
	ios.Out = io.MultiWriter(os.Stdout, f)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], ios)
	stop()
	fmt.Fprintf(f, "# exit %d\n", code)
	f.Close()
	os.Exit(code)
}

// recordFile creates the next free <n>.out in dir.
func recordFile(dir string) (*os.File, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	for n := 1; ; n++ {
		f, err := os.OpenFile(filepath.Join(dir, fmt.Sprintf("%03d.out", n)), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if !os.IsExist(err) {
			return f, err
		}
	}
}
