// Package securefile writes files that hold secrets or reports: readable
// by their owner only from the first byte (or with the mode asked for), and
// replaced atomically, so a reader sees the old file or the new one and
// never half of either.
//
// The new version is written to a temporary file beside the target,
// ".NAME.<digits>.tmp", held under a file lock while it is written. A run
// killed before its rename leaves that file behind; the next write of the
// same target removes it (only when no process holds its lock, so a
// concurrent writer's file is never touched).
//
// A target that exists and is not a regular file (a terminal, /dev/null, a
// named pipe) is written in place: replacing it would put a plain file where
// the device was.
package securefile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/gofrs/flock"
)

// Write writes data to path through a 0600 temporary file beside it,
// fsynced and renamed over whatever was there.
func Write(path string, data []byte) error { return WriteMode(path, data, 0o600) }

// WriteMode is Write with the file's mode given (a file that is not secret
// but is replaced keeping the mode it had, such as ~/.aws/config).
func WriteMode(path string, data []byte, perm os.FileMode) error {
	f, err := Create(path, perm)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Discard()
		return err
	}
	return f.Commit()
}

// File is a new version of a file being written: nothing is at its path
// until Commit.
type File struct {
	path    string
	tmp     *os.File
	lock    *flock.Flock
	inPlace bool
	done    bool
}

// Create starts a new version of path with mode perm. It fails at once,
// with a message naming path and the real problem, when path cannot be
// written: a folder, a missing folder, a folder that takes no new files.
func Create(path string, perm os.FileMode) (*File, error) {
	fi, err := os.Stat(path)
	switch {
	case err == nil && fi.IsDir():
		return nil, &TargetError{Path: path, Reason: "it is a folder; name a file"}
	case err == nil && !fi.Mode().IsRegular():
		// A device or a pipe: write to it, never replace it.
		out, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return nil, &TargetError{Path: path, Reason: cause(err), Err: err}
		}
		return &File{path: path, tmp: out, inPlace: true}, nil
	}
	dir := filepath.Dir(path)
	if di, err := os.Stat(dir); err != nil {
		return nil, &TargetError{Path: path, Reason: "folder " + dir + " does not exist", Err: err}
	} else if !di.IsDir() {
		return nil, &TargetError{Path: path, Reason: dir + " is not a folder"}
	}
	RemoveStale(path)
	tmp, err := os.CreateTemp(dir, tempPrefix(path)+"*.tmp")
	if err != nil {
		return nil, &TargetError{Path: path, Reason: folderCause(dir, err), Err: err}
	}
	f := &File{path: path, tmp: tmp, lock: flock.New(tmp.Name())}
	if ok, err := f.lock.TryLock(); err != nil || !ok {
		f.lock = nil // written unlocked: only the grace period protects it
	}
	if err := tmp.Chmod(perm); err != nil {
		f.Discard()
		return nil, &TargetError{Path: path, Reason: cause(err), Err: err}
	}
	return f, nil
}

// Path is the file's target.
func (f *File) Path() string { return f.path }

// Write writes to the new version.
func (f *File) Write(p []byte) (int, error) {
	n, err := f.tmp.Write(p)
	if err != nil {
		return n, &TargetError{Path: f.path, Reason: cause(err), Err: err}
	}
	return n, nil
}

// InPlace reports whether the target is written in place (a device or a
// pipe), not replaced at Commit.
func (f *File) InPlace() bool { return f.inPlace }

// Commit puts the new version in place (fsynced, then renamed over what
// was there).
func (f *File) Commit() error { return f.CommitAs(f.path) }

// CommitAs puts the new version at path instead, in the same folder as
// the target (an incomplete report kept beside the one asked for); a
// target written in place is only closed.
func (f *File) CommitAs(path string) error {
	if f.done {
		return nil
	}
	f.done = true
	if f.inPlace {
		if err := f.tmp.Close(); err != nil {
			return &TargetError{Path: f.path, Reason: cause(err), Err: err}
		}
		return nil
	}
	defer f.unlock()
	name := f.tmp.Name()
	fail := func(err error) error {
		f.tmp.Close()
		os.Remove(name)
		return &TargetError{Path: f.path, Reason: cause(err), Err: err}
	}
	if err := f.tmp.Sync(); err != nil {
		return fail(err)
	}
	if err := f.tmp.Close(); err != nil {
		return fail(err)
	}
	if err := os.Rename(name, path); err != nil {
		if fi, serr := os.Stat(path); serr == nil && fi.IsDir() {
			os.Remove(name)
			return &TargetError{Path: path, Reason: "it is a folder; name a file"}
		}
		f.path = path
		return fail(err)
	}
	return nil
}

// WriteFirst is Write for a file whose loss costs most (a token whose
// refresh token the server has just rotated): the new version is renamed
// into place as soon as its bytes are written, and flushed to disk after
// (CommitFirst), so a process killed in between (SIGKILL, the OOM killer)
// has already left the new file, where Write's flush-then-rename leaves
// the old one for the milliseconds a flush takes.
func WriteFirst(path string, data []byte) error {
	f, err := Create(path, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Discard()
		return err
	}
	return f.CommitFirst()
}

// CommitFirst is Commit renaming first and flushing after: see WriteFirst.
// A power cut in between may leave the file empty on some file systems; a
// killed process is the common case. On Windows, where an open file cannot
// be renamed, it is Commit.
func (f *File) CommitFirst() error {
	if f.done || f.inPlace || runtime.GOOS == "windows" {
		return f.Commit()
	}
	f.done = true
	defer f.unlock()
	name := f.tmp.Name()
	if err := os.Rename(name, f.path); err != nil {
		f.tmp.Close()
		os.Remove(name)
		if fi, serr := os.Stat(f.path); serr == nil && fi.IsDir() {
			return &TargetError{Path: f.path, Reason: "it is a folder; name a file"}
		}
		return &TargetError{Path: f.path, Reason: cause(err), Err: err}
	}
	// In place: now make it last. The file is already the new one, so a
	// failed flush is reported but changes nothing there.
	err := f.tmp.Sync()
	if cerr := f.tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return &TargetError{Path: f.path, Reason: cause(err), Err: err}
	}
	return nil
}

// Discard drops the new version. It does nothing after Commit, so callers
// can defer it.
func (f *File) Discard() {
	if f.done {
		return
	}
	f.done = true
	f.tmp.Close()
	if !f.inPlace {
		os.Remove(f.tmp.Name())
		f.unlock()
	}
}

func (f *File) unlock() {
	if f.lock != nil {
		_ = f.lock.Unlock()
		_ = f.lock.Close()
	}
}

// staleAfter is how old a temporary file must be before RemoveStale takes
// it for a dead run's: the moment between creating a file and locking it.
const staleAfter = time.Second

// RemoveStale removes the temporary files that earlier writes of path left
// behind when they were killed: ".NAME.<digits>.tmp" beside it, older than
// a second, that no process holds the lock of. Failures are ignored: a file
// that cannot be removed is left as it was.
func RemoveStale(path string) {
	prefix := tempPrefix(path)
	matches, _ := filepath.Glob(filepath.Join(filepath.Dir(path), globEscape(prefix)+"*.tmp"))
	for _, m := range matches {
		digits := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(m), prefix), ".tmp")
		if digits == "" || strings.Trim(digits, "0123456789") != "" {
			continue
		}
		fi, err := os.Lstat(m)
		if err != nil || !fi.Mode().IsRegular() || time.Since(fi.ModTime()) < staleAfter {
			continue
		}
		l := flock.New(m)
		if ok, err := l.TryLock(); err == nil && ok {
			// Still the file we looked at (not one made since by
			// another run under the same name)?
			if now, err := os.Lstat(m); err == nil && os.SameFile(fi, now) {
				os.Remove(m)
			}
			_ = l.Unlock()
		}
		_ = l.Close()
	}
}

// tempPrefix is the name of path's temporary files up to their digits.
func tempPrefix(path string) string { return "." + filepath.Base(path) + "." }

func globEscape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `*`, `\*`, `?`, `\?`, `[`, `\[`)
	return r.Replace(s)
}

// TargetError says a file could not be written, and why, in words about
// the file the person named (not the temporary file beside it).
type TargetError struct {
	Path   string
	Reason string
	Err    error
}

func (e *TargetError) Error() string { return fmt.Sprintf("cannot write %s: %s", e.Path, e.Reason) }
func (e *TargetError) Unwrap() error { return e.Err }

// cause is an os error's reason without the file name in front of it
// (which would be the temporary file's).
func cause(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		err = le.Err
	}
	switch {
	case errors.Is(err, syscall.ENOSPC):
		return "no space left on the device"
	case errors.Is(err, syscall.EROFS):
		return "the file system is read-only"
	}
	return err.Error()
}

// folderCause says why no file could be made in dir.
func folderCause(dir string, err error) string {
	switch {
	case errors.Is(err, fs.ErrPermission):
		return "folder " + dir + " is not writable (permission denied)"
	case errors.Is(err, syscall.EROFS):
		return "folder " + dir + " is on a read-only file system"
	case errors.Is(err, fs.ErrNotExist):
		// The folder exists (checked before) but refuses a new file:
		// /proc, /sys and the like.
		return "folder " + dir + " does not take new files (a kernel file system such as /proc or /sys?); name a file in an ordinary folder"
	}
	return "cannot create a file in folder " + dir + ": " + cause(err)
}
