package factory

import (
	"fmt"

	"github.com/ssoctl/ssoctl/internal/iostreams"
)

// GoAhead decides whether a write command carries its plan out: never
// with --dry-run, always with --yes, else only for a yes typed at a
// terminal. Without one it says on stderr why nothing was changed. It is
// the gate of views.Write, the one shape of every write command.
type GoAhead struct {
	IO       *iostreams.IOStreams
	Prompter Prompter
	Yes      bool
	DryRun   bool
}

// GoAhead returns the gate of a write command's --yes and --dry-run.
func (f *Factory) GoAhead(yes, dryRun bool) GoAhead {
	return GoAhead{IO: f.IOStreams, Prompter: f.Prompter, Yes: yes, DryRun: dryRun}
}

// Confirm asks question (with " [y/N] ") when it has to, and reports
// whether the plan may be carried out.
func (g GoAhead) Confirm(question string) (bool, error) {
	if g.DryRun {
		fmt.Fprintln(g.IO.ErrOut, "Nothing was changed (--dry-run).")
		return false, nil
	}
	if g.Yes {
		return true, nil
	}
	if !g.IO.CanPrompt() {
		fmt.Fprintln(g.IO.ErrOut, "Nothing was changed: run again with --yes to carry this plan out.")
		return false, nil
	}
	p := g.Prompter
	if p == nil {
		p = NewPrompter(g.IO)
	}
	ok, err := p.Confirm(question + " [y/N] ")
	if err != nil {
		return false, err
	}
	if !ok {
		fmt.Fprintln(g.IO.ErrOut, "Cancelled: nothing was changed.")
	}
	return ok, nil
}
