package awsclient

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"testing"

	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// captureClient records the request body the transport would be given.
type captureClient struct{ body io.ReadCloser }

func (c *captureClient) Do(r *http.Request) (*http.Response, error) {
	c.body = r.Body
	return &http.Response{StatusCode: 200, Body: http.NoBody}, nil
}

// TestRequestBodyDrainAfterClose replays what net/http's writeLoop does
// after sending Content-Length bytes (drain the body into io.Discard) when
// the SDK has already closed the body because the response arrived: the
// drain must end cleanly, or the transport closes the connection under the
// response being read.
func TestRequestBodyDrainAfterClose(t *testing.T) {
	build := func() *http.Request {
		req := smithyhttp.NewStackRequest().(*smithyhttp.Request)
		req.Method = http.MethodPost
		req, err := req.SetStream(bytes.NewReader([]byte(`{"IdentityStoreId":"d-1234567890"}`)))
		if err != nil {
			t.Fatal(err)
		}
		return req.Build(context.Background())
	}

	// The SDK's own body answers the drain with io.EOF once closed: the
	// cause of the failure this client repairs.
	raw := build().Body
	raw.Close()
	if _, err := io.Copy(io.Discard, raw); err != io.EOF {
		t.Logf("the SDK's closed request body now drains with %v (was io.EOF); the repair may no longer be needed", err)
	}

	inner := &captureClient{}
	c := readOnlyBodies{inner}
	if _, err := c.Do(build()); err != nil {
		t.Fatal(err)
	}
	if _, ok := inner.body.(io.WriterTo); ok {
		t.Fatalf("request body %T offers WriteTo; want a plain reader", inner.body)
	}
	inner.body.Close()
	if n, err := io.Copy(io.Discard, inner.body); n != 0 || err != nil {
		t.Errorf("drain of a closed request body: got %d bytes, %v; want 0, nil", n, err)
	}
}
