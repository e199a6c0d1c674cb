package render

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestJSONStreamIsValid(t *testing.T) {
	for _, n := range []int{0, 1, 3} {
		var b bytes.Buffer
		s := NewJSONStream(&b, "rows")
		for i := 0; i < n; i++ {
			if err := s.Item(map[string]int{"i": i}); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.End(Member{"stats", map[string]int{"rows": n}}); err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Rows  []map[string]int
			Stats map[string]int
		}
		if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
			t.Fatalf("n=%d: invalid JSON %v:\n%s", n, err, b.String())
		}
		if len(doc.Rows) != n || doc.Stats["rows"] != n {
			t.Errorf("n=%d: got %d rows, stats %v; want %d", n, len(doc.Rows), doc.Stats, n)
		}
	}
}

func TestCSVAndTable(t *testing.T) {
	var c, tb bytes.Buffer
	for _, tc := range []struct {
		format string
		buf    *bytes.Buffer
		want   string
	}{
		{"csv", &c, "A,B\n\"x,y\",\n"},
		{"table", &tb, "A    B\nx,y  -\n"},
	} {
		w, err := NewRows(tc.buf, tc.format)
		if err != nil {
			t.Fatal(err)
		}
		_ = w.Header([]string{"A", "B"})
		_ = w.Row([]string{"x,y", ""})
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tc.want, tc.buf.String()); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.format, diff)
		}
	}
}
