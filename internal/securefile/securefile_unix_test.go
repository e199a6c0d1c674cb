//go:build unix

package securefile

import (
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestPipeIsWrittenInPlace: a target that is not a regular file (a named
// pipe here; /dev/stdout, /dev/null alike) is written to, never replaced
// by a plain file through the temporary file's rename.
func TestPipeIsWrittenInPlace(t *testing.T) {
	p := filepath.Join(t.TempDir(), "pipe")
	if err := syscall.Mkfifo(p, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	// Opened for reading and writing, a pipe does not wait for a writer
	// (Linux), so a write that wrongly replaced it fails instead of hanging.
	r, err := os.OpenFile(p, os.O_RDWR, 0)
	if err != nil {
		t.Skipf("open the pipe: %v", err)
	}
	defer r.Close()
	if err := Write(p, []byte("report")); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Lstat(p)
	if err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		t.Fatalf("%s is %v after the write (%v); want the named pipe still", p, fi.Mode(), err)
	}
	b := make([]byte, 6)
	if _, err := io.ReadFull(r, b); err != nil || string(b) != "report" {
		t.Errorf("read %q, %v from the pipe; want %q", b, err, "report")
	}
}
