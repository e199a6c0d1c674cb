package admincmd

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/ssoctl/ssoctl/internal/assignments/list"
	"github.com/ssoctl/ssoctl/internal/awsclient"
	"github.com/ssoctl/ssoctl/internal/cli/factory"
	"github.com/ssoctl/ssoctl/internal/cli/views"
	"github.com/ssoctl/ssoctl/internal/inventory"
	"github.com/ssoctl/ssoctl/internal/iostreams"
	"github.com/ssoctl/ssoctl/internal/render"
)

type assignmentsOptions struct {
	IO        *iostreams.IOStreams
	Clients   func(context.Context) (*awsclient.Set, error)
	CachePath string

	Format      string
	Rows        render.RowsOptions
	InstanceArn string
	Spec        list.FilterSpec
	Filter      *list.Filter
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
listed instead, which is far fewer calls, and for a few principals without
account filters only the accounts and OUs their assignments name are read
(the organization tree is not walked). A filter value that matches nothing
is noted on stderr. Calls stay under AWS's quotas;
throttling is retried. Items that keep failing are listed on stderr and in
JSON, the rest is written, and the exit code is 3.

Output is CSV unless stdout is a terminal (then a table); -o csv|json|table.
A summary with the number of API calls goes to stderr.`,
		Example: `  # everything, as CSV
  ssoctl admin assignments > list.csv

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
			format, err := f.CommandFormat(cmd, "table", "csv")
			if err != nil {
				return err
			}
			opts.Format, opts.Rows = format, f.RowsOptions()
			if opts.Spec.OURecursive && len(opts.Spec.OUs) == 0 {
				return factory.Usagef("--ou-recursive needs --ou")
			}
			if opts.Filter, err = list.CompileFilter(opts.Spec); err != nil {
				return &factory.UsageError{Err: filterFlagError(err)}
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
	factory.SetOutputs(cmd, "csv", "json", "table")
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

	view, err := views.NewAssignments(opts.Format, opts.IO.Out, opts.Rows)
	if err != nil {
		return err
	}
	prog := render.NewProgress(opts.IO.ErrOut, opts.IO.IsStderrTTY())
	res, err := list.ListNamed(ctx, clients, list.NamedOptions{InstanceArn: opts.InstanceArn, Filter: opts.Filter, Cache: cache, Progress: prog.Update}, view.Row)
	prog.Done()
	if err != nil {
		err = factory.Explain(err, "list assignments")
		_ = view.Abort(err) // no partial document on stdout
		return err
	}
	factory.SaveNameCache(opts.IO.ErrOut, cache)
	report := views.NewAssignmentsReport(res, views.NewCallStats(set.Stats(), time.Since(start)))
	if err := view.End(report); err != nil {
		return fmt.Errorf("write assignments: %w", err)
	}
	views.AssignmentsSummary(opts.IO.ErrOut, report)
	views.CSVNote(opts.IO.ErrOut, view.Changed())
	if len(res.Errors) > 0 {
		return &factory.PartialError{Err: fmt.Errorf("%d item(s) failed; the other assignments were written", len(res.Errors))}
	}
	return nil
}

// filterFlags are the flags that fill each field of the filter.
var filterFlags = map[list.FilterField]string{
	list.FieldAccount:       "--account",
	list.FieldAccountName:   "--account-name",
	list.FieldPermissionSet: "--permission-set",
	list.FieldUser:          "--user",
	list.FieldGroup:         "--group",
}

// filterFlagError words a filter error as the flag that was given.
func filterFlagError(err error) error {
	var fe *list.FilterError
	if !errors.As(err, &fe) {
		return err
	}
	flag := filterFlags[fe.Field]
	if fe.Err == nil {
		return fmt.Errorf("%s takes 12-digit account ids, not %q (use --account-name for names)", flag, fe.Value)
	}
	return fmt.Errorf("%s %q is not a valid regular expression: %w", flag, fe.Value, fe.Err)
}
