package usercmd

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/ssoctl/ssoctl/internal/assignments/execute"
	"github.com/ssoctl/ssoctl/internal/cli/factory"
	"github.com/ssoctl/ssoctl/internal/cli/views"
	"github.com/ssoctl/ssoctl/internal/lifecycle"
)

type assignOptions struct {
	*common
	Op            execute.Op
	User          string
	PermissionSet string
	Accounts      []string
	OUs           []string
	From, To      string
}

func newAssignCmd(c *common, op execute.Op, runF func(context.Context, *assignOptions) error) *cobra.Command {
	opts := &assignOptions{common: c, Op: op}
	verb, short, example := "assign", "Give a user a permission set on accounts or OUs", `  ssoctl user assign jane.doe --permission-set Developer --account payments-dev --account insights-dev
  ssoctl user assign jane.doe --permission-set ReadOnlyAccess --ou Workloads --yes`
	if op == execute.Delete {
		verb, short, example = "unassign", "Take a permission set on accounts or OUs away from a user", `  ssoctl user unassign jane.doe --permission-set Developer --account payments-dev --yes`
	}
	cmd := &cobra.Command{
		Use:   verb + " USER --permission-set PS (--account ID|NAME… | --ou OU…)",
		Short: short,
		Long: short + `.

Accounts are given by id or name, OUs by id, path (Workloads/Prod) or name;
every account below an OU is included, suspended accounts are skipped.
What is already as wanted is shown and left alone. Nothing changes without
--yes (or a yes at a terminal).`,
		Example: example,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.User = args[0]
			if opts.PermissionSet == "" {
				return factory.Usagef("%s needs --permission-set", verb)
			}
			if len(opts.Accounts)+len(opts.OUs) == 0 {
				return factory.Usagef("%s needs --account or --ou", verb)
			}
			if err := opts.output(); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runAssign(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.PermissionSet, "permission-set", "p", "", "permission set `name` (or ARN)")
	fl.StringSliceVarP(&opts.Accounts, "account", "a", nil, "account `ID|NAME` (repeatable)")
	fl.StringSliceVar(&opts.OUs, "ou", nil, "organizational unit `ID|PATH|NAME` (repeatable; every account below it)")
	return cmd
}

func runAssign(ctx context.Context, opts *assignOptions) error {
	d, err := opts.directory(ctx)
	if err != nil {
		return err
	}
	u, err := opts.user(ctx, d, opts.User)
	if err != nil {
		return err
	}
	targets, skipped, err := d.Targets(ctx, opts.PermissionSet, opts.Accounts, opts.OUs)
	if err != nil {
		return err
	}
	var p lifecycle.AccessPlan
	if opts.Op == execute.Create {
		p, err = d.PlanAccess(ctx, u, targets, nil)
	} else {
		p, err = d.PlanAccess(ctx, u, nil, targets)
	}
	if err != nil {
		return err
	}
	p.Skipped = skipped
	verb := "Assign"
	if opts.Op == execute.Delete {
		verb = "Unassign"
	}
	return applyAccess(ctx, opts.common, d, p, verb, false)
}

// applyAccess shows an access plan and carries it out, given the
// go-ahead; stopDeletes keeps the old access when a create fails.
func applyAccess(ctx context.Context, c *common, d *lifecycle.Directory, p lifecycle.AccessPlan, verb string, stopDeletes bool) error {
	v := c.view()
	return views.Write(ctx, v.Access(verb), c.gate(), views.Change[lifecycle.AccessPlan, execute.Report]{
		Plan:     p,
		Todo:     len(p.Plan.Changes),
		Question: fmt.Sprintf("Make these %s?", plural(len(p.Plan.Changes), "change")),
		Apply: func(ctx context.Context) (execute.Report, error) {
			eo := v.ExecutorOptions()
			eo.StopDeletesOnCreateFailure = stopDeletes
			return execute.Apply(ctx, d.Clients().SSOAdmin, p.Plan, eo)
		},
		Outcome: func(r *execute.Report) error {
			if r == nil {
				return nil
			}
			return executionError(*r)
		},
	})
}

type changeAccessOptions struct {
	*common
	User, From, To string
}

func newChangeAccessCmd(c *common, runF func(context.Context, *changeAccessOptions) error) *cobra.Command {
	opts := &changeAccessOptions{common: c}
	cmd := &cobra.Command{
		Use:   "change-access USER --from BUNDLE --to BUNDLE",
		Short: "Move a user from one access bundle to another, never without access",
		Long: `Move a user from one access bundle of the org settings to another.

The new bundle's assignments are created first and each confirmed
SUCCEEDED; only then are the old bundle's assignments that the new one does
not also grant deleted. If any create fails, nothing is deleted (exit 3), so
the person never has a moment without access.`,
		Example: `  ssoctl user change-access jane.doe --from Developer --to SeniorDeveloper
  ssoctl user change-access jane.doe --from Developer --to SeniorDeveloper --yes`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.User = args[0]
			if opts.From == "" || opts.To == "" {
				return factory.Usagef("change-access needs --from BUNDLE and --to BUNDLE")
			}
			if err := opts.output(); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runChangeAccess(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.From, "from", "", "the access `bundle` the user has now")
	cmd.Flags().StringVar(&opts.To, "to", "", "the access `bundle` they should have")
	return cmd
}

func runChangeAccess(ctx context.Context, opts *changeAccessOptions) error {
	cfg, err := opts.settings(true)
	if err != nil {
		return err
	}
	from, err := lifecycle.Bundle(cfg, opts.From)
	if err != nil {
		return err
	}
	to, err := lifecycle.Bundle(cfg, opts.To)
	if err != nil {
		return err
	}
	d, err := opts.directory(ctx)
	if err != nil {
		return err
	}
	u, err := opts.user(ctx, d, opts.User)
	if err != nil {
		return err
	}
	add, sk1, err := d.BundleTargets(ctx, to)
	if err != nil {
		return err
	}
	remove, _, err := d.BundleTargets(ctx, from)
	if err != nil {
		return err
	}
	p, err := d.PlanAccess(ctx, u, add, remove)
	if err != nil {
		return err
	}
	p.Skipped = sk1
	return applyAccess(ctx, opts.common, d, p, "Change access from "+from.Name+" to "+to.Name, true)
}
