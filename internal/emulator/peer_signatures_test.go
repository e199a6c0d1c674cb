package emulator_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ssoctl/ssoctl/internal/emulator"
	"github.com/ssoctl/ssoctl/internal/emulatortest"
)

// signatureCase is one set of credentials a peer client signs with, and
// what sts GetCallerIdentity, sso-admin ListInstances and s3 ListBuckets
// then answer ("OK" or the error code).
type signatureCase struct {
	Name     string `json:"name"`
	Endpoint string `json:"endpoint"`
	Key      string `json:"key,omitempty"`
	Secret   string `json:"secret,omitempty"`
	Token    string `json:"token,omitempty"`
	Unsigned bool   `json:"unsigned,omitempty"`
	want     map[string]string
}

// signatureCases are the cases every peer runs: the exported and issued
// credentials pass; a wrong secret, an unknown key, expired credentials
// and no signature get each protocol's error.
func signatureCases(t *testing.T) []signatureCase {
	t.Helper()
	st := emulator.Generate("small", 0)
	sb := emulatortest.Start(t, emulator.Options{State: st})
	roleArn := "arn:aws:iam::" + accountID(t, st, "payments-prod") + ":role/" + emulator.OrganizationAccountAccessRole
	issued := assumeRole(t, sb.Config(), roleArn)
	short := emulatortest.Start(t, emulator.Options{State: st, Seed: 1, CredentialTTL: time.Millisecond})
	expired := assumeRole(t, short.Config(), roleArn)
	time.Sleep(10 * time.Millisecond)
	ok := map[string]string{"sts": "OK", "sso-admin": "OK", "s3": "OK"}
	return []signatureCase{
		{Name: "exported", Endpoint: sb.URL, Key: emulator.SandboxAccessKeyID, Secret: emulator.SandboxSecretAccessKey, want: ok},
		{Name: "issued", Endpoint: sb.URL, Key: issued.AccessKeyID, Secret: issued.SecretAccessKey, Token: issued.SessionToken, want: ok},
		{Name: "wrong secret", Endpoint: sb.URL, Key: emulator.SandboxAccessKeyID, Secret: "not-the-sandbox-secret",
			want: map[string]string{"sts": "SignatureDoesNotMatch", "sso-admin": "InvalidSignatureException", "s3": "SignatureDoesNotMatch"}},
		{Name: "unknown key", Endpoint: sb.URL, Key: "AKIAUNKNOWNEXAMPLE01", Secret: emulator.SandboxSecretAccessKey,
			want: map[string]string{"sts": "InvalidClientTokenId", "sso-admin": "UnrecognizedClientException", "s3": "InvalidAccessKeyId"}},
		{Name: "expired", Endpoint: short.URL, Key: expired.AccessKeyID, Secret: expired.SecretAccessKey, Token: expired.SessionToken,
			want: map[string]string{"sts": "ExpiredToken", "sso-admin": "ExpiredTokenException", "s3": "ExpiredToken"}},
		{Name: "unsigned", Endpoint: sb.URL, Unsigned: true,
			want: map[string]string{"sts": "MissingAuthenticationToken", "sso-admin": "MissingAuthenticationTokenException", "s3": "AccessDenied"}},
	}
}

func wantSignatureAnswers(t *testing.T, client string, cases []signatureCase, got map[string]map[string]string) {
	t.Helper()
	for _, c := range cases {
		if d := cmp.Diff(c.want, got[c.Name]); d != "" {
			t.Errorf("%s, %s credentials (-want +got):\n%s", client, c.Name, d)
		}
	}
}

// TestPeerBoto3Signatures: boto3 signing with each case's credentials.
func TestPeerBoto3Signatures(t *testing.T) {
	t.Parallel()
	python := peerPython(t)
	cases := signatureCases(t)
	in, err := json.Marshal(cases)
	if err != nil {
		t.Fatal(err)
	}
	cctx, cancel := context.WithTimeout(context.Background(), peerTimeout)
	defer cancel()
	cmd := exec.CommandContext(cctx, python, filepath.Join("testdata", "peers", "boto3_signatures.py"))
	cmd.Env = peerHermeticEnv(t)
	cmd.Stdin = bytes.NewReader(in)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("boto3_signatures.py: %v\n%s", err, stderr.String())
	}
	var got map[string]map[string]string
	if err := json.Unmarshal(stdout.Bytes(), &got); err != nil {
		t.Fatalf("boto3_signatures.py output: %v\n%s", err, stdout.String())
	}
	wantSignatureAnswers(t, "boto3", cases, got)
}

// TestPeerCLISignatures: Debian's AWS CLI v2 (/usr/bin/aws 2.9) and
// python3's AWS CLI v1 signing with each case's credentials.
func TestPeerCLISignatures(t *testing.T) {
	t.Parallel()
	type cli struct {
		name string
		argv []string
	}
	var clis []cli
	if _, err := os.Stat(debianCLI); err == nil {
		clis = append(clis, cli{"/usr/bin/aws", []string{debianCLI}})
	} else {
		t.Log("/usr/bin/aws not found: Debian's AWS CLI v2 left out")
	}
	python := peerPython(t)
	if exec.Command(python, "-c", "import awscli").Run() == nil {
		clis = append(clis, cli{"AWS CLI v1", []string{python, "-m", "awscli"}})
	} else {
		t.Log("python3 has no awscli module: the AWS CLI v1 left out")
	}
	if len(clis) == 0 {
		t.Skip("neither /usr/bin/aws nor python3's AWS CLI v1 found")
	}
	cases := signatureCases(t)
	code := regexp.MustCompile(`An error occurred \(([A-Za-z]+)\)`)
	commands := map[string][]string{
		"sts":       {"sts", "get-caller-identity"},
		"sso-admin": {"sso-admin", "list-instances"},
		"s3":        {"s3api", "list-buckets"},
	}
	for _, c := range clis {
		got := map[string]map[string]string{}
		for _, sc := range cases {
			got[sc.Name] = map[string]string{}
			env := append(peerHermeticEnv(t), "AWS_MAX_ATTEMPTS=1", "AWS_RETRY_MODE=standard",
				"AWS_ACCESS_KEY_ID="+sc.Key, "AWS_SECRET_ACCESS_KEY="+sc.Secret, "AWS_SESSION_TOKEN="+sc.Token)
			for svc, args := range commands {
				argv := append(append([]string{}, c.argv...), args...)
				argv = append(argv, "--endpoint-url", sc.Endpoint, "--output", "json")
				if sc.Unsigned {
					argv = append(argv, "--no-sign-request")
				}
				cctx, cancel := context.WithTimeout(context.Background(), peerTimeout)
				cmd := exec.CommandContext(cctx, argv[0], argv[1:]...)
				cmd.Env = env
				var stderr bytes.Buffer
				cmd.Stderr = &stderr
				err := cmd.Run()
				cancel()
				switch m := code.FindStringSubmatch(stderr.String()); {
				case err == nil:
					got[sc.Name][svc] = "OK"
				case m != nil:
					got[sc.Name][svc] = m[1]
				default:
					got[sc.Name][svc] = "failed: " + stderr.String()
				}
			}
		}
		wantSignatureAnswers(t, c.name, cases, got)
	}
}
