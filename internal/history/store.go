// Package history keeps audit snapshots in an embedded SQLite database
// (modernc.org/sqlite: pure Go, no cgo) and computes what changed between
// two of them.
//
// A snapshot is written while the audit's rows stream, inside one
// transaction: an interrupted audit leaves no snapshot behind. Rows refer to
// accounts, permission sets, principals and users by small integers that are
// the same in every snapshot, so a diff is a merge of two key-ordered scans
// rather than a join of two whole reports held in memory.
package history

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ssoctl/ssoctl/internal/assignments/list"
	"github.com/ssoctl/ssoctl/internal/audit"
	_ "modernc.org/sqlite" // the database/sql driver "sqlite"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// ErrNotFound is returned for a snapshot id the database does not hold.
var ErrNotFound = errors.New("no such snapshot")

// ErrTooFew is returned by a diff without ids when fewer than two
// snapshots exist.
var ErrTooFew = errors.New("fewer than two snapshots")

// Store is an open history database.
type Store struct {
	db   *sql.DB
	path string
}

// Open opens (creating if needed) the history database at path: its folder
// 0700, the file 0600, the schema migrated to the newest version.
func Open(ctx context.Context, path string) (*Store, error) {
	if strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("history database path %q: '?' and '#' are not allowed", path)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create history folder: %w", err)
	}
	// Create the file ourselves so it is 0600 from the first byte; SQLite
	// gives its journal the database file's mode.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open history database: %w", err)
	}
	f.Close()
	if err := os.Chmod(path, 0o600); err != nil {
		return nil, fmt.Errorf("open history database: %w", err)
	}
	dsn := "file:" + path + "?_pragma=busy_timeout(30000)&_pragma=journal_mode(DELETE)&_pragma=synchronous(FULL)&_pragma=temp_store(MEMORY)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open history database: %w", err)
	}
	db.SetMaxOpenConns(4)
	s := &Store{db: db, path: path}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// Path is the database's file.
func (s *Store) Path() string { return s.path }

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

type migration struct {
	version int
	name    string
	sql     string
	// step, when set, runs after sql in the same transaction: a change SQL
	// alone cannot make.
	step func(context.Context, *sql.Tx) error
}

// migrationSteps are the migrations' steps in Go, by version.
var migrationSteps = map[int]func(context.Context, *sql.Tx) error{
	3: rowsIntoBlocks,
}

func migrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s: name must start with its version", e.Name())
		}
		b, err := migrationFiles.ReadFile("migrations/" + e.Name())
		if err != nil {
			return nil, err
		}
		out = append(out, migration{v, e.Name(), string(b), migrationSteps[v]})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	for i, m := range out {
		if m.version != i+1 {
			return nil, fmt.Errorf("migration %s: versions must be 1, 2, 3, …", m.name)
		}
	}
	return out, nil
}

// SchemaVersion is the newest schema this build knows.
func SchemaVersion() int {
	ms, _ := migrations()
	return len(ms)
}

// migrate applies the embedded migrations the database lacks, each in its
// own transaction, recording the version in PRAGMA user_version. Each
// transaction holds SQLite's write lock from its start (_txlock=immediate)
// and reads the version again under it, so two ssoctl processes opening a
// new database at once do not both apply the same migration: the second
// waits, then finds it done.
func (s *Store) migrate(ctx context.Context) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return s.explain("open", err)
	}
	defer conn.Close()
	var have int
	if err := conn.QueryRowContext(ctx, "PRAGMA user_version").Scan(&have); err != nil {
		return s.explain("read", err)
	}
	if have > len(ms) {
		return fmt.Errorf("history database %s has schema version %d; this ssoctl knows up to %d: use a newer ssoctl", s.path, have, len(ms))
	}
	vacuum := false
	for _, m := range ms[have:] {
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return s.explain("migrate", err)
		}
		var now int
		if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&now); err != nil {
			tx.Rollback()
			return s.explain("migrate", err)
		}
		if now >= m.version {
			tx.Rollback() // another process applied it meanwhile
			continue
		}
		vacuum = vacuum || m.step != nil
		if err := m.apply(ctx, tx); err != nil {
			tx.Rollback()
			return fmt.Errorf("history database %s: migration %s: %w", s.path, m.name, err)
		}
		if err := tx.Commit(); err != nil {
			return s.explain("migrate", err)
		}
	}
	if vacuum {
		// A step moved rows to new tables and dropped the old: give the
		// space back. Only size is at stake, so a failure (another ssoctl
		// reading) leaves the free pages for later snapshots to reuse.
		conn.ExecContext(ctx, "VACUUM")
	}
	return nil
}

// apply makes the migration's change and records its version.
func (m migration) apply(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return err
	}
	if m.step != nil {
		if err := m.step(ctx, tx); err != nil {
			return err
		}
	}
	_, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", m.version))
	return err
}

// explain words a database error with the file it concerns.
func (s *Store) explain(what string, err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	msg := err.Error()
	switch {
	case strings.Contains(msg, "SQLITE_BUSY") || strings.Contains(msg, "database is locked"):
		return fmt.Errorf("history database %s is busy (another ssoctl is saving a snapshot); try again when it has finished", s.path)
	case strings.Contains(msg, "file is not a database") || strings.Contains(msg, "SQLITE_NOTADB"):
		return fmt.Errorf("%s is not an ssoctl history database", s.path)
	}
	return fmt.Errorf("%s history database %s: %w", what, s.path, err)
}

// Snapshot describes one saved audit.
type Snapshot struct {
	ID              int64     `json:"id"`
	Created         time.Time `json:"created"`
	InstanceArn     string    `json:"instanceArn"`
	IdentityStoreId string    `json:"identityStoreId"`
	Method          string    `json:"method"`
	Rows            int       `json:"rows"`
	Findings        int       `json:"findings"`
	Errors          int       `json:"errors"`
	// Columns are the columns the audit's report had.
	Columns []string `json:"columns"`
	// Notes are what the audit noted about its own completeness.
	Notes []string `json:"notes"`
	// Complete is false when the audit could not list the whole
	// organization; Causes says why. What an incomplete snapshot missed
	// is not access lost: diffs and reports refuse it as a base unless
	// asked (see Incomplete).
	Complete bool         `json:"complete"`
	Causes   []list.Cause `json:"causes,omitempty"`
	// Stats is the stats document the audit reported (JSON).
	Stats json.RawMessage `json:"-"`
	// Review is what the audit's access review knew (OU paths,
	// production, privileged permission sets); empty in snapshots older
	// than it.
	Review audit.Review `json:"-"`
	// ExactUntil is the time up to which the snapshot reflects every
	// change (zero in snapshots older than it); an incremental audit from
	// it reads CloudTrail from there. Base is the snapshot an incremental
	// audit started from (0: a full audit). HasDirectory reports whether
	// it keeps what an incremental audit starts from (Directory).
	ExactUntil   time.Time `json:"-"`
	Base         int64     `json:"-"`
	HasDirectory bool      `json:"-"`
}

const snapshotCols = `id, created, instance_arn, identity_store_id, method, rows, findings, errors, columns, notes, stats, complete, causes, review, exact_until, base, directory != ''`

func scanSnapshot(sc interface{ Scan(...any) error }) (Snapshot, error) {
	var (
		s       Snapshot
		created string
		cols    string
		notes   string
		stats   string
		causes  string
		review  string
		exact   string
	)
	if err := sc.Scan(&s.ID, &created, &s.InstanceArn, &s.IdentityStoreId, &s.Method, &s.Rows, &s.Findings, &s.Errors, &cols, &notes, &stats, &s.Complete, &causes, &review, &exact, &s.Base, &s.HasDirectory); err != nil {
		return s, err
	}
	if exact != "" {
		s.ExactUntil, _ = time.Parse(time.RFC3339Nano, exact)
	}
	if err := json.Unmarshal([]byte(review), &s.Review); err != nil {
		return s, err
	}
	s.Notes = []string{}
	if err := json.Unmarshal([]byte(notes), &s.Notes); err != nil {
		return s, err
	}
	if err := json.Unmarshal([]byte(causes), &s.Causes); err != nil {
		return s, err
	}
	s.Created, _ = time.Parse(time.RFC3339Nano, created)
	if cols != "" {
		s.Columns = strings.Split(cols, ",")
	}
	s.Stats = json.RawMessage(stats)
	return s, nil
}

// List returns every snapshot, oldest first.
func (s *Store) List(ctx context.Context) ([]Snapshot, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+snapshotCols+` FROM snapshot ORDER BY id`)
	if err != nil {
		return nil, s.explain("read", err)
	}
	defer rows.Close()
	out := []Snapshot{}
	for rows.Next() {
		sn, err := scanSnapshot(rows)
		if err != nil {
			return nil, s.explain("read", err)
		}
		out = append(out, sn)
	}
	if err := rows.Err(); err != nil {
		return nil, s.explain("read", err)
	}
	return out, nil
}

// Get returns one snapshot; ErrNotFound when there is none with that id.
func (s *Store) Get(ctx context.Context, id int64) (Snapshot, error) {
	sn, err := scanSnapshot(s.db.QueryRowContext(ctx, `SELECT `+snapshotCols+` FROM snapshot WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return sn, fmt.Errorf("snapshot %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return sn, s.explain("read", err)
	}
	return sn, nil
}

// Latest returns the newest snapshot; ErrNotFound when there is none.
func (s *Store) Latest(ctx context.Context) (Snapshot, error) {
	sn, err := scanSnapshot(s.db.QueryRowContext(ctx, `SELECT `+snapshotCols+` FROM snapshot ORDER BY id DESC LIMIT 1`))
	if errors.Is(err, sql.ErrNoRows) {
		return sn, ErrNotFound
	}
	if err != nil {
		return sn, s.explain("read", err)
	}
	return sn, nil
}

// Previous returns the newest snapshot older than id; ErrNotFound when
// there is none.
func (s *Store) Previous(ctx context.Context, id int64) (Snapshot, error) {
	sn, err := scanSnapshot(s.db.QueryRowContext(ctx, `SELECT `+snapshotCols+` FROM snapshot WHERE id < ? ORDER BY id DESC LIMIT 1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return sn, ErrNotFound
	}
	if err != nil {
		return sn, s.explain("read", err)
	}
	return sn, nil
}

// Partial reports whether items of the snapshot's audit could not be
// listed: access it shows nothing of may exist all the same.
func (s Snapshot) Partial() bool { return s.Errors > 0 }

// PreviousComplete returns the newest complete snapshot older than id, and
// the incomplete ones newer than it that were passed over (newest first);
// ErrNotFound when there is none.
func (s *Store) PreviousComplete(ctx context.Context, id int64) (Snapshot, []Snapshot, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+snapshotCols+` FROM snapshot WHERE id < ? ORDER BY id DESC`, id)
	if err != nil {
		return Snapshot{}, nil, s.explain("read", err)
	}
	defer rows.Close()
	var skipped []Snapshot
	for rows.Next() {
		sn, err := scanSnapshot(rows)
		if err != nil {
			return Snapshot{}, nil, s.explain("read", err)
		}
		if sn.Complete {
			return sn, skipped, nil
		}
		skipped = append(skipped, sn)
	}
	if err := rows.Err(); err != nil {
		return Snapshot{}, nil, s.explain("read", err)
	}
	return Snapshot{}, skipped, ErrNotFound
}

// snapshotTables hold one snapshot's data, each keyed by snapshot first.
var snapshotTables = []string{"access_block", "snap_account", "snap_permission_set", "snap_principal", "snap_users", "finding", "item_error", "snapshot"}

// Prune deletes every snapshot but the newest keep, in one transaction,
// and returns the ids it deleted (none with dryRun, which only lists them).
func (s *Store) Prune(ctx context.Context, keep int, dryRun bool) ([]int64, error) {
	if keep < 0 {
		return nil, fmt.Errorf("keep must be 0 or more, not %d", keep)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, s.explain("prune", err)
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT id FROM snapshot ORDER BY id DESC LIMIT -1 OFFSET ?`, keep)
	if err != nil {
		return nil, s.explain("prune", err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, s.explain("prune", err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, s.explain("prune", err)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	if dryRun || len(ids) == 0 {
		return ids, nil
	}
	for _, id := range ids {
		for _, t := range snapshotTables {
			col := "snapshot"
			if t == "snapshot" {
				col = "id"
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM `+t+` WHERE `+col+` = ?`, id); err != nil {
				return nil, s.explain("prune", err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, s.explain("prune", err)
	}
	return ids, nil
}
