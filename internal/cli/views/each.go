package views

import (
	"fmt"
	"io"
	"time"

	"github.com/ssoctl/ssoctl/internal/each"
	"github.com/ssoctl/ssoctl/internal/render"
)

// Each renders `ssoctl each` as its runs end: on a terminal each line as
// it is written, after its account, role and region; otherwise each run's
// stdout and stderr whole, run after run in order; or (-o json) one JSON
// object a line per run. Failures and the counts go to stderr at the end.
type Each struct {
	out, errOut io.Writer
	json        bool
	live        bool // stream prefixed lines as they are written
	prefixer    *render.Prefixer
	ok          int
	failed      int
	interrupted int
	failures    []string
}

// NewEach returns the view of `ssoctl each` over targets, for format text
// or json; live output needs stdout to be a terminal.
func NewEach(format string, out, errOut io.Writer, stdoutTTY bool, targets []each.Target) *Each {
	v := &Each{out: out, errOut: errOut, json: format == "json"}
	v.live = !v.json && stdoutTTY
	if v.live {
		labels := make([]string, len(targets))
		for i, t := range targets {
			labels[i] = t.Label()
		}
		v.prefixer = render.NewPrefixer(labels)
	}
	return v
}

// Lines is each.Options.Line: nil unless the output is live.
func (v *Each) Lines() func(each.Target, string, []byte) {
	if !v.live {
		return nil
	}
	return func(t each.Target, stream string, line []byte) {
		w := v.out
		if stream == "stderr" {
			w = v.errOut
		}
		v.prefixer.Line(w, t.Label(), line)
	}
}

// Result takes each run's result, in target order, one at a time.
func (v *Each) Result(r each.Result) {
	switch {
	case r.OK():
		v.ok++
	case r.Interrupted:
		v.interrupted++
		v.failures = append(v.failures, "interrupted: "+r.Label()+": "+eachFailure(r))
	default:
		v.failed++
		v.failures = append(v.failures, "failed: "+r.Label()+": "+eachFailure(r))
	}
	switch {
	case v.json:
		if err := render.JSONLine(v.out, r); err != nil {
			fmt.Fprintf(v.errOut, "warning: %v\n", err)
		}
	case v.live:
		if !r.OK() {
			v.prefixer.Line(v.errOut, r.Label(), []byte("✗ "+render.Escape(eachFailure(r))))
		}
	default:
		_, _ = io.WriteString(v.out, r.Stdout)
		_, _ = io.WriteString(v.errOut, r.Stderr)
	}
}

// Counts are the runs that succeeded, failed and were interrupted so far.
func (v *Each) Counts() (ok, failed, interrupted int) { return v.ok, v.failed, v.interrupted }

// Summary writes the failures and the counts on stderr.
func (v *Each) Summary(elapsed time.Duration) {
	for _, f := range v.failures {
		fmt.Fprintln(v.errOut, f)
	}
	counts := fmt.Sprintf("%d ok, %d failed", v.ok, v.failed)
	if v.interrupted > 0 {
		counts += fmt.Sprintf(", %d interrupted", v.interrupted)
	}
	fmt.Fprintf(v.errOut, "%s, %.2f s\n", counts, elapsed.Seconds())
}

// eachFailure says why a run failed.
func eachFailure(r each.Result) string {
	if r.Error != "" {
		return r.Error
	}
	return fmt.Sprintf("exit status %d", r.ExitCode)
}

// EachUnlisted renders the accounts whose roles could not be listed:
// their lines on errOut, and with -o json one line each on out, as a run
// that could not start.
func EachUnlisted(format string, out, errOut io.Writer, unlisted []Unlisted) {
	UnlistedLines(errOut, unlisted, "")
	if format != "json" {
		return
	}
	for _, a := range unlisted {
		_ = render.JSONLine(out, each.Result{Target: each.Target{AccountId: a.AccountID, AccountName: a.AccountName},
			ExitCode: -1, Error: "its roles could not be listed: " + a.Error})
	}
}

// EachDryRun renders the runs `ssoctl each --dry-run` would make: a table,
// or one JSON object a line; then their count on errOut.
func EachDryRun(format string, out, errOut io.Writer, targets []each.Target) error {
	if format == "json" {
		for _, t := range targets {
			if err := render.JSONLine(out, t); err != nil {
				return err
			}
		}
	} else {
		rows, err := render.NewRows(out, "table", render.RowsOptions{})
		if err != nil {
			return err
		}
		if err := rows.Header([]string{"AccountId", "AccountName", "RoleName", "Region"}); err != nil {
			return err
		}
		for _, t := range targets {
			if err := rows.Row([]string{t.AccountId, t.AccountName, t.RoleName, t.Region}); err != nil {
				return err
			}
		}
		if err := rows.Flush(); err != nil {
			return err
		}
	}
	fmt.Fprintf(errOut, "%s in %s; nothing run (--dry-run).\n", plural(len(targets), "run"), plural(each.Accounts(targets), "account"))
	return nil
}

// EachStarting says on a terminal's stderr what is about to run: the
// command (shown quoted), where, and how many at a time.
func EachStarting(w io.Writer, command string, accounts, runs, parallel int) {
	fmt.Fprintf(w, "Running %s in %s (%s, %d at a time).\n", command, plural(accounts, "account"), plural(runs, "run"), parallel)
}

// Said writes one line on w (stderr): a no at a prompt, say.
func Said(w io.Writer, line string) { fmt.Fprintln(w, line) }
