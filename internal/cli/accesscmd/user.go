package accesscmd

import (
	"context"
	"github.com/ssoctl/ssoctl/internal/activity"

	"github.com/spf13/cobra"

	"github.com/ssoctl/ssoctl/internal/access"
	"github.com/ssoctl/ssoctl/internal/cli/factory"
	"github.com/ssoctl/ssoctl/internal/cli/views"
	"github.com/ssoctl/ssoctl/internal/inventory"
)

type userOptions struct {
	common
	User string
}

// NewUserCmd returns `ssoctl access user`. runF replaces the run function
// in tests.
func NewUserCmd(f *factory.Factory, runF func(context.Context, *userOptions) error) *cobra.Command {
	opts := &userOptions{common: newCommon(f)}
	cmd := &cobra.Command{
		Use:   "user NAME",
		Short: "What one person can reach, and through which group",
		Long: `List every account and permission set one user can reach, and the path: "direct"
for an assignment to the user, "group:<name>" for one through a group.

NAME is a user name, an e-mail address or a user id. Flags: SUSPENDED_ACCOUNT
(the account is suspended or closing), DISABLED_USER (the user is disabled
but still assigned), UNKNOWN_ACCOUNT (not in the organization).

It makes a handful of calls, not a scan: GetUserId, DescribeUser,
ListGroupMembershipsForMember, one ListAccountAssignmentsForPrincipal for the
user and one per group, and the names of just the groups, accounts and
permission sets seen (permission-set names from the cache admin lookup keeps).

Output is a table on a terminal and CSV otherwise; -o json adds the user and
all their groups. An unknown user exits with status 1.`,
		Example: `  ssoctl access user alice.johnson
  ssoctl access user bob.smith@example.com -o json | jq '.access[] | select(.path != "direct")'`,
		Args: oneArg("user name", "ssoctl access user alice.johnson"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.format(f, cmd); err != nil {
				return err
			}
			opts.User = args[0]
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runUser(cmd.Context(), opts)
		},
	}
	opts.flags(cmd)
	return cmd
}

func runUser(ctx context.Context, opts *userOptions) error {
	return ask(ctx, opts.common, "access user",
		func(ctx context.Context, c inventory.Clients, cache *inventory.NameCache) (*access.UserAccess, error) {
			res, err := access.ForUser(ctx, c, opts.InstanceArn, opts.User, cache)
			if err != nil {
				return nil, err
			}
			last, err := knownLastUses(ctx, opts.common, res.Instance.Arn)
			for i, r := range res.Rows {
				if t, ok := last[activity.UseKey{UserId: res.User.Id, AccountId: r.AccountId, RoleName: r.PermissionSet}]; ok {
					res.Rows[i].LastUsed = &t
				}
			}
			return res, err
		},
		views.NewUserAccess(opts.Format, opts.IO.Out, opts.IO.ErrOut, opts.Rows).Show)
}
