package inventory_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ssoctl/ssoctl/internal/inventory"
)

// TestDirectoryReadsEachListingOnce: callers asking at once, and again
// later, share one read of each listing (one call each: the small
// organization fits a page of every listing).
func TestDirectoryReadsEachListingOnce(t *testing.T) {
	srv, c := sandbox(t)
	d := inventory.NewDirectory(c, inventory.DirectoryOptions{})
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, read := range []func() error{
				func() error { _, err := d.Accounts(ctx); return err },
				func() error { _, err := d.OrgTree(ctx); return err },
				func() error { _, err := d.PermissionSets(ctx); return err },
				func() error { _, err := d.Users(ctx); return err },
				func() error { _, err := d.Groups(ctx); return err },
				func() error { _, err := d.ManagementAccount(ctx); return err },
			} {
				if err := read(); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	calls := srv.Stats().Calls
	for _, op := range []string{"sso-admin:ListInstances", "sso-admin:ListPermissionSets", "organizations:ListAccounts", "organizations:ListRoots",
		"organizations:DescribeOrganization", "identitystore:ListUsers", "identitystore:ListGroups"} {
		if calls[op] != 1 {
			t.Errorf("got %d %s calls; want 1", calls[op], op)
		}
	}
	sets, err := d.PermissionSets(ctx)
	if err != nil || calls["sso-admin:DescribePermissionSet"] != len(sets) {
		t.Errorf("got %d DescribePermissionSet calls for %d sets (%v); want one each", calls["sso-admin:DescribePermissionSet"], len(sets), err)
	}
}

// TestDirectoryTriesAFailedReadAgain: a read that failed (here, its
// context had ended) is not remembered; the next caller reads.
func TestDirectoryTriesAFailedReadAgain(t *testing.T) {
	_, c := sandbox(t)
	d := inventory.NewDirectory(c, inventory.DirectoryOptions{})
	ended, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := d.Accounts(ended); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v; want context.Canceled", err)
	}
	accounts, err := d.Accounts(ctx)
	if err != nil || len(accounts) != 12 {
		t.Errorf("got %d accounts, %v; want 12", len(accounts), err)
	}
}

// TestDirectoryLookups: lookups of a few ids read just those until the
// listing is read, then answer from it; names resolve with suggestions.
func TestDirectoryLookups(t *testing.T) {
	srv, c := sandbox(t)
	st := srv.Snapshot()
	d := inventory.NewDirectory(c, inventory.DirectoryOptions{})
	one := []string{st.Users[0].UserId}
	if users, err := d.UsersByID(ctx, one); err != nil || users[one[0]].UserName != st.Users[0].UserName {
		t.Fatalf("got %v, %v; want %s", users, err, st.Users[0].UserName)
	}
	if calls := srv.Stats().Calls; calls["identitystore:DescribeUser"] != 1 || calls["identitystore:ListUsers"] != 0 {
		t.Errorf("before the listing: %d DescribeUser and %d ListUsers calls; want 1 and 0", calls["identitystore:DescribeUser"], calls["identitystore:ListUsers"])
	}
	if _, err := d.Users(ctx); err != nil {
		t.Fatal(err)
	}
	if users, err := d.UsersByID(ctx, append(one, "0000000000-00000000-0000-0000-0000-000000000000")); err != nil || len(users) != 1 {
		t.Errorf("got %v, %v; want the one user that exists", users, err)
	}
	if calls := srv.Stats().Calls; calls["identitystore:DescribeUser"] != 1 || calls["identitystore:ListUsers"] != 1 {
		t.Errorf("after the listing: %d DescribeUser and %d ListUsers calls; want 1 and 1", calls["identitystore:DescribeUser"], calls["identitystore:ListUsers"])
	}

	if a, err := d.Account(ctx, "PAYMENTS-PROD"); err != nil || a.Name != "payments-prod" {
		t.Errorf("Account(PAYMENTS-PROD) = %+v, %v; want payments-prod", a, err)
	}
	if _, err := d.Account(ctx, "payments-prd"); !errors.Is(err, inventory.ErrNotFound) || !strings.Contains(err.Error(), "closest: payments-prod") {
		t.Errorf("Account(payments-prd): got %v; want not found, closest payments-prod", err)
	}
	if ou, err := d.OU(ctx, "Workloads/Prod"); err != nil || ou.Path != "Root/Workloads/Prod" {
		t.Errorf("OU(Workloads/Prod) = %+v, %v; want Root/Workloads/Prod", ou, err)
	}
	if _, err := d.OU(ctx, "Workloads/Prd"); !errors.Is(err, inventory.ErrNotFound) || !strings.Contains(err.Error(), "Workloads/Prod") {
		t.Errorf("OU(Workloads/Prd): got %v; want not found, closest Workloads/Prod", err)
	}
	u, err := d.User(ctx, st.Users[0].UserName)
	if err != nil || u.Id != st.Users[0].UserId {
		t.Errorf("User(%s) = %+v, %v", st.Users[0].UserName, u, err)
	}
	if byID, err := d.User(ctx, u.Id); err != nil || byID != u {
		t.Errorf("User(id) = %+v, %v; want %+v", byID, err, u)
	}
}

// TestDirectoryDiscover: the listings asked for and the caller's own read
// run at once; those not asked for stay nil.
func TestDirectoryDiscover(t *testing.T) {
	_, c := sandbox(t)
	d := inventory.NewDirectory(c, inventory.DirectoryOptions{})
	ran := false
	found, err := d.Discover(ctx, inventory.ListAccounts|inventory.ListGroups, func(context.Context) error { ran = true; return nil })
	if err != nil {
		t.Fatal(err)
	}
	if !ran || len(found.Accounts) != 12 || len(found.Groups) == 0 || found.Users != nil || found.OrgTree != nil || found.PermissionSets != nil {
		t.Errorf("got ran %v, %d accounts, %d groups, users %v, tree %v, sets %v; want the caller's read, accounts and groups only",
			ran, len(found.Accounts), len(found.Groups), found.Users, found.OrgTree, found.PermissionSets)
	}
	boom := errors.New("boom")
	if _, err := d.Discover(ctx, inventory.ListUsers, func(context.Context) error { return boom }); err != boom {
		t.Errorf("got %v; want the caller's error", err)
	}
	again, err := d.Accounts(ctx)
	if diff := cmp.Diff(found.Accounts, again); err != nil || diff != "" {
		t.Errorf("accounts after Discover (%v):\n%s", err, diff)
	}
}
