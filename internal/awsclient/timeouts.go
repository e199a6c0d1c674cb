package awsclient

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// Timeouts bound every attempt of every AWS call, so an endpoint that
// accepts the connection and never answers (a stuck proxy) ends a call
// instead of hanging it. A timed-out attempt is retried like any transient
// error, but a call gives up after TimedOutAttempts of them: one line names
// the endpoint and what to check. A zero field takes its default.
type Timeouts struct {
	// Connect bounds opening a connection: the TCP dial, and the TLS
	// handshake (default 5 s: two lost SYNs).
	Connect time.Duration
	// ResponseHeader bounds the wait for the answer's headers once the
	// request is sent (default 7 s; AWS's APIs answer in well under one).
	ResponseHeader time.Duration
	// Attempt bounds one whole attempt, from the connection to the last
	// byte of the answer (default 10 s).
	Attempt time.Duration
	// TimedOutAttempts is how many attempts of one call may time out
	// before the call fails (default 2: a silent endpoint ends a call
	// within 2 × ResponseHeader, a stalled answer within 2 × Attempt).
	TimedOutAttempts int
}

// The default timeouts (see Timeouts).
const (
	DefaultConnectTimeout   = 5 * time.Second
	DefaultResponseTimeout  = 7 * time.Second
	DefaultAttemptTimeout   = 10 * time.Second
	DefaultTimedOutAttempts = 2
)

// WithDefaults fills in the zero fields.
func (t Timeouts) WithDefaults() Timeouts {
	if t.Connect <= 0 {
		t.Connect = DefaultConnectTimeout
	}
	if t.ResponseHeader <= 0 {
		t.ResponseHeader = DefaultResponseTimeout
	}
	if t.Attempt <= 0 {
		t.Attempt = DefaultAttemptTimeout
	}
	if t.TimedOutAttempts <= 0 {
		t.TimedOutAttempts = DefaultTimedOutAttempts
	}
	return t
}

// buildableClient is the SDK's HTTP client with t's connect and
// response-header timeouts (the attempt deadline is a middleware, so that
// the wait for a quota token is not part of it). Proxies from the
// environment are honoured as the SDK's default client honours them.
func buildableClient(t Timeouts) *awshttp.BuildableClient {
	t = t.WithDefaults()
	return awshttp.NewBuildableClient().
		WithDialerOptions(func(d *net.Dialer) { d.Timeout = t.Connect }).
		WithTransportOptions(func(tr *http.Transport) {
			tr.TLSHandshakeTimeout = t.Connect
			tr.ResponseHeaderTimeout = t.ResponseHeader
		})
}

// HTTPClient is a plain HTTP client under the same rules as the AWS
// clients (connect and response-header timeouts, and the attempt deadline
// for the whole exchange), for the AWS endpoints that are not an SDK
// service: the console's federation endpoint.
func HTTPClient(t Timeouts) *http.Client {
	t = t.WithDefaults()
	return &http.Client{Transport: buildableClient(t).GetTransport(), Timeout: t.Attempt}
}

// TimeoutError is one attempt that timed out. The retryer retries it; a
// call whose attempts keep timing out ends with an UnreachableError.
type TimeoutError struct {
	// Endpoint is scheme://host[:port] of the request.
	Endpoint string
	// What says which bound was hit: "no connection within 5s", …
	What string
}

func (e *TimeoutError) Error() string { return "timeout: " + e.Endpoint + ": " + e.What }

// Timeout reports true, as net.Error's Timeout does.
func (e *TimeoutError) Timeout() bool { return true }

// callState is one call's attempts, kept in its context by a middleware
// that runs once per call, ahead of the retryer.
type callState struct {
	attempts, timedOut int
}

type callStateKey struct{}

// addCallState gives each call a fresh callState.
func addCallState(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("ssoctlCallState",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			return next.HandleInitialize(context.WithValue(ctx, callStateKey{}, &callState{}), in)
		}), middleware.Before)
}

// Attempt is one attempt of an AWS call, as Options.OnAttempt sees it. It
// holds nothing secret: no URL path or query, no header, no body.
type Attempt struct {
	// Service is the client's name ("sso", "sso-admin", …) and Operation
	// the API's ("GetRoleCredentials").
	Service, Operation string
	// Endpoint is scheme://host[:port].
	Endpoint string
	// Number counts the call's attempts from 1.
	Number int
	// Status is the HTTP status (0 when no answer came).
	Status int
	// RequestID is AWS's request id, when the answer had one.
	RequestID string
	Duration  time.Duration
	// Err is nil for a success, else what went wrong in a few words (an
	// error code, a timeout, a connection failure); never a message body.
	Err string
}

// addAttempt bounds each attempt by t.Attempt, turns the attempt's
// timeouts into TimeoutError (retried) and, at t.TimedOutAttempts, into
// an UnreachableError (not retried), and reports each attempt to
// onAttempt. It goes last in the Finalize step, after the retryer and the
// quota bucket.
func addAttempt(t Timeouts, onAttempt func(Attempt)) func(*middleware.Stack) error {
	t = t.WithDefaults()
	return func(stack *middleware.Stack) error {
		return stack.Finalize.Add(middleware.FinalizeMiddlewareFunc("ssoctlAttempt",
			func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
				st, _ := ctx.Value(callStateKey{}).(*callState)
				if st == nil {
					st = &callState{}
				}
				st.attempts++
				endpoint := "the endpoint"
				if req, ok := in.Request.(*smithyhttp.Request); ok && req.URL != nil {
					endpoint = req.URL.Scheme + "://" + req.URL.Host
				}
				actx, cancel := context.WithTimeout(ctx, t.Attempt)
				defer cancel()
				start := time.Now()
				out, md, err := next.HandleFinalize(actx, in)
				elapsed := time.Since(start)
				if err != nil && ctx.Err() == nil {
					if what := timedOut(err, actx, t); what != "" {
						st.timedOut++
						err = &TimeoutError{Endpoint: endpoint, What: what}
						if st.timedOut >= t.TimedOutAttempts {
							err = &UnreachableError{
								Endpoint:  endpoint,
								Operation: awsmiddleware.GetServiceID(ctx) + " " + awsmiddleware.GetOperationName(ctx),
								Reason:    fmt.Sprintf("%s (%d attempts)", what, st.timedOut),
								Hint:      timeoutHint,
								Err:       err,
							}
						}
					}
				}
				if onAttempt != nil {
					onAttempt(attemptOf(ctx, md, err, endpoint, st.attempts, elapsed))
				}
				return out, md, err
			}), middleware.After)
	}
}

// timedOut says which bound an attempt's error hit ("" when none did).
func timedOut(err error, attempt context.Context, t Timeouts) string {
	var op *net.OpError
	msg := err.Error()
	switch {
	case errors.Is(attempt.Err(), context.DeadlineExceeded):
		return fmt.Sprintf("no complete answer within %s", t.Attempt)
	case strings.Contains(msg, "timeout awaiting response headers"):
		return fmt.Sprintf("no answer within %s", t.ResponseHeader)
	case strings.Contains(msg, "TLS handshake timeout"):
		return fmt.Sprintf("no TLS handshake within %s", t.Connect)
	case errors.As(err, &op) && op.Op == "dial" && op.Timeout():
		return fmt.Sprintf("no connection within %s", t.Connect)
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return fmt.Sprintf("timed out (%s)", strings.TrimSpace(lastPart(msg)))
	}
	return ""
}

// attemptOf describes one attempt for OnAttempt.
func attemptOf(ctx context.Context, md middleware.Metadata, err error, endpoint string, n int, d time.Duration) Attempt {
	a := Attempt{
		Service:   serviceKey(awsmiddleware.GetServiceID(ctx)),
		Operation: awsmiddleware.GetOperationName(ctx),
		Endpoint:  endpoint, Number: n, Duration: d,
	}
	if resp, ok := awsmiddleware.GetRawResponse(md).(*smithyhttp.Response); ok && resp != nil {
		a.Status = resp.StatusCode
	}
	a.RequestID, _ = awsmiddleware.GetRequestIDMetadata(md)
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		a.Status = re.HTTPStatusCode()
		if a.RequestID == "" {
			a.RequestID = re.RequestID
		}
	}
	if err != nil {
		a.Err = errorWords(err)
	}
	return a
}

// errorWords is an attempt's error in a few words: the API's error code,
// the timeout, or the network failure; nothing from a body or a URL.
func errorWords(err error) string {
	var ae smithy.APIError
	var te *TimeoutError
	var ue *UnreachableError
	var op *net.OpError
	switch {
	case errors.As(err, &ae):
		return ae.ErrorCode()
	case errors.As(err, &ue):
		return ue.Reason
	case errors.As(err, &te):
		return te.What
	}
	if reason, _ := classify(err); reason != "" {
		return reason
	}
	if errors.As(err, &op) && op.Err != nil {
		return op.Op + ": " + op.Err.Error()
	}
	if errors.Is(err, context.Canceled) {
		return "canceled"
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return "unreadable answer"
	}
	return "transport error"
}

// lastPart is the text after an error chain's last ": ".
func lastPart(msg string) string {
	if i := strings.LastIndex(msg, ": "); i >= 0 {
		return msg[i+2:]
	}
	return msg
}

// serviceKey is the name quotas and the sandbox use for an SDK service id.
func serviceKey(id string) string {
	if k, ok := serviceKeys[id]; ok {
		return k
	}
	return id
}
