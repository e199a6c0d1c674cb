package history

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/ssoctl/ssoctl/internal/assignments/list"
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
		err = s.loadUsers(ctx, snapshot, d.users)
	}
	if err != nil {
		return nil, s.explain("read", err)
	}
	return d, nil
}

// loadUsers reads a snapshot's users, stored in chunks (see
// userChunk), into users.
func (s *Store) loadUsers(ctx context.Context, snapshot int64, users map[int64]userDim) error {
	ids := map[int64]string{}
	rows, err := s.db.QueryContext(ctx, `SELECT ref, key FROM entity WHERE kind = ?`, kindUser)
	if err != nil {
		return err
	}
	for rows.Next() {
		var (
			ref int64
			id  string
		)
		if err := rows.Scan(&ref, &id); err != nil {
			rows.Close()
			return err
		}
		ids[ref] = id
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	chunks, err := s.db.QueryContext(ctx, `SELECT seq, users, body FROM snap_users WHERE snapshot = ? ORDER BY seq`, snapshot)
	if err != nil {
		return err
	}
	defer chunks.Close()
	for chunks.Next() {
		var (
			seq, n int64
			body   []byte
		)
		if err := chunks.Scan(&seq, &n, &body); err != nil {
			return err
		}
		r := blockReader{b: body}
		for i := int64(0); i < n; i++ {
			ref := r.uvarint()
			u := userDim{id: ids[ref], email: string(r.string()), name: string(r.string()), status: string(r.string()), display: string(r.string())}
			if iam := r.string(); len(iam) > 0 && r.err == nil {
				u.iam = &audit.IAMStatus{}
				if err := json.Unmarshal(iam, u.iam); err != nil {
					r.err = err
				}
			}
			if r.err != nil {
				break
			}
			users[ref] = u
		}
		if r.err != nil || len(r.b) != 0 {
			return fmt.Errorf("snapshot %d: users chunk %d is %w", snapshot, seq, errDamaged)
		}
	}
	return chunks.Err()
}

// storedBlock is one access_block: rows first … first+rows-1 of a
// snapshot, all of one account and permission set.
type storedBlock struct {
	snapshot, first, rows, account, pset int64
	body                                 []byte
}

const storedBlockCols = `snapshot, first_row, rows, account, permission_set, body`

func scanBlock(rows *sql.Rows, b *storedBlock) error {
	return rows.Scan(&b.snapshot, &b.first, &b.rows, &b.account, &b.pset, &b.body)
}

func (b *storedBlock) damaged() error {
	return fmt.Errorf("snapshot %d: rows %d to %d are %w", b.snapshot, b.first, b.first+b.rows-1, errDamaged)
}

// each decodes the block and passes each row's position and row to fn.
func (b *storedBlock) each(d *dims, fn func(seq int64, r audit.Row) error) error {
	rs, err := decodeBlock(b.body, int(b.rows), false)
	if err != nil {
		return b.damaged()
	}
	for i := range rs {
		r, err := d.row(b.account, b.pset, &rs[i])
		if err != nil {
			return b.damaged()
		}
		if err := fn(b.first+int64(i), r); err != nil {
			return err
		}
	}
	return nil
}

// row rebuilds the audit's row.
func (d *dims) row(account, pset int64, br *blockRow) (audit.Row, error) {
	var r audit.Row
	if br.exact != nil {
		err := json.Unmarshal(br.exact, &r)
		return r, err
	}
	a, p, pr := d.accounts[account], d.psets[pset], d.princs[br.principal]
	r = audit.Row{
		AccountId: a.id, AccountName: a.name, AccountStatus: a.status,
		PermissionSet: p.name, PermissionSetArn: p.arn,
		PrincipalType: pr.typ, PrincipalId: pr.id, GroupName: pr.group,
		Flags: br.flags,
	}
	if br.user != 0 {
		u := d.users[br.user]
		r.UserId, r.UserEmail, r.UserName, r.UserStatus, r.DisplayName = u.id, u.email, u.name, u.status, u.display
		if u.iam != nil {
			iam := *u.iam
			r.IAM = &iam
		}
	}
	return r, nil
}

// Rows passes every row of a snapshot to emit, in the order the audit
// wrote them.
func (s *Store) Rows(ctx context.Context, id int64, emit func(audit.Row) error) error {
	sn, err := s.Get(ctx, id)
	if err != nil {
		return err
	}
	d, err := s.loadDims(ctx, id)
	if err != nil {
		return err
	}
	expiries, err := s.grantExpiries(ctx)
	if err != nil {
		return err
	}
	if len(expiries) > 0 {
		emit = withGrantExpiry(emit, expiries)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+storedBlockCols+` FROM access_block WHERE snapshot = ? ORDER BY first_row`, id)
	if err != nil {
		return s.explain("read", err)
	}
	defer rows.Close()
	var b storedBlock
	next := int64(1)
	for rows.Next() {
		if err := scanBlock(rows, &b); err != nil {
			return s.explain("read", err)
		}
		if b.first != next {
			return s.explain("read", fmt.Errorf("snapshot %d: rows %d to %d are missing", id, next, b.first-1))
		}
		next = b.first + b.rows
		err := b.each(d, func(_ int64, r audit.Row) error { return emit(r) })
		if errors.Is(err, errDamaged) {
			return s.explain("read", err)
		}
		if err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return s.explain("read", err)
	}
	if next-1 != int64(sn.Rows) {
		return s.explain("read", fmt.Errorf("snapshot %d: rows %d to %d are missing", id, next, sn.Rows))
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
func (s *Store) Errors(ctx context.Context, id int64) ([]list.ItemError, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT item, error FROM item_error WHERE snapshot = ? ORDER BY seq`, id)
	if err != nil {
		return nil, s.explain("read", err)
	}
	defer rows.Close()
	out := []list.ItemError{}
	for rows.Next() {
		var e list.ItemError
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
