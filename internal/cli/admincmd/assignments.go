package admincmd

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/ssoctl/ssoctl/internal/assignments"
	"github.com/ssoctl/ssoctl/internal/awsclient"
	"github.com/ssoctl/ssoctl/internal/cli/factory"
	"github.com/ssoctl/ssoctl/internal/inventory"
	"github.com/ssoctl/ssoctl/internal/iostreams"
	"github.com/ssoctl/ssoctl/internal/render"
)

type assignmentsOptions struct {
	IO        *iostreams.IOStreams
	Clients   func(context.Context) (*awsclient.Set, error)
	CachePath string

	Format      string
	InstanceArn string
	Spec        assignments.FilterSpec
	Filter      *assignments.Filter
}

// NewAssignmentsCmd returns `ssoctl admin assignments`. runF replaces the
// run function in tests.
func NewAssignmentsCmd(f *factory.Factory, runF func(context.Context, *assignmentsOptions) error) *cobra.Command {
	opts := &assignmentsOptions{IO: f.IOStreams, Clients: f.Clients, CachePath: inventory.DefaultNameCachePath()}
	cmd := &cobra.Command{
		Use:   "assignments",
		Short: "List every account assignment, with names, filtered by account, OU, permission set or principal",
		Long: `List raw account assignments: one row per principal × permission set × account,
groups not expanded (use ssoctl audit or ssoctl access for effective access).

The columns are aws-sso-util's, in its order, then more:
  instance_arn, principal_type, principal_id, principal_name,
  permission_set_arn, permission_set_name, target_type, target_id, target_name,
  account_status, ou, ou_id
principal_name is empty for a principal deleted since it was assigned.

Filters. Each flag can be repeated; the values of one flag are alternatives
(OR) and different flags must all hold (AND), except --user and --group,
which together choose principals of either kind:
  -a, --account ID          account id (12 digits)
      --account-name REGEX  regular expression searched in the account name
      --ou OU               OU or root id, path (Workloads/Prod) or unique name;
                            with --ou-recursive also the accounts of child OUs
  -p, --permission-set PS   ARN, ssoins-…/ps-… or ps-… id, or a regular
                            expression searched in the permission-set name
  -u, --user USER           user id, or regular expression searched in the user name
  -g, --group GROUP         group id, or regular expression searched in the group name
A regular expression matches anywhere in the name: anchor it (^bob\.smith$)
for an exact match. It never matches a principal whose name is unknown.

How it reads. Discovery is bulk and concurrent (the organization tree, the
permission sets with names from the cache that admin lookup keeps, all users
and groups). Then the assignments of every provisioned (account, permission
set) pair of the selected accounts and permission sets are listed
concurrently; with --user or --group, just those principals' assignments are
listed instead, which is far fewer calls. Calls stay under AWS's quotas;
throttling is retried. Items that keep failing are listed on stderr and in
JSON, the rest is written, and the exit code is 3.

Output is CSV unless stdout is a terminal (then a table); -o csv|json|table.
A summary with the number of API calls goes to stderr.`,
		Example: `  # everything, as CSV
  ssoctl admin assignments > assignments.csv

  # one account, by id, or every payments account
  ssoctl admin assignments --account 123456789012
  ssoctl admin assignments --account-name '^payments-'

  # all accounts under Workloads, nested OUs included
  ssoctl admin assignments --ou Workloads --ou-recursive -o table

  # who holds AdministratorAccess or SecurityAdmin, directly or through a group
  ssoctl admin assignments -p '^AdministratorAccess$' -p SecurityAdmin

  # the assignments of two principals only (few calls)
  ssoctl admin assignments -u '^alice\.johnson$' -g platform-admins`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			format, err := f.OutputFormat([]string{"csv", "json", "table"}, "table", "csv")
			if err != nil {
				return err
			}
			opts.Format = format
			if opts.Spec.OURecursive && len(opts.Spec.OUs) == 0 {
				return factory.Usagef("--ou-recursive needs --ou")
			}
			if opts.Filter, err = assignments.CompileFilter(opts.Spec); err != nil {
				return &factory.UsageError{Err: err}
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runAssignments(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringSliceVarP(&opts.Spec.Accounts, "account", "a", nil, "only this account `ID` (12 digits; repeatable, or comma-separated)")
	fl.StringArrayVar(&opts.Spec.AccountNames, "account-name", nil, "only accounts whose name matches this `REGEX` (repeatable)")
	fl.StringArrayVar(&opts.Spec.OUs, "ou", nil, "only accounts directly under this `OU` (id, path or name; repeatable)")
	fl.BoolVar(&opts.Spec.OURecursive, "ou-recursive", false, "with --ou, also the accounts of child OUs")
	fl.StringArrayVarP(&opts.Spec.PermissionSets, "permission-set", "p", nil, "only this permission set `PS`: ARN, ssoins-…/ps-… or ps-… id, or a regular expression searched in the name (repeatable)")
	fl.StringArrayVarP(&opts.Spec.Users, "user", "u", nil, "only this `USER`: id, or a regular expression searched in the user name (repeatable)")
	fl.StringArrayVarP(&opts.Spec.Groups, "group", "g", nil, "only this `GROUP`: id, or a regular expression searched in the group name (repeatable)")
	fl.StringVar(&opts.InstanceArn, "instance-arn", "", "the Identity Center instance `ARN` (needed only when there are several)")
	return cmd
}

func runAssignments(ctx context.Context, opts *assignmentsOptions) error {
	start := time.Now()
	set, err := opts.Clients(ctx)
	if err != nil {
		return err
	}
	clients := inventory.Clients{SSOAdmin: set.SSOAdmin(), IdentityStore: set.IdentityStore(), Organizations: set.Organizations()}
	cache := inventory.OpenNameCache(opts.CachePath)

	var (
		rows   render.Rows
		stream *render.JSONStream
	)
	if opts.Format == "json" {
		stream = render.NewJSONStream(opts.IO.Out, "assignments")
	} else {
		rows, _ = render.NewRows(opts.IO.Out, opts.Format)
		if err := rows.Header(assignmentColumns); err != nil {
			return err
		}
	}
	prog := render.NewProgress(opts.IO.ErrOut, opts.IO.IsStderrTTY())
	res, err := assignments.ListNamed(ctx, clients, assignments.NamedOptions{InstanceArn: opts.InstanceArn, Filter: opts.Filter, Cache: cache, Progress: prog.Update},
		func(a assignments.Row) error {
			if stream != nil {
				return stream.Item(a)
			}
			return rows.Row(assignmentValues(a))
		})
	prog.Done()
	if err != nil {
		return factory.Explain(err, "list assignments")
	}
	factory.SaveNameCache(opts.IO.ErrOut, cache)
	calls := set.Stats()
	elapsed := time.Since(start)
	if stream != nil {
		err = stream.End(
			render.Member{Key: "errors", Value: res.Errors},
			render.Member{Key: "notes", Value: nonNil(res.Notes)},
			render.Member{Key: "stats", Value: map[string]any{
				"instance": res.Instance, "method": methodName(res.Method), "rows": res.Rows,
				"accounts": res.Accounts, "permissionSets": res.PermissionSets,
				"provisionedPairs": res.Pairs, "principals": res.Principals,
				"apiCalls": calls.Total(), "throttledRetries": calls.TotalThrottled(), "callsByOperation": calls.Calls,
				"seconds": elapsed.Seconds(),
			}},
		)
	} else {
		err = rows.Flush()
	}
	if err != nil {
		return fmt.Errorf("write assignments: %w", err)
	}
	summarize(opts.IO.ErrOut, res, calls, elapsed)
	if len(res.Errors) > 0 {
		return &factory.PartialError{Err: fmt.Errorf("%d item(s) failed; the other assignments were written", len(res.Errors))}
	}
	return nil
}

func summarize(w io.Writer, res *assignments.NamedResult, calls awsclient.CallStats, elapsed time.Duration) {
	for _, e := range res.Errors {
		fmt.Fprintf(w, "error: %s: %s\n", e.Item, e.Error)
	}
	for _, n := range res.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	how := "listed per provisioned (account, permission set) pair: " + plural(res.Pairs, "pair")
	if res.Method == assignments.ByPrincipal {
		how = "listed per principal: " + plural(res.Principals, "principal")
	}
	fmt.Fprintf(w, "assignments: %s, %s; %s, %s; %s; %s, %d throttled retries, %.1fs\n",
		plural(res.Rows, "row"), plural(len(res.Errors), "error"), plural(res.Accounts, "account"), plural(res.PermissionSets, "permission set"),
		how, plural(calls.Total(), "API call"), calls.TotalThrottled(), elapsed.Seconds())
}

// plural is "1 row", "2 rows".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// assignmentColumns are the CSV and table columns, aws-sso-util's first.
var assignmentColumns = []string{
	"instance_arn", "principal_type", "principal_id", "principal_name",
	"permission_set_arn", "permission_set_name", "target_type", "target_id", "target_name",
	"account_status", "ou", "ou_id",
}

// assignmentValues are a row's cells in assignmentColumns order.
func assignmentValues(a assignments.Row) []string {
	return []string{a.InstanceArn, a.PrincipalType, a.PrincipalId, a.PrincipalName,
		a.PermissionSetArn, a.PermissionSetName, a.TargetType, a.TargetId, a.TargetName,
		a.AccountStatus, a.OU, a.OUId}
}

// methodName is the method as this command's JSON has always named it.
func methodName(m assignments.Method) string {
	if m == assignments.ByPermissionSet {
		return "account-permission-set"
	}
	return string(m)
}
