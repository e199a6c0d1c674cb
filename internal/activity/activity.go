// Package activity reads CloudTrail's event history (LookupEvents) for what
// an audit cannot see on its own: what changed since a saved audit, and so
// what an incremental audit must list again (Place); who made each change
// and when (Fact, Explain); and when each person last fetched credentials
// for each role (LastUses). It never prints; reading is paced by the
// client's quota (2 LookupEvents a second per account and Region) and
// reported through a progress callback.
package activity

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
)

// Event sources ssoctl reads.
const (
	SourceSSO           = "sso.amazonaws.com"           // sso-admin (and the portal)
	SourceIdentityStore = "identitystore.amazonaws.com" // the Identity Store API
	SourceDirectory     = "sso-directory.amazonaws.com" // the console's users, groups and memberships
	SourceSCIM          = "identitystore-scim.amazonaws.com"
	SourceOrganizations = "organizations.amazonaws.com" // recorded in us-east-1
	SourceAccount       = "account.amazonaws.com"       // account names; recorded in us-east-1
)

// Event is one CloudTrail record, the parts ssoctl reads.
type Event struct {
	ID        string
	Time      time.Time
	Source    string
	Name      string
	Type      string // AwsApiCall, AwsServiceEvent, …
	ReadOnly  bool
	Region    string
	Account   string // recipientAccountId: whose event history holds it
	ErrorCode string // set when the call failed (it changed nothing)
	Actor     Actor
	// Params and Response are requestParameters and responseElements
	// (null when the record has none).
	Params, Response json.RawMessage
	// Details is serviceEventDetails (GetRoleCredentials: role_name,
	// account_id).
	Details json.RawMessage
}

// Actor is who made a call: an IAM principal, or an Identity Center user
// (by itself through the portal, or behind a role session it was given).
type Actor struct {
	Type string // userIdentity.type: IAMUser, AssumedRole, Root, IdentityCenterUser, WebIdentityUser (SCIM), AWSService, …
	Arn  string
	// UserId is the Identity Center user behind the call
	// (userIdentity.onBehalfOf.userId), when there is one.
	UserId    string
	InvokedBy string // an AWS service acting for the caller
}

// String names the actor in one line: the principal's ARN, with the
// Identity Center user behind it ("… for user <id>"); an Identity Center
// user by itself is "IdentityCenterUser <id>".
func (a Actor) String() string {
	who := a.Arn
	switch {
	case who == "" && a.UserId != "":
		return a.Type + " " + a.UserId
	case who == "" && a.InvokedBy != "":
		who = a.InvokedBy
	case who == "":
		who = a.Type
	}
	if a.UserId != "" {
		who += " for user " + a.UserId
	}
	return who
}

// record is the part of a CloudTrail record Parse reads.
type record struct {
	EventTime          string          `json:"eventTime"`
	EventSource        string          `json:"eventSource"`
	EventName          string          `json:"eventName"`
	AwsRegion          string          `json:"awsRegion"`
	EventID            string          `json:"eventID"`
	EventType          string          `json:"eventType"`
	ReadOnly           *bool           `json:"readOnly"`
	RecipientAccountID string          `json:"recipientAccountId"`
	ErrorCode          string          `json:"errorCode"`
	RequestParameters  json.RawMessage `json:"requestParameters"`
	ResponseElements   json.RawMessage `json:"responseElements"`
	Details            json.RawMessage `json:"serviceEventDetails"`
	UserIdentity       struct {
		Type       string `json:"type"`
		Arn        string `json:"arn"`
		InvokedBy  string `json:"invokedBy"`
		OnBehalfOf *struct {
			UserId string `json:"userId"`
		} `json:"onBehalfOf"`
	} `json:"userIdentity"`
}

// Parse reads one event of LookupEvents: the record in its CloudTrailEvent,
// with the lookup's own fields where the record lacks them.
func Parse(e cttypes.Event) (Event, error) {
	var r record
	raw := ""
	if e.CloudTrailEvent != nil {
		raw = *e.CloudTrailEvent
	}
	if err := json.Unmarshal([]byte(raw), &r); err != nil {
		return Event{}, fmt.Errorf("event %s: the CloudTrail record does not read as JSON: %w", deref(e.EventId), err)
	}
	ev := Event{
		ID: r.EventID, Source: r.EventSource, Name: r.EventName, Type: r.EventType, Region: r.AwsRegion,
		Account: r.RecipientAccountID, ErrorCode: r.ErrorCode,
		Params: nullable(r.RequestParameters), Response: nullable(r.ResponseElements), Details: nullable(r.Details),
		Actor: Actor{Type: r.UserIdentity.Type, Arn: r.UserIdentity.Arn, InvokedBy: r.UserIdentity.InvokedBy},
	}
	if r.UserIdentity.OnBehalfOf != nil {
		ev.Actor.UserId = r.UserIdentity.OnBehalfOf.UserId
	}
	if ev.ID == "" {
		ev.ID = deref(e.EventId)
	}
	if ev.Source == "" {
		ev.Source = deref(e.EventSource)
	}
	if ev.Name == "" {
		ev.Name = deref(e.EventName)
	}
	if r.ReadOnly != nil {
		ev.ReadOnly = *r.ReadOnly
	} else {
		ev.ReadOnly = strings.EqualFold(deref(e.ReadOnly), "true")
	}
	if t, err := time.Parse(time.RFC3339, r.EventTime); err == nil {
		ev.Time = t.UTC()
	} else if e.EventTime != nil {
		ev.Time = e.EventTime.UTC()
	}
	if ev.ID == "" || ev.Name == "" || ev.Time.IsZero() {
		return Event{}, fmt.Errorf("event %s: the CloudTrail record has no id, name or time", deref(e.EventId))
	}
	return ev, nil
}

func nullable(b json.RawMessage) json.RawMessage {
	if len(b) == 0 || string(b) == "null" {
		return nil
	}
	return b
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// str reads the string at a path of members in a JSON object ("" when
// absent or not a string).
func str(b json.RawMessage, path ...string) string {
	var v any
	if len(b) == 0 || json.Unmarshal(b, &v) != nil {
		return ""
	}
	for _, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return ""
		}
		v = m[k]
	}
	s, _ := v.(string)
	return s
}
