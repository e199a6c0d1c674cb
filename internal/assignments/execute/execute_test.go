package execute_test

import (
	"context"
	"encoding/json"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"

	"github.com/ssoctl/ssoctl/internal/assignments"
	"github.com/ssoctl/ssoctl/internal/assignments/execute"
	"github.com/ssoctl/ssoctl/internal/awsclient"
	"github.com/ssoctl/ssoctl/internal/emulator"
	"github.com/ssoctl/ssoctl/internal/emulatortest"
	"github.com/ssoctl/ssoctl/internal/inventory"
	"github.com/ssoctl/ssoctl/internal/peertest"
)

// sandbox serves the emulator over real HTTP and returns ssoctl's own
// client set for it (the production retryer; no client-side rate limit).
func sandbox(t *testing.T, opts emulator.Options) (*awsclient.Set, string) {
	t.Helper()
	sb := emulatortest.Start(t, opts)
	set, err := awsclient.New(context.Background(), awsclient.Options{
		EndpointURL: sb.URL, Region: "us-east-1", Unlimited: true, MaxBackoff: 200 * time.Millisecond,
		Credentials: credentials.NewStaticCredentialsProvider(emulator.SandboxAccessKeyID, emulator.SandboxSecretAccessKey, ""),
	})
	if err != nil {
		t.Fatal(err)
	}
	return set, sb.URL
}

type org struct {
	inst     inventory.Instance
	users    []inventory.User
	accounts []inventory.Account
	sets     []inventory.PermissionSet
}

func readOrg(t *testing.T, set *awsclient.Set) org {
	t.Helper()
	ctx := context.Background()
	c := inventory.Clients{SSOAdmin: set.SSOAdmin(), IdentityStore: set.IdentityStore(), Organizations: set.Organizations()}
	inst, err := inventory.FindInstance(ctx, c.SSOAdmin, "")
	if err != nil {
		t.Fatal(err)
	}
	users, err := inventory.Users(ctx, c.IdentityStore, inst)
	if err != nil {
		t.Fatal(err)
	}
	accounts, err := inventory.Accounts(ctx, c.Organizations)
	if err != nil {
		t.Fatal(err)
	}
	var active []inventory.Account
	for _, a := range accounts {
		if a.Status == "ACTIVE" {
			active = append(active, a)
		}
	}
	sets, err := inventory.PermissionSets(ctx, c, inst)
	if err != nil {
		t.Fatal(err)
	}
	return org{inst, users, active, sets}
}

// plan is n new assignments: users × accounts × the first permission set
// that none of them hold yet.
func (o org) plan(n int, op execute.Op) execute.Plan {
	p := execute.Plan{InstanceArn: o.inst.Arn}
	ps := o.sets[0]
	for _, u := range o.users {
		for _, a := range o.accounts {
			if len(p.Changes) == n {
				return p
			}
			p.Changes = append(p.Changes, execute.Change{Op: op,
				Assignment:  assignments.Assignment{AccountId: a.Id, PermissionSetArn: ps.Arn, PrincipalType: "USER", PrincipalId: u.Id},
				AccountName: a.Name, PermissionSetName: ps.Name, PrincipalName: u.UserName})
		}
	}
	return p
}

func (o org) withOp(p execute.Plan, op execute.Op) execute.Plan {
	q := execute.Plan{InstanceArn: p.InstanceArn}
	for _, c := range p.Changes {
		c.Op = op
		q.Changes = append(q.Changes, c)
	}
	return q
}

// live lists every assignment of the plan's (account, permission set) pairs.
func live(t *testing.T, c *ssoadmin.Client, p execute.Plan) map[string]int {
	t.Helper()
	out := map[string]int{}
	pairs := map[[2]string]bool{}
	for _, ch := range p.Changes {
		pairs[[2]string{ch.AccountId, ch.PermissionSetArn}] = true
	}
	for pair := range pairs {
		pg := ssoadmin.NewListAccountAssignmentsPaginator(c, &ssoadmin.ListAccountAssignmentsInput{InstanceArn: &p.InstanceArn, AccountId: aws.String(pair[0]), PermissionSetArn: aws.String(pair[1])})
		for pg.HasMorePages() {
			page, err := pg.NextPage(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range page.AccountAssignments {
				k := assignments.Assignment{AccountId: aws.ToString(a.AccountId), PermissionSetArn: aws.ToString(a.PermissionSetArn), PrincipalType: string(a.PrincipalType), PrincipalId: aws.ToString(a.PrincipalId)}.Key()
				out[k]++
			}
		}
	}
	return out
}

func wantAll(t *testing.T, got map[string]int, p execute.Plan, present bool) {
	t.Helper()
	for _, ch := range p.Changes {
		n := got[ch.Key()]
		if present && n != 1 || !present && n != 0 {
			t.Errorf("%s: %d live assignments; want present=%v", ch, n, present)
		}
	}
}

func wantOK(t *testing.T, rep execute.Report, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	for _, f := range rep.Failures() {
		t.Errorf("%s: %s %s", f.Change, f.Status, f.Reason())
	}
}

func failedStatuses(t *testing.T, c *ssoadmin.Client, inst string) int {
	t.Helper()
	n := 0
	f := &types.OperationStatusFilter{Status: types.StatusValuesFailed}
	for _, list := range []func() (int, error){
		func() (int, error) {
			out, err := c.ListAccountAssignmentCreationStatus(context.Background(), &ssoadmin.ListAccountAssignmentCreationStatusInput{InstanceArn: &inst, Filter: f})
			if err != nil {
				return 0, err
			}
			return len(out.AccountAssignmentsCreationStatus), nil
		},
		func() (int, error) {
			out, err := c.ListAccountAssignmentDeletionStatus(context.Background(), &ssoadmin.ListAccountAssignmentDeletionStatusInput{InstanceArn: &inst, Filter: f})
			if err != nil {
				return 0, err
			}
			return len(out.AccountAssignmentsDeletionStatus), nil
		},
	} {
		k, err := list()
		if err != nil {
			t.Fatal(err)
		}
		n += k
	}
	return n
}

func TestApplyCreatesThenDeletes(t *testing.T) {
	for _, polls := range []int{0, 3} {
		t.Run("pending-polls="+string(rune('0'+polls)), func(t *testing.T) {
			set, url := sandbox(t, emulator.Options{PendingPolls: polls})
			o := readOrg(t, set)
			plan := o.plan(40, execute.Create)
			var maxOut int
			opts := execute.Options{MinPollInterval: time.Millisecond, OnProgress: func(p execute.Progress) { maxOut = max(maxOut, p.Outstanding) }}
			rep, err := execute.Apply(context.Background(), set.SSOAdmin(), plan, opts)
			wantOK(t, rep, err)
			if rep.Summary.Created != 40 {
				t.Errorf("created %d; want 40", rep.Summary.Created)
			}
			if maxOut > 15 {
				t.Errorf("%d requests outstanding at once; want at most 15", maxOut)
			}
			wantAll(t, live(t, set.SSOAdmin(), plan), plan, true)
			st := peertest.Stats(t, url).Calls
			if st["sso-admin:CreateAccountAssignment"] != 40 {
				t.Errorf("CreateAccountAssignment called %d times; want 40", st["sso-admin:CreateAccountAssignment"])
			}
			if polls > 0 {
				// 40 requests, 15 at a time, each IN_PROGRESS for 3 polls: the
				// status lists answer for many at once, so far fewer status
				// calls than one Describe per request and poll (160).
				status := st["sso-admin:ListAccountAssignmentCreationStatus"] + st["sso-admin:DescribeAccountAssignmentCreationStatus"]
				if status > 40 {
					t.Errorf("%d status calls for 40 creates; want at most 40 (calls: %v)", status, st)
				}
			}

			del := o.withOp(plan, execute.Delete)
			rep, err = execute.Apply(context.Background(), set.SSOAdmin(), del, opts)
			wantOK(t, rep, err)
			if rep.Summary.Deleted != 40 {
				t.Errorf("deleted %d; want 40", rep.Summary.Deleted)
			}
			wantAll(t, live(t, set.SSOAdmin(), plan), plan, false)
			if n := failedStatuses(t, set.SSOAdmin(), plan.InstanceArn); n != 0 {
				t.Errorf("%d FAILED requests; want none", n)
			}
		})
	}
}

func TestApplyIsIdempotent(t *testing.T) {
	set, _ := sandbox(t, emulator.Options{PendingPolls: 2})
	o := readOrg(t, set)
	plan := o.plan(5, execute.Create)
	opts := execute.Options{MinPollInterval: time.Millisecond}
	for run := 0; run < 2; run++ {
		rep, err := execute.Apply(context.Background(), set.SSOAdmin(), plan, opts)
		wantOK(t, rep, err)
	}
	got := live(t, set.SSOAdmin(), plan)
	wantAll(t, got, plan, true)

	del := o.withOp(plan, execute.Delete)
	rep, err := execute.Apply(context.Background(), set.SSOAdmin(), del, opts)
	wantOK(t, rep, err)
	// Deleting what is already gone is not an error: it is unchanged.
	rep, err = execute.Apply(context.Background(), set.SSOAdmin(), del, opts)
	wantOK(t, rep, err)
	if rep.Summary.Unchanged != 5 || rep.Summary.Deleted != 0 {
		t.Errorf("second delete: %+v; want 5 unchanged", rep.Summary)
	}
}

func TestApplyUnderFaults(t *testing.T) {
	set, _ := sandbox(t, emulator.Options{PendingPolls: 3, ThrottleRate: 0.3, ErrorRate: 0.05, Seed: 7})
	o := readOrg(t, set)
	plan := o.plan(30, execute.Create)
	opts := execute.Options{MinPollInterval: time.Millisecond}
	rep, err := execute.Apply(context.Background(), set.SSOAdmin(), plan, opts)
	wantOK(t, rep, err)
	wantAll(t, live(t, set.SSOAdmin(), plan), plan, true)
	rep, err = execute.Apply(context.Background(), set.SSOAdmin(), o.withOp(plan, execute.Delete), opts)
	wantOK(t, rep, err)
	wantAll(t, live(t, set.SSOAdmin(), plan), plan, false)
}

func TestApplyReportsFailuresPerItem(t *testing.T) {
	set, _ := sandbox(t, emulator.Options{PendingPolls: 1})
	o := readOrg(t, set)
	plan := o.plan(6, execute.Create)
	// An account that is not in the organization: AWS accepts the request
	// and it FAILS with a reason.
	bad := plan.Changes[0]
	bad.AccountId, bad.AccountName = "999999999999", "nowhere"
	plan.Changes = append(plan.Changes, bad)
	rep, err := execute.Apply(context.Background(), set.SSOAdmin(), plan, execute.Options{MinPollInterval: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	f := rep.Failures()
	if len(f) != 1 || f[0].AccountId != "999999999999" || f[0].Status != execute.Failed {
		t.Fatalf("failures %+v; want the one change to 999999999999", f)
	}
	if !strings.Contains(f[0].FailureReason, "not a member of the organization") {
		t.Errorf("FailureReason %q; want AWS's reason", f[0].FailureReason)
	}
	if rep.Summary.Created != 6 || rep.Summary.Failed != 1 {
		t.Errorf("summary %+v; want 6 created, 1 failed", rep.Summary)
	}
}

func TestApplyDeniedAccount(t *testing.T) {
	set, _ := sandbox(t, emulator.Options{PendingPolls: 1})
	o := readOrg(t, set)
	plan := o.plan(8, execute.Create)
	denied := plan.Changes[1].AccountId
	set2, _ := sandbox(t, emulator.Options{PendingPolls: 1, DenyAccounts: []string{denied}})
	rep, err := execute.Apply(context.Background(), set2.SSOAdmin(), plan, execute.Options{MinPollInterval: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rep.Results {
		if (r.AccountId == denied) == r.OK() {
			t.Errorf("%s: %s %s", r.Change, r.Status, r.Reason())
		}
		if r.AccountId == denied && !strings.HasPrefix(r.Error, "AccessDeniedException") {
			t.Errorf("error %q; want AccessDeniedException first", r.Error)
		}
	}
}

// TestApplyResumes interrupts a run half-way and runs the plan again: the
// second run adopts the requests left IN_PROGRESS, sends no duplicate, and
// every assignment exists once, with no FAILED request.
func TestApplyResumes(t *testing.T) {
	set, url := sandbox(t, emulator.Options{PendingPolls: 3})
	o := readOrg(t, set)
	plan := o.plan(45, execute.Create)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// The first run keeps at most ten requests in flight and polls an hour
	// apart, so nothing it sends completes; it is cancelled once the
	// sandbox has had ten creates, when no further create can be sent.
	// (Cancelling after ten finished ones raced: with polls a millisecond
	// apart every request could be sent by then. The sandbox's call count
	// is watched rather than its status list, which would count as polls.)
	go func() {
		for ctx.Err() == nil {
			if creates(url) >= 10 {
				time.Sleep(50 * time.Millisecond) // the answers arrive
				cancel()
				return
			}
			time.Sleep(time.Millisecond)
		}
	}()
	opts := execute.Options{MaxOutstanding: 10, MinPollInterval: time.Hour, MaxPollInterval: time.Hour}
	rep, err := execute.Apply(ctx, set.SSOAdmin(), plan, opts)
	if err == nil {
		t.Fatal("interrupted run returned no error")
	}
	var interrupted, notStarted int
	for _, r := range rep.Results {
		switch r.Status {
		case execute.Interrupted:
			interrupted++
		case execute.NotStarted:
			notStarted++
		}
	}
	if interrupted == 0 || notStarted == 0 {
		t.Fatalf("interrupted %d, not started %d; want some of each (summary %+v)", interrupted, notStarted, rep.Summary)
	}
	if rep.Summary.Interrupted != interrupted || rep.Summary.NotStarted != notStarted {
		t.Errorf("summary %+v; want %d interrupted and %d not started, as the results say", rep.Summary, interrupted, notStarted)
	}
	sent := peertest.Stats(t, url).Calls["sso-admin:CreateAccountAssignment"]

	rep, err = execute.Apply(context.Background(), set.SSOAdmin(), plan, execute.Options{MinPollInterval: time.Millisecond})
	wantOK(t, rep, err)
	adopted := 0
	for _, r := range rep.Results {
		if r.Adopted {
			adopted++
		}
	}
	if adopted == 0 || adopted > interrupted {
		t.Errorf("adopted %d requests; want some of the %d interrupted", adopted, interrupted)
	}
	total := peertest.Stats(t, url).Calls["sso-admin:CreateAccountAssignment"]
	if resent := total - sent; resent != 45-adopted {
		t.Errorf("second run sent %d creates; want %d (45 minus the %d adopted)", resent, 45-adopted, adopted)
	}
	got := live(t, set.SSOAdmin(), plan)
	wantAll(t, got, plan, true)
	if n := failedStatuses(t, set.SSOAdmin(), plan.InstanceArn); n != 0 {
		t.Errorf("%d FAILED requests; want none", n)
	}
}

// creates is how many CreateAccountAssignment calls the sandbox at url
// has had (-1 when it cannot tell), for use off the test's goroutine.
func creates(url string) int {
	resp, err := http.Get(url + "/_sandbox/stats")
	if err != nil {
		return -1
	}
	defer resp.Body.Close()
	var st emulator.StatsSnapshot
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		return -1
	}
	return st.Calls["sso-admin:CreateAccountAssignment"]
}

// TestCreatesBeforeDeletes: a plan that moves access creates the new
// assignment before it deletes the old, and with StopDeletesOnCreateFailure
// a failed create leaves the old access in place.
func TestCreatesBeforeDeletes(t *testing.T) {
	set, _ := sandbox(t, emulator.Options{PendingPolls: 1})
	o := readOrg(t, set)
	old := o.plan(3, execute.Create)
	rep, err := execute.Apply(context.Background(), set.SSOAdmin(), old, execute.Options{})
	wantOK(t, rep, err)

	move := execute.Plan{InstanceArn: old.InstanceArn}
	for _, c := range old.Changes {
		d := c
		d.Op = execute.Delete
		move.Changes = append(move.Changes, d)
		n := c
		n.PermissionSetArn, n.PermissionSetName = o.sets[1].Arn, o.sets[1].Name
		if len(move.Changes) == 1 {
			n.AccountId = "999999999999" // fails
		}
		move.Changes = append(move.Changes, n)
	}
	var order []execute.Op
	rep, err = execute.Apply(context.Background(), set.SSOAdmin(), move, execute.Options{StopDeletesOnCreateFailure: true,
		OnResult: func(r execute.Result) { order = append(order, r.Op) }})
	if err != nil {
		t.Fatal(err)
	}
	if !sort.SliceIsSorted(order, func(i, j int) bool { return order[i] == execute.Create && order[j] == execute.Delete }) {
		t.Errorf("results in order %v; want every create before any delete", order)
	}
	if rep.Summary.Created != 2 || rep.Summary.Failed != 1 || rep.Summary.NotStarted != 3 {
		t.Errorf("summary %+v; want 2 created, 1 failed, 3 deletes not started", rep.Summary)
	}
	wantAll(t, live(t, set.SSOAdmin(), old), old, true)
}

// conflicting answers the first create of each assignment with
// ConflictException (AWS's answer while another request for the same
// assignment or permission set is in progress), then passes calls on.
type conflicting struct {
	*ssoadmin.Client
	mu   sync.Mutex
	seen map[string]bool
	n    int
}

func (c *conflicting) CreateAccountAssignment(ctx context.Context, in *ssoadmin.CreateAccountAssignmentInput, opts ...func(*ssoadmin.Options)) (*ssoadmin.CreateAccountAssignmentOutput, error) {
	c.mu.Lock()
	k := aws.ToString(in.TargetId) + aws.ToString(in.PrincipalId)
	first := !c.seen[k]
	c.seen[k] = true
	if first {
		c.n++
	}
	c.mu.Unlock()
	if first {
		return nil, &types.ConflictException{Message: aws.String("An operation is in progress for this permission set")}
	}
	return c.Client.CreateAccountAssignment(ctx, in, opts...)
}

func TestApplyRetriesConflicts(t *testing.T) {
	set, _ := sandbox(t, emulator.Options{PendingPolls: 1})
	o := readOrg(t, set)
	plan := o.plan(6, execute.Create)
	c := &conflicting{Client: set.SSOAdmin(), seen: map[string]bool{}}
	rep, err := execute.Apply(context.Background(), c, plan, execute.Options{MinPollInterval: time.Millisecond})
	wantOK(t, rep, err)
	if c.n != 6 {
		t.Errorf("%d conflicts answered; want 6", c.n)
	}
	wantAll(t, live(t, set.SSOAdmin(), plan), plan, true)
}

// TestReportByPrincipal: one run's report split per principal, each part
// with its own summary, in one pass (a 100,000-user create must not scan
// the report once per user).
func TestReportByPrincipal(t *testing.T) {
	rep := execute.Report{InstanceArn: "arn:aws:sso:::instance/ssoins-1", Results: []execute.Result{
		{Change: execute.Change{Op: execute.Create, Assignment: assignments.Assignment{AccountId: "1", PrincipalId: "u1"}}, Status: execute.Succeeded},
		{Change: execute.Change{Op: execute.Create, Assignment: assignments.Assignment{AccountId: "1", PrincipalId: "u2"}}, Status: execute.Failed},
		{Change: execute.Change{Op: execute.Create, Assignment: assignments.Assignment{AccountId: "2", PrincipalId: "u1"}}, Status: execute.Succeeded, Unchanged: true},
	}}
	parts := rep.ByPrincipal()
	if len(parts) != 2 || len(parts["u1"].Results) != 2 || parts["u1"].InstanceArn != rep.InstanceArn {
		t.Fatalf("parts %+v; want u1 with 2 results and u2", parts)
	}
	if got, want := parts["u1"].Summary, (execute.Summary{Created: 1, Unchanged: 1}); got != want {
		t.Errorf("u1 summary %+v; want %+v", got, want)
	}
	if !parts["u1"].OK() || parts["u2"].OK() || parts["u2"].Summary.Failed != 1 {
		t.Errorf("u2 %+v; want one failure", parts["u2"])
	}
}
