package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/rogpeppe/go-internal/testscript"

	"github.com/ssoctl/ssoctl/internal/awsclient"
)

// Programs for `ssoctl each` to run in the scripts (and in bench/each.sh).

// echoEnv prints the values of the variables it names on one line:
// echoenv NAME....
func echoEnv() {
	vals := make([]string, 0, len(os.Args)-1)
	for _, name := range os.Args[1:] {
		vals = append(vals, os.Getenv(name))
	}
	fmt.Println(strings.Join(vals, " "))
}

// exitIf exits N when the variable NAME has VALUE, after saying so on
// stderr, and 0 otherwise: exitif NAME=VALUE N.
func exitIf() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: exitif NAME=VALUE N")
		os.Exit(2)
	}
	name, value, _ := strings.Cut(os.Args[1], "=")
	n, err := strconv.Atoi(os.Args[2])
	if err != nil {
		fmt.Fprintln(os.Stderr, "usage: exitif NAME=VALUE N")
		os.Exit(2)
	}
	if os.Getenv(name) == value {
		fmt.Fprintf(os.Stderr, "exitif: %s is %s: exit %d\n", name, value, n)
		os.Exit(n)
	}
}

// awsClients builds clients the way any SDK program does: the default
// credential chain (the variables `ssoctl each` sets) and AWS_ENDPOINT_URL.
func awsClients() *awsclient.Set {
	set, err := awsclient.New(context.Background(), awsclient.Options{Unlimited: true, EndpointURL: os.Getenv("AWS_ENDPOINT_URL")})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	return set
}

// lsBuckets prints the caller's S3 buckets, one $SSOCTL_ACCOUNT_ID|NAME
// line each: lsbuckets.
func lsBuckets() {
	out, err := awsClients().S3().ListBuckets(context.Background(), &s3.ListBucketsInput{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "lsbuckets:", err)
		os.Exit(1)
	}
	for _, b := range out.Buckets {
		fmt.Printf("%s|%s\n", os.Getenv("SSOCTL_ACCOUNT_ID"), aws.ToString(b.Name))
	}
}

// callerID prints the caller's account and ARN (sts GetCallerIdentity):
// callerid.
func callerID() {
	out, err := awsClients().STS().GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "callerid:", err)
		os.Exit(1)
	}
	fmt.Println(aws.ToString(out.Account), aws.ToString(out.Arn))
}

// cmdSortLines sorts the lines of FILE in place: sortlines FILE.
func cmdSortLines(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: sortlines FILE")
	}
	path := ts.MkAbs(args[0])
	data, err := os.ReadFile(path)
	ts.Check(err)
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	slices.Sort(lines)
	ts.Check(os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644))
}

// cmdFileMode checks a file's permission bits: filemode FILE 0600.
func cmdFileMode(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: filemode FILE MODE")
	}
	want, err := strconv.ParseUint(args[1], 8, 32)
	ts.Check(err)
	fi, err := os.Stat(ts.MkAbs(args[0]))
	ts.Check(err)
	got := uint64(fi.Mode().Perm())
	if (got == want) == neg {
		ts.Fatalf("%s has mode %04o; want %s%04o", args[0], got, map[bool]string{true: "not ", false: ""}[neg], want)
	}
}

// hasBoto3 reports whether python3 with boto3 is on PATH: the condition
// [boto3].
func hasBoto3() bool {
	return exec.Command("python3", "-c", "import boto3").Run() == nil
}

// asRole runs a program with the credentials of an IAM role assumed in
// another account (sts AssumeRole from the current credentials, through
// ssoctl's own client Set), as an administrator's script would:
// asrole ACCOUNT ROLE PROG ARGS....
func asRole() {
	if len(os.Args) < 4 {
		fmt.Fprintln(os.Stderr, "usage: asrole ACCOUNT ROLE PROG ARGS...")
		os.Exit(2)
	}
	set := awsClients().AssumeRole("arn:aws:iam::"+os.Args[1]+":role/"+os.Args[2], "asrole")
	creds, err := set.Config.Credentials.Retrieve(context.Background())
	if err != nil {
		fmt.Fprintln(os.Stderr, "asrole:", err)
		os.Exit(1)
	}
	cmd := exec.Command(os.Args[3], os.Args[4:]...)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID="+creds.AccessKeyID, "AWS_SECRET_ACCESS_KEY="+creds.SecretAccessKey, "AWS_SESSION_TOKEN="+creds.SessionToken)
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			os.Exit(ee.ExitCode())
		}
		fmt.Fprintln(os.Stderr, "asrole:", err)
		os.Exit(1)
	}
}
