package sso

import (
	"errors"
	"testing"
)

func TestOneAccount(t *testing.T) {
	accounts := []Account{
		{AccountID: "640775136188", AccountName: "payments-dev"},
		{AccountID: "527326230212", AccountName: "payments-prod"},
		{AccountID: "574749125865", AccountName: "payments-staging"},
		{AccountID: "111111111111", AccountName: "payments-dev-2"},
	}
	tests := []struct {
		value, want string
		err         any
	}{
		{"640775136188", "640775136188", nil},
		{"payments-dev", "640775136188", nil}, // exact name wins over the pattern (payments-dev-2)
		{"staging", "574749125865", nil},
		{"^payments-prod$", "527326230212", nil},
		{"payments", "", &AmbiguousAccountError{}},
		{"nope", "", &NoAccountError{}},
		{"(", "", &AccountPatternError{}},
	}
	for _, tt := range tests {
		got, err := OneAccount(accounts, tt.value)
		switch want := tt.err.(type) {
		case nil:
			if err != nil || got.AccountID != tt.want {
				t.Errorf("%q: %v, %v; want %s", tt.value, got, err, tt.want)
			}
		case *AmbiguousAccountError:
			if !errors.As(err, &want) || len(want.Matches) != 4 {
				t.Errorf("%q: %v; want ambiguous among 4", tt.value, err)
			}
		case *NoAccountError:
			if !errors.As(err, &want) {
				t.Errorf("%q: %v; want no account", tt.value, err)
			}
		case *AccountPatternError:
			if !errors.As(err, &want) {
				t.Errorf("%q: %v; want a pattern error", tt.value, err)
			}
		}
	}
}
