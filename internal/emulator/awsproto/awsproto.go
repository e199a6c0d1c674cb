// Package awsproto is the sandbox's protocol core, shared by every emulated
// service and independent of the emulator's store: the AWS error type and
// its wire shapes (awsJson __type body plus x-amzn-ErrorType header,
// rest-json, query XML), the JSON and XML response writers, model
// validation helpers, and the sorted Index with opaque NextToken
// pagination and page caps.
package awsproto

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"sync"
	"time"
)

// Error is an error the way a service reports it: an HTTP status, the
// exception name (awsJson __type, rest-json x-amzn-ErrorType, query Code) and
// a message, plus any extra members of the error shape.
type Error struct {
	Status  int
	Code    string
	Message string
	Extra   map[string]any // extra members (ResourceType, Reason, RetryAfterSeconds, …)
	// OAuth is the lower-case `error` of sso-oidc errors (authorization_pending …).
	OAuth string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Err makes an error with the HTTP status, exception name and message.
func Err(status int, code, format string, args ...any) *Error {
	return &Error{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

// With adds an extra member to the error shape and returns e.
func (e *Error) With(k string, v any) *Error {
	if e.Extra == nil {
		e.Extra = map[string]any{}
	}
	e.Extra[k] = v
	return e
}

// WithOAuth sets the OAuth error code (sso-oidc) and returns e.
func (e *Error) WithOAuth(code string) *Error {
	e.OAuth = code
	return e
}

// Validation is a 400 ValidationException.
func Validation(format string, args ...any) *Error {
	return Err(400, "ValidationException", format, args...)
}

// NotFound is a 400 ResourceNotFoundException.
func NotFound(format string, args ...any) *Error {
	return Err(400, "ResourceNotFoundException", format, args...)
}

// Conflict is a 400 ConflictException.
func Conflict(format string, args ...any) *Error {
	return Err(400, "ConflictException", format, args...)
}

// ErrInvalidToken is returned for a NextToken not issued for the list it is
// presented to; AsError makes it a ValidationException.
var ErrInvalidToken = errors.New("invalid pagination token")

// AsError turns any handler error into the service's error shape.
func AsError(err error) *Error {
	var ae *Error
	if errors.As(err, &ae) {
		return ae
	}
	if errors.Is(err, ErrInvalidToken) {
		return Validation("The NextToken is invalid or expired.")
	}
	return Err(500, "InternalServerException", "%v", err)
}

// WriteJSONError writes an awsJson1.1 error: __type in the body and the
// x-amzn-ErrorType header, because botocore 1.29 reads only the body and the
// Go and JS SDKs read the header first.
func WriteJSONError(w http.ResponseWriter, reqID string, e *Error) {
	body := map[string]any{"__type": e.Code, "Message": e.Message}
	for k, v := range e.Extra {
		body[k] = v
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("x-amzn-ErrorType", e.Code)
	w.Header().Set("x-amzn-RequestId", reqID)
	w.WriteHeader(e.Status)
	_ = json.NewEncoder(w).Encode(body)
}

// WriteJSON writes v as a JSON response with the request id.
func WriteJSON(w http.ResponseWriter, reqID, contentType string, v any) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("x-amzn-RequestId", reqID)
	if v == nil {
		v = struct{}{}
	}
	_ = json.NewEncoder(w).Encode(v)
}

// WriteRestJSONError writes a rest-json error (portal, OIDC, sesv2): the
// header names the exception; the body carries the message (and for OIDC the
// OAuth error code).
func WriteRestJSONError(w http.ResponseWriter, reqID string, e *Error) {
	body := map[string]any{"message": e.Message}
	if e.OAuth != "" {
		body = map[string]any{"error": e.OAuth, "error_description": e.Message}
	}
	for k, v := range e.Extra {
		body[k] = v
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("x-amzn-ErrorType", e.Code)
	w.Header().Set("x-amzn-RequestId", reqID)
	w.WriteHeader(e.Status)
	_ = json.NewEncoder(w).Encode(body)
}

// WriteQueryError writes a query-protocol (sts, iam) error document.
func WriteQueryError(w http.ResponseWriter, reqID, ns string, e *Error) {
	typ := "Sender"
	if e.Status >= 500 {
		typ = "Receiver"
	}
	type errBody struct {
		Type    string `xml:"Type"`
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	}
	doc := struct {
		XMLName   xml.Name `xml:"ErrorResponse"`
		Xmlns     string   `xml:"xmlns,attr"`
		Error     errBody  `xml:"Error"`
		RequestId string   `xml:"RequestId"`
	}{Xmlns: ns, Error: errBody{typ, e.Code, e.Message}, RequestId: reqID}
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("x-amzn-RequestId", reqID)
	w.WriteHeader(e.Status)
	_, _ = w.Write([]byte(xml.Header))
	_ = xml.NewEncoder(w).Encode(doc)
}

// WriteQueryResult wraps result as <OpResponse><OpResult>…</OpResult><ResponseMetadata/>.
// result must marshal as the inner elements of OpResult (an anonymous struct
// whose fields carry xml tags).
func WriteQueryResult(w http.ResponseWriter, reqID, ns, op string, result any) {
	type meta struct {
		RequestId string `xml:"RequestId"`
	}
	doc := struct {
		XMLName  xml.Name
		Xmlns    string `xml:"xmlns,attr"`
		Result   any    `xml:",omitempty"`
		Metadata meta   `xml:"ResponseMetadata"`
	}{XMLName: xml.Name{Local: op + "Response"}, Xmlns: ns, Metadata: meta{reqID}}
	if result != nil {
		doc.Result = XMLWrap{Name: op + "Result", V: result}
	}
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("x-amzn-RequestId", reqID)
	_, _ = w.Write([]byte(xml.Header))
	_ = xml.NewEncoder(w).Encode(doc)
}

// XMLWrap marshals V's fields inside an element called Name.
type XMLWrap struct {
	Name string
	V    any
}

func (x XMLWrap) MarshalXML(e *xml.Encoder, _ xml.StartElement) error {
	return e.EncodeElement(x.V, xml.StartElement{Name: xml.Name{Local: x.Name}})
}

// Epoch renders a time as awsJson epoch seconds (with milliseconds).
func Epoch(t time.Time) json.Number {
	if t.IsZero() {
		return ""
	}
	return json.Number(strconv.FormatFloat(float64(t.UnixMilli())/1000, 'f', -1, 64))
}

// ISOTime renders a time as the query protocol does.
func ISOTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

// CheckPattern returns a ValidationException naming the member when v does
// not match.
func CheckPattern(member, v string, re *regexp.Regexp) error {
	if !re.MatchString(v) {
		return Validation("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: %s", v, member, re.String())
	}
	return nil
}

// CheckMax validates MaxResults against the service's range.
func CheckMax(member string, v, lo, hi int) error {
	if v != 0 && (v < lo || v > hi) {
		return Validation("1 validation error detected: Value '%d' at '%s' failed to satisfy constraint: Member must have value between %d and %d", v, member, lo, hi)
	}
	return nil
}

// Required returns a ValidationException when the member is empty.
func Required(member, v string) error {
	if v == "" {
		return Validation("1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", member)
	}
	return nil
}

// LazyRegexp compiles a pattern the first time it is used: only the
// sandbox needs these, and every ssoctl process would otherwise pay for
// them at start-up.
func LazyRegexp(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}
