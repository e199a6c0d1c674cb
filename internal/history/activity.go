package history

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/ssoctl/ssoctl/internal/activity"
	"github.com/ssoctl/ssoctl/internal/audit"
)

// Directory returns what snapshot id's audit knew beyond its rows, for an
// incremental audit to start from; nil when the snapshot keeps none
// (saved before ssoctl kept it).
func (s *Store) Directory(ctx context.Context, id int64) (*audit.Directory, error) {
	var raw string
	err := s.db.QueryRowContext(ctx, `SELECT directory FROM snapshot WHERE id = ?`, id).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("snapshot %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, s.explain("read", err)
	}
	if raw == "" {
		return nil, nil
	}
	var d audit.Directory
	if err := json.Unmarshal([]byte(raw), &d); err != nil {
		return nil, fmt.Errorf("snapshot %d: its directory does not read as JSON: %w", id, err)
	}
	return &d, nil
}

// Placed returns the ids of the CloudTrail events snapshot id's audit
// placed (none for a full audit's).
func (s *Store) Placed(ctx context.Context, id int64) (map[string]bool, error) {
	var raw string
	if err := s.db.QueryRowContext(ctx, `SELECT placed FROM snapshot WHERE id = ?`, id).Scan(&raw); err != nil {
		return nil, s.explain("read", err)
	}
	var ids []string
	if err := json.Unmarshal([]byte(raw), &ids); err != nil {
		return nil, fmt.Errorf("snapshot %d: its placed events do not read as JSON: %w", id, err)
	}
	out := make(map[string]bool, len(ids))
	for _, x := range ids {
		out[x] = true
	}
	return out, nil
}

// Facts returns the changes to access that the CloudTrail events read by
// the incremental audits after snapshot from, up to and including
// snapshot to, made, oldest first: what history diff attributes its rows
// to.
func (s *Store) Facts(ctx context.Context, from, to int64) ([]activity.Fact, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, facts FROM snapshot WHERE id > ? AND id <= ? ORDER BY id`, from, to)
	if err != nil {
		return nil, s.explain("read", err)
	}
	defer rows.Close()
	var out []activity.Fact
	seen := map[string]bool{} // windows overlap: an event read twice is one fact
	for rows.Next() {
		var (
			id  int64
			raw string
		)
		if err := rows.Scan(&id, &raw); err != nil {
			return nil, s.explain("read", err)
		}
		var fs []activity.Fact
		if err := json.Unmarshal([]byte(raw), &fs); err != nil {
			return nil, fmt.Errorf("snapshot %d: its change events do not read as JSON: %w", id, err)
		}
		for _, f := range fs {
			if key := f.EventID + "|" + f.Kind + "|" + f.UserId + "|" + f.PrincipalId; !seen[key] {
				seen[key] = true
				out = append(out, f)
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, s.explain("read", err)
	}
	return out, nil
}
