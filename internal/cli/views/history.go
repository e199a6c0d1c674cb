package views

import (
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/ssoctl/ssoctl/internal/audit"
	"github.com/ssoctl/ssoctl/internal/history"
	"github.com/ssoctl/ssoctl/internal/render"
)

// HistoryDiff renders `ssoctl history diff`: the changed rows as they come
// (the audit's columns after a Change column), then the rest.
type HistoryDiff interface {
	// Change writes one row that was GAINED or LOST, with who made the
	// change and when where an event explains it.
	Change(c history.Change) error
	// End writes the rest (JSON: from, to, findings, summary; table: the
	// findings and summaries after the rows; CSV: nothing more).
	End(HistoryDiffReport) error
	// Abort ends a failed run without leaving a partial document.
	Abort(cause error) error
	// Changed is how many CSV cells were made safe (CSVNote).
	Changed() int
}

// SnapshotRef names a snapshot in a diff.
type SnapshotRef struct {
	ID      int64     `json:"id"`
	Created time.Time `json:"created"`
	// Complete is false for a snapshot whose audit could not list
	// everything (compared only with --allow-incomplete).
	Complete bool `json:"complete"`
}

// ChangeCount is how many rows one account or permission set gained and lost.
type ChangeCount struct {
	Id     string `json:"id"`
	Name   string `json:"name"`
	Gained int    `json:"gained"`
	Lost   int    `json:"lost"`
}

// HistoryDiffReport is the diff's document, its rows aside.
type HistoryDiffReport struct {
	From     SnapshotRef `json:"from"`
	To       SnapshotRef `json:"to"`
	Findings struct {
		Appeared []audit.Finding `json:"appeared"`
		Resolved []audit.Finding `json:"resolved"`
	} `json:"findings"`
	Summary struct {
		Gained         int           `json:"gained"`
		Lost           int           `json:"lost"`
		Accounts       []ChangeCount `json:"accounts"`
		PermissionSets []ChangeCount `json:"permissionSets"`
	} `json:"summary"`
}

// changedRow is one changed row in JSON: the change, then the audit's
// row, then who made the change and when (where an event explains it).
type changedRow struct {
	Change string `json:"change"`
	audit.Row
	Actor     string `json:"actor,omitempty"`
	EventTime string `json:"eventTime,omitempty"`
}

// DiffAttributionColumns follow the audit's columns in a diff's rows:
// who made the change and when, where a CloudTrail event read by an
// incremental audit (audit --since) explains it.
var DiffAttributionColumns = []string{"Actor", "EventTime"}

// NewHistoryDiff returns the view for format csv, table or json; columns
// are the audit columns of the changed rows (ParseAuditColumns).
func NewHistoryDiff(format string, w io.Writer, ro render.RowsOptions, columns []string) (HistoryDiff, error) {
	header := append(append([]string{"Change"}, columns...), DiffAttributionColumns...)
	s, err := newStream(format, w, ro, "changes", header, func(c changedRow) []string {
		return append(append([]string{c.Change}, auditValues(c.Row, columns)...), c.Actor, c.EventTime)
	})
	if err != nil {
		return nil, err
	}
	return &historyDiffView{s: s, w: w, format: format}, nil
}

type historyDiffView struct {
	s      *stream[changedRow]
	w      io.Writer
	format string
	n      int
}

func (v *historyDiffView) Change(c history.Change) error {
	v.n++
	row := changedRow{Change: c.Change, Row: c.Row, Actor: c.Actor}
	if !c.EventTime.IsZero() {
		row.EventTime = c.EventTime.UTC().Format(time.RFC3339)
	}
	return v.s.item(row)
}

func (v *historyDiffView) Abort(err error) error { return v.s.abort(err) }
func (v *historyDiffView) Changed() int          { return v.s.changed() }

func (v *historyDiffView) End(r HistoryDiffReport) error {
	r.Findings.Appeared, r.Findings.Resolved = nonNil(r.Findings.Appeared), nonNil(r.Findings.Resolved)
	r.Summary.Accounts, r.Summary.PermissionSets = nonNil(r.Summary.Accounts), nonNil(r.Summary.PermissionSets)
	if v.format != "table" {
		return v.s.end(
			render.Member{Key: "from", Value: r.From},
			render.Member{Key: "to", Value: r.To},
			render.Member{Key: "findings", Value: r.Findings},
			render.Member{Key: "summary", Value: r.Summary},
		)
	}
	if v.n == 0 {
		// An empty table says nothing; say it.
		if _, err := fmt.Fprintf(v.w, "No access gained or lost between snapshots %d and %d.\n", r.From.ID, r.To.ID); err != nil {
			return err
		}
	} else if err := v.s.end(); err != nil {
		return err
	}
	for _, sec := range []struct {
		title string
		fs    []audit.Finding
	}{{"Findings that appeared", r.Findings.Appeared}, {"Findings resolved", r.Findings.Resolved}} {
		if len(sec.fs) == 0 {
			continue
		}
		rows := [][]string{}
		for _, f := range sec.fs {
			rows = append(rows, []string{f.Kind, f.AccountId, f.AccountName, f.PermissionSet, f.PrincipalType, f.Name, f.Detail})
		}
		if err := section(v.w, sec.title, []string{"Kind", "AccountId", "AccountName", "PermissionSet", "PrincipalType", "Name", "Detail"}, rows); err != nil {
			return err
		}
	}
	for _, sec := range []struct {
		title, what string
		cs          []ChangeCount
	}{{"By account", "AccountName", r.Summary.Accounts}, {"By permission set", "PermissionSet", r.Summary.PermissionSets}} {
		if len(sec.cs) == 0 {
			continue
		}
		rows := [][]string{}
		for _, c := range sec.cs {
			rows = append(rows, []string{c.Name, c.Id, strconv.Itoa(c.Gained), strconv.Itoa(c.Lost)})
		}
		if err := section(v.w, sec.title, []string{sec.what, "Id", "Gained", "Lost"}, rows); err != nil {
			return err
		}
	}
	return nil
}

// section writes a titled table.
func section(w io.Writer, title string, header []string, rows [][]string) error {
	if _, err := fmt.Fprintf(w, "\n%s:\n", title); err != nil {
		return err
	}
	t, err := render.NewRows(w, "table", render.RowsOptions{})
	if err != nil {
		return err
	}
	if err := t.Header(header); err != nil {
		return err
	}
	for _, r := range rows {
		if err := t.Row(r); err != nil {
			return err
		}
	}
	return t.Flush()
}

// HistoryDiffSummary writes the diff's one-line summary to w (stderr).
func HistoryDiffSummary(w io.Writer, r HistoryDiffReport) {
	fmt.Fprintf(w, "history diff %d → %d: %d gained, %d lost; findings: %d appeared, %d resolved\n",
		r.From.ID, r.To.ID, r.Summary.Gained, r.Summary.Lost, len(r.Findings.Appeared), len(r.Findings.Resolved))
}

// IncompleteSnapshot warns on w (stderr) that a snapshot is not all the
// access there was, and why.
func IncompleteSnapshot(w io.Writer, id int64, why string) {
	fmt.Fprintf(w, "warning: snapshot #%d is INCOMPLETE (%s): it is not all the access there was\n", id, why)
}

// ReportWritten says on w (stderr) what `ssoctl report html` wrote.
func ReportWritten(w io.Writer, snapshot int64, rows, findings int, path string) {
	fmt.Fprintf(w, "report html: snapshot #%d, %d rows, %d findings; wrote %s\n", snapshot, rows, findings, path)
}
