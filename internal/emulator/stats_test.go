package emulator_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	"github.com/google/go-cmp/cmp"

	"github.com/ssoctl/ssoctl/internal/emulator"
)

// TestStatsCountsInvocations checks that the attempts of one SDK call count
// as one call and as many attempts, and that requests without an
// invocation id each count as a call.
func TestStatsCountsInvocations(t *testing.T) {
	t.Parallel()
	_, _, url := sandbox(t, emulator.Options{ThrottleRate: 1})
	c := ssoadmin.NewFromConfig(sdkConfig(url, 3))
	for range 2 {
		_, err := c.ListInstances(ctx, &ssoadmin.ListInstancesInput{})
		wantAPIError(t, err, "ThrottlingException")
	}
	// The same invocation id twice, then two requests with none.
	for _, id := range []string{"7f3c5e9a-0000-4000-8000-000000000001", "7f3c5e9a-0000-4000-8000-000000000001", "", ""} {
		req, err := http.NewRequest(http.MethodPost, url, strings.NewReader("{}"))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("X-Amz-Target", "SWBExternalService.ListInstances")
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		if id != "" {
			req.Header.Set("amz-sdk-invocation-id", id)
		}
		signRequest(t, req, []byte("{}"), "sso", time.Now())
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	got := stats(t, url)
	want := emulator.StatsSnapshot{
		Calls:     map[string]int{"sso-admin:ListInstances": 2 + 1 + 2},
		Attempts:  map[string]int{"sso-admin:ListInstances": 6 + 2 + 2},
		Throttled: map[string]int{"sso-admin:ListInstances": 6 + 2 + 2},
		Errors:    map[string]int{},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("stats (-want +got):\n%s", d)
	}
}
