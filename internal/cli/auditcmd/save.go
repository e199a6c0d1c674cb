package auditcmd

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/ssoctl/ssoctl/internal/activity"
	"github.com/ssoctl/ssoctl/internal/audit"
	"github.com/ssoctl/ssoctl/internal/cli/factory"
	"github.com/ssoctl/ssoctl/internal/cli/views"
	"github.com/ssoctl/ssoctl/internal/history"
	"github.com/ssoctl/ssoctl/internal/report"
)

// output is where the audit's rows go: the view of the chosen format (or
// the HTML report), and with --save a snapshot in the history database,
// written as the rows stream.
type output struct {
	views.Audit
	store *history.Store
	saved *history.Snapshot
	// keep is what the snapshot keeps for the next --since; set before End.
	keep kept
}

// kept is what a snapshot keeps for incremental audits: the audit's
// directory, the time it is exact until, its base and the changes the
// events since the base made.
type kept struct {
	Directory  *audit.Directory
	ExactUntil time.Time
	Base       int64
	Facts      []activity.Fact
	Placed     []string
}

// openView returns the audit's view for opts, saving a snapshot too when
// asked. close releases the database; call it when the run is over.
func openView(ctx context.Context, opts *options, w io.Writer) (o *output, close func(), err error) {
	o = &output{}
	var html *htmlView
	if opts.Format == "html" {
		html = &htmlView{b: report.NewBuilder(), w: w, now: opts.Now}
		o.Audit = html
	} else if o.Audit, err = views.NewAudit(opts.Format, w, opts.Rows, opts.Columns); err != nil {
		return nil, nil, err
	}
	if !opts.Save {
		return o, func() {}, nil
	}
	path, err := factory.HistoryDB(opts.IO, opts.DB)
	if err != nil {
		return nil, nil, err
	}
	if o.store, err = history.Open(ctx, path); err != nil {
		return nil, nil, err
	}
	saver, err := o.store.Begin(ctx, opts.Now())
	if err != nil {
		o.store.Close()
		return nil, nil, err
	}
	o.Audit = &saveView{next: o.Audit, saver: saver, out: o, html: html, columns: opts.Columns, ctx: ctx}
	return o, func() { saver.Abort(); o.store.Close() }, nil
}

// savedLine says where the snapshot went ("" when nothing was saved).
func (o *output) savedLine() string {
	if o.saved == nil {
		return ""
	}
	switch {
	case o.saved.Partial():
		return fmt.Sprintf("saved snapshot #%d (%d rows) to %s, marked INCOMPLETE: history diff and report html will not take it for the organization's access", o.saved.ID, o.saved.Rows, o.store.Path())
	case !o.saved.Complete:
		return fmt.Sprintf("saved snapshot #%d (%d rows) to %s, marked INCOMPLETE (listed per principal)", o.saved.ID, o.saved.Rows, o.store.Path())
	}
	return fmt.Sprintf("saved snapshot #%d (%d rows) to %s", o.saved.ID, o.saved.Rows, o.store.Path())
}

// saveView writes each row to the snapshot and to the next view. At the
// end it commits the snapshot first, so the HTML report can show the
// changes since the previous one.
type saveView struct {
	next    views.Audit
	saver   *history.Saver
	out     *output
	html    *htmlView
	columns []string
	ctx     context.Context
}

func (v *saveView) Row(r audit.Row) error {
	if err := v.saver.Row(r); err != nil {
		return err
	}
	return v.next.Row(r)
}

func (v *saveView) Changed() int { return v.next.Changed() }

func (v *saveView) Abort(cause error) error {
	v.saver.Abort()
	return v.next.Abort(cause)
}

func (v *saveView) End(r views.AuditReport) error {
	sn, err := v.saver.Finish(history.Result{
		InstanceArn: r.Stats.Instance.Arn, IdentityStoreId: r.Stats.Instance.IdentityStoreId, Method: string(r.Stats.Strategy),
		Columns: v.columns, Findings: r.Findings, Errors: r.Errors, Notes: r.Notes, Stats: r.Stats,
		Complete: r.Stats.Complete, Causes: r.Stats.Causes, Review: r.Review,
		Directory: v.out.keep.Directory, ExactUntil: v.out.keep.ExactUntil, Base: v.out.keep.Base, Facts: v.out.keep.Facts, Placed: v.out.keep.Placed,
	})
	if err != nil {
		return err
	}
	v.out.saved = &sn
	if v.html != nil {
		v.html.snapshot = sn
		if v.html.diff, err = report.DiffSince(v.ctx, v.out.store, sn); err != nil {
			return err
		}
		if v.html.lastUses, err = v.out.store.LastUses(v.ctx, r.Stats.Instance.Arn); err != nil {
			return err
		}
	}
	return v.next.End(r)
}

// htmlView collects the rows into the HTML report and writes it at the end.
type htmlView struct {
	b        *report.Builder
	w        io.Writer
	now      func() time.Time
	snapshot history.Snapshot // set when saved
	diff     *report.Diff
	lastUses map[activity.UseKey]time.Time // set when saved: what access unused has read
}

func (v *htmlView) Row(r audit.Row) error { return v.b.Row(r) }
func (v *htmlView) Abort(error) error     { return nil }
func (v *htmlView) Changed() int          { return 0 }
func (v *htmlView) End(r views.AuditReport) error {
	return v.b.Write(v.w, report.Info{
		Generated: v.now(), Snapshot: v.snapshot.ID, Taken: v.snapshot.Created,
		InstanceArn: r.Stats.Instance.Arn, IdentityStoreId: r.Stats.Instance.IdentityStoreId, Method: string(r.Stats.Strategy),
		Notes: r.Notes, Findings: r.Findings, Errors: r.Errors, Diff: v.diff,
		Incomplete: !r.Stats.Complete, Causes: r.Stats.Causes,
		Review: r.Review, Production: r.Production, FindingCauses: r.Causes, LastUses: v.lastUses,
	})
}
