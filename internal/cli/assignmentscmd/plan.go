package assignmentscmd

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/ssoctl/ssoctl/internal/assignments/file"
	"github.com/ssoctl/ssoctl/internal/assignments/plan"
	"github.com/ssoctl/ssoctl/internal/awsclient"
	"github.com/ssoctl/ssoctl/internal/cli/factory"
	"github.com/ssoctl/ssoctl/internal/cli/views"
	"github.com/ssoctl/ssoctl/internal/iostreams"
	"github.com/ssoctl/ssoctl/internal/render"
)

type planOptions struct {
	common

	Files            []string
	Prune            bool
	DetailedExitcode bool
	Out              string
}

func newPlanCmd(f *factory.Factory, runF func(context.Context, *planOptions) error) *cobra.Command {
	opts := &planOptions{common: newCommon(f)}
	cmd := &cobra.Command{
		Use:   "plan -f FILE…",
		Short: "Show what applying an assignments file would create and delete",
		Long: `Compare the assignments a file declares with Identity Center's and print the
difference: the assignments to create and, with --prune, the live ones the
file does not declare to delete — only ever of permission sets the file
names. Nothing is changed.

It reads only what the file touches: the permission sets it names, in the
accounts it declares (with --prune, in every account they are provisioned
to), one ListAccountAssignments per provisioned pair, so a file about five
permission sets costs a fraction of a full audit.

--out PLAN saves the plan; ssoctl assignments apply PLAN then carries out
exactly what was reviewed, and refuses if the live assignments in the plan's
scope changed in the meantime. --detailed-exitcode exits 0 when there is
nothing to change and 2 when there is, as terraform plan does.`,
		Example: `  ssoctl assignments plan -f access.yaml
  ssoctl assignments plan -f access.yaml --prune --out access.plan
  ssoctl assignments plan -f access.yaml --detailed-exitcode || echo "drift"`,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Files = append(opts.Files, args...)
			if len(opts.Files) == 0 {
				return factory.Usagef("name the assignments file: -f FILE")
			}
			return runVerb(cmd, f, &opts.Format, opts, runF, runPlan)
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVarP(&opts.Files, "file", "f", nil, "assignments `FILE` (repeatable)")
	fl.BoolVar(&opts.Prune, "prune", false, "also delete live assignments the file does not declare, of the permission sets it names")
	fl.BoolVar(&opts.DetailedExitcode, "detailed-exitcode", false, "exit 0 when there is nothing to change, 2 when there is")
	fl.StringVar(&opts.Out, "out", "", "save the plan to `PLAN` for ssoctl assignments apply PLAN (- for stdout: the plan shown goes to stderr)")
	factory.SetOutputs(cmd, "table", "json")
	return cmd
}

func runPlan(ctx context.Context, opts *planOptions) error {
	start := time.Now()
	toStdout := opts.Out == "-"
	if toStdout && opts.Format == "json" {
		return factory.Usagef("--out - writes the plan to stdout, where -o json writes its document: give --out a file")
	}
	if opts.Out != "" {
		if err := checkWritable(opts.Out); err != nil {
			return err
		}
	}
	set, p, err := makePlan(ctx, opts.IO, opts.Clients, opts.CachePath, opts.Files, opts.Prune)
	if err != nil {
		return err
	}
	if opts.Out != "" {
		b, err := p.Marshal()
		if err != nil {
			return err
		}
		if err := writeOutput(opts.IO, opts.Out, b); err != nil {
			return fmt.Errorf("save the plan to %s: %w", opts.Out, fileCause(err))
		}
	}
	stats := views.NewCallStats(set.Stats(), time.Since(start))
	if err := views.AssignmentsPlan(opts.Format, opts.IO.Out, opts.IO.ErrOut, views.PlanDoc{Plan: p, Saved: opts.Out, Stats: stats}); err != nil {
		return err
	}
	if opts.DetailedExitcode && p.HasChanges() {
		// Terraform's convention, which scripts test for: 2 means changes.
		return &factory.ExitStatusError{Code: 2}
	}
	return nil
}

// makePlan reads the files, resolves them, reads the live assignments in
// their scope through the one lister, and compares.
func makePlan(ctx context.Context, ios *iostreams.IOStreams, clients clientsFunc, cachePath string, files []string, prune bool) (*awsclient.Set, *plan.Plan, error) {
	parsed, err := readFiles(files)
	if err != nil {
		return nil, nil, views.FileErrors(ios.ErrOut, err, "the assignments file")
	}
	set, err := clients(ctx)
	if err != nil {
		return nil, nil, err
	}
	dir := directory(set, cachePath)
	prog := render.NewProgress(ios.ErrOut, ios.IsStderrTTY())
	prog.Update("reading the file's names", 0, 0)
	d, err := file.Resolve(ctx, parsed, dir, file.Options{})
	if err != nil {
		prog.Done()
		if len(file.ErrorList(err)) > 0 {
			return nil, nil, views.FileErrors(ios.ErrOut, err, "the assignments file")
		}
		return nil, nil, factory.Explain(err, "resolve the assignments file")
	}
	scope := plan.ScopeOf(d, prune)
	live, err := plan.ReadLive(ctx, dir.Clients(), scope, prog.Update)
	prog.Done()
	if err != nil {
		return nil, nil, factory.Explain(err, "list the live assignments")
	}
	declared := d.Assignments()
	names, err := plan.DeleteNames(ctx, dir, declared, live, prune)
	if err != nil {
		return nil, nil, factory.Explain(err, "name the live assignments")
	}
	p := plan.Compute(declared, live, scope, names)
	p.CreatedAt = time.Now().UTC().Truncate(time.Second)
	p.Files = files
	for _, w := range d.Warnings {
		p.Warnings = append(p.Warnings, w.Error())
	}
	views.Warnings(ios.ErrOut, p.Warnings)
	factory.SaveNameCache(ios.ErrOut, dir.NameCache())
	return set, p, nil
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
