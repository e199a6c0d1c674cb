package accesscmd

import (
	"context"
	"github.com/ssoctl/ssoctl/internal/activity"

	"github.com/spf13/cobra"

	"github.com/ssoctl/ssoctl/internal/access"
	"github.com/ssoctl/ssoctl/internal/audit"
	"github.com/ssoctl/ssoctl/internal/cli/factory"
	"github.com/ssoctl/ssoctl/internal/cli/views"
	"github.com/ssoctl/ssoctl/internal/inventory"
	"github.com/ssoctl/ssoctl/internal/orgconfig"
)

type accountOptions struct {
	common
	Account string
	// settings loads the org settings (--org-config); with them the
	// answer adds the review (access.Review).
	settings func() (*orgconfig.Config, error)
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
empty), SUSPENDED_ACCOUNT (the account is suspended or closing), and with
org settings PRIVILEGED (the permission set is privileged).

With org settings (--org-config, else $SSOCTL_ORG_CONFIG, else
~/.config/ssoctl/org.yaml when it exists) the answer is also an access
review: the account's OU path (ListParents up to the root, one
DescribeOrganizationalUnit per OU), whether the settings' production: names
it or an OU above it, and which of its permission sets are privileged (the
settings' privileged: rule: AdministratorAccess and IAMFullAccess by name,
and, unless privileged.policies is false, inline policies allowing * or
iam:* and the AWS managed AdministratorAccess or IAMFullAccess: two calls per
permission set). Rows of privileged permission sets are flagged PRIVILEGED;
in a production account they come first. A note on stderr (JSON: "review")
says where the account is and who has privileged access to it.

It makes tens of calls, not a scan: the account (DescribeAccount for an id,
ListAccounts for a name), ListPermissionSetsProvisionedToAccount, one
ListAccountAssignments per provisioned permission set, the assigned groups'
members, and the names of just the principals seen (from ListUsers and
ListGroups or one Describe each, whichever is fewer calls).

Output is a table on a terminal and CSV otherwise; -o json adds the account.
An unknown account exits with status 1.`,
		Example: `  ssoctl access account payments-prod
  ssoctl access account 123456789012 -o csv > payments-prod-access.csv
  ssoctl access account payments-prod --org-config org.yaml   # PRIVILEGED rows first if it is production`,
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
	var orgConfig string
	cmd.Flags().StringVar(&orgConfig, "org-config", "", "org settings `file` whose privileged: and production: make the answer an access review (else $SSOCTL_ORG_CONFIG, else ~/.config/ssoctl/org.yaml when it exists)")
	opts.settings = func() (*orgconfig.Config, error) { return f.OrgSettings(orgConfig, false) }
	return cmd
}

func runAccount(ctx context.Context, opts *accountOptions) error {
	var settings *orgconfig.Config
	if opts.settings != nil {
		var err error
		if settings, err = opts.settings(); err != nil {
			return err
		}
	}
	return ask(ctx, opts.common, "access account",
		func(ctx context.Context, c inventory.Clients, cache *inventory.NameCache) (*access.AccountAccess, error) {
			res, err := access.ForAccount(ctx, c, opts.InstanceArn, opts.Account, cache)
			if err != nil {
				return res, err
			}
			last, err := knownLastUses(ctx, opts.common, res.Instance.Arn)
			if err != nil {
				return nil, err
			}
			for i, r := range res.Rows {
				if t, ok := last[activity.UseKey{UserId: r.UserId, AccountId: res.Account.Id, RoleName: r.PermissionSet}]; ok && r.UserId != "" {
					res.Rows[i].LastUsed = &t
				}
			}
			if settings == nil {
				return res, nil
			}
			// The SDK's sso-admin client reads policies too.
			policies, _ := c.SSOAdmin.(audit.PolicyReader)
			return res, access.Review(ctx, c, policies, settings, res)
		},
		views.NewAccountAccess(opts.Format, opts.IO.Out, opts.IO.ErrOut, opts.Rows).Show)
}
