package report

import (
	"context"
	"errors"
	"time"

	"github.com/ssoctl/ssoctl/internal/audit"
	"github.com/ssoctl/ssoctl/internal/history"
)

// FromSnapshot builds the report of a saved snapshot, with the changes
// since the snapshot before it when there is one.
func FromSnapshot(ctx context.Context, s *history.Store, sn history.Snapshot, generated time.Time) (*Builder, Info, error) {
	b := NewBuilder()
	reviewer := audit.NewReviewer(&sn.Review, nil)
	if err := s.Rows(ctx, sn.ID, func(r audit.Row) error {
		reviewer.Row(r)
		return b.Row(r)
	}); err != nil {
		return nil, Info{}, err
	}
	info := Info{Generated: generated, Snapshot: sn.ID, Taken: sn.Created, InstanceArn: sn.InstanceArn, IdentityStoreId: sn.IdentityStoreId, Method: sn.Method,
		Incomplete: !sn.Complete, Causes: sn.Causes}
	info.Notes = sn.Notes
	var err error
	if info.Findings, err = s.Findings(ctx, sn.ID); err != nil {
		return nil, Info{}, err
	}
	if info.Errors, err = s.Errors(ctx, sn.ID); err != nil {
		return nil, Info{}, err
	}
	ar := reviewer.Finish(info.Findings)
	info.Review, info.Production, info.FindingCauses = sn.Review, ar.Production, ar.Causes
	if info.Diff, err = DiffSince(ctx, s, sn); err != nil {
		return nil, Info{}, err
	}
	if info.LastUses, err = s.LastUses(ctx, sn.InstanceArn); err != nil {
		return nil, Info{}, err
	}
	return b, info, nil
}

// DiffSince returns what changed from the newest complete snapshot before
// sn to sn (the first MaxDiffRows changed rows, every count), passing over
// incomplete ones, whose missing rows would read as access gained; nil
// when there is none, or when sn itself is incomplete (what it missed
// would read as access lost).
func DiffSince(ctx context.Context, s *history.Store, sn history.Snapshot) (*Diff, error) {
	if !sn.Complete {
		return nil, nil
	}
	prev, skipped, err := s.PreviousComplete(ctx, sn.ID)
	if errors.Is(err, history.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	d := &Diff{From: prev.ID, To: sn.ID, FromTaken: prev.Created, ToTaken: sn.Created}
	for _, x := range skipped {
		d.Skipped = append(d.Skipped, x.ID)
	}
	hd, err := s.Diff(ctx, prev, sn, func(c history.Change) error {
		if len(d.Rows) < MaxDiffRows {
			d.Rows = append(d.Rows, DiffRow{Change: c.Change, Row: c.Row, Actor: c.Actor, EventTime: c.EventTime})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	d.Gained, d.Lost, d.Appeared, d.Resolved = hd.Gained, hd.Lost, hd.Appeared, hd.Resolved
	for _, c := range hd.Accounts {
		d.Accounts = append(d.Accounts, Count{Id: c.Id, Name: c.Name, Gained: c.Gained, Lost: c.Lost})
	}
	for _, c := range hd.PermissionSets {
		d.PermissionSets = append(d.PermissionSets, Count{Id: c.Id, Name: c.Name, Gained: c.Gained, Lost: c.Lost})
	}
	return d, nil
}
