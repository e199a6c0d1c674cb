package conformance

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// Client sends requests built from a model over HTTP, signed with SigV4
// where the model says the operation is signed, and returns the raw
// answers.
type Client struct {
	Endpoint    string
	Region      string
	Credentials aws.Credentials
	HTTP        *http.Client
}

// Input is an operation's input: member name -> value, where a value is a
// string, a number, a bool, a time.Time, a []any or a map[string]any (a
// structure by member name, or a map).
type Input map[string]any

// Clone returns a deep copy of in.
func (in Input) Clone() Input {
	return cloneValue(map[string]any(in)).(map[string]any)
}

func cloneValue(v any) any {
	switch t := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(t))
		for k, e := range t {
			m[k] = cloneValue(e)
		}
		return m
	case Input:
		return cloneValue(map[string]any(t))
	case []any:
		s := make([]any, len(t))
		for i, e := range t {
			s[i] = cloneValue(e)
		}
		return s
	}
	return v
}

// Send builds op's request from in, sends it and reads the answer.
func (c *Client) Send(ctx context.Context, m *Model, op string, in Input) (Response, error) {
	req, err := c.Build(ctx, m, op, in)
	if err != nil {
		return Response{}, err
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return Response{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return Response{}, err
	}
	return Response{Status: resp.StatusCode, Header: resp.Header, Body: body}, nil
}

// Build makes op's HTTP request from in, in the model's protocol.
func (c *Client) Build(ctx context.Context, m *Model, op string, in Input) (*http.Request, error) {
	o := m.Operations[op]
	if o == nil {
		return nil, fmt.Errorf("%s has no operation %s", m.Service, op)
	}
	var input *Shape
	if o.Input != nil {
		input = m.Shapes[o.Input.Shape]
	}
	method, path, rawQuery := o.HTTP.Method, "/", ""
	header := http.Header{}
	var body []byte
	switch m.Metadata.Protocol {
	case "json":
		obj := map[string]any{}
		if input != nil {
			obj = jsonMembers(m, input, in)
		}
		body, _ = json.Marshal(obj)
		header.Set("Content-Type", "application/x-amz-json-"+m.Metadata.JSONVersion)
		header.Set("X-Amz-Target", m.Metadata.TargetPrefix+"."+op)
	case "query":
		form := url.Values{"Action": {op}, "Version": {m.Metadata.APIVersion}}
		if input != nil {
			queryMembers(m, input, in, "", form)
		}
		body = []byte(form.Encode())
		header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	case "rest-json", "rest-xml":
		path, rawQuery, _ = strings.Cut(o.HTTP.RequestURI, "?")
		q, _ := url.ParseQuery(rawQuery)
		bodyObj := map[string]any{}
		if input != nil {
			for name, ref := range input.Members {
				val, ok := in[name]
				if !ok {
					continue
				}
				wire := WireName(name, ref)
				switch ref.Location {
				case "uri":
					esc := url.PathEscape(scalarText(val))
					path = strings.Replace(path, "{"+wire+"+}", esc, 1)
					path = strings.Replace(path, "{"+wire+"}", esc, 1)
				case "querystring":
					if list, ok := val.([]any); ok {
						for _, e := range list {
							q.Add(wire, scalarText(e))
						}
					} else {
						q.Set(wire, scalarText(val))
					}
				case "header":
					header.Set(wire, scalarText(val))
				default:
					bodyObj[name] = val
				}
			}
			// Labels left unfilled (a missing required member) stay empty.
			for strings.Contains(path, "{") {
				i, j := strings.Index(path, "{"), strings.Index(path, "}")
				if j < i {
					break
				}
				path = path[:i] + path[j+1:]
			}
		}
		rawQuery = q.Encode()
		if m.Metadata.Protocol == "rest-json" && (len(bodyObj) > 0 || method == http.MethodPost || method == http.MethodPut) {
			if input != nil && input.Payload != "" {
				if v, ok := bodyObj[input.Payload]; ok {
					ps := m.Shapes[input.Members[input.Payload].Shape]
					body, _ = json.Marshal(jsonValue(m, ps, v))
				}
			} else {
				obj := map[string]any{}
				if input != nil {
					obj = jsonMembers(m, input, bodyObj)
				}
				body, _ = json.Marshal(obj)
			}
			header.Set("Content-Type", "application/json")
		} else if len(bodyObj) > 0 {
			return nil, fmt.Errorf("%s %s: body members of rest-xml requests are not supported", m.Service, op)
		}
	default:
		return nil, fmt.Errorf("%s: protocol %s is not supported", m.Service, m.Metadata.Protocol)
	}
	u := strings.TrimSuffix(c.Endpoint, "/") + path
	if rawQuery != "" {
		u += "?" + rawQuery
	}
	req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	if len(body) == 0 {
		req.Body = http.NoBody
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	if o.Unsigned() {
		return req, nil
	}
	sum := sha256.Sum256(body)
	hash := hex.EncodeToString(sum[:])
	if m.Metadata.Protocol == "rest-xml" {
		req.Header.Set("X-Amz-Content-Sha256", hash)
	}
	name := m.Metadata.SigningName
	if name == "" {
		name = m.Metadata.EndpointPrefix
	}
	signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = m.Metadata.Protocol == "rest-xml" })
	if err := signer.SignHTTP(ctx, c.Credentials, req, hash, name, c.Region, time.Now()); err != nil {
		return nil, err
	}
	return req, nil
}

// jsonMembers renders a structure's members under their wire names.
func jsonMembers(m *Model, s *Shape, in map[string]any) map[string]any {
	out := map[string]any{}
	for name, val := range in {
		ref, ok := s.Members[name]
		if !ok {
			out[name] = val // not in the model: sent as given
			continue
		}
		if ref.Location != "" {
			continue
		}
		out[WireName(name, ref)] = jsonValue(m, m.Shapes[ref.Shape], val)
	}
	return out
}

func jsonValue(m *Model, s *Shape, val any) any {
	switch t := val.(type) {
	case map[string]any:
		if s != nil && s.Type == "structure" {
			return jsonMembers(m, s, t)
		}
		out := map[string]any{}
		for k, e := range t {
			var vs *Shape
			if s != nil && s.Value != nil {
				vs = m.Shapes[s.Value.Shape]
			}
			out[k] = jsonValue(m, vs, e)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			var es *Shape
			if s != nil && s.Member != nil {
				es = m.Shapes[s.Member.Shape]
			}
			out[i] = jsonValue(m, es, e)
		}
		return out
	case time.Time:
		return float64(t.UnixMilli()) / 1000
	}
	return val
}

// queryMembers flattens a structure into query-protocol form fields.
func queryMembers(m *Model, s *Shape, in map[string]any, prefix string, form url.Values) {
	names := make([]string, 0, len(in))
	for k := range in {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, name := range names {
		val := in[name]
		key := prefix + name
		ref, ok := s.Members[name]
		if !ok {
			form.Set(key, scalarText(val))
			continue
		}
		if ref.LocationName != "" {
			key = prefix + ref.LocationName
		}
		queryValue(m, ref, val, key, form)
	}
}

func queryValue(m *Model, ref *Ref, val any, key string, form url.Values) {
	s := m.Shapes[ref.Shape]
	switch t := val.(type) {
	case map[string]any:
		if s.Type == "structure" {
			queryMembers(m, s, t, key+".", form)
			return
		}
		i := 1
		for k, e := range t {
			form.Set(fmt.Sprintf("%s.entry.%d.key", key, i), k)
			queryValue(m, s.Value, e, fmt.Sprintf("%s.entry.%d.value", key, i), form)
			i++
		}
	case []any:
		if len(t) == 0 {
			form.Set(key, "")
			return
		}
		for i, e := range t {
			k := fmt.Sprintf("%s.member.%d", key, i+1)
			if ref.Flattened || s.Flattened {
				k = fmt.Sprintf("%s.%d", key, i+1)
			}
			queryValue(m, s.Member, e, k, form)
		}
	default:
		form.Set(key, scalarText(val))
	}
}

// scalarText renders a scalar for a query field, header or URI label.
func scalarText(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case bool:
		return strconv.FormatBool(t)
	case int:
		return strconv.Itoa(t)
	case int64:
		return strconv.FormatInt(t, 10)
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64)
	case time.Time:
		return t.UTC().Format(time.RFC3339)
	case json.Number:
		return t.String()
	}
	return fmt.Sprint(v)
}
