package emulator

import (
	"encoding/json"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ssoctl/ssoctl/internal/emulator/awsproto"
)

// CloudTrail (API 2013-11-01, awsJson1.1, target prefix
// com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101): LookupEvents
// over the trail (trail.go), as AWS serves it: management events of the
// caller's account in the Region the call was signed for, newest first, 50
// a page, one lookup attribute, the last 90 days; an event shows once
// Options.CloudTrailDelay has passed since it happened.

const lookupPageMax = 50

func (s *Server) cloudTrailOps() map[string]opHandler {
	return map[string]opHandler{
		"LookupEvents": reqOp(false, s.lookupEvents),
	}
}

type lookupAttribute struct {
	AttributeKey   *string
	AttributeValue *string
}

type lookupEventsInput struct {
	LookupAttributes []lookupAttribute
	StartTime        *json.Number
	EndTime          *json.Number
	EventCategory    *string
	MaxResults       *int
	NextToken        *string
}

// lookupEvent is an event as LookupEvents returns it.
type lookupEvent struct {
	EventId         string
	EventName       string
	ReadOnly        string
	AccessKeyId     string `json:",omitempty"`
	EventTime       json.Number
	EventSource     string
	Username        string `json:",omitempty"`
	Resources       []lookupResource
	CloudTrailEvent string
}

type lookupResource struct {
	ResourceType string `json:",omitempty"`
	ResourceName string `json:",omitempty"`
}

var lookupKeys = []string{"EventId", "EventName", "ReadOnly", "Username", "ResourceType", "ResourceName", "EventSource", "AccessKeyId"}

func invalidLookup(format string, args ...any) *awsproto.Error {
	return awsproto.Err(400, "InvalidLookupAttributesException", format, args...)
}

func (s *Server) lookupEvents(req reqInfo, in *lookupEventsInput) (any, error) {
	q := lookupQuery{account: req.Caller.Account, region: req.Region, limit: lookupPageMax}
	switch n := len(in.LookupAttributes); {
	case n > 1:
		return nil, invalidLookup("You cannot specify more than one lookup attribute.")
	case n == 1:
		a := in.LookupAttributes[0]
		if a.AttributeKey == nil || !contains(lookupKeys, *a.AttributeKey) {
			return nil, invalidLookup("Lookup attribute key is not valid: %s. Valid keys are %s.", deref(a.AttributeKey), strings.Join(lookupKeys, ", "))
		}
		if a.AttributeValue == nil || *a.AttributeValue == "" || lookupValueLen(*a.AttributeValue) > 2000 {
			return nil, invalidLookup("Lookup attribute value is not valid: it must be 1 to 2000 characters.")
		}
		q.key, q.value = *a.AttributeKey, *a.AttributeValue
	}
	if in.MaxResults != nil {
		if n := *in.MaxResults; n < 1 || n > lookupPageMax {
			return nil, awsproto.Err(400, "InvalidMaxResultsException", "A max results value of %d is invalid. Specify max results between 1 and %d.", n, lookupPageMax)
		}
		q.limit = *in.MaxResults
	}
	from, err := epochArg(in.StartTime, time.Time{})
	if err != nil {
		return nil, err
	}
	to, err := epochArg(in.EndTime, time.Unix(math.MaxInt32, 0))
	if err != nil {
		return nil, err
	}
	if from.After(to) {
		return nil, awsproto.Err(400, "InvalidTimeRangeException", "Start time must not be after end time.")
	}
	scope := awsproto.ScopeHash("cloudtrail:LookupEvents", q.account, q.region, q.key, q.value, from.String(), to.String())
	if tok := deref(in.NextToken); tok != "" {
		after, err := awsproto.DecodeToken(scope, tok)
		k, ok := parseEventKey(after)
		if err != nil || !ok {
			return nil, awsproto.Err(400, "InvalidNextTokenException", "Invalid NextToken: it was not issued for a request with these parameters.")
		}
		q.after = &k
	}
	out := map[string]any{"Events": []lookupEvent{}}
	if in.EventCategory != nil {
		// The only category is insight, and the sandbox has no Insights events.
		if *in.EventCategory != "insight" {
			return nil, awsproto.Err(400, "InvalidEventCategoryException", "Event category %s is not valid. Valid value is insight.", *in.EventCategory)
		}
		return out, nil
	}
	now := s.trailNow()
	q.from = maxTime(from, now.Add(-trailRetention))
	q.to = minTime(to, now)
	q.delivered = now.Add(-s.opts.CloudTrailDelay)
	page, more := s.trail.lookup(q)
	events := make([]lookupEvent, 0, len(page))
	for _, e := range page {
		events = append(events, e.lookupEvent())
	}
	out["Events"] = events
	if more {
		k := page[len(page)-1].key()
		out["NextToken"] = awsproto.EncodeToken(scope, strconv.FormatInt(k.at, 10)+"|"+strconv.FormatInt(k.seq, 10))
	}
	return out, nil
}

// lookupValueLen counts as AWS does: '_', ' ', ',' and '\n' count twice.
func lookupValueLen(v string) int {
	n := utf8.RuneCountInString(v)
	return n + strings.Count(v, "_") + strings.Count(v, " ") + strings.Count(v, ",") + strings.Count(v, "\n")
}

func epochArg(v *json.Number, def time.Time) (time.Time, error) {
	if v == nil {
		return def, nil
	}
	f, err := v.Float64()
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return time.Time{}, awsproto.Err(400, "InvalidTimeRangeException", "Time %s is not valid.", v.String())
	}
	return time.UnixMilli(int64(f * 1000)).UTC(), nil
}

func parseEventKey(s string) (eventKey, bool) {
	a, b, ok := strings.Cut(s, "|")
	at, err1 := strconv.ParseInt(a, 10, 64)
	seq, err2 := strconv.ParseInt(b, 10, 64)
	return eventKey{at, seq}, ok && err1 == nil && err2 == nil
}

func (e *trailEvent) lookupEvent() lookupEvent {
	res := make([]lookupResource, 0, len(e.resources))
	for _, r := range e.resources {
		res = append(res, lookupResource{ResourceType: r.Type, ResourceName: r.Name})
	}
	return lookupEvent{
		EventId: e.id, EventName: e.name, ReadOnly: strconv.FormatBool(e.readOnly), AccessKeyId: e.accessKey,
		EventTime: awsproto.Epoch(e.at), EventSource: e.eventSource(), Username: e.username,
		Resources: res, CloudTrailEvent: e.render(),
	}
}

// lookupQuery is one LookupEvents page to find.
type lookupQuery struct {
	account, region string
	key, value      string // the lookup attribute ("": none)
	from, to        time.Time
	delivered       time.Time // events served after this are not delivered yet
	after           *eventKey // continue with events older than this
	limit           int
}

// matches tells whether e answers q's lookup attribute.
func (q *lookupQuery) matches(e *trailEvent) bool {
	switch q.key {
	case "":
		return true
	case "EventId":
		return e.id == q.value
	case "EventName":
		return e.name == q.value
	case "ReadOnly":
		return strconv.FormatBool(e.readOnly) == strings.ToLower(q.value)
	case "Username":
		return e.username == q.value
	case "EventSource":
		return e.eventSource() == q.value
	case "AccessKeyId":
		return e.accessKey == q.value
	case "ResourceType", "ResourceName":
		for _, r := range e.resources {
			if (q.key == "ResourceType" && r.Type == q.value) || (q.key == "ResourceName" && r.Name == q.value) {
				return true
			}
		}
	}
	return false
}

// seededMay tells whether any seeded event can answer q, before looking at
// each: they all are GetRoleCredentials of one account and Region.
func (q *lookupQuery) seededMay(a *activity) bool {
	if a == nil || a.account != q.account || a.region != q.region {
		return false
	}
	switch q.key {
	case "EventName":
		return q.value == "GetRoleCredentials"
	case "EventSource":
		return q.value == eventSources["sso"]
	case "ReadOnly":
		return strings.ToLower(q.value) == "true"
	case "AccessKeyId", "ResourceType", "ResourceName":
		return false
	}
	return true
}

// lookup finds q's page, newest first, and whether more events follow it.
// Recorded and seeded events are merged by their key.
func (tr *trail) lookup(q lookupQuery) ([]*trailEvent, bool) {
	if q.from.After(q.to) {
		return nil, false
	}
	cursor := eventKey{q.to.UnixNano(), math.MaxInt64}
	if q.after != nil && q.after.less(cursor) {
		cursor = *q.after
	}
	tr.mu.RLock()
	defer tr.mu.RUnlock()
	ri := sort.Search(len(tr.events), func(i int) bool { return !tr.events[i].key().less(cursor) })
	var seeded []seededEvent
	if q.seededMay(tr.act) {
		seeded = tr.act.events
	}
	si := sort.Search(len(seeded), func(i int) bool { return !seeded[i].key(i).less(cursor) })
	floor := q.from.UnixNano()
	var page []*trailEvent
	for len(page) <= q.limit {
		var e *trailEvent
		switch {
		case ri > 0 && (si == 0 || seeded[si-1].key(si-1).less(tr.events[ri-1].key())):
			ri--
			e = tr.events[ri]
			if e.account != q.account || e.region != q.region || !q.matches(e) {
				if e.at.UnixNano() < floor {
					return page, false
				}
				continue
			}
		case si > 0:
			si--
			if seeded[si].at*int64(time.Second) < floor {
				return page, false
			}
			if q.key == "Username" && tr.act.users[tr.act.uses[seeded[si].use].user].userID != q.value {
				continue
			}
			if e = tr.act.event(si); !q.matches(e) {
				continue
			}
		default:
			return page, false
		}
		if e.at.UnixNano() < floor {
			return page, false
		}
		if e.exact.After(q.delivered) {
			continue
		}
		page = append(page, e)
	}
	return page[:q.limit], true
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
