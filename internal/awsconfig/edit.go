package awsconfig

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/gofrs/flock"

	"github.com/ssoctl/ssoctl/internal/securefile"
)

// Edit changes the config file at path through its lossless model: under
// an exclusive lock (path + ".lock"), it reads the file afresh, lets edit
// change the Doc, and when the bytes differ writes them atomically (a
// temporary file, fsync, rename) keeping the file's mode (0600 for a new
// file, in a 0700 folder). Two ssoctl processes editing at once are
// serialised and each sees the other's result, so neither loses the
// other's changes. It returns the text before and after.
func Edit(ctx context.Context, path string, edit func(*Doc) error) (before, after []byte, err error) {
	if real, err := filepath.EvalSymlinks(path); err == nil {
		path = real // a config kept in a dotfiles repository stays a link
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, nil, fmt.Errorf("create %s: %w", dir, err)
	}
	l := flock.New(path+".lock", flock.SetPermissions(0o600))
	ok, err := l.TryLockContext(ctx, 5*time.Millisecond)
	if err != nil || !ok {
		if err == nil {
			err = errors.New("not acquired")
		}
		return nil, nil, fmt.Errorf("lock %s: %w", path, err)
	}
	defer l.Unlock()
	mode := os.FileMode(0o600)
	before, err = os.ReadFile(path)
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
	if err := securefile.WriteMode(path, after, mode); err != nil {
		return before, before, err
	}
	return before, after, nil
}
