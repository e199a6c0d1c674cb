package history

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/ssoctl/ssoctl/internal/assignments/list"
	"github.com/ssoctl/ssoctl/internal/audit"
	"github.com/ssoctl/ssoctl/internal/grants"
)

// SaveGrant records a grant as made (again: replaced, keeping its end).
func (s *Store) SaveGrant(ctx context.Context, g grants.Grant, created time.Time) error {
	g.State, g.Ended, g.How = grants.Active, nil, ""
	doc, err := json.Marshal(g)
	if err != nil {
		return err
	}
	_, err = s.db.ExecContext(ctx, `INSERT INTO grant_record (id, expires, created, doc) VALUES (?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET expires = excluded.expires, doc = excluded.doc`,
		g.ID, g.Expires.UTC().Format(time.RFC3339), created.UTC().Format(time.RFC3339), string(doc))
	if err != nil {
		return s.explain("record grant "+g.ID+" in", err)
	}
	return nil
}

// EndGrant records that grant g ended at at, and how ("expired",
// "revoked"). A grant the database never saw (made elsewhere) is recorded
// from g as listed.
func (s *Store) EndGrant(ctx context.Context, g grants.Grant, at time.Time, how string) error {
	g.State, g.Ended, g.How = grants.Active, nil, ""
	doc, err := json.Marshal(g)
	if err != nil {
		return err
	}
	_, err = s.db.ExecContext(ctx, `INSERT INTO grant_record (id, expires, created, doc, ended, how) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET ended = excluded.ended, how = excluded.how`,
		g.ID, g.Expires.UTC().Format(time.RFC3339), at.UTC().Format(time.RFC3339), string(doc), at.UTC().Format(time.RFC3339), how)
	if err != nil {
		return s.explain("record the end of grant "+g.ID+" in", err)
	}
	return nil
}

// EndedGrants are the grants recorded as ended, most recent expiry first.
func (s *Store) EndedGrants(ctx context.Context) ([]grants.Grant, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT doc, ended, how FROM grant_record WHERE ended IS NOT NULL ORDER BY expires DESC, id`)
	if err != nil {
		return nil, s.explain("read the grants of", err)
	}
	defer rows.Close()
	var out []grants.Grant
	for rows.Next() {
		var doc, ended string
		var how sql.NullString
		if err := rows.Scan(&doc, &ended, &how); err != nil {
			return nil, s.explain("read the grants of", err)
		}
		var g grants.Grant
		if err := json.Unmarshal([]byte(doc), &g); err != nil {
			return nil, fmt.Errorf("history database %s: a grant record does not read: %w", s.path, err)
		}
		t, err := time.Parse(time.RFC3339, ended)
		if err != nil {
			return nil, fmt.Errorf("history database %s: grant %s: end time %q does not read", s.path, g.ID, ended)
		}
		g.State, g.Ended, g.How, g.Assigned = grants.Ended, &t, how.String, []string{}
		out = append(out, g)
	}
	if err := rows.Err(); err != nil {
		return nil, s.explain("read the grants of", err)
	}
	return out, nil
}

// grantExpiries are the recorded grants' expiries, by grant id.
func (s *Store) grantExpiries(ctx context.Context) (map[string]time.Time, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, expires FROM grant_record`)
	if err != nil {
		return nil, s.explain("read the grants of", err)
	}
	defer rows.Close()
	out := map[string]time.Time{}
	for rows.Next() {
		var id, exp string
		if err := rows.Scan(&id, &exp); err != nil {
			return nil, s.explain("read the grants of", err)
		}
		if t, err := time.Parse(time.RFC3339, exp); err == nil {
			out[id] = t
		}
	}
	if err := rows.Err(); err != nil {
		return nil, s.explain("read the grants of", err)
	}
	return out, nil
}

// withGrantExpiry gives a grant's rows (flag GRANT) their expiry, which a
// snapshot does not store, from the grants this database recorded.
func withGrantExpiry(emit func(audit.Row) error, expiries map[string]time.Time) func(audit.Row) error {
	return func(r audit.Row) error {
		if r.GrantExpires == nil && slices.Contains(r.Flags, list.FlagGrant) {
			if t, ok := expiries[grants.IDOf(r.PermissionSet)]; ok {
				r.GrantExpires = &t
			}
		}
		return emit(r)
	}
}
