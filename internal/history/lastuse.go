package history

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/ssoctl/ssoctl/internal/activity"
)

// UseCursor is how much of an instance's GetRoleCredentials events have
// been read: every event from SeenFrom to SeenUntil.
type UseCursor struct {
	InstanceArn         string
	SeenFrom, SeenUntil time.Time
}

// Cursor returns the use cursor of an instance; ok is false when nothing
// has been read yet.
func (s *Store) Cursor(ctx context.Context, instanceArn string) (c UseCursor, ok bool, err error) {
	var from, until string
	err = s.db.QueryRowContext(ctx, `SELECT seen_from, seen_until FROM use_cursor WHERE instance_arn = ?`, instanceArn).Scan(&from, &until)
	if errors.Is(err, sql.ErrNoRows) {
		return UseCursor{InstanceArn: instanceArn}, false, nil
	}
	if err != nil {
		return c, false, s.explain("read", err)
	}
	c = UseCursor{InstanceArn: instanceArn}
	c.SeenFrom, _ = time.Parse(time.RFC3339Nano, from)
	c.SeenUntil, _ = time.Parse(time.RFC3339Nano, until)
	return c, true, nil
}

// SaveUses records uses (keeping the later of a stored last use and a new
// one, so reading a window twice changes nothing) and the cursor, in one
// transaction.
func (s *Store) SaveUses(ctx context.Context, c UseCursor, uses map[activity.UseKey]time.Time) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return s.explain("save to", err)
	}
	defer tx.Rollback()
	st, err := tx.PrepareContext(ctx, `INSERT INTO last_use (instance_arn, user_id, account_id, role_name, last_used) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (instance_arn, user_id, account_id, role_name) DO UPDATE SET last_used = max(last_used, excluded.last_used)`)
	if err != nil {
		return s.explain("save to", err)
	}
	defer st.Close()
	for k, t := range uses {
		if _, err := st.ExecContext(ctx, c.InstanceArn, k.UserId, k.AccountId, k.RoleName, t.UTC().Format(time.RFC3339)); err != nil {
			return s.explain("save to", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO use_cursor (instance_arn, seen_from, seen_until) VALUES (?, ?, ?)
		ON CONFLICT (instance_arn) DO UPDATE SET seen_from = excluded.seen_from, seen_until = excluded.seen_until`,
		c.InstanceArn, c.SeenFrom.UTC().Format(time.RFC3339Nano), c.SeenUntil.UTC().Format(time.RFC3339Nano)); err != nil {
		return s.explain("save to", err)
	}
	if err := tx.Commit(); err != nil {
		return s.explain("save to", err)
	}
	return nil
}

// LastUses returns every last use recorded for an instance.
func (s *Store) LastUses(ctx context.Context, instanceArn string) (map[activity.UseKey]time.Time, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT user_id, account_id, role_name, last_used FROM last_use WHERE instance_arn = ?`, instanceArn)
	if err != nil {
		return nil, s.explain("read", err)
	}
	defer rows.Close()
	out := map[activity.UseKey]time.Time{}
	for rows.Next() {
		var (
			k activity.UseKey
			t string
		)
		if err := rows.Scan(&k.UserId, &k.AccountId, &k.RoleName, &t); err != nil {
			return nil, s.explain("read", err)
		}
		out[k], _ = time.Parse(time.RFC3339, t)
	}
	if err := rows.Err(); err != nil {
		return nil, s.explain("read", err)
	}
	return out, nil
}
