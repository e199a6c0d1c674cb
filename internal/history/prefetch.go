package history

// prefetch runs next on a goroutine of its own, a batch ahead of the
// caller, so two scans that are merged (one per snapshot) read the database
// on two cores. The returned stop ends the goroutine early; call it when
// done (it is safe to call more than once).
func prefetch[T any](next func() (T, bool, error)) (get func() (T, bool, error), stop func()) {
	type batch struct {
		items []T
		err   error
	}
	const size = 512
	ch := make(chan batch, 4)
	done := make(chan struct{})
	go func() {
		defer close(ch)
		buf := make([]T, 0, size)
		send := func(b batch) bool {
			select {
			case ch <- b:
				return true
			case <-done:
				return false
			}
		}
		for {
			v, ok, err := next()
			if err != nil {
				send(batch{buf, err})
				return
			}
			if !ok {
				if len(buf) > 0 {
					send(batch{items: buf})
				}
				return
			}
			buf = append(buf, v)
			if len(buf) == size {
				if !send(batch{items: buf}) {
					return
				}
				buf = make([]T, 0, size)
			}
		}
	}()
	var (
		cur     []T
		pending error
		stopped bool
	)
	stop = func() {
		if !stopped {
			stopped = true
			close(done)
			for range ch { // let the goroutine finish
			}
		}
	}
	get = func() (T, bool, error) {
		var zero T
		for len(cur) == 0 {
			if pending != nil {
				return zero, false, pending
			}
			b, ok := <-ch
			if !ok {
				return zero, false, nil
			}
			cur, pending = b.items, b.err
		}
		v := cur[0]
		cur = cur[1:]
		return v, true, nil
	}
	return get, stop
}
