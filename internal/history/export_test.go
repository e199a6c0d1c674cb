package history

import (
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
	for _, m := range ms[:n] {
		if _, err := db.Exec(m.sql); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Exec(fmt.Sprintf("PRAGMA user_version = %d", n)); err != nil {
		t.Fatal(err)
	}
	return db
}
