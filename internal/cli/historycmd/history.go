// Package historycmd is `ssoctl history`: the audit snapshots kept by
// `ssoctl audit --save`, listed, shown, compared and pruned.
package historycmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/ssoctl/ssoctl/internal/cli/factory"
	"github.com/ssoctl/ssoctl/internal/history"
	"github.com/ssoctl/ssoctl/internal/iostreams"
)

// DefaultDB is where snapshots are kept unless --db says otherwise:
// $XDG_DATA_HOME/ssoctl/history.db, else ~/.local/share/ssoctl/history.db.
func DefaultDB(getenv func(string) string) (string, error) {
	if d := getenv("XDG_DATA_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "ssoctl", "history.db"), nil
	}
	home := getenv("HOME")
	if home == "" {
		return "", errors.New("cannot tell where the history database goes: HOME is not set; give --db PATH")
	}
	return filepath.Join(home, ".local", "share", "ssoctl", "history.db"), nil
}

// DBFlagUsage is the help of every --db flag.
const DBFlagUsage = "history database `PATH` (default $XDG_DATA_HOME/ssoctl/history.db, else ~/.local/share/ssoctl/history.db)"

// ResolveDB returns --db's value, or the default location.
func ResolveDB(ios *iostreams.IOStreams, flag string) (string, error) {
	if flag != "" {
		return flag, nil
	}
	return DefaultDB(ios.Getenv)
}

// OpenExisting opens the database for reading; it must exist already.
func OpenExisting(ctx context.Context, ios *iostreams.IOStreams, flag string) (*history.Store, error) {
	path, err := ResolveDB(ios, flag)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("no history database at %s: save a snapshot first with `ssoctl audit --save`", path)
	}
	return history.Open(ctx, path)
}

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
	cmd.PersistentFlags().StringVar(&db, "db", "", DBFlagUsage)
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

// ExplainNotFound words a missing snapshot as what to do.
func ExplainNotFound(err error) error {
	switch {
	case errors.Is(err, history.ErrNotFound):
		return fmt.Errorf("%w (see ssoctl history list)", err)
	case errors.Is(err, history.ErrTooFew):
		return errors.New("history diff needs two snapshots: run `ssoctl audit --save` again after a change (see ssoctl history list)")
	}
	return err
}
