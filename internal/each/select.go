package each

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"

	"github.com/ssoctl/ssoctl/internal/awsconfig"
)

// Filter chooses targets among the account roles a person can reach.
type Filter struct {
	// Role matches role names: an exact name, or a regular expression
	// anchored at both ends. Empty matches every role.
	Role string
	// Accounts are account ids (12 digits) or exact account names;
	// empty means every account.
	Accounts []string
	// AccountName is a regular expression on account names (unanchored).
	AccountName string
	// Exclude drops accounts by id, or by a regular expression on the name.
	Exclude []string
	// Regions multiplies each account role by these regions (none: one
	// run without a region).
	Regions []string
}

// Field names a part of a Filter.
type Field string

// The parts of a Filter that hold regular expressions.
const (
	FieldRole        Field = "role"
	FieldAccountName Field = "account name"
	FieldExclude     Field = "exclude"
)

// FilterError says a part of a Filter is not a valid regular expression.
type FilterError struct {
	Field Field
	Expr  string
	Err   error // the regexp package's error
}

func (e *FilterError) Error() string { return fmt.Sprintf("%s %q: %v", e.Field, e.Expr, e.Err) }
func (e *FilterError) Unwrap() error { return e.Err }

// Select returns the targets the filter chooses from the reachable account
// roles (Region unset), sorted by account name, id, role and region.
func Select(roles []Target, f Filter) ([]Target, error) {
	roleRE, err := anchored(f.Role)
	if err != nil {
		return nil, &FilterError{Field: FieldRole, Expr: f.Role, Err: err}
	}
	account, err := f.AccountMatcher()
	if err != nil {
		return nil, err
	}
	var out []Target
	for _, r := range roles {
		switch {
		case roleRE != nil && !roleRE.MatchString(r.RoleName):
			continue
		case !account(r.AccountId, r.AccountName):
			continue
		}
		if len(f.Regions) == 0 {
			out = append(out, r)
			continue
		}
		for _, region := range f.Regions {
			t := r
			t.Region = region
			out = append(out, t)
		}
	}
	slices.SortFunc(out, func(a, b Target) int {
		return cmp.Or(cmp.Compare(a.AccountName, b.AccountName), cmp.Compare(a.AccountId, b.AccountId),
			cmp.Compare(a.RoleName, b.RoleName), cmp.Compare(a.Region, b.Region))
	})
	return out, nil
}

// AccountMatcher returns the filter's account part (Accounts, AccountName
// and Exclude) as a test on an account's id and name, so that accounts can
// be dropped before their roles are listed.
func (f Filter) AccountMatcher() (func(accountID, accountName string) bool, error) {
	var nameRE *regexp.Regexp
	if f.AccountName != "" {
		var err error
		if nameRE, err = regexp.Compile(f.AccountName); err != nil {
			return nil, &FilterError{Field: FieldAccountName, Expr: f.AccountName, Err: err}
		}
	}
	var excludeRE []*regexp.Regexp
	excludeID := map[string]bool{}
	for _, x := range f.Exclude {
		if awsconfig.IsAccountID(x) {
			excludeID[x] = true
			continue
		}
		re, err := regexp.Compile(x)
		if err != nil {
			return nil, &FilterError{Field: FieldExclude, Expr: x, Err: err}
		}
		excludeRE = append(excludeRE, re)
	}
	only := map[string]bool{} // ids and names
	for _, a := range f.Accounts {
		only[a] = true
	}
	return func(id, name string) bool {
		switch {
		case len(only) > 0 && !only[id] && !only[name]:
			return false
		case nameRE != nil && !nameRE.MatchString(name):
			return false
		case excludeID[id] || matchAny(excludeRE, name):
			return false
		}
		return true
	}, nil
}

// Accounts counts the distinct accounts among targets.
func Accounts(targets []Target) int {
	seen := map[string]bool{}
	for _, t := range targets {
		seen[t.AccountId] = true
	}
	return len(seen)
}

func anchored(expr string) (*regexp.Regexp, error) {
	if expr == "" {
		return nil, nil
	}
	return regexp.Compile("^(?:" + expr + ")$")
}

func matchAny(res []*regexp.Regexp, s string) bool {
	for _, re := range res {
		if re.MatchString(s) {
			return true
		}
	}
	return false
}
