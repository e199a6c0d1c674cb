package historycmd

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ssoctl/ssoctl/internal/audit"
	"github.com/ssoctl/ssoctl/internal/cli/factory"
	"github.com/ssoctl/ssoctl/internal/cli/views"
	"github.com/ssoctl/ssoctl/internal/iostreams"
	"github.com/ssoctl/ssoctl/internal/render"
	"github.com/ssoctl/ssoctl/internal/report"
)

type showOptions struct {
	IO      *iostreams.IOStreams
	Now     func() time.Time
	DB      string
	ID      int64
	Format  string
	Rows    render.RowsOptions
	Columns string
}

func newShowCmd(f *factory.Factory, db *string, runF func(context.Context, *showOptions) error) *cobra.Command {
	opts := &showOptions{IO: f.IOStreams, Now: time.Now}
	cmd := &cobra.Command{
		Use:   "show ID",
		Short: "Print a saved snapshot as the audit printed it",
		Long: `Print a snapshot's report as ` + "`ssoctl audit`" + ` wrote it: CSV by default, with the
columns the audit had (the same bytes), -o json for the document with its
findings, errors and stats, -o table for people, -o html the report of
` + "`ssoctl report html`" + `. --columns chooses other columns, as the audit's flag does.`,
		Example: `  ssoctl history show 3 > q3.csv
  ssoctl history show 3 -o json | jq '.findings'`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseID(args[0])
			if err != nil {
				return err
			}
			format, err := f.CommandFormat(cmd, "csv", "csv")
			if err != nil {
				return err
			}
			opts.ID, opts.Format, opts.DB, opts.Rows = id, format, *db, f.RowsOptions()
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runShow(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Columns, "columns", "", "columns to write (as the audit's --columns; default: the snapshot's own)")
	factory.SetOutputs(cmd, "csv", "json", "table", "html")
	return cmd
}

func runShow(ctx context.Context, opts *showOptions) error {
	s, err := factory.OpenHistory(ctx, opts.IO, opts.DB)
	if err != nil {
		return err
	}
	defer s.Close()
	sn, err := s.Get(ctx, opts.ID)
	if err != nil {
		return factory.ExplainNoSnapshot(err)
	}
	if why := factory.IncompleteWhy(sn); why != "" {
		views.IncompleteSnapshot(opts.IO.ErrOut, sn.ID, why)
	}
	if opts.Format == "html" {
		b, info, err := report.FromSnapshot(ctx, s, sn, opts.Now())
		if err != nil {
			return err
		}
		return b.Write(opts.IO.Out, info)
	}
	cols := sn.Columns
	if opts.Columns != "" {
		iam := slices.ContainsFunc(sn.Columns, func(c string) bool { return strings.HasPrefix(c, "IAM") })
		if cols, err = views.ParseAuditColumns(opts.Columns, iam); err != nil {
			return &factory.UsageError{Err: err}
		}
	}
	if len(cols) == 0 {
		cols = views.AuditDefaultColumns
	}
	doc := views.AuditReport{Notes: sn.Notes}
	if err := json.Unmarshal(sn.Stats, &doc.Stats); err != nil {
		return fmt.Errorf("snapshot %d: its stats cannot be read: %w", sn.ID, err)
	}
	if doc.Findings, err = s.Findings(ctx, sn.ID); err != nil {
		return err
	}
	if doc.Errors, err = s.Errors(ctx, sn.ID); err != nil {
		return err
	}
	// Rows stream from the database through the audit's own view, so the
	// bytes are the audit's, and through the review, which answers again
	// from what the audit's review knew.
	view, err := views.NewAudit(opts.Format, opts.IO.Out, opts.Rows, cols)
	if err != nil {
		return err
	}
	reviewer := audit.NewReviewer(&sn.Review, nil)
	if err := s.Rows(ctx, sn.ID, func(r audit.Row) error {
		reviewer.Row(r)
		return view.Row(r)
	}); err != nil {
		_ = view.Abort(err)
		return err
	}
	ar := reviewer.Finish(doc.Findings)
	doc.Production, doc.Causes, doc.Review = ar.Production, ar.Causes, sn.Review
	if err := view.End(doc); err != nil {
		return err
	}
	views.CSVNote(opts.IO.ErrOut, view.Changed())
	return nil
}
