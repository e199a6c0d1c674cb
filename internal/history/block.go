package history

import (
	"bytes"
	"encoding/binary"
	"errors"
	"slices"
)

// A snapshot's rows are stored a block at a time: one access_block row per
// run of consecutive report rows with the same account and permission set
// (the audit writes one such run per assignment target, and a long run is
// split every maxBlockRows rows). Its body holds, for each row in report
// order, what differs between the rows of a run: the principal, the user,
// the flags and, where the row's names differ from its snapshot's, the
// whole row.
//
// A row is encoded as a tag byte, then
//   - the principal's ref (uvarint), unless tagSamePrincipal says it is
//     the previous row's;
//   - the user's ref (uvarint) when tagUser is set;
//   - the flags when tagFlags is set: their count, then each as a string;
//   - the whole row as JSON (a string) when tagExact is set.
//
// A string is its length (uvarint) and its bytes.
const (
	tagSamePrincipal = 1 << iota
	tagUser
	tagFlags
	tagExact
	tagUnknown = ^byte(tagSamePrincipal | tagUser | tagFlags | tagExact)
)

// maxBlockRows bounds a block's rows, so reading one changed row back
// decodes at most this many.
const maxBlockRows = 4096

// errDamaged is returned for a block (or a users chunk) that does not
// decode.
var errDamaged = errors.New("damaged")

// blockRow is one row as a block stores it.
type blockRow struct {
	principal, user int64
	flags           []string
	exact           []byte // the whole row (JSON), when its names differ
}

// blockWriter encodes one block.
type blockWriter struct {
	buf       []byte
	rows      int
	principal int64
}

func (b *blockWriter) reset() {
	b.buf, b.rows, b.principal = b.buf[:0], 0, 0
}

func (b *blockWriter) add(principal, user int64, flags []string, exact []byte) {
	at := len(b.buf)
	b.buf = append(b.buf, 0)
	var tag byte
	if principal == b.principal && b.rows > 0 {
		tag |= tagSamePrincipal
	} else {
		b.buf = binary.AppendUvarint(b.buf, uint64(principal))
	}
	if user != 0 {
		tag |= tagUser
		b.buf = binary.AppendUvarint(b.buf, uint64(user))
	}
	if len(flags) > 0 {
		tag |= tagFlags
		b.buf = binary.AppendUvarint(b.buf, uint64(len(flags)))
		for _, f := range flags {
			b.buf = appendString(b.buf, f)
		}
	}
	if exact != nil {
		tag |= tagExact
		b.buf = appendString(b.buf, string(exact))
	}
	b.buf[at] = tag
	b.principal = principal
	b.rows++
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// blockReader decodes a block's rows in order.
type blockReader struct {
	b         []byte
	principal int64
	err       error
}

func (r *blockReader) uvarint() int64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 || v > 1<<62 {
		r.err = errDamaged
		return 0
	}
	r.b = r.b[n:]
	return int64(v)
}

func (r *blockReader) string() []byte {
	n := r.uvarint()
	if r.err != nil || n > int64(len(r.b)) {
		r.err = errDamaged
		return nil
	}
	s := r.b[:n:n]
	r.b = r.b[n:]
	return s
}

// next decodes the next row into row; false at the end or on damage (see
// err). With keysOnly, the flags and the exact copy are skipped, not
// copied.
func (r *blockReader) next(row *blockRow, keysOnly bool) bool {
	if r.err != nil || len(r.b) == 0 {
		return false
	}
	tag := r.b[0]
	r.b = r.b[1:]
	if tag&tagUnknown != 0 {
		r.err = errDamaged
		return false
	}
	if tag&tagSamePrincipal == 0 {
		r.principal = r.uvarint()
	}
	*row = blockRow{principal: r.principal}
	if tag&tagUser != 0 {
		row.user = r.uvarint()
	}
	if tag&tagFlags != 0 {
		n := r.uvarint()
		if n > int64(len(r.b)) {
			r.err = errDamaged
		}
		if !keysOnly && r.err == nil {
			row.flags = make([]string, 0, n)
		}
		for i := int64(0); i < n && r.err == nil; i++ {
			f := r.string()
			if !keysOnly {
				row.flags = append(row.flags, string(f))
			}
		}
	}
	if tag&tagExact != 0 {
		x := r.string()
		if !keysOnly {
			row.exact = bytes.Clone(x)
		}
	}
	return r.err == nil
}

// decodeBlock returns a block's rows; want is how many it should hold.
func decodeBlock(body []byte, want int, keysOnly bool) ([]blockRow, error) {
	out := make([]blockRow, 0, want)
	r := blockReader{b: body}
	var row blockRow
	for r.next(&row, keysOnly) {
		out = append(out, row)
	}
	if r.err != nil || len(out) != want {
		return nil, errDamaged
	}
	return out, nil
}

// rowIdentity is what a row is compared by in a diff, within its account
// and permission set: principal, user, and which repeat of that pair it is.
type rowIdentity struct {
	principal, user, dup int64
	seq                  int64 // the row's position in its snapshot
}

func (a rowIdentity) cmp(b rowIdentity) int {
	switch {
	case a.principal != b.principal:
		return cmpInt(a.principal, b.principal)
	case a.user != b.user:
		return cmpInt(a.user, b.user)
	}
	return cmpInt(a.dup, b.dup)
}

func cmpInt(a, b int64) int {
	if a < b {
		return -1
	}
	if a > b {
		return 1
	}
	return 0
}

// identities returns the rows of one account and permission set (its
// blocks in order), sorted by identity; a repeat of a (principal, user)
// pair is numbered by its order in the report.
func identities(blocks []storedBlock, into []rowIdentity) ([]rowIdentity, error) {
	into = into[:0]
	var row blockRow
	for _, b := range blocks {
		r := blockReader{b: b.body}
		n := int64(0)
		for r.next(&row, true) {
			into = append(into, rowIdentity{principal: row.principal, user: row.user, seq: b.first + n})
			n++
		}
		if r.err != nil || n != b.rows {
			return nil, b.damaged()
		}
	}
	slices.SortFunc(into, func(a, b rowIdentity) int {
		if c := a.cmp(b); c != 0 {
			return c
		}
		return cmpInt(a.seq, b.seq)
	})
	for i := 1; i < len(into); i++ {
		if into[i].principal == into[i-1].principal && into[i].user == into[i-1].user {
			into[i].dup = into[i-1].dup + 1
		}
	}
	return into, nil
}
