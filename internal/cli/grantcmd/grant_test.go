package grantcmd

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ssoctl/ssoctl/internal/cli/factory"
	"github.com/ssoctl/ssoctl/internal/iostreams"
)

// TestFlags: the verbs parse their flags into their options, and refuse
// what is missing or malformed as usage errors (exit 2) before any call.
func TestFlags(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	c := &common{IO: ios, f: factory.New(ios)}

	var got *createOptions
	cmd := newCreateCmd(c, func(_ context.Context, o *createOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"jane.doe", "-p", "ProductionSupport", "--account", "prod,staging", "--ou", "Workloads", "--for", "90m", "--reason", "INC-1", "--ticket", "OPS-1", "--yes"})
	if err := cmd.ExecuteContext(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got.User != "jane.doe" || got.PermissionSet != "ProductionSupport" || strings.Join(got.Accounts, " ") != "prod staging" || got.OUs[0] != "Workloads" ||
		got.For != 90*time.Minute || got.Reason != "INC-1" || got.Ticket != "OPS-1" || !got.Yes {
		t.Errorf("options %+v", got)
	}

	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"jane.doe", "-p", "P", "-a", "prod"}, "--for"},
		{[]string{"jane.doe", "-p", "P", "-a", "prod", "--for", "0s"}, "--for"},
		{[]string{"jane.doe", "--group", "ops", "-p", "P", "-a", "prod", "--for", "1h"}, "one of them"},
		{[]string{"-p", "P", "-a", "prod", "--for", "1h"}, "one of them"},
		{[]string{"jane.doe", "-a", "prod", "--for", "1h"}, "--permission-set"},
		{[]string{"jane.doe", "-p", "P", "--for", "1h"}, "--account or --ou"},
	} {
		cmd := newCreateCmd(c, func(context.Context, *createOptions) error { return nil })
		cmd.SetArgs(tt.args)
		cmd.SilenceErrors, cmd.SilenceUsage = true, true
		err := cmd.ExecuteContext(context.Background())
		var ue *factory.UsageError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("create %v: got %v; want a usage error naming %s", tt.args, err, tt.want)
		}
	}

	var ended *endOptions
	cmd = newEndCmd(c, true, func(_ context.Context, o *endOptions) error { ended = o; return nil })
	cmd.SetArgs([]string{"abcdefghijkl", "--yes"})
	if err := cmd.ExecuteContext(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !ended.Revoke || ended.ID != "abcdefghijkl" {
		t.Errorf("revoke options %+v", ended)
	}
	cmd = newEndCmd(c, true, func(context.Context, *endOptions) error { return nil })
	cmd.SetArgs([]string{"ssoctl-jit-abcdefghijkl"})
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	var ue *factory.UsageError
	if err := cmd.ExecuteContext(context.Background()); !errors.As(err, &ue) {
		t.Errorf("revoke of a name, not an id: got %v; want a usage error", err)
	}
	cmd = newListCmd(c, func(_ context.Context, o *listOptions) error {
		if !o.All {
			t.Error("list --all: All not set")
		}
		return nil
	})
	cmd.SetArgs([]string{"--all"})
	if err := cmd.ExecuteContext(context.Background()); err != nil {
		t.Fatal(err)
	}
}
