// Package admincmd is `ssoctl admin`: ids and ARNs looked up by name
// (lookup), and every raw assignment, filtered (assignments).
package admincmd

import (
	"github.com/spf13/cobra"

	"github.com/ssoctl/ssoctl/internal/cli/factory"
)

// NewCmd returns `ssoctl admin` and its subcommands.
func NewCmd(f *factory.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "admin",
		Short: "Look up Identity Center ids by name and list assignments",
		Long: `Administration helpers for IAM Identity Center, a superset of aws-sso-util's
admin lookup and admin assignments.`,
		Example: `  ssoctl admin lookup user alice.johnson bob.smith --sandbox
  ssoctl admin assignments --account-name '^payments-' --sandbox`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(NewLookupCmd(f, nil), NewAssignmentsCmd(f, nil))
	return cmd
}
