//go:build !unix

package childenv

import (
	"os"
	"os/exec"
)

// OwnProcessGroup does nothing where there are no process groups.
func OwnProcessGroup(cmd *exec.Cmd) {}

// SignalGroup sends sig to the started cmd (os.Kill is the only signal
// every system delivers).
func SignalGroup(cmd *exec.Cmd, sig os.Signal) error {
	if err := cmd.Process.Signal(sig); err != nil {
		return cmd.Process.Kill()
	}
	return nil
}
