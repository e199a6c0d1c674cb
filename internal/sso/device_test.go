package sso

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	oidctypes "github.com/aws/aws-sdk-go-v2/service/ssooidc/types"
	"github.com/aws/smithy-go"
)

// fakeOIDC answers CreateToken from a script of errors, then with a token.
type fakeOIDC struct {
	errs  []error
	polls int
	// startErrs answer StartDeviceAuthorization first.
	startErrs []error
	starts    int
}

func (f *fakeOIDC) RegisterClient(context.Context, *ssooidc.RegisterClientInput, ...func(*ssooidc.Options)) (*ssooidc.RegisterClientOutput, error) {
	return &ssooidc.RegisterClientOutput{ClientId: aws.String("c"), ClientSecret: aws.String("s"), ClientSecretExpiresAt: time.Now().Add(time.Hour).Unix()}, nil
}

func (f *fakeOIDC) StartDeviceAuthorization(context.Context, *ssooidc.StartDeviceAuthorizationInput, ...func(*ssooidc.Options)) (*ssooidc.StartDeviceAuthorizationOutput, error) {
	f.starts++
	if len(f.startErrs) > 0 {
		err := f.startErrs[0]
		f.startErrs = f.startErrs[1:]
		return nil, err
	}
	return &ssooidc.StartDeviceAuthorizationOutput{DeviceCode: aws.String("d"), UserCode: aws.String("ABCD-EFGH"), Interval: 1, ExpiresIn: 600}, nil
}

func (f *fakeOIDC) CreateToken(context.Context, *ssooidc.CreateTokenInput, ...func(*ssooidc.Options)) (*ssooidc.CreateTokenOutput, error) {
	f.polls++
	if len(f.errs) > 0 {
		err := f.errs[0]
		f.errs = f.errs[1:]
		return nil, err
	}
	return &ssooidc.CreateTokenOutput{AccessToken: aws.String("tok"), ExpiresIn: 3600}, nil
}

func (f *fakeOIDC) Options() ssooidc.Options { return ssooidc.Options{Region: "us-east-1"} }

func TestDeviceFlowEnds(t *testing.T) {
	tests := []struct {
		name string
		errs []error
		want string
	}{
		{"expired", []error{&oidctypes.ExpiredTokenException{}}, "expired before it was approved"},
		{"denied", []error{&oidctypes.AccessDeniedException{Message: aws.String("no")}}, "sign-in was denied"},
		{"pending then approved", []error{&oidctypes.AuthorizationPendingException{}}, ""},
		{"other error", []error{errors.New("boom")}, "boom"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeOIDC{errs: tt.errs}
			m := &Manager{Home: t.TempDir(), Clients: func(context.Context, string) (Clients, error) { return Clients{OIDC: f}, nil }}
			_, err := m.Login(context.Background(), Config{Session: "x", StartURL: "https://x/start", Region: "us-east-1"}, LoginOptions{Flow: FlowDevice})
			if tt.want == "" {
				if err != nil || f.polls != 2 {
					t.Errorf("err %v after %d polls; want a token after 2", err, f.polls)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err %v; want one containing %q", err, tt.want)
			}
		})
	}
}

func TestDeviceFlowTimeout(t *testing.T) {
	f := &fakeOIDC{errs: []error{&oidctypes.AuthorizationPendingException{}, &oidctypes.AuthorizationPendingException{}}}
	m := &Manager{Home: t.TempDir(), Clients: func(context.Context, string) (Clients, error) { return Clients{OIDC: f}, nil }}
	_, err := m.Login(context.Background(), Config{Session: "x", StartURL: "https://x/start", Region: "us-east-1"},
		LoginOptions{Flow: FlowDevice, Timeout: 500 * time.Millisecond})
	if err == nil || !strings.Contains(err.Error(), "no approval within 500ms") {
		t.Errorf("err %v; want the timeout", err)
	}
}

// SlowDownException and throttling on the device authorization are waited
// out, not fatal; so is a SlowDown while polling.
func TestDeviceFlowSlowDown(t *testing.T) {
	f := &fakeOIDC{
		startErrs: []error{&oidctypes.SlowDownException{}, &smithy.GenericAPIError{Code: "ThrottlingException", Message: "Rate exceeded"}},
		errs:      []error{&oidctypes.SlowDownException{}},
	}
	m := &Manager{Home: t.TempDir(), Clients: func(context.Context, string) (Clients, error) { return Clients{OIDC: f}, nil }}
	_, err := m.Login(context.Background(), Config{Session: "x", StartURL: "https://x/start", Region: "us-east-1"}, LoginOptions{Flow: FlowDevice, Timeout: 5 * time.Minute})
	if err != nil || f.starts != 3 || f.polls != 2 {
		t.Errorf("err %v after %d starts and %d polls; want a token after 3 and 2", err, f.starts, f.polls)
	}
	// Another error is not retried.
	f = &fakeOIDC{startErrs: []error{&oidctypes.InvalidClientException{}}}
	m = &Manager{Home: t.TempDir(), Clients: func(context.Context, string) (Clients, error) { return Clients{OIDC: f}, nil }}
	if _, err := m.Login(context.Background(), Config{Session: "x", StartURL: "https://x/start", Region: "us-east-1"}, LoginOptions{Flow: FlowDevice}); err == nil || f.starts != 1 {
		t.Errorf("err %v after %d starts; want an error after 1", err, f.starts)
	}
}
