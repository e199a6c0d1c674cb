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
// and list each command's formats in `ssoctl help formats`, and a command
// that takes some lists them in its own help.
func TestEveryCommandDeclaresItsOutputs(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	root := NewRootCmd(factory.New(ios))
	topic, _, err := root.Find([]string{"formats"})
	if err != nil || topic == root {
		t.Fatalf("no `ssoctl help formats` topic: %v", err)
	}
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
		if !strings.Contains(topic.Long, "\n  "+strings.TrimPrefix(path, "ssoctl ")+" ") {
			t.Errorf("ssoctl help formats does not list %s's -o formats", path)
		}
		if formats, _ := factory.Outputs(c); len(formats) > 0 && !strings.Contains(c.Long, "\n\nOutput formats (-o): "+strings.Join(formats, ", ")+".") {
			t.Errorf("%s's help does not list its -o formats %v", path, formats)
		}
	}
	walk(root)
}

// The root help lists the commands in groups, as people look for them:
// every command is in one, but for cobra's help and completion and version.
func TestEveryCommandIsInAGroup(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	root := NewRootCmd(factory.New(ios))
	root.InitDefaultHelpCmd()
	for _, c := range root.Commands() {
		switch c.Name() {
		case "help", "completion", "version", "formats":
			continue
		}
		if c.GroupID == "" {
			t.Errorf("ssoctl %s is in no group of the root help", c.Name())
		}
	}
	if strings.Contains(root.Long, "Output formats") {
		t.Errorf("the root help still opens with the output formats:\n%s", root.Long)
	}
}
