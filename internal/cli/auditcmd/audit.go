// Package auditcmd is the `ssoctl audit` command: the effective-access report.
package auditcmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ssoctl/ssoctl/internal/activity"
	"github.com/ssoctl/ssoctl/internal/assignments/list"
	"github.com/ssoctl/ssoctl/internal/audit"
	"github.com/ssoctl/ssoctl/internal/awsclient"
	"github.com/ssoctl/ssoctl/internal/cli/factory"
	"github.com/ssoctl/ssoctl/internal/cli/views"
	"github.com/ssoctl/ssoctl/internal/inventory"
	"github.com/ssoctl/ssoctl/internal/iostreams"
	"github.com/ssoctl/ssoctl/internal/orgconfig"
	"github.com/ssoctl/ssoctl/internal/render"
	"github.com/ssoctl/ssoctl/internal/securefile"
)

type options struct {
	IO      *iostreams.IOStreams
	Clients func(context.Context) (*awsclient.Set, error)
	Now     func() time.Time

	Format      string
	Rows        render.RowsOptions
	File        string
	Columns     []string
	IAM         bool
	InstanceArn string
	Method      list.Method
	Save        bool
	DB          string
	// Settings are the org settings (--org-config): legacy_domains,
	// privileged: and production:; nil when there are none.
	Settings *orgconfig.Config
	// FindingRows lists each finding under its cause in the summary.
	FindingRows bool
	// Since is the base of an incremental audit (last, an id or a time;
	// "": a full audit); Lag how late CloudTrail may deliver an event.
	Since       string
	Lag         time.Duration
	orgSettings func() error
}

// NewCmd returns `ssoctl audit`. runF replaces the run function in tests.
func NewCmd(f *factory.Factory, runF func(context.Context, *options) error) *cobra.Command {
	opts := &options{IO: f.IOStreams, Clients: f.Clients, Now: time.Now}
	var columns, strategy, findings string
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Report every user's effective access: account, permission set and path",
		Long: `Report effective access: one row per user × account × permission set × path.
A direct assignment gives PrincipalType USER; a group assignment gives one row
per member with PrincipalType GROUP and the group's name (a group with no
members still gives one row with empty user columns, so nothing assigned is
hidden).

The report is CSV by default, written to aws_sso_access_report_YYYYMMDD_HHMMSS.csv
in the current folder (-f to choose, -f - for stdout). -o json writes one
document (rows, findings, errors, stats) and -o table an aligned table, to
stdout unless -f is given.
-o html writes the self-contained HTML access report (as ssoctl report html
does) to aws_sso_access_report_YYYYMMDD_HHMMSS.html.

--save also keeps the report as a snapshot in the history database
($XDG_DATA_HOME/ssoctl/history.db, else ~/.local/share/ssoctl/history.db;
--db to choose): rows are stored as they stream, in one transaction that
commits only when the audit completes, so an interrupted audit leaves no
snapshot. See ssoctl history list|show|diff|prune; with -o html the report
then shows the changes since the previous snapshot.

--since last|ID|TIME audits incrementally from a saved snapshot (the newest,
one by id, or the newest taken at or before a time): it reads CloudTrail's
write events since it (cloudtrail:LookupEvents, one lookup per event source),
lists again only the pairs, groups, users and accounts they touch, and with
--save keeps a complete snapshot, equal to what a full audit would write.
What it cannot place (an unknown operation, no base, an incomplete or older
base, org settings whose privileged: or production: differ from the base's,
a window beyond CloudTrail's 90 days, LookupEvents denied) makes a full
audit instead, and the summary says why; a SCIM change or an unknown
membership lists that scope again. The summary states the time the snapshot
is exact until (--cloudtrail-lag before the events were read, as CloudTrail
delivers events minutes late); history diff then says who made each change
and when. With -o json the document ends with an "incremental" member
saying the same (base, fallback, exactUntil, the window, what was relisted).

Findings are flagged per row (the Flags column) and listed in JSON output and
the summary: ORPHANED_PRINCIPAL (the assigned user or group no longer exists),
DISABLED_USER (a disabled user with access), SUSPENDED_ACCOUNT (a suspended
account still assigned), NOT_PROVISIONED (the permission set's latest version
is not provisioned to the account), LEGACY_IAM_USER (with --iam), LEGACY_DOMAIN
(the user's e-mail is in a legacy_domains entry of the org settings, --org-config).

The audit discovers accounts, permission sets, users and groups with bulk
list calls, then lists assignments per provisioned (account, permission set)
pair: the one method that also sees assignments of deleted users and groups,
so the report is complete (--strategy auto and permission-set both mean it).
--strategy principal lists per user and group instead, which takes fewer calls
on some organizations but cannot see orphaned assignments: its summary says
INCOMPLETE and its JSON "complete": false. Calls stay under AWS's quotas;
throttling is retried. Items that keep failing (an endpoint that went away,
access denied) make the report INCOMPLETE: stderr says so in one line per
cause, JSON lists every item and says "complete": false with the causes, and
the rest of the report is written not at -f's path but beside it, named
NAME.INCOMPLETE.EXT (out.csv: out.INCOMPLETE.csv), so that nothing reading
the path takes it for a complete report; the exit code is 3. With --save the
snapshot is marked incomplete (see ssoctl history list). A group whose
members could not be listed shows "(members not listed)" in the user
columns, never empty like a group without members.

Who can reach production? The summary on stderr starts with privileged access
to production, one line per OU ("production: Root/Workloads/Prod: 2 accounts,
2 users with privileged access (AdministratorAccess): alice, bob"), then the
findings by cause, not by row: one line per finding kind and what it is about
(a disabled user, a deleted principal, a suspended account, a permission set
not provisioned) with its rows, findings, accounts and most privileged
permission set, privileged access to production first; --findings rows lists
each cause's findings under it. JSON adds "production" and "causes" (each with
the indexes of its findings); -o html opens with the same section. Production
is what the org settings' production: names (ous: by path, name or id;
accounts: by name or id); privileged is what their privileged: says
(permission_sets: default AdministratorAccess and IAMFullAccess; policies:
true also makes privileged any permission set whose inline policy allows * or
iam:* on every resource, or that has the AWS managed AdministratorAccess or
IAMFullAccess). The audit reads the OU tree and, beside the listing, the
policies of the permission sets the assignments name (two calls each; the
summary's call count says how many); a name the settings give that the
organization lacks fails the audit with the file, line and closest names.

CSV cells that a spreadsheet would run as a formula (starting with =, +, -,
@, tab or CR) get a ' in front, and control characters are escaped; the
summary says how many. --csv-raw writes exact values, as JSON always does.

The destination (-f) is checked before any API call. With -o json a run that
fails writes no partial document.

Columns: ` + strings.Join(views.AuditColumnNames(), ", "),
		Example: `  # the demo organization, no AWS account needed
  ssoctl audit --sandbox

  # to stdout, with user status and findings
  ssoctl audit -f - --columns +UserStatus,Flags

  # legacy IAM users of the same name in the credentials' account
  ssoctl audit --iam -o table

  # who can reach production, and the findings by cause with their findings
  ssoctl audit --org-config org.yaml --findings rows

  # one JSON document for scripts
  ssoctl audit -o json | jq '.findings'

  # keep a snapshot, then see what changed since the last one
  ssoctl audit --save && ssoctl history diff

  # later: list again only what CloudTrail says changed, and who did it
  ssoctl audit --since last --save && ssoctl history diff

  # the HTML report, with the changes since the previous snapshot
  ssoctl audit --save -o html -f access.html`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			format, err := f.CommandFormat(cmd, "csv", "csv")
			if err != nil {
				return err
			}
			opts.Format, opts.Rows = format, f.RowsOptions()
			if opts.Columns, err = views.ParseAuditColumns(columns, opts.IAM); err != nil {
				return &factory.UsageError{Err: err}
			}
			if opts.DB != "" && !opts.Save && opts.Since == "" {
				return factory.Usagef("--db is where --save keeps the snapshot; add --save")
			}
			if opts.Method, err = list.ParseMethod(strategy); err != nil {
				return factory.Usagef("--strategy must be auto, permission-set or principal, not %q", strategy)
			}
			switch findings {
			case "causes", "rows":
				opts.FindingRows = findings == "rows"
			default:
				return factory.Usagef("--findings must be causes or rows, not %q", findings)
			}
			if err := parseSince(opts.Since); err != nil {
				return &factory.UsageError{Err: err}
			}
			if opts.Since != "" && opts.Method == list.ByPrincipal {
				return factory.Usagef("--since starts from a complete snapshot and keeps it complete; --strategy principal cannot (use auto or permission-set)")
			}
			if opts.Lag < 0 {
				return factory.Usagef("--cloudtrail-lag must not be negative")
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return run(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.File, "file", "f", "", "write the report to `PATH` (- for stdout; default: a timestamped CSV file, or stdout for json/table)")
	fl.StringVar(&columns, "columns", "", "columns to write, comma-separated; a leading + adds them to the defaults")
	fl.BoolVar(&opts.IAM, "iam", false, "add legacy IAM status: an IAM user of the same name in the credentials' account, its password, active keys and MFA")
	var orgConfig string
	fl.StringVar(&orgConfig, "org-config", "", "org settings `file`: legacy_domains (LEGACY_DOMAIN), privileged: and production: (else $SSOCTL_ORG_CONFIG, else ~/.config/ssoctl/org.yaml when it exists)")
	opts.orgSettings = func() error {
		cfg, err := f.OrgSettings(orgConfig, false)
		opts.Settings = cfg
		return err
	}
	fl.StringVar(&findings, "findings", "causes", "the findings in the summary on stderr: causes (one line per cause) or rows (each finding under its cause)")
	fl.StringVar(&opts.InstanceArn, "instance-arn", "", "the Identity Center instance (needed only when there are several)")
	fl.StringVar(&strategy, "strategy", string(list.MethodAuto), "how to list assignments: auto or permission-set (complete), or principal (fewer calls on some organizations; misses assignments of deleted principals)")
	fl.BoolVar(&opts.Save, "save", false, "also keep the report as a snapshot in the history database (see ssoctl history)")
	fl.StringVar(&opts.DB, "db", "", "with --save or --since: "+factory.HistoryDBFlagUsage)
	fl.StringVar(&opts.Since, "since", "", sinceUsage)
	fl.DurationVar(&opts.Lag, "cloudtrail-lag", activity.DefaultLag, "with --since: how late CloudTrail may deliver an event; the snapshot is exact until this long before the events were read, and the next --since reads again from there")
	factory.SetOutputs(cmd, "csv", "json", "table", "html")
	return cmd
}

func run(ctx context.Context, opts *options) error {
	start := time.Now()
	// What can fail at once fails before any API call: the destination.
	path := opts.File
	if path == "" && (opts.Format == "csv" || opts.Format == "html") {
		path = "aws_sso_access_report_" + opts.Now().Format("20060102_150405") + "." + opts.Format
	}
	if opts.orgSettings != nil {
		if err := opts.orgSettings(); err != nil {
			return err
		}
	}
	out, err := openOutput(opts.IO, path)
	if err != nil {
		return err
	}
	defer out.Discard()
	set, err := opts.Clients(ctx)
	if err != nil {
		return err
	}
	clients := audit.Clients{Clients: inventory.Clients{SSOAdmin: set.SSOAdmin(), IdentityStore: set.IdentityStore(), Organizations: set.Organizations()},
		Policies: set.SSOAdmin()}
	if opts.IAM {
		clients.IAM = set.IAM()
	}

	prog := render.NewProgress(opts.IO.ErrOut, opts.IO.IsStderrTTY())
	// A full audit is exact from its start: the next --since reads
	// CloudTrail from there.
	keep := kept{ExactUntil: opts.Now()}
	var sp *since
	if opts.Since != "" {
		sp, err = planSince(ctx, opts, set, clients, func(p activity.Progress) { prog.Update("cloudtrail "+p.Lookup.Value, p.Pages, 0) })
		if err != nil {
			prog.Done()
			return factory.Explain(err, "audit")
		}
		keep.Facts = sp.Plan.Facts
		if sp.Base != nil {
			keep.ExactUntil, keep.Base, keep.Placed = sp.Window.ExactUntil, sp.BaseID, sp.Plan.PlacedIDs
		} else {
			keep.Placed = sp.Read
		}
	}
	view, closeView, err := openView(ctx, opts, out)
	if err != nil {
		return err
	}
	defer closeView()
	var legacy []string
	if opts.Settings != nil {
		legacy = opts.Settings.LegacyDomains
	}
	aopts := audit.Options{InstanceArn: opts.InstanceArn, Method: opts.Method, IAM: opts.IAM, LegacyDomains: legacy, Settings: opts.Settings,
		Progress: func(p audit.Progress) { prog.Update(p.Phase, p.Done, p.Total) }}
	var res *audit.Result
	if sp != nil && sp.Base != nil {
		res, err = audit.Update(ctx, clients, sp.Base, sp.Plan.Changes, aopts, view.Row)
	} else {
		res, err = audit.Run(ctx, clients, aopts, view.Row)
	}
	prog.Done()
	if err != nil {
		err = factory.Explain(err, "audit")
		_ = view.Abort(err) // a file is discarded anyway; stdout gets no partial document
		return err
	}
	report := views.NewAuditReport(res, views.NewCallStats(set.Stats(), time.Since(start)))
	if sp != nil {
		report.Incremental = sp.incremental(keep.ExactUntil)
	}
	keep.Directory = res.Directory
	view.keep = keep
	if err := view.End(report); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	// A report that misses what could not be listed is never left where
	// the complete one is expected: it goes beside it, named INCOMPLETE.
	written := path
	if len(res.Errors) > 0 && out.Replaced() {
		written = IncompletePath(path)
		err = out.CommitAs(written)
	} else {
		err = out.Commit()
	}
	if err != nil {
		return reportPathError(path, err)
	}
	views.AuditSummary(opts.IO.ErrOut, report, written, path, opts.FindingRows)
	views.CSVNote(opts.IO.ErrOut, view.Changed())
	if sp != nil {
		for _, line := range sp.lines(opts.Lag) {
			views.Said(opts.IO.ErrOut, line)
		}
	}
	if line := view.savedLine(); line != "" {
		views.Said(opts.IO.ErrOut, "audit: "+line)
	}
	if len(res.Errors) > 0 {
		where := "the report was written without them: it is INCOMPLETE"
		if written != path {
			where = "the report is incomplete: written to " + written + ", not " + path
		}
		return &factory.PartialError{Err: fmt.Errorf("%d item(s) could not be listed; %s", len(res.Errors), where)}
	}
	return nil
}

// IncompletePath is where the report of a run that could not list
// everything goes instead of path: beside it, with INCOMPLETE before the
// extension (out.csv: out.INCOMPLETE.csv), so nothing that reads path
// takes it for a complete report.
func IncompletePath(path string) string {
	ext := filepath.Ext(path)
	return strings.TrimSuffix(path, ext) + ".INCOMPLETE" + ext
}

// openOutput returns where the report goes: stdout for "" and "-", else a
// file written beside path and put in place at Commit, so an interrupted
// run leaves no half-written report. It fails at once, before any API
// call, when path cannot be written (a folder, a missing folder, a folder
// that takes no files); its errors name path, not the temporary file.
func openOutput(ios *iostreams.IOStreams, path string) (*factory.Output, error) {
	if path == "" {
		path = "-"
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return nil, fmt.Errorf("cannot write the report to %s: it is a folder (give a file name, e.g. -f %s)", path, filepath.Join(path, "report.csv"))
	}
	out, err := factory.OpenOutput(ios, path, 0o600)
	if err != nil {
		return nil, reportPathError(path, err)
	}
	return out, nil
}

// reportPathError words a file error as the report's.
func reportPathError(path string, err error) error {
	var te *securefile.TargetError
	if errors.As(err, &te) {
		return fmt.Errorf("cannot write the report to %s: %s", te.Path, te.Reason)
	}
	return fmt.Errorf("cannot write the report to %s: %w", path, err)
}
