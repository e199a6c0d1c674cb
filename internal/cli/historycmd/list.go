package historycmd

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/ssoctl/ssoctl/internal/cli/factory"
	"github.com/ssoctl/ssoctl/internal/cli/views"
	"github.com/ssoctl/ssoctl/internal/iostreams"
	"github.com/ssoctl/ssoctl/internal/render"
)

type listOptions struct {
	IO     *iostreams.IOStreams
	DB     string
	Format string
	Rows   render.RowsOptions
}

func newListCmd(f *factory.Factory, db *string, runF func(context.Context, *listOptions) error) *cobra.Command {
	opts := &listOptions{IO: f.IOStreams}
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the saved audit snapshots",
		Long: `List the snapshots in the history database, oldest first: id, when the
audit ran (UTC), the Identity Center instance, rows, findings, item errors,
how assignments were listed, and whether the snapshot is complete: INCOMPLETE
when its audit could not list part of the organization (items that kept
failing; assignments listed per principal), so its rows are not all the
access there was (history diff and report html refuse it as a base unless
--allow-incomplete). -o json says why, in "causes".`,
		Example: `  ssoctl history list
  ssoctl history list -o json | jq '.[-1].id'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			format, err := f.CommandFormat(cmd, "table", "table")
			if err != nil {
				return err
			}
			opts.Format, opts.DB, opts.Rows = format, *db, f.RowsOptions()
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runList(cmd.Context(), opts)
		},
	}
	factory.SetOutputs(cmd, "table", "json", "csv")
	return cmd
}

func runList(ctx context.Context, opts *listOptions) error {
	s, err := factory.OpenHistory(ctx, opts.IO, opts.DB)
	if err != nil {
		return err
	}
	defer s.Close()
	list, err := s.List(ctx)
	if err != nil {
		return err
	}
	return views.HistoryList(opts.Format, opts.IO.Out, opts.IO.ErrOut, opts.Rows, list)
}
