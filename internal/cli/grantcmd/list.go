package grantcmd

import (
	"context"
	"os"

	"github.com/spf13/cobra"

	"github.com/ssoctl/ssoctl/internal/cli/factory"
	"github.com/ssoctl/ssoctl/internal/grants"
	"github.com/ssoctl/ssoctl/internal/lifecycle"
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

// nameAccounts fills in the accounts' and principals' names (as far as
// the directory knows them).
func nameAccounts(ctx context.Context, d *lifecycle.Directory, gs []grants.Grant) {
	var users, groups []string
	for _, g := range gs {
		if g.Principal.Type == "USER" {
			users = append(users, g.Principal.Id)
		} else {
			groups = append(groups, g.Principal.Id)
		}
	}
	un, _ := d.UsersByID(ctx, users)
	gn, _ := d.GroupsByID(ctx, groups)
	for i := range gs {
		p := &gs[i].Principal
		if u, ok := un[p.Id]; ok && p.Type == "USER" && p.Name == "" {
			p.Name = u.UserName
		}
		if g, ok := gn[p.Id]; ok && p.Type == "GROUP" && p.Name == "" {
			p.Name = g.Name
		}
		for j := range gs[i].Accounts {
			if gs[i].Accounts[j].Name == "" {
				gs[i].Accounts[j].Name = d.AccountName(ctx, gs[i].Accounts[j].Id)
			}
		}
	}
}
