package emulator_test

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/ssoctl/ssoctl/internal/emulator"
	"github.com/ssoctl/ssoctl/internal/emulatortest"
)

// accountID is the id of the demo account with that name.
func accountID(t testing.TB, st *emulator.State, name string) string {
	t.Helper()
	for _, a := range st.Accounts {
		if a.Name == name {
			return a.Id
		}
	}
	t.Fatalf("no account %s in the demo organization", name)
	return ""
}

// assumeRole assumes a role with cfg's credentials and returns the
// credentials it gets.
func assumeRole(t testing.TB, cfg aws.Config, roleArn string) aws.Credentials {
	t.Helper()
	out, err := sts.NewFromConfig(cfg).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleArn), RoleSessionName: aws.String("sigv4-test")})
	if err != nil {
		t.Fatalf("AssumeRole %s: %v", roleArn, err)
	}
	c := out.Credentials
	return aws.Credentials{AccessKeyID: aws.ToString(c.AccessKeyId), SecretAccessKey: aws.ToString(c.SecretAccessKey), SessionToken: aws.ToString(c.SessionToken)}
}

func withCredentials(cfg aws.Config, p aws.CredentialsProvider) aws.Config {
	c := cfg.Copy()
	c.Credentials = p
	return c
}

func static(c aws.Credentials) aws.CredentialsProvider {
	return credentials.NewStaticCredentialsProvider(c.AccessKeyID, c.SecretAccessKey, c.SessionToken)
}

// wantStatus checks the HTTP status of a service error.
func wantStatus(t testing.TB, err error, status int) {
	t.Helper()
	var re *smithyhttp.ResponseError
	if !errors.As(err, &re) || re.HTTPStatusCode() != status {
		t.Errorf("got %v; want HTTP status %d", err, status)
	}
}

// TestSignatureErrors: the real SDK calls one operation of every signed
// protocol (awsJson sso-admin and organizations, query sts and iam,
// rest-json sesv2, rest-xml s3) with credentials that are wrong, unknown,
// expired or absent, and gets the error code and status that service
// answers on AWS; with the exported or issued credentials the calls pass.
func TestSignatureErrors(t *testing.T) {
	t.Parallel()
	st := emulator.Generate("small", 0)
	sb := emulatortest.Start(t, emulator.Options{State: st})
	cfg := sb.Config()
	roleArn := "arn:aws:iam::" + accountID(t, st, "payments-prod") + ":role/" + emulator.OrganizationAccountAccessRole
	issued := assumeRole(t, cfg, roleArn)

	// Credentials that lived a millisecond, from a sandbox of their own
	// (another seed: its keys, secrets and tokens differ from sb's).
	short := emulatortest.Start(t, emulator.Options{State: st, Seed: 1, CredentialTTL: time.Millisecond})
	expired := assumeRole(t, short.Config(), roleArn)
	time.Sleep(10 * time.Millisecond)

	type answer struct {
		code   string
		status int
	}
	type codes struct{ signature, unknown, token, expired, unsigned answer }
	awsJSON := codes{
		signature: answer{"InvalidSignatureException", 400}, unknown: answer{"UnrecognizedClientException", 400},
		token: answer{"UnrecognizedClientException", 400}, expired: answer{"ExpiredTokenException", 400},
		unsigned: answer{"MissingAuthenticationTokenException", 400},
	}
	query := codes{
		signature: answer{"SignatureDoesNotMatch", 403}, unknown: answer{"InvalidClientTokenId", 403},
		token: answer{"InvalidClientTokenId", 403}, expired: answer{"ExpiredToken", 403},
		unsigned: answer{"MissingAuthenticationToken", 403},
	}
	services := []struct {
		name  string
		codes codes
		call  func(aws.Config) error
	}{
		{"sso-admin", awsJSON, func(c aws.Config) error {
			_, err := ssoadmin.NewFromConfig(c).ListInstances(ctx, &ssoadmin.ListInstancesInput{})
			return err
		}},
		{"organizations", awsJSON, func(c aws.Config) error {
			_, err := organizations.NewFromConfig(c).DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
			return err
		}},
		{"sts", query, func(c aws.Config) error {
			_, err := sts.NewFromConfig(c).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
			return err
		}},
		{"iam", query, func(c aws.Config) error {
			_, err := iam.NewFromConfig(c).ListUsers(ctx, &iam.ListUsersInput{})
			return err
		}},
		{"sesv2", codes{
			signature: answer{"InvalidSignatureException", 403}, unknown: answer{"UnrecognizedClientException", 403},
			token: answer{"UnrecognizedClientException", 403}, expired: answer{"ExpiredTokenException", 403},
			unsigned: answer{"MissingAuthenticationTokenException", 403},
		}, func(c aws.Config) error {
			_, err := sesv2.NewFromConfig(c).GetAccount(ctx, &sesv2.GetAccountInput{})
			return err
		}},
		{"s3", codes{
			signature: answer{"SignatureDoesNotMatch", 403}, unknown: answer{"InvalidAccessKeyId", 403},
			token: answer{"InvalidToken", 400}, expired: answer{"ExpiredToken", 400},
			unsigned: answer{"AccessDenied", 403},
		}, func(c aws.Config) error {
			_, err := s3Client(c).ListBuckets(ctx, &s3.ListBucketsInput{})
			return err
		}},
	}
	for _, svc := range services {
		t.Run(svc.name, func(t *testing.T) {
			for _, ok := range []struct {
				name  string
				creds aws.Credentials
			}{
				{"exported", aws.Credentials{AccessKeyID: emulator.SandboxAccessKeyID, SecretAccessKey: emulator.SandboxSecretAccessKey}},
				{"issued", issued},
			} {
				if err := svc.call(withCredentials(cfg, static(ok.creds))); err != nil {
					t.Errorf("%s credentials: %v; want success", ok.name, err)
				}
			}
			for _, c := range []struct {
				name  string
				creds aws.CredentialsProvider
				want  answer
			}{
				{"a wrong secret", static(aws.Credentials{AccessKeyID: emulator.SandboxAccessKeyID, SecretAccessKey: "not-the-sandbox-secret"}), svc.codes.signature},
				{"an issued key with another key's secret", static(aws.Credentials{AccessKeyID: issued.AccessKeyID, SecretAccessKey: expired.SecretAccessKey, SessionToken: issued.SessionToken}), svc.codes.signature},
				{"an unknown access key", static(aws.Credentials{AccessKeyID: "AKIAUNKNOWNEXAMPLE01", SecretAccessKey: emulator.SandboxSecretAccessKey}), svc.codes.unknown},
				{"another session token", static(aws.Credentials{AccessKeyID: issued.AccessKeyID, SecretAccessKey: issued.SecretAccessKey, SessionToken: expired.SessionToken}), svc.codes.token},
				{"no session token", static(aws.Credentials{AccessKeyID: issued.AccessKeyID, SecretAccessKey: issued.SecretAccessKey}), svc.codes.token},
				{"expired credentials", static(expired), svc.codes.expired},
				{"no signature", aws.AnonymousCredentials{}, svc.codes.unsigned},
			} {
				c2 := cfg
				if c.name == "expired credentials" {
					c2 = short.Config()
				}
				err := svc.call(withCredentials(c2, c.creds))
				wantAPIErrorIn(t, c.name, err, c.want.code)
				wantStatus(t, err, c.want.status)
			}
		})
	}
}

// wantAPIErrorIn is wantAPIError that goes on, naming the case.
func wantAPIErrorIn(t testing.TB, name string, err error, code string) {
	t.Helper()
	var ae interface{ ErrorCode() string }
	if !errors.As(err, &ae) || ae.ErrorCode() != code {
		t.Errorf("%s: got %v; want error code %s", name, err, code)
	}
}

// rawCall sends req and returns the status and the error code the response
// carries (x-amzn-ErrorType, or the XML <Code>).
func rawCall(t testing.TB, req *http.Request) (int, string, string) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	code := resp.Header.Get("x-amzn-ErrorType")
	if i := strings.Index(string(body), "<Code>"); code == "" && i >= 0 {
		code, _, _ = strings.Cut(string(body[i+len("<Code>"):]), "<")
	}
	return resp.StatusCode, code, string(body)
}

// TestSignatureClockSkew: a request signed more than 15 minutes from the
// sandbox's clock, either way, is refused with the protocol's error (s3's
// RequestTimeTooSkewed, "Signature expired" / "not yet current"
// otherwise); within 15 minutes it passes.
func TestSignatureClockSkew(t *testing.T) {
	t.Parallel()
	sb := emulatortest.Start(t, emulator.Options{})
	type call struct {
		service, signingName string
		req                  func() (*http.Request, []byte)
		status               int
		code                 string
	}
	calls := []call{
		{"sso-admin", "sso", func() (*http.Request, []byte) {
			body := []byte("{}")
			req, _ := http.NewRequest(http.MethodPost, sb.URL+"/", strings.NewReader(string(body)))
			req.Header.Set("X-Amz-Target", "SWBExternalService.ListInstances")
			req.Header.Set("Content-Type", "application/x-amz-json-1.1")
			return req, body
		}, 400, "InvalidSignatureException"},
		{"sts", "sts", func() (*http.Request, []byte) {
			body := []byte("Action=GetCallerIdentity&Version=2011-06-15")
			req, _ := http.NewRequest(http.MethodPost, sb.URL+"/", strings.NewReader(string(body)))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
			return req, body
		}, 403, "SignatureDoesNotMatch"},
		{"s3", "s3", func() (*http.Request, []byte) {
			req, _ := http.NewRequest(http.MethodGet, sb.URL+"/?x-id=ListBuckets", nil)
			req.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
			return req, nil
		}, 403, "RequestTimeTooSkewed"},
	}
	for _, c := range calls {
		for _, off := range []time.Duration{-16 * time.Minute, 16 * time.Minute, -14 * time.Minute, 14 * time.Minute} {
			req, body := c.req()
			creds := aws.Credentials{AccessKeyID: emulator.SandboxAccessKeyID, SecretAccessKey: emulator.SandboxSecretAccessKey}
			payload := emptyOrHash(body)
			if c.service == "s3" {
				payload = "UNSIGNED-PAYLOAD"
			}
			if err := v4.NewSigner().SignHTTP(ctx, creds, req, payload, c.signingName, "us-east-1", time.Now().Add(off)); err != nil {
				t.Fatal(err)
			}
			status, code, text := rawCall(t, req)
			switch {
			case off.Abs() < 15*time.Minute && status != http.StatusOK:
				t.Errorf("%s signed %v from now: got %d %s; want 200 (%s)", c.service, off, status, code, text)
			case off.Abs() > 15*time.Minute && (status != c.status || code != c.code):
				t.Errorf("%s signed %v from now: got %d %s; want %d %s (%s)", c.service, off, status, code, c.status, c.code, text)
			case off.Abs() > 15*time.Minute && c.service != "s3" && !strings.Contains(text, map[bool]string{true: "Signature expired", false: "Signature not yet current"}[off < 0]):
				t.Errorf("%s signed %v from now: message %s; want AWS's Signature expired / not yet current", c.service, off, text)
			}
		}
	}
}

// emptyOrHash is the payload hash of body, as the SDK signs it.
func emptyOrHash(body []byte) string {
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}

// TestSignaturePresigned: query-string (presigned) authentication, as the
// Go SDK's presigner makes it: sts GetCallerIdentity presigned by the
// SDK's sts client (what EKS tokens are) answers as the signer; s3
// ListBuckets presigned with UNSIGNED-PAYLOAD answers too; a tampered
// signature and a URL past its X-Amz-Expires are refused.
func TestSignaturePresigned(t *testing.T) {
	t.Parallel()
	st := emulator.Generate("small", 0)
	sb := emulatortest.Start(t, emulator.Options{State: st})
	cfg := sb.Config()
	presigned, err := sts.NewPresignClient(sts.NewFromConfig(cfg)).PresignGetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	get := func(u string, h http.Header) (int, string, string) {
		req, _ := http.NewRequest(presigned.Method, u, nil)
		for k, v := range h {
			req.Header[k] = v
		}
		return rawCall(t, req)
	}
	status, code, body := get(presigned.URL, presigned.SignedHeader)
	if status != http.StatusOK || !strings.Contains(body, "<Account>"+st.Organization.MasterAccountId+"</Account>") {
		t.Errorf("presigned GetCallerIdentity: got %d %s %s; want 200 and the management account", status, code, body)
	}
	u, _ := url.Parse(presigned.URL)
	q := u.Query()
	sig := q.Get("X-Amz-Signature")
	q.Set("X-Amz-Signature", strings.Repeat("0", len(sig)))
	u.RawQuery = q.Encode()
	if status, code, _ := get(u.String(), presigned.SignedHeader); status != 403 || code != "SignatureDoesNotMatch" {
		t.Errorf("tampered presigned GetCallerIdentity: got %d %s; want 403 SignatureDoesNotMatch", status, code)
	}

	creds := aws.Credentials{AccessKeyID: emulator.SandboxAccessKeyID, SecretAccessKey: emulator.SandboxSecretAccessKey}
	for _, c := range []struct {
		name       string
		signedAt   time.Time
		wantStatus int
		wantCode   string
	}{
		{"fresh", time.Now(), 200, ""},
		{"past X-Amz-Expires", time.Now().Add(-2 * time.Minute), 403, "AccessDenied"},
	} {
		req, _ := http.NewRequest(http.MethodGet, sb.URL+"/?X-Amz-Expires=60", nil)
		signed, hdr, err := v4.NewSigner().PresignHTTP(ctx, creds, req, "UNSIGNED-PAYLOAD", "s3", "us-east-1", c.signedAt)
		if err != nil {
			t.Fatal(err)
		}
		status, code, body := get(signed, hdr)
		if status != c.wantStatus || code != c.wantCode {
			t.Errorf("s3 ListBuckets presigned %s: got %d %q; want %d %q (%s)", c.name, status, code, c.wantStatus, c.wantCode, body)
		}
	}
}

// TestControlToken: with a ControlToken the sandbox's own endpoints answer
// only a request bearing it; without one they stay open.
func TestControlToken(t *testing.T) {
	t.Parallel()
	locked := emulatortest.Start(t, emulator.Options{ControlToken: "s3cr3t-token"})
	open := emulatortest.Start(t, emulator.Options{})
	for _, c := range []struct {
		name, url, method, path, auth string
		want                          int
	}{
		{"no token", locked.URL, http.MethodGet, "/_sandbox/state", "", 401},
		{"a wrong token", locked.URL, http.MethodGet, "/_sandbox/stats", "Bearer nope", 401},
		{"a wrong scheme", locked.URL, http.MethodGet, "/_sandbox/outbox", "Basic s3cr3t-token", 401},
		{"no token, reset", locked.URL, http.MethodPost, "/_sandbox/stats/reset", "", 401},
		{"no token, clock", locked.URL, http.MethodPost, "/_sandbox/clock", "", 401},
		{"no token, read the clock", locked.URL, http.MethodGet, "/_sandbox/clock", "", 401},
		{"no token, record an event", locked.URL, http.MethodPost, "/_sandbox/cloudtrail", "", 401},
		{"the token", locked.URL, http.MethodGet, "/_sandbox/state", "Bearer s3cr3t-token", 200},
		{"the token, reset", locked.URL, http.MethodPost, "/_sandbox/stats/reset", "Bearer s3cr3t-token", 204},
		{"no token needed", open.URL, http.MethodGet, "/_sandbox/state", "", 200},
	} {
		req, _ := http.NewRequest(c.method, c.url+c.path, nil)
		if c.auth != "" {
			req.Header.Set("Authorization", c.auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.want {
			t.Errorf("%s %s with %s: got %d; want %d", c.method, c.path, c.name, resp.StatusCode, c.want)
		}
		if c.want == 401 && strings.Contains(string(body), "accounts") {
			t.Errorf("%s %s with %s: the refusal carries state: %s", c.method, c.path, c.name, body)
		}
	}
	// The AWS APIs themselves do not want the control token.
	if _, err := ssoadmin.NewFromConfig(locked.Config()).ListInstances(ctx, &ssoadmin.ListInstancesInput{}); err != nil {
		t.Errorf("ListInstances with a control token set: %v", err)
	}
}
