package quota

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestSharedBucketAcrossProcesses: a second bucket on the same file (what
// a second process holds) does not start with a burst of its own after the
// first drained the shared one: its calls come at the rate. (Before, each
// process had a full bucket of its own: 20 portal calls at once against a
// quota the last process had just used up.)
func TestSharedBucketAcrossProcesses(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cache", "portal-us-east-1")
	r := Rate{PerSecond: 100, Burst: 5} // a call every 10 ms, 5 at once
	ctx := context.Background()
	first := NewSharedBucket(path, r)
	start := time.Now()
	for range 10 {
		if err := first.Wait(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if d := time.Since(start); d < 40*time.Millisecond {
		t.Errorf("10 calls with a burst of 5 at 100/s took %v; want at least 40 ms", d)
	}
	second := NewSharedBucket(path, r)
	start = time.Now()
	for range 5 {
		if err := second.Wait(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if d := time.Since(start); d < 40*time.Millisecond {
		t.Errorf("a second bucket on the same file made 5 calls in %v, as a fresh burst; want about 50 ms at the rate", d)
	}
	// A bucket of another file is its own: at 1 call a second, a drained
	// bucket would make the next 5 calls wait about 5 s; another file's
	// bucket gives its burst at once (the bound leaves room for a loaded
	// machine and still tells the two apart).
	slow := Rate{PerSecond: 1, Burst: 5}
	drained := NewSharedBucket(filepath.Join(filepath.Dir(path), "portal-ap-south-1"), slow)
	for range 5 {
		_ = drained.Wait(ctx)
	}
	other := NewSharedBucket(filepath.Join(filepath.Dir(path), "portal-eu-west-1"), slow)
	start = time.Now()
	for range 5 {
		_ = other.Wait(ctx)
	}
	if d := time.Since(start); d > 2500*time.Millisecond {
		t.Errorf("another file's bucket waited %v; want its own burst at once", d)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("state file: %v, %v; want mode 0600", fi, err)
	}
	if _, err := os.Stat(path + ".lock"); !os.IsNotExist(err) {
		t.Errorf("lock file left: %v", err)
	}
}

// TestSharedBucketEnds: a wait ends with its context; a file that cannot
// be used leaves the calls unlimited.
func TestSharedBucketEnds(t *testing.T) {
	path := filepath.Join(t.TempDir(), "b")
	b := NewSharedBucket(path, Rate{PerSecond: 1, Burst: 1})
	if err := b.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := b.Wait(ctx); err == nil {
		t.Error("a wait of a second ended without error at a 20 ms deadline")
	}
	notDir := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(notDir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	u := NewSharedBucket(filepath.Join(notDir, "b"), Rate{PerSecond: 1, Burst: 1})
	start := time.Now()
	for range 3 {
		if err := u.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if d := time.Since(start); d > 500*time.Millisecond {
		t.Errorf("an unusable file made 3 calls wait %v; want them unlimited", d)
	}
}
