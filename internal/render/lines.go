package render

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
)

// JSONLine writes v as one line of JSON (JSON Lines: one value a line, so
// a stream of results can be read as it arrives).
func JSONLine(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// Prefixer writes lines from many concurrent sources, each whole and
// prefixed with its source's label padded to a common width, so
// interleaved output stays readable:
//
//	payments-dev/Developer  | hello
//	payments-prod/ReadOnly  | hello
type Prefixer struct {
	mu    sync.Mutex
	width int
}

// maxPrefix bounds the padding, so one long label does not push every
// line far to the right.
const maxPrefix = 48

// NewPrefixer returns a Prefixer padding labels to the longest of labels.
func NewPrefixer(labels []string) *Prefixer {
	p := &Prefixer{}
	for _, l := range labels {
		p.width = max(p.width, cellWidth.StringWidth(Escape(l)))
	}
	p.width = min(p.width, maxPrefix)
	return p
}

// Line writes one line (without its newline) to w after label. Calls from
// different goroutines never interleave within a line.
//
// The label (account and role names: AWS's, so untrusted) is escaped and
// padded by display width; the line is the command's own output and is
// written as it is (its colours and progress bars are the user's).
func (p *Prefixer) Line(w io.Writer, label string, line []byte) {
	label = Escape(label)
	var b strings.Builder
	b.Grow(p.width + 3 + len(line) + 1)
	b.WriteString(label)
	for i := cellWidth.StringWidth(label); i < p.width; i++ {
		b.WriteByte(' ')
	}
	b.WriteString(" | ")
	b.Write(line)
	b.WriteByte('\n')
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprint(w, b.String())
}
