package emulator

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ssoctl/ssoctl/internal/emulator/awsproto"
)

// The CloudTrail record format: what LookupEvents returns as an event's
// CloudTrailEvent, field for field as AWS writes it (the samples behind
// every field are in FIDELITY.md, "CloudTrail"), and the conversion of a
// call's request and response into requestParameters and
// responseElements.

// ctRecord is one CloudTrail record. Field order is AWS's.
type ctRecord struct {
	EventVersion        string               `json:"eventVersion"`
	UserIdentity        *eventIdentity       `json:"userIdentity"`
	EventTime           string               `json:"eventTime"`
	EventSource         string               `json:"eventSource"`
	EventName           string               `json:"eventName"`
	AwsRegion           string               `json:"awsRegion"`
	SourceIPAddress     string               `json:"sourceIPAddress"`
	UserAgent           string               `json:"userAgent"`
	RequestParameters   json.RawMessage      `json:"requestParameters"`
	ResponseElements    json.RawMessage      `json:"responseElements"`
	RequestID           string               `json:"requestID"`
	EventID             string               `json:"eventID"`
	ReadOnly            bool                 `json:"readOnly"`
	EventType           string               `json:"eventType"`
	ManagementEvent     bool                 `json:"managementEvent"`
	RecipientAccountId  string               `json:"recipientAccountId"`
	ServiceEventDetails *serviceEventDetails `json:"serviceEventDetails,omitempty"`
	EventCategory       string               `json:"eventCategory"`
}

// eventIdentity is a record's userIdentity.
type eventIdentity struct {
	Type           string          `json:"type"`
	PrincipalId    string          `json:"principalId,omitempty"`
	Arn            string          `json:"arn,omitempty"`
	AccountId      string          `json:"accountId"`
	AccessKeyId    string          `json:"accessKeyId,omitempty"`
	UserName       string          `json:"userName,omitempty"`
	SessionContext *sessionContext `json:"sessionContext,omitempty"`
	// OnBehalfOf names the Identity Center user behind the call (the
	// format since 2025: user id and identity store, no user name).
	OnBehalfOf   *onBehalfOf `json:"onBehalfOf,omitempty"`
	CredentialId string      `json:"credentialId,omitempty"`
}

type sessionContext struct {
	SessionIssuer *sessionIssuer    `json:"sessionIssuer,omitempty"`
	Attributes    sessionAttributes `json:"attributes"`
}

type sessionIssuer struct {
	Type        string `json:"type"`
	PrincipalId string `json:"principalId"`
	Arn         string `json:"arn"`
	AccountId   string `json:"accountId"`
	UserName    string `json:"userName"`
}

type sessionAttributes struct {
	CreationDate     string `json:"creationDate"`
	MfaAuthenticated string `json:"mfaAuthenticated"`
}

// onBehalfOf is the Identity Center user a call or a role session is for.
type onBehalfOf struct {
	UserId           string `json:"userId"`
	IdentityStoreArn string `json:"identityStoreArn"`
}

// serviceEventDetails of a portal GetRoleCredentials: the account and role.
type serviceEventDetails struct {
	RoleName  string `json:"role_name"`
	AccountId string `json:"account_id"`
}

// render is e's CloudTrail record as JSON.
func (e *trailEvent) render() string {
	b, _ := json.Marshal(ctRecord{
		EventVersion:        eventVersion,
		UserIdentity:        e.who,
		EventTime:           e.at.UTC().Format("2006-01-02T15:04:05Z"),
		EventSource:         e.eventSource(),
		EventName:           e.name,
		AwsRegion:           e.region,
		SourceIPAddress:     e.sourceIP,
		UserAgent:           e.userAgent,
		RequestParameters:   e.params,
		ResponseElements:    e.response,
		RequestID:           e.requestID,
		EventID:             e.id,
		ReadOnly:            e.readOnly,
		EventType:           e.eventType,
		ManagementEvent:     true,
		RecipientAccountId:  e.account,
		ServiceEventDetails: e.details,
		EventCategory:       "Management",
	})
	return string(b)
}

// callerEventIdentity is the userIdentity of a SigV4-signed call and the
// name LookupEvents reports as its Username: an IAM user (the sandbox's
// dummy credentials, keys from iam CreateAccessKey), or a role session
// (portal role credentials, sts AssumeRole) with its session issuer and,
// for a session Identity Center issued, the user it is for.
func callerEventIdentity(c callerIdentity) (*eventIdentity, string) {
	last := func(s string) string { return s[strings.LastIndex(s, "/")+1:] }
	if !strings.Contains(c.Arn, ":assumed-role/") {
		name := last(c.Arn)
		return &eventIdentity{Type: "IAMUser", PrincipalId: c.UserId, Arn: c.Arn, AccountId: c.Account, AccessKeyId: c.AccessKeyId, UserName: name}, name
	}
	roleID, _, _ := strings.Cut(c.UserId, ":")
	return &eventIdentity{
		Type: "AssumedRole", PrincipalId: c.UserId, Arn: c.Arn, AccountId: c.Account, AccessKeyId: c.AccessKeyId,
		SessionContext: &sessionContext{
			SessionIssuer: &sessionIssuer{Type: "Role", PrincipalId: roleID, Arn: c.Principal, AccountId: c.Account, UserName: last(c.Principal)},
			Attributes:    sessionAttributes{CreationDate: isoSeconds(c.issued), MfaAuthenticated: "false"},
		},
		OnBehalfOf: c.onBehalfOf,
	}, last(c.Arn)
}

// identityCenterUser is the userIdentity of a call an Identity Center user
// made with an access token (the portal).
func identityCenterUser(account, userID, storeArn, credential string) *eventIdentity {
	return &eventIdentity{
		Type: "IdentityCenterUser", AccountId: account,
		OnBehalfOf:   &onBehalfOf{UserId: userID, IdentityStoreArn: storeArn},
		CredentialId: credential,
	}
}

// credentialID names a sign-in session in events without giving its token
// away: a one-way digest of the access token.
func credentialID(token string) string {
	if token == "" {
		return ""
	}
	sum := sha256.Sum256([]byte("credential-id|" + token))
	return "AAAAA" + base64.RawURLEncoding.EncodeToString(sum[:])
}

func isoSeconds(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05Z")
}

// hidden is what AWS writes in place of a secret it keeps out of a record.
const hidden = "HIDDEN_DUE_TO_SECURITY_REASONS"

// Secrets in records. AWS leaves some out altogether (a login profile's
// password, a new access key's secret) and writes hidden for others
// (tokens, client secrets). Keys are as they appear in the record.
var (
	omittedRequest = map[string]bool{"password": true, "newPassword": true, "oldPassword": true}
	hiddenRequest  = map[string]bool{"clientSecret": true, "secretAccessKey": true, "sessionToken": true,
		"accessToken": true, "refreshToken": true, "assertion": true, "codeVerifier": true}
	omittedResponse = map[string]bool{"secretAccessKey": true}
	hiddenResponse  = map[string]bool{"sessionToken": true, "accessToken": true, "refreshToken": true, "idToken": true,
		"clientSecret": true, "password": true, "servicePassword": true, "privateKey": true,
		"base32StringSeed": true, "qRCodePNG": true}
)

// recordKeys renames the members of a decoded JSON value (at any depth) as
// a record names them (the first letter lower-cased, nothing else changed:
// instanceArn, sAMLAssertionID), drops or hides secrets, and renders the time
// members dated as AWS renders them in responseElements.
func recordKeys(v any, omit, hide map[string]bool, response bool) any {
	rename := func(k string, val any) (string, any, bool) {
		k = lowerFirst(k)
		switch {
		case omit[k]:
			return "", nil, false
		case hide[k]:
			return k, hidden, true
		case response && isDateMember(k):
			return k, recordDate(val), true
		}
		return k, recordKeys(val, omit, hide, response), true
	}
	switch x := v.(type) {
	case object:
		out := make(object, 0, len(x))
		for _, m := range x {
			if k, val, ok := rename(m.k, m.v); ok {
				out = append(out, member{k, val})
			}
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, val := range x {
			if k, val, ok := rename(k, val); ok {
				out[k] = val
			}
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = recordKeys(e, omit, hide, response)
		}
		return out
	}
	return v
}

// object is a JSON object that keeps its members in the order they came
// in, as AWS's records keep a request's.
type object []member

type member struct {
	k string
	v any
}

func (o object) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(m.k)
		v, err := json.Marshal(m.v)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// readJSON decodes one JSON value with its objects in order.
func readJSON(d *json.Decoder) (any, error) {
	tok, err := d.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			o := object{}
			for d.More() {
				kt, err := d.Token()
				if err != nil {
					return nil, err
				}
				k, _ := kt.(string)
				v, err := readJSON(d)
				if err != nil {
					return nil, err
				}
				o = append(o, member{k, v})
			}
			_, err := d.Token()
			return o, err
		case '[':
			l := []any{}
			for d.More() {
				v, err := readJSON(d)
				if err != nil {
					return nil, err
				}
				l = append(l, v)
			}
			_, err := d.Token()
			return l, err
		}
	}
	return tok, nil
}

// isDateMember tells the timestamp members of the sandbox's responses.
func isDateMember(k string) bool {
	for _, suf := range []string{"Date", "At", "Timestamp"} {
		if strings.HasSuffix(k, suf) {
			return true
		}
	}
	return false
}

// recordDate renders a response timestamp (awsJson epoch seconds, or the
// query protocol's ISO 8601) as CloudTrail does: "Jul 1, 2026, 12:08:19 PM".
func recordDate(v any) any {
	var t time.Time
	switch x := v.(type) {
	case json.Number:
		f, err := x.Float64()
		if err != nil {
			return v
		}
		t = time.UnixMilli(int64(f * 1000))
	case float64:
		t = time.UnixMilli(int64(x * 1000))
	case string:
		p, err := time.Parse(time.RFC3339, x)
		if err != nil {
			return v
		}
		t = p
	default:
		return v
	}
	return t.UTC().Format("Jan 2, 2006, 3:04:05 PM")
}

// jsonParams is the requestParameters of an awsJson or rest-json request
// body (nil for none).
func jsonParams(body []byte) any {
	v := decodeJSON(body)
	if v == nil {
		return nil
	}
	return recordKeys(v, omittedRequest, hiddenRequest, false)
}

// jsonResponse is the responseElements of an output value.
func jsonResponse(out any) any {
	if out == nil {
		return nil
	}
	b, err := json.Marshal(out)
	if err != nil {
		return nil
	}
	return bodyResponse(b)
}

// bodyResponse is the responseElements of a JSON response body.
func bodyResponse(b []byte) any {
	v := decodeJSON(b)
	if v == nil {
		return nil
	}
	return recordKeys(v, omittedResponse, hiddenResponse, true)
}

func decodeJSON(b []byte) any {
	if len(bytes.TrimSpace(b)) == 0 {
		return nil
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	v, err := readJSON(d)
	if err != nil {
		return nil
	}
	if o, ok := v.(object); ok && len(o) == 0 {
		return nil
	}
	return v
}

// formParams is the requestParameters of a query-protocol request: its form
// without Action and Version, lists (Name.member.N) as lists, and the
// parameters AWS records as booleans or numbers typed so.
func formParams(form url.Values) any {
	root := map[string]any{}
	keys := make([]string, 0, len(form))
	for k := range form {
		if k != "Action" && k != "Version" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		setFormPath(root, strings.Split(k, "."), typedFormValue(k, form.Get(k)))
	}
	if len(root) == 0 {
		return nil
	}
	return recordKeys(root, omittedRequest, hiddenRequest, false)
}

// typedFormValue types the query parameters AWS records as non-strings.
func typedFormValue(k, v string) any {
	name := k[strings.LastIndex(k, ".")+1:]
	switch name {
	case "PasswordResetRequired":
		if b, err := strconv.ParseBool(v); err == nil {
			return b
		}
	case "MaxSessionDuration", "DurationSeconds", "MaxItems":
		if n, err := strconv.Atoi(v); err == nil {
			return n
		}
	}
	return v
}

// setFormPath stores v under a dotted query key: a.member.2.b is
// a[1].b.
func setFormPath(m map[string]any, path []string, v any) {
	k := path[0]
	if len(path) == 1 {
		m[k] = v
		return
	}
	if path[1] == "member" && len(path) >= 3 {
		i, err := strconv.Atoi(path[2])
		if err != nil || i < 1 || i > 1000 {
			return
		}
		list, _ := m[k].([]any)
		for len(list) < i {
			list = append(list, nil)
		}
		if len(path) == 3 {
			list[i-1] = v
		} else {
			sub, _ := list[i-1].(map[string]any)
			if sub == nil {
				sub = map[string]any{}
			}
			setFormPath(sub, path[3:], v)
			list[i-1] = sub
		}
		m[k] = list
		return
	}
	sub, _ := m[k].(map[string]any)
	if sub == nil {
		sub = map[string]any{}
		m[k] = sub
	}
	setFormPath(sub, path[1:], v)
}

// xmlResponse is the responseElements of a query-protocol result (the
// value WriteQueryResult marshals): its XML elements as nested members,
// <member> lists as lists.
func xmlResponse(out any) any {
	if out == nil {
		return nil
	}
	b, err := xml.Marshal(awsproto.XMLWrap{Name: "R", V: out})
	if err != nil {
		return nil
	}
	d := xml.NewDecoder(bytes.NewReader(b))
	if _, err := d.Token(); err != nil { // <R>
		return nil
	}
	v := xmlValue(d)
	o, ok := v.(object)
	if !ok || len(o) == 0 {
		return nil
	}
	return recordKeys(o, omittedResponse, hiddenResponse, true)
}

// xmlValue reads an element's content up to its end: text, or a map of its
// children (a list when they are all <member>).
func xmlValue(d *xml.Decoder) any {
	var text strings.Builder
	children := object{}
	var members []any
	for {
		tok, err := d.Token()
		if err == io.EOF || err != nil {
			break
		}
		switch t := tok.(type) {
		case xml.StartElement:
			v := xmlValue(d)
			if t.Name.Local == "member" {
				members = append(members, v)
			} else {
				children = append(children, member{t.Name.Local, v})
			}
		case xml.CharData:
			text.Write(t)
		case xml.EndElement:
			switch {
			case members != nil:
				return members
			case len(children) > 0:
				return children
			}
			s := strings.TrimSpace(text.String())
			if b, err := strconv.ParseBool(s); err == nil && (s == "true" || s == "false") {
				return b
			}
			return s
		}
	}
	return children
}

// iamResources are the resources LookupEvents reports for an IAM event,
// from the request's members that name them.
func iamResources(form url.Values) []eventResource {
	var out []eventResource
	for _, r := range []struct{ param, typ string }{
		{"UserName", "AWS::IAM::User"}, {"GroupName", "AWS::IAM::Group"}, {"RoleName", "AWS::IAM::Role"},
		{"PolicyArn", "AWS::IAM::Policy"}, {"AccessKeyId", "AWS::IAM::AccessKey"},
	} {
		if v := form.Get(r.param); v != "" {
			out = append(out, eventResource{Type: r.typ, Name: v})
		}
	}
	return out
}
