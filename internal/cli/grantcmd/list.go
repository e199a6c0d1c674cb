package grantcmd

import (
	"context"
	"os"

	"github.com/spf13/cobra"

	"github.com/ssoctl/ssoctl/internal/cli/factory"
	"github.com/ssoctl/ssoctl/internal/grants"
)

type listOptions struct {
	*common
	All bool
}

func newListCmd(c *common, runF func(context.Context, *listOptions) error) *cobra.Command {
	opts := &listOptions{common: c}
	cmd := &cobra.Command{
		Use:   "list [--all]",
		Short: "List the live grants, rebuilt from AWS alone",
		Long: `List the grants that exist in AWS: every permission set ssoctl-jit-<id>,
its tags (who, until when, why, by whom) and on which accounts its
assignment is still there. A grant past its expiry on AWS's clock is
"expired" until ` + "`grant expire`" + ` removes it. --all adds the grants that have
ended, from the history database.`,
		Example: `  ssoctl grant list
  ssoctl grant list --all -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := opts.output("table", "json", "csv"); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runList(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.All, "all", false, "also the grants that have ended (from the history database)")
	factory.SetOutputs(cmd, "table", "json", "csv")
	return cmd
}

func runList(ctx context.Context, opts *listOptions) error {
	d, clients, err := opts.open(ctx)
	if err != nil {
		return err
	}
	live, err := grants.List(ctx, clients, d.Instance().Arn)
	if err != nil {
		return err
	}
	nameAccounts(ctx, d, live.Grants)
	gs := live.Grants
	if opts.All {
		path, err := factory.HistoryDB(opts.IO, opts.DB)
		if err != nil {
			return err
		}
		if _, err := os.Stat(path); err == nil {
			h, err := opts.history(ctx)
			if err != nil {
				return err
			}
			ended, err := h.EndedGrants(ctx)
			h.Close()
			if err != nil {
				return err
			}
			gs = append(gs, ended...)
		}
	}
	return opts.view().List(live, gs)
}

// nameAccounts fills in the accounts' names.
func nameAccounts(ctx context.Context, d interface {
	AccountName(context.Context, string) string
}, gs []grants.Grant) {
	for i := range gs {
		for j := range gs[i].Accounts {
			if gs[i].Accounts[j].Name == "" {
				gs[i].Accounts[j].Name = d.AccountName(ctx, gs[i].Accounts[j].Id)
			}
		}
	}
}
