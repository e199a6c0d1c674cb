package iaccmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ssoctl/ssoctl/internal/assignments/execute"
	"github.com/ssoctl/ssoctl/internal/awsclient"
	"github.com/ssoctl/ssoctl/internal/cli/factory"
	"github.com/ssoctl/ssoctl/internal/cli/views"
	"github.com/ssoctl/ssoctl/internal/iac"
	"github.com/ssoctl/ssoctl/internal/render"
)

type applyOptions struct {
	common

	Files          []string
	PlanFile       string
	Prune          bool
	AllowSCIMDrift bool
	Yes            bool
	// Executor tunes the executor (tests).
	Executor execute.Options
}

func newApplyCmd(f *factory.Factory, runF func(context.Context, *applyOptions) error) *cobra.Command {
	opts := &applyOptions{common: newCommon(f)}
	cmd := &cobra.Command{
		Use:   "apply (-f FILE… | PLAN)",
		Short: "Make Identity Center's permission sets, groups and assignments match a file",
		Long: `Carry out the plan of Identity Center files (see ssoctl iac plan): the plan is
computed and printed, then carried out with --yes or a yes typed at a
terminal. Without either, it prints the plan and changes nothing.

Given a saved plan (ssoctl iac plan --out PLAN), it carries out exactly that
plan — after checking that the live state the plan read is unchanged; if
anything changed, it refuses and changes nothing.

Every write goes through ssoctl's one executor, within AWS's rates (20
requests a second for Identity Center, 20 for the identity store, at most
15 asynchronous requests outstanding): permission sets made and changed,
then re-provisioned (ProvisionPermissionSet to every account they are
provisioned to, polled until it succeeds or fails with AWS's reason),
groups and members written, assignments created — and only then, removals.
When something fails, no removal is started. An interrupted apply can be
run again: what is done is left as it is, requests still in progress are
waited for, and nothing is made twice. Some changes failing exits 3 and
lists them.

When the identity store is provisioned by SCIM from an external identity
provider (its users or groups carry the IdP's ExternalIds), group and
membership changes are refused unless --allow-scim-drift: the IdP's next
sync would undo them.`,
		Example: `  ssoctl iac apply -f identity-center.yaml            # shows the plan, asks
  ssoctl iac apply -f identity-center.yaml --prune --yes
  ssoctl iac plan -f identity-center.yaml --out ic.plan && ssoctl iac apply ic.plan --yes`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.PlanFile = args[0]
			}
			switch {
			case opts.PlanFile == "" && len(opts.Files) == 0:
				return factory.Usagef("name the Identity Center file (-f FILE) or a saved plan")
			case opts.PlanFile != "" && len(opts.Files) > 0:
				return factory.Usagef("give either -f FILE or a saved plan, not both")
			case opts.PlanFile != "" && opts.Prune:
				return factory.Usagef("--prune is decided when the plan is made (ssoctl iac plan --prune --out PLAN)")
			}
			return runVerb(cmd, f, &opts.Format, opts, runF, runApply)
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVarP(&opts.Files, "file", "f", nil, "Identity Center `FILE` (repeatable; merged)")
	fl.BoolVar(&opts.Prune, "prune", false, "also delete what the files do not declare, in the sections they have")
	fl.BoolVar(&opts.AllowSCIMDrift, "allow-scim-drift", false, "write groups and memberships even when an external identity provider provisions the store (its next sync undoes them)")
	fl.BoolVarP(&opts.Yes, "yes", "y", false, "carry the plan out without asking")
	factory.SetOutputs(cmd, "table", "json")
	return cmd
}

func runApply(ctx context.Context, opts *applyOptions) error {
	start := time.Now()
	var (
		set *awsclient.Set
		p   *iac.Plan
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
	v := views.IacApply{JSON: opts.Format == "json", Out: opts.IO.Out, ErrOut: opts.IO.ErrOut,
		Stats: func() views.CallStats { return views.NewCallStats(set.Stats(), time.Since(start)) }}
	var refuse error
	if p.Source.SCIM && p.GroupWrites() && !opts.AllowSCIMDrift {
		refuse = fmt.Errorf("refused: the identity store is provisioned by SCIM from an external identity provider (%s), so group and membership changes made here drift from it and its next sync undoes them; make them in the IdP, or run again with --allow-scim-drift; nothing was changed", p.Source.Evidence)
	}
	return views.Write(ctx, v, factory.GoAhead{IO: opts.IO, Prompter: opts.Prompter, Yes: opts.Yes}, views.Change[*iac.Plan, views.IacApplied]{
		Plan:     p,
		Todo:     len(p.Changes),
		Question: fmt.Sprintf("Make these %s?", plural(len(p.Changes), "change")),
		Refuse:   refuse,
		Apply: func(ctx context.Context) (views.IacApplied, error) {
			prog := render.NewProgress(opts.IO.ErrOut, opts.IO.IsStderrTTY())
			eo := opts.Executor
			eo.StopDeletesOnCreateFailure = true
			eo.OnProgress = func(pr execute.Progress) { prog.Update(progressLabel(pr), pr.Done, pr.Total) }
			execStart := time.Now()
			rep, err := execute.Run(ctx, execute.Clients{SSOAdmin: set.SSOAdmin(), PermissionSets: set.SSOAdmin(), IdentityStore: set.IdentityStore()}, p.Executor(), eo)
			prog.Done()
			return views.IacApplied{Report: rep, Seconds: time.Since(execStart).Seconds()}, err
		},
		Outcome: func(r *views.IacApplied) error {
			if r != nil && !r.Report.OK() {
				failed := r.Report.Failures()
				return &factory.PartialError{Err: fmt.Errorf("%s of %d did not succeed (listed above); run apply again to finish", plural(len(failed), "change"), len(r.Report.Results))}
			}
			return nil
		},
	})
}

// progressLabel names a stage of the executor for the progress line.
func progressLabel(p execute.Progress) string {
	what := map[execute.Kind]string{
		execute.KindAssignment: "assignments", execute.KindPermissionSet: "permission sets", execute.KindProvision: "provisioning",
		execute.KindGroup: "groups", execute.KindMembership: "members",
	}[p.Kind]
	if p.Kind == execute.KindProvision {
		return what
	}
	return strings.TrimSuffix(string(p.Op), "e") + "ing " + what
}

// checkSavedPlan reads a saved plan and re-reads its scope: the live state
// must be what it was made against.
func checkSavedPlan(ctx context.Context, opts *applyOptions) (*awsclient.Set, *iac.Plan, error) {
	var b []byte
	var err error
	if opts.PlanFile == "-" {
		b, err = io.ReadAll(opts.IO.In)
	} else {
		b, err = os.ReadFile(opts.PlanFile)
	}
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, nil, fmt.Errorf("read the plan %s: %w", opts.PlanFile, err)
	}
	p, err := iac.Unmarshal(b)
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
	err = iac.Check(ctx, clients(set), dir, p, prog.Update)
	prog.Done()
	if err != nil {
		if errors.Is(err, iac.ErrStale) {
			return nil, nil, fmt.Errorf("%s: %w; make the plan again and review it; nothing was changed", opts.PlanFile, err)
		}
		return nil, nil, factory.Explain(err, "read the live state")
	}
	return set, p, nil
}
