// Package render is the only place ssoctl shapes output: CSV, aligned
// tables, and JSON (whole documents, or streamed arrays inside one).
package render

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/mattn/go-runewidth"
)

// Rows is a writer of tabular data: a header, then rows, then Flush.
type Rows interface {
	Header(cols []string) error
	Row(vals []string) error
	Flush() error
	// Changed is how many cells were changed so far to make them safe
	// (CSV only; see SafeCell): the summary says so.
	Changed() int
}

// RowsOptions adjust what NewRows writes.
type RowsOptions struct {
	// ExactCSV writes CSV cells exactly as given (--csv-raw): no ' before
	// a leading formula character, control characters kept.
	ExactCSV bool
}

// NewRows returns a writer for format "csv" or "table". CSV cells are
// made safe for spreadsheets (SafeCell) unless opts.ExactCSV; table cells
// are always escaped (Escape).
func NewRows(w io.Writer, format string, opts RowsOptions) (Rows, error) {
	switch format {
	case "csv":
		return &csvRows{w: csv.NewWriter(w), exact: opts.ExactCSV}, nil
	case "table":
		return &tableRows{w: w}, nil
	}
	return nil, fmt.Errorf("unknown row format %q", format)
}

// csvRows writes CSV, every cell through SafeCell unless exact. Header
// cells are the program's own and go the same way (they never change).
type csvRows struct {
	w       *csv.Writer
	exact   bool
	changed int
	buf     []string
}

func (c *csvRows) Header(cols []string) error { return c.Row(cols) }
func (c *csvRows) Row(vals []string) error {
	if c.exact {
		return c.w.Write(vals)
	}
	c.buf = c.buf[:0]
	for _, v := range vals {
		s, changed := SafeCell(v)
		if changed {
			c.changed++
		}
		c.buf = append(c.buf, s)
	}
	return c.w.Write(c.buf)
}
func (c *csvRows) Flush() error { c.w.Flush(); return c.w.Error() }
func (c *csvRows) Changed() int { return c.changed }

// SafeCell makes one CSV cell safe to open in a spreadsheet: control and
// bidirectional characters are escaped as Escape escapes them in tables
// (so "\u202e" cannot reverse what a reader sees, nor ESC drive a
// terminal that prints the file), then a cell that would start with =, +,
// -, @, tab or CR — what Excel, LibreOffice and Google Sheets read as a
// formula — gets a ' in front (OWASP's CSV injection advice), which the
// spreadsheet shows as text. changed says whether s was changed.
func SafeCell(s string) (safe string, changed bool) {
	if printableASCII(s) { // most cells: only the first byte matters
		if s != "" && formulaStart(s[0]) {
			return "'" + s, true
		}
		return s, false
	}
	safe = Escape(s)
	if safe != "" && formulaStart(safe[0]) {
		safe = "'" + safe
	}
	return safe, safe != s
}

// formulaStart reports whether a cell starting with c is read as a
// formula by a spreadsheet.
func formulaStart(c byte) bool {
	switch c {
	case '=', '+', '-', '@', '\t', '\r':
		return true
	}
	return false
}

// tableRows aligns columns by display width (an East Asian character
// takes two cells), with every cell escaped (Escape) and an empty one shown
// as "-"; it holds every row until Flush, as alignment needs the widest
// cell (tables are for people, so they are small). Columns are separated by
// two spaces; the last column is not padded.
type tableRows struct {
	w     io.Writer
	rows  [][]string
	width []int
}

// cellWidth measures display width the same everywhere: East Asian
// ambiguous-width characters count as one cell whatever the locale says.
var cellWidth = &runewidth.Condition{EastAsianWidth: false, StrictEmojiNeutral: true}

// Changed is 0: tables are always escaped, which is not news.
func (t *tableRows) Changed() int { return 0 }

func (t *tableRows) Header(cols []string) error {
	up := make([]string, len(cols))
	for i, c := range cols {
		up[i] = strings.ToUpper(c)
	}
	return t.Row(up)
}

func (t *tableRows) Row(vals []string) error {
	clean := make([]string, len(vals))
	for i, v := range vals {
		clean[i] = Escape(v)
		if clean[i] == "" {
			clean[i] = "-"
		}
		if i < len(vals)-1 {
			if i >= len(t.width) {
				t.width = append(t.width, 0)
			}
			t.width[i] = max(t.width[i], cellWidth.StringWidth(clean[i]))
		}
	}
	t.rows = append(t.rows, clean)
	return nil
}

func (t *tableRows) Flush() error {
	var b strings.Builder
	for _, row := range t.rows {
		b.Reset()
		for i, cell := range row {
			b.WriteString(cell)
			if i < len(row)-1 {
				b.WriteString(strings.Repeat(" ", t.width[i]-cellWidth.StringWidth(cell)+2))
			}
		}
		b.WriteByte('\n')
		if _, err := io.WriteString(t.w, b.String()); err != nil {
			return err
		}
	}
	t.rows = nil
	return nil
}

// JSON writes v as one indented document.
func JSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// JSONStream writes {"<array>": [item, item, …], "k": v, …} with the array
// streamed item by item, so a long list is never held whole. Nothing is
// written before the first item (or End), so a run that fails first leaves
// nothing on stdout; Abort ends a run that fails later with a complete
// document that carries the error.
type JSONStream struct {
	w       io.Writer
	n       int
	err     error
	array   string
	started bool
}

// NewJSONStream returns a stream whose document has the array member
// named array first.
func NewJSONStream(w io.Writer, array string) *JSONStream {
	return &JSONStream{w: w, array: array}
}

func (s *JSONStream) start() {
	if !s.started {
		s.started = true
		s.write("{\n  %q: [", s.array)
	}
}

func (s *JSONStream) write(format string, args ...any) {
	if s.err == nil {
		_, s.err = fmt.Fprintf(s.w, format, args...)
	}
}

// Item appends one element to the array.
func (s *JSONStream) Item(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	s.start()
	sep := ","
	if s.n == 0 {
		sep = ""
	}
	s.n++
	s.write("%s\n    %s", sep, b)
	return s.err
}

// End closes the array and writes the remaining members, in the order given.
func (s *JSONStream) End(members ...Member) error {
	s.start()
	if s.n > 0 {
		s.write("\n  ")
	}
	s.write("]")
	for _, m := range members {
		b, err := json.MarshalIndent(m.Value, "  ", "  ")
		if err != nil {
			return err
		}
		s.write(",\n  %q: %s", m.Key, b)
	}
	s.write("\n}\n")
	return s.err
}

// Abort ends a document whose run failed: nothing when nothing was
// written, else the array closed and an "error" member with cause's
// message, so what is on stdout is always one complete JSON document.
func (s *JSONStream) Abort(cause error) error {
	if !s.started {
		return nil
	}
	return s.End(Member{Key: "error", Value: cause.Error()})
}

// Member is a key and value of a JSON object, kept in order.
type Member struct {
	Key   string
	Value any
}
