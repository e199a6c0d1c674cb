package execute

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/identitystore/document"
	istypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"
	"github.com/aws/smithy-go"

	"github.com/ssoctl/ssoctl/internal/fanout"
)

// PermissionSetAdmin is what the executor calls to write permission sets
// and provision them, with the SDK's own signatures.
type PermissionSetAdmin interface {
	CreatePermissionSet(context.Context, *ssoadmin.CreatePermissionSetInput, ...func(*ssoadmin.Options)) (*ssoadmin.CreatePermissionSetOutput, error)
	UpdatePermissionSet(context.Context, *ssoadmin.UpdatePermissionSetInput, ...func(*ssoadmin.Options)) (*ssoadmin.UpdatePermissionSetOutput, error)
	DeletePermissionSet(context.Context, *ssoadmin.DeletePermissionSetInput, ...func(*ssoadmin.Options)) (*ssoadmin.DeletePermissionSetOutput, error)
	PutInlinePolicyToPermissionSet(context.Context, *ssoadmin.PutInlinePolicyToPermissionSetInput, ...func(*ssoadmin.Options)) (*ssoadmin.PutInlinePolicyToPermissionSetOutput, error)
	DeleteInlinePolicyFromPermissionSet(context.Context, *ssoadmin.DeleteInlinePolicyFromPermissionSetInput, ...func(*ssoadmin.Options)) (*ssoadmin.DeleteInlinePolicyFromPermissionSetOutput, error)
	AttachManagedPolicyToPermissionSet(context.Context, *ssoadmin.AttachManagedPolicyToPermissionSetInput, ...func(*ssoadmin.Options)) (*ssoadmin.AttachManagedPolicyToPermissionSetOutput, error)
	DetachManagedPolicyFromPermissionSet(context.Context, *ssoadmin.DetachManagedPolicyFromPermissionSetInput, ...func(*ssoadmin.Options)) (*ssoadmin.DetachManagedPolicyFromPermissionSetOutput, error)
	ListManagedPoliciesInPermissionSet(context.Context, *ssoadmin.ListManagedPoliciesInPermissionSetInput, ...func(*ssoadmin.Options)) (*ssoadmin.ListManagedPoliciesInPermissionSetOutput, error)
	AttachCustomerManagedPolicyReferenceToPermissionSet(context.Context, *ssoadmin.AttachCustomerManagedPolicyReferenceToPermissionSetInput, ...func(*ssoadmin.Options)) (*ssoadmin.AttachCustomerManagedPolicyReferenceToPermissionSetOutput, error)
	DetachCustomerManagedPolicyReferenceFromPermissionSet(context.Context, *ssoadmin.DetachCustomerManagedPolicyReferenceFromPermissionSetInput, ...func(*ssoadmin.Options)) (*ssoadmin.DetachCustomerManagedPolicyReferenceFromPermissionSetOutput, error)
	ListCustomerManagedPolicyReferencesInPermissionSet(context.Context, *ssoadmin.ListCustomerManagedPolicyReferencesInPermissionSetInput, ...func(*ssoadmin.Options)) (*ssoadmin.ListCustomerManagedPolicyReferencesInPermissionSetOutput, error)
	PutPermissionsBoundaryToPermissionSet(context.Context, *ssoadmin.PutPermissionsBoundaryToPermissionSetInput, ...func(*ssoadmin.Options)) (*ssoadmin.PutPermissionsBoundaryToPermissionSetOutput, error)
	DeletePermissionsBoundaryFromPermissionSet(context.Context, *ssoadmin.DeletePermissionsBoundaryFromPermissionSetInput, ...func(*ssoadmin.Options)) (*ssoadmin.DeletePermissionsBoundaryFromPermissionSetOutput, error)
	TagResource(context.Context, *ssoadmin.TagResourceInput, ...func(*ssoadmin.Options)) (*ssoadmin.TagResourceOutput, error)
	UntagResource(context.Context, *ssoadmin.UntagResourceInput, ...func(*ssoadmin.Options)) (*ssoadmin.UntagResourceOutput, error)
	ProvisionPermissionSet(context.Context, *ssoadmin.ProvisionPermissionSetInput, ...func(*ssoadmin.Options)) (*ssoadmin.ProvisionPermissionSetOutput, error)
	DescribePermissionSetProvisioningStatus(context.Context, *ssoadmin.DescribePermissionSetProvisioningStatusInput, ...func(*ssoadmin.Options)) (*ssoadmin.DescribePermissionSetProvisioningStatusOutput, error)
	ListPermissionSetProvisioningStatus(context.Context, *ssoadmin.ListPermissionSetProvisioningStatusInput, ...func(*ssoadmin.Options)) (*ssoadmin.ListPermissionSetProvisioningStatusOutput, error)
	ListAccountsForProvisionedPermissionSet(context.Context, *ssoadmin.ListAccountsForProvisionedPermissionSetInput, ...func(*ssoadmin.Options)) (*ssoadmin.ListAccountsForProvisionedPermissionSetOutput, error)
}

// IdentityStore is what the executor calls to write groups and their
// memberships.
type IdentityStore interface {
	CreateGroup(context.Context, *identitystore.CreateGroupInput, ...func(*identitystore.Options)) (*identitystore.CreateGroupOutput, error)
	UpdateGroup(context.Context, *identitystore.UpdateGroupInput, ...func(*identitystore.Options)) (*identitystore.UpdateGroupOutput, error)
	DeleteGroup(context.Context, *identitystore.DeleteGroupInput, ...func(*identitystore.Options)) (*identitystore.DeleteGroupOutput, error)
	CreateGroupMembership(context.Context, *identitystore.CreateGroupMembershipInput, ...func(*identitystore.Options)) (*identitystore.CreateGroupMembershipOutput, error)
	DeleteGroupMembership(context.Context, *identitystore.DeleteGroupMembershipInput, ...func(*identitystore.Options)) (*identitystore.DeleteGroupMembershipOutput, error)
	GetGroupMembershipId(context.Context, *identitystore.GetGroupMembershipIdInput, ...func(*identitystore.Options)) (*identitystore.GetGroupMembershipIdOutput, error)
}

// Clients are the services a run writes to: SSOAdmin for assignments,
// PermissionSets for permission-set and provisioning changes, IdentityStore
// for group and membership changes. A plan that needs a client left nil
// fails those changes.
type Clients struct {
	SSOAdmin       SSOAdmin
	PermissionSets PermissionSetAdmin
	IdentityStore  IdentityStore
}

// stage is one step of a run: the changes of one kind and some operations.
type stage struct {
	kind Kind
	ops  []Op
	// removal: the stage takes access away (Options.StopDeletesOnCreateFailure
	// keeps it from starting after a failure).
	removal bool
}

// stages are a run's steps, in the order that keeps access working.
var stages = [...]stage{
	{kind: KindGroup, ops: []Op{Create, Update}},
	{kind: KindPermissionSet, ops: []Op{Create, Update}},
	{kind: KindMembership, ops: []Op{Create}},
	{kind: KindProvision, ops: []Op{Provision}},
	{kind: KindAssignment, ops: []Op{Create}},
	{kind: KindAssignment, ops: []Op{Delete}, removal: true},
	{kind: KindMembership, ops: []Op{Delete}, removal: true},
	{kind: KindPermissionSet, ops: []Op{Delete}, removal: true},
	{kind: KindGroup, ops: []Op{Delete}, removal: true},
}

func (s stage) has(c Change) bool {
	if c.Kind != s.kind {
		return false
	}
	for _, op := range s.ops {
		if c.Op == op {
			return true
		}
	}
	return false
}

// known reports whether some stage carries c.
func known(c Change) bool {
	for _, s := range stages {
		if s.has(c) {
			return true
		}
	}
	return false
}

// Run carries out plan, stage by stage (see the package comment). It
// returns a Report with one Result per change (in plan order) and an error
// only when the run as a whole could not go on (ctx cancelled: the report
// then says what was done, what was interrupted and what was not
// started). Changes that failed are in the report, not the error.
func Run(ctx context.Context, c Clients, plan Plan, opts Options) (Report, error) {
	opts = opts.withDefaults()
	rep := Report{InstanceArn: plan.InstanceArn, Results: make([]Result, len(plan.Changes))}
	for i, ch := range plan.Changes {
		rep.Results[i] = Result{Change: ch, Status: NotStarted}
	}
	r := &runner{c: c, plan: plan, opts: opts, rep: &rep, made: map[string]string{}, failedMade: map[string]bool{}, noList: map[Op]bool{}}
	var runErr error
	failed := false
	for _, st := range stages {
		var idx []int
		for i, ch := range plan.Changes {
			if st.has(ch) {
				idx = append(idx, i)
			}
		}
		if len(idx) == 0 {
			continue
		}
		if st.removal && failed && opts.StopDeletesOnCreateFailure {
			break
		}
		if err := ctx.Err(); err != nil {
			runErr = err
			break
		}
		idx = r.resolve(idx)
		if len(idx) > 0 {
			var err error
			switch {
			case st.kind == KindAssignment || st.kind == KindProvision:
				err = r.async(ctx, st, idx)
			default:
				err = r.sync(ctx, idx)
			}
			if err != nil {
				runErr = err
				break
			}
		}
		for i, ch := range plan.Changes {
			if st.has(ch) && !rep.Results[i].OK() {
				failed = true
			}
		}
	}
	for i, ch := range plan.Changes {
		if !known(ch) {
			rep.Results[i].Status, rep.Results[i].Error = Failed, fmt.Sprintf("unknown operation %q of %q", ch.Op, kindName(ch.Kind))
		}
	}
	rep.summarize()
	return rep, runErr
}

func kindName(k Kind) string {
	if k == KindAssignment {
		return "assignment"
	}
	return string(k)
}

// runner is one run.
type runner struct {
	c    Clients
	plan Plan
	opts Options
	rep  *Report

	mu sync.Mutex // guards the report, made and failedMade during sync stages
	// made maps "ps|<name>" and "group|<name>" to what this run created.
	made map[string]string
	// failedMade: a create of that name did not succeed.
	failedMade map[string]bool
	noList     map[Op]bool
}

// resolve fills in the permission sets and groups a change names but this
// run creates; a change whose reference cannot be had (its create failed,
// or none was planned) is NOT_STARTED with the reason. It returns the
// changes that can go ahead.
func (r *runner) resolve(idx []int) []int {
	var out []int
	for _, i := range idx {
		res := &r.rep.Results[i]
		ch := &res.Change
		if ch.Kind != KindGroup && ch.Kind != KindPermissionSet && ch.PermissionSetArn == "" && ch.Kind != KindMembership {
			if arn, ok := r.made["ps|"+ch.PermissionSetName]; ok {
				ch.PermissionSetArn = arn
			} else {
				res.Error = fmt.Sprintf("permission set %s was not created", ch.PermissionSetName)
				if !r.failedMade["ps|"+ch.PermissionSetName] {
					res.Status, res.Error = Failed, fmt.Sprintf("permission set %s has no ARN and the plan does not create it", ch.PermissionSetName)
				}
				r.report(*res)
				continue
			}
		}
		if (ch.Kind == KindMembership || ch.Kind == KindAssignment && ch.PrincipalType == "GROUP" || ch.Kind == KindGroup && ch.Op != Create) && ch.PrincipalId == "" {
			if id, ok := r.made["group|"+ch.PrincipalName]; ok {
				ch.PrincipalId = id
			} else {
				res.Error = fmt.Sprintf("group %s was not created", ch.PrincipalName)
				if !r.failedMade["group|"+ch.PrincipalName] {
					res.Status, res.Error = Failed, fmt.Sprintf("group %s has no id and the plan does not create it", ch.PrincipalName)
				}
				r.report(*res)
				continue
			}
		}
		out = append(out, i)
	}
	return out
}

func (r *runner) report(res Result) {
	if r.opts.OnResult != nil {
		r.opts.OnResult(res)
	}
}

// async runs a stage of asynchronous requests (assignments, provisioning).
func (r *runner) async(ctx context.Context, st stage, idx []int) error {
	op := st.ops[0]
	if st.kind == KindProvision && r.c.PermissionSets == nil {
		r.missingClient(idx, "permission sets")
		return nil
	}
	if st.kind == KindAssignment && r.c.SSOAdmin == nil {
		r.missingClient(idx, "assignments")
		return nil
	}
	p := &phase{c: r.c.SSOAdmin, ps: r.c.PermissionSets, op: op, kind: st.kind, instance: r.plan.InstanceArn, opts: r.opts, rep: r.rep, idx: idx, noList: r.noList[op]}
	err := p.run(ctx)
	r.noList[op] = p.noList
	return err
}

func (r *runner) missingClient(idx []int, what string) {
	for _, i := range idx {
		res := &r.rep.Results[i]
		res.Status, res.Error = Failed, "no client to write "+what+" with"
		r.report(*res)
	}
}

// syncLimit bounds the synchronous writes in flight; the clients' token
// buckets keep the rate under the quotas.
const syncLimit = 8

// sync runs a stage of synchronous writes (permission sets, groups,
// memberships), several at once. Changes left when ctx ends stay
// NOT_STARTED (or INTERRUPTED, when begun).
func (r *runner) sync(ctx context.Context, idx []int) error {
	done, total := 0, len(idx)
	kind := r.rep.Results[idx[0]].Kind
	op := r.rep.Results[idx[0]].Op
	r.progress(kind, op, total, done, 0)
	fanout.Each(ctx, len(idx), syncLimit, func(ctx context.Context, k int) {
		i := idx[k]
		r.mu.Lock()
		ch := r.rep.Results[i].Change
		r.mu.Unlock()
		out := r.write(ctx, ch)
		r.mu.Lock()
		defer r.mu.Unlock()
		res := &r.rep.Results[i]
		res.Change = out.Change
		res.Status, res.Unchanged, res.Error = out.Status, out.Unchanged, out.Error
		switch {
		case ch.Kind == KindPermissionSet && ch.Op == Create && res.OK():
			r.made["ps|"+ch.PermissionSetName] = res.PermissionSetArn
		case ch.Kind == KindPermissionSet && ch.Op == Create:
			r.failedMade["ps|"+ch.PermissionSetName] = true
		case ch.Kind == KindGroup && ch.Op == Create && res.OK():
			r.made["group|"+ch.PrincipalName] = res.PrincipalId
		case ch.Kind == KindGroup && ch.Op == Create:
			r.failedMade["group|"+ch.PrincipalName] = true
		}
		done++
		failed := 0
		if !res.OK() {
			failed = 1
		}
		r.report(*res)
		r.progress(kind, op, total, done, failed)
	})
	return ctx.Err()
}

func (r *runner) progress(kind Kind, op Op, total, done, failed int) {
	if r.opts.OnProgress != nil {
		r.opts.OnProgress(Progress{Kind: kind, Op: op, Total: total, Done: done, Failed: failed})
	}
}

// write makes one synchronous change and returns its result.
func (r *runner) write(ctx context.Context, ch Change) Result {
	res := Result{Change: ch, Status: NotStarted}
	if ctx.Err() != nil {
		return res
	}
	var unchanged bool
	var err error
	switch ch.Kind {
	case KindPermissionSet:
		if r.c.PermissionSets == nil {
			err = errors.New("no client to write permission sets with")
			break
		}
		unchanged, err = r.writePermissionSet(ctx, &res.Change)
	case KindGroup, KindMembership:
		if r.c.IdentityStore == nil || r.plan.IdentityStoreId == "" {
			err = errors.New("no identity store to write groups with")
			break
		}
		if ch.Kind == KindGroup {
			unchanged, err = r.writeGroup(ctx, &res.Change)
		} else {
			unchanged, err = r.writeMembership(ctx, &res.Change)
		}
	}
	switch {
	case err == nil:
		res.Status, res.Unchanged = Succeeded, unchanged
	case ctx.Err() != nil:
		res.Status = Interrupted
	default:
		res.Status, res.Error = Failed, errorText(err)
	}
	return res
}

// retry calls f until it succeeds, fails for good, or has been refused
// with ConflictException or throttling MaxRetries times. When f is refused
// with ConflictException and settled (optional) says the change is already
// as wanted, retry returns nil.
func (r *runner) retry(ctx context.Context, f func() error, settled func() (bool, error)) error {
	for n := 0; ; n++ {
		err := f()
		var ex *alreadyExists
		if err == nil || errors.As(err, &ex) || !retryable(err) {
			return err
		}
		if settled != nil && isCode(err, "ConflictException") {
			if ok, serr := settled(); serr == nil && ok {
				return nil
			}
		}
		if n >= r.opts.MaxRetries {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(backoff(n + 1)):
		}
	}
}

func isCode(err error, codes ...string) bool {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return false
	}
	for _, c := range codes {
		if ae.ErrorCode() == c {
			return true
		}
	}
	return false
}

// writePermissionSet creates, updates or deletes a permission set; a create
// fills in the ARN.
func (r *runner) writePermissionSet(ctx context.Context, ch *Change) (bool, error) {
	c := r.c.PermissionSets
	inst := r.plan.InstanceArn
	w := ch.PermissionSet
	if w == nil {
		w = &PermissionSetWrite{}
	}
	switch ch.Op {
	case Delete:
		err := r.retry(ctx, func() error {
			_, err := c.DeletePermissionSet(ctx, &ssoadmin.DeletePermissionSetInput{InstanceArn: &inst, PermissionSetArn: &ch.PermissionSetArn})
			return err
		}, nil)
		if isCode(err, "ResourceNotFoundException") {
			return true, nil
		}
		return false, err
	case Create:
		in := &ssoadmin.CreatePermissionSetInput{InstanceArn: &inst, Name: aws.String(ch.PermissionSetName),
			Description: w.Description, SessionDuration: w.SessionDuration, RelayState: w.RelayState}
		for _, t := range w.Tags {
			in.Tags = append(in.Tags, types.Tag{Key: aws.String(t.Key), Value: aws.String(t.Value)})
		}
		var out *ssoadmin.CreatePermissionSetOutput
		err := r.retry(ctx, func() error {
			var err error
			out, err = c.CreatePermissionSet(ctx, in)
			if isCode(err, "ConflictException") && strings.Contains(strings.ToLower(errorText(err)), "already exists") {
				return &alreadyExists{what: "permission set " + ch.PermissionSetName, err: err}
			}
			return err
		}, nil)
		if err != nil {
			return false, err
		}
		if out.PermissionSet == nil || out.PermissionSet.PermissionSetArn == nil {
			return false, errors.New("the service returned no permission set ARN")
		}
		ch.PermissionSetArn = aws.ToString(out.PermissionSet.PermissionSetArn)
	case Update:
		if w.Description != nil || w.SessionDuration != nil || w.RelayState != nil {
			err := r.retry(ctx, func() error {
				_, err := c.UpdatePermissionSet(ctx, &ssoadmin.UpdatePermissionSetInput{InstanceArn: &inst, PermissionSetArn: &ch.PermissionSetArn,
					Description: w.Description, SessionDuration: w.SessionDuration, RelayState: w.RelayState})
				return err
			}, nil)
			if err != nil {
				return false, err
			}
		}
	}
	for _, call := range w.Calls {
		if err := r.permissionSetCall(ctx, ch.PermissionSetArn, call); err != nil {
			return false, &callError{action: call.Action, err: err}
		}
	}
	return false, nil
}

// callError is a permission set's call that failed, after it was
// created or updated.
type callError struct {
	action Action
	err    error
}

func (e *callError) Error() string { return string(e.action) + ": " + e.err.Error() }
func (e *callError) Unwrap() error { return e.err }

// alreadyExists is a create refused because something of that name exists
// now that did not when the plan was read.
type alreadyExists struct {
	what string
	err  error
}

func (e *alreadyExists) Error() string {
	return e.what + " already exists (made since the plan read the live state): plan again"
}

func (e *alreadyExists) Unwrap() error { return e.err }

// permissionSetCall makes one call; attaching what is attached and
// removing what is gone are no errors.
func (r *runner) permissionSetCall(ctx context.Context, arn string, call Call) error {
	c := r.c.PermissionSets
	inst := r.plan.InstanceArn
	ref := func(p *PolicyRef) *types.CustomerManagedPolicyReference {
		path := p.Path
		if path == "" {
			path = "/"
		}
		return &types.CustomerManagedPolicyReference{Name: aws.String(p.Name), Path: aws.String(path)}
	}
	var f func() error
	var settled func() (bool, error)
	gone := false // NotFound means done
	switch call.Action {
	case PutInlinePolicy:
		f = func() error {
			_, err := c.PutInlinePolicyToPermissionSet(ctx, &ssoadmin.PutInlinePolicyToPermissionSetInput{InstanceArn: &inst, PermissionSetArn: &arn, InlinePolicy: aws.String(call.InlinePolicy)})
			return err
		}
	case DeleteInlinePolicy:
		gone = true
		f = func() error {
			_, err := c.DeleteInlinePolicyFromPermissionSet(ctx, &ssoadmin.DeleteInlinePolicyFromPermissionSetInput{InstanceArn: &inst, PermissionSetArn: &arn})
			return err
		}
	case AttachManagedPolicy:
		f = func() error {
			_, err := c.AttachManagedPolicyToPermissionSet(ctx, &ssoadmin.AttachManagedPolicyToPermissionSetInput{InstanceArn: &inst, PermissionSetArn: &arn, ManagedPolicyArn: aws.String(call.ManagedPolicyArn)})
			return err
		}
		settled = func() (bool, error) {
			pg := ssoadmin.NewListManagedPoliciesInPermissionSetPaginator(c, &ssoadmin.ListManagedPoliciesInPermissionSetInput{InstanceArn: &inst, PermissionSetArn: &arn})
			for pg.HasMorePages() {
				out, err := pg.NextPage(ctx)
				if err != nil {
					return false, err
				}
				for _, m := range out.AttachedManagedPolicies {
					if aws.ToString(m.Arn) == call.ManagedPolicyArn {
						return true, nil
					}
				}
			}
			return false, nil
		}
	case DetachManagedPolicy:
		gone = true
		f = func() error {
			_, err := c.DetachManagedPolicyFromPermissionSet(ctx, &ssoadmin.DetachManagedPolicyFromPermissionSetInput{InstanceArn: &inst, PermissionSetArn: &arn, ManagedPolicyArn: aws.String(call.ManagedPolicyArn)})
			return err
		}
	case AttachCustomerManagedPolicy, DetachCustomerManagedPolicy:
		if call.CustomerManagedPolicy == nil {
			return errors.New("no customer managed policy named")
		}
		want := ref(call.CustomerManagedPolicy)
		if call.Action == DetachCustomerManagedPolicy {
			gone = true
			f = func() error {
				_, err := c.DetachCustomerManagedPolicyReferenceFromPermissionSet(ctx, &ssoadmin.DetachCustomerManagedPolicyReferenceFromPermissionSetInput{InstanceArn: &inst, PermissionSetArn: &arn, CustomerManagedPolicyReference: want})
				return err
			}
			break
		}
		f = func() error {
			_, err := c.AttachCustomerManagedPolicyReferenceToPermissionSet(ctx, &ssoadmin.AttachCustomerManagedPolicyReferenceToPermissionSetInput{InstanceArn: &inst, PermissionSetArn: &arn, CustomerManagedPolicyReference: want})
			return err
		}
		settled = func() (bool, error) {
			pg := ssoadmin.NewListCustomerManagedPolicyReferencesInPermissionSetPaginator(c, &ssoadmin.ListCustomerManagedPolicyReferencesInPermissionSetInput{InstanceArn: &inst, PermissionSetArn: &arn})
			for pg.HasMorePages() {
				out, err := pg.NextPage(ctx)
				if err != nil {
					return false, err
				}
				for _, m := range out.CustomerManagedPolicyReferences {
					if aws.ToString(m.Name) == aws.ToString(want.Name) && aws.ToString(m.Path) == aws.ToString(want.Path) {
						return true, nil
					}
				}
			}
			return false, nil
		}
	case PutPermissionsBoundary:
		if call.Boundary == nil {
			return errors.New("no boundary named")
		}
		b := &types.PermissionsBoundary{}
		if call.Boundary.CustomerManagedPolicy != nil {
			b.CustomerManagedPolicyReference = ref(call.Boundary.CustomerManagedPolicy)
		} else {
			b.ManagedPolicyArn = aws.String(call.Boundary.ManagedPolicyArn)
		}
		f = func() error {
			_, err := c.PutPermissionsBoundaryToPermissionSet(ctx, &ssoadmin.PutPermissionsBoundaryToPermissionSetInput{InstanceArn: &inst, PermissionSetArn: &arn, PermissionsBoundary: b})
			return err
		}
	case DeletePermissionsBoundary:
		gone = true
		f = func() error {
			_, err := c.DeletePermissionsBoundaryFromPermissionSet(ctx, &ssoadmin.DeletePermissionsBoundaryFromPermissionSetInput{InstanceArn: &inst, PermissionSetArn: &arn})
			return err
		}
	case TagPermissionSet:
		var tags []types.Tag
		for _, t := range call.Tags {
			tags = append(tags, types.Tag{Key: aws.String(t.Key), Value: aws.String(t.Value)})
		}
		f = func() error {
			_, err := c.TagResource(ctx, &ssoadmin.TagResourceInput{InstanceArn: &inst, ResourceArn: &arn, Tags: tags})
			return err
		}
	case UntagPermissionSet:
		f = func() error {
			_, err := c.UntagResource(ctx, &ssoadmin.UntagResourceInput{InstanceArn: &inst, ResourceArn: &arn, TagKeys: call.TagKeys})
			return err
		}
	default:
		return fmt.Errorf("unknown call %q", call.Action)
	}
	err := r.retry(ctx, f, settled)
	if gone && isCode(err, "ResourceNotFoundException") {
		return nil
	}
	return err
}

// writeGroup creates, updates or deletes a group; a create fills in the id.
func (r *runner) writeGroup(ctx context.Context, ch *Change) (bool, error) {
	c := r.c.IdentityStore
	store := r.plan.IdentityStoreId
	var desc *string
	if ch.Group != nil {
		desc = ch.Group.Description
	}
	switch ch.Op {
	case Create:
		var out *identitystore.CreateGroupOutput
		err := r.retry(ctx, func() error {
			var err error
			out, err = c.CreateGroup(ctx, &identitystore.CreateGroupInput{IdentityStoreId: &store, DisplayName: aws.String(ch.PrincipalName), Description: desc})
			if isCode(err, "ConflictException") {
				var ce *istypes.ConflictException
				if errors.As(err, &ce) && ce.Reason == istypes.ConflictExceptionReasonUniquenessConstraintViolation {
					return &alreadyExists{what: "group " + ch.PrincipalName, err: err}
				}
			}
			return err
		}, nil)
		if err != nil {
			return false, err
		}
		ch.PrincipalType, ch.PrincipalId = "GROUP", aws.ToString(out.GroupId)
		return false, nil
	case Update:
		op := istypes.AttributeOperation{AttributePath: aws.String("description")}
		if desc != nil {
			op.AttributeValue = document.NewLazyDocument(*desc)
		}
		err := r.retry(ctx, func() error {
			_, err := c.UpdateGroup(ctx, &identitystore.UpdateGroupInput{IdentityStoreId: &store, GroupId: &ch.PrincipalId, Operations: []istypes.AttributeOperation{op}})
			return err
		}, nil)
		return false, err
	}
	err := r.retry(ctx, func() error {
		_, err := c.DeleteGroup(ctx, &identitystore.DeleteGroupInput{IdentityStoreId: &store, GroupId: &ch.PrincipalId})
		return err
	}, nil)
	if isCode(err, "ResourceNotFoundException") {
		return true, nil
	}
	return false, err
}

// writeMembership adds a user to a group or removes one; a member already
// in (or already out of) the group is unchanged.
func (r *runner) writeMembership(ctx context.Context, ch *Change) (bool, error) {
	c := r.c.IdentityStore
	store := r.plan.IdentityStoreId
	if ch.Member == nil || ch.Member.UserId == "" {
		return false, errors.New("no member named")
	}
	member := &istypes.MemberIdMemberUserId{Value: ch.Member.UserId}
	membershipID := func() (string, error) {
		out, err := c.GetGroupMembershipId(ctx, &identitystore.GetGroupMembershipIdInput{IdentityStoreId: &store, GroupId: &ch.PrincipalId, MemberId: member})
		if err != nil {
			return "", err
		}
		return aws.ToString(out.MembershipId), nil
	}
	if ch.Op == Create {
		var out *identitystore.CreateGroupMembershipOutput
		unchanged := false
		err := r.retry(ctx, func() error {
			var err error
			out, err = c.CreateGroupMembership(ctx, &identitystore.CreateGroupMembershipInput{IdentityStoreId: &store, GroupId: &ch.PrincipalId, MemberId: member})
			return err
		}, func() (bool, error) {
			id, err := membershipID()
			if err == nil && id != "" {
				unchanged = true
				ch.Member.MembershipId = id
				return true, nil
			}
			return false, err
		})
		if err != nil {
			return false, err
		}
		if !unchanged && out != nil {
			ch.Member.MembershipId = aws.ToString(out.MembershipId)
		}
		return unchanged, nil
	}
	id := ch.Member.MembershipId
	if id == "" {
		var err error
		if id, err = membershipID(); isCode(err, "ResourceNotFoundException") {
			return true, nil
		} else if err != nil {
			return false, err
		}
		ch.Member.MembershipId = id
	}
	err := r.retry(ctx, func() error {
		_, err := c.DeleteGroupMembership(ctx, &identitystore.DeleteGroupMembershipInput{IdentityStoreId: &store, MembershipId: &id})
		return err
	}, nil)
	if isCode(err, "ResourceNotFoundException") {
		return true, nil
	}
	return false, err
}
