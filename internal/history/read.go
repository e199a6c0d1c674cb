package history

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"

	"github.com/ssoctl/ssoctl/internal/assignments"
	"github.com/ssoctl/ssoctl/internal/audit"
)

// dims are one snapshot's names for the identities its rows refer to. They
// grow with the organization (accounts, users, groups), not with the rows.
type dims struct {
	accounts map[int64]accountDim
	psets    map[int64]psetDim
	princs   map[int64]principalDim
	users    map[int64]userDim
}

type accountDim struct{ id, name, status string }
type psetDim struct{ arn, name string }
type principalDim struct{ typ, id, group string }
type userDim struct {
	id, email, name, status, display string
	iam                              *audit.IAMStatus
}

func (s *Store) loadDims(ctx context.Context, snapshot int64) (*dims, error) {
	d := &dims{accounts: map[int64]accountDim{}, psets: map[int64]psetDim{}, princs: map[int64]principalDim{}, users: map[int64]userDim{}}
	q := func(query string, scan func(*sql.Rows) error) error {
		rows, err := s.db.QueryContext(ctx, query, snapshot)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			if err := scan(rows); err != nil {
				return err
			}
		}
		return rows.Err()
	}
	var ref int64
	err := q(`SELECT s.ref, e.key, s.name, s.status FROM snap_account s JOIN entity e ON e.ref = s.ref WHERE s.snapshot = ?`, func(r *sql.Rows) error {
		var x accountDim
		err := r.Scan(&ref, &x.id, &x.name, &x.status)
		d.accounts[ref] = x
		return err
	})
	if err == nil {
		err = q(`SELECT s.ref, e.key, s.name FROM snap_permission_set s JOIN entity e ON e.ref = s.ref WHERE s.snapshot = ?`, func(r *sql.Rows) error {
			var x psetDim
			err := r.Scan(&ref, &x.arn, &x.name)
			d.psets[ref] = x
			return err
		})
	}
	if err == nil {
		err = q(`SELECT s.ref, e.key, s.group_name FROM snap_principal s JOIN entity e ON e.ref = s.ref WHERE s.snapshot = ?`, func(r *sql.Rows) error {
			var (
				x   principalDim
				key string
			)
			err := r.Scan(&ref, &key, &x.group)
			x.typ, x.id, _ = strings.Cut(key, ":")
			d.princs[ref] = x
			return err
		})
	}
	if err == nil {
		err = q(`SELECT s.ref, e.key, s.email, s.user_name, s.status, s.display_name, s.iam FROM snap_user s JOIN entity e ON e.ref = s.ref WHERE s.snapshot = ?`, func(r *sql.Rows) error {
			var (
				x   userDim
				iam sql.NullString
			)
			if err := r.Scan(&ref, &x.id, &x.email, &x.name, &x.status, &x.display, &iam); err != nil {
				return err
			}
			if iam.Valid {
				x.iam = &audit.IAMStatus{}
				if err := json.Unmarshal([]byte(iam.String), x.iam); err != nil {
					return err
				}
			}
			d.users[ref] = x
			return nil
		})
	}
	if err != nil {
		return nil, s.explain("read", err)
	}
	return d, nil
}

// storedRow is one access_row as stored.
type storedRow struct {
	account, pset, principal, user, dup, seq int64
	flags, exact                             sql.NullString
}

const storedRowCols = `account, permission_set, principal, user, dup, seq, flags, exact`

func scanStored(rows *sql.Rows, r *storedRow) error {
	return rows.Scan(&r.account, &r.pset, &r.principal, &r.user, &r.dup, &r.seq, &r.flags, &r.exact)
}

// row rebuilds the audit's row.
func (d *dims) row(sr *storedRow) (audit.Row, error) {
	var r audit.Row
	if sr.exact.Valid {
		err := json.Unmarshal([]byte(sr.exact.String), &r)
		return r, err
	}
	a, p, pr := d.accounts[sr.account], d.psets[sr.pset], d.princs[sr.principal]
	r = audit.Row{
		AccountId: a.id, AccountName: a.name, AccountStatus: a.status,
		PermissionSet: p.name, PermissionSetArn: p.arn,
		PrincipalType: pr.typ, PrincipalId: pr.id, GroupName: pr.group,
	}
	if sr.user != 0 {
		u := d.users[sr.user]
		r.UserId, r.UserEmail, r.UserName, r.UserStatus, r.DisplayName = u.id, u.email, u.name, u.status, u.display
		if u.iam != nil {
			iam := *u.iam
			r.IAM = &iam
		}
	}
	if sr.flags.Valid {
		r.Flags = strings.Split(sr.flags.String, ";")
	}
	return r, nil
}

// Rows passes every row of a snapshot to emit, in the order the audit
// wrote them.
func (s *Store) Rows(ctx context.Context, id int64, emit func(audit.Row) error) error {
	if _, err := s.Get(ctx, id); err != nil {
		return err
	}
	d, err := s.loadDims(ctx, id)
	if err != nil {
		return err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+storedRowCols+` FROM access_row WHERE snapshot = ? ORDER BY seq`, id)
	if err != nil {
		return s.explain("read", err)
	}
	defer rows.Close()
	var sr storedRow
	for rows.Next() {
		if err := scanStored(rows, &sr); err != nil {
			return s.explain("read", err)
		}
		r, err := d.row(&sr)
		if err != nil {
			return s.explain("read", err)
		}
		if err := emit(r); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return s.explain("read", err)
	}
	return nil
}

// Findings returns a snapshot's findings, in the audit's order.
func (s *Store) Findings(ctx context.Context, id int64) ([]audit.Finding, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT kind, account_id, account_name, permission_set, principal_type, principal_id, name, detail FROM finding WHERE snapshot = ? ORDER BY seq`, id)
	if err != nil {
		return nil, s.explain("read", err)
	}
	defer rows.Close()
	out := []audit.Finding{}
	for rows.Next() {
		var f audit.Finding
		if err := rows.Scan(&f.Kind, &f.AccountId, &f.AccountName, &f.PermissionSet, &f.PrincipalType, &f.PrincipalId, &f.Name, &f.Detail); err != nil {
			return nil, s.explain("read", err)
		}
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		return nil, s.explain("read", err)
	}
	return out, nil
}

// Errors returns the items that failed in a snapshot's audit.
func (s *Store) Errors(ctx context.Context, id int64) ([]assignments.ItemError, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT item, error FROM item_error WHERE snapshot = ? ORDER BY seq`, id)
	if err != nil {
		return nil, s.explain("read", err)
	}
	defer rows.Close()
	out := []assignments.ItemError{}
	for rows.Next() {
		var e assignments.ItemError
		if err := rows.Scan(&e.Item, &e.Error); err != nil {
			return nil, s.explain("read", err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, s.explain("read", err)
	}
	return out, nil
}
