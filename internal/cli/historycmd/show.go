package historycmd

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/ssoctl/ssoctl/internal/audit"
	"github.com/ssoctl/ssoctl/internal/cli/factory"
	"github.com/ssoctl/ssoctl/internal/iostreams"
	"github.com/ssoctl/ssoctl/internal/render"
)

type showOptions struct {
	IO      *iostreams.IOStreams
	DB      string
	ID      int64
	Format  string
	Columns string
}

func newShowCmd(f *factory.Factory, db *string, runF func(context.Context, *showOptions) error) *cobra.Command {
	opts := &showOptions{IO: f.IOStreams}
	cmd := &cobra.Command{
		Use:   "show ID",
		Short: "Print a saved snapshot as the audit printed it",
		Long: `Print a snapshot's report as ` + "`ssoctl audit`" + ` wrote it: CSV by default, with the
columns the audit had (the same bytes), -o json for the document with its
findings, errors and stats, -o table for people. --columns chooses other
columns, as the audit's flag does.`,
		Example: `  ssoctl history show 3 > q3.csv
  ssoctl history show 3 -o json | jq '.findings'`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseID(args[0])
			if err != nil {
				return err
			}
			format, err := f.OutputFormat([]string{"csv", "json", "table"}, "csv", "csv")
			if err != nil {
				return err
			}
			opts.ID, opts.Format, opts.DB = id, format, *db
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runShow(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Columns, "columns", "", "columns to write (as the audit's --columns; default: the snapshot's own)")
	return cmd
}

func runShow(ctx context.Context, opts *showOptions) error {
	s, err := OpenExisting(ctx, opts.IO, opts.DB)
	if err != nil {
		return err
	}
	defer s.Close()
	sn, err := s.Get(ctx, opts.ID)
	if err != nil {
		return ExplainNotFound(err)
	}
	cols := sn.Columns
	if opts.Columns != "" {
		if cols, err = audit.ParseColumns(opts.Columns, false); err != nil {
			return &factory.UsageError{Err: err}
		}
	}
	if len(cols) == 0 {
		cols = audit.DefaultColumns
	}
	findings, err := s.Findings(ctx, sn.ID)
	if err != nil {
		return err
	}
	errs, err := s.Errors(ctx, sn.ID)
	if err != nil {
		return err
	}
	// The document is built in memory only for JSON's trailing members;
	// rows stream from the database to stdout.
	if opts.Format == "json" {
		stream := render.NewJSONStream(opts.IO.Out, "rows")
		if err := s.Rows(ctx, sn.ID, func(r audit.Row) error { return stream.Item(r) }); err != nil {
			return err
		}
		return stream.End(
			render.Member{Key: "findings", Value: findings},
			render.Member{Key: "errors", Value: errs},
			render.Member{Key: "stats", Value: json.RawMessage(sn.Stats)},
		)
	}
	rows, err := render.NewRows(opts.IO.Out, opts.Format)
	if err != nil {
		return err
	}
	if err := rows.Header(cols); err != nil {
		return err
	}
	if err := s.Rows(ctx, sn.ID, func(r audit.Row) error { return rows.Row(audit.Values(r, cols)) }); err != nil {
		return err
	}
	if err := rows.Flush(); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	return nil
}
