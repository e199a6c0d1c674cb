// Package securefile writes files that hold secrets: readable by their
// owner only from the first byte, and replaced atomically, so a reader sees
// the old file or the new one and never half of either.
package securefile

import (
	"fmt"
	"os"
	"path/filepath"
)

// Write writes data to path through a 0600 temporary file beside it,
// fsynced and renamed over whatever was there.
func Write(path string, data []byte) error { return WriteMode(path, data, 0o600) }

// WriteMode is Write with the file's mode given (a file that is not secret
// but is replaced keeping the mode it had, such as ~/.aws/config).
func WriteMode(path string, data []byte, perm os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	name := tmp.Name()
	fail := func(err error) error {
		tmp.Close()
		os.Remove(name)
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Chmod(perm); err != nil {
		return fail(err)
	}
	if _, err := tmp.Write(data); err != nil {
		return fail(err)
	}
	if err := tmp.Sync(); err != nil {
		return fail(err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(name)
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(name, path); err != nil {
		os.Remove(name)
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
