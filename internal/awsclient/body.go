package awsclient

import (
	"context"
	"io"

	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// PlainRequestBodies is an API option that keeps the SDK from cutting its
// own responses off half-read; every client ssoctl builds has it.
//
// The SDK closes a request's body as soon as the response headers arrive,
// and its body wrapper answers a WriteTo after Close with io.EOF as an error.
// net/http, having sent Content-Length bytes, drains the body once more
// (io.Copy to io.Discard, which takes WriteTo); when the SDK's Close wins
// that race, the transport sees a failed request-body read and closes the
// connection while the response body is still being read. The caller then
// gets "use of closed network connection" on a 200 response and the SDK
// retries it: one call more than needed (about one ListUsers in a hundred
// against the loopback sandbox, where a large response is read in several
// pieces). A request stream without WriteTo makes that last drain a plain
// Read, which answers (0, io.EOF) and ends the copy cleanly.
func PlainRequestBodies(stack *middleware.Stack) error {
	return stack.Build.Add(middleware.BuildMiddlewareFunc("ssoctlPlainRequestBody",
		func(ctx context.Context, in middleware.BuildInput, next middleware.BuildHandler) (middleware.BuildOutput, middleware.Metadata, error) {
			if req, ok := in.Request.(*smithyhttp.Request); ok {
				if _, writerTo := req.GetStream().(io.WriterTo); writerTo {
					if rs, ok := req.GetStream().(io.ReadSeeker); ok {
						plain, err := req.SetStream(readSeeker{rs})
						if err != nil {
							return middleware.BuildOutput{}, middleware.Metadata{}, err
						}
						in.Request = plain
					}
				}
			}
			return next.HandleBuild(ctx, in)
		}), middleware.After)
}

// readSeeker is a request stream without the WriteTo of the value it wraps.
type readSeeker struct{ rs io.ReadSeeker }

func (r readSeeker) Read(p []byte) (int, error)                { return r.rs.Read(p) }
func (r readSeeker) Seek(off int64, whence int) (int64, error) { return r.rs.Seek(off, whence) }
