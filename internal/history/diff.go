package history

import (
	"bytes"
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"github.com/ssoctl/ssoctl/internal/activity"
	"github.com/ssoctl/ssoctl/internal/assignments/list"
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
	// Actor and EventTime say who made the change and when, where a
	// CloudTrail event that an incremental audit between the two
	// snapshots read explains it (empty otherwise).
	Actor     string
	EventTime time.Time
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
	facts, err := s.Facts(ctx, min(from.ID, to.ID), max(from.ID, to.ID))
	if err != nil {
		return nil, err
	}
	explain := activity.NewExplainer(facts)
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
			c = Change{Change: Lost, Row: l}
			l, lok, err = lostRows()
		} else {
			c = Change{Change: Gained, Row: g}
			g, gok, err = gainedRows()
		}
		if err != nil {
			return nil, err
		}
		if f, ok := explain.Explain(c.Change, c.Row); ok {
			c.Actor, c.EventTime = f.Actor, f.Time
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
		cmp.Compare(list.TypeRank(x.PrincipalType), list.TypeRank(y.PrincipalType)), cmp.Compare(x.GroupName, y.GroupName),
		cmp.Compare(x.PrincipalId, y.PrincipalId), cmp.Compare(x.UserName, y.UserName), cmp.Compare(x.UserId, y.UserId),
	)
}

// group is one snapshot's blocks of one account and permission set.
type group struct {
	account, pset int64
	blocks        []storedBlock
}

// groups returns an iterator over a snapshot's blocks, gathered by
// account and permission set in the order of their refs.
func (s *Store) groups(ctx context.Context, snapshot int64) (next func() (group, bool, error), stop func(), err error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+storedBlockCols+` FROM access_block WHERE snapshot = ? ORDER BY account, permission_set, first_row`, snapshot)
	if err != nil {
		return nil, nil, err
	}
	var (
		pending storedBlock
		have    bool
	)
	return func() (group, bool, error) {
		var g group
		if !have {
			if !rows.Next() {
				return g, false, rows.Err()
			}
			if err := scanBlock(rows, &pending); err != nil {
				return g, false, err
			}
		}
		g.account, g.pset, g.blocks = pending.account, pending.pset, []storedBlock{pending}
		have = false
		for rows.Next() {
			var b storedBlock
			if err := scanBlock(rows, &b); err != nil {
				return g, false, err
			}
			if b.account != g.account || b.pset != g.pset {
				pending, have = b, true
				break
			}
			g.blocks = append(g.blocks, b)
		}
		return g, true, rows.Err()
	}, func() { rows.Close() }, nil
}

func (g *group) cmp(o *group) int {
	if c := cmpInt(g.account, o.account); c != 0 {
		return c
	}
	return cmpInt(g.pset, o.pset)
}

// same reports whether two groups hold the same rows: bodies byte for byte
// equal (their positions may differ).
func (g *group) same(o *group) bool {
	if len(g.blocks) != len(o.blocks) {
		return false
	}
	for i := range g.blocks {
		if g.blocks[i].rows != o.blocks[i].rows || !bytes.Equal(g.blocks[i].body, o.blocks[i].body) {
			return false
		}
	}
	return true
}

// positions appends the positions of every row of g.
func (g *group) positions(into []int64) []int64 {
	for _, b := range g.blocks {
		for i := int64(0); i < b.rows; i++ {
			into = append(into, b.first+i)
		}
	}
	return into
}

// mergeKeys walks both snapshots' blocks by account and permission set at
// once and returns the positions of the rows only in from (lost) and only
// in to (gained), each sorted. Groups whose bodies are equal are skipped
// without decoding; the others are decoded and merged by identity.
func (s *Store) mergeKeys(ctx context.Context, from, to int64) (lost, gained []int64, err error) {
	nextA, closeA, err := s.groups(ctx, from)
	if err != nil {
		return nil, nil, s.explain("read", err)
	}
	defer closeA()
	nextB, closeB, err := s.groups(ctx, to)
	if err != nil {
		return nil, nil, s.explain("read", err)
	}
	defer closeB()
	// Both scans run ahead on their own goroutines.
	getA, stopA := prefetch(nextA)
	defer stopA()
	getB, stopB := prefetch(nextB)
	defer stopB()
	ga, oka, err := getA()
	if err != nil {
		return nil, nil, s.explain("read", err)
	}
	gb, okb, err := getB()
	if err != nil {
		return nil, nil, s.explain("read", err)
	}
	var ia, ib []rowIdentity
	for (oka || okb) && err == nil {
		switch {
		case oka && okb && ga.cmp(&gb) == 0:
			if !ga.same(&gb) {
				if ia, err = identities(ga.blocks, ia); err != nil {
					break
				}
				if ib, err = identities(gb.blocks, ib); err != nil {
					break
				}
				lost, gained = mergeIdentities(ia, ib, lost, gained)
			}
			if ga, oka, err = getA(); err == nil {
				gb, okb, err = getB()
			}
		case oka && (!okb || ga.cmp(&gb) < 0):
			lost = ga.positions(lost)
			ga, oka, err = getA()
		default:
			gained = gb.positions(gained)
			gb, okb, err = getB()
		}
	}
	if err != nil {
		return nil, nil, s.explain("read", err)
	}
	slices.Sort(lost)
	slices.Sort(gained)
	return lost, gained, nil
}

// mergeIdentities appends the positions of the rows only in a to lost and
// of those only in b to gained; both are sorted by identity.
func mergeIdentities(a, b []rowIdentity, lost, gained []int64) ([]int64, []int64) {
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case i < len(a) && j < len(b) && a[i].cmp(b[j]) == 0:
			i++
			j++
		case i < len(a) && (j == len(b) || a[i].cmp(b[j]) < 0):
			lost = append(lost, a[i].seq)
			i++
		default:
			gained = append(gained, b[j].seq)
			j++
		}
	}
	return lost, gained
}

// lookupBelow is how many wanted rows are fetched block by block; more
// are read with one scan of the snapshot.
const lookupBelow = 2000

// rowsBySeq returns an iterator over the rows at the given sorted
// positions of a snapshot: the blocks that hold them looked up one by one
// when they are few, else one scan in report order that keeps the wanted
// ones.
func (s *Store) rowsBySeq(ctx context.Context, snapshot int64, seqs []int64, d *dims) (next func() (audit.Row, bool, error), stop func()) {
	var (
		scan  *sql.Rows
		block storedBlock
		rows  []blockRow // block's rows, decoded
		i     int
	)
	stop = func() {
		if scan != nil {
			scan.Close()
			scan = nil
		}
	}
	missing := func(seq int64) error {
		return fmt.Errorf("history database %s: row %d of snapshot %d is missing", s.path, seq, snapshot)
	}
	// load makes block the one that holds seq.
	load := func(seq int64) error {
		if len(seqs) < lookupBelow {
			rs, err := s.db.QueryContext(ctx, `SELECT `+storedBlockCols+` FROM access_block WHERE snapshot = ? AND first_row <= ? ORDER BY first_row DESC LIMIT 1`, snapshot, seq)
			if err != nil {
				return s.explain("read", err)
			}
			defer rs.Close()
			if !rs.Next() {
				if err := rs.Err(); err != nil {
					return s.explain("read", err)
				}
				return missing(seq)
			}
			if err := scanBlock(rs, &block); err != nil {
				return s.explain("read", err)
			}
		} else {
			if scan == nil {
				rs, err := s.db.QueryContext(ctx, `SELECT `+storedBlockCols+` FROM access_block WHERE snapshot = ? ORDER BY first_row`, snapshot)
				if err != nil {
					return s.explain("read", err)
				}
				scan = rs
			}
			for {
				if !scan.Next() {
					if err := scan.Err(); err != nil {
						return s.explain("read", err)
					}
					return missing(seq)
				}
				if err := scanBlock(scan, &block); err != nil {
					return s.explain("read", err)
				}
				if block.first+block.rows > seq {
					break
				}
			}
		}
		if seq < block.first || seq >= block.first+block.rows {
			return missing(seq)
		}
		var err error
		if rows, err = decodeBlock(block.body, int(block.rows), false); err != nil {
			return s.explain("read", block.damaged())
		}
		return nil
	}
	return func() (audit.Row, bool, error) {
		if i >= len(seqs) {
			stop()
			return audit.Row{}, false, nil
		}
		seq := seqs[i]
		i++
		if rows == nil || seq >= block.first+block.rows {
			if err := load(seq); err != nil {
				return audit.Row{}, false, err
			}
		}
		r, err := d.row(block.account, block.pset, &rows[seq-block.first])
		if err != nil {
			return audit.Row{}, false, s.explain("read", block.damaged())
		}
		return r, true, nil
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
