package emulator_test

import (
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"

	"github.com/ssoctl/ssoctl/internal/emulator"
)

// Async requests complete on their own, as AWS's do: with --pending-polls
// a request nobody polls is done AsyncDelay after it started — its effect
// visible, its outstanding-write slot free — while the first status reads
// still answer IN_PROGRESS, as many as --pending-polls says.
func TestAsyncRequestsCompleteOnTheirOwn(t *testing.T) {
	const delay = 300 * time.Millisecond
	f := newSSOFixture(t, emulator.Options{PendingPolls: 3, AsyncDelay: delay})
	ps := f.ps["SecurityAdmin"]
	created := ssoAssignment{f.acct["network"], ps, types.PrincipalTypeUser, f.person(t, "ingrid")}
	var existing ssoAssignment
	for _, a := range f.st.Assignments {
		if a.PermissionSetArn != ps && a.PrincipalType == "GROUP" {
			existing = ssoAssignment{a.AccountId, a.PermissionSetArn, types.PrincipalTypeGroup, a.PrincipalId}
			break
		}
	}
	finance, target := f.ps["FinanceAdmin"], f.acct["payments-dev"]
	provisioned := func() bool {
		out, err := f.c.ListPermissionSetsProvisionedToAccount(ctx, &ssoadmin.ListPermissionSetsProvisionedToAccountInput{InstanceArn: &f.inst, AccountId: &target})
		if err != nil {
			t.Fatal(err)
		}
		return slices.Contains(out.PermissionSets, finance)
	}
	if provisioned() {
		t.Fatal("FinanceAdmin is already provisioned to payments-dev")
	}

	start := time.Now()
	cr, err := f.create(created)
	if err != nil {
		t.Fatal(err)
	}
	dr, err := f.delete(existing)
	if err != nil {
		t.Fatal(err)
	}
	pr, err := f.c.ProvisionPermissionSet(ctx, &ssoadmin.ProvisionPermissionSetInput{InstanceArn: &f.inst, PermissionSetArn: &finance,
		TargetType: types.ProvisionTargetTypeAwsAccount, TargetId: &target})
	if err != nil {
		t.Fatal(err)
	}
	if cr.Status != types.StatusValuesInProgress || dr.Status != types.StatusValuesInProgress || pr.PermissionSetProvisioningStatus.Status != types.StatusValuesInProgress {
		t.Fatalf("started: got %s, %s, %s; want IN_PROGRESS", cr.Status, dr.Status, pr.PermissionSetProvisioningStatus.Status)
	}
	if time.Since(start) < delay/2 { // not done yet, unless this machine stalled
		if slices.Contains(f.assigned(t, created.account, ps), "USER:"+created.pid) || provisioned() {
			t.Error("the work is visible at once; want it done after the delay")
		}
	}

	time.Sleep(delay + 100*time.Millisecond)
	// Nobody polled: the work is done all the same.
	if got := f.assigned(t, created.account, ps); !slices.Contains(got, "USER:"+created.pid) {
		t.Errorf("after the delay, unpolled: %v lacks the created assignment", got)
	}
	if got := f.assigned(t, existing.account, existing.ps); slices.Contains(got, "GROUP:"+existing.pid) {
		t.Errorf("after the delay, unpolled: %v still has the deleted assignment", got)
	}
	if !provisioned() {
		t.Error("after the delay, unpolled: FinanceAdmin is not provisioned to payments-dev")
	}
	// The outstanding-write slots are free again: 15 more may start.
	users := ssoValues(f.user)
	slices.Sort(users)
	for i := range 15 {
		if _, err := f.create(ssoAssignment{f.acct["log-archive"], f.ps["ReadOnlyAccess"], types.PrincipalTypeUser, users[i]}); err != nil {
			t.Fatalf("write %d after the first two completed on their own: %v", i+1, err)
		}
	}

	// Status reads still see IN_PROGRESS for the first pending polls, then
	// the outcome.
	for i, want := range []types.StatusValues{types.StatusValuesInProgress, types.StatusValuesInProgress, types.StatusValuesSucceeded, types.StatusValuesSucceeded} {
		if got := f.describeCreate(t, cr.RequestId); got.Status != want {
			t.Errorf("creation status read %d: got %s; want %s", i+1, got.Status, want)
		}
	}
	out, err := f.c.ListAccountAssignmentDeletionStatus(ctx, &ssoadmin.ListAccountAssignmentDeletionStatusInput{InstanceArn: &f.inst,
		Filter: &types.OperationStatusFilter{Status: types.StatusValuesInProgress}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.AccountAssignmentsDeletionStatus) != 1 || aws.ToString(out.AccountAssignmentsDeletionStatus[0].RequestId) != aws.ToString(dr.RequestId) {
		t.Errorf("deletions listed IN_PROGRESS on their first read: got %d; want the one request", len(out.AccountAssignmentsDeletionStatus))
	}
}

// Without --pending-polls a request completes at once, as before.
func TestAsyncRequestsWithoutPendingPolls(t *testing.T) {
	f := newSSOFixture(t, emulator.Options{})
	a := ssoAssignment{f.acct["network"], f.ps["SecurityAdmin"], types.PrincipalTypeUser, f.person(t, "ingrid")}
	st, err := f.create(a)
	if err != nil {
		t.Fatal(err)
	}
	if st.Status != types.StatusValuesSucceeded || !slices.Contains(f.assigned(t, a.account, a.ps), "USER:"+a.pid) {
		t.Errorf("got %s; want SUCCEEDED and the assignment listed at once", st.Status)
	}
}
