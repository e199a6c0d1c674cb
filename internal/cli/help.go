package cli

import (
	"fmt"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ssoctl/ssoctl/internal/cli/factory"
)

// groupCommands puts root's commands in the groups people look for them
// in (version, help and completion stay under "Additional Commands"), and
// appends to each command's help the output formats it takes.
func groupCommands(root *cobra.Command) {
	root.AddGroup(
		&cobra.Group{ID: "use", Title: "Sign in and use AWS:"},
		&cobra.Group{ID: "admin", Title: "Administer access:"},
		&cobra.Group{ID: "reports", Title: "History and reports:"},
		&cobra.Group{ID: "sandbox", Title: "Try it without AWS:"},
	)
	groupOf := map[string]string{
		"login": "use", "logout": "use", "roles": "use", "credential-process": "use", "exec": "use",
		"export": "use", "console": "use", "each": "use", "credentials": "use", "configure": "use", "check": "use",
		"serve-credentials": "use",
		"admin":             "admin", "access": "admin", "assignments": "admin", "user": "admin", "iac": "admin", "grant": "admin",
		"audit": "reports", "history": "reports", "report": "reports",
		"sandbox": "sandbox",
	}
	for _, c := range root.Commands() {
		if g, ok := groupOf[c.Name()]; ok {
			c.GroupID = g
		}
	}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			walk(sub)
		}
		formats, ok := factory.Outputs(c)
		if !ok || len(formats) == 0 {
			return
		}
		if c.Long == "" {
			c.Long = c.Short
		}
		c.Long += "\n\nOutput formats (-o): " + strings.Join(formats, ", ") + "."
	}
	walk(root)
}

// newFormatsTopic is `ssoctl help formats`: what -o each command takes
// (the commands that declared theirs with factory.SetOutputs).
func newFormatsTopic(root *cobra.Command) *cobra.Command {
	var b strings.Builder
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			if formats, ok := factory.Outputs(sub); ok {
				list := strings.Join(formats, ", ")
				if list == "" {
					list = "none"
				}
				fmt.Fprintf(&b, "  %-28s %s\n", strings.TrimPrefix(sub.CommandPath(), "ssoctl "), list)
			}
			walk(sub)
		}
	}
	walk(root)
	return &cobra.Command{
		Use:   "formats",
		Short: "The output formats (-o) each command takes",
		Long: `-o/--output picks a command's output format. Without it, a command writes a
table on a terminal and its documented default (json or csv) otherwise. A
command that prints no data refuses -o, and every command refuses a format
it does not write.

Output formats (-o) the commands take:
` + strings.TrimRight(b.String(), "\n"),
	}
}

func newVersionCmd(f *factory.Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print ssoctl's version and the revision it was built from",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintln(f.IOStreams.Out, "ssoctl "+versionString())
			return nil
		},
	}
}

// versionString is the module version and, when the build recorded it, the
// VCS revision, its time and whether the tree was modified: "v1.2.0
// (revision 0123456789ab, 2026-05-01T10:00:00Z)".
func versionString() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "(unknown)"
	}
	v := bi.Main.Version
	if v == "" {
		v = "(devel)"
	}
	var rev, when string
	modified := false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			when = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if rev == "" {
		return v
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	parts := []string{"revision " + rev}
	if when != "" {
		parts = append(parts, when)
	}
	if modified {
		parts = append(parts, "modified")
	}
	return v + " (" + strings.Join(parts, ", ") + ")"
}
