package render

import (
	"bytes"
	"encoding/json"
	"errors"
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

func TestEscape(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"payments-prod", "payments-prod"},
		{"", ""},
		{"ops\rSPOOFED", `ops\rSPOOFED`},
		{"a\tb\nc", `a\tb\nc`},
		{"\x1b[31mred\x1b[0m", `\x1b[31mred\x1b[0m`},
		{"del\x7f", `del\x7f`},
		{"c1\u0085", `c1\x85`},
		{"evil\u202etxt.exe", `evil\u202etxt.exe`},
		{"line\u2028sep", `line\u2028sep`},
		{"bad\xffutf8", `bad\xffutf8`},
		{"東京-prod", "東京-prod"},
		{`back\slash`, `back\slash`},
	} {
		if got := Escape(tc.in); got != tc.want {
			t.Errorf("Escape(%q) = %q; want %q", tc.in, got, tc.want)
		}
	}
}

// TestTableEscapesAndAlignsByDisplayWidth: a name with a carriage return
// cannot overwrite cells on a terminal, and wide characters count twice.
func TestTableEscapesAndAlignsByDisplayWidth(t *testing.T) {
	var b bytes.Buffer
	w, err := NewRows(&b, "table")
	if err != nil {
		t.Fatal(err)
	}
	_ = w.Header([]string{"group", "account"})
	_ = w.Row([]string{"ops\rSPOOFED", "payments-prod"})
	_ = w.Row([]string{"東京", "tokyo"})
	_ = w.Row([]string{"x", "\x1b[2J"})
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	want := "GROUP         ACCOUNT\n" +
		"ops\\rSPOOFED  payments-prod\n" +
		"東京          tokyo\n" +
		"x             \\x1b[2J\n"
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("table (-want +got):\n%s", diff)
	}
}

// TestJSONStreamAbort: a failure before the first item leaves nothing; a
// failure after some items leaves one complete document with the error.
func TestJSONStreamAbort(t *testing.T) {
	var b bytes.Buffer
	s := NewJSONStream(&b, "assignments")
	if err := s.Abort(errors.New("access denied")); err != nil {
		t.Fatal(err)
	}
	if b.Len() != 0 {
		t.Errorf("got %q after a failure before the first item; want nothing", b.String())
	}
	_ = s.Item(map[string]int{"i": 1})
	if err := s.Abort(errors.New("access denied")); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Assignments []map[string]int
		Error       string
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatalf("invalid JSON %v:\n%s", err, b.String())
	}
	if len(doc.Assignments) != 1 || doc.Error != "access denied" {
		t.Errorf("got %+v; want one item and the error", doc)
	}
}
