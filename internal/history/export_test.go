package history

import (
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
