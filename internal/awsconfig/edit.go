package awsconfig

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/ssoctl/ssoctl/internal/filelock"
	"github.com/ssoctl/ssoctl/internal/securefile"
)

// Edit changes the config file at path through its lossless model: under
// an exclusive lock (filelock: path + ".lock", removed when released; for
// a linked config, beside the file it links to), it reads the file afresh,
// lets edit change the Doc, and when the bytes differ writes them
// atomically (a temporary file, fsync, rename) keeping the file's mode
// (0600 for a new file, in a 0700 folder). A file its owner cannot write
// (chmod 0444) is not changed: a *ReadOnlyError. Two ssoctl processes editing at once are
// serialised and each sees the other's result, so neither loses the
// other's changes. It returns the text before and after.
func Edit(ctx context.Context, path string, edit func(*Doc) error) (before, after []byte, err error) {
	if real, err := filepath.EvalSymlinks(path); err == nil {
		path = real // a config kept in a dotfiles repository stays a link
	}
	unlock, err := filelock.Lock(ctx, path)
	if err != nil {
		return nil, nil, err
	}
	defer unlock()
	// Other tools (aws configure set, an editor) write the file without
	// this lock: when the file changed between the read and the write, the
	// edit is made again on what is there now.
	for attempt := 0; ; attempt++ {
		mode := os.FileMode(0o600)
		before, err = os.ReadFile(path)
		existed := err == nil
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case err != nil:
			return nil, nil, fmt.Errorf("read %s: %w", path, err)
		default:
			if fi, err := os.Stat(path); err == nil {
				mode = fi.Mode().Perm()
			}
		}
		doc := ParseDoc(before)
		if err := edit(doc); err != nil {
			return before, before, err
		}
		after = doc.Bytes()
		if bytes.Equal(before, after) {
			return before, after, nil
		}
		if attempt < 3 && changedSince(path, existed, before) {
			continue
		}
		if existed && mode&0o200 == 0 {
			return before, before, &ReadOnlyError{Path: path, Mode: mode}
		}
		if err := securefile.WriteMode(path, after, mode); err != nil {
			return before, before, err
		}
		return before, after, nil
	}
}

// ReadOnlyError is Edit's refusal to change a config file its owner made
// read-only (no write permission for the owner): replacing it would be
// possible (the folder is writable) but not what a chmod 0444 asks for.
type ReadOnlyError struct {
	Path string
	Mode os.FileMode
}

func (e *ReadOnlyError) Error() string {
	return fmt.Sprintf("%s is read-only (mode %04o), so ssoctl leaves it as it is: make it writable (chmod u+w %s) to let ssoctl change it, or use --dry-run to see the change", e.Path, e.Mode.Perm(), e.Path)
}

// changedSince reports whether the file at path is no longer what was read
// (existed, with data).
func changedSince(path string, existed bool, data []byte) bool {
	now, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return existed
	}
	return err == nil && (!existed || !bytes.Equal(now, data))
}
