package audit_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"

	"github.com/ssoctl/ssoctl/internal/assignments/list"
	"github.com/ssoctl/ssoctl/internal/audit"
	"github.com/ssoctl/ssoctl/internal/emulator"
	"github.com/ssoctl/ssoctl/internal/inventory"
)

// gatedSSOAdmin holds every ListAccountAssignments call for one account
// until open is closed.
type gatedSSOAdmin struct {
	inventory.SSOAdmin
	account string
	open    <-chan struct{}
	held    *atomic.Int32 // calls held
}

func (g gatedSSOAdmin) ListAccountAssignments(ctx context.Context, in *ssoadmin.ListAccountAssignmentsInput, o ...func(*ssoadmin.Options)) (*ssoadmin.ListAccountAssignmentsOutput, error) {
	if aws.ToString(in.AccountId) == g.account {
		g.held.Add(1)
		select {
		case <-g.open:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return g.SSOAdmin.ListAccountAssignments(ctx, in, o...)
}

// The rows of the accounts listed first are emitted while a later account
// is still being listed: the listing of the account that sorts last is
// held until the first row arrives. An audit that emitted rows only after
// its last API call would never get there (the test fails after a
// generous wait instead of hanging).
func TestRowsStreamWhileListing(t *testing.T) {
	srv, url := sandbox(t, emulator.Options{})
	st := srv.Snapshot()
	names := map[string]string{}
	for _, a := range st.Accounts {
		names[a.Id] = a.Name
	}
	// The account listed last: of the provisioned pairs, the greatest by
	// name and id. Some assignment of an earlier provisioned pair must give
	// a row before it.
	provisioned := map[[2]string]bool{}
	last := ""
	for _, p := range st.Provisioned {
		provisioned[[2]string{p.AccountId, p.PermissionSetArn}] = true
		if last == "" || names[p.AccountId] > names[last] || (names[p.AccountId] == names[last] && p.AccountId > last) {
			last = p.AccountId
		}
	}
	earlier, held := 0, 0
	for _, as := range st.Assignments {
		if provisioned[[2]string{as.AccountId, as.PermissionSetArn}] {
			if as.AccountId == last {
				held++
			} else {
				earlier++
			}
		}
	}
	if earlier == 0 || held == 0 {
		t.Fatalf("the small organization has %d listed assignment(s) before account %s and %d in it; want some of each", earlier, last, held)
	}
	open := make(chan struct{})
	c := clientsFor(sdkConfig(url))
	var calls atomic.Int32
	c.SSOAdmin = gatedSSOAdmin{SSOAdmin: c.SSOAdmin, account: last, open: open, held: &calls}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	timer := time.AfterFunc(2*time.Minute, cancel)
	defer timer.Stop()
	var rows []audit.Row
	_, err := audit.Run(ctx, c, audit.Options{Method: list.ByPermissionSet}, func(r audit.Row) error {
		if len(rows) == 0 {
			if r.AccountId == last {
				t.Errorf("the first row is of account %s, whose listing was held", last)
			}
			close(open)
		}
		rows = append(rows, r)
		return nil
	})
	if err != nil {
		t.Fatalf("audit.Run: %v (no row came while account %s was being listed)", err, last)
	}
	if calls.Load() == 0 {
		t.Fatalf("no ListAccountAssignments call for account %s was held", last)
	}

	// And the rows are the same, in the same order, as without the gate.
	want, _ := run(t, clientsFor(sdkConfig(url)), audit.Options{Method: list.ByPermissionSet})
	if len(rows) != len(want) {
		t.Fatalf("got %d rows; want %d", len(rows), len(want))
	}
	for i := range want {
		if rowOrder(rows[i], want[i]) != 0 || rows[i].UserId != want[i].UserId {
			t.Fatalf("row %d: got %+v; want %+v", i, rows[i], want[i])
		}
	}
}
