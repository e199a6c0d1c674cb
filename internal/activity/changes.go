package activity

import (
	"context"
	"time"

	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
)

// GlobalRegion is where Organizations and the Account Management API
// record their events (their endpoints are in us-east-1).
const GlobalRegion = "us-east-1"

// DefaultLag is how late ssoctl takes CloudTrail to deliver an event at
// most: AWS delivers most within about five minutes, without a bound, so
// a snapshot made from events is exact only up to this long before it
// read them, and the next incremental audit reads from there again.
const DefaultLag = 15 * time.Minute

// Margin is how much earlier than asked a window of changes starts:
// event times are whole seconds, and the time a window starts from may be
// the local clock's (a full audit's start), which may run ahead of AWS's.
// Events read twice are harmless: re-listing is idempotent, and those the
// base placed already are skipped (Known.Placed).
const Margin = time.Minute

// ChangeLookups are the lookups of the write events an incremental audit
// reads since from: one per event source, because LookupEvents takes one
// attribute a call and an event source reads only that service's events
// (ReadOnly=false would read every write of every service in the account
// and Region). Identity Center's, the identity store's, the console
// directory's and SCIM's are recorded in the instance's Region;
// Organizations' and account names' in us-east-1.
func ChangeLookups(region string, from, to time.Time) []Lookup {
	var out []Lookup
	for _, src := range []string{SourceSSO, SourceIdentityStore, SourceDirectory, SourceSCIM} {
		out = append(out, Lookup{Region: region, Key: cttypes.LookupAttributeKeyEventSource, Value: src, From: from, To: to})
	}
	for _, src := range []string{SourceOrganizations, SourceAccount} {
		out = append(out, Lookup{Region: GlobalRegion, Key: cttypes.LookupAttributeKeyEventSource, Value: src, From: from, To: to})
	}
	return out
}

// Window is what reading the events of a window did.
type Window struct {
	From time.Time
	// To is when the reading started, by AWS's clock (the Date of its
	// first answer; the local clock when it gave none).
	To time.Time
	// ExactUntil is To less the delivery lag: every event up to it has
	// been read; later ones may still be on their way.
	ExactUntil time.Time
	Lookups    int
	Pages      int
	Events     int
}

// ReadChanges reads every event of the change lookups from from until
// now, sorted oldest first (Sort). Events of the same id (a lookup that
// returns one twice) are kept once.
func ReadChanges(ctx context.Context, ct CloudTrail, region string, from time.Time, lag time.Duration, now func() time.Time, progress func(Progress)) ([]Event, Window, error) {
	asked := from
	from = from.Add(-Margin).Truncate(time.Second)
	w := Window{From: from}
	var (
		events []Event
		seen   = map[string]bool{}
	)
	for _, l := range ChangeLookups(region, from, time.Time{}) {
		if !w.To.IsZero() {
			l.To = w.To // every lookup reads the same window
		}
		res, err := Read(ctx, ct, l, progress, func(e Event) error {
			if !seen[e.ID] {
				seen[e.ID] = true
				events = append(events, e)
			}
			return nil
		})
		w.Lookups++
		w.Pages += res.Pages
		if err != nil {
			return nil, w, err
		}
		if w.To.IsZero() {
			w.To = res.ServerTime
			if w.To.IsZero() {
				w.To = now().UTC()
			}
		}
	}
	w.Events = len(events)
	w.ExactUntil = w.To.Add(-lag)
	if w.ExactUntil.Before(asked) {
		w.ExactUntil = asked // exactness never goes back
	}
	Sort(events)
	return events, w, nil
}
