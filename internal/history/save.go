package history

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ssoctl/ssoctl/internal/assignments"
	"github.com/ssoctl/ssoctl/internal/audit"
)

// Entity kinds in the entity table.
const (
	kindAccount       = 1
	kindPermissionSet = 2
	kindPrincipal     = 3
	kindUser          = 4
)

// Saver writes one snapshot while the audit's rows stream. The rows are
// written by a goroutine of its own, beside the audit's own report
// writing; nothing becomes visible until Finish commits, and Abort (or a
// cancelled context) leaves the database as it was.
type Saver struct {
	s    *Store
	ctx  context.Context
	conn *sql.Conn
	tx   *sql.Tx
	id   int64

	rows chan audit.Row
	done chan struct{}

	mu  sync.Mutex
	err error

	// Owned by the writer goroutine.
	entities map[entityKey]int64
	nextRef  int64
	accounts map[int64][2]string
	psets    map[int64]string
	princs   map[int64]string
	users    map[int64][5]string
	blockA   int64
	blockP   int64
	dups     map[[2]int64]int
	seq      int64
	last     last

	rowIns, rowInsX, entIns, accIns, psIns, prIns, userIns *batch
	closed                                                 bool

	// jobs carries full batches to the executor goroutine, so SQLite's
	// work and the rows' preparation run on two cores.
	jobs     chan job
	execDone chan struct{}
}

type entityKey struct {
	kind int
	key  string
}

// Begin starts a snapshot taken at created. It holds the database's write
// lock until Finish or Abort.
func (s *Store) Begin(ctx context.Context, created time.Time) (*Saver, error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, s.explain("open", err)
	}
	// Bigger page cache for this connection: a large snapshot's index
	// pages then stay in memory until commit.
	if _, err := conn.ExecContext(ctx, "PRAGMA cache_size = -32768"); err != nil {
		conn.Close()
		return nil, s.explain("open", err)
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		conn.Close()
		return nil, s.explain("save to", err)
	}
	w := &Saver{s: s, ctx: ctx, conn: conn, tx: tx,
		rows: make(chan audit.Row, 2048), done: make(chan struct{}),
		entities: map[entityKey]int64{},
		accounts: map[int64][2]string{}, psets: map[int64]string{}, princs: map[int64]string{}, users: map[int64][5]string{},
		dups: map[[2]int64]int{},
	}
	fail := func(err error) (*Saver, error) {
		tx.Rollback()
		conn.Close()
		return nil, s.explain("save to", err)
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO snapshot (created) VALUES (?)`, created.UTC().Format(time.RFC3339Nano))
	if err != nil {
		return fail(err)
	}
	if w.id, err = res.LastInsertId(); err != nil {
		return fail(err)
	}
	// Every identity seen before, so rows refer to the same numbers.
	ents, err := tx.QueryContext(ctx, `SELECT ref, kind, key FROM entity`)
	if err != nil {
		return fail(err)
	}
	for ents.Next() {
		var (
			ref int64
			k   entityKey
		)
		if err := ents.Scan(&ref, &k.kind, &k.key); err != nil {
			ents.Close()
			return fail(err)
		}
		w.entities[k] = ref
		w.nextRef = max(w.nextRef, ref)
	}
	ents.Close()
	if err := ents.Err(); err != nil {
		return fail(err)
	}
	w.nextRef++
	w.jobs, w.execDone = make(chan job, 16), make(chan struct{})
	snap := strconv.FormatInt(w.id, 10)
	nb := func(table string, cols []string, per int) *batch {
		b := newBatch(tx, table, cols, per)
		b.jobs = w.jobs
		if cols[0] == "snapshot" {
			b.lit = snap
		}
		return b
	}
	// Most rows have neither flags nor an exact copy: they bind six values.
	w.rowIns = nb("access_row", []string{"snapshot", "account", "permission_set", "principal", "user", "dup", "seq"}, 200)
	w.rowInsX = nb("access_row", []string{"snapshot", "account", "permission_set", "principal", "user", "dup", "seq", "flags", "exact"}, 100)
	w.entIns = nb("entity", []string{"ref", "kind", "key"}, 100)
	w.accIns = nb("snap_account", []string{"snapshot", "ref", "name", "status"}, 100)
	w.psIns = nb("snap_permission_set", []string{"snapshot", "ref", "name"}, 100)
	w.prIns = nb("snap_principal", []string{"snapshot", "ref", "group_name"}, 100)
	w.userIns = nb("snap_user", []string{"snapshot", "ref", "email", "user_name", "status", "display_name", "iam"}, 100)
	go w.execute()
	go w.write()
	return w, nil
}

// ID is the id the snapshot will have once committed.
func (w *Saver) ID() int64 { return w.id }

// Row adds the next row of the report. It does not wait for the row to be
// written; an earlier write error is returned here.
func (w *Saver) Row(r audit.Row) error {
	if err := w.failed(); err != nil {
		return err
	}
	select {
	case w.rows <- r:
		return nil
	case <-w.ctx.Done():
		return w.ctx.Err()
	}
}

func (w *Saver) failed() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}

func (w *Saver) fail(err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err == nil {
		w.err = w.s.explain("save to", err)
	}
}

// write runs on its own goroutine and stores rows as they arrive. After an
// error it keeps receiving (and dropping) rows so Row never blocks.
func (w *Saver) write() {
	defer close(w.done)
	for r := range w.rows {
		if w.failed() != nil {
			continue
		}
		if err := w.row(r); err != nil {
			w.fail(err)
		}
	}
}

func (w *Saver) ref(kind int, key string) (int64, error) {
	k := entityKey{kind, key}
	if ref, ok := w.entities[k]; ok {
		return ref, nil
	}
	ref := w.nextRef
	w.nextRef++
	w.entities[k] = ref
	return ref, w.entIns.add(w.ctx, ref, kind, key)
}

// last remembers the previous row's account, permission set and
// principal: consecutive rows mostly share them (a block is one account
// and permission set, a group's members follow each other), and comparing
// strings is cheaper than three map lookups.
type last struct {
	acct, pset, princ          int64
	acctKey, psetKey, princKey [3]string
	acctOK, psetOK, princOK    bool // the previous row's names matched the snapshot's
}

func (w *Saver) row(r audit.Row) error {
	exact := false
	l := &w.last
	var a, p, pr int64
	if k := [3]string{r.AccountId, r.AccountName, r.AccountStatus}; l.acctKey == k && l.acct != 0 {
		a, exact = l.acct, !l.acctOK
	} else {
		var err error
		if a, err = w.ref(kindAccount, r.AccountId); err != nil {
			return err
		}
		ok := true
		if have, seen := w.accounts[a]; !seen {
			w.accounts[a] = [2]string{r.AccountName, r.AccountStatus}
			if err := w.accIns.add(w.ctx, a, r.AccountName, r.AccountStatus); err != nil {
				return err
			}
		} else {
			ok = have == [2]string{r.AccountName, r.AccountStatus}
		}
		l.acct, l.acctKey, l.acctOK = a, k, ok
		exact = !ok
	}
	if k := [3]string{r.PermissionSetArn, r.PermissionSet}; l.psetKey == k && l.pset != 0 {
		p, exact = l.pset, exact || !l.psetOK
	} else {
		var err error
		if p, err = w.ref(kindPermissionSet, r.PermissionSetArn); err != nil {
			return err
		}
		ok := true
		if have, seen := w.psets[p]; !seen {
			w.psets[p] = r.PermissionSet
			if err := w.psIns.add(w.ctx, p, r.PermissionSet); err != nil {
				return err
			}
		} else {
			ok = have == r.PermissionSet
		}
		l.pset, l.psetKey, l.psetOK = p, k, ok
		exact = exact || !ok
	}
	if k := [3]string{r.PrincipalType, r.PrincipalId, r.GroupName}; l.princKey == k && l.princ != 0 {
		pr, exact = l.princ, exact || !l.princOK
	} else {
		var err error
		if pr, err = w.ref(kindPrincipal, r.PrincipalType+":"+r.PrincipalId); err != nil {
			return err
		}
		ok := true
		if have, seen := w.princs[pr]; !seen {
			w.princs[pr] = r.GroupName
			if err := w.prIns.add(w.ctx, pr, r.GroupName); err != nil {
				return err
			}
		} else {
			ok = have == r.GroupName
		}
		l.princ, l.princKey, l.princOK = pr, k, ok
		exact = exact || !ok
	}
	var iam string
	if r.IAM != nil {
		b, err := json.Marshal(r.IAM)
		if err != nil {
			return err
		}
		iam = string(b)
	}
	attrs := [5]string{r.UserEmail, r.UserName, r.UserStatus, r.DisplayName, iam}
	var u int64
	if r.UserId == "" {
		exact = exact || attrs != [5]string{}
	} else {
		var err error
		if u, err = w.ref(kindUser, r.UserId); err != nil {
			return err
		}
		if have, ok := w.users[u]; !ok {
			w.users[u] = attrs
			var iamArg any
			if iam != "" {
				iamArg = iam
			}
			if err := w.userIns.add(w.ctx, u, r.UserEmail, r.UserName, r.UserStatus, r.DisplayName, iamArg); err != nil {
				return err
			}
		} else if have != attrs {
			exact = true
		}
	}
	var flags any
	if len(r.Flags) > 0 {
		joined := strings.Join(r.Flags, ";")
		flags = joined
		for _, f := range r.Flags {
			exact = exact || f == "" || strings.Contains(f, ";")
		}
	}
	var exactArg any
	if exact {
		b, err := json.Marshal(r)
		if err != nil {
			return err
		}
		exactArg = string(b)
	}
	// The audit writes one (account, permission set) block at a time, so
	// repeats of a key can only be within the current block.
	if a != w.blockA || p != w.blockP {
		w.blockA, w.blockP = a, p
		clear(w.dups)
	}
	k := [2]int64{pr, u}
	dup := w.dups[k]
	w.dups[k] = dup + 1
	w.seq++
	if flags == nil && exactArg == nil {
		return w.rowIns.add(w.ctx, a, p, pr, u, dup, w.seq)
	}
	return w.rowInsX.add(w.ctx, a, p, pr, u, dup, w.seq, flags, exactArg)
}

// execute runs on its own goroutine and carries out the full batches the
// writer prepares, in order. After an error it only drains them.
func (w *Saver) execute() {
	defer close(w.execDone)
	for j := range w.jobs {
		if w.failed() != nil {
			continue
		}
		if err := j.b.exec(w.ctx, j.args); err != nil {
			w.fail(err)
		}
	}
}

// stopWriter ends the row stream and waits for the writer and the
// executor.
func (w *Saver) stopWriter() {
	if !w.closed {
		w.closed = true
		close(w.rows)
		<-w.done
		close(w.jobs)
		<-w.execDone
	}
}

// Result is what the audit knows at its end, stored beside the rows.
type Result struct {
	InstanceArn     string
	IdentityStoreId string
	Method          string
	Columns         []string
	Findings        []audit.Finding
	Errors          []assignments.ItemError
	Notes           []string
	// Stats is the report's stats document, stored as JSON.
	Stats any
}

// Finish writes the findings, errors and stats and commits the snapshot.
func (w *Saver) Finish(res Result) (Snapshot, error) {
	w.stopWriter()
	defer w.conn.Close()
	if err := w.failed(); err != nil {
		w.tx.Rollback()
		return Snapshot{}, err
	}
	fail := func(err error) (Snapshot, error) {
		w.tx.Rollback()
		return Snapshot{}, w.s.explain("save to", err)
	}
	ctx := w.ctx
	for _, b := range []*batch{w.entIns, w.accIns, w.psIns, w.prIns, w.userIns, w.rowIns, w.rowInsX} {
		if err := b.flush(ctx); err != nil {
			return fail(err)
		}
	}
	fi := newBatch(w.tx, "finding", []string{"snapshot", "seq", "kind", "account_id", "account_name", "permission_set", "principal_type", "principal_id", "name", "detail"}, 50)
	for i, f := range res.Findings {
		if err := fi.add(ctx, w.id, i+1, f.Kind, f.AccountId, f.AccountName, f.PermissionSet, f.PrincipalType, f.PrincipalId, f.Name, f.Detail); err != nil {
			return fail(err)
		}
	}
	if err := fi.flush(ctx); err != nil {
		return fail(err)
	}
	for i, e := range res.Errors {
		if _, err := w.tx.ExecContext(ctx, `INSERT INTO item_error (snapshot, seq, item, error) VALUES (?, ?, ?, ?)`, w.id, i+1, e.Item, e.Error); err != nil {
			return fail(err)
		}
	}
	stats, err := json.Marshal(res.Stats)
	if err != nil {
		return fail(fmt.Errorf("stats: %w", err))
	}
	notes, err := json.Marshal(append([]string{}, res.Notes...))
	if err != nil {
		return fail(fmt.Errorf("notes: %w", err))
	}
	if _, err := w.tx.ExecContext(ctx, `UPDATE snapshot SET instance_arn = ?, identity_store_id = ?, method = ?, rows = ?, findings = ?, errors = ?, columns = ?, notes = ?, stats = ? WHERE id = ?`,
		res.InstanceArn, res.IdentityStoreId, res.Method, w.seq, len(res.Findings), len(res.Errors), strings.Join(res.Columns, ","), string(notes), string(stats), w.id); err != nil {
		return fail(err)
	}
	if err := w.tx.Commit(); err != nil {
		return fail(err)
	}
	return w.s.Get(context.WithoutCancel(ctx), w.id)
}

// Abort drops the snapshot. It is safe to call after Finish (it then does
// nothing), so callers can defer it.
func (w *Saver) Abort() {
	w.stopWriter()
	w.tx.Rollback()
	w.conn.Close()
}

// batch inserts rows into one table, many per statement.
type batch struct {
	tx    *sql.Tx
	table string
	cols  []string
	per   int
	lit   string // when set, the first column's value, written into the statement
	args  []any
	full  *sql.Stmt // used by whoever executes (the executor goroutine)
	jobs  chan<- job
}

// job is a full batch's values, for the executor.
type job struct {
	b    *batch
	args []any
}

func newBatch(tx *sql.Tx, table string, cols []string, per int) *batch {
	return &batch{tx: tx, table: table, cols: cols, per: per}
}

// bound is how many values a row binds.
func (b *batch) bound() int {
	if b.lit != "" {
		return len(b.cols) - 1
	}
	return len(b.cols)
}

func (b *batch) query(n int) string {
	one := strings.TrimSuffix(strings.Repeat("?,", b.bound()), ",")
	if b.lit != "" {
		one = b.lit + "," + one
	}
	one = "(" + one + ")"
	return "INSERT INTO " + b.table + " (" + strings.Join(b.cols, ",") + ") VALUES " + strings.TrimSuffix(strings.Repeat(one+",", n), ",")
}

// add appends one row's values; a full batch goes to the executor (or is
// executed at once when there is none).
func (b *batch) add(ctx context.Context, vals ...any) error {
	if b.args == nil {
		b.args = make([]any, 0, b.per*b.bound())
	}
	b.args = append(b.args, vals...)
	if len(b.args) < b.per*b.bound() {
		return nil
	}
	args := b.args
	b.args = nil
	if b.jobs == nil {
		return b.exec(ctx, args)
	}
	select {
	case b.jobs <- job{b, args}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (b *batch) exec(ctx context.Context, args []any) error {
	n := len(args) / b.bound()
	if n == b.per {
		if b.full == nil {
			st, err := b.tx.PrepareContext(ctx, b.query(b.per))
			if err != nil {
				return err
			}
			b.full = st
		}
		_, err := b.full.ExecContext(ctx, args...)
		return err
	}
	_, err := b.tx.ExecContext(ctx, b.query(n), args...)
	return err
}

// flush executes what is left, directly (the executor has finished).
func (b *batch) flush(ctx context.Context) error {
	if len(b.args) == 0 {
		return nil
	}
	args := b.args
	b.args = nil
	return b.exec(ctx, args)
}
