package render

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"
)

func TestPrefixer(t *testing.T) {
	p := NewPrefixer([]string{"a/Dev", "payments-prod/ReadOnly"})
	var out bytes.Buffer
	p.Line(&out, "a/Dev", []byte("hello"))
	p.Line(&out, "payments-prod/ReadOnly", []byte(""))
	want := "a/Dev                  | hello\npayments-prod/ReadOnly | \n"
	if out.String() != want {
		t.Errorf("got %q; want %q", out.String(), want)
	}

	// Concurrent writers never split a line.
	out.Reset()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 200 {
				p.Line(&out, "a/Dev", []byte(fmt.Sprintf("%d-%d %s", i, j, strings.Repeat("x", 100))))
			}
		}()
	}
	wg.Wait()
	for _, l := range strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n") {
		if !strings.HasPrefix(l, "a/Dev                  | ") || !strings.HasSuffix(l, strings.Repeat("x", 100)) {
			t.Fatalf("torn line %q", l)
		}
	}

	// A very long label does not widen every line without bound.
	long := strings.Repeat("n", 100)
	if p := NewPrefixer([]string{long}); p.width != maxPrefix {
		t.Errorf("width %d; want %d", p.width, maxPrefix)
	}
}

// Labels are names from AWS: a control character cannot move the cursor,
// and wide (East Asian) names line up by display width.
func TestPrefixerEscapesAndAlignsLabels(t *testing.T) {
	p := NewPrefixer([]string{"ops\rSPOOFED/Dev", "経理/Dev"})
	var out bytes.Buffer
	p.Line(&out, "ops\rSPOOFED/Dev", []byte("a"))
	p.Line(&out, "経理/Dev", []byte("b"))
	want := "ops\\rSPOOFED/Dev | a\n経理/Dev         | b\n"
	if out.String() != want {
		t.Errorf("got %q; want %q", out.String(), want)
	}
}

func TestJSONLine(t *testing.T) {
	var out bytes.Buffer
	if err := JSONLine(&out, map[string]any{"b": "x\ny", "a": 1}); err != nil {
		t.Fatal(err)
	}
	if want := `{"a":1,"b":"x\ny"}` + "\n"; out.String() != want {
		t.Errorf("got %q; want %q", out.String(), want)
	}
}
