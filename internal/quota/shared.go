package quota

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ssoctl/ssoctl/internal/filelock"
)

// SharedBucket is a token bucket whose state is a file, so that every
// process drawing from the same file shares one bucket. AWS applies a quota
// to the account, not to a process: a process that starts with a full
// bucket of its own, right after another one drained AWS's, gets its first
// calls throttled (ssoctl roles, then each, then credentials export, one
// after the other). It is the generic cell rate algorithm: the file holds
// the theoretical arrival time of the next call, and each call reserves
// its slot under the file's lock (filelock), then waits for it.
//
// A file that cannot be used (a read-only home, say) makes the bucket
// unlimited rather than failing the call: the clients' own buckets still
// pace each process.
type SharedBucket struct {
	path     string
	interval time.Duration // between calls at the sustained rate
	slack    time.Duration // how far ahead of the rate a burst may go
	now      func() time.Time

	mu sync.Mutex // the lock is per open file: one holder per process at a time
}

// NewSharedBucket returns the bucket at path (created on first use, with
// its folder, 0700) for rate r; a rate of zero or less is unlimited.
func NewSharedBucket(path string, r Rate) *SharedBucket {
	b := &SharedBucket{path: path, now: time.Now}
	if r.PerSecond > 0 {
		b.interval = time.Duration(float64(time.Second) / r.PerSecond)
		b.slack = time.Duration(max(r.Burst-1, 0) * float64(b.interval))
	}
	return b
}

// Wait reserves the next slot and waits for it, or until ctx ends.
func (b *SharedBucket) Wait(ctx context.Context) error {
	if b.interval <= 0 {
		return nil
	}
	at, err := b.reserve(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return nil // see the type's comment
	}
	d := at.Sub(b.now())
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// reserve takes the next slot in the file and returns when it starts.
func (b *SharedBucket) reserve(ctx context.Context) (time.Time, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	unlock, err := filelock.Lock(ctx, b.path)
	if err != nil {
		return time.Time{}, err
	}
	defer unlock()
	now := b.now()
	tat := now
	if data, err := os.ReadFile(b.path); err == nil {
		// A file that does not parse (a crash mid-write) starts afresh.
		if ns, err := strconv.ParseInt(strings.TrimSpace(string(data)), 10, 64); err == nil {
			if t := time.Unix(0, ns); t.After(now) {
				tat = t
			}
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return time.Time{}, err
	}
	// The call may go at tat less the burst's slack; the next one is due
	// an interval after tat.
	if err := os.WriteFile(b.path, []byte(strconv.FormatInt(tat.Add(b.interval).UnixNano(), 10)+"\n"), 0o600); err != nil {
		return time.Time{}, err
	}
	return tat.Add(-b.slack), nil
}
