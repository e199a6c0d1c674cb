// Package reportcmd is `ssoctl report`: reports made from saved audit
// snapshots.
package reportcmd

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/ssoctl/ssoctl/internal/cli/factory"
	"github.com/ssoctl/ssoctl/internal/cli/views"
	"github.com/ssoctl/ssoctl/internal/history"
	"github.com/ssoctl/ssoctl/internal/iostreams"
	"github.com/ssoctl/ssoctl/internal/report"
	"github.com/ssoctl/ssoctl/internal/securefile"
)

type htmlOptions struct {
	IO       *iostreams.IOStreams
	Now      func() time.Time
	DB       string
	Snapshot int64
	File     string
	// AllowIncomplete reports a snapshot whose audit could not list
	// everything.
	AllowIncomplete bool
}

// NewCmd returns `ssoctl report` and its subcommands.
func NewCmd(f *factory.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Reports made from saved audit snapshots",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newHTMLCmd(f, nil))
	return cmd
}

func newHTMLCmd(f *factory.Factory, runF func(context.Context, *htmlOptions) error) *cobra.Command {
	opts := &htmlOptions{IO: f.IOStreams, Now: time.Now}
	cmd := &cobra.Command{
		Use:   "html [--snapshot ID] [-f FILE]",
		Short: "Write a self-contained HTML access report of a saved snapshot",
		Long: `Write one HTML file that any browser opens with no network access (CSS and
JavaScript inline, nothing fetched): "Who can reach production?" first
(privileged access to the production accounts the org settings named when the
audit ran, by OU and account, with the path), the summary with the findings
(one line per cause, opening to its findings), the
changes since the previous snapshot, a user × account matrix that can be
aggregated by group or permission set, searched, filtered and drilled down to
its rows, and panes per user, group, permission set and account. It prints
readably (the controls are left out).

The report is of the newest snapshot unless --snapshot says which (see
` + "`ssoctl history list`" + `); ` + "`ssoctl audit -o html`" + ` writes the same report straight
from an audit. The file is aws_sso_access_report_YYYYMMDD_HHMMSS.html (the
snapshot's time) unless -f says otherwise (-f - for stdout); it is written
0600, whole or not at all.

A snapshot whose audit could not list part of the organization (INCOMPLETE in
history list) is refused: access it missed would not be in the report.
--allow-incomplete writes its report all the same, marked INCOMPLETE at the
top and without changes. The changes shown are since the newest complete
snapshot before this one.`,
		Example: `  ssoctl audit --save && ssoctl report html -f access.html
  ssoctl report html --snapshot 3 -f q3.html`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cmd.Flags().Changed("snapshot") && opts.Snapshot <= 0 {
				return factory.Usagef("--snapshot must be a positive id (see ssoctl history list)")
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runHTML(cmd.Context(), opts)
		},
	}
	cmd.Flags().Int64Var(&opts.Snapshot, "snapshot", 0, "the snapshot `ID` to report (default: the newest)")
	cmd.Flags().StringVarP(&opts.File, "file", "f", "", "write the report to `PATH` (- for stdout)")
	cmd.Flags().StringVar(&opts.DB, "db", "", factory.HistoryDBFlagUsage)
	cmd.Flags().BoolVar(&opts.AllowIncomplete, "allow-incomplete", false, factory.AllowIncompleteUsage)
	factory.SetOutputs(cmd, "html")
	return cmd
}

func runHTML(ctx context.Context, opts *htmlOptions) error {
	if opts.File != "" && opts.File != "-" {
		if fi, err := os.Stat(opts.File); err == nil && fi.IsDir() {
			return fmt.Errorf("cannot write the report to %s: it is a folder (give a file name, e.g. -f %s)", opts.File, filepath.Join(opts.File, "report.html"))
		}
	}
	s, err := factory.OpenHistory(ctx, opts.IO, opts.DB)
	if err != nil {
		return err
	}
	defer s.Close()
	var sn history.Snapshot
	if opts.Snapshot > 0 {
		sn, err = s.Get(ctx, opts.Snapshot)
	} else {
		sn, err = s.Latest(ctx)
	}
	if err != nil {
		return factory.ExplainNoSnapshot(err)
	}
	instead := ""
	if prev, _, err := s.PreviousComplete(ctx, sn.ID+1); err == nil && prev.ID != sn.ID {
		instead = fmt.Sprintf("report the newest complete snapshot (--snapshot %d)", prev.ID)
	}
	warning, err := factory.CheckSnapshotBase(sn, opts.AllowIncomplete, instead)
	if err != nil {
		return err
	}
	b, info, err := report.FromSnapshot(ctx, s, sn, opts.Now())
	if err != nil {
		return err
	}
	path := opts.File
	if path == "" {
		path = "aws_sso_access_report_" + sn.Created.Local().Format("20060102_150405") + ".html"
	}
	var buf bytes.Buffer
	if err := b.Write(&buf, info); err != nil {
		return err
	}
	if err := factory.WriteOutput(opts.IO, path, buf.Bytes(), 0o600); err != nil {
		var te *securefile.TargetError
		if errors.As(err, &te) {
			return fmt.Errorf("cannot write the report to %s: %s", te.Path, te.Reason)
		}
		return err
	}
	if warning != "" {
		views.Said(opts.IO.ErrOut, warning)
	}
	if path != "-" {
		views.ReportWritten(opts.IO.ErrOut, sn.ID, b.Rows(), len(info.Findings), path)
	}
	return nil
}
