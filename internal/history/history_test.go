package history_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/ssoctl/ssoctl/internal/assignments/list"
	"github.com/ssoctl/ssoctl/internal/audit"
	"github.com/ssoctl/ssoctl/internal/history"
)

var ctx = context.Background()

// org is a small organization's report: rows in the audit's order.
type org struct {
	accounts []string // names; ids are derived
	psets    []string
	// access[user] = list of (account index, pset index, group or "")
	access map[string][][3]string
}

func acctID(i int) string { return fmt.Sprintf("1000000000%02d", i) }
func psArn(name string) string {
	return "arn:aws:sso:::permissionSet/ssoins-1/ps-" + name
}

func testRows() []audit.Row {
	used := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	iam := &audit.IAMStatus{UserName: "carol", ConsolePassword: true, ActiveKeys: []audit.AccessKey{{Id: "AKIA1", LastUsed: &used, Service: "s3"}}}
	mk := func(acct int, acctName, ps, ptype, pid, group, user string, flags ...string) audit.Row {
		r := audit.Row{AccountId: acctID(acct), AccountName: acctName, AccountStatus: "ACTIVE",
			PermissionSet: ps, PermissionSetArn: psArn(ps), PrincipalType: ptype, PrincipalId: pid, GroupName: group, Flags: flags}
		if user != "" {
			r.UserId, r.UserName, r.UserEmail, r.UserStatus, r.DisplayName = "u-"+user, user, user+"@example.com", "ENABLED", user+" Example"
			if user == "carol" {
				r.IAM = iam
			}
		}
		return r
	}
	return []audit.Row{
		mk(1, "dev", "Developer", "USER", "u-alice", "", "alice"),
		mk(1, "dev", "Developer", "GROUP", "g-devs", "devs", "bob"),
		mk(1, "dev", "Developer", "GROUP", "g-devs", "devs", "carol", list.FlagLegacyIAMUser),
		mk(1, "dev", "ReadOnly", "GROUP", "g-<img src=x onerror=alert(1)>", "<img src=x onerror=alert(1)>", "bob"),
		mk(1, "dev", "ReadOnly", "GROUP", "g-empty", "empty", ""),
		mk(2, "prod", "Admin", "USER", "u-gone", "", "", list.FlagOrphaned),
		mk(2, "prod", "ReadOnly", "GROUP", "g-devs", "devs", "bob"),
		mk(2, "prod", "ReadOnly", "GROUP", "g-devs", "devs", "bob"), // a repeat keeps its place
		mk(2, "prod", "ReadOnly", "GROUP", "g-devs", "devs", "carol", list.FlagLegacyIAMUser),
	}
}

func save(t *testing.T, s *history.Store, rows []audit.Row, findings []audit.Finding) history.Snapshot {
	t.Helper()
	w, err := s.Begin(ctx, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	for _, r := range rows {
		if err := w.Row(r); err != nil {
			t.Fatal(err)
		}
	}
	sn, err := w.Finish(history.Result{InstanceArn: "arn:aws:sso:::instance/ssoins-1", IdentityStoreId: "d-1", Method: "permission-set",
		Columns: testColumns, Findings: findings, Errors: []list.ItemError{{Item: "x", Error: "y"}}, Stats: map[string]int{"rows": len(rows)}})
	if err != nil {
		t.Fatal(err)
	}
	return sn
}

func readRows(t *testing.T, s *history.Store, id int64) []audit.Row {
	t.Helper()
	var out []audit.Row
	if err := s.Rows(ctx, id, func(r audit.Row) error { out = append(out, r); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

func open(t *testing.T) (*history.Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "data", "ssoctl", "history.db")
	s, err := history.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, path
}

func TestSaveAndRead(t *testing.T) {
	s, path := open(t)
	rows := testRows()
	// A row whose names differ from the snapshot's other rows for the same
	// account is kept exactly too.
	odd := rows[6]
	odd.AccountName = "prod-renamed-mid-run"
	rows = append(rows, odd)
	// A group's members in another order in a later block, and one of
	// them renamed mid-run: kept exactly, and in order.
	swapped, renamed := rows[2], rows[1]
	swapped.PermissionSet, swapped.PermissionSetArn = "Billing", psArn("Billing")
	renamed.PermissionSet, renamed.PermissionSetArn = "Billing", psArn("Billing")
	renamed.UserEmail = "bob@renamed.example.com"
	rows = append(rows, swapped, renamed)
	findings := []audit.Finding{{Kind: list.FlagOrphaned, AccountId: acctID(2), AccountName: "prod", PermissionSet: "Admin", PrincipalType: "USER", PrincipalId: "u-gone", Detail: "gone"}}
	sn := save(t, s, rows, findings)
	if sn.ID != 1 || sn.Rows != len(rows) || sn.Findings != 1 || sn.Errors != 1 || sn.Method != "permission-set" || !slices.Equal(sn.Columns, testColumns) {
		t.Errorf("got snapshot %+v", sn)
	}
	if diff := cmp.Diff(rows, readRows(t, s, sn.ID)); diff != "" {
		t.Errorf("rows read back (-saved +read):\n%s", diff)
	}
	got, err := s.Findings(ctx, sn.ID)
	if err != nil || !cmp.Equal(got, findings) {
		t.Errorf("findings %v, %v; want %v", got, err, findings)
	}
	if string(sn.Stats) != fmt.Sprintf(`{"rows":%d}`, len(rows)) {
		t.Errorf("stats %s", sn.Stats)
	}
	for _, p := range []string{path, filepath.Dir(path)} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		want := os.FileMode(0o600)
		if fi.IsDir() {
			want = 0o700
		}
		if fi.Mode().Perm() != want {
			t.Errorf("%s mode %v; want %v", p, fi.Mode().Perm(), want)
		}
	}
}

// TestLaterSnapshotsKeepTheirNames: a snapshot after the first finds its
// users numbered already but stores their names as its own rows have them
// (renamed, new, gone), and the first reads back unchanged.
func TestLaterSnapshotsKeepTheirNames(t *testing.T) {
	s, _ := open(t)
	first := testRows()
	save(t, s, first, nil)
	second := testRows()
	for i := range second {
		if second[i].UserId == "u-bob" {
			second[i].UserEmail = "bob@renamed.example.com"
		}
	}
	dave := second[1]
	dave.UserId, dave.UserName, dave.UserEmail, dave.DisplayName = "u-dave", "dave", "dave@example.com", "Dave Example"
	second = append(second[:0:0], append(second[:2], append([]audit.Row{dave}, second[2:]...)...)...)
	second = slices.DeleteFunc(second, func(r audit.Row) bool { return r.UserId == "u-alice" })
	sn := save(t, s, second, nil)
	if diff := cmp.Diff(second, readRows(t, s, sn.ID)); diff != "" {
		t.Errorf("second snapshot read back (-saved +read):\n%s", diff)
	}
	if diff := cmp.Diff(first, readRows(t, s, 1)); diff != "" {
		t.Errorf("first snapshot read back (-saved +read):\n%s", diff)
	}
}

func TestInterruptedSaveLeavesNothing(t *testing.T) {
	s, path := open(t)
	first := save(t, s, testRows(), nil)

	cctx, cancel := context.WithCancel(ctx)
	w, err := s.Begin(cctx, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	// A journal is held while the snapshot is being written.
	if _, err := os.Stat(path + "-journal"); err != nil {
		t.Errorf("no journal while saving: %v", err)
	}
	for i := 0; i < 5000; i++ {
		r := testRows()[i%9]
		r.UserId = fmt.Sprintf("u-%d", i)
		if err := w.Row(r); err != nil {
			t.Fatal(err)
		}
	}
	cancel()
	if _, err := w.Finish(history.Result{}); err == nil {
		t.Fatal("Finish after cancel succeeded")
	}
	w.Abort()

	// A second process sees only the first snapshot.
	s2, err := history.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	list, err := s2.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].ID != first.ID {
		t.Errorf("snapshots after an interrupted save: %+v", list)
	}
	if _, err := os.Stat(path + "-journal"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("journal left behind: %v", err)
	}
	// The next snapshot saves normally.
	if sn := save(t, s2, testRows(), nil); sn.Rows != 9 {
		t.Errorf("next snapshot %+v", sn)
	}
}

func TestDiff(t *testing.T) {
	s, _ := open(t)
	before := testRows()
	a := save(t, s, before, []audit.Finding{
		{Kind: list.FlagOrphaned, AccountId: acctID(2), PermissionSet: "Admin", PrincipalType: "USER", PrincipalId: "u-gone", Detail: "gone"},
	})
	// bob leaves devs; alice gets prod/Admin directly; the orphan is cleaned up.
	after := []audit.Row{before[0], before[2], before[3], before[4]}
	gain := before[0]
	gain.AccountId, gain.AccountName, gain.PermissionSet, gain.PermissionSetArn = acctID(2), "prod", "Admin", psArn("Admin")
	after = append(after, gain, before[7], before[8])
	b := save(t, s, after, []audit.Finding{
		{Kind: list.FlagDisabledUser, AccountId: acctID(1), PermissionSet: "Developer", PrincipalType: "USER", PrincipalId: "u-alice", Name: "alice", Detail: "disabled"},
	})

	from, to, err := s.Between(ctx)
	if err != nil || from.ID != a.ID || to.ID != b.ID {
		t.Fatalf("Between() = %d, %d, %v", from.ID, to.ID, err)
	}
	var got []history.Change
	d, err := s.Diff(ctx, from, to, func(c history.Change) error { got = append(got, c); return nil })
	if err != nil {
		t.Fatal(err)
	}
	want := []history.Change{
		{Change: history.Lost, Row: before[1]}, // dev/Developer via devs: bob
		{Change: history.Gained, Row: gain},    // prod/Admin: alice
		{Change: history.Lost, Row: before[5]}, // prod/Admin: the orphan
		{Change: history.Lost, Row: before[6]}, // prod/ReadOnly via devs: bob (one of the two repeats)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("changes (-want +got):\n%s", diff)
	}
	if d.Gained != 1 || d.Lost != 3 {
		t.Errorf("gained %d lost %d", d.Gained, d.Lost)
	}
	wantAccounts := []history.Count{{Id: acctID(1), Name: "dev", Lost: 1}, {Id: acctID(2), Name: "prod", Gained: 1, Lost: 2}}
	if diff := cmp.Diff(wantAccounts, d.Accounts); diff != "" {
		t.Errorf("accounts (-want +got):\n%s", diff)
	}
	wantPS := []history.Count{{Id: psArn("Admin"), Name: "Admin", Gained: 1, Lost: 1}, {Id: psArn("Developer"), Name: "Developer", Lost: 1}, {Id: psArn("ReadOnly"), Name: "ReadOnly", Lost: 1}}
	if diff := cmp.Diff(wantPS, d.PermissionSets); diff != "" {
		t.Errorf("permission sets (-want +got):\n%s", diff)
	}
	if len(d.Appeared) != 1 || d.Appeared[0].Kind != list.FlagDisabledUser || len(d.Resolved) != 1 || d.Resolved[0].Kind != list.FlagOrphaned {
		t.Errorf("findings appeared %v resolved %v", d.Appeared, d.Resolved)
	}

	// The reverse diff swaps GAINED and LOST.
	var rev []history.Change
	if _, err := s.Diff(ctx, to, from, func(c history.Change) error { rev = append(rev, c); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(rev) != 4 || rev[1].Change != history.Lost || rev[0].Change != history.Gained {
		t.Errorf("reverse diff %v", rev)
	}
	// A snapshot against itself: nothing.
	if d, err := s.Diff(ctx, to, to, func(history.Change) error { return errors.New("no change expected") }); err != nil || d.Gained+d.Lost != 0 {
		t.Errorf("self diff %+v, %v", d, err)
	}
}

// TestDiffScan covers the path for many changes (one scan instead of a
// lookup per changed row).
func TestDiffScan(t *testing.T) {
	s, _ := open(t)
	var a, b []audit.Row
	for i := 0; i < 50000; i++ {
		r := testRows()[1]
		r.UserId, r.UserName = fmt.Sprintf("u-%06d", i), fmt.Sprintf("user%06d", i)
		if i%2 == 0 {
			a = append(a, r)
		}
		if i%3 == 0 {
			b = append(b, r)
		}
	}
	fa, fb := save(t, s, a, nil), save(t, s, b, nil)
	var gained, lost int
	prev := audit.Row{}
	d, err := s.Diff(ctx, fa, fb, func(c history.Change) error {
		if c.Change == history.Gained {
			gained++
		} else {
			lost++
		}
		if c.Row.UserName < prev.UserName {
			t.Fatalf("out of order: %s after %s", c.Row.UserName, prev.UserName)
		}
		prev = c.Row
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// multiples of 3 not of 2 are gained; multiples of 2 not of 3 lost.
	if wantG, wantL := 50000/3+1-(50000/6+1), 25000-(50000/6+1); gained != wantG || lost != wantL || d.Gained != wantG || d.Lost != wantL {
		t.Errorf("gained %d lost %d; want %d %d", gained, lost, wantG, wantL)
	}
}

func TestPrune(t *testing.T) {
	s, _ := open(t)
	for range 4 {
		save(t, s, testRows(), nil)
	}
	ids, err := s.Prune(ctx, 2, true)
	if err != nil || !slices.Equal(ids, []int64{1, 2}) {
		t.Fatalf("dry run: %v, %v", ids, err)
	}
	if list, _ := s.List(ctx); len(list) != 4 {
		t.Fatalf("dry run removed snapshots")
	}
	if ids, err = s.Prune(ctx, 2, false); err != nil || !slices.Equal(ids, []int64{1, 2}) {
		t.Fatalf("prune: %v, %v", ids, err)
	}
	list, _ := s.List(ctx)
	if len(list) != 2 || list[0].ID != 3 {
		t.Errorf("after prune: %+v", list)
	}
	if _, err := s.Get(ctx, 1); !errors.Is(err, history.ErrNotFound) {
		t.Errorf("Get(pruned) = %v", err)
	}
	if rows := readRows(t, s, 3); len(rows) != 9 {
		t.Errorf("kept snapshot has %d rows", len(rows))
	}
	// Ids are never reused.
	if sn := save(t, s, testRows(), nil); sn.ID != 5 {
		t.Errorf("new id %d; want 5", sn.ID)
	}
}

func TestSchemaVersion(t *testing.T) {
	s, path := open(t)
	s.Close()
	if history.SchemaVersion() < 1 {
		t.Fatal("no migrations embedded")
	}
	// Opening again migrates nothing and keeps the data.
	s2, err := history.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	s2.Close()
	// A database from a newer ssoctl is refused with a clear message.
	db := filepath.Join(t.TempDir(), "newer.db")
	s3, err := history.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	s3.SetUserVersionForTest(t, history.SchemaVersion()+1)
	s3.Close()
	if _, err := history.Open(ctx, db); err == nil || !strings.Contains(err.Error(), "newer ssoctl") {
		t.Errorf("newer schema: %v", err)
	}
	// Not a database at all.
	junk := filepath.Join(t.TempDir(), "junk.db")
	os.WriteFile(junk, []byte("this is not sqlite, just text that is long enough to have a header ........"), 0o600)
	if _, err := history.Open(ctx, junk); err == nil || !strings.Contains(err.Error(), "not an ssoctl history database") {
		t.Errorf("junk file: %v", err)
	}
}

var testColumns = []string{"UserEmail", "UserName", "AccountId", "AccountName", "PermissionSet", "PrincipalType", "PrincipalId", "GroupName"}

// TestMigrateKeepsSnapshots opens a database written at schema version 1
// (rows keyed by identity) and reads its snapshot back after migrating
// through version 2 (rows keyed by position) to 3 (rows in blocks).
func TestMigrateKeepsSnapshots(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v1.db")
	db := history.CreateAtVersionForTest(t, path, 1)
	for _, q := range []string{
		`INSERT INTO snapshot (id, created, method, rows, columns) VALUES (1, '2026-11-01T00:00:00Z', 'permission-set', 3, 'UserName,AccountName')`,
		`INSERT INTO entity (ref, kind, key) VALUES (1, 1, '111111111111'), (2, 2, 'arn:ps'), (3, 3, 'USER:u-1'), (4, 4, 'u-1'), (5, 3, 'GROUP:g-1'), (6, 2, 'arn:ro')`,
		`INSERT INTO snap_account VALUES (1, 1, 'dev', 'ACTIVE')`,
		`INSERT INTO snap_permission_set VALUES (1, 2, 'Developer'), (1, 6, 'ReadOnly')`,
		`INSERT INTO snap_principal VALUES (1, 3, ''), (1, 5, 'devs')`,
		`INSERT INTO snap_user VALUES (1, 4, 'a@example.com', 'alice', 'ENABLED', 'Alice', NULL)`,
		`INSERT INTO access_row VALUES (1, 1, 2, 5, 4, 0, 2, NULL, NULL), (1, 1, 2, 3, 4, 0, 1, 'DISABLED_USER;LEGACY_IAM_USER', NULL),
			(1, 1, 6, 3, 4, 0, 3, NULL, '{"UserName":"alice-then","AccountId":"111111111111","PermissionSet":"ReadOnly"}')`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()
	s, err := history.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rows := readRows(t, s, 1)
	want := []audit.Row{
		{UserEmail: "a@example.com", UserName: "alice", UserId: "u-1", UserStatus: "ENABLED", DisplayName: "Alice", AccountId: "111111111111", AccountName: "dev", AccountStatus: "ACTIVE",
			PermissionSet: "Developer", PermissionSetArn: "arn:ps", PrincipalType: "USER", PrincipalId: "u-1", Flags: []string{"DISABLED_USER", "LEGACY_IAM_USER"}},
		{UserEmail: "a@example.com", UserName: "alice", UserId: "u-1", UserStatus: "ENABLED", DisplayName: "Alice", AccountId: "111111111111", AccountName: "dev", AccountStatus: "ACTIVE",
			PermissionSet: "Developer", PermissionSetArn: "arn:ps", PrincipalType: "GROUP", PrincipalId: "g-1", GroupName: "devs"},
		{UserName: "alice-then", AccountId: "111111111111", PermissionSet: "ReadOnly"},
	}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Errorf("rows after migrating (-want +got):\n%s", diff)
	}
	// New snapshots go on as usual, and diff against the migrated one.
	sn := save(t, s, want[:1], nil)
	from, _ := s.Get(ctx, 1)
	d, err := s.Diff(ctx, from, sn, func(history.Change) error { return nil })
	if err != nil || d.Lost != 2 || d.Gained != 0 {
		t.Errorf("diff after migrating: %+v, %v", d, err)
	}
	if sn, err := s.Get(ctx, 1); err != nil || sn.Rows != 3 {
		t.Errorf("migrated snapshot %+v, %v", sn, err)
	}
}

// TestDiffBlocks covers rows stored a block at a time: an account and
// permission set whose rows span blocks, rows whose flags alone changed
// (the same access), and a block that does not decode.
func TestDiffBlocks(t *testing.T) {
	s, _ := open(t)
	member := func(i int) audit.Row {
		r := testRows()[1]
		r.UserId, r.UserName = fmt.Sprintf("u-%05d", i), fmt.Sprintf("user%05d", i)
		return r
	}
	// 9,000 rows of one account and permission set: three blocks.
	var a, b []audit.Row
	for i := 0; i < 9000; i++ {
		a = append(a, member(i))
		if i != 4500 {
			b = append(b, member(i))
		}
	}
	b = append(b, member(99999))
	// Flags changed on a row of another permission set: not a change of
	// access.
	flagged := testRows()[2]
	b = append(b, flagged)
	flagged.Flags = nil
	a = append(a, flagged)
	fa, fb := save(t, s, a, nil), save(t, s, b, nil)
	for _, c := range []struct {
		id   int64
		rows []audit.Row
	}{{fa.ID, a}, {fb.ID, b}} {
		if diff := cmp.Diff(c.rows, readRows(t, s, c.id)); diff != "" {
			t.Errorf("snapshot %d read back (-saved +read):\n%s", c.id, diff)
		}
	}
	var got []history.Change
	d, err := s.Diff(ctx, fa, fb, func(c history.Change) error { got = append(got, c); return nil })
	if err != nil {
		t.Fatal(err)
	}
	want := []history.Change{{Change: history.Lost, Row: member(4500)}, {Change: history.Gained, Row: member(99999)}}
	if diff := cmp.Diff(want, got); diff != "" || d.Gained != 1 || d.Lost != 1 {
		t.Errorf("changes (-want +got):\n%s\ngained %d lost %d", diff, d.Gained, d.Lost)
	}
	// The same snapshot saved again: every body equal, nothing to decode.
	fc := save(t, s, b, nil)
	if d, err := s.Diff(ctx, fb, fc, func(history.Change) error { return errors.New("no change expected") }); err != nil || d.Gained+d.Lost != 0 {
		t.Errorf("diff of equal snapshots %+v, %v", d, err)
	}
	// A damaged block is named, not read as rows.
	s.DamageBlocksForTest(t, fc.ID, acctID(1))
	if _, err := s.Diff(ctx, fb, fc, func(history.Change) error { return nil }); err == nil || !strings.Contains(err.Error(), "damaged") || strings.Contains(err.Error(), "\n") {
		t.Errorf("diff with a damaged block: %v", err)
	}
	if err := s.Rows(ctx, fc.ID, func(audit.Row) error { return nil }); err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Errorf("rows of a damaged snapshot: %v", err)
	}
}

// TestMigrateMarksIncompleteSnapshots: snapshots saved before snapshots
// had a completeness are judged by their item errors and method when the
// database is migrated; new ones keep what the audit said.
func TestMigrateMarksIncompleteSnapshots(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v3.db")
	db := history.CreateAtVersionForTest(t, path, 3)
	for _, q := range []string{
		`INSERT INTO snapshot (id, created, method, rows, errors) VALUES (1, '2026-11-01T00:00:00Z', 'permission-set', 137, 0)`,
		`INSERT INTO snapshot (id, created, method, rows, errors) VALUES (2, '2026-11-02T00:00:00Z', 'permission-set', 4, 38)`,
		`INSERT INTO snapshot (id, created, method, rows, errors) VALUES (3, '2026-11-03T00:00:00Z', 'principal', 136, 0)`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()
	s, err := history.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	snaps, err := s.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	type got struct {
		Complete bool
		Causes   []list.Cause
	}
	want := []got{
		{true, nil},
		{false, []list.Cause{{Cause: "items could not be listed (see ssoctl history show 2 -o json)", Items: 38}}},
		{false, []list.Cause{{Cause: audit.MethodCause}}},
	}
	for i, sn := range snaps {
		if diff := cmp.Diff(want[i], got{sn.Complete, sn.Causes}, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("snapshot %d (-want +got):\n%s", sn.ID, diff)
		}
	}
	if !snaps[1].Partial() || snaps[2].Partial() {
		t.Errorf("Partial: #2 %v, #3 %v; want true, false", snaps[1].Partial(), snaps[2].Partial())
	}
	prev, skipped, err := s.PreviousComplete(ctx, 4)
	if err != nil || prev.ID != 1 || len(skipped) != 2 || skipped[0].ID != 3 || skipped[1].ID != 2 {
		t.Errorf("PreviousComplete(4) = #%d, skipped %v, %v; want #1, skipping #3 and #2", prev.ID, skipped, err)
	}
	// A new snapshot keeps the audit's own word.
	w, err := s.Begin(ctx, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	causes := []list.Cause{{Cause: "cannot reach http://x", Items: 2, Examples: []string{"a", "b"}}}
	sn, err := w.Finish(history.Result{Method: "permission-set", Errors: []list.ItemError{{Item: "a"}, {Item: "b"}}, Causes: causes})
	if err != nil {
		t.Fatal(err)
	}
	if sn.Complete || !cmp.Equal(sn.Causes, causes) {
		t.Errorf("new snapshot: complete %v, causes %v; want false, %v", sn.Complete, sn.Causes, causes)
	}
}

// TestConcurrentOpensOfANewDatabase: audits saving at once into a database
// that does not exist yet all migrate it (one does, under SQLite's write
// lock; the others find it done) instead of failing with "table snapshot
// already exists".
func TestConcurrentOpensOfANewDatabase(t *testing.T) {
	for round := 0; round < 5; round++ {
		path := filepath.Join(t.TempDir(), "new.db")
		const n = 6
		errs := make(chan error, n)
		start := make(chan struct{})
		for i := 0; i < n; i++ {
			go func() {
				<-start
				s, err := history.Open(ctx, path)
				if err == nil {
					s.Close()
				}
				errs <- err
			}()
		}
		close(start)
		for i := 0; i < n; i++ {
			if err := <-errs; err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
		}
	}
}
