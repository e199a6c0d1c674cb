package childenv

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/google/go-cmp/cmp"
	"github.com/ssoctl/ssoctl/internal/sso"
)

var creds = aws.Credentials{AccessKeyID: "ASIA1", SecretAccessKey: "s", SessionToken: "t", CanExpire: true, Expires: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)}

// Moved from internal/cli/creds (exec's child environment), assertions
// unchanged.
func TestChildEnv(t *testing.T) {
	role := sso.Role{AccountID: "123456789012", RoleName: "Dev", Region: "eu-west-1"}
	got := Build([]string{"PATH=/bin", "AWS_PROFILE=dev", "AWS_ACCESS_KEY_ID=old", "AWS_DEFAULT_PROFILE=x", "HOME=/h"}, role, creds)
	want := []string{"PATH=/bin", "HOME=/h",
		"AWS_ACCESS_KEY_ID=ASIA1", "AWS_SECRET_ACCESS_KEY=s", "AWS_SESSION_TOKEN=t", "AWS_CREDENTIAL_EXPIRATION=2030-01-02T03:04:05Z",
		"AWS_REGION=eu-west-1", "AWS_DEFAULT_REGION=eu-west-1", "SSOCTL_ACCOUNT_ID=123456789012", "SSOCTL_ROLE_NAME=Dev"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	// No region known: none set, the inherited one stays.
	role.Region = ""
	got = Build([]string{"AWS_REGION=us-east-2"}, role, creds)
	if !strings.Contains(strings.Join(got, " "), "AWS_REGION=us-east-2") {
		t.Errorf("inherited region lost: %q", got)
	}
}

// The variables that make the AWS CLI and boto3 resolve a profile, or
// use other credentials, are removed, never set to an empty string
// (botocore: "The config profile () could not be found").
func TestBuildRemovesProfileVariables(t *testing.T) {
	base := []string{"AWS_PROFILE=", "AWS_DEFAULT_PROFILE=", "AWS_SECURITY_TOKEN=stale", "AWS_SESSION_TOKEN=stale",
		"AWS_CREDENTIAL_EXPIRATION=2020-01-01T00:00:00Z", "SSOCTL_ACCOUNT_NAME=other", "AWS_ENDPOINT_URL=http://127.0.0.1:1", "TERM=xterm"}
	got := Build(base, sso.Role{AccountID: "123456789012", AccountName: "payments-dev", RoleName: "Dev", Region: "us-east-1"}, creds)
	want := []string{"AWS_ENDPOINT_URL=http://127.0.0.1:1", "TERM=xterm",
		"AWS_ACCESS_KEY_ID=ASIA1", "AWS_SECRET_ACCESS_KEY=s", "AWS_SESSION_TOKEN=t", "AWS_CREDENTIAL_EXPIRATION=2030-01-02T03:04:05Z",
		"AWS_REGION=us-east-1", "AWS_DEFAULT_REGION=us-east-1",
		"SSOCTL_ACCOUNT_ID=123456789012", "SSOCTL_ACCOUNT_NAME=payments-dev", "SSOCTL_ROLE_NAME=Dev"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	for _, kv := range got {
		if strings.HasPrefix(kv, "AWS_PROFILE=") || strings.HasPrefix(kv, "AWS_DEFAULT_PROFILE=") {
			t.Errorf("%s is set; want it removed", kv)
		}
	}
}

func TestStartFailure(t *testing.T) {
	dir := t.TempDir()
	notExec := filepath.Join(dir, "notexec.sh")
	if err := os.WriteFile(notExec, []byte("#!/bin/sh\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		want int
	}{
		{"no-such-command-here", ExitNotFound},
		{filepath.Join(dir, "missing"), ExitNotFound},
		{notExec, ExitNotExecutable},
		{dir, ExitNotExecutable},
	} {
		err := StartFailure(tc.name, exec.Command(tc.name).Start())
		var se *StartError
		if !errors.As(err, &se) || se.Code != tc.want {
			t.Errorf("%s: got %v; want a StartError with code %d", tc.name, err, tc.want)
		}
	}
	if err := StartFailure("x", errors.New("fork: resource temporarily unavailable")); errors.As(err, new(*StartError)) {
		t.Errorf("got %v; want other errors unchanged", err)
	}
}

// TestBuildServed: the command gets the endpoint and its token, never a
// credential; every inherited variable that the SDKs would use before the
// endpoint (static keys, a profile, web identity) or instead of it (a
// relative URI, a token file) is removed.
func TestBuildServed(t *testing.T) {
	base := []string{"PATH=/bin", "AWS_PROFILE=dev", "AWS_ACCESS_KEY_ID=old", "AWS_SECRET_ACCESS_KEY=old", "AWS_SESSION_TOKEN=old",
		"AWS_CREDENTIAL_EXPIRATION=2020-01-01T00:00:00Z", "AWS_WEB_IDENTITY_TOKEN_FILE=/t", "AWS_ROLE_ARN=arn:aws:iam::1:role/x",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI=/v2/creds", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=/tok",
		"AWS_CONTAINER_CREDENTIALS_FULL_URI=http://169.254.170.2/old", "AWS_ENDPOINT_URL=http://127.0.0.1:1"}
	got := BuildServed(base, Served{URL: "http://127.0.0.1:4567/", Token: "abc", Role: sso.Role{AccountID: "640775136188", RoleName: "DeployRole", Region: "eu-west-2"}})
	want := []string{"PATH=/bin", "AWS_ENDPOINT_URL=http://127.0.0.1:1",
		"AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:4567/", "AWS_CONTAINER_AUTHORIZATION_TOKEN=abc",
		"AWS_REGION=eu-west-2", "AWS_DEFAULT_REGION=eu-west-2", "SSOCTL_ACCOUNT_ID=640775136188", "SSOCTL_ROLE_NAME=DeployRole"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
