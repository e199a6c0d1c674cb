package iaccmd

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/ssoctl/ssoctl/internal/assignments/file"
	"github.com/ssoctl/ssoctl/internal/awsclient"
	"github.com/ssoctl/ssoctl/internal/cli/factory"
	"github.com/ssoctl/ssoctl/internal/cli/views"
	"github.com/ssoctl/ssoctl/internal/iac"
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
		Short: "Show what applying an Identity Center file would change",
		Long: `Compare the permission sets, groups and assignments the files declare with
Identity Center's and print the difference, in the order apply makes it so
access never breaks: groups and permission sets made and changed first —
attribute by attribute, inline policies as a JSON diff that ignores
whitespace and key order — and re-provisioned to the accounts they are
provisioned to; members added; assignments created; then assignments
deleted, members removed, and (with --prune) permission sets and groups
deleted. Nothing is changed.

It reads only what the files touch: the permission sets and groups they
declare, and the assignments of the permission sets they name in the
accounts they declare. With --prune it also lists every permission set and
group, in the sections the files have, to delete those not declared —
never one an assignment still uses, never a group whose name starts with
AWS (Control Tower's) unless declared.

--out PLAN saves the plan with a fingerprint of the live state it read;
ssoctl iac apply PLAN then carries out exactly that, and refuses if that
state changed. --detailed-exitcode exits 0 when there is nothing to change
and 2 when there is, as terraform plan does.`,
		Example: `  ssoctl iac plan -f identity-center.yaml
  ssoctl iac plan -f permission-sets.yaml -f access.yaml --prune --out ic.plan
  ssoctl iac plan -f identity-center.yaml --detailed-exitcode || echo drift`,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Files = append(opts.Files, args...)
			if len(opts.Files) == 0 {
				return factory.Usagef("name the Identity Center file: -f FILE")
			}
			return runVerb(cmd, f, &opts.Format, opts, runF, runPlan)
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVarP(&opts.Files, "file", "f", nil, "Identity Center `FILE` (repeatable; merged)")
	fl.BoolVar(&opts.Prune, "prune", false, "also delete what the files do not declare, in the sections they have")
	fl.BoolVar(&opts.DetailedExitcode, "detailed-exitcode", false, "exit 0 when there is nothing to change, 2 when there is")
	fl.StringVar(&opts.Out, "out", "", "save the plan to `PLAN` for ssoctl iac apply PLAN (- for stdout: the plan shown goes to stderr)")
	factory.SetOutputs(cmd, "table", "json")
	return cmd
}

func runPlan(ctx context.Context, opts *planOptions) error {
	start := time.Now()
	toStdout := opts.Out == "-"
	if toStdout && opts.Format == "json" {
		return factory.Usagef("--out - writes the plan to stdout, where -o json writes its document: give --out a file")
	}
	if opts.Out != "" && !toStdout {
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
		if err := factory.WriteOutput(opts.IO, opts.Out, b, 0o644); err != nil {
			return fmt.Errorf("save the plan to %s: %w", opts.Out, err)
		}
	}
	stats := views.NewCallStats(set.Stats(), time.Since(start))
	if err := views.IacPlan(opts.Format, opts.IO.Out, opts.IO.ErrOut, views.IacPlanDoc{Plan: p, Saved: opts.Out, Stats: stats}); err != nil {
		return err
	}
	if opts.DetailedExitcode && p.HasChanges() {
		return &factory.ExitStatusError{Code: 2}
	}
	return nil
}

// makePlan reads the files, resolves them, reads what they touch of the
// live state, and compares.
func makePlan(ctx context.Context, ios *iostreams.IOStreams, clientsOf func(context.Context) (*awsclient.Set, error), cachePath string, files []string, prune bool) (*awsclient.Set, *iac.Plan, error) {
	s, warnings, err := readFiles(files)
	if err != nil {
		return nil, nil, views.FileErrors(ios.ErrOut, err, "the files")
	}
	set, err := clientsOf(ctx)
	if err != nil {
		return nil, nil, err
	}
	dir := directory(set, cachePath)
	prog := render.NewProgress(ios.ErrOut, ios.IsStderrTTY())
	prog.Update("reading the files' names", 0, 0)
	r, err := iac.Resolve(ctx, s, dir)
	if err != nil {
		prog.Done()
		if len(file.ErrorList(err)) > 0 {
			return nil, nil, views.FileErrors(ios.ErrOut, err, "the files")
		}
		return nil, nil, factory.Explain(err, "resolve the files")
	}
	r.Warnings = append(warnings, r.Warnings...)
	p, _, err := iac.Make(ctx, clients(set), dir, r, prune, prog.Update)
	prog.Done()
	if err != nil {
		return nil, nil, factory.Explain(err, "read the live state")
	}
	p.CreatedAt = time.Now().UTC().Truncate(time.Second)
	factory.SaveNameCache(ios.ErrOut, dir.NameCache())
	return set, p, nil
}

// checkWritable fails before any call when path cannot be written: its
// folder is missing or it is a folder.
func checkWritable(path string) error {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return fmt.Errorf("%s is a folder; name a file", path)
	}
	dir := filepath.Dir(path)
	fi, err := os.Stat(dir)
	if err != nil || !fi.IsDir() {
		return fmt.Errorf("cannot write %s: folder %s does not exist", path, dir)
	}
	return nil
}
