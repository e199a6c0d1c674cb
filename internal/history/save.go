package history

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/binary"
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
// encoded by a goroutine of its own, beside the audit's own report
// writing, and stored by another; nothing becomes visible until Finish
// commits, and Abort (or a cancelled context) leaves the database as it
// was. A Saver is used by one goroutine at a time.
type Saver struct {
	s    *Store
	ctx  context.Context
	conn *sql.Conn
	tx   *sql.Tx
	id   int64

	// Rows travel to the writer rowBatch at a time; free returns the
	// batches' memory.
	cur  []audit.Row
	rows chan []audit.Row
	free chan []audit.Row
	done chan struct{}

	mu  sync.Mutex
	err error

	// Owned by the writer goroutine.
	entities map[entityKey]int64
	nextRef  int64
	accounts map[int64][2]string
	psets    map[int64]string
	princs   map[int64]string
	users    map[string]*userEntry // by user id
	// runs are, per principal, the users of its latest run of rows in
	// order: a group's members come in the same order in every block it
	// is assigned in, so a row's user is mostly found there by one string
	// comparison instead of a map lookup.
	runs     map[int64]*[]runSlot
	run      *[]runSlot // the current principal's
	runPos   int
	runPrinc int64
	seq      int64
	last     last

	block      blockWriter
	blockA     int64
	blockP     int64
	blockFirst int64
	chunk      []byte // users not yet stored, encoded
	chunkUsers int
	chunkSeq   int
	blockIns   *batch
	usersIns   *batch
	entIns     *batch
	accIns     *batch
	psIns      *batch
	prIns      *batch
	closed     bool

	// jobs carries full batches to the executor goroutine, so SQLite's
	// work and the rows' encoding run on two cores.
	jobs     chan job
	execDone chan struct{}
}

// rowBatch is how many rows go to the writer at once.
const rowBatch = 256

// userChunk is how many users' names one snap_users row holds.
const userChunk = 1024

// userEntry is a user seen in this snapshot: its ref and the names its
// first row had.
type userEntry struct {
	id    string
	ref   int64
	attrs [5]string // e-mail, user name, status, display name, IAM status (JSON)
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
		rows: make(chan []audit.Row, 8), free: make(chan []audit.Row, 10), done: make(chan struct{}),
		entities: map[entityKey]int64{},
		accounts: map[int64][2]string{}, psets: map[int64]string{}, princs: map[int64]string{}, users: map[string]*userEntry{}, runs: map[int64]*[]runSlot{},
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
	w.blockIns = nb("access_block", []string{"snapshot", "first_row", "rows", "account", "permission_set", "body"}, 64)
	w.usersIns = nb("snap_users", []string{"snapshot", "seq", "users", "body"}, 1)
	w.entIns = nb("entity", []string{"ref", "kind", "key"}, 100)
	w.accIns = nb("snap_account", []string{"snapshot", "ref", "name", "status"}, 100)
	w.psIns = nb("snap_permission_set", []string{"snapshot", "ref", "name"}, 100)
	w.prIns = nb("snap_principal", []string{"snapshot", "ref", "group_name"}, 100)
	go w.execute()
	go w.write()
	return w, nil
}

// ID is the id the snapshot will have once committed.
func (w *Saver) ID() int64 { return w.id }

// Row adds the next row of the report. It does not wait for the row to be
// written; an earlier write error is returned here.
func (w *Saver) Row(r audit.Row) error {
	if w.cur == nil {
		select {
		case w.cur = <-w.free:
		default:
			w.cur = make([]audit.Row, 0, rowBatch)
		}
	}
	w.cur = append(w.cur, r)
	if len(w.cur) < rowBatch {
		return nil
	}
	return w.send()
}

// send hands the rows gathered so far to the writer.
func (w *Saver) send() error {
	if err := w.failed(); err != nil {
		return err
	}
	if len(w.cur) == 0 {
		return nil
	}
	select {
	case w.rows <- w.cur:
		w.cur = nil
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

// write runs on its own goroutine and encodes rows as they arrive, then
// the last block and users. After an error it keeps receiving (and
// dropping) rows so Row never blocks.
func (w *Saver) write() {
	defer close(w.done)
	// While the audit discovers the organization, before its first row.
	if err := w.loadEntities(); err != nil {
		w.fail(err)
	}
	for rs := range w.rows {
		if w.failed() == nil {
			for i := range rs {
				if err := w.row(&rs[i]); err != nil {
					w.fail(err)
					break
				}
			}
		}
		clear(rs)
		select {
		case w.free <- rs[:0]:
		default:
		}
	}
	if w.failed() == nil {
		if err := w.endBlock(); err != nil {
			w.fail(err)
		} else if err := w.endUsers(); err != nil {
			w.fail(err)
		}
	}
}

// loadEntities reads every identity seen before, so rows refer to the same
// numbers in every snapshot.
func (w *Saver) loadEntities() error {
	ents, err := w.tx.QueryContext(w.ctx, `SELECT ref, kind, key FROM entity`)
	if err != nil {
		return err
	}
	defer ents.Close()
	for ents.Next() {
		var (
			ref int64
			k   entityKey
		)
		if err := ents.Scan(&ref, &k.kind, &k.key); err != nil {
			return err
		}
		w.entities[k] = ref
		w.nextRef = max(w.nextRef, ref)
	}
	w.nextRef++
	return ents.Err()
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

func (w *Saver) row(r *audit.Row) error {
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
	if pr != w.runPrinc || a != w.blockA || p != w.blockP {
		w.startRun(pr)
	}
	var u int64
	if r.UserId == "" {
		exact = exact || r.UserEmail != "" || r.UserName != "" || r.UserStatus != "" || r.DisplayName != "" || r.IAM != nil
	} else {
		var iam string
		if r.IAM != nil {
			b, err := json.Marshal(r.IAM)
			if err != nil {
				return err
			}
			iam = string(b)
		}
		attrs := [5]string{r.UserEmail, r.UserName, r.UserStatus, r.DisplayName, iam}
		e, err := w.runUser(r.UserId, attrs)
		if err != nil {
			return err
		}
		if e.attrs != attrs {
			exact = true
		}
		u = e.ref
	}
	var exactJSON []byte
	if exact {
		b, err := json.Marshal(r)
		if err != nil {
			return err
		}
		exactJSON = b
	}
	// A block is one account and permission set, up to maxBlockRows rows.
	if a != w.blockA || p != w.blockP || w.block.rows == maxBlockRows {
		if err := w.endBlock(); err != nil {
			return err
		}
		w.blockA, w.blockP, w.blockFirst = a, p, w.seq+1
	}
	w.block.add(pr, u, r.Flags, exactJSON)
	w.seq++
	return nil
}

// runSlot is a user's place in a run: its id beside its entry, so that
// walking a run compares ids in memory read in order.
type runSlot struct {
	id string
	e  *userEntry
}

// startRun begins a run of rows of principal pr.
func (w *Saver) startRun(pr int64) {
	w.runPrinc, w.runPos = pr, 0
	w.run = w.runs[pr]
	if w.run == nil {
		w.run = new([]runSlot)
		w.runs[pr] = w.run
	}
}

// runUser returns the entry of user id, the next row of the current run;
// a user not seen before is interned with attrs.
func (w *Saver) runUser(id string, attrs [5]string) (*userEntry, error) {
	run := *w.run
	k := w.runPos
	w.runPos++
	if k < len(run) && run[k].id == id {
		return run[k].e, nil
	}
	e := w.users[id]
	if e == nil {
		ref, err := w.ref(kindUser, id)
		if err != nil {
			return nil, err
		}
		e = &userEntry{id: id, ref: ref, attrs: attrs}
		w.users[id] = e
		if err := w.addUser(e); err != nil {
			return nil, err
		}
	}
	if k < len(run) {
		run[k] = runSlot{id, e}
	} else {
		*w.run = append(run, runSlot{id, e})
	}
	return e, nil
}

// endBlock queues the block being encoded, if it has rows.
func (w *Saver) endBlock() error {
	if w.block.rows == 0 {
		return nil
	}
	err := w.blockIns.add(w.ctx, w.blockFirst, w.block.rows, w.blockA, w.blockP, bytes.Clone(w.block.buf))
	w.block.reset()
	return err
}

// addUser encodes a user's names into the chunk being gathered.
func (w *Saver) addUser(e *userEntry) error {
	w.chunk = binary.AppendUvarint(w.chunk, uint64(e.ref))
	for _, s := range e.attrs {
		w.chunk = appendString(w.chunk, s)
	}
	w.chunkUsers++
	if w.chunkUsers == userChunk {
		return w.endUsers()
	}
	return nil
}

// endUsers queues the users chunk being gathered, if it has users.
func (w *Saver) endUsers() error {
	if w.chunkUsers == 0 {
		return nil
	}
	w.chunkSeq++
	err := w.usersIns.add(w.ctx, w.chunkSeq, w.chunkUsers, w.chunk)
	w.chunk, w.chunkUsers = nil, 0
	return err
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
	if !w.closed {
		if err := w.send(); err != nil {
			w.fail(err)
		}
	}
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
	for _, b := range []*batch{w.entIns, w.accIns, w.psIns, w.prIns, w.usersIns, w.blockIns} {
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
