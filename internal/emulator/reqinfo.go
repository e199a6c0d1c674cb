package emulator

import (
	"encoding/json"
	"net/http"

	"github.com/ssoctl/ssoctl/internal/emulator/awsproto"
)

// reqInfo is what a handler may need to know about its request beyond
// its input: the Region it was signed for and who signed it.
type reqInfo struct {
	Region string
	Caller callerIdentity
}

// serveOp runs an awsJson handler, telling one made by reqOp about the
// request.
func (s *Server) serveOp(h opHandler, r *http.Request, region string, body []byte) (any, error) {
	if h.withReq != nil {
		return h.withReq(reqInfo{Region: region, Caller: s.caller(r)}, body)
	}
	return h.fn(body)
}

// reqOp adapts a typed handler that needs to know about its request.
func reqOp[I any](write bool, f func(req reqInfo, in *I) (any, error)) opHandler {
	return opHandler{write: write, withReq: func(req reqInfo, body []byte) (any, error) {
		var in I
		if err := json.Unmarshal(body, &in); err != nil {
			return nil, awsproto.Err(400, "SerializationException", "cannot decode request: %v", err)
		}
		return f(req, &in)
	}}
}
