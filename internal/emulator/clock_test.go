package emulator_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sso"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	ssoadmintypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/ssoctl/ssoctl/internal/emulator"
	"github.com/ssoctl/ssoctl/internal/emulatortest"
)

// near says whether got is within a few seconds of want.
func near(got, want time.Time) bool {
	d := got.Sub(want)
	return d > -5*time.Second && d < 5*time.Second
}

// TestClockDateHeader: every answer carries a Date header on the sandbox
// clock, which the SDK reads as the server's time; advancing the clock
// moves it.
func TestClockDateHeader(t *testing.T) {
	t.Parallel()
	sb := emulatortest.Start(t, emulator.Options{})
	serverTime := func(cfg aws.Config) time.Time {
		t.Helper()
		out, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			t.Fatalf("GetCallerIdentity: %v", err)
		}
		st, ok := awsmiddleware.GetServerTime(out.ResultMetadata)
		if !ok {
			t.Fatal("GetCallerIdentity: the answer has no Date the SDK could read")
		}
		return st
	}
	if st := serverTime(sb.Config()); !near(st, time.Now()) {
		t.Errorf("Date before any advance: got %s; want about now, %s", st, time.Now().UTC())
	}
	now := sb.Advance(t, 2*time.Hour)
	if !near(now, time.Now().Add(2*time.Hour)) {
		t.Errorf("clock after advancing 2h: got %s; want about %s", now, time.Now().Add(2*time.Hour).UTC())
	}
	// A client that does not know the skew yet is refused once, learns
	// it from the Date header and retries (the SDK's clock skew
	// correction), so it needs more than one attempt.
	if st := serverTime(sb.ConfigAttempts(3)); !near(st, now) {
		t.Errorf("Date after advancing 2h: got %s; want about %s", st, now)
	}
	// Non-API answers are dated too.
	resp, err := http.Get(sb.URL + "/_sandbox/stats")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if d, err := http.ParseTime(resp.Header.Get("Date")); err != nil || !near(d, now) {
		t.Errorf("Date of /_sandbox/stats: got %q; want about %s", resp.Header.Get("Date"), now)
	}
}

// TestClockSkewCheck: the SigV4 skew check is made on the sandbox clock.
// After an advance of two hours a request signed on the machine's clock is
// 2h old: refused (InvalidSignatureException, SignatureDoesNotMatch,
// RequestTimeTooSkewed by protocol) when the client may not retry; the
// SDK's clock skew correction retries it once, signed on the sandbox's
// time, and a call counts once with two attempts.
func TestClockSkewCheck(t *testing.T) {
	t.Parallel()
	sb := emulatortest.Start(t, emulator.Options{})
	sb.Advance(t, 2*time.Hour)
	one := sb.Config()
	_, err := ssoadmin.NewFromConfig(one).ListInstances(ctx, &ssoadmin.ListInstancesInput{})
	wantAPIError(t, err, "InvalidSignatureException")
	_, err = sts.NewFromConfig(one).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	wantAPIError(t, err, "SignatureDoesNotMatch")
	_, err = s3Client(one).ListBuckets(ctx, &s3.ListBucketsInput{})
	wantAPIError(t, err, "RequestTimeTooSkewed")

	if resp, err := http.Post(sb.URL+"/_sandbox/stats/reset", "", nil); err != nil {
		t.Fatal(err)
	} else {
		resp.Body.Close()
	}
	client := ssoadmin.NewFromConfig(sb.ConfigAttempts(3))
	if _, err := client.ListInstances(ctx, &ssoadmin.ListInstancesInput{}); err != nil {
		t.Fatalf("ListInstances with retries after the advance: %v", err)
	}
	if _, err := client.ListInstances(ctx, &ssoadmin.ListInstancesInput{}); err != nil {
		t.Fatalf("ListInstances again: %v", err)
	}
	st := sb.Stats(t)
	if got := st.Calls["sso-admin:ListInstances"]; got != 2 {
		t.Errorf("ListInstances calls: got %d; want 2", got)
	}
	// The first call's refused attempt, its retry, and the second call
	// made at once on the corrected time.
	if got := st.Attempts["sso-admin:ListInstances"]; got != 3 {
		t.Errorf("ListInstances attempts: got %d; want 3 (one refused for skew, then corrected)", got)
	}
}

// TestClockExpiries: access tokens and role credentials (portal and sts)
// follow the sandbox clock: what expires in an hour expires when the clock
// is advanced past it.
func TestClockExpiries(t *testing.T) {
	t.Parallel()
	st := emulator.Generate("small", 0)
	dev := accountID(t, st, "payments-dev")
	sb := emulatortest.Start(t, emulator.Options{State: st, SignInAs: "dave.miller"})
	cfg := sb.ConfigAttempts(3)
	_, tok := deviceSignIn(t, ssooidc.NewFromConfig(cfg), sb.URL, "sso:account:access")
	if d := time.Duration(tok.ExpiresIn) * time.Second; d < time.Hour {
		t.Fatalf("access token lifetime %s; the test wants at least an hour", d)
	}
	portal := sso.NewFromConfig(cfg)
	rc, err := portal.GetRoleCredentials(ctx, &sso.GetRoleCredentialsInput{AccessToken: tok.AccessToken, AccountId: aws.String(dev), RoleName: aws.String("Developer")})
	if err != nil {
		t.Fatalf("GetRoleCredentials: %v", err)
	}
	if exp := time.UnixMilli(rc.RoleCredentials.Expiration); !near(exp, sb.Now().Add(time.Hour)) {
		t.Errorf("role credentials expire at %s; want an hour after the sandbox's %s", exp.UTC(), sb.Now())
	}
	role := roleConfig(t, cfg, dev, "Developer")
	role.RetryMaxAttempts = 3
	hop, err := sts.NewFromConfig(role).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + dev + ":role/" + emulator.DeployRole), RoleSessionName: aws.String("clock")})
	if err != nil {
		t.Fatalf("AssumeRole: %v", err)
	}

	sb.Advance(t, 61*time.Minute)
	_, err = sts.NewFromConfig(role).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	wantAPIError(t, err, "ExpiredToken")
	hopCfg := role.Copy()
	hopCfg.Credentials = credentials.NewStaticCredentialsProvider(*hop.Credentials.AccessKeyId, *hop.Credentials.SecretAccessKey, *hop.Credentials.SessionToken)
	_, err = sts.NewFromConfig(hopCfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	wantAPIError(t, err, "ExpiredToken")

	sb.Advance(t, 8*time.Hour)
	_, err = portal.ListAccounts(ctx, &sso.ListAccountsInput{AccessToken: tok.AccessToken})
	wantAPIError(t, err, "UnauthorizedException")
}

// TestClockEndpoint: GET /_sandbox/clock tells the time; POST advances it
// or sets it, never back; a bad request is a 400 that says what to send.
func TestClockEndpoint(t *testing.T) {
	t.Parallel()
	sb := emulatortest.Start(t, emulator.Options{})
	call := func(method, body string) (int, map[string]string) {
		t.Helper()
		req, _ := http.NewRequest(method, sb.URL+"/_sandbox/clock", strings.NewReader(body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		var out map[string]string
		if err := json.Unmarshal(b, &out); err != nil {
			t.Fatalf("%s /_sandbox/clock %s: %v in %s", method, body, err, b)
		}
		return resp.StatusCode, out
	}
	status, out := call(http.MethodGet, "")
	got, err := time.Parse(time.RFC3339Nano, out["now"])
	if status != 200 || err != nil || !near(got, time.Now()) {
		t.Errorf("GET: got %d %v; want 200 and about now", status, out)
	}
	target := time.Now().Add(36 * time.Hour).UTC().Truncate(time.Second)
	status, out = call(http.MethodPost, `{"set":"`+target.Format(time.RFC3339)+`"}`)
	if got, _ := time.Parse(time.RFC3339Nano, out["now"]); status != 200 || !near(got, target) {
		t.Errorf("POST set %s: got %d %v", target, status, out)
	}
	if !near(sb.Now(), target) {
		t.Errorf("Server.Now after set: got %s; want about %s", sb.Now(), target)
	}
	for _, body := range []string{
		`{"advance":"-1h"}`,
		`{"set":"2020-01-01T00:00:00Z"}`,
		`{"advance":"soon"}`,
		`{"set":"tomorrow"}`,
		`{"advance":"1h","set":"2099-01-01T00:00:00Z"}`,
		`{}`,
		`{"advnce":"1h"}`,
		`not json`,
	} {
		status, out := call(http.MethodPost, body)
		if status != 400 || out["message"] == "" {
			t.Errorf("POST %s: got %d %v; want 400 with a message", body, status, out)
		}
	}
	if !near(sb.Now(), target) {
		t.Errorf("refused requests moved the clock: %s; want about %s", sb.Now(), target)
	}
}

// TestClockAsync: an async request due an hour later completes, with no
// status read, when the sandbox clock reaches that hour.
func TestClockAsync(t *testing.T) {
	t.Parallel()
	st := emulator.Generate("small", 0)
	dev := accountID(t, st, "payments-dev")
	sb := emulatortest.Start(t, emulator.Options{State: st, PendingPolls: 5, AsyncDelay: time.Hour})
	cfg := sb.ConfigAttempts(3)
	admin := ssoadmin.NewFromConfig(cfg)
	inst := st.Instances[0].InstanceArn
	var ps, user string
	for _, p := range st.PermissionSets {
		if p.Name == "ReadOnlyAccess" {
			ps = p.Arn
		}
	}
	for _, u := range st.Users {
		if u.UserName == "dave.miller" {
			user = u.UserId
		}
	}
	_, err := admin.CreateAccountAssignment(ctx, &ssoadmin.CreateAccountAssignmentInput{
		InstanceArn: aws.String(inst), PermissionSetArn: aws.String(ps), TargetId: aws.String(dev), TargetType: ssoadmintypes.TargetTypeAwsAccount,
		PrincipalType: ssoadmintypes.PrincipalTypeUser, PrincipalId: aws.String(user)})
	if err != nil {
		t.Fatalf("CreateAccountAssignment: %v", err)
	}
	assigned := func() bool {
		out, err := admin.ListAccountAssignments(ctx, &ssoadmin.ListAccountAssignmentsInput{InstanceArn: aws.String(inst), AccountId: aws.String(dev), PermissionSetArn: aws.String(ps)})
		if err != nil {
			t.Fatalf("ListAccountAssignments: %v", err)
		}
		for _, a := range out.AccountAssignments {
			if aws.ToString(a.PrincipalId) == user {
				return true
			}
		}
		return false
	}
	if assigned() {
		t.Fatal("the assignment exists before its hour is up; want it in progress")
	}

	sb.Advance(t, 59*time.Minute)
	if assigned() {
		t.Fatal("the assignment exists a minute before its hour is up")
	}
	sb.Advance(t, 2*time.Minute)
	if !assigned() {
		t.Error("the assignment does not exist an hour later on the sandbox clock")
	}
}
