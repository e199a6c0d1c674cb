package history

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ssoctl/ssoctl/internal/activity"
	"github.com/ssoctl/ssoctl/internal/assignments/list"
	"github.com/ssoctl/ssoctl/internal/audit"
)

// Entity kinds in the entity table.
const (
	kindAccount       = 1
	kindPermissionSet = 2
	kindPrincipal     = 3
	kindUser          = 4
)

// Saver writes one snapshot while the audit's rows stream. Row encodes
// each row on the caller's goroutine, and SQLite's work on the encoded
// rows runs on a goroutine of its own; nothing becomes visible until
// Finish commits, and Abort (or a cancelled context) leaves the database
// as it was. A Saver is used by one goroutine at a time.
//
// What it keeps per user has no pointers (an interner's index and a few
// numbers), so the millions of rows of a large audit do not make the
// garbage collector revisit a pointer per user on every cycle.
type Saver struct {
	s    *Store
	ctx  context.Context
	conn *sql.Conn
	tx   *sql.Tx
	id   int64

	mu  sync.Mutex
	err error

	// loaded is closed once the identities of earlier snapshots are read
	// (on a goroutine of their own, while the audit discovers the
	// organization, before its first row).
	loaded  chan struct{}
	loadErr error
	ready   bool

	entities map[entityKey]int64 // accounts, permission sets, principals
	nextRef  int64
	accounts map[int64][2]string
	psets    map[int64]string
	princs   map[int64]string
	// users interns user ids; user holds, by the same index, the user's
	// ref and, once seen in this snapshot, its names.
	users *interner
	user  []userInfo
	// runs are, per principal, the users of its latest run of rows in
	// order: a group's members come in the same order in every block it
	// is assigned in, so a row's user is mostly found there by one
	// comparison instead of a hash lookup.
	runs     map[int64]*[]int32
	run      *[]int32 // the current principal's
	runPos   int
	runPrinc int64
	seq      int64
	last     last
	attrs    []byte // a row's user names, encoded

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

// userChunk is how many users' names one snap_users row holds.
const userChunk = 1024

// userInfo is what a Saver knows of a user: its ref and, when seen in
// this snapshot, where its first row's names are in the interner.
type userInfo struct {
	ref   int64
	attrs span
	seen  bool
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
	w := &Saver{s: s, ctx: ctx, conn: conn, tx: tx, loaded: make(chan struct{}),
		entities: map[entityKey]int64{},
		accounts: map[int64][2]string{}, psets: map[int64]string{}, princs: map[int64]string{},
		users: newInterner(), runs: map[int64]*[]int32{},
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
	go func() {
		defer close(w.loaded)
		w.loadErr = w.loadEntities()
	}()
	go w.execute()
	return w, nil
}

// ID is the id the snapshot will have once committed.
func (w *Saver) ID() int64 { return w.id }

// Row adds the next row of the report. It does not wait for the row to be
// stored; an earlier error storing rows is returned here.
func (w *Saver) Row(r audit.Row) error {
	w.waitLoaded()
	if w.seq%256 == 0 || w.closed {
		if err := w.failed(); err != nil {
			return err
		}
	}
	if w.closed {
		return w.s.explain("save to", errors.New("the snapshot is finished"))
	}
	if err := w.row(&r); err != nil {
		w.fail(err)
		return w.failed()
	}
	return nil
}

// waitLoaded waits, once, for the earlier identities to be read; an error
// reading them fails the snapshot.
func (w *Saver) waitLoaded() {
	if !w.ready {
		<-w.loaded
		w.ready = true
		if w.loadErr != nil {
			w.fail(w.loadErr)
		}
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

// loadEntities reads every identity seen before, so rows refer to the same
// numbers in every snapshot.
func (w *Saver) loadEntities() error {
	ents, err := w.tx.QueryContext(w.ctx, `SELECT ref, kind, key FROM entity`)
	if err != nil {
		return err
	}
	defer ents.Close()
	var key sql.RawBytes
	for ents.Next() {
		var (
			ref  int64
			kind int
		)
		if err := ents.Scan(&ref, &kind, &key); err != nil {
			return err
		}
		if kind == kindUser { // (kind, key) is unique in the table
			k := string(key)
			w.addUserRef(k, w.users.hash(k), ref)
		} else {
			w.entities[entityKey{kind, string(key)}] = ref
		}
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
	ref := w.newRef()
	w.entities[k] = ref
	return ref, w.entIns.add(w.ctx, ref, kind, key)
}

// newRef numbers a new identity.
func (w *Saver) newRef() int64 {
	ref := w.nextRef
	w.nextRef++
	return ref
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
		w.attrs = w.attrs[:0]
		for _, s := range [4]string{r.UserEmail, r.UserName, r.UserStatus, r.DisplayName} {
			w.attrs = appendString(w.attrs, s)
		}
		if r.IAM == nil {
			w.attrs = append(w.attrs, 0)
		} else {
			b, err := json.Marshal(r.IAM)
			if err != nil {
				return err
			}
			w.attrs = appendString(w.attrs, string(b))
		}
		i, err := w.runUser(r.UserId)
		if err != nil {
			return err
		}
		e := &w.user[i]
		if !e.seen {
			e.attrs, e.seen = w.users.store(w.attrs), true
			if err := w.addUser(e.ref, w.attrs); err != nil {
				return err
			}
		} else if !bytes.Equal(w.users.bytes(e.attrs), w.attrs) {
			exact = true
		}
		u = e.ref
	}
	var exactJSON []byte
	if exact {
		// A copy, so that r itself stays on the caller's stack.
		cp := *r
		b, err := json.Marshal(&cp)
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

// startRun begins a run of rows of principal pr.
func (w *Saver) startRun(pr int64) {
	w.runPrinc, w.runPos = pr, 0
	w.run = w.runs[pr]
	if w.run == nil {
		w.run = new([]int32)
		w.runs[pr] = w.run
	}
}

// runUser returns the index of user id, the next row of the current run;
// a user not seen before is numbered.
func (w *Saver) runUser(id string) (int32, error) {
	run := *w.run
	k := w.runPos
	w.runPos++
	if k < len(run) && string(w.users.key(run[k])) == id {
		return run[k], nil
	}
	h := w.users.hash(id)
	i, ok := w.users.find(id, h)
	if !ok {
		ref := w.newRef()
		i = w.addUserRef(id, h, ref)
		if err := w.entIns.add(w.ctx, ref, kindUser, id); err != nil {
			return -1, err
		}
	}
	if k < len(run) {
		run[k] = i
	} else {
		*w.run = append(run, i)
	}
	return i, nil
}

// addUserRef interns user id (not interned yet; h is its hash) as ref and
// returns its index in w.users and w.user.
func (w *Saver) addUserRef(id string, h uint64, ref int64) int32 {
	w.user = append(w.user, userInfo{ref: ref})
	return w.users.add(id, h)
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

// addUser encodes a user's names (attrs, encoded) into the chunk being
// gathered.
func (w *Saver) addUser(ref int64, attrs []byte) error {
	w.chunk = binary.AppendUvarint(w.chunk, uint64(ref))
	w.chunk = append(w.chunk, attrs...)
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

// execute runs on its own goroutine and carries out the full batches Row
// prepares, in order. After an error it only drains them.
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

// stop ends the row stream: it waits for the identities' loading and for
// the executor to finish the batches queued.
func (w *Saver) stop() {
	if !w.closed {
		w.closed = true
		<-w.loaded
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
	Errors          []list.ItemError
	Notes           []string
	// Complete is false when the audit could not list the whole
	// organization; Causes says why.
	Complete bool
	Causes   []list.Cause
	// Stats is the report's stats document, stored as JSON.
	Stats any
	// Review is what the audit's access review knew.
	Review audit.Review
	// Directory is what the audit knew beyond its rows, for an
	// incremental audit to start from (nil: none is kept).
	Directory *audit.Directory
	// ExactUntil is the time up to which the snapshot reflects every
	// change: the next incremental audit reads events from there.
	ExactUntil time.Time
	// Base is the snapshot an incremental audit started from (0: a full
	// audit); Facts are the changes the events since it made.
	Base  int64
	Facts []activity.Fact
	// Placed are the ids of the events it placed.
	Placed []string
}

// Finish writes the findings, errors and stats and commits the snapshot.
func (w *Saver) Finish(res Result) (Snapshot, error) {
	if !w.closed {
		w.waitLoaded()
		if w.failed() == nil {
			if err := w.endBlock(); err != nil {
				w.fail(err)
			} else if err := w.endUsers(); err != nil {
				w.fail(err)
			}
		}
	}
	w.stop()
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
	causes, err := json.Marshal(append([]list.Cause{}, res.Causes...))
	if err != nil {
		return fail(fmt.Errorf("causes: %w", err))
	}
	review, err := json.Marshal(res.Review)
	if err != nil {
		return fail(fmt.Errorf("review: %w", err))
	}
	directory := ""
	if res.Directory != nil {
		b, err := json.Marshal(res.Directory)
		if err != nil {
			return fail(fmt.Errorf("directory: %w", err))
		}
		directory = string(b)
	}
	exact := ""
	if !res.ExactUntil.IsZero() {
		exact = res.ExactUntil.UTC().Format(time.RFC3339Nano)
	}
	facts, err := json.Marshal(append([]activity.Fact{}, res.Facts...))
	if err != nil {
		return fail(fmt.Errorf("facts: %w", err))
	}
	placed, err := json.Marshal(append([]string{}, res.Placed...))
	if err != nil {
		return fail(fmt.Errorf("placed events: %w", err))
	}
	if _, err := w.tx.ExecContext(ctx, `UPDATE snapshot SET instance_arn = ?, identity_store_id = ?, method = ?, rows = ?, findings = ?, errors = ?, columns = ?, notes = ?, stats = ?, complete = ?, causes = ?, review = ?, directory = ?, exact_until = ?, base = ?, facts = ?, placed = ? WHERE id = ?`,
		res.InstanceArn, res.IdentityStoreId, res.Method, w.seq, len(res.Findings), len(res.Errors), strings.Join(res.Columns, ","), string(notes), string(stats), res.Complete, string(causes), string(review),
		directory, exact, res.Base, string(facts), string(placed), w.id); err != nil {
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
	w.stop()
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
	// OR FAIL: a failing row ends the statement without undoing the rows
	// before it (the transaction is rolled back anyway), so SQLite keeps no
	// statement journal for a statement of many rows.
	return "INSERT OR FAIL INTO " + b.table + " (" + strings.Join(b.cols, ",") + ") VALUES " + strings.TrimSuffix(strings.Repeat(one+",", n), ",")
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
