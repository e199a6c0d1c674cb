package factory

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/ssoctl/ssoctl/internal/history"
	"github.com/ssoctl/ssoctl/internal/iostreams"
	"github.com/ssoctl/ssoctl/internal/render"
)

// The history database, shared by `history`, `audit --save` and `report`:
// where it is, opening it for reading, and whether a snapshot may be read
// as the organization's access at its time.

// DefaultHistoryDB is where snapshots are kept unless --db says otherwise:
// $XDG_DATA_HOME/ssoctl/history.db, else ~/.local/share/ssoctl/history.db.
func DefaultHistoryDB(getenv func(string) string) (string, error) {
	if d := getenv("XDG_DATA_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "ssoctl", "history.db"), nil
	}
	home := getenv("HOME")
	if home == "" {
		return "", errors.New("cannot tell where the history database goes: HOME is not set; give --db PATH")
	}
	return filepath.Join(home, ".local", "share", "ssoctl", "history.db"), nil
}

// HistoryDBFlagUsage is the help of every --db flag.
const HistoryDBFlagUsage = "history database `PATH` (default $XDG_DATA_HOME/ssoctl/history.db, else ~/.local/share/ssoctl/history.db)"

// HistoryDB returns --db's value, or the default location.
func HistoryDB(ios *iostreams.IOStreams, flag string) (string, error) {
	if flag != "" {
		return flag, nil
	}
	return DefaultHistoryDB(ios.Getenv)
}

// OpenHistory opens the database for reading; it must exist already.
func OpenHistory(ctx context.Context, ios *iostreams.IOStreams, flag string) (*history.Store, error) {
	path, err := HistoryDB(ios, flag)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("no history database at %s: save a snapshot first with `ssoctl audit --save`", path)
	}
	return history.Open(ctx, path)
}

// ExplainNoSnapshot words a missing snapshot as what to do.
func ExplainNoSnapshot(err error) error {
	switch {
	case errors.Is(err, history.ErrNotFound):
		return fmt.Errorf("%w (see ssoctl history list)", err)
	case errors.Is(err, history.ErrTooFew):
		return errors.New("history diff needs two snapshots: run `ssoctl audit --save` again after a change (see ssoctl history list)")
	}
	return err
}

// AllowIncompleteUsage is the help of every --allow-incomplete flag.
const AllowIncompleteUsage = "take a snapshot whose audit could not list everything as it is (what it missed then reads as access lost)"

// IncompleteWhy says in a few words why a snapshot is incomplete ("" when it is
// complete), escaped: its causes, or for snapshots saved before causes
// were kept, its item errors.
func IncompleteWhy(sn history.Snapshot) string {
	if sn.Complete {
		return ""
	}
	var parts []string
	for _, c := range sn.Causes {
		p := c.Cause
		if c.Items > 0 {
			p = fmt.Sprintf("%d item(s): %s", c.Items, c.Cause)
		}
		parts = append(parts, render.Escape(p))
	}
	if len(parts) == 0 && sn.Errors > 0 {
		parts = append(parts, fmt.Sprintf("%d item(s) could not be listed", sn.Errors))
	}
	return strings.Join(parts, "; ")
}

// CheckSnapshotBase decides whether sn may be read as the organization's access
// at its time, for a diff or a report. A partial snapshot (items could
// not be listed) is refused unless allow, with what to do instead
// (complete names complete snapshots to use, "" when there are none); with
// allow, and for a snapshot incomplete by its method alone, warning is a
// line for stderr.
func CheckSnapshotBase(sn history.Snapshot, allow bool, instead string) (warning string, err error) {
	if sn.Complete {
		return "", nil
	}
	if sn.Partial() && !allow {
		what := "add --allow-incomplete to use it anyway"
		if instead != "" {
			what = instead + ", or " + what
		}
		return "", fmt.Errorf("snapshot #%d is INCOMPLETE (%s): what its audit could not list would read as access lost; %s", sn.ID, IncompleteWhy(sn), what)
	}
	return fmt.Sprintf("warning: snapshot #%d is INCOMPLETE (%s): access it could not see reads as GAINED or LOST though it may be unchanged", sn.ID, IncompleteWhy(sn)), nil
}
