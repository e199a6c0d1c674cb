package awsclient

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
)

// CallError is a failed AWS call said in one line: the service and
// operation, the service's error code and message (or why there was no
// usable answer), the HTTP status and attempts, and what to check.
type CallError struct {
	// Service and Operation as the SDK names them ("SSO", "ListAccountRoles").
	Service, Operation string
	// Code and Message are the service's error ("" when the answer had
	// none, or there was no answer).
	Code, Message string
	// Status is the HTTP status (0 when none came).
	Status int
	// Attempts is how many were made when the retryer gave up (0 when
	// the error was not retried to the end).
	Attempts int
	// Hint says what to check ("" when nothing useful can be said).
	Hint string
	// Err is the SDK's error.
	Err error
}

func (e *CallError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s failed", e.Service, e.Operation)
	var detail []string
	if e.Status != 0 {
		detail = append(detail, fmt.Sprintf("HTTP %d", e.Status))
	}
	if e.Attempts > 1 {
		detail = append(detail, fmt.Sprintf("after %d attempts", e.Attempts))
	}
	if e.Code != "" {
		fmt.Fprintf(&b, ": %s", e.Code)
	}
	if len(detail) > 0 {
		fmt.Fprintf(&b, " (%s)", strings.Join(detail, ", "))
	}
	if m := strings.TrimSuffix(oneLine(e.Message), "."); m != "" {
		fmt.Fprintf(&b, ": %s", m)
	}
	if e.Hint != "" {
		fmt.Fprintf(&b, "; %s", e.Hint)
	}
	return b.String()
}

func (e *CallError) Unwrap() error { return e.Err }

// explained is an error whose message was rewritten in one line; it
// unwraps to the original, so errors.Is and errors.As still see the chain.
type explained struct {
	msg string
	err error
}

func (e *explained) Error() string { return e.msg }
func (e *explained) Unwrap() error { return e.err }

// Explain returns err with every AWS call's failure in it (the SDK's
// "operation error …, exceeded maximum number of attempts, …, https
// response error StatusCode: …" chain) replaced by its CallError line, or
// by the UnreachableError line when the endpoint could not be reached; what
// the caller was doing (the wrapping around the SDK's error) stays. The
// result is one line, and unwraps to err. An err with no AWS call in it
// comes back as it was, newlines joined.
func Explain(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	changed := false
	for _, oe := range operationErrors(err) {
		var line string
		if u, ok := Unreachable(oe); ok {
			line = u.Error()
		} else {
			line = describe(oe).Error()
		}
		if sdk := oe.Error(); strings.Contains(msg, sdk) {
			msg = strings.Replace(msg, sdk, line, 1)
			changed = true
		}
	}
	if one := oneLine(msg); changed || one != msg {
		return &explained{msg: one, err: err}
	}
	return err
}

// Message is err in one line for a report that lists failures: the API's
// code and message, or the endpoint that could not be reached, or
// Explain's line.
func Message(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode() + ": " + oneLine(ae.ErrorMessage())
	}
	if u, ok := Unreachable(err); ok {
		return u.Error()
	}
	return Explain(err).Error()
}

// operationErrors finds every smithy.OperationError in err's tree (errors
// joined or listed, as a partial result's are, included).
func operationErrors(err error) []*smithy.OperationError {
	var out []*smithy.OperationError
	var walk func(error)
	walk = func(e error) {
		if e == nil {
			return
		}
		if oe, ok := e.(*smithy.OperationError); ok {
			out = append(out, oe)
			return
		}
		switch u := e.(type) {
		case interface{ Unwrap() []error }:
			for _, c := range u.Unwrap() {
				walk(c)
			}
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		}
	}
	walk(err)
	return out
}

func describe(oe *smithy.OperationError) *CallError {
	c := &CallError{Service: oe.ServiceID, Operation: oe.OperationName, Err: oe}
	var ae smithy.APIError
	var re *awshttp.ResponseError
	var max *retry.MaxAttemptsError
	if errors.As(oe, &max) {
		c.Attempts = max.Attempt
	}
	if errors.As(oe, &re) {
		c.Status = re.HTTPStatusCode()
	}
	switch {
	case errors.As(oe, &ae):
		c.Code, c.Message = ae.ErrorCode(), ae.ErrorMessage()
	case c.Status != 0:
		// An answer the SDK could not read as the service's: not AWS, or
		// an endpoint that does not implement the operation.
		c.Message = "the answer was not one the service gives (" + http.StatusText(c.Status) + ")"
	default:
		// No answer: what the transport said, without the retryer's and
		// the URL's wrapping.
		inner := oe.Err
		if max != nil {
			inner = max.Err
		}
		var ue *url.Error
		if errors.As(inner, &ue) {
			inner = ue.Err
		}
		c.Message = inner.Error()
	}
	c.Hint = hint(c)
	return c
}

// hint says what to check for a call's failure.
func hint(c *CallError) string {
	code := c.Code
	_, throttle := retry.DefaultThrottleErrorCodes[code]
	switch {
	case throttle || code == "TooManyRequestsException" || c.Status == http.StatusTooManyRequests:
		return "AWS kept throttling the calls: try again later, or lower ssoctl's rate (SSOCTL_RATE_SCALE=0.5)"
	case code == "UnauthorizedException" && c.Service == "SSO":
		return "the sign-in is no longer valid: run `ssoctl login`"
	case strings.HasPrefix(code, "AccessDenied"), code == "UnauthorizedOperation", code == "AuthorizationError", c.Status == http.StatusForbidden:
		return "check that the credentials in use (--profile, AWS_PROFILE) are allowed to call " + c.Operation
	case code == "UnrecognizedClientException", code == "InvalidClientTokenId", code == "SignatureDoesNotMatch",
		code == "IncompleteSignature", code == "ExpiredToken", code == "ExpiredTokenException", code == "InvalidSignatureException":
		return "check the credentials in use (--profile, AWS_PROFILE, AWS_ACCESS_KEY_ID) and this machine's clock"
	case strings.HasSuffix(code, "NotFoundException"), code == "NoSuchEntity", code == "NotFound":
		return "check the names and ids given, and the region"
	case c.Code == "" && c.Status != 0:
		return "check " + endpointVars + " (and endpoint_url in ~/.aws/config)"
	case c.Status >= 500 || strings.HasPrefix(code, "InternalServer") || code == "ServiceUnavailable" || code == "ServiceUnavailableException":
		return "the service failed on its side: try again in a few minutes"
	case c.Code == "" && c.Attempts > 1:
		return "check the network and any proxy (HTTPS_PROXY)"
	}
	return ""
}

// oneLine joins a message's lines and trims it.
func oneLine(s string) string {
	return strings.TrimSpace(strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(s))
}
