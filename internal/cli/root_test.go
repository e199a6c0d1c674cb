package cli

import (
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/ssoctl/ssoctl/internal/cli/factory"
	"github.com/ssoctl/ssoctl/internal/iostreams"
)

// Every command that runs declares the -o formats it takes (none is a
// declaration too), so the root can refuse an -o a command would ignore
// and list each command's formats in its help.
func TestEveryCommandDeclaresItsOutputs(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	root := NewRootCmd(factory.New(ios))
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			walk(sub)
		}
		if !c.Runnable() || c.HasSubCommands() || c == root {
			return
		}
		path := c.CommandPath()
		if c.Name() == "help" || strings.HasPrefix(path, "ssoctl completion") {
			return // cobra's own
		}
		if _, declared := factory.Outputs(c); !declared {
			t.Errorf("%s does not declare its -o formats (factory.SetOutputs)", path)
		}
		if !strings.Contains(root.Long, "\n  "+strings.TrimPrefix(path, "ssoctl ")+" ") {
			t.Errorf("the root help does not list %s's -o formats", path)
		}
	}
	walk(root)
}
