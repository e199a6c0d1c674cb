package fanout

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestMapOrderAndLimit(t *testing.T) {
	items := make([]int, 50)
	for i := range items {
		items[i] = i
	}
	var inflight, peak atomic.Int32
	res := Map(context.Background(), items, 4, func(_ context.Context, i int) (int, error) {
		n := inflight.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		time.Sleep(time.Duration(50-i) * 50 * time.Microsecond)
		inflight.Add(-1)
		if i == 7 {
			return 0, errors.New("seven")
		}
		return i * i, nil
	})
	if p := peak.Load(); p > 4 {
		t.Errorf("got %d calls in flight; want at most 4", p)
	}
	for i, r := range res {
		if i == 7 {
			if r.Err == nil {
				t.Errorf("item 7: got no error; want one")
			}
			continue
		}
		if r.Err != nil || r.Value != i*i {
			t.Errorf("item %d: got %d, %v; want %d", i, r.Value, r.Err, i*i)
		}
	}
}

func TestStreamEmitsInOrder(t *testing.T) {
	items := []int{5, 1, 4, 2, 3}
	var got []int
	Stream(context.Background(), items, 3, func(_ context.Context, i int) (int, error) {
		time.Sleep(time.Duration(i) * time.Millisecond)
		return i * 10, nil
	}, func(_ int, v int, err error) {
		if err != nil {
			t.Errorf("unexpected error %v", err)
		}
		got = append(got, v)
	})
	if diff := cmp.Diff([]int{50, 10, 40, 20, 30}, got); diff != "" {
		t.Errorf("emit order (-want +got):\n%s", diff)
	}
}

func TestStreamCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	n := 0
	Stream(ctx, []int{1, 2, 3}, 1, func(context.Context, int) (int, error) { return 0, nil }, func(_ int, _ int, err error) {
		n++
		if err == nil {
			t.Errorf("got nil error for a cancelled item; want context.Canceled")
		}
	})
	if n != 3 {
		t.Errorf("got %d results; want 3", n)
	}
}

func TestGroupGoNeverBlocksAndBoundsConcurrency(t *testing.T) {
	g := NewGroup(context.Background(), 2)
	var inflight, peak, done atomic.Int32
	release := make(chan struct{})
	start := time.Now()
	for i := 0; i < 10; i++ {
		g.Go(func(context.Context) {
			n := inflight.Add(1)
			for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
			}
			<-release
			inflight.Add(-1)
			done.Add(1)
		})
	}
	if d := time.Since(start); d > 100*time.Millisecond {
		t.Errorf("Go blocked for %v; want it to return at once", d)
	}
	close(release)
	g.Wait()
	if done.Load() != 10 || peak.Load() > 2 {
		t.Errorf("got %d done, peak %d in flight; want 10 done, at most 2", done.Load(), peak.Load())
	}
}

// TestAll: every function runs, at once; the first error in argument order
// wins, and once ctx has ended its error does.
func TestAll(t *testing.T) {
	var started atomic.Int32
	release := make(chan struct{})
	wait := func(ctx context.Context) error {
		if started.Add(1) == 3 {
			close(release)
		}
		<-release
		return nil
	}
	two, three := errors.New("two"), errors.New("three")
	err := All(context.Background(), wait, func(ctx context.Context) error {
		if err := wait(ctx); err != nil {
			return err
		}
		return two
	}, func(ctx context.Context) error { wait(ctx); return three })
	if err != two {
		t.Errorf("got %v; want the second function's error (the first in order)", err)
	}
	if err := All(context.Background()); err != nil {
		t.Errorf("no functions: got %v; want nil", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	err = All(ctx, func(context.Context) error { cancel(); return three })
	if err != context.Canceled {
		t.Errorf("ended context: got %v; want context.Canceled", err)
	}
}
