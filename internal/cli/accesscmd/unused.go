package accesscmd

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ssoctl/ssoctl/internal/activity"
	"github.com/ssoctl/ssoctl/internal/audit"
	"github.com/ssoctl/ssoctl/internal/cli/factory"
	"github.com/ssoctl/ssoctl/internal/cli/views"
	"github.com/ssoctl/ssoctl/internal/history"
	"github.com/ssoctl/ssoctl/internal/inventory"
	"github.com/ssoctl/ssoctl/internal/render"
)

type unusedOptions struct {
	common
	Now      func() time.Time
	DB       string
	Days     int
	User     string
	Account  string
	All      bool
	Snapshot int64
	Lag      time.Duration
}

// NewUnusedCmd returns `ssoctl access unused`. runF replaces the run
// function in tests.
func NewUnusedCmd(f *factory.Factory, runF func(context.Context, *unusedOptions) error) *cobra.Command {
	opts := &unusedOptions{common: newCommon(f), Now: time.Now}
	cmd := &cobra.Command{
		Use:   "unused",
		Short: "Access nobody uses: audit rows with no credentials fetched in the last N days",
		Long: `List the rows of the newest complete saved audit (user × account × permission
set × path; ssoctl audit --save) whose user fetched no credentials for that
account and role in the last --days days (90 at most: what CloudTrail's event
history keeps), with the last use when one is known; --all lists every row.

Uses come from CloudTrail's GetRoleCredentials events (LookupEvents by event
name in the Identity Center Region): the portal records one each time a person
gets credentials for a role (AWS CLI, SDKs, ssoctl, the portal's access keys).
Console sign-ins through the portal (federation) are not read: a role used only
in the console reads as unused. LookupEvents answers 2 calls a second and 50
events a page, so reading 90 days of a large organization takes hours: the
first run reads the whole window (progress on stderr), and a cursor in the
history database makes later runs read only the events since the last one.
The summary states the window of events seen.`,
		Example: `  ssoctl audit --save && ssoctl access unused
  ssoctl access unused --days 30 --account payments-prod
  ssoctl access unused --user alice.johnson --all -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := opts.format(f, cmd); err != nil {
				return err
			}
			if opts.Days < 1 || opts.Days > 90 {
				return factory.Usagef("--days must be between 1 and 90 (CloudTrail's event history keeps 90 days), not %d", opts.Days)
			}
			if opts.Lag < 0 {
				return factory.Usagef("--cloudtrail-lag must not be negative")
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runUnused(cmd.Context(), opts)
		},
	}
	opts.flags(cmd)
	fl := cmd.Flags()
	fl.IntVar(&opts.Days, "days", 90, "the window: a row with no use in the last `N` days is unused (1 to 90)")
	fl.StringVar(&opts.User, "user", "", "only this user (name or id)")
	fl.StringVar(&opts.Account, "account", "", "only this account (id or name)")
	fl.BoolVar(&opts.All, "all", false, "list every row with its last use, not only the unused ones")
	fl.Int64Var(&opts.Snapshot, "snapshot", 0, "judge this snapshot's rows (default: the newest complete one)")
	fl.StringVar(&opts.DB, "db", "", factory.HistoryDBFlagUsage)
	fl.DurationVar(&opts.Lag, "cloudtrail-lag", activity.DefaultLag, "how late CloudTrail may deliver an event: the cursor stops this long before the events were read")
	return cmd
}

func runUnused(ctx context.Context, opts *unusedOptions) error {
	start := time.Now()
	s, err := factory.OpenHistory(ctx, opts.IO, opts.DB)
	if err != nil {
		return err
	}
	defer s.Close()
	sn, err := unusedSnapshot(ctx, s, opts.Snapshot)
	if err != nil {
		return err
	}
	set, err := opts.Clients(ctx)
	if err != nil {
		return err
	}
	inst, err := inventory.NewDirectory(inventoryClients(set), inventory.DirectoryOptions{InstanceArn: sn.InstanceArn}).Instance(ctx, "")
	if err != nil {
		return factory.Explain(err, "access unused")
	}
	region := set.PrimaryRegion(inst.Arn)
	if region == "" {
		region = set.Config.Region
	}
	cur, ok, err := s.Cursor(ctx, inst.Arn)
	if err != nil {
		return err
	}
	now := opts.Now().UTC()
	need := now.Add(-time.Duration(opts.Days) * 24 * time.Hour)
	// What to read: the window the cursor has not seen, and what has come
	// since it (a margin early: event times are whole seconds).
	var windows []activity.UseWindow
	seenFrom := need
	if !ok || cur.SeenUntil.Before(now.Add(-activity.Retention)) {
		windows = []activity.UseWindow{{From: need}}
	} else {
		if need.Before(cur.SeenFrom) {
			windows = append(windows, activity.UseWindow{From: need, To: cur.SeenFrom.Add(activity.Margin)})
		} else {
			seenFrom = cur.SeenFrom
		}
		windows = append(windows, activity.UseWindow{From: cur.SeenUntil.Add(-activity.Margin)})
	}
	var doc views.UnusedReport
	for _, w := range windows {
		to := "now"
		if !w.To.IsZero() {
			to = stamp(w.To)
		}
		doc.Read.Windows = append(doc.Read.Windows, stamp(w.From)+" to "+to)
		if days := now.Sub(w.From).Hours() / 24; days > 1 {
			views.Said(opts.IO.ErrOut, fmt.Sprintf("access unused: reading %.0f days of GetRoleCredentials events (LookupEvents: 2 calls a second, 50 events a page; for a large organization this takes hours; later runs read only what is new)", days))
		}
	}
	prog := render.NewProgress(opts.IO.ErrOut, opts.IO.IsStderrTTY())
	uses, res, err := activity.ReadUses(ctx, set.CloudTrail(), region, windows, func(p activity.Progress) {
		prog.Update("GetRoleCredentials events back to "+p.Reached.Format("2006-01-02"), p.Events, 0)
	})
	prog.Done()
	if err != nil {
		return factory.Explain(err, "access unused")
	}
	serverNow := res.ServerTime
	if serverNow.IsZero() {
		serverNow = now
	}
	until := serverNow.Add(-opts.Lag)
	if ok && until.Before(cur.SeenUntil) {
		until = cur.SeenUntil
	}
	if err := s.SaveUses(ctx, history.UseCursor{InstanceArn: inst.Arn, SeenFrom: seenFrom, SeenUntil: until}, uses); err != nil {
		return err
	}
	last, err := s.LastUses(ctx, inst.Arn)
	if err != nil {
		return err
	}
	view, err := views.NewUnused(opts.Format, opts.IO.Out, opts.Rows)
	if err != nil {
		return err
	}
	cut := serverNow.Add(-time.Duration(opts.Days) * 24 * time.Hour)
	err = s.Rows(ctx, sn.ID, func(r audit.Row) error {
		if r.UserId == "" || !matches(opts.User, r.UserName, r.UserId) || !matches(opts.Account, r.AccountId, r.AccountName) {
			return nil
		}
		row := views.UnusedRow{UserName: r.UserName, UserId: r.UserId, AccountId: r.AccountId, AccountName: r.AccountName,
			PermissionSet: r.PermissionSet, PermissionSetArn: r.PermissionSetArn, Path: "direct"}
		if r.PrincipalType == "GROUP" {
			row.Path = "group:" + r.GroupName
		}
		if t, ok := last[activity.UseKey{UserId: r.UserId, AccountId: r.AccountId, RoleName: r.PermissionSet}]; ok {
			row.LastUsed = &t
		}
		row.Unused = row.LastUsed == nil || row.LastUsed.Before(cut)
		doc.Rows++
		if row.Unused {
			doc.Unused++
		}
		if !row.Unused && !opts.All {
			return nil
		}
		return view.Row(row)
	})
	if err != nil {
		_ = view.Abort(err)
		return err
	}
	doc.Snapshot = views.SnapshotRef{ID: sn.ID, Created: sn.Created, Complete: sn.Complete}
	doc.Source = "CloudTrail GetRoleCredentials events (LookupEvents in " + region + "); console federation not read"
	doc.Days, doc.From, doc.To = opts.Days, seenFrom, serverNow
	doc.Read.Pages, doc.Read.Events = res.Pages, res.Events
	doc.Stats = views.NewCallStats(set.Stats(), time.Since(start))
	if err := view.End(doc); err != nil {
		return err
	}
	views.UnusedSummary(opts.IO.ErrOut, doc)
	views.CSVNote(opts.IO.ErrOut, view.Changed())
	return nil
}

// unusedSnapshot is the snapshot whose rows are judged: id, or the newest
// complete one.
func unusedSnapshot(ctx context.Context, s *history.Store, id int64) (history.Snapshot, error) {
	if id > 0 {
		sn, err := s.Get(ctx, id)
		return sn, factory.ExplainNoSnapshot(err)
	}
	all, err := s.List(ctx)
	if err != nil {
		return history.Snapshot{}, err
	}
	for i := len(all) - 1; i >= 0; i-- {
		if all[i].Complete {
			return all[i], nil
		}
	}
	return history.Snapshot{}, fmt.Errorf("no complete snapshot in %s: save one first with `ssoctl audit --save`", s.Path())
}

// matches reports whether a --user or --account value names one of
// values (any when it is empty).
func matches(want string, values ...string) bool {
	if want == "" {
		return true
	}
	for _, v := range values {
		if strings.EqualFold(v, want) {
			return true
		}
	}
	return false
}

// knownLastUses are the last uses access unused has recorded for an
// instance in the default history database; none when there is no
// database (it is not created).
func knownLastUses(ctx context.Context, c common, instanceArn string) (map[activity.UseKey]time.Time, error) {
	path, err := factory.HistoryDB(c.IO, "")
	if err != nil {
		return nil, nil
	}
	if _, err := os.Stat(path); err != nil {
		return nil, nil
	}
	s, err := history.Open(ctx, path)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	return s.LastUses(ctx, instanceArn)
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }
