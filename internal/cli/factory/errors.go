package factory

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/ssoctl/ssoctl/internal/sso"
)

// Exit codes, which scripts depend on. Only the root (internal/cli) exits with them;
// commands return errors of the kinds below and ExitCode maps them.
const (
	ExitOK          = 0
	ExitError       = 1
	ExitUsage       = 2
	ExitPartial     = 3
	ExitSignIn      = 4
	ExitInterrupted = 130
)

// UsageError is a mistake in the command line (exit 2).
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// Usagef makes a UsageError.
func Usagef(format string, args ...any) error {
	return &UsageError{Err: fmt.Errorf(format, args...)}
}

// PartialError says the result was written but some items failed (exit 3).
// The items were already reported; Err summarises.
type PartialError struct{ Err error }

func (e *PartialError) Error() string { return e.Err.Error() }
func (e *PartialError) Unwrap() error { return e.Err }

// ReportedError is a failure the command has already told the person
// about (a check's findings, a "Cancelled" at a prompt): the root prints
// nothing more, and exits as Err's kind says (sso.ErrSignInRequired: 4, a
// UsageError: 2, a PartialError: 3, anything else: 1).
type ReportedError struct{ Err error }

func (e *ReportedError) Error() string { return e.Err.Error() }
func (e *ReportedError) Unwrap() error { return e.Err }

// Reported wraps err as already reported (nil stays nil).
func Reported(err error) error {
	if err == nil {
		return nil
	}
	return &ReportedError{Err: err}
}

// ExitStatusError is an exit status a command passes on as ssoctl's own,
// having spoken for itself: the status of the program ssoctl ran (exec),
// or a documented status such as --detailed-exitcode's 2 for changes.
type ExitStatusError struct{ Code int }

func (e *ExitStatusError) Error() string {
	return fmt.Sprintf("the command exited with status %d", e.Code)
}

// ExitCode maps an error returned by a command to ssoctl's exit code:
// 0 for nil, a command's own status for ExitStatusError, 130 when
// interrupted, 2 for usage errors (cobra's too), 3 for partial results, 4
// when a sign-in is required, else 1.
func ExitCode(err error) int {
	var status *ExitStatusError
	var usage *UsageError
	var partial *PartialError
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &status):
		return status.Code
	case errors.Is(err, context.Canceled):
		return ExitInterrupted
	case errors.As(err, &usage) || isCobraUsage(err):
		return ExitUsage
	case errors.As(err, &partial):
		return ExitPartial
	case errors.Is(err, sso.ErrSignInRequired):
		return ExitSignIn
	}
	return ExitError
}

// IsReported reports whether err has already been told to the person.
func IsReported(err error) bool {
	var reported *ReportedError
	var status *ExitStatusError
	return errors.As(err, &reported) || errors.As(err, &status)
}

// isCobraUsage recognises the argument errors cobra itself raises.
func isCobraUsage(err error) bool {
	m := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand flag", "accepts ", "requires at least", "requires at most", "flag needs an argument", "invalid argument", "required flag"} {
		if strings.HasPrefix(m, p) || strings.Contains(m, " "+p) {
			return true
		}
	}
	return false
}
