package emulator

import (
	"net/http"
	"sync"

	"github.com/ssoctl/ssoctl/internal/emulator/awsproto"
)

// StatsSnapshot is the body of GET /_sandbox/stats: counts per
// "<service>:<Operation>" since start or the last reset.
//
// Calls counts operations invoked: the attempts of one SDK call carry the
// same amz-sdk-invocation-id header and count once (a request without the
// header is a call of its own). Attempts counts every request received,
// retries and throttled ones included. Throttled and Errors count the
// requests answered with a throttling error or any other error. A request
// whose body never arrived in full (the client gave up while sending it)
// counts nowhere: no service saw it.
type StatsSnapshot struct {
	Calls     map[string]int `json:"calls"`
	Attempts  map[string]int `json:"attempts"`
	Throttled map[string]int `json:"throttled"`
	Errors    map[string]int `json:"errors"`
}

// recentInvocations is how many invocation ids are remembered to tell a
// retry from a new call: far more than can be in flight or retrying at once.
const recentInvocations = 1 << 16

type stats struct {
	mu sync.Mutex
	s  StatsSnapshot
	// seen holds the last recentInvocations invocation ids; ring keeps
	// them in arrival order so the oldest is forgotten first.
	seen map[string]struct{}
	ring []string
	next int
}

func newStats() *stats {
	st := &stats{}
	st.reset()
	return st
}

func (st *stats) reset() {
	st.mu.Lock()
	st.s = StatsSnapshot{Calls: map[string]int{}, Attempts: map[string]int{}, Throttled: map[string]int{}, Errors: map[string]int{}}
	st.seen = map[string]struct{}{}
	st.ring = st.ring[:0]
	st.next = 0
	st.mu.Unlock()
}

// call counts one request for svc:op: an attempt always, a call unless its
// invocation id was seen before.
func (st *stats) call(r *http.Request, svc, op string) {
	k := svc + ":" + op
	id := r.Header.Get("amz-sdk-invocation-id")
	st.mu.Lock()
	defer st.mu.Unlock()
	st.s.Attempts[k]++
	if id == "" {
		st.s.Calls[k]++
		return
	}
	if _, ok := st.seen[id]; ok {
		return
	}
	st.s.Calls[k]++
	if len(st.ring) < recentInvocations {
		st.ring = append(st.ring, id)
	} else {
		delete(st.seen, st.ring[st.next])
		st.ring[st.next] = id
		st.next = (st.next + 1) % recentInvocations
	}
	st.seen[id] = struct{}{}
}

func (st *stats) throttle(svc, op string) {
	st.mu.Lock()
	st.s.Throttled[svc+":"+op]++
	st.mu.Unlock()
}

func (st *stats) fail(svc, op string, _ *awsproto.Error) {
	st.mu.Lock()
	st.s.Errors[svc+":"+op]++
	st.mu.Unlock()
}

func (st *stats) snapshot() StatsSnapshot {
	st.mu.Lock()
	defer st.mu.Unlock()
	cp := func(m map[string]int) map[string]int {
		out := make(map[string]int, len(m))
		for k, v := range m {
			out[k] = v
		}
		return out
	}
	return StatsSnapshot{Calls: cp(st.s.Calls), Attempts: cp(st.s.Attempts), Throttled: cp(st.s.Throttled), Errors: cp(st.s.Errors)}
}

// throttleError is each service's own answer to too many requests.
func throttleError(svc string) *awsproto.Error {
	switch svc {
	case "identitystore":
		return awsproto.Err(400, "ThrottlingException", "Rate exceeded").With("RetryAfterSeconds", 1)
	case "organizations":
		return awsproto.Err(400, "TooManyRequestsException", "AWS Organizations can't complete your request because another request is already in progress or the rate limit was exceeded. Try again later.").With("Type", "")
	case "iam", "sts":
		return awsproto.Err(400, "Throttling", "Rate exceeded")
	case "sso", "sesv2":
		return awsproto.Err(429, "TooManyRequestsException", "Too many requests")
	case "sso-oidc":
		return awsproto.Err(400, "SlowDownException", "Too many requests").WithOAuth("slow_down")
	case "s3":
		return awsproto.Err(503, "SlowDown", "Please reduce your request rate.")
	case "scheduler":
		return awsproto.Err(429, "ThrottlingException", "Rate exceeded")
	}
	return awsproto.Err(400, "ThrottlingException", "Rate exceeded")
}

// internalError is each service's own 5xx.
func internalError(svc string) *awsproto.Error {
	switch svc {
	case "organizations":
		return awsproto.Err(500, "ServiceException", "AWS Organizations can't complete your request because of an internal service error. Try again later.")
	case "iam":
		return awsproto.Err(500, "ServiceFailure", "Request processing has failed due to some unknown error, exception or failure.")
	case "sts":
		return awsproto.Err(500, "InternalFailure", "An internal error occurred.")
	case "s3":
		return awsproto.Err(500, "InternalError", "We encountered an internal error. Please try again.")
	}
	return awsproto.Err(500, "InternalServerException", "An internal error occurred (injected by the sandbox).")
}

// admit decides whether a request goes through: injected faults first, then
// the quota token buckets. It counts what it refuses.
func (s *Server) admit(svc, op string) *awsproto.Error {
	if s.opts.ThrottleRate > 0 && s.chance(s.opts.ThrottleRate) {
		s.stats.throttle(svc, op)
		return throttleError(svc)
	}
	if s.opts.ErrorRate > 0 && s.chance(s.opts.ErrorRate) {
		e := internalError(svc)
		s.stats.fail(svc, op, e)
		return e
	}
	if l := s.limiters.For(svc, op); l != nil && !l.Allow() {
		s.stats.throttle(svc, op)
		return throttleError(svc)
	}
	return nil
}
