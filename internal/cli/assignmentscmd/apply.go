package assignmentscmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/ssoctl/ssoctl/internal/assignments/execute"
	"github.com/ssoctl/ssoctl/internal/assignments/plan"
	"github.com/ssoctl/ssoctl/internal/awsclient"
	"github.com/ssoctl/ssoctl/internal/cli/factory"
	"github.com/ssoctl/ssoctl/internal/cli/views"
	"github.com/ssoctl/ssoctl/internal/render"
)

type applyOptions struct {
	common

	Files    []string
	PlanFile string
	Prune    bool
	Yes      bool
	// DetailedExitcode: exit 2 when the plan had changes (0 when none).
	DetailedExitcode bool
	// Executor tunes the executor (tests).
	Executor execute.Options
}

func newApplyCmd(f *factory.Factory, runF func(context.Context, *applyOptions) error) *cobra.Command {
	opts := &applyOptions{common: newCommon(f)}
	cmd := &cobra.Command{
		Use:   "apply (-f FILE… | PLAN)",
		Short: "Create and delete assignments until Identity Center matches a file",
		Long: `Carry out the plan of an assignments file (see ssoctl assignments plan): the
plan is computed and printed, then carried out with --yes or a yes typed at
a terminal. Without either, it prints the plan and changes nothing.

Given a saved plan (ssoctl assignments plan --out PLAN), it carries out
exactly that plan — after checking that the live assignments in the plan's
scope are still those it was made against; if anything changed, it refuses
and changes nothing.

Changes go through ssoctl's assignment executor: at most 15 requests
outstanding (Identity Center's limit), polled until each has SUCCEEDED or
FAILED (AWS's reason shown), throttling and conflicts retried. Creates run
before deletes. An interrupted apply can be run again: what is already done
is left as it is, and nothing is created twice. Some changes failing exits 3
and lists them. With --detailed-exitcode it exits 0 when there was nothing
to change and 2 when there was, as plan does.`,
		Example: `  ssoctl assignments apply -f access.yaml            # shows the plan, asks
  ssoctl assignments apply -f access.yaml --prune --yes
  ssoctl assignments plan -f access.yaml --out access.plan && ssoctl assignments apply access.plan --yes`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.PlanFile = args[0]
			}
			switch {
			case opts.PlanFile == "" && len(opts.Files) == 0:
				return factory.Usagef("name the assignments file (-f FILE) or a saved plan")
			case opts.PlanFile != "" && len(opts.Files) > 0:
				return factory.Usagef("give either -f FILE or a saved plan, not both")
			case opts.PlanFile != "" && opts.Prune:
				return factory.Usagef("--prune is decided when the plan is made (ssoctl assignments plan --prune --out PLAN)")
			}
			return runVerb(cmd, f, &opts.Format, opts, runF, runApply)
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVarP(&opts.Files, "file", "f", nil, "assignments `FILE` (repeatable)")
	fl.BoolVar(&opts.Prune, "prune", false, "also delete live assignments the file does not declare, of the permission sets it names")
	fl.BoolVarP(&opts.Yes, "yes", "y", false, "carry the plan out without asking")
	fl.BoolVar(&opts.DetailedExitcode, "detailed-exitcode", false, "exit 0 when there was nothing to change, 2 when there was (and it was done)")
	factory.SetOutputs(cmd, "table", "json")
	return cmd
}

func runApply(ctx context.Context, opts *applyOptions) error {
	start := time.Now()
	var (
		set *awsclient.Set
		p   *plan.Plan
		err error
	)
	if opts.PlanFile != "" {
		set, p, err = checkSavedPlan(ctx, opts)
	} else {
		set, p, err = makePlan(ctx, opts.IO, opts.Clients, opts.CachePath, opts.Files, opts.Prune)
	}
	if err != nil {
		return err
	}
	stats := func() views.CallStats { return views.NewCallStats(set.Stats(), time.Since(start)) }
	v := views.NewAssignmentsApply(opts.Format, opts.IO.Out, opts.IO.ErrOut, stats)
	return views.Write(ctx, v, opts.gate(opts.Yes, false), views.Change[*plan.Plan, views.Applied]{
		Plan:     p,
		Todo:     len(p.Changes),
		Question: fmt.Sprintf("Make these %s?", plural(len(p.Changes), "change")),
		Apply: func(ctx context.Context) (views.Applied, error) {
			prog := render.NewProgress(opts.IO.ErrOut, opts.IO.IsStderrTTY())
			eo := opts.Executor
			eo.OnProgress = func(pr execute.Progress) { prog.Update(string(pr.Op)+"s", pr.Done, pr.Total) }
			execStart := time.Now()
			rep, err := execute.Apply(ctx, set.SSOAdmin(), p.Executor(), eo)
			prog.Done()
			return views.Applied{Report: rep, Seconds: time.Since(execStart).Seconds()}, err
		},
		Outcome: func(r *views.Applied) error {
			switch {
			case r != nil && !r.Report.OK():
				failed := r.Report.Failures()
				return &factory.PartialError{Err: fmt.Errorf("%s of %d did not succeed (listed above); run apply again to retry them", plural(len(failed), "change"), len(r.Report.Results))}
			case p.HasChanges() && opts.DetailedExitcode:
				// As plan: 2 means there were changes (made, or not
				// confirmed).
				return &factory.ExitStatusError{Code: 2}
			}
			return nil
		},
	})
}

// checkSavedPlan reads a saved plan and re-reads its scope: the live
// assignments must be those it was made against.
func checkSavedPlan(ctx context.Context, opts *applyOptions) (*awsclient.Set, *plan.Plan, error) {
	var b []byte
	var err error
	if opts.PlanFile == "-" {
		b, err = io.ReadAll(opts.IO.In)
	} else {
		b, err = os.ReadFile(opts.PlanFile)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("read the plan %s: %w", opts.PlanFile, unwrapPathError(err))
	}
	p, err := plan.Unmarshal(b)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", opts.PlanFile, err)
	}
	set, err := opts.Clients(ctx)
	if err != nil {
		return nil, nil, err
	}
	dir := directory(set, opts.CachePath)
	if _, err := dir.Instance(ctx, p.Scope.InstanceArn); err != nil {
		return nil, nil, factory.Explain(err, "find the plan's instance")
	}
	prog := render.NewProgress(opts.IO.ErrOut, opts.IO.IsStderrTTY())
	live, err := plan.ReadLive(ctx, dir.Clients(), p.Scope, prog.Update)
	prog.Done()
	if err != nil {
		return nil, nil, factory.Explain(err, "list the live assignments")
	}
	if err := plan.Check(p, live); err != nil {
		if errors.Is(err, plan.ErrStale) {
			return nil, nil, fmt.Errorf("%s: %w; nothing was changed", opts.PlanFile, err)
		}
		return nil, nil, err
	}
	return set, p, nil
}
