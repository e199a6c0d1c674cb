package views

import (
	"io"
	"strings"

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

// UserAccessColumns are the CSV and table columns of `access user`.
var UserAccessColumns = []string{"account_id", "account_name", "permission_set", "path", "flags"}

// AccountAccessColumns are the CSV and table columns of `access account`.
var AccountAccessColumns = []string{"permission_set", "principal_type", "principal_id", "principal_name", "user", "path", "flags"}

// NewUserAccess returns the view for format csv, table or json.
func NewUserAccess(format string, w io.Writer) UserAccess { return userAccessView{format, w} }

// NewAccountAccess returns the view for format csv, table or json.
func NewAccountAccess(format string, w io.Writer) AccountAccess {
	return accountAccessView{format, w}
}

type userAccessView struct {
	format string
	w      io.Writer
}

func (v userAccessView) Show(res *access.UserAccess, calls CallStats) error {
	if v.format == "json" {
		return render.JSON(v.w, struct {
			*access.UserAccess
			Stats CallStats `json:"stats"`
		}{res, calls})
	}
	values := make([][]string, 0, len(res.Rows))
	for _, r := range res.Rows {
		values = append(values, []string{r.AccountId, r.AccountName, r.PermissionSet, r.Path, strings.Join(r.Flags, ";")})
	}
	return writeRows(v.w, v.format, UserAccessColumns, values)
}

type accountAccessView struct {
	format string
	w      io.Writer
}

func (v accountAccessView) Show(res *access.AccountAccess, calls CallStats) error {
	if v.format == "json" {
		return render.JSON(v.w, struct {
			*access.AccountAccess
			Stats CallStats `json:"stats"`
		}{res, calls})
	}
	values := make([][]string, 0, len(res.Rows))
	for _, r := range res.Rows {
		values = append(values, []string{r.PermissionSet, r.PrincipalType, r.PrincipalId, r.PrincipalName, r.UserName, r.Path, strings.Join(r.Flags, ";")})
	}
	return writeRows(v.w, v.format, AccountAccessColumns, values)
}

// writeRows writes a whole table or CSV.
func writeRows(w io.Writer, format string, cols []string, values [][]string) error {
	rows, err := render.NewRows(w, format)
	if err != nil {
		return err
	}
	if err := rows.Header(cols); err != nil {
		return err
	}
	for _, v := range values {
		if err := rows.Row(v); err != nil {
			return err
		}
	}
	return rows.Flush()
}
