package securefile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestWriteReplacesAtomicallyWith0600(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "secret.json")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Write(path, []byte("new")); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil || string(b) != "new" {
		t.Fatalf("got %q, %v; want \"new\"", b, err)
	}
	fi, _ := os.Stat(path)
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("got mode %v; want 0600", fi.Mode().Perm())
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("got %d files; want only the target (no temporary file left)", len(entries))
	}
	if err := Write(filepath.Join(dir, "no", "such", "dir"), nil); err == nil {
		t.Errorf("got no error writing into a missing folder; want one")
	}
}

// TestStaleTemporaryFilesAreRemoved: a temporary file left by a killed
// run (no lock held, older than a second) goes at the next write of the
// same target; one a live writer holds, a younger one, one of another
// target and one of another name stay.
func TestStaleTemporaryFilesAreRemoved(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.csv")
	old := time.Now().Add(-time.Minute)
	mk := func(name string, age time.Time) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("half a report"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, age, age); err != nil {
			t.Fatal(err)
		}
		return p
	}
	stale := mk(".out.csv.123456.tmp", old)
	young := mk(".out.csv.222222.tmp", time.Now())
	other := mk(".other.csv.333333.tmp", old)
	notOurs := mk(".out.csv.backup.tmp", old)
	// A live writer of the same target holds its file's lock.
	live, err := Create(path, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer live.Discard()
	liveName := live.tmp.Name()
	if err := os.Chtimes(liveName, old, old); err != nil {
		t.Fatal(err)
	}

	if err := Write(path, []byte("new")); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		path string
		want bool
	}{{stale, false}, {young, true}, {other, true}, {notOurs, true}, {liveName, true}} {
		_, err := os.Stat(tc.path)
		if got := err == nil; got != tc.want {
			t.Errorf("%s exists: %v; want %v", filepath.Base(tc.path), got, tc.want)
		}
	}
	// The live writer still finishes, over the new file.
	if _, err := live.Write([]byte("live")); err != nil {
		t.Fatal(err)
	}
	if err := live.Commit(); err != nil {
		t.Fatalf("the live writer's commit: %v", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "live" {
		t.Errorf("got %q; want the live writer's", b)
	}
}

// TestCreateNamesTheRealProblem: a folder, a missing folder, and a folder
// that takes no new files are said as such, about the path given; a device
// is written in place, never replaced by a plain file.
func TestCreateNamesTheRealProblem(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		path, want string
	}{
		{dir, "cannot write " + dir + ": it is a folder; name a file"},
		{filepath.Join(dir, "no", "x.csv"), "cannot write " + filepath.Join(dir, "no", "x.csv") + ": folder " + filepath.Join(dir, "no") + " does not exist"},
	} {
		_, err := Create(tc.path, 0o600)
		if err == nil || err.Error() != tc.want {
			t.Errorf("Create(%s): %v; want %q", tc.path, err, tc.want)
		}
	}
	if fi, err := os.Stat("/proc/version"); err == nil && fi.Mode().IsRegular() {
		_, err := Create("/proc/version", 0o600)
		if err == nil || !strings.Contains(err.Error(), "cannot write /proc/version: folder /proc ") || strings.Contains(err.Error(), ".tmp") {
			t.Errorf("Create(/proc/version): %v; want the folder named, not a temporary file", err)
		}
	}
}

func TestWriteFirstReplacesWith0600(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "token.json")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteFirst(path, []byte("new")); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(path); err != nil || string(b) != "new" {
		t.Fatalf("got %q, %v; want \"new\"", b, err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("got mode %v; want 0600", fi.Mode().Perm())
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("got %d files; want only the target (no temporary file left)", len(entries))
	}
	if err := WriteFirst(filepath.Join(dir, "no", "such", "dir"), nil); err == nil {
		t.Error("writing into a missing folder: no error")
	}
}
