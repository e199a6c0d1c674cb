package grantcmd

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/ssoctl/ssoctl/internal/cli/factory"
	"github.com/ssoctl/ssoctl/internal/cli/views"
	"github.com/ssoctl/ssoctl/internal/grants"
)

type endOptions struct {
	*common
	Revoke bool
	ID     string
}

// newEndCmd is `grant expire` (revoke false) or `grant revoke ID`.
func newEndCmd(c *common, revoke bool, runF func(context.Context, *endOptions) error) *cobra.Command {
	opts := &endOptions{common: c, Revoke: revoke}
	cmd := &cobra.Command{
		Use:   "expire",
		Short: "Remove every grant past its expiry (for cron or CI); idempotent",
		Long: `Remove every grant past its expiry on AWS's clock: its assignments still
there, then its permission set, then its schedules still waiting. Grants
not yet expired, and every assignment that is not a grant's, are left
alone. Run again, it finds nothing to do and makes no write call.`,
		Example: `  ssoctl grant expire          # the plan
  ssoctl grant expire --yes    # from cron or CI`,
		Args: cobra.NoArgs,
	}
	if revoke {
		cmd.Use, cmd.Short, cmd.Args = "revoke GRANT_ID", "End one grant now, before its expiry", cobra.ExactArgs(1)
		cmd.Long = `End one grant now: its assignments, then its permission set (sessions
made from it stop working), then its schedules.`
		cmd.Example = `  ssoctl grant revoke abcdefghijkl --yes`
	}
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if revoke {
			opts.ID = args[0]
			if !grants.ValidID(opts.ID) {
				return factory.Usagef("%q is not a grant id (12 characters of a-z and 2-7; see ssoctl grant list)", opts.ID)
			}
		}
		if err := opts.output("table", "json"); err != nil {
			return err
		}
		if runF != nil {
			return runF(cmd.Context(), opts)
		}
		return runEnd(cmd.Context(), opts)
	}
	c.writeFlags(cmd)
	factory.SetOutputs(cmd, "table", "json")
	return cmd
}

func runEnd(ctx context.Context, opts *endOptions) error {
	d, clients, err := opts.open(ctx)
	if err != nil {
		return err
	}
	inst := d.Instance().Arn
	var p grants.EndPlan
	how := "expired"
	if opts.Revoke {
		how = "revoked"
		p, err = grants.PlanRevoke(ctx, clients, inst, opts.ID)
	} else {
		p, err = grants.PlanExpire(ctx, clients, inst)
	}
	if err != nil {
		return err
	}
	nameAccounts(ctx, d, p.Grants)
	v := opts.view()
	return views.Write(ctx, v.End(how), opts.gate(), views.Change[grants.EndPlan, grants.EndResult]{
		Plan:     p,
		Todo:     p.Todo(),
		Question: fmt.Sprintf("End %d grant(s): %d change(s), %d schedule(s)?", len(p.Grants), len(p.Plan.Changes), len(p.Schedules)),
		Apply: func(ctx context.Context) (grants.EndResult, error) {
			res, err := grants.End(ctx, clients, p, v.ExecutorOptions())
			if herr := recordEnds(ctx, opts.common, p, res, how); herr != nil {
				res.ScheduleErrors = append(res.ScheduleErrors, herr.Error())
			}
			return res, err
		},
		Outcome: func(r *grants.EndResult) error {
			if r == nil || r.OK() {
				return nil
			}
			return &factory.PartialError{Err: errors.New("some grants were not wholly removed (listed above); run the command again to finish")}
		},
	})
}

// recordEnds records the ended grants in the history database.
func recordEnds(ctx context.Context, c *common, p grants.EndPlan, r grants.EndResult, how string) error {
	if len(r.Ended) == 0 {
		return nil
	}
	h, err := c.history(ctx)
	if err != nil {
		return err
	}
	defer h.Close()
	ended := map[string]bool{}
	for _, id := range r.Ended {
		ended[id] = true
	}
	for _, g := range p.Grants {
		if ended[g.ID] {
			if err := h.EndGrant(ctx, g, p.Now, how); err != nil {
				return err
			}
		}
	}
	return nil
}
