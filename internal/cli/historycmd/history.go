// Package historycmd is `ssoctl history`: the audit snapshots kept by
// `ssoctl audit --save`, listed, shown, compared and pruned.
package historycmd

import (
	"strconv"

	"github.com/spf13/cobra"

	"github.com/ssoctl/ssoctl/internal/cli/factory"
)

// NewCmd returns `ssoctl history` and its subcommands.
func NewCmd(f *factory.Factory) *cobra.Command {
	var db string
	cmd := &cobra.Command{
		Use:   "history",
		Short: "Audit snapshots over time: list, show, diff and prune them",
		Long: `Every ` + "`ssoctl audit --save`" + ` keeps the audit's rows, findings and stats as
a snapshot in an embedded SQLite database. These commands list the snapshots,
print one as the audit printed it, show what changed between two (access
GAINED and LOST, findings that appeared or were resolved), and prune old ones.

The database is $XDG_DATA_HOME/ssoctl/history.db, else
~/.local/share/ssoctl/history.db (--db to choose another). It is created 0600
in a 0700 folder.`,
		Example: `  ssoctl audit --save                # take a snapshot
  ssoctl history list
  ssoctl history diff                # the last two snapshots
  ssoctl history show 3 -o json
  ssoctl history prune --keep 12`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.PersistentFlags().StringVar(&db, "db", "", factory.HistoryDBFlagUsage)
	cmd.AddCommand(newListCmd(f, &db, nil), newShowCmd(f, &db, nil), newDiffCmd(f, &db, nil), newPruneCmd(f, &db, nil))
	return cmd
}

// parseID reads a snapshot id argument.
func parseID(s string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, factory.Usagef("snapshot ID must be a positive number, not %q (see ssoctl history list)", s)
	}
	return id, nil
}
