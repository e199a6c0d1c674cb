package usercmd

import (
	"context"
	"strings"
	"testing"

	"github.com/ssoctl/ssoctl/internal/assignments/execute"
	"github.com/ssoctl/ssoctl/internal/cli/factory"
	"github.com/ssoctl/ssoctl/internal/iostreams"
)

// TestFlags: the verbs parse their flags into their options.
func TestFlags(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	f := factory.New(ios)
	c := &common{IO: ios, f: f}

	var got *assignOptions
	cmd := newAssignCmd(c, execute.Delete, func(_ context.Context, o *assignOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"jane.doe", "-p", "Developer", "--account", "dev,staging", "--ou", "Workloads"})
	if err := cmd.ExecuteContext(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got.User != "jane.doe" || got.PermissionSet != "Developer" || strings.Join(got.Accounts, " ") != "dev staging" || got.OUs[0] != "Workloads" || got.Op != execute.Delete {
		t.Errorf("options %+v", got)
	}

	var created *createOptions
	cmd = newCreateCmd(c, func(_ context.Context, o *createOptions) error { created = o; return nil })
	cmd.SetArgs([]string{"jane.doe", "--given-name", "Jane", "--family-name", "Doe", "--access", "Developer", "--notify", "--force"})
	if err := cmd.ExecuteContext(context.Background()); err != nil {
		t.Fatal(err)
	}
	if created.User.UserName != "jane.doe" || created.User.Access != "Developer" || !created.Notify || !created.Force {
		t.Errorf("options %+v", created)
	}

	cmd = newChangeAccessCmd(c, func(context.Context, *changeAccessOptions) error { return nil })
	cmd.SetArgs([]string{"jane.doe", "--from", "Developer"})
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	if err := cmd.ExecuteContext(context.Background()); err == nil || !strings.Contains(err.Error(), "--to BUNDLE") {
		t.Errorf("change-access without --to: %v", err)
	}
}
