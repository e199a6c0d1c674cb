// Package execute is the one place ssoctl writes to IAM Identity Center:
// account assignments, and — for Identity Center as code — permission sets
// (created, changed attribute by attribute, deleted), their provisioning
// (ProvisionPermissionSet), and identity-store groups and memberships. It
// takes a typed Plan, carries it out within AWS's limits — at most 15
// asynchronous requests outstanding, every call through the client's token
// bucket (the 20 TPS shared by all Identity Center APIs; the identity
// store's own 20) — polls the asynchronous requests until they succeed or
// fail, retries ConflictException and throttling, and returns one Result
// per change.
//
// It is idempotent (creating an assignment or membership that exists,
// attaching a policy that is attached, or deleting what is gone, is not an
// error) and resumable (asynchronous requests a previous, interrupted run
// left IN_PROGRESS are adopted instead of sent again).
//
// The order keeps access working throughout: groups and permission sets
// are made or changed first, then members added, changed sets
// re-provisioned, assignments created; only then assignments deleted,
// members removed, and permission sets and groups deleted. So a plan that
// moves access from one permission set to another never leaves a moment
// without it. A change that refers to a permission set or group the same
// plan creates (by name, with no ARN or id yet) gets the one created.
//
// Polling: while two or more requests of a kind are outstanding, one
// List…Status(Filter=IN_PROGRESS) page answers for all of them (a request
// that left the list has finished); whether those finished requests failed
// is learnt from one List…Status(Filter=FAILED) page at the end of the
// phase (or every 100), and only a failed request is described, for its
// FailureReason. With one request outstanding it is described directly.
// Polls happen only when no new request can be sent (all slots taken, or
// nothing left to send), at most every MinPollInterval, backing off to
// MaxPollInterval while nothing finishes.
//
// The domain never prints: progress and results go to the callbacks in
// Options.
package execute

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"
	"github.com/aws/smithy-go"

	"github.com/ssoctl/ssoctl/internal/assignments"
)

// SSOAdmin is what the executor calls, with the SDK's own signatures.
type SSOAdmin interface {
	CreateAccountAssignment(context.Context, *ssoadmin.CreateAccountAssignmentInput, ...func(*ssoadmin.Options)) (*ssoadmin.CreateAccountAssignmentOutput, error)
	DeleteAccountAssignment(context.Context, *ssoadmin.DeleteAccountAssignmentInput, ...func(*ssoadmin.Options)) (*ssoadmin.DeleteAccountAssignmentOutput, error)
	DescribeAccountAssignmentCreationStatus(context.Context, *ssoadmin.DescribeAccountAssignmentCreationStatusInput, ...func(*ssoadmin.Options)) (*ssoadmin.DescribeAccountAssignmentCreationStatusOutput, error)
	DescribeAccountAssignmentDeletionStatus(context.Context, *ssoadmin.DescribeAccountAssignmentDeletionStatusInput, ...func(*ssoadmin.Options)) (*ssoadmin.DescribeAccountAssignmentDeletionStatusOutput, error)
	ListAccountAssignmentCreationStatus(context.Context, *ssoadmin.ListAccountAssignmentCreationStatusInput, ...func(*ssoadmin.Options)) (*ssoadmin.ListAccountAssignmentCreationStatusOutput, error)
	ListAccountAssignmentDeletionStatus(context.Context, *ssoadmin.ListAccountAssignmentDeletionStatusInput, ...func(*ssoadmin.Options)) (*ssoadmin.ListAccountAssignmentDeletionStatusOutput, error)
	ListAccountAssignments(context.Context, *ssoadmin.ListAccountAssignmentsInput, ...func(*ssoadmin.Options)) (*ssoadmin.ListAccountAssignmentsOutput, error)
}

// Op is what a Change does.
type Op string

// The operations.
const (
	Create Op = "create"
	Delete Op = "delete"
	// Update changes a permission set's or group's attributes.
	Update Op = "update"
	// Provision re-provisions a permission set (ProvisionPermissionSet).
	Provision Op = "provision"
)

// Kind is what a Change writes.
type Kind string

// The kinds of change. The zero value is an account assignment, so saved
// assignments plans read as they always have.
const (
	KindAssignment    Kind = ""
	KindPermissionSet Kind = "permissionSet"
	KindProvision     Kind = "provision"
	KindGroup         Kind = "group"
	KindMembership    Kind = "membership"
)

// Change is one item of a plan: an assignment to create or delete (Kind
// ""), or a permission set, provisioning, group or membership write, with
// the names it is shown by (optional for assignments; results carry them
// back). A permission set or group the same plan creates is referred to by
// name alone (PermissionSetName with no PermissionSetArn, PrincipalName
// with no PrincipalId): the executor fills in what was created.
type Change struct {
	Kind Kind `json:"kind,omitempty"`
	Op   Op   `json:"op"`
	// Assignment names the account assignment; changes of other kinds use
	// its permission-set and principal members to name what they write: the
	// permission set of a permissionSet or provision change, the group
	// (PrincipalType GROUP) of a group or membership change.
	assignments.Assignment
	AccountName       string `json:"accountName,omitempty"`
	PermissionSetName string `json:"permissionSetName,omitempty"`
	PrincipalName     string `json:"principalName,omitempty"`

	// PermissionSet is what a permission-set change writes.
	PermissionSet *PermissionSetWrite `json:"permissionSet,omitempty"`
	// Provision is where a provision change provisions to.
	Provision *ProvisionTarget `json:"provision,omitempty"`
	// Group is what a group change writes.
	Group *GroupWrite `json:"group,omitempty"`
	// Member is the user a membership change adds or removes.
	Member *Member `json:"member,omitempty"`
}

// String names the change for people: "create user alice: Developer on dev (111111111111)".
func (c Change) String() string {
	ps := c.PermissionSetName
	if ps == "" {
		ps = c.PermissionSetArn
	}
	who := c.PrincipalName
	if who == "" {
		who = c.PrincipalId
	}
	switch c.Kind {
	case KindPermissionSet:
		return fmt.Sprintf("%s permission set %s", c.Op, ps)
	case KindProvision:
		return fmt.Sprintf("provision permission set %s to %s", ps, c.Provision.String())
	case KindGroup:
		return fmt.Sprintf("%s group %s", c.Op, who)
	case KindMembership:
		verb := "add"
		if c.Op == Delete {
			verb = "remove"
		}
		return fmt.Sprintf("%s %s %s group %s", verb, c.Member.String(), map[bool]string{true: "to", false: "from"}[c.Op != Delete], who)
	}
	acct := c.AccountId
	if c.AccountName != "" {
		acct = c.AccountName + " (" + c.AccountId + ")"
	}
	return fmt.Sprintf("%s %s %s: %s on %s", c.Op, strings.ToLower(c.PrincipalType), who, ps, acct)
}

// Plan is the work for one Identity Center instance (and, for group and
// membership changes, its identity store).
type Plan struct {
	InstanceArn     string   `json:"instanceArn"`
	IdentityStoreId string   `json:"identityStoreId,omitempty"`
	Changes         []Change `json:"changes"`
}

// Creates counts the plan's creates.
func (p Plan) Creates() int { return p.count(Create) }

// Deletes counts the plan's deletes.
func (p Plan) Deletes() int { return p.count(Delete) }

func (p Plan) count(op Op) int {
	n := 0
	for _, c := range p.Changes {
		if c.Op == op {
			n++
		}
	}
	return n
}

// Status is the outcome of one change.
type Status string

// Outcomes. Only Succeeded is a success; Unchanged results are successes
// too (Result.Unchanged says the assignment already was as planned).
const (
	Succeeded   Status = "SUCCEEDED"
	Failed      Status = "FAILED"
	NotStarted  Status = "NOT_STARTED" // the run was interrupted (or a create failed, before deletes) first
	Interrupted Status = "INTERRUPTED" // sent, but the run was interrupted before it finished
)

// Result is the outcome of one change.
type Result struct {
	Change
	Status Status `json:"status"`
	// Unchanged: the assignment already existed (create) or was already gone
	// (delete); nothing had to change.
	Unchanged bool   `json:"unchanged,omitempty"`
	RequestId string `json:"requestId,omitempty"`
	// FailureReason is AWS's, for a request that FAILED.
	FailureReason string `json:"failureReason,omitempty"`
	// Error is why a call was refused (AccessDenied, validation, retries
	// exhausted), when the request never started.
	Error string `json:"error,omitempty"`
	// Adopted: the request was one a previous run left IN_PROGRESS.
	Adopted bool `json:"adopted,omitempty"`
}

// OK reports whether the change is done.
func (r Result) OK() bool { return r.Status == Succeeded }

// Reason is why the change did not succeed, in one line.
func (r Result) Reason() string {
	switch {
	case r.FailureReason != "":
		return r.FailureReason
	case r.Error != "":
		return r.Error
	}
	return strings.ToLower(strings.ReplaceAll(string(r.Status), "_", " "))
}

// Report is the result of Apply: one Result per change, in plan order.
type Report struct {
	InstanceArn string   `json:"instanceArn"`
	Results     []Result `json:"results"`
	Summary     Summary  `json:"summary"`
}

// Summary counts the results.
type Summary struct {
	Created int `json:"created"`
	// Updated and Provisioned count permission set and group updates and
	// provisioning (absent from assignment-only reports).
	Updated     int `json:"updated,omitempty"`
	Provisioned int `json:"provisioned,omitempty"`
	Deleted     int `json:"deleted"`
	Unchanged   int `json:"unchanged"`
	Failed      int `json:"failed"`
	NotStarted  int `json:"notStarted"`
	// Interrupted counts the requests sent whose outcome the run did not
	// wait for (it was interrupted); a re-run adopts them.
	Interrupted int `json:"interrupted"`
}

// Failures are the results that did not succeed.
func (r Report) Failures() []Result {
	var out []Result
	for _, x := range r.Results {
		if !x.OK() {
			out = append(out, x)
		}
	}
	return out
}

// OK reports whether every change succeeded.
func (r Report) OK() bool { return len(r.Failures()) == 0 }

// Merge joins the reports of several runs, in order, into one with one
// summary.
func Merge(instanceArn string, parts ...Report) Report {
	out := Report{InstanceArn: instanceArn}
	for _, p := range parts {
		out.Results = append(out.Results, p.Results...)
	}
	out.summarize()
	return out
}

// ByPrincipal splits the report by principal id, each part with its own
// summary (one executor run serves many users; each is reported apart).
func (r Report) ByPrincipal() map[string]Report {
	out := map[string]Report{}
	for _, x := range r.Results {
		p := out[x.PrincipalId]
		p.InstanceArn = r.InstanceArn
		p.Results = append(p.Results, x)
		out[x.PrincipalId] = p
	}
	for id, p := range out {
		p.summarize()
		out[id] = p
	}
	return out
}

func (r *Report) summarize() {
	r.Summary = Summary{}
	for _, x := range r.Results {
		switch {
		case x.Status == Succeeded && x.Unchanged:
			r.Summary.Unchanged++
		case x.Status == Succeeded && x.Op == Create:
			r.Summary.Created++
		case x.Status == Succeeded && x.Op == Update:
			r.Summary.Updated++
		case x.Status == Succeeded && x.Op == Provision:
			r.Summary.Provisioned++
		case x.Status == Succeeded:
			r.Summary.Deleted++
		case x.Status == Failed:
			r.Summary.Failed++
		case x.Status == Interrupted:
			r.Summary.Interrupted++
		default:
			r.Summary.NotStarted++
		}
	}
}

// Progress is where a run stands, for a progress line.
type Progress struct {
	// Kind and Op are the stage: what is being written, and how.
	Kind  Kind
	Op    Op
	Total int
	// Done counts the changes finished (their success may still be
	// confirmed at the end of the phase).
	Done        int
	Failed      int
	Outstanding int
}

// Options tune a run. The zero value is AWS's limits.
type Options struct {
	// MaxOutstanding is the most requests in flight (0 or more than 15: 15,
	// AWS's fixed limit).
	MaxOutstanding int
	// MinPollInterval and MaxPollInterval bound the time between status
	// polls (0: 100 ms and 2 s).
	MinPollInterval, MaxPollInterval time.Duration
	// MaxRetries is how often a change refused with ConflictException or
	// throttling (after the SDK's own retries) is sent again (0: 8).
	MaxRetries int
	// StopDeletesOnCreateFailure leaves the deletes NOT_STARTED when a
	// create failed (change-access: never remove the old access before the
	// new is in place).
	StopDeletesOnCreateFailure bool
	// OnProgress is called (from one goroutine at a time) as work advances.
	OnProgress func(Progress)
	// OnResult is called once per finished change.
	OnResult func(Result)
}

const awsMaxOutstanding = 15

func (o Options) withDefaults() Options {
	if o.MaxOutstanding <= 0 || o.MaxOutstanding > awsMaxOutstanding {
		o.MaxOutstanding = awsMaxOutstanding
	}
	if o.MinPollInterval <= 0 {
		o.MinPollInterval = 100 * time.Millisecond
	}
	if o.MaxPollInterval <= 0 {
		o.MaxPollInterval = 2 * time.Second
	}
	if o.MaxPollInterval < o.MinPollInterval {
		o.MaxPollInterval = o.MinPollInterval
	}
	if o.MaxRetries <= 0 {
		o.MaxRetries = 8
	}
	return o
}

// Apply carries out an assignments plan (see Run) with the one client
// assignments need.
func Apply(ctx context.Context, c SSOAdmin, plan Plan, opts Options) (Report, error) {
	return Run(ctx, Clients{SSOAdmin: c}, plan, opts)
}

// item is one change in flight.
type item struct {
	i         int // index into the report
	requestID string
	retries   int
	notBefore time.Time
	adopted   bool
}

// submitted is a submission's outcome, sent back to the phase's loop.
type submitted struct {
	it     *item
	status string // IN_PROGRESS, SUCCEEDED, FAILED; "" when err
	reason string
	err    error
}

// phase runs the asynchronous changes of one Op: assignment creates or
// deletes, or provisioning.
type phase struct {
	c        SSOAdmin
	ps       PermissionSetAdmin // for provisioning
	op       Op
	kind     Kind
	instance string
	opts     Options
	rep      *Report
	idx      []int

	queue      []*item
	submitting int
	waiting    map[string]*item // request id -> item, IN_PROGRESS on the service
	unresolved []*item          // left IN_PROGRESS; FAILED or SUCCEEDED not yet known
	done       int
	failed     int

	failedPages int // pages the FAILED list took last time (0: not listed yet)
	// noList: the List…Status operations failed (an emulator without
	// them); every request is described instead.
	noList   bool
	spacing  time.Duration
	lastPoll time.Time
}

func (p *phase) result(it *item) *Result { return &p.rep.Results[it.i] }

func (p *phase) progress() {
	if p.opts.OnProgress != nil {
		p.opts.OnProgress(Progress{Kind: p.kind, Op: p.op, Total: len(p.idx), Done: p.done + len(p.unresolved), Failed: p.failed, Outstanding: p.submitting + len(p.waiting)})
	}
}

// finish records the final outcome of one change.
func (p *phase) finish(it *item, st Status, unchanged bool, reason, errText string) {
	r := p.result(it)
	r.Status, r.Unchanged, r.FailureReason, r.Error = st, unchanged, reason, errText
	r.RequestId, r.Adopted = it.requestID, it.adopted
	p.done++
	if st != Succeeded {
		p.failed++
	}
	if p.opts.OnResult != nil {
		p.opts.OnResult(*r)
	}
}

func (p *phase) run(ctx context.Context) error {
	p.waiting = map[string]*item{}
	p.spacing = p.opts.MinPollInterval
	byKey := map[string]*item{}
	for _, i := range p.idx {
		it := &item{i: i}
		p.queue = append(p.queue, it)
		byKey[requestKey(p.rep.Results[i].Change)] = it
	}
	if err := p.adopt(ctx, byKey); err != nil {
		return err
	}
	p.progress()

	results := make(chan submitted, p.opts.MaxOutstanding)
	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for {
		// Send what the free slots allow.
		now := time.Now()
		var later []*item
		for len(p.queue) > 0 && p.outstanding() < p.opts.MaxOutstanding && ctx.Err() == nil {
			it := p.queue[0]
			p.queue = p.queue[1:]
			if it.notBefore.After(now) {
				later = append(later, it)
				continue
			}
			p.submitting++
			go func() { results <- p.submit(ctx, it) }()
		}
		p.queue = append(later, p.queue...)

		if ctx.Err() != nil {
			for p.submitting > 0 {
				p.handle(ctx, <-results)
			}
			p.interrupt()
			return ctx.Err()
		}
		if len(p.queue) == 0 && p.submitting == 0 && len(p.waiting) == 0 {
			if err := p.resolve(ctx); err != nil {
				p.interrupt()
				return err
			}
			p.progress()
			return nil
		}

		// Everything that can be sent has been: poll what is outstanding.
		var pollIn <-chan time.Time
		if len(p.waiting) > 0 {
			wait := time.Until(p.lastPoll.Add(p.spacing))
			if wait <= 0 {
				if err := p.poll(ctx); err != nil {
					if ctx.Err() != nil {
						continue
					}
					p.interrupt()
					return err
				}
				p.progress()
				continue
			}
			timer = resetTimer(timer, wait)
			pollIn = timer.C
		}
		// Or wait for a retry's time to come.
		var retryIn <-chan time.Time
		if pollIn == nil && len(p.queue) > 0 && p.outstanding() < p.opts.MaxOutstanding {
			timer = resetTimer(timer, time.Until(p.earliest()))
			retryIn = timer.C
		}
		select {
		case s := <-results:
			p.handle(ctx, s)
			p.progress()
		case <-pollIn:
		case <-retryIn:
		case <-ctx.Done():
		}
	}
}

func resetTimer(t *time.Timer, d time.Duration) *time.Timer {
	if d < 0 {
		d = 0
	}
	if t == nil {
		return time.NewTimer(d)
	}
	if !t.Stop() {
		select {
		case <-t.C:
		default:
		}
	}
	t.Reset(d)
	return t
}

func (p *phase) outstanding() int { return p.submitting + len(p.waiting) }

func (p *phase) earliest() time.Time {
	e := p.queue[0].notBefore
	for _, it := range p.queue[1:] {
		if it.notBefore.Before(e) {
			e = it.notBefore
		}
	}
	return e
}

// interrupt marks what was sent but not finished.
func (p *phase) interrupt() {
	for _, it := range p.waiting {
		r := p.result(it)
		r.Status, r.RequestId, r.Adopted = Interrupted, it.requestID, it.adopted
	}
	for _, it := range p.unresolved {
		r := p.result(it)
		r.Status, r.RequestId, r.Adopted = Interrupted, it.requestID, it.adopted
	}
	p.waiting, p.unresolved = map[string]*item{}, nil
}

// handle takes a submission's outcome.
func (p *phase) handle(ctx context.Context, s submitted) {
	p.submitting--
	it := s.it
	switch {
	case s.err == nil && s.status == "IN_PROGRESS":
		p.waiting[it.requestID] = it
	case s.err == nil && s.status == "SUCCEEDED":
		p.finish(it, Succeeded, false, "", "")
	case s.err == nil:
		p.failedRequest(ctx, it, s.reason)
	case ctx.Err() != nil:
		p.result(it).Status = Interrupted
	case retryable(s.err) && it.retries < p.opts.MaxRetries:
		it.retries++
		it.notBefore = time.Now().Add(backoff(it.retries))
		p.queue = append(p.queue, it)
	case retryable(s.err):
		// Still refused after every retry: the assignment may already be
		// as planned (AWS answers a duplicate with ConflictException).
		if ok, err := p.alreadyDone(ctx, it); err == nil && ok {
			p.finish(it, Succeeded, true, "", "")
			return
		}
		p.finish(it, Failed, false, "", errorText(s.err))
	default:
		p.finish(it, Failed, false, "", errorText(s.err))
	}
}

// failedRequest settles a request AWS reports FAILED: if the assignment is
// already as planned (created by someone else, or already gone), that is
// not an error.
func (p *phase) failedRequest(ctx context.Context, it *item, reason string) {
	if ok, err := p.alreadyDone(ctx, it); err == nil && ok {
		p.finish(it, Succeeded, true, "", "")
		return
	}
	p.finish(it, Failed, false, reason, "")
}

func backoff(retries int) time.Duration {
	d := 200 * time.Millisecond << min(retries, 5)
	return min(d, 5*time.Second)
}

// retryable: ConflictException (another request for the same assignment or
// permission set is in progress) and throttling the SDK gave up on.
func retryable(err error) bool {
	var ae smithy.APIError
	if errors.As(err, &ae) && ae.ErrorCode() == "ConflictException" {
		return true
	}
	return retry.IsErrorThrottles(retry.DefaultThrottles).IsErrorThrottle(err) == aws.TrueTernary
}

// errorText is an API error's code and message in one line, without the
// SDK's operation and request-id wrapping (a call's error keeps the name
// of the call before it).
func errorText(err error) string {
	var ex *alreadyExists
	if errors.As(err, &ex) {
		return ex.Error()
	}
	var ce *callError
	if errors.As(err, &ce) {
		return string(ce.action) + ": " + errorText(ce.err)
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode() + ": " + ae.ErrorMessage()
	}
	return err.Error()
}

// requestKey identifies what an asynchronous request is for, so a
// request a previous run left IN_PROGRESS is matched to its change.
func requestKey(c Change) string {
	if c.Kind == KindProvision {
		target := ""
		if c.Provision != nil {
			target = c.Provision.AccountId
		}
		return "provision|" + c.PermissionSetArn + "|" + target
	}
	return c.Assignment.Key()
}

// opStatus is an asynchronous request's status, whatever its kind.
type opStatus struct {
	status types.StatusValues
	id     string
	reason string
	key    string // requestKey of what it is for
}

func assignmentStatus(st *types.AccountAssignmentOperationStatus) opStatus {
	a := assignments.Assignment{AccountId: aws.ToString(st.TargetId), PermissionSetArn: aws.ToString(st.PermissionSetArn), PrincipalType: string(st.PrincipalType), PrincipalId: aws.ToString(st.PrincipalId)}
	return opStatus{status: st.Status, id: aws.ToString(st.RequestId), reason: aws.ToString(st.FailureReason), key: a.Key()}
}

func provisionStatus(st *types.PermissionSetProvisioningStatus) opStatus {
	return opStatus{status: st.Status, id: aws.ToString(st.RequestId), reason: aws.ToString(st.FailureReason),
		key: "provision|" + aws.ToString(st.PermissionSetArn) + "|" + aws.ToString(st.AccountId)}
}

// submit sends the request.
func (p *phase) submit(ctx context.Context, it *item) submitted {
	ch := p.result(it).Change
	a := ch.Assignment
	var st opStatus
	switch p.op {
	case Create:
		out, err := p.c.CreateAccountAssignment(ctx, &ssoadmin.CreateAccountAssignmentInput{
			InstanceArn: &p.instance, PermissionSetArn: &a.PermissionSetArn,
			PrincipalId: &a.PrincipalId, PrincipalType: types.PrincipalType(a.PrincipalType),
			TargetId: &a.AccountId, TargetType: types.TargetTypeAwsAccount,
		})
		if err != nil {
			return submitted{it: it, err: err}
		}
		if out.AccountAssignmentCreationStatus == nil {
			return submitted{it: it, err: errors.New("the service returned no request status")}
		}
		st = assignmentStatus(out.AccountAssignmentCreationStatus)
	case Delete:
		out, err := p.c.DeleteAccountAssignment(ctx, &ssoadmin.DeleteAccountAssignmentInput{
			InstanceArn: &p.instance, PermissionSetArn: &a.PermissionSetArn,
			PrincipalId: &a.PrincipalId, PrincipalType: types.PrincipalType(a.PrincipalType),
			TargetId: &a.AccountId, TargetType: types.TargetTypeAwsAccount,
		})
		if err != nil {
			return submitted{it: it, err: err}
		}
		if out.AccountAssignmentDeletionStatus == nil {
			return submitted{it: it, err: errors.New("the service returned no request status")}
		}
		st = assignmentStatus(out.AccountAssignmentDeletionStatus)
	default:
		in := &ssoadmin.ProvisionPermissionSetInput{InstanceArn: &p.instance, PermissionSetArn: &a.PermissionSetArn, TargetType: types.ProvisionTargetTypeAllProvisionedAccounts}
		if t := ch.Provision; t != nil && t.AccountId != "" {
			in.TargetType, in.TargetId = types.ProvisionTargetTypeAwsAccount, aws.String(t.AccountId)
		}
		out, err := p.ps.ProvisionPermissionSet(ctx, in)
		if err != nil {
			return submitted{it: it, err: err}
		}
		if out.PermissionSetProvisioningStatus == nil {
			return submitted{it: it, err: errors.New("the service returned no request status")}
		}
		st = provisionStatus(out.PermissionSetProvisioningStatus)
	}
	it.requestID = st.id
	return submitted{it: it, status: string(st.status), reason: st.reason}
}

// describe reads one request's status.
func (p *phase) describe(ctx context.Context, id string) (opStatus, error) {
	switch p.op {
	case Create:
		out, err := p.c.DescribeAccountAssignmentCreationStatus(ctx, &ssoadmin.DescribeAccountAssignmentCreationStatusInput{InstanceArn: &p.instance, AccountAssignmentCreationRequestId: &id})
		if err != nil {
			return opStatus{}, err
		}
		return assignmentStatus(out.AccountAssignmentCreationStatus), nil
	case Delete:
		out, err := p.c.DescribeAccountAssignmentDeletionStatus(ctx, &ssoadmin.DescribeAccountAssignmentDeletionStatusInput{InstanceArn: &p.instance, AccountAssignmentDeletionRequestId: &id})
		if err != nil {
			return opStatus{}, err
		}
		return assignmentStatus(out.AccountAssignmentDeletionStatus), nil
	}
	out, err := p.ps.DescribePermissionSetProvisioningStatus(ctx, &ssoadmin.DescribePermissionSetProvisioningStatusInput{InstanceArn: &p.instance, ProvisionPermissionSetRequestId: &id})
	if err != nil {
		return opStatus{}, err
	}
	return provisionStatus(out.PermissionSetProvisioningStatus), nil
}

// list returns the ids of the instance's requests of this kind with a
// status, and the pages it took.
func (p *phase) list(ctx context.Context, status types.StatusValues) (map[string]bool, int, error) {
	ids := map[string]bool{}
	pages := 0
	filter := &types.OperationStatusFilter{Status: status}
	switch p.op {
	case Create:
		pg := ssoadmin.NewListAccountAssignmentCreationStatusPaginator(p.c, &ssoadmin.ListAccountAssignmentCreationStatusInput{InstanceArn: &p.instance, Filter: filter, MaxResults: aws.Int32(100)})
		for pg.HasMorePages() {
			out, err := pg.NextPage(ctx)
			if err != nil {
				return nil, pages, err
			}
			pages++
			for _, s := range out.AccountAssignmentsCreationStatus {
				ids[aws.ToString(s.RequestId)] = true
			}
		}
	case Delete:
		pg := ssoadmin.NewListAccountAssignmentDeletionStatusPaginator(p.c, &ssoadmin.ListAccountAssignmentDeletionStatusInput{InstanceArn: &p.instance, Filter: filter, MaxResults: aws.Int32(100)})
		for pg.HasMorePages() {
			out, err := pg.NextPage(ctx)
			if err != nil {
				return nil, pages, err
			}
			pages++
			for _, s := range out.AccountAssignmentsDeletionStatus {
				ids[aws.ToString(s.RequestId)] = true
			}
		}
	default:
		pg := ssoadmin.NewListPermissionSetProvisioningStatusPaginator(p.ps, &ssoadmin.ListPermissionSetProvisioningStatusInput{InstanceArn: &p.instance, Filter: filter, MaxResults: aws.Int32(100)})
		for pg.HasMorePages() {
			out, err := pg.NextPage(ctx)
			if err != nil {
				return nil, pages, err
			}
			pages++
			for _, s := range out.PermissionSetsProvisioningStatus {
				ids[aws.ToString(s.RequestId)] = true
			}
		}
	}
	return ids, pages, nil
}

// poll checks the outstanding requests once.
func (p *phase) poll(ctx context.Context) error {
	p.lastPoll = time.Now()
	before := p.done + len(p.unresolved)
	var inProgress map[string]bool
	if len(p.waiting) > 1 && !p.noList {
		var err error
		inProgress, _, err = p.list(ctx, types.StatusValuesInProgress)
		if err != nil && (ctx.Err() != nil || retryable(err)) {
			return fmt.Errorf("poll %s requests: %w", p.op, err)
		}
		p.noList = err != nil
	}
	if inProgress == nil {
		for id, it := range p.waiting {
			st, err := p.describe(ctx, id)
			if err != nil {
				return fmt.Errorf("poll %s request %s: %w", p.op, id, err)
			}
			switch st.status {
			case types.StatusValuesSucceeded:
				delete(p.waiting, id)
				p.finish(it, Succeeded, false, "", "")
			case types.StatusValuesFailed:
				delete(p.waiting, id)
				p.failedRequest(ctx, it, st.reason)
			}
		}
	} else {
		for id, it := range p.waiting {
			if !inProgress[id] {
				delete(p.waiting, id)
				p.unresolved = append(p.unresolved, it)
			}
		}
		if len(p.unresolved) >= 100 {
			if err := p.resolve(ctx); err != nil {
				return err
			}
		}
	}
	if p.done+len(p.unresolved) > before {
		p.spacing = p.opts.MinPollInterval
	} else {
		p.spacing = min(p.spacing*3/2, p.opts.MaxPollInterval)
	}
	return nil
}

// resolve learns whether finished requests succeeded: one FAILED list for
// all of them when that is fewer calls than describing each.
func (p *phase) resolve(ctx context.Context) error {
	if len(p.unresolved) == 0 {
		return nil
	}
	est := max(p.failedPages, 1)
	var failed map[string]bool
	if len(p.unresolved) > est && !p.noList {
		var pages int
		var err error
		failed, pages, err = p.list(ctx, types.StatusValuesFailed)
		if err != nil && (ctx.Err() != nil || retryable(err)) {
			return fmt.Errorf("list failed %s requests: %w", p.op, err)
		}
		p.failedPages, p.noList = pages, err != nil
	}
	if failed != nil {
		for _, it := range p.unresolved {
			if !failed[it.requestID] {
				p.finish(it, Succeeded, false, "", "")
				continue
			}
			st, err := p.describe(ctx, it.requestID)
			if err != nil {
				return fmt.Errorf("describe failed %s request %s: %w", p.op, it.requestID, err)
			}
			p.failedRequest(ctx, it, st.reason)
		}
		p.unresolved = nil
		return nil
	}
	for len(p.unresolved) > 0 {
		it := p.unresolved[0]
		st, err := p.describe(ctx, it.requestID)
		if err != nil {
			return fmt.Errorf("describe %s request %s: %w", p.op, it.requestID, err)
		}
		p.unresolved = p.unresolved[1:]
		switch st.status {
		case types.StatusValuesFailed:
			p.failedRequest(ctx, it, st.reason)
		case types.StatusValuesInProgress:
			// Listed as finished a moment ago; wait for it again.
			p.waiting[it.requestID] = it
		default:
			p.finish(it, Succeeded, false, "", "")
		}
	}
	return nil
}

// alreadyDone reports whether the change is already as wanted: the
// assignment present after a create, absent after a delete; the
// permission set's latest version provisioned to its target.
func (p *phase) alreadyDone(ctx context.Context, it *item) (bool, error) {
	ch := p.result(it).Change
	a := ch.Assignment
	if p.op == Provision {
		outdated, err := p.provisioned(ctx, a.PermissionSetArn, types.ProvisioningStatusLatestPermissionSetNotProvisioned)
		if err != nil {
			return false, err
		}
		if ch.Provision == nil || ch.Provision.AccountId == "" {
			return len(outdated) == 0, nil
		}
		if outdated[ch.Provision.AccountId] {
			return false, nil
		}
		all, err := p.provisioned(ctx, a.PermissionSetArn, "")
		return all[ch.Provision.AccountId], err
	}
	pg := ssoadmin.NewListAccountAssignmentsPaginator(p.c, &ssoadmin.ListAccountAssignmentsInput{InstanceArn: &p.instance, AccountId: &a.AccountId, PermissionSetArn: &a.PermissionSetArn})
	present := false
	for pg.HasMorePages() && !present {
		out, err := pg.NextPage(ctx)
		if err != nil {
			return false, err
		}
		for _, x := range out.AccountAssignments {
			if aws.ToString(x.PrincipalId) == a.PrincipalId && string(x.PrincipalType) == a.PrincipalType {
				present = true
				break
			}
		}
	}
	return present == (p.op == Create), nil
}

// provisioned lists the accounts a permission set is provisioned to, with
// a provisioning status ("" for all).
func (p *phase) provisioned(ctx context.Context, psArn string, status types.ProvisioningStatus) (map[string]bool, error) {
	out := map[string]bool{}
	pg := ssoadmin.NewListAccountsForProvisionedPermissionSetPaginator(p.ps, &ssoadmin.ListAccountsForProvisionedPermissionSetInput{InstanceArn: &p.instance, PermissionSetArn: &psArn, ProvisioningStatus: status, MaxResults: aws.Int32(100)})
	for pg.HasMorePages() {
		page, err := pg.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, id := range page.AccountIds {
			out[id] = true
		}
	}
	return out, nil
}

// adopt takes over requests for this plan that a previous run left
// IN_PROGRESS, so a re-run after an interruption waits for them instead of
// sending them again. It costs one List…Status page when there are none.
func (p *phase) adopt(ctx context.Context, byKey map[string]*item) error {
	if p.noList {
		return nil
	}
	ids, _, err := p.list(ctx, types.StatusValuesInProgress)
	if err != nil && (ctx.Err() != nil || retryable(err)) {
		return fmt.Errorf("list %s requests in progress: %w", p.op, err)
	}
	if err != nil {
		// No status lists here: nothing to adopt, and requests will be
		// described one by one.
		p.noList = true
		return nil
	}
	if len(ids) == 0 {
		return nil
	}
	adopted := map[*item]bool{}
	for id := range ids {
		st, err := p.describe(ctx, id)
		if err != nil {
			return fmt.Errorf("describe %s request %s: %w", p.op, id, err)
		}
		it, ok := byKey[st.key]
		if !ok || adopted[it] {
			continue
		}
		it.requestID, it.adopted = id, true
		adopted[it] = true
		switch st.status {
		case types.StatusValuesInProgress:
			p.waiting[id] = it
		case types.StatusValuesSucceeded:
			p.finish(it, Succeeded, false, "", "")
		default:
			p.failedRequest(ctx, it, st.reason)
		}
	}
	if len(adopted) > 0 {
		var q []*item
		for _, it := range p.queue {
			if !adopted[it] {
				q = append(q, it)
			}
		}
		p.queue = q
	}
	return nil
}
