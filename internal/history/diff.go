package history

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"

	"github.com/ssoctl/ssoctl/internal/assignments"
	"github.com/ssoctl/ssoctl/internal/audit"
)

// Changes, as the Change column says them.
const (
	Gained = "GAINED"
	Lost   = "LOST"
)

// Change is one row of access that one snapshot has and the other has not.
type Change struct {
	Change string
	Row    audit.Row
}

// Count is how much access one account or permission set gained and lost.
type Count struct {
	Id     string `json:"id"`
	Name   string `json:"name"`
	Gained int    `json:"gained"`
	Lost   int    `json:"lost"`
}

// Diff is what changed between two snapshots, apart from the rows, which
// were streamed.
type Diff struct {
	From, To Snapshot
	Gained   int
	Lost     int
	// Appeared are findings of To that From did not have; Resolved the
	// reverse.
	Appeared []audit.Finding
	Resolved []audit.Finding
	// Accounts and PermissionSets summarise the changed rows, by name.
	Accounts       []Count
	PermissionSets []Count
}

// Between returns the ids to compare: both given, the one given and the
// newest, or (none given) the two newest snapshots.
func (s *Store) Between(ctx context.Context, ids ...int64) (from, to Snapshot, err error) {
	switch len(ids) {
	case 2:
		if from, err = s.Get(ctx, ids[0]); err != nil {
			return
		}
		to, err = s.Get(ctx, ids[1])
		return
	case 1:
		if from, err = s.Get(ctx, ids[0]); err != nil {
			return
		}
		to, err = s.Latest(ctx)
		return
	}
	if to, err = s.Latest(ctx); err != nil {
		if err == ErrNotFound {
			err = ErrTooFew
		}
		return
	}
	if from, err = s.Previous(ctx, to.ID); err == ErrNotFound {
		err = ErrTooFew
	}
	return
}

// Diff compares two snapshots. Rows are compared by identity (user ×
// account × permission set × path) in a merge of two key-ordered scans,
// so memory grows with the changes and the organization, not with the
// snapshots. The changed rows reach emit in report order (account,
// permission set, path, user), LOST before GAINED for the same place.
func (s *Store) Diff(ctx context.Context, from, to Snapshot, emit func(Change) error) (*Diff, error) {
	res := &Diff{From: from, To: to}
	lost, gained, err := s.mergeKeys(ctx, from.ID, to.ID)
	if err != nil {
		return nil, err
	}
	res.Lost, res.Gained = len(lost), len(gained)
	fromDims, err := s.loadDims(ctx, from.ID)
	if err != nil {
		return nil, err
	}
	toDims, err := s.loadDims(ctx, to.ID)
	if err != nil {
		return nil, err
	}
	// Each side reads on its own goroutine (and connection).
	lostNext, stopLostScan := s.rowsBySeq(ctx, from.ID, lost, fromDims)
	lostRows, stopLost := prefetch(lostNext)
	defer func() { stopLost(); stopLostScan() }()
	gainedNext, stopGainedScan := s.rowsBySeq(ctx, to.ID, gained, toDims)
	gainedRows, stopGained := prefetch(gainedNext)
	defer func() { stopGained(); stopGainedScan() }()
	accounts := map[string]*Count{}
	psets := map[string]*Count{}
	count := func(r audit.Row, change string) {
		a := accounts[r.AccountId]
		if a == nil {
			a = &Count{Id: r.AccountId, Name: r.AccountName}
			accounts[r.AccountId] = a
		}
		p := psets[r.PermissionSetArn]
		if p == nil {
			p = &Count{Id: r.PermissionSetArn, Name: r.PermissionSet}
			psets[r.PermissionSetArn] = p
		}
		if change == Gained {
			a.Gained++
			p.Gained++
			a.Name, p.Name = r.AccountName, r.PermissionSet // the newer name
		} else {
			a.Lost++
			p.Lost++
		}
	}
	l, lok, err := lostRows()
	if err != nil {
		return nil, err
	}
	g, gok, err := gainedRows()
	if err != nil {
		return nil, err
	}
	for lok || gok {
		var c Change
		if lok && (!gok || compareRows(l, g) <= 0) {
			c = Change{Lost, l}
			l, lok, err = lostRows()
		} else {
			c = Change{Gained, g}
			g, gok, err = gainedRows()
		}
		if err != nil {
			return nil, err
		}
		count(c.Row, c.Change)
		if err := emit(c); err != nil {
			return nil, err
		}
	}
	res.Accounts = sortedCounts(accounts)
	res.PermissionSets = sortedCounts(psets)
	if res.Appeared, res.Resolved, err = s.diffFindings(ctx, from.ID, to.ID); err != nil {
		return nil, err
	}
	return res, nil
}

func sortedCounts(m map[string]*Count) []Count {
	out := make([]Count, 0, len(m))
	for _, c := range m {
		out = append(out, *c)
	}
	slices.SortFunc(out, func(a, b Count) int { return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.Id, b.Id)) })
	return out
}

// compareRows orders rows as the audit's report does: account, permission
// set, direct before group, group name, principal, user.
func compareRows(x, y audit.Row) int {
	return cmp.Or(
		cmp.Compare(x.AccountName, y.AccountName), cmp.Compare(x.AccountId, y.AccountId),
		cmp.Compare(x.PermissionSet, y.PermissionSet), cmp.Compare(x.PermissionSetArn, y.PermissionSetArn),
		cmp.Compare(assignments.TypeRank(x.PrincipalType), assignments.TypeRank(y.PrincipalType)), cmp.Compare(x.GroupName, y.GroupName),
		cmp.Compare(x.PrincipalId, y.PrincipalId), cmp.Compare(x.UserName, y.UserName), cmp.Compare(x.UserId, y.UserId),
	)
}

type rowKey [5]int64

func (k rowKey) cmp(o rowKey) int {
	for i := range k {
		if c := cmp.Compare(k[i], o[i]); c != 0 {
			return c
		}
	}
	return 0
}

// mergeKeys walks both snapshots' rows in key order at once and returns
// the positions (seq) of the rows only in from (lost) and only in to
// (gained), each sorted.
func (s *Store) mergeKeys(ctx context.Context, from, to int64) (lost, gained []int64, err error) {
	const q = `SELECT account, permission_set, principal, user, dup, seq FROM access_row WHERE snapshot = ? ORDER BY account, permission_set, principal, user, dup`
	a, err := s.db.QueryContext(ctx, q, from)
	if err != nil {
		return nil, nil, s.explain("read", err)
	}
	defer a.Close()
	b, err := s.db.QueryContext(ctx, q, to)
	if err != nil {
		return nil, nil, s.explain("read", err)
	}
	defer b.Close()
	type keyed struct {
		k   rowKey
		seq int64
	}
	scan := func(rs *sql.Rows) func() (keyed, bool, error) {
		return func() (keyed, bool, error) {
			var x keyed
			if !rs.Next() {
				return x, false, rs.Err()
			}
			err := rs.Scan(&x.k[0], &x.k[1], &x.k[2], &x.k[3], &x.k[4], &x.seq)
			return x, err == nil, err
		}
	}
	// Both scans run ahead on their own goroutines.
	nextA, stopA := prefetch(scan(a))
	defer stopA()
	nextB, stopB := prefetch(scan(b))
	defer stopB()
	next := func(get func() (keyed, bool, error)) (rowKey, int64, bool, error) {
		x, ok, err := get()
		return x.k, x.seq, ok, err
	}
	ka, sa, oka, err := next(nextA)
	if err != nil {
		return nil, nil, s.explain("read", err)
	}
	kb, sb, okb, err := next(nextB)
	if err != nil {
		return nil, nil, s.explain("read", err)
	}
	for (oka || okb) && err == nil {
		switch {
		case oka && okb && ka.cmp(kb) == 0:
			ka, sa, oka, err = next(nextA)
			if err == nil {
				kb, sb, okb, err = next(nextB)
			}
		case oka && (!okb || ka.cmp(kb) < 0):
			lost = append(lost, sa)
			ka, sa, oka, err = next(nextA)
		default:
			gained = append(gained, sb)
			kb, sb, okb, err = next(nextB)
		}
	}
	if err != nil {
		return nil, nil, s.explain("read", err)
	}
	slices.Sort(lost)
	slices.Sort(gained)
	return lost, gained, nil
}

// rowsBySeq returns an iterator over the rows at the given sorted
// positions of a snapshot: one lookup each when they are few, else one
// scan in report order that keeps the wanted ones.
func (s *Store) rowsBySeq(ctx context.Context, snapshot int64, seqs []int64, d *dims) (next func() (audit.Row, bool, error), stop func()) {
	i := 0
	if len(seqs) < 20000 {
		return func() (audit.Row, bool, error) {
			if i >= len(seqs) {
				return audit.Row{}, false, nil
			}
			rows, err := s.db.QueryContext(ctx, `SELECT `+storedRowCols+` FROM access_row WHERE snapshot = ? AND seq = ?`, snapshot, seqs[i])
			i++
			if err != nil {
				return audit.Row{}, false, s.explain("read", err)
			}
			defer rows.Close()
			var sr storedRow
			if !rows.Next() {
				if err := rows.Err(); err != nil {
					return audit.Row{}, false, s.explain("read", err)
				}
				return audit.Row{}, false, fmt.Errorf("history database %s: row %d of snapshot %d is missing", s.path, seqs[i-1], snapshot)
			}
			if err := scanStored(rows, &sr); err != nil {
				return audit.Row{}, false, s.explain("read", err)
			}
			r, err := d.row(&sr)
			return r, err == nil, err
		}, func() {}
	}
	var scan *sql.Rows
	stop = func() {
		if scan != nil {
			scan.Close()
			scan = nil
		}
	}
	return func() (audit.Row, bool, error) {
		if i >= len(seqs) {
			stop()
			return audit.Row{}, false, nil
		}
		if scan == nil {
			rs, err := s.db.QueryContext(ctx, `SELECT `+storedRowCols+` FROM access_row WHERE snapshot = ? AND seq >= ? ORDER BY seq`, snapshot, seqs[i])
			if err != nil {
				return audit.Row{}, false, s.explain("read", err)
			}
			scan = rs
		}
		var sr storedRow
		for scan.Next() {
			if err := scanStored(scan, &sr); err != nil {
				return audit.Row{}, false, s.explain("read", err)
			}
			if sr.seq == seqs[i] {
				i++
				r, err := d.row(&sr)
				return r, err == nil, err
			}
		}
		if err := scan.Err(); err != nil {
			return audit.Row{}, false, s.explain("read", err)
		}
		return audit.Row{}, false, fmt.Errorf("history database %s: row %d of snapshot %d is missing", s.path, seqs[i], snapshot)
	}, stop
}

// diffFindings compares the findings of two snapshots by what they are
// about (kind, account, permission set, principal, name).
func (s *Store) diffFindings(ctx context.Context, from, to int64) (appeared, resolved []audit.Finding, err error) {
	a, err := s.Findings(ctx, from)
	if err != nil {
		return nil, nil, err
	}
	b, err := s.Findings(ctx, to)
	if err != nil {
		return nil, nil, err
	}
	key := func(f audit.Finding) audit.Finding { f.Detail, f.AccountName = "", ""; return f }
	only := func(x, y []audit.Finding) []audit.Finding {
		in := make(map[audit.Finding]bool, len(y))
		for _, f := range y {
			in[key(f)] = true
		}
		out := []audit.Finding{}
		for _, f := range x {
			if !in[key(f)] {
				out = append(out, f)
			}
		}
		return out
	}
	return only(b, a), only(a, b), nil
}
