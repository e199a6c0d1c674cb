package admincmd

import (
	"testing"

	"github.com/ssoctl/ssoctl/internal/assignments/list"
)

// The filter's errors, worded as the flags that were given (the words
// internal/assignments' filter test checked before its errors were typed).
func TestFilterFlagErrors(t *testing.T) {
	tests := []struct {
		spec list.FilterSpec
		want string
	}{
		{list.FilterSpec{Accounts: []string{"payments-prod"}}, `--account takes 12-digit account ids, not "payments-prod" (use --account-name for names)`},
		{list.FilterSpec{Accounts: []string{"12345678901"}}, `--account takes 12-digit account ids, not "12345678901" (use --account-name for names)`},
		{list.FilterSpec{AccountNames: []string{"("}}, "--account-name \"(\" is not a valid regular expression: error parsing regexp: missing closing ): `(`"},
		{list.FilterSpec{PermissionSets: []string{"*Admin"}}, "--permission-set \"*Admin\" is not a valid regular expression: error parsing regexp: missing argument to repetition operator: `*`"},
		{list.FilterSpec{Users: []string{"[a-"}}, "--user \"[a-\" is not a valid regular expression: error parsing regexp: missing closing ]: `[a-`"},
		{list.FilterSpec{Groups: []string{"a)"}}, "--group \"a)\" is not a valid regular expression: error parsing regexp: unexpected ): `a)`"},
	}
	for _, tt := range tests {
		_, err := list.CompileFilter(tt.spec)
		if err == nil {
			t.Errorf("CompileFilter(%+v) = nil; want an error", tt.spec)
			continue
		}
		if got := filterFlagError(err).Error(); got != tt.want {
			t.Errorf("filterFlagError(CompileFilter(%+v)) = %q; want %q", tt.spec, got, tt.want)
		}
	}
}
