package emulator

import (
	"sync/atomic"
	"time"

	"github.com/ssoctl/ssoctl/internal/emulator/awsproto"
)

// Kinds of asynchronous sso-admin request.
const (
	kindCreate    = "create"    // CreateAccountAssignment
	kindDelete    = "delete"    // DeleteAccountAssignment
	kindProvision = "provision" // ProvisionPermissionSet
)

// maxOutstandingWrites is AWS's fixed limit on assignment writes in flight.
const maxOutstandingWrites = 15

// asyncRequest is one asynchronous request and its status. It completes —
// applies its effect and becomes SUCCEEDED, or FAILED with a reason — on
// its own, as AWS's requests do: at once, or with Options.PendingPolls
// set, Options.AsyncDelay after it started (settle). Status reads (a
// Describe…Status call naming it, or a List…Status page listing it) see it
// IN_PROGRESS until its polls are used up, whether or not it has
// completed meanwhile; the read that uses them up completes it if it has
// not yet. So a client that polls sees exactly PendingPolls of them, and
// one that does not (the AWS CLI, a script) finds the work done a moment
// later all the same.
type asyncRequest struct {
	Kind          string
	InstanceArn   string
	RequestId     string
	Status        string
	FailureReason string
	Created       time.Time
	polls         int

	// create/delete
	Assignment Assignment
	// provision
	PermissionSetArn string
	TargetType       string
	TargetId         string

	// fail, when set, is the reason the request will fail once it completes.
	fail string
	// apply makes the change when the request succeeds.
	apply func()
	// run, when set, makes the change as the request completes and says
	// why it failed ("" when it did not): for work whose outcome depends
	// on the state when it is done (provisioning needs the policies it
	// references in each target account).
	run func() string
	// due is when it completes on its own.
	due time.Time
}

// requestLog keeps every async request by id and, per instance and kind, in
// creation order for the List…Status operations.
type requestLog struct {
	byID   map[string]*asyncRequest
	byKind map[string]*awsproto.Index[*asyncRequest] // instance|kind -> by created|id
	seq    int
	// inflight counts assignment writes still IN_PROGRESS, per instance.
	inflight map[string]int
	// pending are the requests still IN_PROGRESS, by due time (every
	// request waits the same AsyncDelay, so creation order is due order).
	pending []*asyncRequest
	// nextDue is the due time of pending[0] in Unix nanoseconds (0: none),
	// read without the lock on every request.
	nextDue atomic.Int64
}

func newRequestLog() *requestLog {
	return &requestLog{byID: map[string]*asyncRequest{}, byKind: map[string]*awsproto.Index[*asyncRequest]{}, inflight: map[string]int{}}
}

func (l *requestLog) add(r *asyncRequest) {
	l.byID[r.RequestId] = r
	l.seq++
	sub(l.byKind, key(r.InstanceArn, r.Kind)).Put(seqKey(l.seq), r)
}

func seqKey(n int) string {
	const width = 12
	b := make([]byte, width)
	for i := width - 1; i >= 0; i-- {
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b)
}

func isWrite(kind string) bool { return kind == kindCreate || kind == kindDelete }

// defaultAsyncDelay is how long a request with pending polls takes on its
// own when Options.AsyncDelay does not say: about what AWS takes.
const defaultAsyncDelay = 2 * time.Second

// startRequest records a new request; with no pending polls it completes
// at once, else it is due AsyncDelay from now.
func (s *Server) startRequest(r *asyncRequest) {
	r.RequestId = s.uuid()
	r.Created = s.now()
	r.Status = "IN_PROGRESS"
	l := s.st.requests
	l.add(r)
	if isWrite(r.Kind) {
		l.inflight[r.InstanceArn]++
	}
	if s.opts.PendingPolls <= 0 {
		s.complete(r)
		return
	}
	delay := s.opts.AsyncDelay
	if delay <= 0 {
		delay = defaultAsyncDelay
	}
	r.due = s.now().Add(delay)
	l.pending = append(l.pending, r)
	if len(l.pending) == 1 {
		l.nextDue.Store(r.due.UnixNano())
	}
}

// settle does what is due on the sandbox clock: schedules fire, then
// async requests complete. Every request the sandbox serves settles first,
// so work completes on its own whoever asks next.
func (s *Server) settle() {
	now := s.clock.now()
	t := now.UnixNano()
	next, due := s.st.requests.nextDue.Load(), s.st.sched.nextDue.Load()
	if (next == 0 || t < next) && (due == 0 || t < due) {
		return
	}
	s.mu.Lock()
	calls := s.fireSchedules(now)
	s.completeDue(now)
	s.mu.Unlock()
	// What the schedules' targets did goes to CloudTrail, as any call.
	for _, c := range calls {
		s.record(c)
	}
}

// completeDue completes every request due at t. Call with s.mu held.
func (s *Server) completeDue(t time.Time) {
	l := s.st.requests
	n := 0
	for ; n < len(l.pending) && !l.pending[n].due.After(t); n++ {
		if r := l.pending[n]; r.Status == "IN_PROGRESS" {
			s.complete(r)
		}
	}
	l.pending = l.pending[n:]
	l.nextDue.Store(0)
	for len(l.pending) > 0 && l.pending[0].Status != "IN_PROGRESS" {
		l.pending = l.pending[1:]
	}
	if len(l.pending) > 0 {
		l.nextDue.Store(l.pending[0].due.UnixNano())
	}
}

// poll counts one status read of r and completes r when its polls are used
// up.
func (s *Server) poll(r *asyncRequest) {
	if r.polls >= s.opts.PendingPolls {
		return
	}
	r.polls++
	if r.polls >= s.opts.PendingPolls && r.Status == "IN_PROGRESS" {
		s.complete(r)
	}
}

// shown is the status a read of r sees: IN_PROGRESS until its polls are
// used up, even when it completed on its own meanwhile.
func (s *Server) shown(r *asyncRequest) (status, reason string) {
	if r.polls < s.opts.PendingPolls {
		return "IN_PROGRESS", ""
	}
	return r.Status, r.FailureReason
}

func (s *Server) complete(r *asyncRequest) {
	if isWrite(r.Kind) {
		s.st.requests.inflight[r.InstanceArn]--
	}
	if r.fail != "" {
		r.Status, r.FailureReason = "FAILED", r.fail
		return
	}
	if r.apply != nil {
		r.apply()
	}
	if r.run != nil {
		if reason := r.run(); reason != "" {
			r.Status, r.FailureReason = "FAILED", reason
			return
		}
	}
	r.Status = "SUCCEEDED"
}
