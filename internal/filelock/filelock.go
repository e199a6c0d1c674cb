// Package filelock is the lock ssoctl holds for a read-modify-write of a
// file that other processes share (~/.aws/config, the token, registration
// and role-credential caches): an exclusive lock on a companion file,
// <name>.lock, that is removed when the lock is released, so nothing is
// left beside the file it guards (in ~/.aws, or in a dotfiles repository a
// linked config lives in).
//
// Removing a lock file that another process may be waiting on is safe here
// because a lock counts only while the file locked is still the one at
// <name>.lock: a process that was waiting on a file removed meanwhile finds
// it gone (or another in its place) once it has the lock, lets it go and
// locks the file now there. The holder removes the file as the last step of
// its critical section, so no two processes are ever inside one at once.
package filelock

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/gofrs/flock"
)

// Suffix is the lock file's suffix: the lock of path is path + Suffix.
const Suffix = ".lock"

// Lock takes the exclusive lock that guards path, waiting for it as long
// as ctx allows, creating path's folder (0700) when missing. It polls
// (from 2 ms, backing off to 25 ms) rather than blocking in the kernel, so
// an interrupt still ends the wait. unlock removes the lock file and
// releases the lock.
func Lock(ctx context.Context, path string) (unlock func(), err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create %s: %w", dir, err)
	}
	name := path + Suffix
	delay := 2 * time.Millisecond
	for {
		l := flock.New(name, flock.SetPermissions(0o600))
		ok, err := l.TryLock()
		if err != nil {
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		if ok {
			held, herr := l.Stat()
			now, nerr := os.Stat(name)
			if herr == nil && nerr == nil && os.SameFile(held, now) {
				return func() {
					// Removed while still held (see the package comment),
					// and only while it is still ours: nobody else can
					// remove or replace it while we hold it, but once it is
					// gone the name may be another holder's. Windows
					// refuses to remove an open file: it is left, harmless.
					if held, err := l.Stat(); err == nil {
						if now, err := os.Stat(name); err == nil && os.SameFile(held, now) {
							_ = os.Remove(name)
						}
					}
					_ = l.Unlock()
					_ = l.Close()
				}, nil
			}
			// Removed (or replaced) while we waited: lock the one there now.
			_ = l.Unlock()
			_ = l.Close()
			continue
		}
		_ = l.Close()
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("wait for the lock on %s: %w", path, ctx.Err())
		case <-time.After(delay):
		}
		delay = min(delay*3/2, 25*time.Millisecond)
	}
}
