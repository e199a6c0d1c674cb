package iaccmd

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/ssoctl/ssoctl/internal/cli/factory"
	"github.com/ssoctl/ssoctl/internal/cli/views"
	"github.com/ssoctl/ssoctl/internal/iac"
	"github.com/ssoctl/ssoctl/internal/render"
)

type exportOptions struct {
	common

	Out      string
	Instance string
}

func newExportCmd(f *factory.Factory, runF func(context.Context, *exportOptions) error) *cobra.Command {
	opts := &exportOptions{common: newCommon(f)}
	cmd := &cobra.Command{
		Use:   "export [-f FILE]",
		Short: "Write Identity Center's permission sets, groups and assignments as an Identity Center file",
		Long: `Write the live state as an Identity Center file — every permission set with
every attribute, every group with its members, every assignment — so a team
adopts managing it as code in one step: planned right after, the file shows
no changes.

Users are written by user name (by id where names repeat); inline policies
as YAML. Assignments are grouped compactly, as ssoctl assignments export
writes them; those of deleted users and groups cannot be declared and are
left out (ssoctl iac plan --prune deletes them). The credentials command is
ssoctl export.`,
		Example: `  ssoctl iac export -f identity-center.yaml
  ssoctl iac export -o json | jq '.export.counts'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runVerb(cmd, f, &opts.Format, opts, runF, runExport)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.Out, "file", "f", "", "write to `FILE` instead of stdout (- for stdout)")
	fl.StringVar(&opts.Instance, "instance-arn", "", "the Identity Center instance `ARN` (needed only when there are several)")
	factory.SetOutputs(cmd, "yaml", "json")
	return cmd
}

func runExport(ctx context.Context, opts *exportOptions) error {
	start := time.Now()
	out := opts.Out
	if out == "" {
		out = "-"
	}
	if out != "-" {
		if err := checkWritable(out); err != nil {
			return err
		}
	}
	set, err := opts.Clients(ctx)
	if err != nil {
		return err
	}
	dir := directory(set, opts.CachePath)
	prog := render.NewProgress(opts.IO.ErrOut, opts.IO.IsStderrTTY())
	instance := opts.Instance
	if instance != "" && !bytes.HasPrefix([]byte(instance), []byte("arn:")) {
		instance = "arn:aws:sso:::instance/" + instance
	}
	ex, err := iac.ReadExport(ctx, clients(set), dir, instance, prog.Update)
	prog.Done()
	if err != nil {
		return factory.Explain(err, "read the live state")
	}
	factory.SaveNameCache(opts.IO.ErrOut, dir.NameCache())
	stats := views.NewCallStats(set.Stats(), time.Since(start))
	data, err := views.IacExport(opts.Format, ex, stats, time.Now())
	if err != nil {
		return err
	}
	if err := factory.WriteOutput(opts.IO, out, data, 0o644); err != nil {
		return fmt.Errorf("cannot write %s: %w", out, err)
	}
	views.IacExportSummary(opts.IO.ErrOut, ex, stats)
	return nil
}
