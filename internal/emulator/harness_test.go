package emulator_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/ssoctl/ssoctl/internal/peertest"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/smithy-go"

	"github.com/ssoctl/ssoctl/internal/emulator"
	"github.com/ssoctl/ssoctl/internal/emulatortest"
)

// sandbox starts the emulator on a real loopback HTTP server and returns an
// aws.Config whose clients talk to it.
func sandbox(t testing.TB, opts emulator.Options) (*emulator.Server, aws.Config, string) {
	t.Helper()
	sb := emulatortest.Start(t, opts)
	return sb.Server, sb.Config(), sb.URL
}

// sdkConfig is peertest.SDKConfig: a plain SDK configuration for url.
func sdkConfig(url string, attempts int) aws.Config { return peertest.SDKConfig(url, attempts) }

// wantAPIError checks that err is a service error with the given code.
func wantAPIError(t testing.TB, err error, code string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("got error %v; want API error %s", err, code)
	}
	if ae.ErrorCode() != code {
		t.Fatalf("got error code %s (%v); want %s", ae.ErrorCode(), err, code)
	}
}

// stats reads /_sandbox/stats over HTTP.
func stats(t testing.TB, url string) emulator.StatsSnapshot { return peertest.Stats(t, url) }

var ctx = context.Background()

// signRequest signs a hand-made request with the sandbox's dummy
// credentials as the SDK signs one for service (its SigV4 name), at t.
func signRequest(t testing.TB, req *http.Request, body []byte, service string, at time.Time) {
	t.Helper()
	sum := sha256.Sum256(body)
	creds := aws.Credentials{AccessKeyID: emulator.SandboxAccessKeyID, SecretAccessKey: emulator.SandboxSecretAccessKey}
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), service, "us-east-1", at); err != nil {
		t.Fatal(err)
	}
}
