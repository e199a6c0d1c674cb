package factory

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/google/go-cmp/cmp"

	"github.com/ssoctl/ssoctl/internal/awsclient"
	"github.com/ssoctl/ssoctl/internal/iostreams"
)

// TestBaseClientOptions: the environment's settings reach every client:
// SSOCTL_QUOTAS=none (which `ssoctl sandbox --quotas none` exports) turns the
// client-side rates off, the SSOCTL_*_TIMEOUT variables set the timeouts,
// AWS_MAX_ATTEMPTS the attempts; bad values are refused with the variable
// named.
func TestBaseClientOptions(t *testing.T) {
	tests := []struct {
		env       map[string]string
		unlimited bool
		timeouts  awsclient.Timeouts
		attempts  int
		err       string
	}{
		{env: nil},
		{env: map[string]string{"SSOCTL_QUOTAS": "aws"}},
		{env: map[string]string{"SSOCTL_QUOTAS": "none"}, unlimited: true},
		{env: map[string]string{"SSOCTL_QUOTAS": "off"}, err: `SSOCTL_QUOTAS must be aws or none, not "off"`},
		{env: map[string]string{"SSOCTL_CONNECT_TIMEOUT": "2s", "SSOCTL_RESPONSE_TIMEOUT": "300ms", "SSOCTL_ATTEMPT_TIMEOUT": "1m"},
			timeouts: awsclient.Timeouts{Connect: 2 * time.Second, ResponseHeader: 300 * time.Millisecond, Attempt: time.Minute}},
		{env: map[string]string{"SSOCTL_RESPONSE_TIMEOUT": "7"}, err: `SSOCTL_RESPONSE_TIMEOUT must be a positive duration such as 5s, not "7"`},
		{env: map[string]string{"SSOCTL_ATTEMPT_TIMEOUT": "-1s"}, err: `SSOCTL_ATTEMPT_TIMEOUT must be a positive duration`},
		{env: map[string]string{"AWS_MAX_ATTEMPTS": "3"}, attempts: 3},
		{env: map[string]string{"AWS_MAX_ATTEMPTS": "0"}, err: `AWS_MAX_ATTEMPTS must be a whole number of at least 1, not "0"`},
	}
	for _, tt := range tests {
		ios, _, _, _ := iostreams.Test()
		ios.Getenv = func(k string) string { return tt.env[k] }
		opts, err := New(ios).BaseClientOptions()
		switch {
		case tt.err != "":
			if err == nil || !strings.HasPrefix(err.Error(), tt.err) {
				t.Errorf("env %v: error %v; want %q", tt.env, err, tt.err)
			}
			continue
		case err != nil:
			t.Errorf("env %v: %v", tt.env, err)
			continue
		}
		if opts.Unlimited != tt.unlimited || opts.MaxAttempts != tt.attempts {
			t.Errorf("env %v: unlimited %v, attempts %d; want %v, %d", tt.env, opts.Unlimited, opts.MaxAttempts, tt.unlimited, tt.attempts)
		}
		if diff := cmp.Diff(tt.timeouts, opts.Timeouts); diff != "" {
			t.Errorf("env %v: timeouts (-want +got):\n%s", tt.env, diff)
		}
	}
}

// TestDebugLine: --debug's line for an attempt says the service,
// operation, endpoint, attempt, status or failure, duration and request id.
func TestDebugLine(t *testing.T) {
	ios, _, _, errOut := iostreams.Test()
	f := New(ios)
	f.Global.Debug = true
	opts, err := f.BaseClientOptions()
	if err != nil || opts.OnAttempt == nil {
		t.Fatalf("--debug gives no OnAttempt (%v)", err)
	}
	opts.OnAttempt(awsclient.Attempt{Service: "sso", Operation: "GetRoleCredentials", Endpoint: "https://portal.sso.us-east-1.amazonaws.com",
		Number: 1, Status: 200, RequestID: "abc-123", Duration: 42 * time.Millisecond})
	opts.OnAttempt(awsclient.Attempt{Service: "sso-admin", Operation: "ListInstances", Endpoint: "http://127.0.0.1:9",
		Number: 2, Status: 500, Err: "InternalServerException", Duration: 3 * time.Millisecond})
	opts.OnAttempt(awsclient.Attempt{Service: "sso", Operation: "ListAccounts", Endpoint: "http://127.0.0.1:9",
		Number: 1, Err: "no answer within 7s", Duration: 7 * time.Second})
	want := `debug: sso GetRoleCredentials attempt 1 to https://portal.sso.us-east-1.amazonaws.com: HTTP 200 in 42ms, request id abc-123
debug: sso-admin ListInstances attempt 2 to http://127.0.0.1:9: HTTP 500 InternalServerException in 3ms
debug: sso ListAccounts attempt 1 to http://127.0.0.1:9: no answer within 7s, after 7s
`
	if diff := cmp.Diff(want, errOut.String()); diff != "" {
		t.Errorf("--debug lines (-want +got):\n%s", diff)
	}
}

// TestSandboxActivityDays: --sandbox-activity-days starts the in-process
// sandbox (no --sandbox needed) with that much sign-in history, which its
// CloudTrail client reads.
func TestSandboxActivityDays(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	ios.Getenv = func(string) string { return "" }
	f := New(ios)
	f.Global.SandboxActivityDays = 7
	defer f.Close()
	set, err := f.Clients(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if f.SandboxURL() == "" {
		t.Fatal("--sandbox-activity-days did not start the in-process sandbox")
	}
	out, err := set.CloudTrail().LookupEvents(t.Context(), &cloudtrail.LookupEventsInput{LookupAttributes: []cttypes.LookupAttribute{
		{AttributeKey: cttypes.LookupAttributeKeyEventName, AttributeValue: aws.String("GetRoleCredentials")},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Events) == 0 {
		t.Fatal("LookupEvents EventName=GetRoleCredentials: no events; want 7 days of seeded sign-ins")
	}
	if oldest := aws.ToTime(out.Events[len(out.Events)-1].EventTime); time.Since(oldest) > 8*24*time.Hour {
		t.Errorf("an event of %s: older than the 7 days seeded", oldest)
	}
}
