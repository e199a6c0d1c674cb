package sso

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// An account is named the same way everywhere a person names one: by its
// id, by its name, or by a regular expression matched anywhere in either
// (anchor it with ^ and $). An exact id or name wins over a pattern.

// AccountMatcher returns what matches value (nil for an empty value: any
// account). It fails only for a value that is neither a plain name nor a
// valid regular expression.
func AccountMatcher(value string) (func(Account) bool, error) {
	if value == "" {
		return nil, nil
	}
	re, err := regexp.Compile(value)
	if err != nil {
		return nil, &AccountPatternError{Value: value, Err: err}
	}
	return func(a Account) bool {
		return a.AccountID == value || a.AccountName == value || re.MatchString(a.AccountID) || re.MatchString(a.AccountName)
	}, nil
}

// AccountPatternError is an account value that is not a valid regular
// expression.
type AccountPatternError struct {
	Value string
	Err   error
}

func (e *AccountPatternError) Error() string {
	return fmt.Sprintf("account %q is neither an id, a name nor a regular expression: %v", e.Value, e.Err)
}

// NoAccountError says no account of the person matches.
type NoAccountError struct{ Value string }

func (e *NoAccountError) Error() string {
	return fmt.Sprintf("no account you can use is %q (by id or name)", e.Value)
}

// AmbiguousAccountError says a value matches several accounts where one
// is needed.
type AmbiguousAccountError struct {
	Value   string
	Matches []string // "name (id)", sorted
}

func (e *AmbiguousAccountError) Error() string {
	return fmt.Sprintf("%q matches %d accounts (%s): name one by its id or whole name", e.Value, len(e.Matches), strings.Join(e.Matches, ", "))
}

// OneAccount picks the one account value names among accounts: the one
// whose id or name equals it, else the only one the pattern matches.
func OneAccount(accounts []Account, value string) (Account, error) {
	for _, a := range accounts {
		if a.AccountID == value || a.AccountName == value {
			return a, nil
		}
	}
	match, err := AccountMatcher(value)
	if err != nil {
		return Account{}, err
	}
	var found []Account
	for _, a := range accounts {
		if match(a) {
			found = append(found, a)
		}
	}
	switch len(found) {
	case 0:
		return Account{}, &NoAccountError{Value: value}
	case 1:
		return found[0], nil
	}
	names := make([]string, len(found))
	for i, a := range found {
		names[i] = a.AccountName + " (" + a.AccountID + ")"
	}
	sort.Strings(names)
	return Account{}, &AmbiguousAccountError{Value: value, Matches: names}
}
