package historycmd

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ssoctl/ssoctl/internal/cli/factory"
	"github.com/ssoctl/ssoctl/internal/cli/views"
	"github.com/ssoctl/ssoctl/internal/history"
	"github.com/ssoctl/ssoctl/internal/iostreams"
	"github.com/ssoctl/ssoctl/internal/render"
)

type diffOptions struct {
	IO      *iostreams.IOStreams
	DB      string
	IDs     []int64
	Format  string
	Rows    render.RowsOptions
	Columns string
	// AllowIncomplete compares a snapshot whose audit could not list
	// everything.
	AllowIncomplete bool
}

func newDiffCmd(f *factory.Factory, db *string, runF func(context.Context, *diffOptions) error) *cobra.Command {
	opts := &diffOptions{IO: f.IOStreams}
	cmd := &cobra.Command{
		Use:   "diff [FROM [TO]]",
		Short: "Show what access changed between two snapshots",
		Long: `Compare two snapshots: every row of access (user × account × permission set ×
path) that one has and the other has not, with a Change column saying GAINED
or LOST; the findings that appeared or were resolved; and how many rows each
account and permission set gained and lost.

With no arguments the last two snapshots are compared; with one, that
snapshot and the newest. Rows are the audit's, in its order, with the newer
snapshot's columns (--columns to choose).

Each row ends with Actor and EventTime: who made the change (the IAM
principal's ARN, or the Identity Center user) and when, where a CloudTrail
event read by an incremental audit between the two snapshots (audit --since)
explains it; empty otherwise.

A snapshot whose audit could not list part of the organization (items that
kept failing: an endpoint that went away, access denied) is INCOMPLETE (see
history list): what it missed would read as access LOST, so it is refused
unless --allow-incomplete, and then a warning says so.

-o table (the default on a terminal) prints the rows, then the findings and
the summaries; -o csv (the default otherwise) prints the rows only, with the
summary on stderr; -o json one document with all of it.`,
		Example: `  ssoctl history diff             # the last two snapshots
  ssoctl history diff 3          # snapshot 3 against the newest
  ssoctl history diff 3 7 -o json | jq '.summary.accounts'`,
		Args: cobra.MaximumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.IDs = nil
			for _, a := range args {
				id, err := parseID(a)
				if err != nil {
					return err
				}
				opts.IDs = append(opts.IDs, id)
			}
			format, err := f.CommandFormat(cmd, "table", "csv")
			if err != nil {
				return err
			}
			opts.Format, opts.DB, opts.Rows = format, *db, f.RowsOptions()
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runDiff(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Columns, "columns", "", "columns of the changed rows (as the audit's --columns; default: the newer snapshot's)")
	cmd.Flags().BoolVar(&opts.AllowIncomplete, "allow-incomplete", false, factory.AllowIncompleteUsage)
	factory.SetOutputs(cmd, "table", "csv", "json")
	return cmd
}

func runDiff(ctx context.Context, opts *diffOptions) error {
	s, err := factory.OpenHistory(ctx, opts.IO, opts.DB)
	if err != nil {
		return err
	}
	defer s.Close()
	from, to, err := s.Between(ctx, opts.IDs...)
	if err != nil {
		return factory.ExplainNoSnapshot(err)
	}
	instead := ""
	if ids, err := completeIDs(ctx, s, 2); err == nil && len(ids) == 2 {
		instead = fmt.Sprintf("compare complete snapshots (ssoctl history diff %d %d)", ids[0], ids[1])
	}
	var warnings []string
	both := []history.Snapshot{from, to}
	if from.ID == to.ID {
		both = both[:1]
	}
	for _, sn := range both {
		w, err := factory.CheckSnapshotBase(sn, opts.AllowIncomplete, instead)
		if err != nil {
			return err
		}
		if w != "" {
			warnings = append(warnings, w)
		}
	}
	cols := to.Columns
	if opts.Columns != "" {
		iam := slices.ContainsFunc(to.Columns, func(c string) bool { return strings.HasPrefix(c, "IAM") })
		if cols, err = views.ParseAuditColumns(opts.Columns, iam); err != nil {
			return &factory.UsageError{Err: err}
		}
	}
	if len(cols) == 0 {
		cols = views.AuditDefaultColumns
	}
	view, err := views.NewHistoryDiff(opts.Format, opts.IO.Out, opts.Rows, cols)
	if err != nil {
		return err
	}
	d, err := s.Diff(ctx, from, to, view.Change)
	if err != nil {
		_ = view.Abort(err)
		return err
	}
	var doc views.HistoryDiffReport
	doc.From = views.SnapshotRef{ID: from.ID, Created: from.Created, Complete: from.Complete}
	doc.To = views.SnapshotRef{ID: to.ID, Created: to.Created, Complete: to.Complete}
	doc.Findings.Appeared, doc.Findings.Resolved = d.Appeared, d.Resolved
	doc.Summary.Gained, doc.Summary.Lost = d.Gained, d.Lost
	for _, c := range d.Accounts {
		doc.Summary.Accounts = append(doc.Summary.Accounts, views.ChangeCount(c))
	}
	for _, c := range d.PermissionSets {
		doc.Summary.PermissionSets = append(doc.Summary.PermissionSets, views.ChangeCount(c))
	}
	if err := view.End(doc); err != nil {
		return err
	}
	for _, w := range warnings {
		views.Said(opts.IO.ErrOut, w)
	}
	views.HistoryDiffSummary(opts.IO.ErrOut, doc)
	views.CSVNote(opts.IO.ErrOut, view.Changed())
	return nil
}
