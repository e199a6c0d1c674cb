package historycmd

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/ssoctl/ssoctl/internal/cli/factory"
	"github.com/ssoctl/ssoctl/internal/cli/views"
	"github.com/ssoctl/ssoctl/internal/iostreams"
)

type pruneOptions struct {
	IO     *iostreams.IOStreams
	DB     string
	Format string
	Keep   int
	DryRun bool
}

func newPruneCmd(f *factory.Factory, db *string, runF func(context.Context, *pruneOptions) error) *cobra.Command {
	opts := &pruneOptions{IO: f.IOStreams}
	cmd := &cobra.Command{
		Use:   "prune --keep N",
		Short: "Delete all but the newest N snapshots",
		Long: `Delete every snapshot but the newest N, in one transaction. Snapshot ids are
never reused. The file does not shrink (SQLite reuses the freed pages for the
next snapshots). --dry-run lists what would go.`,
		Example: `  ssoctl history prune --keep 12
  ssoctl history prune --keep 1 --dry-run`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !cmd.Flags().Changed("keep") {
				return factory.Usagef("history prune needs --keep N (how many of the newest snapshots to keep)")
			}
			if opts.Keep < 1 {
				return factory.Usagef("--keep must be 1 or more, not %d (to remove every snapshot, delete the database file)", opts.Keep)
			}
			format, err := f.CommandFormat(cmd, "table", "table")
			if err != nil {
				return err
			}
			opts.Format, opts.DB = format, *db
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runPrune(cmd.Context(), opts)
		},
	}
	cmd.Flags().IntVar(&opts.Keep, "keep", 0, "how many of the newest snapshots to keep")
	cmd.Flags().BoolVar(&opts.DryRun, "dry-run", false, "list the snapshots that would be deleted, delete nothing")
	factory.SetOutputs(cmd, "table", "json")
	return cmd
}

func runPrune(ctx context.Context, opts *pruneOptions) error {
	s, err := factory.OpenHistory(ctx, opts.IO, opts.DB)
	if err != nil {
		return err
	}
	defer s.Close()
	ids, err := s.Prune(ctx, opts.Keep, opts.DryRun)
	if err != nil {
		return err
	}
	return views.HistoryPrune(opts.Format, opts.IO.Out, opts.Keep, views.HistoryPruneDoc{Deleted: ids, DryRun: opts.DryRun})
}
