package history

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/binary"
	"strings"
)

// rowsIntoBlocks is migration 3's step: every snapshot's access_row rows
// become blocks, and its snap_user rows chunks of users; then both old
// tables are dropped.
func rowsIntoBlocks(ctx context.Context, tx *sql.Tx) error {
	if err := blocksFromRows(ctx, tx); err != nil {
		return err
	}
	if err := usersInChunks(ctx, tx); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `DROP TABLE access_row; DROP TABLE snap_user`)
	return err
}

func blocksFromRows(ctx context.Context, tx *sql.Tx) error {
	ins, err := tx.PrepareContext(ctx, `INSERT INTO access_block (snapshot, first_row, rows, account, permission_set, body) VALUES (?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer ins.Close()
	rows, err := tx.QueryContext(ctx, `SELECT snapshot, seq, account, permission_set, principal, user, flags, exact FROM access_row ORDER BY snapshot, seq`)
	if err != nil {
		return err
	}
	defer rows.Close()
	var (
		bw                    blockWriter
		snap, first, acct, ps int64
		s, seq, a, p, pr, u   int64
		flagsCol, exactCol    sql.NullString
	)
	flush := func() error {
		if bw.rows == 0 {
			return nil
		}
		_, err := ins.ExecContext(ctx, snap, first, bw.rows, acct, ps, bytes.Clone(bw.buf))
		bw.reset()
		return err
	}
	for rows.Next() {
		if err := rows.Scan(&s, &seq, &a, &p, &pr, &u, &flagsCol, &exactCol); err != nil {
			return err
		}
		if s != snap || a != acct || p != ps || bw.rows == maxBlockRows || seq != first+int64(bw.rows) {
			if err := flush(); err != nil {
				return err
			}
			snap, first, acct, ps = s, seq, a, p
		}
		var (
			flags []string
			exact []byte
		)
		if flagsCol.Valid {
			flags = strings.Split(flagsCol.String, ";")
		}
		if exactCol.Valid {
			exact = []byte(exactCol.String)
		}
		bw.add(pr, u, flags, exact)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return flush()
}

func usersInChunks(ctx context.Context, tx *sql.Tx) error {
	ins, err := tx.PrepareContext(ctx, `INSERT INTO snap_users (snapshot, seq, users, body) VALUES (?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer ins.Close()
	rows, err := tx.QueryContext(ctx, `SELECT snapshot, ref, email, user_name, status, display_name, COALESCE(iam, '') FROM snap_user ORDER BY snapshot, ref`)
	if err != nil {
		return err
	}
	defer rows.Close()
	var (
		body         []byte
		n, seq       int
		snap, s, ref int64
		attrs        [5]string
	)
	flush := func() error {
		if n == 0 {
			return nil
		}
		seq++
		_, err := ins.ExecContext(ctx, snap, seq, n, body)
		body, n = nil, 0
		return err
	}
	for rows.Next() {
		if err := rows.Scan(&s, &ref, &attrs[0], &attrs[1], &attrs[2], &attrs[3], &attrs[4]); err != nil {
			return err
		}
		if s != snap || n == userChunk {
			if err := flush(); err != nil {
				return err
			}
			if s != snap {
				snap, seq = s, 0
			}
		}
		body = binary.AppendUvarint(body, uint64(ref))
		for _, a := range attrs {
			body = appendString(body, a)
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return flush()
}
