package views

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/ssoctl/ssoctl/internal/access"
	"github.com/ssoctl/ssoctl/internal/render"
)

// UserAccess renders `ssoctl access user`.
type UserAccess interface {
	Show(*access.UserAccess, CallStats) error
}

// AccountAccess renders `ssoctl access account`.
type AccountAccess interface {
	Show(*access.AccountAccess, CallStats) error
}

// UserAccessColumns are the CSV columns of `access user`; the table adds
// member_since after path (when the user joined the group of a group
// path), which JSON has as memberSince. The CSV keeps the columns scripts
// read.
var UserAccessColumns = []string{"account_id", "account_name", "permission_set", "path", "flags"}

// userAccessTableColumns are the table columns of `access user`.
var userAccessTableColumns = []string{"account_id", "account_name", "permission_set", "path", "member_since", "flags"}

// AccountAccessColumns are the CSV and table columns of `access account`.
var AccountAccessColumns = []string{"permission_set", "principal_type", "principal_id", "principal_name", "user", "path", "flags"}

// NewUserAccess returns the view for format csv, table or json: the
// answer on out, a note on errOut when there is none.
func NewUserAccess(format string, out, errOut io.Writer, ro render.RowsOptions) UserAccess {
	return userAccessView{whole[access.UserRow]{format, out, errOut, ro}}
}

// NewAccountAccess returns the view for format csv, table or json: the
// answer on out, a note on errOut when there is none.
func NewAccountAccess(format string, out, errOut io.Writer, ro render.RowsOptions) AccountAccess {
	return accountAccessView{whole[access.AccountRow]{format, out, errOut, ro}}
}

type userAccessView struct{ w whole[access.UserRow] }

func (v userAccessView) Show(res *access.UserAccess, calls CallStats) error {
	if len(res.Rows) == 0 {
		v.w.note("%s has no access: nothing is assigned to them or to any of their %d group(s)", res.User.UserName, len(res.Groups))
	}
	if v.w.format == "table" {
		// last_used only when access unused has read some (JSON: lastUsed).
		known := slices.ContainsFunc(res.Rows, func(r access.UserRow) bool { return r.LastUsed != nil })
		cols := userAccessTableColumns
		if known {
			cols = append(slices.Clone(cols), "last_used")
		}
		return v.w.show(res, calls, res.Rows, cols, func(r access.UserRow) []string {
			since := ""
			if !r.MemberSince.IsZero() {
				since = r.MemberSince.UTC().Format(time.DateOnly)
			}
			cells := []string{r.AccountId, r.AccountName, r.PermissionSet, r.Path, since, strings.Join(r.Flags, ";")}
			if known {
				cells = append(cells, lastUsed(r.LastUsed))
			}
			return cells
		})
	}
	return v.w.show(res, calls, res.Rows, UserAccessColumns, func(r access.UserRow) []string {
		return []string{r.AccountId, r.AccountName, r.PermissionSet, r.Path, strings.Join(r.Flags, ";")}
	})
}

type accountAccessView struct{ w whole[access.AccountRow] }

func (v accountAccessView) Show(res *access.AccountAccess, calls CallStats) error {
	if len(res.Rows) == 0 {
		v.w.note("nobody is assigned to %s (%s)", res.Account.Name, res.Account.Id)
	}
	if rv := res.Review; rv != nil && v.w.format != "json" {
		where := "not production"
		if rv.Production {
			where = "PRODUCTION (by " + rv.ProductionBy + ")"
		}
		var sets []string
		for _, p := range rv.Privileged {
			sets = append(sets, p.Name)
		}
		priv := "nobody has privileged access to it"
		if len(sets) > 0 {
			priv = fmt.Sprintf("%s reach it with a privileged permission set (%s)", plural(rv.Users, "user"), strings.Join(sets, ", "))
		}
		v.w.note("%s (%s) is in %s, %s; %s", res.Account.Name, res.Account.Id, cmp.Or(rv.OU, "no OU"), where, priv)
	}
	// The table adds last_used when access unused has read some (JSON:
	// lastUsed); the CSV keeps the columns scripts read.
	known := v.w.format == "table" && slices.ContainsFunc(res.Rows, func(r access.AccountRow) bool { return r.LastUsed != nil })
	cols := AccountAccessColumns
	if known {
		cols = append(slices.Clone(cols), "last_used")
	}
	return v.w.show(res, calls, res.Rows, cols, func(r access.AccountRow) []string {
		cells := []string{r.PermissionSet, r.PrincipalType, r.PrincipalId, r.PrincipalName, r.UserName, r.Path, strings.Join(r.Flags, ";")}
		if known {
			cells = append(cells, lastUsed(r.LastUsed))
		}
		return cells
	})
}

// lastUsed is a last use as a table cell ("-" when none is known).
func lastUsed(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

// whole writes a document held whole: JSON (the document with its
// "stats"), or its rows as CSV or a table (and on errOut how many CSV
// cells were made safe).
type whole[T any] struct {
	format      string
	out, errOut io.Writer
	ro          render.RowsOptions
}

func (w whole[T]) note(format string, args ...any) {
	fmt.Fprintln(w.errOut, "note: "+render.Escape(fmt.Sprintf(format, args...)))
}

func (w whole[T]) show(doc any, calls CallStats, rows []T, cols []string, cells func(T) []string) error {
	if w.format == "json" {
		return jsonWithStats(w.out, doc, calls)
	}
	values := make([][]string, 0, len(rows))
	for _, r := range rows {
		values = append(values, cells(r))
	}
	changed, err := WriteRows(w.out, w.format, w.ro, cols, values)
	CSVNote(w.errOut, changed)
	return err
}

// WriteRows writes a whole table or CSV, and returns how many CSV cells
// were made safe (CSVNote).
func WriteRows(w io.Writer, format string, ro render.RowsOptions, cols []string, values [][]string) (changed int, err error) {
	rows, err := render.NewRows(w, format, ro)
	if err != nil {
		return 0, err
	}
	defer func() { changed = rows.Changed() }()
	if err := rows.Header(cols); err != nil {
		return 0, err
	}
	for _, v := range values {
		if err := rows.Row(v); err != nil {
			return 0, err
		}
	}
	return 0, rows.Flush()
}

// jsonWithStats writes doc, a JSON object, with a last member "stats",
// indented as render.JSON indents.
func jsonWithStats(w io.Writer, doc any, calls CallStats) error {
	b, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	st, err := json.Marshal(calls)
	if err != nil {
		return err
	}
	b = bytes.TrimSuffix(bytes.TrimSpace(b), []byte("}"))
	if len(b) > 1 {
		b = append(b, ',')
	}
	b = append(append(append(b, `"stats":`...), st...), '}')
	var out bytes.Buffer
	if err := json.Indent(&out, b, "", "  "); err != nil {
		return err
	}
	out.WriteByte('\n')
	_, err = w.Write(out.Bytes())
	return err
}
