package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// POST /_sandbox/cloudtrail records an event the sandbox would not record
// itself (an operation it does not serve, a SCIM request, an event of a
// console it has not), so that a client's handling of such events can be
// tested end to end. The event is kept and delivered as recorded ones are
// (Options.CloudTrailDelay after its time, 90 days), and LookupEvents
// filters it by its event source and name like any other.

// injectDoc is the body of POST /_sandbox/cloudtrail: a CloudTrail
// record's members, those left out defaulted.
type injectDoc struct {
	EventSource       string          `json:"eventSource"` // required, e.g. sso.amazonaws.com
	EventName         string          `json:"eventName"`   // required
	EventTime         string          `json:"eventTime"`   // RFC 3339; default the sandbox clock's now
	EventType         string          `json:"eventType"`   // default AwsApiCall
	ReadOnly          bool            `json:"readOnly"`
	AwsRegion         string          `json:"awsRegion"`          // default: the sandbox's Region (us-east-1 for global services)
	RecipientAccount  string          `json:"recipientAccountId"` // default: the management account
	UserIdentity      *eventIdentity  `json:"userIdentity"`       // default: sandbox-admin
	RequestParameters json.RawMessage `json:"requestParameters"`
	ResponseElements  json.RawMessage `json:"responseElements"`
}

// globalSources record their events in us-east-1.
var globalSources = map[string]bool{"organizations.amazonaws.com": true, "iam.amazonaws.com": true, "account.amazonaws.com": true}

// serveInjectEvent answers POST /_sandbox/cloudtrail with the event's id
// and time.
func (s *Server) serveInjectEvent(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	fail := func(format string, args ...any) {
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]string{"message": fmt.Sprintf(format, args...)})
	}
	const usage = `send {"eventSource": "sso.amazonaws.com", "eventName": "SomeOperation"} with optional eventTime, eventType, readOnly, awsRegion, recipientAccountId, userIdentity, requestParameters, responseElements`
	var in injectDoc
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		fail("read the event: %v (%s)", err, usage)
		return
	}
	if !strings.HasSuffix(in.EventSource, ".amazonaws.com") || in.EventName == "" {
		fail("an event needs an eventSource such as sso.amazonaws.com and an eventName (%s)", usage)
		return
	}
	for name, v := range map[string]json.RawMessage{"requestParameters": in.RequestParameters, "responseElements": in.ResponseElements} {
		if t := bytes.TrimSpace(v); len(t) > 0 && t[0] != '{' && string(t) != "null" {
			fail("%s must be a JSON object or null", name)
			return
		}
	}
	now := s.trailNow()
	at := now
	if in.EventTime != "" {
		t, err := time.Parse(time.RFC3339Nano, in.EventTime)
		if err != nil {
			fail("eventTime %q is not an RFC 3339 time such as 2026-12-01T10:00:00Z", in.EventTime)
			return
		}
		if t.After(now) {
			fail("eventTime %s is after the sandbox clock's now, %s", t.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
			return
		}
		at = t
	}
	s.mu.RLock()
	mgmt, region := s.st.org.MasterAccountId, s.st.region
	s.mu.RUnlock()
	if globalSources[in.EventSource] {
		region = "us-east-1"
	}
	if in.AwsRegion != "" {
		region = in.AwsRegion
	}
	account := mgmt
	if in.RecipientAccount != "" {
		account = in.RecipientAccount
	}
	eventType := "AwsApiCall"
	if in.EventType != "" {
		eventType = in.EventType
	}
	s.mu.RLock()
	admin := s.sandboxAdmin()
	s.mu.RUnlock()
	who, username := callerEventIdentity(admin)
	if in.UserIdentity != nil {
		who = in.UserIdentity
		username = who.UserName
		if username == "" && who.Arn != "" {
			username = who.Arn[strings.LastIndex(who.Arn, "/")+1:]
		}
		if username == "" && who.OnBehalfOf != nil {
			username = who.OnBehalfOf.UserId
		}
	}
	e := &trailEvent{
		at: at.Truncate(time.Second), exact: at,
		source: in.EventSource, name: in.EventName, readOnly: in.ReadOnly, eventType: eventType,
		region: region, account: account, who: who, username: username,
		sourceIP: sourceIP(r), userAgent: r.UserAgent(),
		params: nonNull(in.RequestParameters), response: nonNull(in.ResponseElements),
	}
	if who != nil {
		e.accessKey = who.AccessKeyId
	}
	s.trail.add(e)
	_ = json.NewEncoder(w).Encode(map[string]string{"eventId": e.id, "eventTime": isoSeconds(e.at)})
}

func nonNull(v json.RawMessage) json.RawMessage {
	if t := bytes.TrimSpace(v); len(t) == 0 || string(t) == "null" {
		return nil
	}
	return v
}

// eventSource is the event source e is recorded under.
func (e *trailEvent) eventSource() string {
	if e.source != "" {
		return e.source
	}
	return eventSources[e.service]
}
