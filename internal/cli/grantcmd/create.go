package grantcmd

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/spf13/cobra"

	"github.com/ssoctl/ssoctl/internal/cli/factory"
	"github.com/ssoctl/ssoctl/internal/cli/views"
	"github.com/ssoctl/ssoctl/internal/grants"
	"github.com/ssoctl/ssoctl/internal/inventory"
)

type createOptions struct {
	*common
	User          string
	Group         string
	PermissionSet string
	Accounts      []string
	OUs           []string
	For           time.Duration
	Reason        string
	Ticket        string
}

func newCreateCmd(c *common, runF func(context.Context, *createOptions) error) *cobra.Command {
	opts := &createOptions{common: c}
	cmd := &cobra.Command{
		Use:   "create USER|--group G --permission-set PS (--account ID|NAME… | --ou OU…) --for DURATION",
		Short: "Give a user or group a permission set on accounts until a time",
		Long: `Give a user or group a permission set on some accounts for --for (90m, 2h).

The plan is printed first; nothing changes without --yes. The permission set
is cloned (its managed and customer managed policies, inline policy,
boundary; session duration no longer than the grant, never under AWS's
hour) into ssoctl-jit-<grant id>, with a statement denying every action
after the expiry, and assigned on every account. --for over the org
settings' grants.max_duration is a usage error (exit 2), and so is a
permission set the settings do not list, or no --ticket when they require
one.`,
		Example: `  ssoctl grant create alice --permission-set ProductionSupport --account payments-prod --for 2h --reason "INC-123" --yes
  ssoctl grant create --group oncall --permission-set ReadOnlyAccess --ou Workloads/Prod --for 8h --ticket OPS-42`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.User = args[0]
			}
			if (opts.User == "") == (opts.Group == "") {
				return factory.Usagef("create needs a USER or --group G (one of them)")
			}
			if opts.PermissionSet == "" {
				return factory.Usagef("create needs --permission-set")
			}
			if len(opts.Accounts)+len(opts.OUs) == 0 {
				return factory.Usagef("create needs --account or --ou")
			}
			if !cmd.Flags().Changed("for") || opts.For <= 0 {
				return factory.Usagef("create needs --for DURATION above zero (90m, 2h)")
			}
			if err := opts.output("table", "json"); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runCreate(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.Group, "group", "g", "", "grant to group `G` (name or id) instead of a user")
	fl.StringVarP(&opts.PermissionSet, "permission-set", "p", "", "permission set `name` (or ARN) to grant")
	fl.StringSliceVarP(&opts.Accounts, "account", "a", nil, "account `ID|NAME` (repeatable)")
	fl.StringSliceVar(&opts.OUs, "ou", nil, "organizational unit `ID|PATH|NAME` (repeatable; every account below it)")
	fl.DurationVar(&opts.For, "for", 0, "how long the grant lasts (`DURATION`: 90m, 2h)")
	fl.StringVar(&opts.Reason, "reason", "", "why (`TEXT`; in the clone's tags and description)")
	fl.StringVar(&opts.Ticket, "ticket", "", "the ticket or change `ID` the grant is for")
	c.writeFlags(cmd)
	factory.SetOutputs(cmd, "table", "json")
	return cmd
}

func runCreate(ctx context.Context, opts *createOptions) error {
	pol, err := opts.settings()
	if err != nil {
		return err
	}
	if max := pol.Max(); opts.For > max {
		return factory.Usagef("--for %s is over the longest grant the org settings allow (grants.max_duration %s)", opts.For, max)
	}
	if pol.RequireTicket && opts.Ticket == "" {
		return factory.Usagef("the org settings require a ticket for every grant (grants.require_ticket): give --ticket ID")
	}
	d, clients, err := opts.open(ctx)
	if err != nil {
		return err
	}
	ps, err := d.PermissionSet(ctx, opts.PermissionSet)
	if err != nil {
		return factory.Explain(err, "find permission set "+opts.PermissionSet)
	}
	if !pol.Allows(ps.Name) {
		return factory.Usagef("permission set %s may not be granted: the org settings' grants.permission_sets lists %v", ps.Name, pol.PermissionSets)
	}
	var who grants.Principal
	if opts.Group != "" {
		id, err := d.GroupID(ctx, opts.Group)
		if err != nil {
			return factory.Explain(err, "find group "+opts.Group)
		}
		who = grants.Principal{Type: "GROUP", Id: id, Name: opts.Group}
	} else {
		u, err := d.User(ctx, opts.User)
		if errors.Is(err, inventory.ErrNotFound) {
			return fmt.Errorf("no user %q in the identity store (give a user name, e-mail address or user id)", opts.User)
		}
		if err != nil {
			return factory.Explain(err, "look up user "+opts.User)
		}
		who = grants.Principal{Type: "USER", Id: u.Id, Name: u.UserName}
	}
	targets, skipped, err := d.Targets(ctx, ps.Arn, opts.Accounts, opts.OUs)
	if err != nil {
		return err
	}
	req := grants.Request{InstanceArn: d.Instance().Arn, PermissionSetArn: ps.Arn, Principal: who, For: opts.For,
		Reason: opts.Reason, Ticket: opts.Ticket, SchedulerRoleArn: pol.SchedulerRoleArn}
	for _, t := range targets {
		if !slices.ContainsFunc(req.Accounts, func(a grants.Account) bool { return a.Id == t.Account.Id }) {
			req.Accounts = append(req.Accounts, grants.Account{Id: t.Account.Id, Name: t.Account.Name})
		}
	}
	if len(req.Accounts) == 0 {
		return errors.New("no active account to grant on (every account given is suspended or closed)")
	}
	p, err := grants.PlanCreate(ctx, clients, req)
	if err != nil {
		return err
	}
	for _, s := range skipped {
		p.Warnings = append(p.Warnings, fmt.Sprintf("skipped %s (%s): %s", s.Account.Name, s.Account.Id, s.Reason))
	}
	v := opts.view()
	return views.Write(ctx, v.Create(), opts.gate(), views.Change[grants.CreatePlan, grants.CreateResult]{
		Plan:     p,
		Todo:     p.Todo(),
		Question: fmt.Sprintf("Grant %s %s on %d account(s) until %s?", who.Label(), ps.Name, len(req.Accounts), p.Grant.Expires.Format(time.RFC3339)),
		Apply: func(ctx context.Context) (grants.CreateResult, error) {
			res, err := grants.Create(ctx, clients, p, v.ExecutorOptions())
			if res.Grant.CloneArn != "" {
				if herr := recordGrant(ctx, opts.common, res.Grant, p.Now); herr != nil {
					res.ScheduleErrors = append(res.ScheduleErrors, herr.Error())
				}
			}
			return res, err
		},
		Outcome: func(r *grants.CreateResult) error {
			if r == nil || r.OK() {
				return nil
			}
			return &factory.PartialError{Err: fmt.Errorf("grant %s was only partly made (listed above): `ssoctl grant revoke %s --yes` removes what was", r.Grant.ID, r.Grant.ID)}
		},
	})
}

// recordGrant keeps the grant in the history database.
func recordGrant(ctx context.Context, c *common, g grants.Grant, now time.Time) error {
	h, err := c.history(ctx)
	if err != nil {
		return err
	}
	defer h.Close()
	return h.SaveGrant(ctx, g, now)
}
