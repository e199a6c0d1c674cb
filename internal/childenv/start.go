package childenv

import (
	"errors"
	"fmt"
	"io/fs"
	"os/exec"
	"syscall"
)

// Exit statuses of a command that could not be started, as shells give
// them.
const (
	ExitNotExecutable = 126 // found, but not executable
	ExitNotFound      = 127 // not found
)

// StartError says a command could not be started at all; Code is the exit
// status a shell would give (ExitNotFound, ExitNotExecutable).
type StartError struct {
	Name string
	Code int
	Err  error
}

func (e *StartError) Error() string { return fmt.Sprintf("run %s: %v", e.Name, e.Err) }
func (e *StartError) Unwrap() error { return e.Err }

// StartFailure turns the error of starting (or looking up) the command
// name into a *StartError when the command is missing or not executable,
// and returns any other error as it is.
func StartFailure(name string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, exec.ErrNotFound), errors.Is(err, fs.ErrNotExist):
		return &StartError{Name: name, Code: ExitNotFound, Err: err}
	case errors.Is(err, fs.ErrPermission), errors.Is(err, syscall.ENOEXEC), errors.Is(err, syscall.EISDIR):
		return &StartError{Name: name, Code: ExitNotExecutable, Err: err}
	}
	return err
}
