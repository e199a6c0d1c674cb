package securefile

import (
	"os"
	"path/filepath"
	"testing"
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
