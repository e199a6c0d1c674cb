package history

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
)

// SetUserVersionForTest sets the schema version recorded in the database.
func (s *Store) SetUserVersionForTest(t *testing.T, v int) {
	t.Helper()
	if _, err := s.db.Exec(fmt.Sprintf("PRAGMA user_version = %d", v)); err != nil {
		t.Fatal(err)
	}
}

// CreateAtVersionForTest makes a database at path with only the first n
// migrations applied.
func CreateAtVersionForTest(t *testing.T, path string, n int) *sql.DB {
	t.Helper()
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	for _, m := range ms[:n] {
		tx, err := db.Begin()
		if err != nil {
			t.Fatal(err)
		}
		if err := m.apply(context.Background(), tx); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

// DamageBlocksForTest overwrites the bodies of a snapshot's blocks of one
// account (by id) with bytes that do not decode.
func (s *Store) DamageBlocksForTest(t *testing.T, snapshot int64, accountId string) {
	t.Helper()
	res, err := s.db.Exec(`UPDATE access_block SET body = x'ff01' WHERE snapshot = ? AND account = (SELECT ref FROM entity WHERE kind = ? AND key = ?)`, snapshot, kindAccount, accountId)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		t.Fatalf("no blocks of account %s in snapshot %d", accountId, snapshot)
	}
}
