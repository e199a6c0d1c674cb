package views

import "context"

// Gate gives or refuses the go-ahead for a plan (factory.GoAhead: never
// with --dry-run, always with --yes, else a yes typed at a terminal).
type Gate interface {
	Confirm(question string) (bool, error)
}

// WriteView renders a write command's documents: the plan before the
// go-ahead is asked, then the whole document once the run is over.
type WriteView[P, R any] interface {
	// Plan renders the plan for people before the question (JSON holds
	// it for Done).
	Plan(P) error
	// NothingToChange says, on stderr, that the plan has nothing to do
	// (unless the plan said so already).
	NothingToChange(P)
	// Done renders the whole document: the plan, whether it was applied
	// and what came of it (r nil: nothing was applied).
	Done(p P, r *R) error
	// Failed says on stderr what is known of a run whose apply failed
	// (what was done before it stopped); no document is written on
	// stdout, partial or whole.
	Failed(p P, r *R, err error)
}

// Change is one write command's plan and how to carry it out.
type Change[P, R any] struct {
	Plan P
	// Todo is how many changes the plan makes; with none nothing is asked
	// or applied.
	Todo int
	// Question asks for the go-ahead ("Make these 3 changes?").
	Question string
	// Refuse, when set, is returned once the plan is rendered: the plan
	// may not be carried out now (a date not reached yet, say).
	Refuse error
	// Apply carries the plan out.
	Apply func(context.Context) (R, error)
	// Outcome is the command's error once the document is written, from
	// the result (nil when nothing was applied): nil, a partial failure
	// (exit 3), or a status such as --detailed-exitcode's. Nil: none.
	Outcome func(r *R) error
}

// Write is the one shape of every command that changes something: the
// plan rendered; when it has nothing to do, that said; else the go-ahead
// asked of the gate; the plan applied; the document rendered;
// the exit status taken from the result. A failed apply writes no
// document.
func Write[P, R any](ctx context.Context, v WriteView[P, R], g Gate, c Change[P, R]) error {
	if err := v.Plan(c.Plan); err != nil {
		return err
	}
	if c.Refuse != nil {
		return c.Refuse
	}
	var res *R
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
	if c.Outcome == nil {
		return nil
	}
	return c.Outcome(res)
}
