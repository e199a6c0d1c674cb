package accesscmd

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/ssoctl/ssoctl/internal/access"
	"github.com/ssoctl/ssoctl/internal/cli/factory"
	"github.com/ssoctl/ssoctl/internal/cli/views"
	"github.com/ssoctl/ssoctl/internal/inventory"
)

type accountOptions struct {
	common
	Account string
}

// NewAccountCmd returns `ssoctl access account`. runF replaces the run
// function in tests.
func NewAccountCmd(f *factory.Factory, runF func(context.Context, *accountOptions) error) *cobra.Command {
	opts := &accountOptions{common: newCommon(f)}
	cmd := &cobra.Command{
		Use:   "account ID|NAME",
		Short: "Who can reach one account, and how",
		Long: `List everyone who can reach one account: per permission set, each assigned
user ("direct") and each member of each assigned group ("group:<name>"); a
group without members gives one row with no user.

Columns: permission_set, principal_type, principal_id, principal_name, user,
path, flags. Flags: DISABLED_USER (a disabled user still assigned),
ORPHANED_PRINCIPAL (the assigned user or group was deleted; its name is
empty), SUSPENDED_ACCOUNT (the account is suspended or closing).

It makes tens of calls, not a scan: the account (DescribeAccount for an id,
ListAccounts for a name), ListPermissionSetsProvisionedToAccount, one
ListAccountAssignments per provisioned permission set, the assigned groups'
members, and the names of just the principals seen (from ListUsers and
ListGroups or one Describe each, whichever is fewer calls).

Output is a table on a terminal and CSV otherwise; -o json adds the account.
An unknown account exits with status 1.`,
		Example: `  ssoctl access account payments-prod
  ssoctl access account 123456789012 -o csv > payments-prod-access.csv`,
		Args: oneArg("account id or name", "ssoctl access account payments-prod"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.format(f, cmd); err != nil {
				return err
			}
			opts.Account = args[0]
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runAccount(cmd.Context(), opts)
		},
	}
	opts.flags(cmd)
	return cmd
}

func runAccount(ctx context.Context, opts *accountOptions) error {
	return ask(ctx, opts.common, "access account",
		func(ctx context.Context, c inventory.Clients, cache *inventory.NameCache) (*access.AccountAccess, error) {
			return access.ForAccount(ctx, c, opts.InstanceArn, opts.Account, cache)
		},
		views.NewAccountAccess(opts.Format, opts.IO.Out, opts.IO.ErrOut, opts.Rows).Show)
}
