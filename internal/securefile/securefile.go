// Package securefile writes files that hold secrets: readable by their
// owner only from the first byte, and replaced atomically, so a reader sees
// the old file or the new one and never half of either.
package securefile

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
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

// WriteFirst is Write for a file whose loss costs most (a token whose
// refresh token the server has just rotated): the new file is renamed into
// place as soon as its bytes are written, and flushed to disk after, so a
// process killed in between (SIGKILL, the OOM killer) has already left the
// new file, where Write's flush-then-rename leaves the old one for the
// milliseconds a flush takes. A power cut in between may leave the file
// empty on some file systems; a killed process is the common case. On
// Windows, where an open file cannot be renamed, it is Write.
func WriteFirst(path string, data []byte) error {
	if runtime.GOOS == "windows" {
		return Write(path, data)
	}
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
	if err := tmp.Chmod(0o600); err != nil {
		return fail(err)
	}
	if _, err := tmp.Write(data); err != nil {
		return fail(err)
	}
	if err := os.Rename(name, path); err != nil {
		return fail(err)
	}
	// In place: now make it last. The file is already the new one, so a
	// failed flush is reported but changes nothing there.
	syncErr := tmp.Sync()
	if err := tmp.Close(); syncErr == nil {
		syncErr = err
	}
	if syncErr != nil {
		return fmt.Errorf("write %s: %w", path, syncErr)
	}
	return nil
}
