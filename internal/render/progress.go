package render

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// Progress draws a one-line progress indicator on a terminal, redrawn at
// most ten times a second; when disabled it draws nothing.
type Progress struct {
	w       io.Writer
	enabled bool
	mu      sync.Mutex
	last    time.Time
	drawn   bool
}

// NewProgress returns a progress line on w, drawn only when enabled (stderr
// is a terminal).
func NewProgress(w io.Writer, enabled bool) *Progress { return &Progress{w: w, enabled: enabled} }

// Update redraws the line for a phase and its counts (total 0: unknown).
func (p *Progress) Update(phase string, done, total int) {
	if !p.enabled {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if time.Since(p.last) < 100*time.Millisecond && done != total {
		return
	}
	p.last = time.Now()
	const width = 30
	bar := ""
	if total > 0 {
		n := done * width / total
		for i := 0; i < width; i++ {
			if i < n {
				bar += "#"
			} else {
				bar += "."
			}
		}
		fmt.Fprintf(p.w, "\r\033[K%-12s [%s] %d/%d", phase, bar, done, total)
	} else {
		fmt.Fprintf(p.w, "\r\033[K%-12s …", phase)
	}
	p.drawn = true
}

// Done clears the line.
func (p *Progress) Done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		fmt.Fprint(p.w, "\r\033[K")
		p.drawn = false
	}
}
