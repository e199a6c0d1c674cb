//go:build unix

package childenv

import (
	"os"
	"os/exec"
	"syscall"
)

// OwnProcessGroup makes cmd, once started, the leader of a process group
// of its own: a terminal's Ctrl-C then reaches it only through ssoctl, and
// SignalGroup reaches every process it starts.
func OwnProcessGroup(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setpgid = true
}

// SignalGroup sends sig to the process group of a started cmd made with
// OwnProcessGroup.
func SignalGroup(cmd *exec.Cmd, sig os.Signal) error {
	s, ok := sig.(syscall.Signal)
	if !ok {
		return cmd.Process.Signal(sig)
	}
	return syscall.Kill(-cmd.Process.Pid, s)
}
