package accounts

import (
	"context"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/ssoctl/ssoctl/internal/fanout"
)

// prefetchConcurrency is how many credential fetches Each (and listing)
// keeps in flight: they wait on the network and the portal's rate limit,
// not on this machine.
const prefetchConcurrency = 64

// Result is the outcome of fn for one role in Each: its value, or the
// error that fn or fetching the credentials gave.
type Result[T any] struct {
	// Role is the role, as given to Each.
	Role Role
	// Value is what fn returned (its zero value when Err is set).
	Value T
	// Err is fn's error, or why fn was not called: no credentials (the
	// role was not given, the sign-in is needed), or ctx ended.
	Err error
	// Called says fn was called (Err is then fn's).
	Called bool
}

// Each calls fn for every role, with that role's config (see
// Client.Config), at most Options.Concurrency at a time, and returns the
// results in the order of roles. A role that fails never stops the
// others; cancelling ctx does (the roles not started get ctx's error).
func Each[T any](ctx context.Context, c *Client, roles []Role, fn func(context.Context, Role, aws.Config) (T, error)) []Result[T] {
	out := make([]Result[T], 0, len(roles))
	Stream(ctx, c, roles, fn, func(r Result[T]) { out = append(out, r) })
	return out
}

// Stream is Each handing over each result to emit, in the order of roles,
// as soon as it and those before it are done (emit runs on one goroutine
// at a time), so that results can be written out as they come.
//
// The roles' credentials are fetched ahead of fn, on a pool of their own,
// once per account and role however many times (regions) a role is given:
// when fn's turn comes for a role, its credentials are usually there.
func Stream[T any](ctx context.Context, c *Client, roles []Role, fn func(context.Context, Role, aws.Config) (T, error), emit func(Result[T])) {
	creds := &flights{portal: c.portal, calls: map[[2]string]*flight{}}
	prefetchCtx, stopPrefetch := context.WithCancel(ctx)
	defer stopPrefetch()
	prefetch := fanout.NewGroup(prefetchCtx, prefetchConcurrency)
	for _, r := range roles {
		prefetch.Go(func(ctx context.Context) { _, _ = creds.get(ctx, r.AccountID, r.RoleName) })
	}
	defer prefetch.Wait()
	fanout.Stream(ctx, roles, c.concurrency, func(ctx context.Context, r Role) (Result[T], error) {
		cr, err := creds.get(ctx, r.AccountID, r.RoleName)
		if err != nil {
			return Result[T]{Role: r, Err: err}, nil
		}
		v, err := fn(ctx, r, c.config(r, cr))
		return Result[T]{Role: r, Value: v, Err: err, Called: true}, nil
	}, func(r Role, res Result[T], err error) {
		if err != nil { // never started: ctx ended
			res = Result[T]{Role: r, Err: err}
		}
		emit(res)
	})
}

// flights fetches each (account, role)'s credentials once, however many
// ask at the same time.
type flights struct {
	portal Portal
	mu     sync.Mutex
	calls  map[[2]string]*flight
}

type flight struct {
	once sync.Once
	cr   aws.Credentials
	err  error
}

func (f *flights) get(ctx context.Context, accountID, roleName string) (aws.Credentials, error) {
	f.mu.Lock()
	call, ok := f.calls[[2]string{accountID, roleName}]
	if !ok {
		call = &flight{}
		f.calls[[2]string{accountID, roleName}] = call
	}
	f.mu.Unlock()
	call.once.Do(func() { call.cr, call.err = f.portal.Credentials(ctx, accountID, roleName) })
	return call.cr, call.err
}
