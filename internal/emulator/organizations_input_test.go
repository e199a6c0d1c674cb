package emulator_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/ssoctl/ssoctl/internal/emulator"
)

// TestOrganizationsInvalidInputReason checks that InvalidInputException
// carries a Reason from the model's InvalidInputExceptionReason enum. The
// requests are sent raw: the SDK would refuse to send a missing member.
func TestOrganizationsInvalidInputReason(t *testing.T) {
	srv, _, url := sandbox(t, emulator.Options{})
	// Signed with the credentials the sandbox exports, as a client would.
	var creds aws.Credentials
	for _, line := range emulator.Exports(url, srv.Region()) {
		k, v, _ := strings.Cut(strings.TrimPrefix(line, "export "), "=")
		switch k {
		case "AWS_ACCESS_KEY_ID":
			creds.AccessKeyID = v
		case "AWS_SECRET_ACCESS_KEY":
			creds.SecretAccessKey = v
		}
	}
	tests := []struct {
		op, body, reason string
	}{
		{"DescribeAccount", `{}`, "INPUT_REQUIRED"},
		{"DescribeAccount", `{"AccountId":"12345"}`, "INVALID_PATTERN"},
		{"ListAccountsForParent", `{}`, "INPUT_REQUIRED"},
		{"ListChildren", `{"ChildType":"ACCOUNT"}`, "INPUT_REQUIRED"},
		{"ListParents", `{}`, "INPUT_REQUIRED"},
		{"DescribeOrganizationalUnit", `{}`, "INPUT_REQUIRED"},
	}
	for _, tt := range tests {
		t.Run(tt.op+" "+tt.body, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/x-amz-json-1.1")
			req.Header.Set("X-Amz-Target", "AWSOrganizationsV20161128."+tt.op)
			sum := sha256.Sum256([]byte(tt.body))
			if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "organizations", srv.Region(), time.Now()); err != nil {
				t.Fatal(err)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var got struct {
				Type   string `json:"__type"`
				Reason string
			}
			if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != 400 || got.Type != "InvalidInputException" || got.Reason != tt.reason {
				t.Errorf("got HTTP %d %s with Reason %q; want 400 InvalidInputException with Reason %s", resp.StatusCode, got.Type, got.Reason, tt.reason)
			}
		})
	}
}
