package emulator

import (
	"encoding/json"
	"math/rand/v2"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// The sandbox's CloudTrail: every write it serves and every portal
// GetRoleCredentials becomes an event in AWS's record format (trailrecord.go),
// kept for LookupEvents (cloudtrail.go) for 90 days. Events are recorded by
// one hook in the request dispatch (server.go: recordJSON, recordQuery,
// recordRest), after the call succeeded, from its request and response —
// no handler records anything itself. Seeded sign-in history (activity.go)
// sits beside the recorded events in a compact form.

const (
	// trailRetention is how long LookupEvents sees an event: AWS's event
	// history keeps 90 days.
	trailRetention = 90 * 24 * time.Hour
	// eventVersion is the record format version of AWS's current events
	// (the 2026 samples in FIDELITY.md carry 1.11).
	eventVersion = "1.11"
)

// eventSources are the CloudTrail event sources of the sandbox's services
// whose calls are recorded.
var eventSources = map[string]string{
	"sso-admin":     "sso.amazonaws.com",
	"identitystore": "identitystore.amazonaws.com",
	"organizations": "organizations.amazonaws.com",
	"iam":           "iam.amazonaws.com",
	"sesv2":         "ses.amazonaws.com",
	"sso":           "sso.amazonaws.com", // the portal: GetRoleCredentials only
	"scheduler":     "scheduler.amazonaws.com",
}

// globalServices record their events in us-east-1, whatever Region the
// call was signed for, as AWS records Organizations' and IAM's.
var globalServices = map[string]bool{"organizations": true, "iam": true}

// unrecorded are writes that AWS does not put in the event history (SES
// logs sending as data events, which LookupEvents never returns).
var unrecorded = map[string]bool{"sesv2:SendEmail": true}

// readOnlyOp tells a read from a write by the operation's name, as
// CloudTrail's readOnly does (the sandbox's lock needs are another matter:
// a Describe…Status call takes the write lock to count its poll).
func readOnlyOp(op string) bool {
	for _, p := range []string{"Describe", "List", "Get", "Is", "Lookup", "Search", "BatchGet"} {
		if strings.HasPrefix(op, p) {
			return true
		}
	}
	return false
}

// recorded tells whether a successful call of svc:op becomes an event:
// every write of a service with an event source, and the portal's
// GetRoleCredentials.
func recorded(svc, op string) bool {
	if svc == "sso" {
		return op == "GetRoleCredentials"
	}
	_, ok := eventSources[svc]
	return ok && !readOnlyOp(op) && !unrecorded[svc+":"+op]
}

// trailNow is the time events are stamped with and seen against: the
// sandbox clock (POST /_sandbox/clock moves it, and with it the delivery
// of delayed events and the 90 days LookupEvents sees).
func (s *Server) trailNow() time.Time { return s.now() }

// trailEvent is one recorded event, in the form LookupEvents filters and
// renders.
type trailEvent struct {
	seq int64 // order among events of the same second
	// at is the event's time as records show it, in whole seconds;
	// exact is when the call was served, from which it is delivered.
	at, exact time.Time
	id        string
	requestID string
	service   string // the sandbox's service key (eventSources)
	source    string // the event source when no service's (POST /_sandbox/cloudtrail)
	name      string
	readOnly  bool
	eventType string // AwsApiCall | AwsServiceEvent
	region    string
	account   string // recipientAccountId: whose event history it is in
	who       *eventIdentity
	accessKey string // the key that signed the call ("" for none)
	username  string // LookupEvents' Username
	sourceIP  string
	userAgent string
	// params and response are requestParameters and responseElements
	// (nil: null).
	params, response json.RawMessage
	details          *serviceEventDetails
	resources        []eventResource
}

// eventKey orders events: by time, then by the order they were recorded.
type eventKey struct{ at, seq int64 }

func (e *trailEvent) key() eventKey { return eventKey{e.at.UnixNano(), e.seq} }

func (k eventKey) less(o eventKey) bool {
	return k.at < o.at || (k.at == o.at && k.seq < o.seq)
}

// eventResource is a resource LookupEvents reports for an event.
type eventResource struct{ Type, Name string }

// trail holds the recorded events in time order and the seeded history.
// It has its own lock: recording happens after the state lock is released.
type trail struct {
	mu     sync.RWMutex
	rng    *rand.Rand // event ids, apart from the state's ids
	events []*trailEvent
	next   int64 // seq of the next recorded event
	act    *activity
}

// recordedSeq0 is the first seq of recorded events: seeded ones are
// numbered from 0, so the two never collide.
const recordedSeq0 = 1 << 40

func newTrail(seed uint64) *trail {
	return &trail{rng: rand.New(rand.NewPCG(seed, 0x7a11)), next: recordedSeq0}
}

// add stamps e with an id and its place, and keeps it in time order; it
// also drops what has aged out of the 90 days.
func (tr *trail) add(e *trailEvent) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	e.seq = tr.next
	tr.next++
	e.id = randUUID(tr.rng)
	if e.requestID == "" {
		e.requestID = randUUID(tr.rng)
	}
	i, _ := slices.BinarySearchFunc(tr.events, e.key(), func(x *trailEvent, k eventKey) int {
		if x.key().less(k) {
			return -1
		}
		return 1
	})
	tr.events = slices.Insert(tr.events, i, e)
	cut := e.at.Add(-trailRetention)
	n := 0
	for n < len(tr.events) && tr.events[n].at.Before(cut) {
		n++
	}
	if n > 0 {
		tr.events = slices.Delete(tr.events, 0, n)
	}
}

// call is what the dispatch knows of a successful call to record.
type call struct {
	svc, op   string
	region    string // the Region it was signed for (or the sandbox's)
	reqID     string
	caller    callerIdentity
	r         *http.Request
	params    any // requestParameters: the request, keys as CloudTrail writes them (nil: null)
	response  any // responseElements (nil: null)
	resources []eventResource
}

// record turns a successful call into an event. It runs after the
// handler, outside the state lock.
func (s *Server) record(c call) {
	region := c.region
	if globalServices[c.svc] {
		region = "us-east-1"
	}
	who, username := callerEventIdentity(c.caller)
	t := s.trailNow()
	e := &trailEvent{
		at:        t.Truncate(time.Second),
		exact:     t,
		requestID: c.reqID,
		service:   c.svc,
		name:      c.op,
		readOnly:  readOnlyOp(c.op),
		eventType: "AwsApiCall",
		region:    region,
		account:   c.caller.Account,
		who:       who,
		accessKey: c.caller.AccessKeyId,
		username:  username,
		sourceIP:  sourceIP(c.r),
		userAgent: c.r.UserAgent(),
		params:    rawJSON(c.params),
		response:  rawJSON(c.response),
		resources: c.resources,
	}
	s.trail.add(e)
}

// recordRoleCredentials records a portal GetRoleCredentials as AWS does:
// an AwsServiceEvent of the Identity Center user, in the Identity Center
// account and Region, with the account and role in serviceEventDetails.
func (s *Server) recordRoleCredentials(r *http.Request, reqID string) {
	who, err := s.bearer(r)
	if err != nil {
		return
	}
	q := r.URL.Query()
	s.mu.RLock()
	owner, storeArn := s.identityCenterOf(who.StoreID)
	s.mu.RUnlock()
	t := s.trailNow()
	s.trail.add(&trailEvent{
		at:        t.Truncate(time.Second),
		exact:     t,
		requestID: reqID,
		service:   "sso",
		name:      "GetRoleCredentials",
		readOnly:  true,
		eventType: "AwsServiceEvent",
		region:    s.requestRegion(r),
		account:   owner,
		who:       identityCenterUser(owner, who.UserID, storeArn, credentialID(r.Header.Get("x-amz-sso_bearer_token"))),
		username:  who.UserID,
		sourceIP:  sourceIP(r),
		userAgent: r.UserAgent(),
		details:   &serviceEventDetails{RoleName: q.Get("role_name"), AccountId: q.Get("account_id")},
	})
}

// identityCenterOf is the account that owns an identity store's instance
// and the store's ARN. Call with s.mu held.
func (s *Server) identityCenterOf(storeID string) (account, storeArn string) {
	account = s.st.org.MasterAccountId
	if in := s.st.instanceByStore(storeID); in != nil && in.OwnerAccountId != "" {
		account = in.OwnerAccountId
	}
	return account, "arn:aws:identitystore::" + account + ":identitystore/" + storeID
}

func sourceIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func rawJSON(v any) json.RawMessage {
	if v == nil {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil || string(b) == "null" || string(b) == "{}" {
		return nil
	}
	return b
}
