package awsclient

import (
	"io"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
)

// NewHTTPClient is the SDK's default HTTP client with one repair, so that a
// response is never cut off half-read by the request that asked for it.
//
// The SDK closes a request's body as soon as the response headers arrive,
// and its body wrapper answers a WriteTo after Close with io.EOF as an error.
// net/http, having sent Content-Length bytes, drains the body once more
// (io.Copy to io.Discard, which takes WriteTo); when the SDK's Close wins
// that race, the transport sees a failed request-body read and closes the
// connection while the response body is still being read. The caller then
// gets "use of closed network connection" on a 200 response and the SDK
// retries it: one call more than needed (about one ListUsers in a hundred
// against the loopback sandbox, where large responses are read in several
// pieces). Hiding WriteTo makes that last drain a plain Read, which answers
// (0, io.EOF) and ends the copy cleanly.
func NewHTTPClient() aws.HTTPClient {
	return readOnlyBodies{awshttp.NewBuildableClient()}
}

type readOnlyBodies struct{ c aws.HTTPClient }

func (h readOnlyBodies) Do(r *http.Request) (*http.Response, error) {
	if r.Body != nil && r.Body != http.NoBody {
		r.Body = readOnlyBody{r.Body}
	}
	return h.c.Do(r)
}

// readOnlyBody is a request body without the WriteTo of the value it wraps.
type readOnlyBody struct{ rc io.ReadCloser }

func (b readOnlyBody) Read(p []byte) (int, error) { return b.rc.Read(p) }
func (b readOnlyBody) Close() error               { return b.rc.Close() }
