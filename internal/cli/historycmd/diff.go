package historycmd

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/ssoctl/ssoctl/internal/audit"
	"github.com/ssoctl/ssoctl/internal/cli/factory"
	"github.com/ssoctl/ssoctl/internal/history"
	"github.com/ssoctl/ssoctl/internal/iostreams"
	"github.com/ssoctl/ssoctl/internal/render"
)

type diffOptions struct {
	IO      *iostreams.IOStreams
	DB      string
	IDs     []int64
	Format  string
	Columns string
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
			format, err := f.OutputFormat([]string{"table", "csv", "json"}, "table", "csv")
			if err != nil {
				return err
			}
			opts.Format, opts.DB = format, *db
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runDiff(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Columns, "columns", "", "columns of the changed rows (as the audit's --columns; default: the newer snapshot's)")
	return cmd
}

// diffChange is one changed row in JSON: the audit's row and its change.
type diffChange struct {
	Change string `json:"change"`
	audit.Row
}

type snapshotRef struct {
	ID      int64     `json:"id"`
	Created time.Time `json:"created"`
}

type diffSummary struct {
	Gained         int             `json:"gained"`
	Lost           int             `json:"lost"`
	Accounts       []history.Count `json:"accounts"`
	PermissionSets []history.Count `json:"permissionSets"`
}

type findingChanges struct {
	Appeared []audit.Finding `json:"appeared"`
	Resolved []audit.Finding `json:"resolved"`
}

func runDiff(ctx context.Context, opts *diffOptions) error {
	s, err := OpenExisting(ctx, opts.IO, opts.DB)
	if err != nil {
		return err
	}
	defer s.Close()
	from, to, err := s.Between(ctx, opts.IDs...)
	if err != nil {
		return ExplainNotFound(err)
	}
	cols := to.Columns
	if opts.Columns != "" {
		if cols, err = audit.ParseColumns(opts.Columns, false); err != nil {
			return &factory.UsageError{Err: err}
		}
	}
	if len(cols) == 0 {
		cols = audit.DefaultColumns
	}
	out := opts.IO.Out
	var (
		stream *render.JSONStream
		rows   render.Rows
	)
	if opts.Format == "json" {
		stream = render.NewJSONStream(out, "changes")
	} else {
		rows, _ = render.NewRows(out, opts.Format)
		if err := rows.Header(append([]string{"Change"}, cols...)); err != nil {
			return err
		}
	}
	d, err := s.Diff(ctx, from, to, func(c history.Change) error {
		if stream != nil {
			return stream.Item(diffChange{c.Change, c.Row})
		}
		return rows.Row(append([]string{c.Change}, audit.Values(c.Row, cols)...))
	})
	if err != nil {
		return err
	}
	sum := diffSummary{Gained: d.Gained, Lost: d.Lost, Accounts: d.Accounts, PermissionSets: d.PermissionSets}
	switch opts.Format {
	case "json":
		return stream.End(
			render.Member{Key: "from", Value: snapshotRef{from.ID, from.Created}},
			render.Member{Key: "to", Value: snapshotRef{to.ID, to.Created}},
			render.Member{Key: "findings", Value: findingChanges{d.Appeared, d.Resolved}},
			render.Member{Key: "summary", Value: sum},
		)
	case "csv":
		if err := rows.Flush(); err != nil {
			return err
		}
		headline(opts.IO.ErrOut, d)
		return nil
	}
	if d.Gained+d.Lost == 0 {
		// An empty table says nothing; say it.
		fmt.Fprintln(out, "No access gained or lost.")
	} else if err := rows.Flush(); err != nil {
		return err
	}
	if err := findingsTable(out, "Findings appeared", d.Appeared); err != nil {
		return err
	}
	if err := findingsTable(out, "Findings resolved", d.Resolved); err != nil {
		return err
	}
	if err := countsTable(out, "By account", "Account", d.Accounts); err != nil {
		return err
	}
	if err := countsTable(out, "By permission set", "PermissionSet", d.PermissionSets); err != nil {
		return err
	}
	headline(opts.IO.ErrOut, d)
	return nil
}

func headline(w io.Writer, d *history.Diff) {
	fmt.Fprintf(w, "history diff %d → %d: %d gained, %d lost; findings %d appeared, %d resolved\n",
		d.From.ID, d.To.ID, d.Gained, d.Lost, len(d.Appeared), len(d.Resolved))
}

func findingsTable(w io.Writer, title string, fs []audit.Finding) error {
	if len(fs) == 0 {
		return nil
	}
	fmt.Fprintf(w, "\n%s:\n", title)
	t, _ := render.NewRows(w, "table")
	t.Header([]string{"Kind", "AccountId", "AccountName", "PermissionSet", "PrincipalType", "Name", "Detail"})
	for _, f := range fs {
		t.Row([]string{f.Kind, f.AccountId, f.AccountName, f.PermissionSet, f.PrincipalType, f.Name, f.Detail})
	}
	return t.Flush()
}

func countsTable(w io.Writer, title, what string, cs []history.Count) error {
	if len(cs) == 0 {
		return nil
	}
	fmt.Fprintf(w, "\n%s:\n", title)
	t, _ := render.NewRows(w, "table")
	t.Header([]string{what, "Id", "Gained", "Lost"})
	for _, c := range cs {
		t.Row([]string{c.Name, c.Id, strconv.Itoa(c.Gained), strconv.Itoa(c.Lost)})
	}
	return t.Flush()
}
