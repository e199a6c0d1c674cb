package awsconfig

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/edit")

// seeds are config texts the round-trip must keep byte for byte.
var seeds = []string{
	"",
	"\n",
	"[default]\nregion = us-east-1\n",
	"[default]\r\nregion = us-east-1\r\n\r\n[profile dev]\r\nsso_session = acme\r\n",
	"# top comment\n; another\n\n[profile  odd   spacing ]\n  key=value  \nkey2 =value2\t\n",
	"[profile dev]\nregion = eu-west-1", // no final newline
	"[sso-session acme]\nsso_start_url = https://acme.awsapps.com/start\nsso_region = eu-west-1\nsso_registration_scopes = sso:account:access\n",
	"[profile s3]\ns3 =\n  max_concurrent_requests = 10\n  addressing_style = path\nregion = x\n",
	"[services local]\ns3 =\n  endpoint_url = http://localhost\n[unknown section]\nfoo = bar\n[profile dev\nbroken = header\n",
	"\xef\xbb\xbf[default]\nregion = r\n",
	"key before any section = 1\n[default]\n",
	"[profile a]\n[profile a]\nx = 1\n\r\n\n\n",
	"\r\r\n\n\t\n[ default ]\n",
}

func TestRoundTrip(t *testing.T) {
	for _, s := range seeds {
		if got := string(ParseDoc([]byte(s)).Bytes()); got != s {
			t.Errorf("render(parse(%q)) = %q; want the input", s, got)
		}
	}
}

// FuzzRoundTrip: for any input, rendering the parsed document gives the
// input back, and an appended profile changes no byte before it and reads
// back. CI runs the seeds (go test); `go test -fuzz FuzzRoundTrip
// ./internal/awsconfig` searches further.
func FuzzRoundTrip(f *testing.F) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		d := ParseDoc(b)
		if got := d.Bytes(); !bytes.Equal(got, b) {
			t.Fatalf("render(parse(%q)) = %q; want the input", b, got)
		}
		// An edit keeps every byte before the appended section.
		d.Append(KindProfile, "fuzz", []KV{{"ssoctl_managed", "true"}})
		out := d.Bytes()
		if !bytes.HasPrefix(out, b) {
			t.Fatalf("append changed existing bytes: %q -> %q", b, out)
		}
		if p := ParseDoc(out).Find(KindProfile, "fuzz"); len(p) == 0 || !p[len(p)-1].Marked() {
			t.Fatalf("the appended profile does not read back from %q", out)
		}
		// Removing what was appended restores the text, up to the final
		// line ending Append had to add.
		secs := d.Find(KindProfile, "fuzz")
		d.Remove(secs[len(secs)-1])
		back := d.Bytes()
		if !bytes.Equal(back, b) && !bytes.Equal(back, append(append([]byte{}, b...), d.nl...)) {
			t.Fatalf("append then remove: %q -> %q", b, back)
		}
	})
}

// TestGoldenEdits runs testdata/edit/*.txtar: each has an "in" file, an
// "ops" file of edits (one per line) and the expected "out". A file name
// ending in .crlf has its LF line endings turned into CRLF first.
//
//	append KIND NAME key=value…   set KIND NAME key value
//	delete KIND NAME key          remove KIND NAME
func TestGoldenEdits(t *testing.T) {
	files, _ := filepath.Glob("testdata/edit/*.txtar")
	if len(files) == 0 {
		t.Fatal("no golden files")
	}
	for _, path := range files {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".txtar"), func(t *testing.T) {
			ar, err := txtar.ParseFile(path)
			if err != nil {
				t.Fatal(err)
			}
			var in, ops []byte
			crlf := false
			outIdx := -1
			for i, f := range ar.Files {
				switch strings.TrimSuffix(f.Name, ".crlf") {
				case "in":
					in, crlf = f.Data, strings.HasSuffix(f.Name, ".crlf")
				case "ops":
					ops = f.Data
				case "out":
					outIdx = i
				}
			}
			if ar.Comment != nil && bytes.Contains(ar.Comment, []byte("[no final newline]")) {
				in = bytes.TrimSuffix(in, []byte("\n"))
			}
			if crlf {
				in = bytes.ReplaceAll(in, []byte("\n"), []byte("\r\n"))
			}
			d := ParseDoc(in)
			for _, op := range strings.Split(strings.TrimSpace(string(ops)), "\n") {
				if err := applyOp(d, strings.Fields(op)); err != nil {
					t.Fatalf("%s: %v", op, err)
				}
			}
			got := d.Bytes()
			if crlf {
				if bytes.Contains(bytes.ReplaceAll(got, []byte("\r\n"), nil), []byte("\n")) {
					t.Errorf("a CRLF file got a bare LF line ending: %q", got)
				}
				got = bytes.ReplaceAll(got, []byte("\r\n"), []byte("\n"))
			}
			if *update {
				if outIdx < 0 {
					ar.Files = append(ar.Files, txtar.File{Name: "out"})
					outIdx = len(ar.Files) - 1
				}
				ar.Files[outIdx].Data = got
				if err := os.WriteFile(path, txtar.Format(ar), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if outIdx < 0 {
				t.Fatal("no out file (run with -update)")
			}
			if want := ar.Files[outIdx].Data; !bytes.Equal(got, want) {
				t.Errorf("got:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

func applyOp(d *Doc, f []string) error {
	if len(f) < 3 {
		return fmt.Errorf("short op")
	}
	kind, name := f[1], f[2]
	one := func() (*DocSection, error) {
		s := d.Find(kind, name)
		if len(s) != 1 {
			return nil, fmt.Errorf("%d sections named [%s %s]", len(s), kind, name)
		}
		return s[0], nil
	}
	switch f[0] {
	case "append":
		var kvs []KV
		for _, a := range f[3:] {
			k, v, _ := strings.Cut(a, "=")
			kvs = append(kvs, KV{k, v})
		}
		d.Append(kind, name, kvs)
	case "set":
		s, err := one()
		if err != nil {
			return err
		}
		s.Set(f[3], strings.Join(f[4:], " "))
	case "delete":
		s, err := one()
		if err != nil {
			return err
		}
		s.Delete(f[3])
	case "remove":
		s, err := one()
		if err != nil {
			return err
		}
		d.Remove(s)
	default:
		return fmt.Errorf("unknown op %q", f[0])
	}
	return nil
}

// TestEditConcurrent: many processes' worth of edits at once (goroutines
// here; the lock is a file lock, so processes behave the same) each add
// their own profile; none is lost, and the bytes that were there before
// are all still there.
func TestEditConcurrent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config")
	orig := "# mine\r\n[profile keep]\r\nregion = eu-west-1\r\n"
	if err := os.WriteFile(path, []byte(orig), 0o640); err != nil {
		t.Fatal(err)
	}
	const n = 20
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, err := Edit(context.Background(), path, func(d *Doc) error {
				d.Append(KindProfile, fmt.Sprintf("p%02d", i), []KV{{"ssoctl_managed", "true"}})
				return nil
			})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	b, _ := os.ReadFile(path)
	if !strings.HasPrefix(string(b), orig) {
		t.Errorf("the original bytes changed: %q", b)
	}
	d := ParseDoc(b)
	for i := range n {
		if len(d.Find(KindProfile, fmt.Sprintf("p%02d", i))) != 1 {
			t.Errorf("profile p%02d lost", i)
		}
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o640 {
		t.Errorf("got mode %v; want the file's 0640 kept", fi.Mode().Perm())
	}
	wantOnly(t, filepath.Dir(path), "config")
}

// wantOnly fails unless dir holds exactly the named files: no lock file,
// no temporary file left beside them. (Before: config.lock stayed.)
func wantOnly(t *testing.T, dir string, names ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	if !slices.Equal(got, names) {
		t.Errorf("%s holds %q; want only %q", dir, got, names)
	}
}

// TestEditRefusesReadOnly: a config file made read-only (0444) is not
// rewritten (renaming over it would work: the folder is writable), with
// one line saying why; with nothing to change there is no error.
func TestEditRefusesReadOnly(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config")
	const orig = "[default]\nregion = eu-west-1\n"
	if err := os.WriteFile(path, []byte(orig), 0o444); err != nil {
		t.Fatal(err)
	}
	_, _, err := Edit(context.Background(), path, func(d *Doc) error {
		d.Append(KindProfile, "x", []KV{{ManagedKey, "true"}})
		return nil
	})
	var ro *ReadOnlyError
	if !errors.As(err, &ro) || strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), "is read-only (mode 0444)") {
		t.Fatalf("Edit of a 0444 file: %v; want a one-line *ReadOnlyError", err)
	}
	if b, _ := os.ReadFile(path); string(b) != orig {
		t.Errorf("the read-only file was changed: %q", b)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o444 {
		t.Errorf("got mode %v; want 0444 kept", fi.Mode().Perm())
	}
	if _, _, err := Edit(context.Background(), path, func(*Doc) error { return nil }); err != nil {
		t.Errorf("an edit changing nothing in a 0444 file: %v; want none", err)
	}
	wantOnly(t, dir, "config")
}

// TestEditKeepsSymlink: a config kept in a dotfiles repository and linked
// to ~/.aws/config stays a link; the file it points to is edited.
func TestEditKeepsSymlink(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "dotfiles-config")
	link := filepath.Join(dir, "config")
	if err := os.WriteFile(real, []byte("[default]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Edit(context.Background(), link, func(d *Doc) error {
		d.Append(KindProfile, "x", []KV{{ManagedKey, "true"}})
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the link was replaced by a file (%v)", err)
	}
	b, _ := os.ReadFile(real)
	if want := "[default]\n\n[profile x]\nssoctl_managed = true\n"; string(b) != want {
		t.Errorf("got %q; want %q", b, want)
	}
	if fi, _ := os.Stat(real); fi.Mode().Perm() != 0o644 {
		t.Errorf("got mode %v; want 0644 kept", fi.Mode().Perm())
	}
	// Nothing left beside the link's target (a dotfiles repository).
	wantOnly(t, dir, "config", "dotfiles-config")
}

// TestEditRedoesWhenChangedUnderneath: another tool writes the file (with
// no lock) while the edit is being made: the edit is made again on the new
// text, so that tool's change is not lost.
func TestEditRedoesWhenChangedUnderneath(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config")
	if err := os.WriteFile(path, []byte("[default]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	calls := 0
	_, after, err := Edit(context.Background(), path, func(d *Doc) error {
		calls++
		if calls == 1 {
			// aws configure set, meanwhile
			if err := os.WriteFile(path, []byte("[default]\nregion = eu-west-1\n"), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		d.Append(KindProfile, "x", []KV{{ManagedKey, "true"}})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := "[default]\nregion = eu-west-1\n\n[profile x]\nssoctl_managed = true\n"
	if b, _ := os.ReadFile(path); string(b) != want || string(after) != want || calls != 2 {
		t.Errorf("got %q (after %q, %d edits); want %q after 2 edits", b, after, calls, want)
	}
}
