package emulator_test

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
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

// TestStatsIgnoreRequestsCutOff: a request whose client goes away before
// its body has arrived (a run interrupted while sending) is no call: the
// sandbox never started the operation, so counting it made an interrupted
// `user create` look as if it had sent one CreateAccountAssignment too many.
func TestStatsIgnoreRequestsCutOff(t *testing.T) {
	t.Parallel()
	srv, err := emulator.New(emulator.Options{})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewUnstartedServer(srv)
	active := make(chan struct{}, 1)
	hs.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateActive {
			active <- struct{}{}
		}
	}
	hs.Start()
	conn, err := net.Dial("tcp", hs.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	body := `{"InstanceArn":"arn:aws:sso:::instance/ssoins-0000000000000000"}`
	head := "POST / HTTP/1.1\r\nHost: " + hs.Listener.Addr().String() +
		"\r\nX-Amz-Target: SWBExternalService.CreateAccountAssignment\r\nContent-Type: application/x-amz-json-1.1" +
		"\r\namz-sdk-invocation-id: 7f3c5e9a-0000-4000-8000-000000000002" +
		"\r\nAuthorization: AWS4-HMAC-SHA256 Credential=" + emulator.SandboxAccessKeyID + "/20260101/us-east-1/sso/aws4_request, SignedHeaders=host, Signature=00" +
		"\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n"
	if _, err := conn.Write([]byte(head + body[:len(body)/2])); err != nil {
		t.Fatal(err)
	}
	<-active // the server has read the head and is reading the body
	conn.Close()
	hs.Close() // waits for the request's handler to return
	got := srv.Stats()
	want := emulator.StatsSnapshot{Calls: map[string]int{}, Attempts: map[string]int{}, Throttled: map[string]int{}, Errors: map[string]int{}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("stats after a request cut off mid-body (-want +got):\n%s", d)
	}
}
