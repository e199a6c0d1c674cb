package audit

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// DefaultColumns are the report's columns, in order (aws-sso-audit's).
var DefaultColumns = []string{"UserEmail", "UserName", "AccountId", "AccountName", "PermissionSet", "PrincipalType", "PrincipalId", "GroupName"}

// IAMColumns are added by default with --iam.
var IAMColumns = []string{"IAMUser", "IAMConsolePassword", "IAMActiveKeys", "IAMMFA"}

// columns are every column a report can have.
var columns = map[string]func(Row) string{
	"UserEmail":        func(r Row) string { return r.UserEmail },
	"UserName":         func(r Row) string { return r.UserName },
	"UserId":           func(r Row) string { return r.UserId },
	"UserStatus":       func(r Row) string { return r.UserStatus },
	"DisplayName":      func(r Row) string { return r.DisplayName },
	"AccountId":        func(r Row) string { return r.AccountId },
	"AccountName":      func(r Row) string { return r.AccountName },
	"AccountStatus":    func(r Row) string { return r.AccountStatus },
	"PermissionSet":    func(r Row) string { return r.PermissionSet },
	"PermissionSetArn": func(r Row) string { return r.PermissionSetArn },
	"PrincipalType":    func(r Row) string { return r.PrincipalType },
	"PrincipalId":      func(r Row) string { return r.PrincipalId },
	"GroupName":        func(r Row) string { return r.GroupName },
	"Flags":            func(r Row) string { return strings.Join(r.Flags, ";") },
	"IAMUser": func(r Row) string {
		if r.IAM == nil {
			return ""
		}
		return r.IAM.UserName
	},
	"IAMConsolePassword": func(r Row) string {
		if r.IAM == nil {
			return ""
		}
		return yesNo(r.IAM.ConsolePassword)
	},
	"IAMActiveKeys": func(r Row) string {
		if r.IAM == nil {
			return ""
		}
		var keys []string
		for _, k := range r.IAM.ActiveKeys {
			used := "never used"
			if k.LastUsed != nil {
				used = "last used " + k.LastUsed.UTC().Format(time.RFC3339)
				if k.Service != "" {
					used += " (" + k.Service + ")"
				}
			}
			keys = append(keys, k.Id+" "+used)
		}
		return strings.Join(keys, ";")
	},
	"IAMMFA": func(r Row) string {
		if r.IAM == nil {
			return ""
		}
		return yesNo(r.IAM.MFA)
	},
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// ColumnNames lists every known column, sorted.
func ColumnNames() []string {
	out := make([]string, 0, len(columns))
	for k := range columns {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// ParseColumns reads --columns: "A,B" chooses the columns; "+A,B" adds
// them to the defaults. Names match without regard to case.
func ParseColumns(spec string, iam bool) ([]string, error) {
	base := append([]string(nil), DefaultColumns...)
	if iam {
		base = append(base, IAMColumns...)
	}
	if spec == "" {
		return base, nil
	}
	add := strings.HasPrefix(spec, "+")
	var out []string
	if add {
		out = base
		spec = spec[1:]
	}
	for _, name := range strings.Split(spec, ",") {
		name = strings.TrimSpace(name)
		canon := ""
		for k := range columns {
			if strings.EqualFold(k, name) {
				canon = k
			}
		}
		if canon == "" {
			return nil, fmt.Errorf("unknown column %q (known: %s)", name, strings.Join(ColumnNames(), ", "))
		}
		out = append(out, canon)
	}
	return out, nil
}

// Values renders a row in the given columns.
func Values(r Row, cols []string) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = columns[c](r)
	}
	return out
}
