package emulator

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

// apiError is an error the way a service reports it: an HTTP status, the
// exception name (awsJson __type, rest-json x-amzn-ErrorType, query Code) and
// a message, plus any extra members of the error shape.
type apiError struct {
	Status  int
	Code    string
	Message string
	Extra   map[string]any // extra members (ResourceType, Reason, RetryAfterSeconds, …)
	// OAuth is the lower-case `error` of sso-oidc errors (authorization_pending …).
	OAuth string
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

func newErr(status int, code, format string, args ...any) *apiError {
	return &apiError{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

func (e *apiError) with(k string, v any) *apiError {
	if e.Extra == nil {
		e.Extra = map[string]any{}
	}
	e.Extra[k] = v
	return e
}

func validation(format string, args ...any) *apiError {
	return newErr(400, "ValidationException", format, args...)
}

func notFound(format string, args ...any) *apiError {
	return newErr(400, "ResourceNotFoundException", format, args...)
}

func conflict(format string, args ...any) *apiError {
	return newErr(400, "ConflictException", format, args...)
}

var errInvalidToken = errors.New("invalid pagination token")

// asAPIError turns any handler error into the service's error shape.
func asAPIError(err error) *apiError {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae
	}
	if errors.Is(err, errInvalidToken) {
		return validation("The NextToken is invalid or expired.")
	}
	return newErr(500, "InternalServerException", "%v", err)
}

// writeJSONError writes an awsJson1.1 error: __type in the body and the
// x-amzn-ErrorType header, because botocore 1.29 reads only the body and the
// Go and JS SDKs read the header first.
func writeJSONError(w http.ResponseWriter, reqID string, e *apiError) {
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

func writeJSON(w http.ResponseWriter, reqID, contentType string, v any) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("x-amzn-RequestId", reqID)
	if v == nil {
		v = struct{}{}
	}
	_ = json.NewEncoder(w).Encode(v)
}

// writeRestJSONError writes a rest-json error (portal, OIDC, sesv2): the
// header names the exception; the body carries the message (and for OIDC the
// OAuth error code).
func writeRestJSONError(w http.ResponseWriter, reqID string, e *apiError) {
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

// writeQueryError writes a query-protocol (sts, iam) error document.
func writeQueryError(w http.ResponseWriter, reqID, ns string, e *apiError) {
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

// writeQueryResult wraps result as <OpResponse><OpResult>…</OpResult><ResponseMetadata/>.
// result must marshal as the inner elements of OpResult (an anonymous struct
// whose fields carry xml tags).
func writeQueryResult(w http.ResponseWriter, reqID, ns, op string, result any) {
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
		doc.Result = xmlWrap{Name: op + "Result", V: result}
	}
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("x-amzn-RequestId", reqID)
	_, _ = w.Write([]byte(xml.Header))
	_ = xml.NewEncoder(w).Encode(doc)
}

// xmlWrap marshals V's fields inside an element called Name.
type xmlWrap struct {
	Name string
	V    any
}

func (x xmlWrap) MarshalXML(e *xml.Encoder, _ xml.StartElement) error {
	return e.EncodeElement(x.V, xml.StartElement{Name: xml.Name{Local: x.Name}})
}

// epoch renders a time as awsJson epoch seconds (with milliseconds).
func epoch(t time.Time) json.Number {
	if t.IsZero() {
		return ""
	}
	return json.Number(strconv.FormatFloat(float64(t.UnixMilli())/1000, 'f', -1, 64))
}

// isoTime renders a time as the query protocol does.
func isoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

// Patterns from the service models; the SDKs do not check them, the service does.
var (
	reAccountID     = lazyRegexp(`^\d{12}$`)
	reInstanceArn   = lazyRegexp(`^arn:(aws|aws-us-gov|aws-cn|aws-iso|aws-iso-b)(-[a-z]{1,5}){0,3}:sso:::instance/(sso)?ins-[a-zA-Z0-9-.]{16}$`)
	rePermSetArn    = lazyRegexp(`^arn:(aws|aws-us-gov|aws-cn|aws-iso|aws-iso-b)(-[a-z]{1,5}){0,3}:sso:::permissionSet/(sso)?ins-[a-zA-Z0-9-.]{16}/ps-[a-zA-Z0-9-./]{16}$`)
	reStoreID       = lazyRegexp(`^(d-[0-9a-f]{10}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$`)
	rePrincipalID   = lazyRegexp(`^([0-9a-f]{10}-|)[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{12}$`)
	rePermSetName   = lazyRegexp(`^[\w+=,.@-]{1,32}$`)
	reRequestID     = lazyRegexp(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	reDuration      = lazyRegexp(`^P(T(\d+H)?(\d+M)?(\d+S)?)$`)
	reManagedPolicy = lazyRegexp(`^arn:(aws|aws-us-gov|aws-cn|aws-iso|aws-iso-b)(-[a-z]{1,5}){0,3}:iam::aws:policy/[\w+=,.@/-]+$`)
	reToken         = lazyRegexp(`^[-a-zA-Z0-9+=/_]*$`)
)

// checkPattern returns a ValidationException naming the member when v does
// not match.
func checkPattern(member, v string, re *regexp.Regexp) error {
	if !re.MatchString(v) {
		return validation("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: %s", v, member, re.String())
	}
	return nil
}

// checkMax validates MaxResults against the service's range.
func checkMax(member string, v, lo, hi int) error {
	if v != 0 && (v < lo || v > hi) {
		return validation("1 validation error detected: Value '%d' at '%s' failed to satisfy constraint: Member must have value between %d and %d", v, member, lo, hi)
	}
	return nil
}

func required(member, v string) error {
	if v == "" {
		return validation("1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", member)
	}
	return nil
}

// lazyRegexp compiles a pattern the first time it is used: only the
// sandbox needs these, and every ssoctl process would otherwise pay for
// them at start-up.
func lazyRegexp(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}
