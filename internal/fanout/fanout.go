// Package fanout runs many independent calls with bounded concurrency and
// hands back their results in input order. It is the one fan-out ssoctl
// uses for AWS calls (the executor's window of at most 15 outstanding
// requests, with its polling, is its own); rate limits live in the clients.
package fanout

import (
	"context"
	"sync"

	"golang.org/x/sync/errgroup"
)

// Result is one item's outcome.
type Result[R any] struct {
	Value R
	Err   error
}

// Map calls fn for every item with at most limit calls in flight and
// returns the results in the order of items. A failing item does not stop
// the others; cancelling ctx does.
func Map[T, R any](ctx context.Context, items []T, limit int, fn func(context.Context, T) (R, error)) []Result[R] {
	out := make([]Result[R], len(items))
	Each(ctx, len(items), limit, func(ctx context.Context, i int) {
		v, err := fn(ctx, items[i])
		out[i] = Result[R]{Value: v, Err: err}
	})
	return out
}

// Each calls fn(i) for i in [0, n) with at most limit in flight.
func Each(ctx context.Context, n, limit int, fn func(context.Context, int)) {
	if limit < 1 {
		limit = 1
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(limit)
	for i := 0; i < n; i++ {
		if gctx.Err() != nil {
			break
		}
		g.Go(func() error {
			fn(gctx, i)
			return nil
		})
	}
	_ = g.Wait()
}

// All runs every fn at once and waits for them all: independent reads
// (a discovery's listings, say) that a caller needs together. Its error is
// ctx's once ctx has ended (what failed then was only cut short), else the
// first error in fns' order; a failing fn does not stop the others.
func All(ctx context.Context, fns ...func(context.Context) error) error {
	errs := make([]error, len(fns))
	Each(ctx, len(fns), len(fns), func(ctx context.Context, i int) {
		errs[i] = fns[i](ctx)
	})
	if err := ctx.Err(); err != nil {
		return err
	}
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// Stream calls fn for every item with at most limit in flight and passes
// each result to emit in input order, as soon as it and all before it are
// done, so results can be written out without holding them all. emit runs
// on one goroutine at a time.
func Stream[T, R any](ctx context.Context, items []T, limit int, fn func(context.Context, T) (R, error), emit func(T, R, error)) {
	type slot struct {
		v    R
		err  error
		done bool
	}
	var (
		mu    sync.Mutex
		slots = make([]slot, len(items))
		next  int
	)
	Each(ctx, len(items), limit, func(ctx context.Context, i int) {
		v, err := fn(ctx, items[i])
		mu.Lock()
		defer mu.Unlock()
		slots[i] = slot{v: v, err: err, done: true}
		for next < len(items) && slots[next].done {
			emit(items[next], slots[next].v, slots[next].err)
			slots[next] = slot{done: true} // drop the value once written
			next++
		}
	})
	// Items never started because ctx ended are reported as its error.
	mu.Lock()
	defer mu.Unlock()
	for ; next < len(items); next++ {
		if !slots[next].done {
			var zero R
			emit(items[next], zero, ctx.Err())
			continue
		}
		emit(items[next], slots[next].v, slots[next].err)
	}
}

// Group runs functions handed to it over time, at most limit at once.
// Unlike errgroup with SetLimit, Go never blocks the caller: a function
// waits for a free slot on its own goroutine, so producers (workers of
// another fan-out) keep their pace.
type Group struct {
	ctx context.Context
	sem chan struct{}
	wg  sync.WaitGroup
}

// NewGroup returns a Group whose functions get ctx.
func NewGroup(ctx context.Context, limit int) *Group {
	if limit < 1 {
		limit = 1
	}
	return &Group{ctx: ctx, sem: make(chan struct{}, limit)}
}

// Go runs fn when a slot is free (or not at all once ctx ends).
func (g *Group) Go(fn func(context.Context)) {
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		select {
		case g.sem <- struct{}{}:
		case <-g.ctx.Done():
			return
		}
		defer func() { <-g.sem }()
		fn(g.ctx)
	}()
}

// Wait waits for every function handed to Go.
func (g *Group) Wait() { g.wg.Wait() }
