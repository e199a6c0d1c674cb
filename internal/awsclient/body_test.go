package awsclient

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"testing"

	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// TestRequestBodyDrainAfterClose replays what net/http's writeLoop does
// after sending Content-Length bytes (drain the body into io.Discard) when
// the SDK has already closed the body because the response arrived: the
// drain must end cleanly, or the transport closes the connection under the
// response being read.
func TestRequestBodyDrainAfterClose(t *testing.T) {
	const payload = `{"IdentityStoreId":"d-1234567890"}`
	newRequest := func() *smithyhttp.Request {
		req := smithyhttp.NewStackRequest().(*smithyhttp.Request)
		req.Method = http.MethodPost
		req, err := req.SetStream(bytes.NewReader([]byte(payload)))
		if err != nil {
			t.Fatal(err)
		}
		return req
	}

	// The SDK's own body answers the drain with io.EOF once closed: the
	// cause of the failure PlainRequestBodies prevents.
	raw := newRequest().Build(context.Background()).Body
	raw.Close()
	if _, err := io.Copy(io.Discard, raw); err != io.EOF {
		t.Logf("the SDK's closed request body now drains with %v (was io.EOF); PlainRequestBodies may no longer be needed", err)
	}

	// Through the middleware: the same request, as the transport gets it.
	stack := middleware.NewStack("test", smithyhttp.NewStackRequest)
	if err := PlainRequestBodies(stack); err != nil {
		t.Fatal(err)
	}
	var body io.ReadCloser
	var length int64
	h := middleware.DecorateHandler(middleware.HandlerFunc(func(ctx context.Context, in any) (any, middleware.Metadata, error) {
		req := in.(*smithyhttp.Request)
		built := req.Build(ctx)
		body, length = built.Body, built.ContentLength
		return nil, middleware.Metadata{}, nil
	}), stack)
	stack.Serialize.Add(middleware.SerializeMiddlewareFunc("setStream", func(ctx context.Context, in middleware.SerializeInput, next middleware.SerializeHandler) (middleware.SerializeOutput, middleware.Metadata, error) {
		in.Request = newRequest()
		return next.HandleSerialize(ctx, in)
	}), middleware.After)
	if _, _, err := h.Handle(context.Background(), struct{}{}); err != nil {
		t.Fatal(err)
	}
	if length != int64(len(payload)) {
		t.Errorf("ContentLength %d; want %d", length, len(payload))
	}
	if _, ok := body.(io.WriterTo); ok {
		t.Fatalf("request body %T offers WriteTo; want a plain reader", body)
	}
	got, err := io.ReadAll(body)
	if err != nil || string(got) != payload {
		t.Fatalf("body: got %q, %v; want %q", got, err, payload)
	}
	body.Close()
	if n, err := io.Copy(io.Discard, body); n != 0 || err != nil {
		t.Errorf("drain of a closed request body: got %d bytes, %v; want 0, nil", n, err)
	}
}
