package main

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ssoctl/ssoctl/internal/emulator"
)

// Interoperability with the other clients of ~/.aws: ssoctl's token and
// caches are used by boto3 and the AWS CLI v2, and theirs by ssoctl.

var peerARN = regexp.MustCompile(`^arn:aws:sts::` + peerAccount + `:assumed-role/AWSReservedSSO_` + peerRole + `_[0-9a-f]{16}/dave\.miller$`)

// peerPython is the python3 on PATH that imports boto3, resolved past any
// pyenv shim so that it runs in a hermetic environment.
func peerPython(t *testing.T) string {
	t.Helper()
	out, err := python3("import sys, boto3; print(sys.executable)")
	if err != nil {
		t.Skipf("python3 cannot import boto3: %v", err)
	}
	return strings.TrimSpace(out)
}

// python3 runs code with the python3 on PATH (in the test's own
// environment, so a pyenv shim resolves) and returns what it printed.
func python3(code string) (string, error) {
	py, err := exec.LookPath("python3")
	if err != nil {
		return "", errors.New("python3 not found on PATH")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, py, "-c", code).Output()
	return string(out), err
}

// callerIdentity asks boto3, with a profile, who it is at the sandbox's STS.
const callerIdentity = `
import sys, boto3
s = boto3.Session(profile_name=sys.argv[1])
print(s.client("sts", endpoint_url=sys.argv[2], region_name="us-east-1").get_caller_identity()["Arn"])
`

func TestSignInPeerBoto3(t *testing.T) {
	py := peerPython(t)
	bin := buildSSOCTL(t)
	e := newSignInEnv(t, emulator.Options{})
	e.writeConfig(t, "\n[profile proc]\ncredential_process = "+bin+" credential-process --profile emu\n")
	env := e.env()

	if _, stderr, code := e.run(t, env, bin, "login", "--profile", "emu"); code != 0 {
		t.Fatalf("ssoctl login: exit %d\n%s", code, stderr)
	}

	// boto3's SSO provider finds the token ssoctl wrote (sso-session emu).
	out, stderr, code := e.run(t, env, py, "-c", callerIdentity, "emu", e.url)
	if code != 0 || !peerARN.MatchString(strings.TrimSpace(out)) {
		t.Fatalf("boto3 with the sso profile: exit %d, %q\n%s", code, out, stderr)
	}
	// credential_process = ssoctl credential-process --profile emu
	out, stderr, code = e.run(t, env, py, "-c", callerIdentity, "proc", e.url)
	if code != 0 || !peerARN.MatchString(strings.TrimSpace(out)) {
		t.Fatalf("boto3 with credential_process: exit %d, %q\n%s", code, out, stderr)
	}
	e.wantCalls(t, map[string]int{"sso-oidc:CreateToken": 1, "sso:GetRoleCredentials": 2})

	// botocore refreshes ssoctl's token (inside the refresh window) with the
	// registration and refresh token ssoctl stored, and rewrites the file...
	e.editToken(t, func(m map[string]any) {
		m["expiresAt"] = time.Now().Add(5 * time.Minute).UTC().Format("2006-01-02T15:04:05Z")
	})
	if out, stderr, code = e.run(t, env, py, "-c", callerIdentity, "emu", e.url); code != 0 || !peerARN.MatchString(strings.TrimSpace(out)) {
		t.Fatalf("boto3 refreshing: exit %d, %q\n%s", code, out, stderr)
	}
	e.wantCalls(t, map[string]int{"sso-oidc:CreateToken": 2})
	// ...and ssoctl uses the token botocore wrote, without signing in.
	if err := os.Remove(e.credentialPath()); err != nil {
		t.Fatal(err)
	}
	out, stderr, code = e.run(t, env, bin, "credential-process", "--profile", "emu")
	if code != 0 {
		t.Fatalf("ssoctl after botocore's refresh: exit %d\n%s", code, stderr)
	}
	parseProcess(t, out)
	e.wantCalls(t, map[string]int{"sso-oidc:CreateToken": 2, "sso-oidc:StartDeviceAuthorization": 1})
}

// debianCLI is the AWS CLI v2 (2.9); the `aws` on PATH may be v1.
const debianCLI = "/usr/bin/aws"

// endpointRules makes AWS_DATA_PATH endpoint rulesets that send the CLI's
// sso-oidc and sso clients to url: CLI 2.9 has no AWS_ENDPOINT_URL_*, and
// `aws sso login` ignores --endpoint-url, so its endpoint rules are replaced.
func endpointRules(t *testing.T, url string) string {
	t.Helper()
	dir := t.TempDir()
	rules := `{"version":"1.0","parameters":{
  "Region":{"builtIn":"AWS::Region","required":false,"documentation":"","type":"String"},
  "UseDualStack":{"builtIn":"AWS::UseDualStack","required":true,"default":false,"documentation":"","type":"Boolean"},
  "UseFIPS":{"builtIn":"AWS::UseFIPS","required":true,"default":false,"documentation":"","type":"Boolean"},
  "Endpoint":{"builtIn":"SDK::Endpoint","required":false,"documentation":"","type":"String"}},
 "rules":[{"conditions":[],"type":"endpoint","endpoint":{"url":"` + url + `","properties":{},"headers":{}}}]}`
	for _, svc := range []string{"sso-oidc", "sso"} {
		d := filepath.Join(dir, svc, "2019-06-10")
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, "endpoint-rule-set-1.json"), []byte(rules), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestSignInPeerAWSCLI(t *testing.T) {
	if _, err := os.Stat(debianCLI); err != nil {
		t.Skip(debianCLI + " (AWS CLI v2) not found")
	}
	bin := buildSSOCTL(t)
	// One pending poll: the CLI shows the code, waits the interval, and
	// the sandbox approves.
	e := newSignInEnv(t, emulator.Options{PendingPolls: 1})
	e.writeConfig(t, "")
	env := append(e.env(), "AWS_DATA_PATH="+endpointRules(t, e.url))

	// The AWS CLI signs in and writes the token...
	out, stderr, code := e.run(t, env, debianCLI, "sso", "login", "--profile", "emu", "--no-browser")
	if code != 0 || !strings.Contains(out, "Successfully logged into Start URL") {
		t.Fatalf("aws sso login: exit %d\n%s\n%s", code, out, stderr)
	}
	if _, err := os.Stat(e.tokenPath()); err != nil {
		t.Fatalf("the AWS CLI wrote no token at sha1(\"emu\"): %v", err)
	}
	e.wantCalls(t, map[string]int{"sso-oidc:RegisterClient": 1, "sso-oidc:StartDeviceAuthorization": 1, "sso-oidc:CreateToken": 2})

	// ...and ssoctl uses it: no sign-in of its own.
	out, stderr, code = e.run(t, env, bin, "credential-process", "--profile", "emu")
	if code != 0 {
		t.Fatalf("ssoctl credential-process with the CLI's token: exit %d\n%s", code, stderr)
	}
	parseProcess(t, out)
	e.wantCalls(t, map[string]int{"sso-oidc:StartDeviceAuthorization": 1, "sso-oidc:CreateToken": 2, "sso:GetRoleCredentials": 1})

	// ssoctl finds the CLI's client registration (same cache key) and
	// signs in without registering again.
	if _, stderr, code = e.run(t, env, bin, "login", "--profile", "emu", "--use-device-code"); code != 0 {
		t.Fatalf("ssoctl login: exit %d\n%s", code, stderr)
	}
	e.wantCalls(t, map[string]int{"sso-oidc:RegisterClient": 1, "sso-oidc:StartDeviceAuthorization": 2})

	// The AWS CLI uses the token ssoctl wrote.
	if err := os.RemoveAll(filepath.Join(e.home, ".aws", "cli", "cache")); err != nil {
		t.Fatal(err)
	}
	out, stderr, code = e.run(t, env, debianCLI, "configure", "export-credentials", "--profile", "emu", "--format", "process")
	if code != 0 {
		t.Fatalf("aws configure export-credentials with ssoctl's token: exit %d\n%s", code, stderr)
	}
	parseProcess(t, strings.Replace(out, "+00:00", "Z", 1))
	e.wantCalls(t, map[string]int{"sso-oidc:StartDeviceAuthorization": 2, "sso:GetRoleCredentials": 2})

	// ssoctl logout ends the session for both.
	if _, stderr, code = e.run(t, env, bin, "logout"); code != 0 {
		t.Fatalf("ssoctl logout: exit %d\n%s", code, stderr)
	}
	if _, _, code = e.run(t, env, debianCLI, "configure", "export-credentials", "--profile", "emu"); code == 0 {
		t.Error("the AWS CLI still had credentials after ssoctl logout")
	}
}
