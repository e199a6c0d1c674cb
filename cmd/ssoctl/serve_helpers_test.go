package main

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/rogpeppe/go-internal/testscript"
)

// Commands for the scripts of serve-credentials, which runs in the
// background and prints its export lines while it serves.

// cmdWaitMatch waits (up to a minute) until FILE holds a match of REGEX:
// waitmatch FILE REGEX.
func cmdWaitMatch(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: waitmatch FILE REGEX")
	}
	re, err := regexp.Compile("(?m)" + args[1])
	ts.Check(err)
	path := ts.MkAbs(args[0])
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(10 * time.Millisecond) {
		if data, err := os.ReadFile(path); err == nil && re.Match(data) {
			return
		}
		if time.Now().After(deadline) {
			ts.Fatalf("waitmatch: %s did not match %s within a minute", args[0], args[1])
		}
	}
}

// cmdEnvFile sets the variables of FILE's `export NAME=VALUE` lines in the
// script's environment, as eval "$(cat FILE)" would: envfile FILE.
func cmdEnvFile(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: envfile FILE")
	}
	for _, line := range strings.Split(ts.ReadFile(args[0]), "\n") {
		if kv, ok := strings.CutPrefix(line, "export "); ok {
			k, v, _ := strings.Cut(kv, "=")
			ts.Setenv(k, v)
		}
	}
}

// callerLoop calls sts GetCallerIdentity N times, INTERVAL apart, with the
// Go SDK's default credential chain (the container endpoint under exec
// --serve), and prints how many calls succeeded and how many different
// access keys they were signed with: loopcalls N INTERVAL.
func callerLoop() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: loopcalls N INTERVAL")
		os.Exit(2)
	}
	n, err := strconv.Atoi(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "usage: loopcalls N INTERVAL")
		os.Exit(2)
	}
	interval, err := time.ParseDuration(os.Args[2])
	if err != nil {
		fmt.Fprintln(os.Stderr, "usage: loopcalls N INTERVAL")
		os.Exit(2)
	}
	set := awsClients()
	ctx := context.Background()
	keys := map[string]bool{}
	var arn string
	for i := range n {
		if i > 0 {
			time.Sleep(interval)
		}
		c, err := set.Config.Credentials.Retrieve(ctx)
		if err != nil {
			fmt.Fprintln(os.Stderr, "loopcalls:", err)
			os.Exit(1)
		}
		keys[c.AccessKeyID] = true
		out, err := set.STS().GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			fmt.Fprintf(os.Stderr, "loopcalls: call %d: %v\n", i+1, err)
			os.Exit(1)
		}
		arn = aws.ToString(out.Arn)
	}
	fmt.Printf("%d calls ok, %d keys, %s\n", n, len(keys), arn)
}
