package audit_test

import (
	"cmp"
	"slices"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	istypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	gocmp "github.com/google/go-cmp/cmp"

	"github.com/ssoctl/ssoctl/internal/assignments/list"
	"github.com/ssoctl/ssoctl/internal/audit"
	"github.com/ssoctl/ssoctl/internal/emulator"
)

// bruteRow is what a row of access is, whichever way it was found.
type bruteRow struct {
	AccountId, PermissionSetArn, PrincipalType, PrincipalId, UserId string
	Orphaned                                                        bool
}

func compareBrute(x, y bruteRow) int {
	return cmp.Or(cmp.Compare(x.AccountId, y.AccountId), cmp.Compare(x.PermissionSetArn, y.PermissionSetArn),
		cmp.Compare(x.PrincipalType, y.PrincipalType), cmp.Compare(x.PrincipalId, y.PrincipalId), cmp.Compare(x.UserId, y.UserId),
		cmp.Compare(fmtBool(x.Orphaned), fmtBool(y.Orphaned)))
}

func fmtBool(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// TestDefaultAuditEqualsBruteForceMedium is the proof that the default
// audit is complete: on the medium organization (500 accounts, 40
// permission sets, deleted users' assignments among them) its rows equal,
// row for row, those of a brute-force listing written here without the
// audit's code: ListAccountAssignments for every account × every
// permission set (20,000 calls), users and groups from their lists,
// members of every assigned group.
func TestDefaultAuditEqualsBruteForceMedium(t *testing.T) {
	if testing.Short() {
		t.Skip("lists 20,000 (account, permission set) pairs; skipped with -short")
	}
	_, url := sandbox(t, emulator.Options{Org: "medium"})
	cfg := sdkConfig(url)

	rows, res := run(t, clientsFor(cfg), audit.Options{})
	if res.Method != list.ByPermissionSet || !res.Complete || len(res.Notes) != 0 || len(res.Errors) != 0 {
		t.Fatalf("default audit: method %s, complete %v, notes %q, errors %v; want permission-set, complete, no notes or errors",
			res.Method, res.Complete, res.Notes, res.Errors)
	}
	var got []bruteRow
	for _, r := range rows {
		got = append(got, bruteRow{r.AccountId, r.PermissionSetArn, r.PrincipalType, r.PrincipalId, r.UserId, hasFlag(r, list.FlagOrphaned)})
	}
	slices.SortFunc(got, compareBrute)

	want := bruteForce(t, cfg)
	orphans := 0
	for _, r := range want {
		if r.Orphaned {
			orphans++
		}
	}
	if orphans == 0 || len(want) < 10000 {
		t.Fatalf("brute force found %d rows, %d orphaned; the medium organization has over 10,000 and a few orphans", len(want), orphans)
	}
	if diff := gocmp.Diff(want, got); diff != "" {
		t.Errorf("default audit vs brute force (-brute force +audit):\n%s", diff)
	}
	t.Logf("%d rows, %d of them orphaned assignments; the audit made its listing per provisioned pair (%d pairs)", len(got), orphans, res.Provisioned)
}

// bruteForce lists every assignment of every account × permission set and
// expands it into rows of access.
func bruteForce(t *testing.T, cfg aws.Config) []bruteRow {
	t.Helper()
	sa, ids, org := ssoadmin.NewFromConfig(cfg), identitystore.NewFromConfig(cfg), organizations.NewFromConfig(cfg)
	inst, err := sa.ListInstances(ctx, &ssoadmin.ListInstancesInput{})
	if err != nil || len(inst.Instances) != 1 {
		t.Fatalf("ListInstances: %v", err)
	}
	instArn, storeID := inst.Instances[0].InstanceArn, inst.Instances[0].IdentityStoreId

	var accounts, psets []string
	for p := organizations.NewListAccountsPaginator(org, &organizations.ListAccountsInput{}); p.HasMorePages(); {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range page.Accounts {
			accounts = append(accounts, aws.ToString(a.Id))
		}
	}
	for p := ssoadmin.NewListPermissionSetsPaginator(sa, &ssoadmin.ListPermissionSetsInput{InstanceArn: instArn}); p.HasMorePages(); {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		psets = append(psets, page.PermissionSets...)
	}
	users, groups := map[string]bool{}, map[string]bool{}
	for p := identitystore.NewListUsersPaginator(ids, &identitystore.ListUsersInput{IdentityStoreId: storeID}); p.HasMorePages(); {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range page.Users {
			users[aws.ToString(u.UserId)] = true
		}
	}
	for p := identitystore.NewListGroupsPaginator(ids, &identitystore.ListGroupsInput{IdentityStoreId: storeID}); p.HasMorePages(); {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range page.Groups {
			groups[aws.ToString(g.GroupId)] = true
		}
	}

	// Every account × every permission set, 32 at a time.
	type pairKey struct{ account, ps string }
	var (
		mu    sync.Mutex
		found []bruteRow // one per assignment, UserId empty
		wg    sync.WaitGroup
		sem   = make(chan struct{}, 32)
		fail  error
	)
	for _, a := range accounts {
		for _, ps := range psets {
			wg.Add(1)
			sem <- struct{}{}
			go func(k pairKey) {
				defer func() { <-sem; wg.Done() }()
				p := ssoadmin.NewListAccountAssignmentsPaginator(sa, &ssoadmin.ListAccountAssignmentsInput{InstanceArn: instArn, AccountId: &k.account, PermissionSetArn: &k.ps})
				for p.HasMorePages() {
					page, err := p.NextPage(ctx)
					mu.Lock()
					if err != nil {
						fail = err
						mu.Unlock()
						return
					}
					for _, as := range page.AccountAssignments {
						found = append(found, bruteRow{AccountId: k.account, PermissionSetArn: k.ps, PrincipalType: string(as.PrincipalType), PrincipalId: aws.ToString(as.PrincipalId)})
					}
					mu.Unlock()
				}
			}(pairKey{a, ps})
		}
	}
	wg.Wait()
	if fail != nil {
		t.Fatal(fail)
	}

	members := map[string][]string{}
	var out []bruteRow
	for _, r := range found {
		switch {
		case r.PrincipalType == "USER" && users[r.PrincipalId]:
			r.UserId = r.PrincipalId
			out = append(out, r)
		case r.PrincipalType == "GROUP" && groups[r.PrincipalId]:
			m, ok := members[r.PrincipalId]
			if !ok {
				for p := identitystore.NewListGroupMembershipsPaginator(ids, &identitystore.ListGroupMembershipsInput{IdentityStoreId: storeID, GroupId: &r.PrincipalId}); p.HasMorePages(); {
					page, err := p.NextPage(ctx)
					if err != nil {
						t.Fatal(err)
					}
					for _, gm := range page.GroupMemberships {
						if u, ok := gm.MemberId.(*istypes.MemberIdMemberUserId); ok {
							m = append(m, u.Value)
						}
					}
				}
				members[r.PrincipalId] = m
			}
			if len(m) == 0 {
				out = append(out, r)
			}
			for _, u := range m {
				r.UserId = u
				out = append(out, r)
			}
		default: // the principal no longer exists
			r.Orphaned = true
			out = append(out, r)
		}
	}
	slices.SortFunc(out, compareBrute)
	return out
}
