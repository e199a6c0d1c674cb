// Package grantcmd is `ssoctl grant`: just-in-time access that expires by
// itself, with no server to deploy (create, list, revoke, expire). Every
// write prints its plan and changes nothing without --yes (or a yes typed
// at a terminal).
package grantcmd

import (
	"context"
	"time"

	"github.com/spf13/cobra"

	"github.com/ssoctl/ssoctl/internal/awsclient"
	"github.com/ssoctl/ssoctl/internal/cli/factory"
	"github.com/ssoctl/ssoctl/internal/cli/views"
	"github.com/ssoctl/ssoctl/internal/grants"
	"github.com/ssoctl/ssoctl/internal/history"
	"github.com/ssoctl/ssoctl/internal/inventory"
	"github.com/ssoctl/ssoctl/internal/iostreams"
	"github.com/ssoctl/ssoctl/internal/lifecycle"
	"github.com/ssoctl/ssoctl/internal/orgconfig"
)

// common are the flags and dependencies every verb shares.
type common struct {
	IO *iostreams.IOStreams
	f  *factory.Factory

	OrgConfig   string
	InstanceArn string
	DB          string
	Yes         bool
	DryRun      bool
	Format      string

	set   *awsclient.Set
	names *inventory.NameCache
	start time.Time
}

// NewCmd returns `ssoctl grant` and its verbs.
func NewCmd(f *factory.Factory) *cobra.Command {
	c := &common{IO: f.IOStreams, f: f}
	cmd := &cobra.Command{
		Use:   "grant",
		Short: "Just-in-time access that expires by itself: create, list, revoke, expire",
		Long: `Give a user or group a permission set on some accounts for a while, with
nothing to deploy: the grant lives in AWS.

A grant clones the permission set into its own, ssoctl-jit-<grant id>,
whose inline policy denies every action once aws:CurrentTime passes the
expiry, so credentials already issued stop working on time; it is assigned
through the one executor and the grant is recorded as tags on the clone
(and in the history database). With grants.scheduler_role_arn in the org
settings, an EventBridge Scheduler one-time schedule deletes each
assignment at the expiry; ` + "`ssoctl grant expire --yes`" + ` (cron, CI) removes what
remains. Expiry is judged on AWS's clock (the Date header of its answers).

The org settings' grants: section says which permission sets may be
granted (permission_sets; none listed: all), the longest grant
(max_duration, default 8h) and whether a ticket is required.`,
		Example: `  ssoctl grant create alice --permission-set ProductionSupport --account prod --for 2h --reason "INC-123 database failover" --yes
  ssoctl grant list
  ssoctl grant revoke abcdefghijkl --yes
  ssoctl grant expire --yes`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
		PersistentPostRun: func(*cobra.Command, []string) {
			if c.names != nil {
				factory.SaveNameCache(c.IO.ErrOut, c.names)
			}
		},
	}
	pf := cmd.PersistentFlags()
	pf.StringVar(&c.OrgConfig, "org-config", "", "org settings `file` (else $SSOCTL_ORG_CONFIG, else ~/.config/ssoctl/org.yaml)")
	pf.StringVar(&c.InstanceArn, "instance-arn", "", "Identity Center instance `ARN` (when there are several)")
	pf.StringVar(&c.DB, "db", "", factory.HistoryDBFlagUsage)
	cmd.AddCommand(newCreateCmd(c, nil), newListCmd(c, nil), newEndCmd(c, false, nil), newEndCmd(c, true, nil))
	return cmd
}

// writeFlags adds --yes and --dry-run to a write verb.
func (c *common) writeFlags(cmd *cobra.Command) {
	cmd.Flags().BoolVarP(&c.Yes, "yes", "y", false, "carry the plan out without asking")
	cmd.Flags().BoolVar(&c.DryRun, "dry-run", false, "print the plan and change nothing, even at a terminal")
}

// output checks -o.
func (c *common) output(formats ...string) error {
	o, err := c.f.OutputFormat(formats, "table", "table")
	c.Format, c.start = o, time.Now()
	return err
}

// settings are the org settings' grants: section (the defaults without a
// file).
func (c *common) settings() (orgconfig.Grants, error) {
	cfg, err := c.f.OrgSettings(c.OrgConfig, false)
	if err != nil || cfg == nil {
		return orgconfig.Grants{}, err
	}
	return cfg.Grants, nil
}

// open opens the Identity Center instance and the grants' clients.
func (c *common) open(ctx context.Context) (*lifecycle.Directory, grants.Clients, error) {
	set, err := c.f.Clients(ctx)
	if err != nil {
		return nil, grants.Clients{}, err
	}
	c.set = set
	d, err := lifecycle.Open(ctx, lifecycle.Clients{SSOAdmin: set.SSOAdmin(), IdentityStore: set.IdentityStore(), Organizations: set.Organizations()}, c.InstanceArn)
	if err != nil {
		return nil, grants.Clients{}, factory.Explain(err, "find the Identity Center instance")
	}
	c.names = inventory.OpenNameCache(inventory.DefaultNameCachePath())
	d.UseNameCache(c.names)
	return d, grants.Clients{SSOAdmin: set.SSOAdmin(), Scheduler: set.Scheduler(), STS: set.STS()}, nil
}

// history opens (creating) the history database.
func (c *common) history(ctx context.Context) (*history.Store, error) {
	path, err := factory.HistoryDB(c.IO, c.DB)
	if err != nil {
		return nil, err
	}
	return history.Open(ctx, path)
}

// view is the verbs' view over the streams, in the -o format.
func (c *common) view() *views.Grant {
	return views.NewGrant(c.Format, c.IO.Out, c.IO.ErrOut, c.IO.IsStderrTTY(), c.stats)
}

// stats are the run's calls so far.
func (c *common) stats() views.CallStats {
	var s awsclient.CallStats
	if c.set != nil {
		s = c.set.Stats()
	}
	return views.NewCallStats(s, time.Since(c.start))
}

// gate gives the go-ahead: --dry-run, --yes, or a yes at a terminal.
func (c *common) gate() views.Gate { return c.f.GoAhead(c.Yes, c.DryRun) }
