package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync/atomic"
	"time"
)

// The sandbox clock. AWS's time is not the caller's: ssoctl judges expiry on
// the Date header of AWS's answers, and a grant's expiry must be testable
// without waiting for it. So the sandbox keeps one clock, the machine's time
// moved forward by an offset that POST /_sandbox/clock sets, and everything
// that depends on time reads it: the Date header of every answer, the
// expiry of every token and credential it issues, the SigV4 skew check
// (so after an advance, clients that do not correct clock skew are
// refused, as they would be by AWS), aws:CurrentTime in the policies it
// evaluates, async request completion, and due schedules. The clock never
// goes back, as AWS's does not.

// clock is the machine's time plus an offset that only grows.
type clock struct {
	offset atomic.Int64 // nanoseconds added to the machine's time
}

// now is the clock's time, in UTC.
func (c *clock) now() time.Time {
	return time.Now().Add(time.Duration(c.offset.Load())).UTC()
}

// advance moves the clock forward by d (≥ 0) and returns the new time.
func (c *clock) advance(d time.Duration) time.Time {
	c.offset.Add(int64(d))
	return c.now()
}

// now is the sandbox clock's time in UTC, to the millisecond (what AWS's
// timestamps carry).
func (s *Server) now() time.Time { return s.clock.now().Truncate(time.Millisecond) }

// Now is the sandbox clock's time.
func (s *Server) Now() time.Time { return s.clock.now() }

// AdvanceClock moves the sandbox clock forward by d, then does what falls
// due meanwhile (async requests complete, due schedules fire), and returns
// the new time. A negative d is an error: the clock never goes back.
func (s *Server) AdvanceClock(d time.Duration) (time.Time, error) {
	if d < 0 {
		return s.Now(), fmt.Errorf("advance the sandbox clock by %s: it never goes back", d)
	}
	t := s.clock.advance(d)
	s.settle()
	return t, nil
}

// SetClock moves the sandbox clock forward to t (AdvanceClock by the
// difference); a t in the past is an error.
func (s *Server) SetClock(t time.Time) (time.Time, error) {
	d := t.Sub(s.clock.now())
	if d < 0 {
		return s.Now(), fmt.Errorf("set the sandbox clock to %s: it is already %s and never goes back", t.UTC().Format(time.RFC3339), s.Now().Format(time.RFC3339))
	}
	return s.AdvanceClock(d)
}

// clockDoc is the body of GET and POST /_sandbox/clock.
type clockDoc struct {
	Now    string `json:"now"`    // RFC 3339, UTC, with fractions of a second
	Offset string `json:"offset"` // how far ahead of the machine's clock it is (a Go duration)
}

// serveClock answers GET /_sandbox/clock with the current time and POST
// with {"advance": "2h"} or {"set": "2026-12-01T10:00:00Z"}.
func (s *Server) serveClock(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	fail := func(format string, args ...any) {
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]string{"message": fmt.Sprintf(format, args...)})
	}
	if r.Method == http.MethodPost {
		var in struct {
			Advance string `json:"advance"`
			Set     string `json:"set"`
		}
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<10))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&in); err != nil {
			fail(`read the clock request: %v (send {"advance": "2h"} or {"set": "2026-12-01T10:00:00Z"})`, err)
			return
		}
		var err error
		switch {
		case (in.Advance == "") == (in.Set == ""):
			fail(`send one of "advance" (a Go duration such as "2h30m") and "set" (an RFC 3339 time)`)
			return
		case in.Advance != "":
			d, perr := time.ParseDuration(in.Advance)
			if perr != nil {
				fail("advance %q is not a duration such as 90m or 2h30m", in.Advance)
				return
			}
			_, err = s.AdvanceClock(d)
		default:
			t, perr := time.Parse(time.RFC3339Nano, in.Set)
			if perr != nil {
				fail("set %q is not an RFC 3339 time such as 2026-12-01T10:00:00Z", in.Set)
				return
			}
			_, err = s.SetClock(t)
		}
		if err != nil {
			fail("%v", err)
			return
		}
	}
	w.Header().Set("Date", s.Now().Format(http.TimeFormat))
	_ = json.NewEncoder(w).Encode(clockDoc{
		Now:    s.Now().Format(time.RFC3339Nano),
		Offset: time.Duration(s.clock.offset.Load()).String(),
	})
}
