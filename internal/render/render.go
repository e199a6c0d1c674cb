// Package render is the only place ssoctl shapes output: CSV, aligned
// tables, and JSON (whole documents, or streamed arrays inside one).
package render

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// Rows is a writer of tabular data: a header, then rows, then Flush.
type Rows interface {
	Header(cols []string) error
	Row(vals []string) error
	Flush() error
}

// NewRows returns a writer for format "csv" or "table".
func NewRows(w io.Writer, format string) (Rows, error) {
	switch format {
	case "csv":
		return &csvRows{w: csv.NewWriter(w)}, nil
	case "table":
		return &tableRows{w: tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)}, nil
	}
	return nil, fmt.Errorf("unknown row format %q", format)
}

type csvRows struct{ w *csv.Writer }

func (c *csvRows) Header(cols []string) error { return c.w.Write(cols) }
func (c *csvRows) Row(vals []string) error    { return c.w.Write(vals) }
func (c *csvRows) Flush() error               { c.w.Flush(); return c.w.Error() }

// tableRows aligns columns; it holds every row until Flush, as alignment
// needs the widest cell (tables are for people, so they are small).
type tableRows struct{ w *tabwriter.Writer }

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
		clean[i] = strings.NewReplacer("\t", " ", "\n", " ").Replace(v)
		if clean[i] == "" {
			clean[i] = "-"
		}
	}
	_, err := fmt.Fprintln(t.w, strings.Join(clean, "\t"))
	return err
}

func (t *tableRows) Flush() error { return t.w.Flush() }

// JSON writes v as one indented document.
func JSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// JSONStream writes {"<array>": [item, item, …], "k": v, …} with the array
// streamed item by item, so a long list is never held whole.
type JSONStream struct {
	w     io.Writer
	n     int
	err   error
	array string
}

// NewJSONStream starts the document and its array member.
func NewJSONStream(w io.Writer, array string) *JSONStream {
	s := &JSONStream{w: w, array: array}
	s.write("{\n  %q: [", array)
	return s
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

// Member is a key and value of a JSON object, kept in order.
type Member struct {
	Key   string
	Value any
}
