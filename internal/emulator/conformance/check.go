package conformance

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"math"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Response is one raw HTTP answer.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Checker validates raw responses of one service against its model.
type Checker struct {
	Model *Model
	// SDK is the Go SDK's client type for the service (*ssoadmin.Client …),
	// or nil. Members and enum values its output types carry count as
	// modelled: the Go SDK the project builds with can be newer than
	// botocore.
	SDK reflect.Type
	// Now decides which members the model announces as retired by now.
	Now time.Time
	// Allow lists what AWS documents or is seen to send beyond the model.
	Allow []Allowance

	pats *patterns
}

// NewChecker returns a Checker for m.
func NewChecker(m *Model, sdk reflect.Type, now time.Time) *Checker {
	return &Checker{Model: m, SDK: sdk, Now: now, pats: newPatterns()}
}

// Allowance is something AWS documents, or is seen to send, that
// botocore's model leaves out: an error code an operation answers, or a
// member whose value breaks the model. The checker accepts it and reports
// it as allowed, with the reason.
type Allowance struct {
	Op    string // the operation
	Error string // an error code the operation may answer, or
	Path  string // the member path whose violations are accepted
	Why   string // the evidence
}

// Patterns lists the model patterns the checker used without their
// lookaround groups (RE2 has none).
func (c *Checker) Patterns() []string { return c.pats.Loosened() }

// CommonErrors are the error codes AWS documents as common to every
// service's API ("Common Errors" in each API reference), which the models
// do not list per operation, for a protocol family: "json" services use the
// exception names, "query" services the short codes, "rest-xml" (S3) its
// own list.
func CommonErrors(family string) []string {
	return commonErrors()[family]
}

func commonErrors() map[string][]string {
	return map[string][]string{
		"json": {"AccessDeniedException", "ExpiredTokenException", "IncompleteSignature", "InternalFailure",
			"InvalidClientTokenId", "InvalidSignatureException", "MissingAuthenticationToken", "NotAuthorized",
			"OptInRequired", "RequestExpired", "ServiceUnavailable", "ThrottlingException",
			"UnrecognizedClientException", "ValidationException"},
		"query": {"AccessDenied", "AccessDeniedException", "ExpiredToken", "IncompleteSignature", "InternalFailure",
			"InvalidAction", "InvalidClientTokenId", "InvalidParameterCombination", "InvalidParameterValue",
			"InvalidQueryParameter", "MalformedQueryString", "MissingAction", "MissingAuthenticationToken",
			"MissingParameter", "NotAuthorized", "OptInRequired", "RequestExpired", "ServiceUnavailable",
			"SignatureDoesNotMatch", "Throttling", "ThrottlingException", "ValidationError"},
		// S3 documents its error codes apart from the model ("Error responses"
		// in the S3 API reference).
		"rest-xml": {"AccessDenied", "AuthorizationHeaderMalformed", "ExpiredToken", "InternalError",
			"InvalidAccessKeyId", "InvalidArgument", "InvalidToken", "MissingSecurityHeader",
			"RequestTimeTooSkewed", "ServiceUnavailable", "SignatureDoesNotMatch", "SlowDown"},
	}
}

func (c *Checker) family() string {
	switch c.Model.Metadata.Protocol {
	case "query", "ec2":
		return "query"
	case "rest-xml":
		return "rest-xml"
	}
	return "json"
}

// Outcome is what Check found in one response.
type Outcome struct {
	// Error is the error code, "" for a success.
	Error string
	// Modelled is true when Error is one the model lists for the operation
	// (false for the common errors).
	Modelled bool
	// Violations are the ways the response breaks the model, each
	// "<path>: <what>".
	Violations []string
	// Allowed are the violations an Allowance accepted, with its reason.
	Allowed []string
}

// Check validates one response of operation op.
func (c *Checker) Check(op string, r Response) Outcome {
	o := c.Model.Operations[op]
	if o == nil {
		return Outcome{Violations: []string{op + ": no such operation in the model"}}
	}
	v := &validator{c: c, op: o}
	if r.Status >= 300 {
		v.checkError(r)
	} else {
		v.checkOutput(r)
	}
	out := Outcome{Error: v.errCode, Modelled: v.modelled, Allowed: v.allowed}
	for _, viol := range v.out {
		if a, ok := c.allowance(op, "", viol); ok {
			out.Allowed = append(out.Allowed, viol+" (allowed: "+a.Why+")")
			continue
		}
		out.Violations = append(out.Violations, viol)
	}
	return out
}

// allowance finds the Allowance for an error code or a violation.
func (c *Checker) allowance(op, code, violation string) (Allowance, bool) {
	for _, a := range c.Allow {
		if a.Op != op {
			continue
		}
		if code != "" && a.Error == code {
			return a, true
		}
		if violation != "" && a.Path != "" && strings.HasPrefix(violation, a.Path+":") {
			return a, true
		}
	}
	return Allowance{}, false
}

type validator struct {
	c        *Checker
	op       *Operation
	out      []string
	allowed  []string
	errCode  string
	modelled bool
}

func (v *validator) bad(path, format string, args ...any) {
	v.out = append(v.out, path+": "+fmt.Sprintf(format, args...))
}

// sdkOutput is the Go SDK's output struct for the operation, or nil.
func (v *validator) sdkOutput() reflect.Type {
	if v.c.SDK == nil {
		return nil
	}
	m, ok := v.c.SDK.MethodByName(v.op.Name)
	if !ok || m.Type.NumOut() < 1 {
		return nil
	}
	return deref(m.Type.Out(0))
}

func deref(t reflect.Type) reflect.Type {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

func (v *validator) checkOutput(r Response) {
	want := v.op.HTTP.ResponseCode
	if want == 0 {
		want = 200
	}
	if r.Status != want {
		v.bad("status", "HTTP %d; the model says %d", r.Status, want)
	}
	proto := v.c.Model.Metadata.Protocol
	switch proto {
	case "json":
		wantCT := "application/x-amz-json-" + v.c.Model.Metadata.JSONVersion
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, wantCT) {
			v.bad("Content-Type", "%q; want %s", ct, wantCT)
		}
		if v.op.Output == nil {
			v.jsonEmpty(r.Body)
			return
		}
		v.jsonBody(r.Body, v.op.Output.Shape, nil)
	case "rest-json":
		if v.op.Output == nil {
			v.jsonEmpty(r.Body)
			return
		}
		body := v.restHeaders(r, v.op.Output.Shape)
		v.jsonBody(r.Body, v.op.Output.Shape, body)
	case "query":
		v.queryOutput(r)
	case "rest-xml":
		if v.op.Output == nil {
			return
		}
		body := v.restHeaders(r, v.op.Output.Shape)
		root, err := parseXML(r.Body)
		if err != nil {
			v.bad("body", "not XML: %v", err)
			return
		}
		v.xmlStruct("", root, v.c.Model.Shapes[v.op.Output.Shape], v.sdkOutput(), body)
	default:
		v.bad("protocol", "%s is not checked", proto)
	}
}

// jsonEmpty checks the body of an operation without output: nothing, or {}.
func (v *validator) jsonEmpty(body []byte) {
	b := bytes.TrimSpace(body)
	if len(b) == 0 || string(b) == "{}" {
		return
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil || len(m) > 0 {
		v.bad("body", "%s; the operation has no output", truncate(string(b)))
	}
}

// restHeaders checks the output members bound to headers and returns the
// names of the members the body may carry (nil: every member).
func (v *validator) restHeaders(r Response, shapeName string) map[string]bool {
	s := v.c.Model.Shapes[shapeName]
	body := map[string]bool{}
	for name, ref := range s.Members {
		switch ref.Location {
		case "header":
			if h := r.Header.Get(WireName(name, ref)); h != "" {
				v.headerValue(name, h, ref)
			} else if slices.Contains(s.Required, name) {
				v.bad(name, "required header %s missing", WireName(name, ref))
			}
		case "headers", "statusCode":
		default:
			body[name] = true
		}
	}
	return body
}

func (v *validator) headerValue(path, h string, ref *Ref) {
	s := v.c.Model.Shapes[ref.Shape]
	switch s.Type {
	case "string":
		v.str(path, h, s, nil)
	case "integer", "long":
		if _, err := strconv.ParseInt(h, 10, 64); err != nil {
			v.bad(path, "header %q is not an integer", h)
		}
	case "boolean":
		if h != "true" && h != "false" {
			v.bad(path, "header %q is not a boolean", h)
		}
	case "timestamp":
		v.timestampText(path, h, tsFormat(ref, s, "rfc822"))
	}
}

// jsonBody checks a JSON body against the output shape; only, when not
// nil, names the members the body may carry (the rest are bound to headers).
func (v *validator) jsonBody(body []byte, shapeName string, only map[string]bool) {
	s := v.c.Model.Shapes[shapeName]
	sdk := v.sdkOutput()
	if s.Payload != "" {
		ref := s.Members[s.Payload]
		ps := v.c.Model.Shapes[ref.Shape]
		if ps.Type != "structure" {
			return // a blob or string payload: nothing to check
		}
		f, _ := sdkField(sdk, s.Payload)
		s, only, sdk = ps, nil, f.Type
	}
	var doc any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		v.bad("body", "not JSON: %v (%s)", err, truncate(string(body)))
		return
	}
	obj, ok := doc.(map[string]any)
	if !ok {
		v.bad("body", "not a JSON object")
		return
	}
	for k := range obj {
		if _, name := memberByWire(s, k); name != "" && only != nil && !only[name] {
			v.bad(k, "sent in the body; the model binds it to a header")
		}
	}
	v.jsonStruct("", obj, s, sdk, only)
}

// memberByWire finds the member sent as key: its ref and member name.
func memberByWire(s *Shape, key string) (*Ref, string) {
	for name, ref := range s.Members {
		if WireName(name, ref) == key {
			return ref, name
		}
	}
	return nil, ""
}

func joinPath(path, k string) string {
	if path == "" {
		return k
	}
	return path + "." + k
}

// retiredRE finds an announced retirement in a member's documentation:
// "The <code>Status</code> parameter … will be retired on September 9,
// 2026". The named parameter may be the member or one inside it.
var retiredRE = regexp.MustCompile(`(?:<code>(\w+)</code> parameter[^.]*?)?will be retired on ([A-Z][a-z]+ \d{1,2}, \d{4})`)

// Retired is the date a member's documentation announces its retirement
// for, if it announces one for the member itself (named member).
func Retired(member, doc string) (time.Time, bool) {
	for _, m := range retiredRE.FindAllStringSubmatch(doc, -1) {
		if m[1] != "" && m[1] != member {
			continue // it speaks of a member inside this one
		}
		if t, err := time.Parse("January 2, 2006", m[2]); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

func (v *validator) retired(path, member string, ref *Ref) {
	if when, ok := Retired(member, ref.Documentation); ok && !v.c.Now.Before(when) {
		v.bad(path, "sent, but the model retired this member on %s", when.Format("2006-01-02"))
	}
}

func (v *validator) jsonStruct(path string, obj map[string]any, s *Shape, sdk reflect.Type, only map[string]bool) {
	if s.Document {
		return
	}
	sdk = deref(sdk)
	if sdk != nil && sdk.Kind() != reflect.Struct {
		sdk = nil
	}
	present := map[string]bool{}
	for k, val := range obj {
		p := joinPath(path, k)
		ref, name := memberByWire(s, k)
		if ref == nil {
			if path == "" && s.Exception && (k == "__type" || strings.EqualFold(k, "message")) {
				continue
			}
			if f, ok := sdkField(sdk, k); ok {
				v.sdkValue(p, val, f.Type)
				continue
			}
			v.bad(p, "unknown member (%s)", truncate(fmt.Sprint(val)))
			continue
		}
		if only != nil && !only[name] {
			continue
		}
		if val == nil {
			continue
		}
		present[name] = true
		v.retired(p, name, ref)
		var ft reflect.Type
		if f, ok := sdkField(sdk, name); ok {
			ft = f.Type
		}
		v.jsonValue(p, val, ref, ft)
	}
	for _, req := range s.Required {
		if only != nil && !only[req] {
			continue
		}
		if !present[req] {
			v.bad(joinPath(path, req), "required member missing")
		}
	}
	if s.Union && len(present) != 1 {
		v.bad(path, "union with %d members set; want exactly 1", len(present))
	}
}

// sdkField finds the Go SDK struct field for a member name.
func sdkField(t reflect.Type, name string) (reflect.StructField, bool) {
	if t == nil || t.Kind() != reflect.Struct || name == "" {
		return reflect.StructField{}, false
	}
	want := strings.ToUpper(name[:1]) + name[1:]
	if f, ok := t.FieldByName(want); ok && f.IsExported() {
		return f, true
	}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.IsExported() && strings.EqualFold(f.Name, name) {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

func (v *validator) jsonValue(path string, val any, ref *Ref, sdk reflect.Type) {
	s := v.c.Model.Shapes[ref.Shape]
	if s == nil {
		v.bad(path, "shape %s missing from the model", ref.Shape)
		return
	}
	sdk = deref(sdk)
	switch s.Type {
	case "structure":
		obj, ok := val.(map[string]any)
		if !ok {
			v.bad(path, "%s; want an object", jsonType(val))
			return
		}
		v.jsonStruct(path, obj, s, sdk, nil)
	case "list":
		arr, ok := val.([]any)
		if !ok {
			v.bad(path, "%s; want a list", jsonType(val))
			return
		}
		v.size(path, len(arr), s, "items")
		var et reflect.Type
		if sdk != nil && sdk.Kind() == reflect.Slice {
			et = sdk.Elem()
		}
		for i, e := range arr {
			if e == nil {
				v.bad(fmt.Sprintf("%s[%d]", path, i), "null list item")
				continue
			}
			v.jsonValue(fmt.Sprintf("%s[%d]", path, i), e, s.Member, et)
		}
	case "map":
		obj, ok := val.(map[string]any)
		if !ok {
			v.bad(path, "%s; want a map", jsonType(val))
			return
		}
		v.size(path, len(obj), s, "entries")
		var et reflect.Type
		if sdk != nil && sdk.Kind() == reflect.Map {
			et = sdk.Elem()
		}
		for k, e := range obj {
			p := path + "[" + k + "]"
			v.str(p+" key", k, v.c.Model.Shapes[s.Key.Shape], nil)
			if e != nil {
				v.jsonValue(p, e, s.Value, et)
			}
		}
	case "string":
		str, ok := val.(string)
		if !ok {
			v.bad(path, "%s; want a string", jsonType(val))
			return
		}
		v.str(path, str, s, sdk)
	case "integer", "long", "short", "byte":
		n, ok := val.(json.Number)
		if !ok {
			v.bad(path, "%s; want an integer", jsonType(val))
			return
		}
		i, err := strconv.ParseInt(string(n), 10, 64)
		if err != nil {
			v.bad(path, "%s is not an integer", n)
			return
		}
		if s.Type == "integer" && (i > math.MaxInt32 || i < math.MinInt32) {
			v.bad(path, "%d does not fit a 32-bit integer", i)
		}
		v.rangeCheck(path, float64(i), s)
	case "float", "double":
		n, ok := val.(json.Number)
		if !ok {
			if str, isStr := val.(string); !isStr || (str != "NaN" && str != "Infinity" && str != "-Infinity") {
				v.bad(path, "%s; want a number", jsonType(val))
			}
			return
		}
		f, err := n.Float64()
		if err != nil {
			v.bad(path, "%s is not a number", n)
			return
		}
		v.rangeCheck(path, f, s)
	case "boolean":
		if _, ok := val.(bool); !ok {
			v.bad(path, "%s; want a boolean", jsonType(val))
		}
	case "timestamp":
		v.jsonTimestamp(path, val, tsFormat(ref, s, "unixTimestamp"))
	case "blob":
		str, ok := val.(string)
		if !ok {
			v.bad(path, "%s; want base64 text", jsonType(val))
			return
		}
		if _, err := base64.StdEncoding.DecodeString(str); err != nil {
			v.bad(path, "not base64: %v", err)
		}
	default:
		v.bad(path, "shape type %s is not checked", s.Type)
	}
}

// tsFormat is a timestamp's wire format: the member's, the shape's, else
// the protocol's default for where it is.
func tsFormat(ref *Ref, s *Shape, def string) string {
	if ref != nil && ref.TimestampFormat != "" {
		return ref.TimestampFormat
	}
	if s.TimestampFormat != "" {
		return s.TimestampFormat
	}
	return def
}

func (v *validator) jsonTimestamp(path string, val any, format string) {
	switch format {
	case "unixTimestamp":
		n, ok := val.(json.Number)
		if !ok {
			v.bad(path, "timestamp %s; want epoch seconds as a JSON number", jsonType(val))
			return
		}
		f, err := n.Float64()
		if err != nil || f < 0 {
			v.bad(path, "timestamp %s is not epoch seconds", n)
			return
		}
		// Epoch milliseconds sent as seconds would land tens of thousands
		// of years ahead.
		if f > 1e10 {
			v.bad(path, "timestamp %s is not epoch seconds (milliseconds?)", n)
		}
	default:
		str, ok := val.(string)
		if !ok {
			v.bad(path, "timestamp %s; want %s text", jsonType(val), format)
			return
		}
		v.timestampText(path, str, format)
	}
}

func (v *validator) timestampText(path, str, format string) {
	var err error
	switch format {
	case "iso8601":
		_, err = time.Parse(time.RFC3339Nano, str)
	case "rfc822":
		_, err = http.ParseTime(str)
	case "unixTimestamp":
		_, err = strconv.ParseFloat(str, 64)
	}
	if err != nil {
		v.bad(path, "timestamp %q is not %s", str, format)
	}
}

func (v *validator) size(path string, n int, s *Shape, what string) {
	if s.Min != nil && float64(n) < *s.Min {
		v.bad(path, "%d %s; the model's minimum is %v", n, what, *s.Min)
	}
	if s.Max != nil && float64(n) > *s.Max {
		v.bad(path, "%d %s; the model's maximum is %v", n, what, *s.Max)
	}
}

func (v *validator) rangeCheck(path string, f float64, s *Shape) {
	if s.Min != nil && f < *s.Min {
		v.bad(path, "%v is below the model's minimum %v", f, *s.Min)
	}
	if s.Max != nil && f > *s.Max {
		v.bad(path, "%v is above the model's maximum %v", f, *s.Max)
	}
}

// str checks a string against the shape's enum, length and pattern; an
// enum value the Go SDK's type lists (sdk) counts as modelled.
func (v *validator) str(path, str string, s *Shape, sdk reflect.Type) {
	if len(s.Enum) > 0 && !slices.Contains(s.Enum, str) && !slices.Contains(sdkEnum(sdk), str) {
		v.bad(path, "%q is not one of the model's values %v", str, s.Enum)
	}
	n := utf8.RuneCountInString(str)
	if s.Min != nil && float64(n) < *s.Min {
		v.bad(path, "%q is %d characters; the model's minimum is %v", truncate(str), n, *s.Min)
	}
	if s.Max != nil && float64(n) > *s.Max {
		v.bad(path, "%d characters; the model's maximum is %v", n, *s.Max)
	}
	if s.Pattern != "" {
		if re := v.c.pats.get(s.Pattern); re != nil && !re.MatchString(str) {
			v.bad(path, "%q does not match the model's pattern %s", truncate(str), s.Pattern)
		}
	}
}

// sdkEnum lists the values of a Go SDK enum type (a string type with a
// Values method), or nil.
func sdkEnum(t reflect.Type) []string {
	t = deref(t)
	if t == nil || t.Kind() != reflect.String {
		return nil
	}
	m, ok := t.MethodByName("Values")
	if !ok || m.Type.NumIn() != 1 || m.Type.NumOut() != 1 {
		return nil
	}
	res := m.Func.Call([]reflect.Value{reflect.Zero(t)})[0]
	var out []string
	for i := 0; i < res.Len(); i++ {
		out = append(out, res.Index(i).String())
	}
	return out
}

// sdkValue checks a member botocore's model lacks against the Go SDK type
// that carries it: the JSON kind, enum values, and inner members.
func (v *validator) sdkValue(path string, val any, t reflect.Type) {
	t = deref(t)
	if t == nil || val == nil {
		return
	}
	switch {
	case t == reflect.TypeOf(time.Time{}):
		v.jsonTimestamp(path, val, "unixTimestamp")
	case t.Kind() == reflect.String:
		str, ok := val.(string)
		if !ok {
			v.bad(path, "%s; the Go SDK's type is a string", jsonType(val))
			return
		}
		if enum := sdkEnum(t); len(enum) > 0 && !slices.Contains(enum, str) {
			v.bad(path, "%q is not one of the Go SDK's values %v", str, enum)
		}
	case t.Kind() == reflect.Bool:
		if _, ok := val.(bool); !ok {
			v.bad(path, "%s; the Go SDK's type is a boolean", jsonType(val))
		}
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Float64:
		if _, ok := val.(json.Number); !ok {
			v.bad(path, "%s; the Go SDK's type is a number", jsonType(val))
		}
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8:
		if _, ok := val.(string); !ok {
			v.bad(path, "%s; the Go SDK's type is a blob", jsonType(val))
		}
	case t.Kind() == reflect.Slice:
		arr, ok := val.([]any)
		if !ok {
			v.bad(path, "%s; the Go SDK's type is a list", jsonType(val))
			return
		}
		for i, e := range arr {
			v.sdkValue(fmt.Sprintf("%s[%d]", path, i), e, t.Elem())
		}
	case t.Kind() == reflect.Map:
		obj, ok := val.(map[string]any)
		if !ok {
			v.bad(path, "%s; the Go SDK's type is a map", jsonType(val))
			return
		}
		for k, e := range obj {
			v.sdkValue(path+"["+k+"]", e, t.Elem())
		}
	case t.Kind() == reflect.Struct:
		obj, ok := val.(map[string]any)
		if !ok {
			v.bad(path, "%s; the Go SDK's type is a structure", jsonType(val))
			return
		}
		for k, e := range obj {
			f, ok := sdkField(t, k)
			if !ok {
				v.bad(joinPath(path, k), "unknown member (in neither the model nor the Go SDK)")
				continue
			}
			v.sdkValue(joinPath(path, k), e, f.Type)
		}
	}
}

func jsonType(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", v)
}

func truncate(s string) string {
	if len(s) > 80 {
		return s[:77] + "..."
	}
	return s
}

// ---- errors ----

func (v *validator) allowedError(code string) (modelled, ok bool) {
	for _, e := range v.op.Errors {
		if v.c.Model.ErrorCode(e.Shape) == code || e.Shape == code {
			return true, true
		}
	}
	if a, ok := v.c.allowance(v.op.Name, code, ""); ok {
		v.allowed = append(v.allowed, "error "+code+" (allowed: "+a.Why+")")
		return false, true
	}
	return false, slices.Contains(CommonErrors(v.c.family()), code)
}

// errorShape is the model's shape for an error code, or nil.
func (v *validator) errorShape(code string) (*Shape, string) {
	for _, e := range v.op.Errors {
		if v.c.Model.ErrorCode(e.Shape) == code || e.Shape == code {
			return v.c.Model.Shapes[e.Shape], e.Shape
		}
	}
	return nil, ""
}

// stripCode turns an awsJson code into the bare exception name, as clients
// do: no "namespace#" prefix, no ":…" suffix.
func stripCode(code string) string {
	if i := strings.LastIndexByte(code, '#'); i >= 0 {
		code = code[i+1:]
	}
	if i := strings.IndexByte(code, ':'); i >= 0 {
		code = code[:i]
	}
	return code
}

func (v *validator) checkError(r Response) {
	if r.Status < 400 {
		v.bad("status", "HTTP %d is neither a success nor an error", r.Status)
		return
	}
	switch v.c.Model.Metadata.Protocol {
	case "json":
		header := stripCode(r.Header.Get("X-Amzn-Errortype"))
		var body map[string]any
		dec := json.NewDecoder(bytes.NewReader(r.Body))
		dec.UseNumber()
		if err := dec.Decode(&body); err != nil {
			v.bad("error body", "not a JSON object: %v", err)
			return
		}
		typ, _ := body["__type"].(string)
		typ = stripCode(typ)
		switch {
		case header == "":
			v.bad("error", "no x-amzn-ErrorType header")
		case typ == "":
			v.bad("error", "no __type in the body (botocore 1.29 reads only the body)")
		case header != typ:
			v.bad("error", "x-amzn-ErrorType %s but __type %s", header, typ)
		}
		v.errCode = cmpOr(typ, header)
		v.errorBody(r, body)
	case "rest-json":
		v.errCode = stripCode(r.Header.Get("X-Amzn-Errortype"))
		var body map[string]any
		dec := json.NewDecoder(bytes.NewReader(r.Body))
		dec.UseNumber()
		if err := dec.Decode(&body); err != nil {
			v.bad("error body", "not a JSON object: %v", err)
			return
		}
		if t, ok := body["__type"].(string); ok && v.errCode == "" {
			v.errCode = stripCode(t)
		}
		if v.errCode == "" {
			v.bad("error", "no x-amzn-ErrorType header")
			return
		}
		v.errorBody(r, body)
	case "query", "rest-xml":
		root, err := parseXML(r.Body)
		if err != nil {
			v.bad("error body", "not XML: %v", err)
			return
		}
		e := root
		if v.c.Model.Metadata.Protocol == "query" {
			if root.name != "ErrorResponse" {
				v.bad("error", "root element %s; want ErrorResponse", root.name)
			}
			if root.ns != v.c.Model.Metadata.XMLNamespace && v.c.Model.Metadata.XMLNamespace != "" {
				v.bad("error", "namespace %q; want %q", root.ns, v.c.Model.Metadata.XMLNamespace)
			}
			e = root.child("Error")
			if e == nil {
				v.bad("error", "no Error element")
				return
			}
			if rid := root.child("RequestId"); rid == nil || rid.text == "" {
				v.bad("error", "no RequestId")
			}
			for _, c := range root.children {
				if c.name != "Error" && c.name != "RequestId" {
					v.bad("error."+c.name, "unknown element")
				}
			}
			if t := e.child("Type"); t == nil || (t.text != "Sender" && t.text != "Receiver") {
				v.bad("error.Type", "want Sender or Receiver")
			}
		} else if root.name != "Error" {
			v.bad("error", "root element %s; want Error", root.name)
		}
		code := e.child("Code")
		if code == nil || code.text == "" {
			v.bad("error", "no Code")
			return
		}
		v.errCode = code.text
		modelled, ok := v.allowedError(v.errCode)
		v.modelled = modelled
		if !ok {
			v.bad("error", "code %s is neither one the model lists for %s (%s) nor a common error", v.errCode, v.op.Name, v.modelErrors())
		}
		v.errorStatus(r.Status)
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func (v *validator) modelErrors() string {
	var names []string
	for _, e := range v.op.Errors {
		names = append(names, v.c.Model.ErrorCode(e.Shape))
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// errorBody checks a JSON error's code and members against the error shape.
func (v *validator) errorBody(r Response, body map[string]any) {
	modelled, ok := v.allowedError(v.errCode)
	v.modelled = modelled
	if !ok {
		v.bad("error", "code %s is neither one the model lists for %s (%s) nor a common error", v.errCode, v.op.Name, v.modelErrors())
		return
	}
	v.errorStatus(r.Status)
	s, _ := v.errorShape(v.errCode)
	if s == nil {
		for k := range body {
			if k != "__type" && !strings.EqualFold(k, "message") {
				v.bad("error."+k, "unknown member of a common error")
			}
		}
		return
	}
	// Message may come in either case: clients read both.
	for k := range body {
		if strings.EqualFold(k, "message") {
			if _, name := memberByWire(s, k); name == "" {
				delete(body, k)
			}
		}
	}
	delete(body, "__type")
	v.jsonStruct("error", body, s, nil, nil)
}

func (v *validator) errorStatus(status int) {
	if s, _ := v.errorShape(v.errCode); s != nil && s.Error != nil && s.Error.HTTPStatusCode != 0 && s.Error.HTTPStatusCode != status {
		v.bad("error", "%s with HTTP %d; the model says %d", v.errCode, status, s.Error.HTTPStatusCode)
	}
}

// ---- XML ----

type xmlNode struct {
	name, ns string
	attrs    []xml.Attr
	children []*xmlNode
	text     string
}

func (n *xmlNode) child(name string) *xmlNode {
	for _, c := range n.children {
		if c.name == name {
			return c
		}
	}
	return nil
}

func parseXML(b []byte) (*xmlNode, error) {
	dec := xml.NewDecoder(bytes.NewReader(b))
	var stack []*xmlNode
	var root *xmlNode
	for {
		tok, err := dec.Token()
		if err != nil {
			if root != nil && len(stack) == 0 {
				return root, nil
			}
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			n := &xmlNode{name: t.Name.Local, ns: t.Name.Space, attrs: t.Attr}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.children = append(p.children, n)
			} else if root == nil {
				root = n
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text += string(t)
			}
		}
	}
}

func (v *validator) queryOutput(r Response) {
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/xml") && !strings.HasPrefix(ct, "application/xml") {
		v.bad("Content-Type", "%q; want text/xml", ct)
	}
	root, err := parseXML(r.Body)
	if err != nil {
		v.bad("body", "not XML: %v", err)
		return
	}
	if want := v.op.Name + "Response"; root.name != want {
		v.bad("body", "root element %s; want %s", root.name, want)
	}
	if ns := v.c.Model.Metadata.XMLNamespace; ns != "" && root.ns != ns {
		v.bad("body", "namespace %q; want %q", root.ns, ns)
	}
	wrapper := ""
	if v.op.Output != nil {
		wrapper = v.op.Output.ResultWrapper
	}
	for _, c := range root.children {
		switch {
		case c.name == "ResponseMetadata":
			if rid := c.child("RequestId"); rid == nil || rid.text == "" {
				v.bad("ResponseMetadata", "no RequestId")
			}
		case wrapper != "" && c.name == wrapper:
			v.xmlStruct("", c, v.c.Model.Shapes[v.op.Output.Shape], v.sdkOutput(), nil)
		default:
			v.bad(c.name, "unknown element")
		}
	}
	if root.child("ResponseMetadata") == nil {
		v.bad("body", "no ResponseMetadata")
	}
	if wrapper != "" && root.child(wrapper) == nil {
		if s := v.c.Model.Shapes[v.op.Output.Shape]; len(s.Required) > 0 {
			v.bad("body", "no %s element", wrapper)
		}
	}
}

// xmlMember finds the member an element stands for.
func (v *validator) xmlMember(s *Shape, el string) (*Ref, string) {
	for name, ref := range s.Members {
		if ref.Location != "" || ref.XMLAttribute {
			continue
		}
		wire := WireName(name, ref)
		if ms := v.c.Model.Shapes[ref.Shape]; ms != nil && ms.Type == "list" && (ref.Flattened || ms.Flattened) {
			if ms.Member.LocationName != "" {
				wire = ms.Member.LocationName
			}
		}
		if wire == el {
			return ref, name
		}
	}
	return nil, ""
}

func (v *validator) xmlStruct(path string, n *xmlNode, s *Shape, sdk reflect.Type, only map[string]bool) {
	sdk = deref(sdk)
	if sdk != nil && sdk.Kind() != reflect.Struct {
		sdk = nil
	}
	seen := map[string][]*xmlNode{}
	var order []string
	for _, c := range n.children {
		ref, name := v.xmlMember(s, c.name)
		if ref == nil {
			if _, ok := sdkField(sdk, c.name); ok {
				continue
			}
			v.bad(joinPath(path, c.name), "unknown element")
			continue
		}
		if only != nil && !only[name] {
			continue
		}
		if _, ok := seen[name]; !ok {
			order = append(order, name)
		}
		seen[name] = append(seen[name], c)
	}
	for _, name := range order {
		ref := s.Members[name]
		p := joinPath(path, name)
		v.retired(p, name, ref)
		ms := v.c.Model.Shapes[ref.Shape]
		nodes := seen[name]
		var ft reflect.Type
		if f, ok := sdkField(sdk, name); ok {
			ft = f.Type
		}
		if ms.Type == "list" && (ref.Flattened || ms.Flattened) {
			v.size(p, len(nodes), ms, "items")
			for i, c := range nodes {
				v.xmlValue(fmt.Sprintf("%s[%d]", p, i), c, ms.Member, elemType(ft))
			}
			continue
		}
		if len(nodes) > 1 {
			v.bad(p, "element repeated %d times", len(nodes))
		}
		v.xmlValue(p, nodes[0], ref, ft)
	}
	for _, req := range s.Required {
		if only != nil && !only[req] {
			continue
		}
		if _, ok := seen[req]; !ok {
			v.bad(joinPath(path, req), "required member missing")
		}
	}
}

func elemType(t reflect.Type) reflect.Type {
	t = deref(t)
	if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Map) {
		return t.Elem()
	}
	return nil
}

func (v *validator) xmlValue(path string, n *xmlNode, ref *Ref, sdk reflect.Type) {
	s := v.c.Model.Shapes[ref.Shape]
	text := n.text
	if len(n.children) > 0 {
		text = ""
	}
	switch s.Type {
	case "structure":
		v.xmlStruct(path, n, s, sdk, nil)
	case "list":
		item := "member"
		if s.Member.LocationName != "" {
			item = s.Member.LocationName
		}
		var items []*xmlNode
		for _, c := range n.children {
			if c.name != item {
				v.bad(path+"."+c.name, "list item element; want %s", item)
				continue
			}
			items = append(items, c)
		}
		v.size(path, len(items), s, "items")
		for i, c := range items {
			v.xmlValue(fmt.Sprintf("%s[%d]", path, i), c, s.Member, elemType(sdk))
		}
	case "map":
		key, value := "key", "value"
		if s.Key.LocationName != "" {
			key = s.Key.LocationName
		}
		if s.Value.LocationName != "" {
			value = s.Value.LocationName
		}
		entries := 0
		for _, e := range n.children {
			if e.name != "entry" {
				v.bad(path+"."+e.name, "map entry element; want entry")
				continue
			}
			entries++
			k, val := e.child(key), e.child(value)
			if k == nil || val == nil {
				v.bad(path, "map entry without %s or %s", key, value)
				continue
			}
			v.str(path+"["+k.text+"] key", k.text, v.c.Model.Shapes[s.Key.Shape], nil)
			v.xmlValue(path+"["+k.text+"]", val, s.Value, elemType(sdk))
		}
		v.size(path, entries, s, "entries")
	case "string":
		v.str(path, text, s, sdk)
	case "integer", "long", "short", "byte":
		i, err := strconv.ParseInt(strings.TrimSpace(text), 10, 64)
		if err != nil {
			v.bad(path, "%q is not an integer", text)
			return
		}
		v.rangeCheck(path, float64(i), s)
	case "float", "double":
		f, err := strconv.ParseFloat(strings.TrimSpace(text), 64)
		if err != nil {
			v.bad(path, "%q is not a number", text)
			return
		}
		v.rangeCheck(path, f, s)
	case "boolean":
		if text != "true" && text != "false" {
			v.bad(path, "%q is not a boolean", text)
		}
	case "timestamp":
		v.timestampText(path, strings.TrimSpace(text), tsFormat(ref, s, "iso8601"))
	case "blob":
		if _, err := base64.StdEncoding.DecodeString(strings.TrimSpace(text)); err != nil {
			v.bad(path, "not base64: %v", err)
		}
	}
}

// OutputMember is the text of a top-level string member of a successful
// response (a pagination token, say), or "".
func OutputMember(m *Model, op string, r Response, name string) string {
	o := m.Operations[op]
	if o == nil || o.Output == nil || r.Status >= 300 {
		return ""
	}
	ref := m.Shapes[o.Output.Shape].Members[name]
	if ref == nil {
		return ""
	}
	wire := WireName(name, ref)
	switch m.Metadata.Protocol {
	case "json", "rest-json":
		var body map[string]any
		if json.Unmarshal(r.Body, &body) != nil {
			return ""
		}
		s, _ := body[wire].(string)
		return s
	case "query", "rest-xml":
		root, err := parseXML(r.Body)
		if err != nil {
			return ""
		}
		if o.Output.ResultWrapper != "" {
			if root = root.child(o.Output.ResultWrapper); root == nil {
				return ""
			}
		}
		if c := root.child(wire); c != nil {
			return c.text
		}
	}
	return ""
}
