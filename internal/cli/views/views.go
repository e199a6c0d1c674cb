// Package views renders each command's typed documents, in the shape of
// Terraform's internal/command/views: one small interface per command,
// with CSV, table and JSON implementations over a typed document. Column
// choice and cell formatting ("yes"/"no", "never used", "-") live here, not
// in the domain packages; every JSON document embeds the same CallStats;
// a failed run never leaves a partial document on stdout; everything from
// AWS that reaches a terminal (tables, notes, item errors) is escaped with
// render.Escape, while JSON keeps the exact values.
//
// Views of streamed documents (Audit, Assignments) take rows one at a
// time, then End with the rest of the document, or Abort when the run
// failed. history can store the same typed rows and documents.
//
// Every command that changes something has one shape, Write: its plan
// rendered, the go-ahead asked of a Gate (factory.GoAhead: --dry-run,
// --yes, or a yes at the prompter), the plan applied, the document
// rendered, the exit status taken from the result (3 when part of it
// failed). The user verbs and `assignments apply` go through it, and so
// should every write to come.
//
// Every document that reports AWS calls embeds CallStats; a few keep the
// shape other programs read (roles and history list are JSON arrays, each
// writes a JSON line per run, the credentials formats are the SDKs').
package views

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/ssoctl/ssoctl/internal/assignments/list"
	"github.com/ssoctl/ssoctl/internal/awsclient"
	"github.com/ssoctl/ssoctl/internal/render"
)

// CallStats are the API calls a command made, as every JSON document
// carries them (embedded in its "stats" member).
type CallStats struct {
	APICalls         int            `json:"apiCalls"`
	ThrottledRetries int            `json:"throttledRetries"`
	CallsByOperation map[string]int `json:"callsByOperation"`
	Seconds          float64        `json:"seconds"`
}

// NewCallStats summarizes a client set's counts and the elapsed time.
func NewCallStats(s awsclient.CallStats, elapsed time.Duration) CallStats {
	calls := s.Calls
	if calls == nil {
		calls = map[string]int{}
	}
	return CallStats{APICalls: s.Total(), ThrottledRetries: s.TotalThrottled(), CallsByOperation: calls, Seconds: elapsed.Seconds()}
}

// stream writes a document whose main array is streamed: CSV or table
// rows through render.Rows, or a render.JSONStream.
type stream[T any] struct {
	rows  render.Rows
	json  *render.JSONStream
	cells func(T) []string
}

// newStream starts a streamed document: for csv and table, the header
// (written by Rows when it flushes or fills its buffer); for json, nothing
// until the first row.
func newStream[T any](format string, w io.Writer, ro render.RowsOptions, array string, header []string, cells func(T) []string) (*stream[T], error) {
	if format == "json" {
		return &stream[T]{json: render.NewJSONStream(w, array)}, nil
	}
	rows, err := render.NewRows(w, format, ro)
	if err != nil {
		return nil, err
	}
	if err := rows.Header(header); err != nil {
		return nil, err
	}
	return &stream[T]{rows: rows, cells: cells}, nil
}

func (s *stream[T]) item(v T) error {
	if s.json != nil {
		return s.json.Item(v)
	}
	return s.rows.Row(s.cells(v))
}

// end finishes the document; members are the JSON document's other
// members, in order.
func (s *stream[T]) end(members ...render.Member) error {
	if s.json != nil {
		return s.json.End(members...)
	}
	return s.rows.Flush()
}

// changed is how many CSV cells were made safe for spreadsheets.
func (s *stream[T]) changed() int {
	if s.rows == nil {
		return 0
	}
	return s.rows.Changed()
}

// abort ends a failed run: JSON closes what it started with the error in
// it (or writes nothing); a table, held until the end, is dropped; the CSV
// writer's buffer is dropped (CSV has no place for an error).
func (s *stream[T]) abort(cause error) error {
	if s.json != nil {
		return s.json.Abort(cause)
	}
	return nil
}

// problems prints item errors and notes on w (stderr), escaped: one line
// per cause of the errors (list.Causes), not one per item — forty
// items that could not reach a dead endpoint are one line; -o json lists
// every item.
func problems(w io.Writer, errs []list.ItemError, notes []string) {
	for _, c := range list.Causes(errs) {
		fmt.Fprintln(w, CauseLine(c))
	}
	for _, n := range notes {
		fmt.Fprintf(w, "note: %s\n", render.Escape(n))
	}
}

// CSVNote writes on w (stderr) how many CSV cells were made safe for
// spreadsheets (render.SafeCell), when any were.
func CSVNote(w io.Writer, changed int) {
	if changed == 0 {
		return
	}
	fmt.Fprintf(w, "note: %s made safe for spreadsheets (a ' before a leading =, +, -, @, tab or CR; control characters escaped); --csv-raw writes exact values, -o json always does\n",
		plural(changed, "CSV cell"))
}

// CauseLine is one cause of item errors on one line, escaped:
// "error: ITEM: CAUSE" for one item, else "error: N items: CAUSE (ITEM;
// ITEM; ITEM; and M more)".
func CauseLine(c list.Cause) string {
	if c.Items == 1 && len(c.Examples) == 1 {
		return "error: " + render.Escape(c.Examples[0]) + ": " + render.Escape(c.Cause)
	}
	ex := make([]string, 0, len(c.Examples)+1)
	for _, e := range c.Examples {
		ex = append(ex, render.Escape(e))
	}
	if more := c.Items - len(c.Examples); more > 0 {
		ex = append(ex, fmt.Sprintf("and %d more", more))
	}
	line := fmt.Sprintf("error: %d items: %s", c.Items, render.Escape(c.Cause))
	if len(ex) > 0 {
		line += " (" + strings.Join(ex, "; ") + ")"
	}
	return line
}

// plural is "1 row", "2 rows".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
