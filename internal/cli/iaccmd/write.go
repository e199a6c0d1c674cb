package iaccmd

import (
	"context"
	"fmt"

	"github.com/ssoctl/ssoctl/internal/cli/views"
	"github.com/ssoctl/ssoctl/internal/iac"
)

// The one shape of a write command — plan rendered, go-ahead asked, plan
// applied, document rendered, exit status from the result — as
// views.Write gives it to every write command once the views refactor is
// on main; until then, this is the same steps for iac apply alone, with
// the same names, so the switch is mechanical.

type change struct {
	Plan     *iac.Plan
	Todo     int
	Question string
	Refuse   error
	Apply    func(context.Context) (views.IacApplied, error)
	Outcome  func(*views.IacApplied) error
}

func write(ctx context.Context, v views.IacApply, g goAhead, c change) error {
	if err := v.Plan(c.Plan); err != nil {
		return err
	}
	if c.Refuse != nil {
		return c.Refuse
	}
	var res *views.IacApplied
	if c.Todo == 0 {
		v.NothingToChange(c.Plan)
	} else {
		ok, err := g.Confirm(c.Question)
		if err != nil {
			return err
		}
		if ok {
			r, err := c.Apply(ctx)
			if err != nil {
				v.Failed(c.Plan, &r, err)
				return err
			}
			res = &r
		}
	}
	if err := v.Done(c.Plan, res); err != nil {
		return err
	}
	return c.Outcome(res)
}

// goAhead gives the go-ahead: always with --yes, else only for a yes
// typed at a terminal; without one it says why nothing was changed.
type goAhead struct{ opts *applyOptions }

func (g goAhead) Confirm(question string) (bool, error) {
	ios := g.opts.IO
	if g.opts.Yes {
		return true, nil
	}
	if !ios.CanPrompt() || g.opts.Prompter == nil {
		fmt.Fprintln(ios.ErrOut, "Nothing was changed: run again with --yes to carry this plan out.")
		return false, nil
	}
	ok, err := g.opts.Prompter.Confirm(question + " [y/N] ")
	if err != nil {
		return false, err
	}
	if !ok {
		fmt.Fprintln(ios.ErrOut, "Cancelled: nothing was changed.")
	}
	return ok, nil
}
