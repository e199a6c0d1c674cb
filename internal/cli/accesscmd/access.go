// Package accesscmd is `ssoctl access`: targeted questions answered in tens
// of calls, without an audit's full scan — what one person can reach and
// through which group, and who can reach one account and how.
package accesscmd

import (
	"context"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ssoctl/ssoctl/internal/awsclient"
	"github.com/ssoctl/ssoctl/internal/cli/factory"
	"github.com/ssoctl/ssoctl/internal/cli/views"
	"github.com/ssoctl/ssoctl/internal/inventory"
	"github.com/ssoctl/ssoctl/internal/iostreams"
	"github.com/ssoctl/ssoctl/internal/render"
)

// NewCmd returns `ssoctl access` and its subcommands.
func NewCmd(f *factory.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "access",
		Short: "Who can reach what: one user's access, or one account's",
		Long: `Answer one access question quickly, with a few dozen API calls instead of a
full audit: what one person can reach and through which group (access user),
or who can reach one account and how (access account).`,
		Example: `  ssoctl access user alice.johnson --sandbox
  ssoctl access account payments-prod --sandbox`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(NewUserCmd(f, nil), NewAccountCmd(f, nil), NewUnusedCmd(f, nil))
	return cmd
}

// common are the options both questions share.
type common struct {
	IO      *iostreams.IOStreams
	Clients func(context.Context) (*awsclient.Set, error)
	// CachePath is the permission-set name cache ("" keeps it in memory).
	CachePath string

	Format      string
	Rows        render.RowsOptions
	InstanceArn string
}

func newCommon(f *factory.Factory) common {
	return common{IO: f.IOStreams, Clients: f.Clients, CachePath: inventory.DefaultNameCachePath()}
}

// flags adds what both questions take: the instance flag and the -o
// formats (one declaration, which format reads back).
func (c *common) flags(cmd *cobra.Command) {
	cmd.Flags().StringVar(&c.InstanceArn, "instance-arn", "", "the Identity Center instance `ARN` (needed only when there are several)")
	factory.SetOutputs(cmd, "table", "csv", "json")
}

// format checks -o against the formats cmd declared (table, csv, json).
func (c *common) format(f *factory.Factory, cmd *cobra.Command) error {
	format, err := f.CommandFormat(cmd, "table", "csv")
	c.Format, c.Rows = format, f.RowsOptions()
	return err
}

func inventoryClients(set *awsclient.Set) inventory.Clients {
	return inventory.Clients{SSOAdmin: set.SSOAdmin(), IdentityStore: set.IdentityStore(), Organizations: set.Organizations()}
}

// oneArg wants exactly one argument, saying what it is when it is missing.
func oneArg(what, example string) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		if len(args) != 1 {
			return factory.Usagef("need exactly one %s, e.g. %s (got %d arguments)", what, example, len(args))
		}
		if strings.TrimSpace(args[0]) == "" {
			return factory.Usagef("the %s must not be empty", what)
		}
		return nil
	}
}

// ask answers one access question and shows the answer through show.
func ask[T any](ctx context.Context, c common, what string,
	question func(context.Context, inventory.Clients, *inventory.NameCache) (T, error),
	show func(T, views.CallStats) error,
) error {
	start := time.Now()
	set, err := c.Clients(ctx)
	if err != nil {
		return err
	}
	cache := inventory.OpenNameCache(c.CachePath)
	res, err := question(ctx, inventoryClients(set), cache)
	if err != nil {
		return factory.Explain(err, what)
	}
	factory.SaveNameCache(c.IO.ErrOut, cache)
	return show(res, views.NewCallStats(set.Stats(), time.Since(start)))
}
