package usercmd

import (
	"context"
	"strings"
	"testing"

	"github.com/ssoctl/ssoctl/internal/assignments/execute"
	"github.com/ssoctl/ssoctl/internal/cli/factory"
	"github.com/ssoctl/ssoctl/internal/iostreams"
)

// TestConfirm: --yes goes ahead; at a terminal a typed yes does, anything
// else does not; without a terminal nothing is changed and it says how.
func TestConfirm(t *testing.T) {
	for _, tc := range []struct {
		name  string
		yes   bool
		dry   bool
		tty   bool
		input string
		want  bool
		say   string
	}{
		{"--yes", true, false, false, "", true, ""},
		{"--dry-run wins", true, true, true, "y\n", false, "Nothing was changed (--dry-run)."},
		{"terminal yes", false, false, true, "yes\n", true, "Go? [y/N] "},
		{"terminal y", false, false, true, "y\n", true, ""},
		{"terminal no", false, false, true, "n\n", false, "Cancelled: nothing was changed."},
		{"terminal end of input", false, false, true, "", false, "Cancelled"},
		{"no terminal", false, false, false, "y\n", false, "run again with --yes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ios, in, _, errOut := iostreams.Test()
			ios.SetTTY(tc.tty, tc.tty, tc.tty)
			in.WriteString(tc.input)
			c := &common{IO: ios, Yes: tc.yes, DryRun: tc.dry}
			got, err := c.confirm("Go?")
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got %v; want %v", got, tc.want)
			}
			if !strings.Contains(errOut.String(), tc.say) {
				t.Errorf("stderr %q; want %q", errOut.String(), tc.say)
			}
		})
	}
}

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
