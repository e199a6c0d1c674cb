package views

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/ssoctl/ssoctl/internal/history"
	"github.com/ssoctl/ssoctl/internal/inventory"
	"github.com/ssoctl/ssoctl/internal/render"
)

// LookupColumns are the CSV and table columns of `ssoctl admin lookup`.
var LookupColumns = []string{"kind", "name", "value"}

// LookupDoc is the document of `ssoctl admin lookup`.
type LookupDoc struct {
	Results []inventory.LookupResult `json:"results"`
	Stats   CallStats                `json:"stats"`
}

// Lookup renders `ssoctl admin lookup`: one row per name, or the
// document.
func Lookup(format string, out, errOut io.Writer, ro render.RowsOptions, doc LookupDoc) error {
	if format == "json" {
		doc.Results = nonNil(doc.Results)
		return render.JSON(out, doc)
	}
	values := make([][]string, 0, len(doc.Results))
	for _, r := range doc.Results {
		values = append(values, []string{r.Kind, r.Name, r.Value})
	}
	changed, err := WriteRows(out, format, ro, LookupColumns, values)
	CSVNote(errOut, changed)
	return err
}

// HistoryListColumns are the CSV and table columns of `ssoctl history
// list`.
var HistoryListColumns = []string{"Id", "Time", "Instance", "Rows", "Findings", "Errors", "Method", "Status"}

// HistoryList renders `ssoctl history list`: one row per snapshot, or a
// JSON array of them (read by scripts as it is: no stats, and no AWS
// call made).
func HistoryList(format string, out, errOut io.Writer, ro render.RowsOptions, list []history.Snapshot) error {
	if format == "json" {
		return render.JSON(out, list)
	}
	values := make([][]string, 0, len(list))
	for _, sn := range list {
		status := "complete"
		if !sn.Complete {
			status = "INCOMPLETE"
		}
		values = append(values, []string{strconv.FormatInt(sn.ID, 10), sn.Created.UTC().Format(time.RFC3339), sn.InstanceArn,
			strconv.Itoa(sn.Rows), strconv.Itoa(sn.Findings), strconv.Itoa(sn.Errors), sn.Method, status})
	}
	changed, err := WriteRows(out, format, ro, HistoryListColumns, values)
	CSVNote(errOut, changed)
	return err
}

// HistoryPruneDoc is the document of `ssoctl history prune`.
type HistoryPruneDoc struct {
	Deleted []int64 `json:"deleted"`
	DryRun  bool    `json:"dryRun"`
}

// HistoryPrune renders `ssoctl history prune`: the snapshots deleted (or
// with DryRun to delete), keep being how many it keeps.
func HistoryPrune(format string, out io.Writer, keep int, doc HistoryPruneDoc) error {
	if format == "json" {
		doc.Deleted = nonNil(doc.Deleted)
		return render.JSON(out, doc)
	}
	verb := "deleted"
	if doc.DryRun {
		verb = "would delete"
	}
	if len(doc.Deleted) == 0 {
		_, err := fmt.Fprintf(out, "nothing to delete: %d or fewer snapshots\n", keep)
		return err
	}
	strs := make([]string, len(doc.Deleted))
	for i, id := range doc.Deleted {
		strs[i] = strconv.FormatInt(id, 10)
	}
	_, err := fmt.Fprintf(out, "%s %d snapshot(s): %s\n", verb, len(doc.Deleted), strings.Join(strs, ", "))
	return err
}

// ConsoleLine writes the one line `ssoctl console --print` or `--share`
// prints: the sign-in URL, or the share token.
func ConsoleLine(out io.Writer, line string) error {
	_, err := fmt.Fprintln(out, line)
	return err
}

// ConsoleOpening says on w (stderr) whose console is being opened.
func ConsoleOpening(w io.Writer, role, account string) {
	fmt.Fprintf(w, "Opening the AWS console as %s in account %s.\n", role, account)
}
