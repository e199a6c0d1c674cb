package awsclient_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sso"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	"github.com/aws/smithy-go"

	"github.com/ssoctl/ssoctl/internal/awsclient"
	"github.com/ssoctl/ssoctl/internal/emulator"
	"github.com/ssoctl/ssoctl/internal/emulatortest"
	"github.com/ssoctl/ssoctl/internal/peertest"
)

func newSet(t *testing.T, url string) *awsclient.Set {
	t.Helper()
	set, err := awsclient.New(context.Background(), awsclient.Options{
		EndpointURL: url, Region: "us-east-1", Unlimited: true, MaxAttempts: 3, MaxBackoff: 10 * time.Millisecond,
		Credentials: credentials.NewStaticCredentialsProvider(emulator.SandboxAccessKeyID, emulator.SandboxSecretAccessKey, ""),
	})
	if err != nil {
		t.Fatal(err)
	}
	return set
}

// TestExplain: a failed call, wrapped by what the caller was doing, reads
// as one line: what was being done, the service's code and message, the
// status and attempts, and what to check; the SDK's chain is gone, and the
// chain is still there for errors.As.
func TestExplain(t *testing.T) {
	ctx := context.Background()
	failing := newSet(t, emulatortest.Start(t, emulator.Options{ErrorRate: 1}).URL)
	throttling := newSet(t, emulatortest.Start(t, emulator.Options{ThrottleRate: 1}).URL)
	ok := newSet(t, emulatortest.Start(t, emulator.Options{}).URL)
	tests := []struct {
		name string
		call func() error
		want string
	}{
		{"server error", func() error {
			_, err := failing.SSO().ListAccounts(ctx, &sso.ListAccountsInput{AccessToken: aws.String("t")})
			return fmt.Errorf("list accounts: %w", err)
		}, "list accounts: SSO ListAccounts failed: InternalServerException (HTTP 500, after 3 attempts): An internal error occurred (injected by the sandbox); the service failed on its side: try again in a few minutes"},
		{"throttled", func() error {
			_, err := throttling.SSOAdmin().ListInstances(ctx, &ssoadmin.ListInstancesInput{})
			return fmt.Errorf("find the instance: %w", err)
		}, "find the instance: SSO Admin ListInstances failed: ThrottlingException (HTTP 400, after 3 attempts): Rate exceeded; AWS kept throttling the calls: try again later, or lower ssoctl's rate (SSOCTL_RATE_SCALE=0.5)"},
		{"not found", func() error {
			_, err := ok.SSOAdmin().DescribePermissionSet(ctx, &ssoadmin.DescribePermissionSetInput{
				InstanceArn:      aws.String("arn:aws:sso:::instance/ssoins-0000000000000000"),
				PermissionSetArn: aws.String("arn:aws:sso:::permissionSet/ssoins-0000000000000000/ps-0000000000000000")})
			return err
		}, "SSO Admin DescribePermissionSet failed: ResourceNotFoundException (HTTP 400): "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			got := awsclient.Explain(err)
			if !strings.HasPrefix(got.Error(), tt.want) {
				t.Errorf("got  %q;\nwant %q", got.Error(), tt.want)
			}
			for _, noise := range []string{"operation error", "https response error", "RequestID", "exceeded maximum number of attempts", "\n"} {
				if strings.Contains(got.Error(), noise) {
					t.Errorf("%q still has the SDK's %q", got, noise)
				}
			}
			var ae smithy.APIError
			if !errors.As(got, &ae) {
				t.Errorf("the explained error lost the API error of its chain")
			}
		})
	}
}

// TestExplainNotAWS: an endpoint that answers an operation it does not
// implement with an HTML page (moto_server 5.2's IAM
// ListServiceSpecificCredentials) gives one short line, not the SDK's
// 300-character chain.
func TestExplainNotAWS(t *testing.T) {
	set := newSet(t, peertest.Moto(t))
	_, err := set.IAM().ListServiceSpecificCredentials(context.Background(), &iam.ListServiceSpecificCredentialsInput{UserName: aws.String("jane.doe")})
	if err == nil {
		t.Skip("this moto implements ListServiceSpecificCredentials")
	}
	got := awsclient.Message(err)
	want := "IAM ListServiceSpecificCredentials failed (HTTP 500, after 3 attempts): the answer was not one the service gives (Internal Server Error); check --endpoint-url and the AWS_ENDPOINT_URL* variables (and endpoint_url in ~/.aws/config)"
	if got != want {
		t.Errorf("got  %q (SDK: %q);\nwant %q", got, err, want)
	}
}

// TestExplainLeavesOthers: an error with no AWS call in it stays as it
// was, on one line.
func TestExplainLeavesOthers(t *testing.T) {
	base := errors.New("no such profile")
	if got := awsclient.Explain(base); got != base {
		t.Errorf("got %v; want the error itself", got)
	}
	multi := fmt.Errorf("two problems:\nfirst\nsecond: %w", base)
	got := awsclient.Explain(multi)
	if got.Error() != "two problems: first second: no such profile" || !errors.Is(got, base) {
		t.Errorf("got %q; want one line that still wraps the cause", got)
	}
}
