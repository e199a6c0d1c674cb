package eachcmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/ssoctl/ssoctl/internal/childenv"
	"github.com/ssoctl/ssoctl/internal/cli/factory"
	"github.com/ssoctl/ssoctl/internal/cli/views"
	"github.com/ssoctl/ssoctl/internal/each"
	"github.com/ssoctl/ssoctl/internal/iostreams"
)

type eachOptions struct {
	IO       *iostreams.IOStreams
	Source   signIn
	Prompter factory.Prompter
	Filter   each.Filter
	Environ  func() []string
	Argv     []string

	Parallel  int
	Canary    int
	Threshold int
	DryRun    bool
	Yes       bool
	JSON      bool
	Grace     time.Duration
}

// NewCmd returns `ssoctl each`. runF replaces the run function in tests.
func NewCmd(f *factory.Factory, runF func(context.Context, *eachOptions) error) *cobra.Command {
	opts := &eachOptions{IO: f.IOStreams, Prompter: f.Prompter, Environ: os.Environ}
	var (
		ff         filterFlags
		signIn     factory.SignInFlags
		regions    []string
		assumeRole string
	)
	cmd := &cobra.Command{
		Use:   "each [--role R] [--account ID|NAME…] [--account-name RE] [--exclude X…] [--region R…] -- COMMAND [ARG...]",
		Short: "Run a command in every account and role you can use (fan-out)",
		Long: `Run COMMAND once per matching account and role (and once per --region), each
run with that role's credentials in its environment: AWS_ACCESS_KEY_ID,
AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_CREDENTIAL_EXPIRATION,
SSOCTL_ACCOUNT_ID, SSOCTL_ACCOUNT_NAME, SSOCTL_ROLE_NAME, and with --region
(or the profile's region) AWS_REGION and AWS_DEFAULT_REGION. AWS_PROFILE,
AWS_DEFAULT_PROFILE and AWS_SECURITY_TOKEN are removed, so the command's
AWS CLI or SDK uses these credentials instead of resolving a profile.

The accounts and roles are those of one sign-in (named as for ` + "`ssoctl login`" + `),
filtered by --role (a name, or a regular expression matching the whole name),
--account (ids or exact names), --account-name (a regular expression) and --exclude (an account
id, or a regular expression on account names). Runs are sorted by account
name, account id, role and region.

Up to --parallel runs go at once; role credentials are fetched once per
account and role whatever the regions (from the role-credential cache the
AWS CLI shares when they are there), under the portal's rate limit. A failing
run never stops the others: at the end a summary goes to stderr, and ssoctl
exits 3 if any run failed. Nor does an account whose roles cannot be listed
(the portal refuses it, say): it is reported in one line (and with -o json
as a line with its error), the others run, and ssoctl exits 3.

Output: on a terminal each line comes as it is written, after its account,
role and region; otherwise each run's stdout and stderr are written whole,
run after run in order, so the output is the same every time. -o json gives
one JSON object a line per run (accountId, accountName, roleName, region,
exitCode, stdout, stderr, durationSeconds, error, interrupted).

Stopping: at Ctrl-C or SIGTERM no new run starts, and the signal is passed
on to every running command (to its process group: each command runs in
one of its own), so that its own clean-up runs. Commands still running
after --grace (10s) are killed, or at once at a second Ctrl-C. Every run
stopped or not started is reported as interrupted, and ssoctl exits 130.

--assume-role NAME hops, in each account, from the selected Identity Center
role into the IAM role NAME of that same account (sts AssumeRole, as a role
chain does; the role's trust policy must allow it), for organization-wide
work with a role that is not an Identity Center one: the run's credentials
and SSOCTL_ROLE_NAME are NAME's. An account where the role cannot be assumed
fails on its own (exit 3 at the end). With --profile naming a role chain,
each uses the sign-in the chain starts from, and the profile's region.

Safety: --dry-run lists the runs and stops (no credentials are fetched).
Touching more than --threshold accounts needs a yes on a terminal, or --yes
without one (else exit 2). --canary N runs the first N first, and the rest
only if they all succeeded (and, on a terminal, after a yes).

Without a usable token ssoctl exits 4 and says which ` + "`ssoctl login`" + ` to run,
unless --login.`,
		Example: `  ssoctl each --role ReadOnlyAccess -- aws sts get-caller-identity
  ssoctl each --account-name '^payments-' --region us-east-1 --region eu-west-1 -- aws s3 ls
  ssoctl each --role Admin.* --exclude '-prod$' --canary 2 --yes -- ./cleanup.sh
  ssoctl each --dry-run --role ReadOnlyAccess -- true
  ssoctl each --role Developer --assume-role DeployRole -- aws sts get-caller-identity`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			format, err := f.CommandFormat(cmd, "text", "text")
			if err != nil {
				return err
			}
			if err := checkParallel(opts.Parallel); err != nil {
				return err
			}
			if opts.Canary < 0 || opts.Threshold < 0 {
				return factory.Usagef("--canary and --threshold cannot be negative")
			}
			if opts.Grace <= 0 {
				return factory.Usagef("--grace must be positive, not %s", opts.Grace)
			}
			opts.JSON = format == "json"
			opts.Filter = ff.filter()
			opts.Filter.Regions = regions
			opts.Source = newSignIn(f, signIn)
			if assumeRole != "" && !validRoleName(assumeRole) {
				return factory.Usagef("--assume-role: %q is not an IAM role name (letters, digits and _+=,.@-, at most 64)", assumeRole)
			}
			opts.Source.AssumeRole = assumeRole
			opts.Argv = args
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runEach(cmd.Context(), opts)
		},
	}
	// Flags after COMMAND are COMMAND's own.
	cmd.Flags().SetInterspersed(false)
	ff.add(cmd)
	fl := cmd.Flags()
	// This --region hides the global one: here it may be repeated.
	fl.StringSliceVar(&regions, "region", nil, "run once in each `REGION` (repeat, or separate with commas; default: the profile's region, if any)")
	fl.IntVar(&opts.Parallel, "parallel", defaultParallel, "run at most `N` at once")
	fl.IntVar(&opts.Canary, "canary", 0, "run the first `N` first; go on only if they all succeed")
	fl.IntVar(&opts.Threshold, "threshold", 10, "ask (or without a terminal, require --yes) above `N` accounts")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "list the runs and stop")
	fl.BoolVarP(&opts.Yes, "yes", "y", false, "do not ask: go ahead whatever the number of accounts")
	fl.StringVar(&assumeRole, "assume-role", "", "in each account, assume the IAM role `NAME` from the selected role and run as it")
	fl.DurationVar(&opts.Grace, "grace", each.DefaultGrace, "after Ctrl-C or SIGTERM, give running commands this `DURATION` to finish before killing them")
	factory.AddSignInFlags(cmd, &signIn, factory.AllSignInFlags)
	factory.SetOutputs(cmd, "text", "json")
	return cmd
}

func runEach(ctx context.Context, opts *eachOptions) error {
	ios := opts.IO
	format := "text"
	if opts.JSON {
		format = "json"
	}
	fd, err := opts.Source.list(ctx, opts.Filter, opts.Parallel, true)
	if fd != nil {
		// Accounts whose roles could not be listed: the others go on,
		// and ssoctl exits 3 at the end.
		views.EachUnlisted(format, ios.Out, ios.ErrOut, fd.unlistedViews())
	}
	if err != nil {
		return err
	}
	targets := fd.targets
	accounts := each.Accounts(targets)
	if opts.DryRun {
		if err := views.EachDryRun(format, ios.Out, ios.ErrOut, targets); err != nil {
			return err
		}
		return fd.unlistedError("")
	}
	if _, err := exec.LookPath(opts.Argv[0]); err != nil {
		// Not found: 127; not executable: 126, as shells exit.
		return childenv.StartFailure(opts.Argv[0], err)
	}

	ask := opts.Prompter
	if ios.IsStderrTTY() {
		views.EachStarting(ios.ErrOut, quoteArgv(opts.Argv), accounts, len(targets), opts.Parallel)
	}
	if accounts > opts.Threshold && !opts.Yes {
		if !ios.CanPrompt() {
			return factory.Usagef("this would run %s in %s, more than --threshold %d: pass --yes to go ahead (--dry-run lists them)", quoteArgv(opts.Argv), plural(accounts, "account"), opts.Threshold)
		}
		ok, err := ask.Confirm(fmt.Sprintf("Run it in %s? [y/N] ", plural(accounts, "account")))
		if err != nil {
			return err
		}
		if !ok {
			return cancelled(ios, "Cancelled: nothing was run.")
		}
	}

	// Ctrl-C and SIGTERM stop the runs as each.Run says (passed on to the
	// commands, a grace period, killed at a second one), not by ctx, which
	// the first one also ends.
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	if err := ctx.Err(); err != nil {
		return err
	}
	start := time.Now()
	out := views.NewEach(format, ios.Out, ios.ErrOut, ios.IsStdoutTTY(), targets)
	run := func(ts []each.Target) {
		each.Run(context.WithoutCancel(ctx), fd.client, ts, each.Options{
			Command: opts.Argv,
			Env:     opts.Environ(),
			Line:    out.Lines(),
			Stop:    sigs,
			Grace:   opts.Grace,

			AssumedRole: opts.Source.AssumeRole,
		}, out.Result)
	}
	first, rest := targets, []each.Target(nil)
	if opts.Canary > 0 && opts.Canary < len(targets) {
		first, rest = targets[:opts.Canary], targets[opts.Canary:]
	}
	run(first)
	if _, _, stopped := out.Counts(); stopped > 0 || ctx.Err() != nil {
		out.Summary(time.Since(start))
		return interrupted(out, len(rest))
	}
	if len(rest) > 0 {
		if _, failed, _ := out.Counts(); failed > 0 {
			out.Summary(time.Since(start))
			msg := fmt.Sprintf("the canary failed (%d of %d): the other %s were skipped", failed, len(first), plural(len(rest), "run"))
			if err := fd.unlistedError(msg); err != nil {
				return err
			}
			return &factory.PartialError{Err: errors.New(msg)}
		}
		if ios.CanPrompt() && !opts.Yes {
			ok, err := ask.Confirm(fmt.Sprintf("The canary succeeded (%s). Run the other %d? [y/N] ", plural(len(first), "run"), len(rest)))
			if err != nil {
				return err
			}
			if !ok {
				out.Summary(time.Since(start))
				return cancelled(ios, fmt.Sprintf("Cancelled: the other %s were not run.", plural(len(rest), "run")))
			}
		}
		run(rest)
		if _, _, stopped := out.Counts(); stopped > 0 || ctx.Err() != nil {
			out.Summary(time.Since(start))
			return interrupted(out, 0)
		}
	}
	out.Summary(time.Since(start))
	if ok, failed, _ := out.Counts(); failed > 0 {
		msg := fmt.Sprintf("%d of %s failed", failed, plural(ok+failed, "run"))
		if err := fd.unlistedError(msg); err != nil {
			return err
		}
		return &factory.PartialError{Err: errors.New(msg)}
	}
	return fd.unlistedError("")
}

// interrupted is runEach's error after a stop signal: context.Canceled,
// which the root reports as an interruption (exit 130).
func interrupted(o *views.Each, skipped int) error {
	ok, failed, stopped := o.Counts()
	msg := fmt.Sprintf("%d of %s interrupted", stopped, plural(ok+failed+stopped, "run"))
	if skipped > 0 {
		msg += fmt.Sprintf("; the other %s were not started", plural(skipped, "run"))
	}
	return fmt.Errorf("%s: %w", msg, context.Canceled)
}

// cancelled reports a no at a prompt (exit 1).
func cancelled(ios *iostreams.IOStreams, msg string) error {
	views.Said(ios.ErrOut, msg)
	return factory.Reported(errors.New("cancelled at the prompt"))
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// quoteArgv shows a command line for people.
func quoteArgv(argv []string) string {
	q := make([]string, len(argv))
	for i, a := range argv {
		if a == "" || strings.ContainsAny(a, " \t\n'\"\\$`") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		q[i] = a
	}
	s := strings.Join(q, " ")
	if len(s) > 60 {
		s = s[:57] + "…"
	}
	return "`" + s + "`"
}
