package factory

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/ssoctl/ssoctl/internal/sso"
)

func TestExitCode(t *testing.T) {
	signIn := fmt.Errorf("roles: %w", fmt.Errorf("%w: no cached token", sso.ErrSignInRequired))
	tests := []struct {
		name     string
		err      error
		want     int
		reported bool
	}{
		{"nil", nil, 0, false},
		{"plain", errors.New("boom"), 1, false},
		{"usage", Usagef("--x: bad"), 2, false},
		{"cobra usage", errors.New(`unknown flag: --nope`), 2, false},
		{"partial", fmt.Errorf("audit: %w", &PartialError{Err: errors.New("2 failed")}), 3, false},
		{"sign-in", signIn, 4, false},
		{"interrupted", fmt.Errorf("list: %w", context.Canceled), 130, false},
		{"a command's status", &ExitStatusError{Code: 42}, 42, true},
		{"reported sign-in", Reported(signIn), 4, true},
		{"reported plain", Reported(errors.New("role not given")), 1, true},
		{"reported usage", Reported(Usagef("x")), 2, true},
	}
	for _, tt := range tests {
		if got := ExitCode(tt.err); got != tt.want {
			t.Errorf("%s: ExitCode = %d; want %d", tt.name, got, tt.want)
		}
		if got := IsReported(tt.err); got != tt.reported {
			t.Errorf("%s: IsReported = %v; want %v", tt.name, got, tt.reported)
		}
	}
	if Reported(nil) != nil {
		t.Error("Reported(nil) is not nil")
	}
}
