package filelock

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"
)

// TestLockExcludesAndLeavesNothing: many holders at once (goroutines, each
// with its own open file, as processes would have) increment a counter
// file by read-modify-write; none is lost, though every release removes
// the lock file others are waiting on, and nothing is left beside it.
func TestLockExcludesAndLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "counter")
	if err := os.WriteFile(path, []byte("0"), 0o600); err != nil {
		t.Fatal(err)
	}
	const n, rounds = 16, 25
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range rounds {
				unlock, err := Lock(context.Background(), path)
				if err != nil {
					errs <- err
					return
				}
				b, _ := os.ReadFile(path)
				v, _ := strconv.Atoi(string(b))
				time.Sleep(50 * time.Microsecond) // widen the window a second holder would use
				if err := os.WriteFile(path, []byte(strconv.Itoa(v+1)), 0o600); err != nil {
					errs <- err
				}
				unlock()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != strconv.Itoa(n*rounds) {
		t.Errorf("counter %s; want %d: an update was lost", b, n*rounds)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("%s holds %q; want only counter", dir, names)
	}
}

// TestLockWaitsAndEnds: a held lock keeps another waiting until released,
// or until its context ends.
func TestLockWaitsAndEnds(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	unlock, err := Lock(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := Lock(ctx, path); err == nil {
		t.Fatal("a second Lock got a held lock")
	}
	got := make(chan error, 1)
	go func() {
		u, err := Lock(context.Background(), path)
		if err == nil {
			u()
		}
		got <- err
	}()
	time.Sleep(20 * time.Millisecond)
	unlock()
	select {
	case err := <-got:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the waiter never got the released lock")
	}
	if _, err := os.Stat(path + Suffix); !os.IsNotExist(err) {
		t.Errorf("lock file after release: %v; want none", err)
	}
}
