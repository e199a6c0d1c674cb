package emulator

import (
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

// asyncRequest is one asynchronous request and its status. It stays
// IN_PROGRESS for Options.PendingPolls polls (a Describe…Status call naming
// it, or a List…Status page listing it), then applies its effect and
// becomes SUCCEEDED, or FAILED with a reason.
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
}

// requestLog keeps every async request by id and, per instance and kind, in
// creation order for the List…Status operations.
type requestLog struct {
	byID   map[string]*asyncRequest
	byKind map[string]*awsproto.Index[*asyncRequest] // instance|kind -> by created|id
	seq    int
	// inflight counts assignment writes still IN_PROGRESS, per instance.
	inflight map[string]int
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

// start records a new request; with no pending polls it completes at once.
func (s *Server) startRequest(r *asyncRequest) {
	r.RequestId = s.uuid()
	r.Created = now()
	r.Status = "IN_PROGRESS"
	s.st.requests.add(r)
	if isWrite(r.Kind) {
		s.st.requests.inflight[r.InstanceArn]++
	}
	if s.opts.PendingPolls <= 0 {
		s.complete(r)
	}
}

// poll counts one poll of r and completes it when its polls are used up.
func (s *Server) poll(r *asyncRequest) {
	if r.Status != "IN_PROGRESS" {
		return
	}
	r.polls++
	if r.polls >= s.opts.PendingPolls {
		s.complete(r)
	}
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
	r.Status = "SUCCEEDED"
}
