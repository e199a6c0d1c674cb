// Package admin is `ssoctl admin`: ids and ARNs looked up by name
// (lookup), and every raw assignment, filtered (assignments).
package admin

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ssoctl/ssoctl/internal/cli/factory"
	"github.com/ssoctl/ssoctl/internal/inventory"
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

// describe turns whole-command failures into what to do about them.
func describe(err error, what string) error {
	msg := err.Error()
	switch {
	case errors.Is(err, inventory.ErrNotFound), errors.Is(err, inventory.ErrNoInstance), errors.Is(err, inventory.ErrManyInstances):
		return err
	case strings.Contains(msg, "failed to retrieve credentials"), strings.Contains(msg, "no EC2 IMDS role found"), strings.Contains(msg, "failed to refresh cached credentials"):
		return errors.New("no AWS credentials found: set AWS_PROFILE or --profile, sign in with `ssoctl login`, or try --sandbox")
	}
	return fmt.Errorf("%s: %w", what, err)
}

// saveCache writes the permission-set name cache; failing to is only worth
// a warning, as the next run describes the sets again.
func saveCache(w io.Writer, c *inventory.NameCache) {
	if err := c.Save(); err != nil {
		fmt.Fprintf(w, "warning: %v\n", err)
	}
}
