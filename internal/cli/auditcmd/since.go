package auditcmd

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ssoctl/ssoctl/internal/activity"
	"github.com/ssoctl/ssoctl/internal/audit"
	"github.com/ssoctl/ssoctl/internal/awsclient"
	"github.com/ssoctl/ssoctl/internal/cli/factory"
	"github.com/ssoctl/ssoctl/internal/cli/views"
	"github.com/ssoctl/ssoctl/internal/history"
	"github.com/ssoctl/ssoctl/internal/inventory"
)

// since is what --since decided: an incremental audit from a saved base,
// or a full one and why.
type since struct {
	// Base is the snapshot the audit starts from (nil: a full audit).
	Base   *audit.Base
	BaseID int64
	Plan   activity.Plan
	Window activity.Window
	// Full says why the audit is made in full ("" when it is not).
	Full string
	// Read are the ids of every event read when the audit is made in full
	// after reading them: the full audit, which runs after, shows their
	// effect, so the next --since, whose window overlaps this one, skips
	// them rather than falling back again.
	Read []string
}

// parseSince checks --since: last, a snapshot id or a time.
func parseSince(s string) error {
	if s == "" || s == "last" {
		return nil
	}
	if _, err := strconv.ParseInt(s, 10, 64); err == nil {
		return nil
	}
	if _, err := parseTime(s); err == nil {
		return nil
	}
	return fmt.Errorf("--since must be last, a snapshot id (see ssoctl history list) or a time such as 2026-12-01 or 2026-12-01T10:00:00Z, not %q", s)
}

func parseTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Parse("2006-01-02", s)
}

// planSince resolves the base snapshot, reads the CloudTrail events since
// it and places them. What makes an incremental audit impossible (no
// base, an incomplete one, one older than CloudTrail keeps, events it
// cannot place, no access to CloudTrail) is not an error: it returns a
// full audit's plan, saying why.
func planSince(ctx context.Context, opts *options, set *awsclient.Set, clients audit.Clients, progress func(activity.Progress)) (*since, error) {
	path, err := factory.HistoryDB(opts.IO, opts.DB)
	if err != nil {
		return nil, err
	}
	s, err := history.Open(ctx, path)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	sn, err := resolveBase(ctx, s, opts.Since)
	if errors.Is(err, history.ErrNotFound) {
		return &since{Full: "there is no snapshot to start from (" + strings.TrimPrefix(err.Error(), "no such ") + ")"}, nil
	}
	if err != nil {
		return nil, err
	}
	full := func(why string) (*since, error) { return &since{BaseID: sn.ID, Full: why}, nil }
	d, err := s.Directory(ctx, sn.ID)
	switch {
	case err != nil:
		return nil, err
	case !sn.Complete:
		return full(fmt.Sprintf("snapshot #%d is INCOMPLETE: what it missed would stay missing", sn.ID))
	case d == nil || sn.ExactUntil.IsZero():
		return full(fmt.Sprintf("snapshot #%d was saved by an ssoctl that kept no directory for an incremental audit", sn.ID))
	case opts.InstanceArn != "" && opts.InstanceArn != d.Instance.Arn:
		return full(fmt.Sprintf("snapshot #%d is of instance %s, not %s", sn.ID, d.Instance.Arn, opts.InstanceArn))
	case d.Review.Settings == "":
		return full(fmt.Sprintf("snapshot #%d kept no digest of the org settings' privileged: and production: sections, so whether its access review still holds is unknown", sn.ID))
	case d.Review.Settings != audit.SettingsDigest(opts.Settings):
		return full(fmt.Sprintf("the org settings' privileged: or production: sections (%s) are not those snapshot #%d was made with: the access review is made again", settingsName(opts), sn.ID))
	case opts.Now().Sub(sn.ExactUntil) > activity.Retention-opts.Lag:
		return full(fmt.Sprintf("snapshot #%d is exact until %s, beyond the 90 days CloudTrail's event history keeps", sn.ID, stamp(sn.ExactUntil)))
	}
	inst, err := inventory.NewDirectory(clients.Clients, inventory.DirectoryOptions{InstanceArn: d.Instance.Arn}).Instance(ctx, "")
	if err != nil {
		return nil, err
	}
	if inst != d.Instance {
		return full(fmt.Sprintf("snapshot #%d is of instance %s, which is not the one found (%s)", sn.ID, d.Instance.Arn, inst.Arn))
	}
	region := set.PrimaryRegion(inst.Arn)
	if region == "" {
		region = set.Config.Region
	}
	events, w, err := activity.ReadChanges(ctx, set.CloudTrail(), region, sn.ExactUntil, opts.Lag, opts.Now, progress)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return full(fmt.Sprintf("CloudTrail's events since snapshot #%d could not be read (%s)", sn.ID, awsclient.Explain(err)))
	}
	if w.To.Sub(sn.ExactUntil) > activity.Retention {
		// By AWS's clock, the start of the window is beyond what the
		// event history keeps: events of that gap are gone.
		return full(fmt.Sprintf("snapshot #%d is exact until %s, and CloudTrail's event history keeps only the 90 days before %s: the events of the gap are gone", sn.ID, stamp(sn.ExactUntil), stamp(w.To)))
	}
	placed, err := s.Placed(ctx, sn.ID)
	if err != nil {
		return nil, err
	}
	plan := activity.Place(events, activity.Known{Instance: inst, Directory: d, Placed: placed})
	out := &since{BaseID: sn.ID, Plan: plan, Window: w}
	if plan.Full {
		out.Full = strings.Join(plan.Reasons, "; ")
		for _, e := range events {
			out.Read = append(out.Read, e.ID)
		}
		return out, nil
	}
	base := audit.NewBase(*d)
	if err := s.Rows(ctx, sn.ID, func(r audit.Row) error { base.AddRow(r); return nil }); err != nil {
		return nil, err
	}
	out.Base = base
	return out, nil
}

// resolveBase finds --since's snapshot: the newest (last), one by id, or
// the newest taken at or before a time.
func resolveBase(ctx context.Context, s *history.Store, arg string) (history.Snapshot, error) {
	if arg == "last" {
		return s.Latest(ctx)
	}
	if id, err := strconv.ParseInt(arg, 10, 64); err == nil {
		return s.Get(ctx, id)
	}
	t, err := parseTime(arg)
	if err != nil {
		return history.Snapshot{}, err
	}
	all, err := s.List(ctx)
	if err != nil {
		return history.Snapshot{}, err
	}
	for i := len(all) - 1; i >= 0; i-- {
		if !all[i].Created.After(t) {
			return all[i], nil
		}
	}
	return history.Snapshot{}, fmt.Errorf("snapshot taken at or before %s: %w", stamp(t), history.ErrNotFound)
}

// settingsName names the org settings file ("no org settings file").
func settingsName(opts *options) string {
	if opts.Settings == nil || opts.Settings.Path == "" {
		return "no org settings file"
	}
	return opts.Settings.Path
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// lines is what the summary says of the incremental audit.
func (s *since) lines(lag time.Duration) []string {
	if s.Full != "" {
		return []string{"audit --since: a full audit: " + s.Full}
	}
	p, w := s.Plan, s.Window
	placed := "none changed what the audit shows"
	if n := p.PlacedTotal(); n > 0 {
		placed = fmt.Sprintf("%d placed (%s)", n, p.PlacedSummary())
	}
	if p.Repeated > 0 {
		placed += fmt.Sprintf(", %d placed by snapshot #%d already", p.Repeated, s.BaseID)
	}
	out := []string{
		fmt.Sprintf("audit --since: incremental from snapshot #%d: %d CloudTrail event(s) from %s to %s (%d lookups, %d pages): %s, %d ignored (reads, failed calls, other instances, settings)",
			s.BaseID, w.Events, stamp(w.From), stamp(w.To), w.Lookups, w.Pages, placed, p.Ignored),
		"audit --since: listed again: " + relisted(p.Changes),
	}
	for _, r := range p.Reasons {
		out = append(out, "audit --since: widened: "+r)
	}
	out = append(out, fmt.Sprintf("audit --since: exact until %s: CloudTrail delivers events up to %s late (--cloudtrail-lag), so a change after then may show only at the next --since, which reads again from there", stamp(w.ExactUntil), lag))
	return out
}

// incremental is the JSON document's "incremental" member; exactUntil
// is the saved snapshot's (a full audit's start when made in full).
func (s *since) incremental(exactUntil time.Time) *views.Incremental {
	out := &views.Incremental{ExactUntil: exactUntil.UTC(), Placed: map[string]int{}, Widened: []string{}}
	if s.BaseID != 0 {
		id := s.BaseID
		out.Base = &id
	}
	w, p := s.Window, s.Plan
	if !w.From.IsZero() {
		from, to := w.From.UTC(), w.To.UTC()
		out.From, out.To = &from, &to
		out.Lookups, out.Pages, out.Events = w.Lookups, w.Pages, w.Events
		for k, v := range p.Placed {
			out.Placed[k] = v
		}
		out.Ignored, out.Repeated = p.Ignored, p.Repeated
	}
	if s.Full != "" {
		full := s.Full
		out.Fallback = &full
		return out
	}
	out.Widened = append(out.Widened, p.Reasons...)
	c := p.Changes
	out.Relisted = &views.Relisted{
		EveryAccount: c.Accounts, EveryUserAndGroup: c.IdentityStore, MembersOfEveryGroup: c.Members && !c.IdentityStore,
		Pairs: len(uniq(c.Pairs)), PermissionSets: len(uniq(c.PermissionSets)), Accounts: len(uniq(c.AccountIds)),
		AccountsProvisioning: len(uniq(c.ProvisionedTo)), GroupsMembers: len(uniq(c.MembersOf)), Groups: len(uniq(c.Groups)), Users: len(uniq(c.Users)),
	}
	return out
}

func relisted(c audit.Changes) string {
	if c.Empty() {
		return "nothing"
	}
	var parts []string
	add := func(n int, what string) {
		if n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, what))
		}
	}
	if c.Accounts {
		parts = append(parts, "every account")
	}
	if c.IdentityStore {
		parts = append(parts, "every user and group")
	} else if c.Members {
		parts = append(parts, "the members of every assigned group")
	}
	add(len(uniq(c.Pairs)), "(account, permission set) pair(s)")
	add(len(uniq(c.PermissionSets)), "permission set(s)")
	add(len(uniq(c.AccountIds)), "account(s)")
	add(len(uniq(c.ProvisionedTo)), "account(s)' provisioning")
	add(len(uniq(c.MembersOf)), "group(s)' members")
	add(len(uniq(c.Groups)), "group(s)")
	add(len(uniq(c.Users)), "user(s)")
	return strings.Join(parts, ", ")
}

func uniq[T comparable](s []T) map[T]bool {
	m := make(map[T]bool, len(s))
	for _, x := range s {
		m[x] = true
	}
	return m
}

// sinceUsage is --since's flag help.
const sinceUsage = "audit incrementally from a saved snapshot (last, an id, or the newest taken at or before a time): read CloudTrail's write events since it and list again only what they touched (needs cloudtrail:LookupEvents); with --save the snapshot is complete"
