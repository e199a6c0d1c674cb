// Package usercmd is `ssoctl user`: the user lifecycle (create, assign,
// unassign, change-access, offboard, migrate-iam, notify). Every verb
// prints its plan and changes nothing without --yes (or a yes typed at a
// terminal).
package usercmd

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ssoctl/ssoctl/internal/assignments/execute"
	"github.com/ssoctl/ssoctl/internal/awsclient"
	"github.com/ssoctl/ssoctl/internal/cli/factory"
	"github.com/ssoctl/ssoctl/internal/cli/views"
	"github.com/ssoctl/ssoctl/internal/inventory"
	"github.com/ssoctl/ssoctl/internal/iostreams"
	"github.com/ssoctl/ssoctl/internal/lifecycle"
	"github.com/ssoctl/ssoctl/internal/orgconfig"
	"github.com/ssoctl/ssoctl/internal/render"
)

// common are the flags and dependencies every verb shares.
type common struct {
	IO *iostreams.IOStreams
	f  *factory.Factory

	OrgConfig   string
	InstanceArn string
	Yes         bool
	DryRun      bool
	JSON        bool

	region string // the clients' region, once the directory is open
	names  *inventory.NameCache
	set    *awsclient.Set // the clients, once the directory is open
	start  time.Time
}

// userFormats are the -o formats every user verb takes.
var userFormats = []string{"table", "json"}

// NewCmd returns `ssoctl user` and its verbs.
func NewCmd(f *factory.Factory) *cobra.Command {
	c := &common{IO: f.IOStreams, f: f}
	cmd := &cobra.Command{
		Use:   "user",
		Short: "The user lifecycle: create, assign, change access, offboard, retire IAM users, e-mail",
		Long: `Onboard, change and offboard people in IAM Identity Center, safely.

Every verb computes a plan and prints it; nothing changes without --yes (or
a yes typed at a terminal prompt). Assignments go through one executor: at
most 15 requests outstanding, within the 20 TPS Identity Center allows,
each confirmed SUCCEEDED or reported with AWS's FailureReason; a re-run
after an interruption finishes the work. When some changes fail the others
are still made and the command exits 3.

USER is a user name, an e-mail address or a user id.

The org settings (start URL, SSO region, the sso-session name people use,
e-mail domain and sender, named access bundles) come from one YAML file:
--org-config FILE, else $SSOCTL_ORG_CONFIG, else ~/.config/ssoctl/org.yaml.
examples/org.yaml matches the sandbox's demo organization.`,
		Example: `  ssoctl user create jane.doe --given-name Jane --family-name Doe --access Developer --sandbox --org-config examples/org.yaml
  ssoctl user assign jane.doe --permission-set ReadOnlyAccess --ou Workloads --yes
  ssoctl user change-access jane.doe --from Developer --to SeniorDeveloper --yes
  ssoctl user offboard jane.doe --yes`,
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
	pf.BoolVarP(&c.Yes, "yes", "y", false, "carry the plan out without asking")
	pf.BoolVar(&c.DryRun, "dry-run", false, "print the plan and change nothing, even at a terminal")
	cmd.AddCommand(newCreateCmd(c, nil), newAssignCmd(c, execute.Create, nil), newAssignCmd(c, execute.Delete, nil),
		newChangeAccessCmd(c, nil), newOffboardCmd(c, nil), newMigrateCmd(c, nil), newNotifyCmd(c, nil))
	for _, verb := range cmd.Commands() {
		factory.SetOutputs(verb, userFormats...)
	}
	return cmd
}

// output checks -o (table, the default, or json).
func (c *common) output() error {
	o, err := c.f.OutputFormat(userFormats, "table", "table")
	c.JSON, c.start = o == "json", time.Now()
	return err
}

// settings loads the org settings; required says a missing file is an
// error (else nil, nil).
func (c *common) settings(required bool) (*orgconfig.Config, error) {
	return c.f.OrgSettings(c.OrgConfig, required)
}

// directory opens the Identity Center instance.
func (c *common) directory(ctx context.Context) (*lifecycle.Directory, error) {
	set, err := c.f.Clients(ctx)
	if err != nil {
		return nil, err
	}
	c.region, c.set = set.Config.Region, set
	d, err := lifecycle.Open(ctx, lifecycle.Clients{SSOAdmin: set.SSOAdmin(), IdentityStore: set.IdentityStore(), Organizations: set.Organizations()}, c.InstanceArn)
	if err != nil {
		return nil, factory.Explain(err, "find the Identity Center instance")
	}
	c.names = inventory.OpenNameCache(inventory.DefaultNameCachePath())
	d.UseNameCache(c.names)
	return d, nil
}

// user resolves USER, with a hint when it is not there.
func (c *common) user(ctx context.Context, d *lifecycle.Directory, ref string) (inventory.User, error) {
	u, err := d.User(ctx, ref)
	if errors.Is(err, inventory.ErrNotFound) {
		return u, fmt.Errorf("no user %q in the identity store (give a user name, e-mail address or user id)%s", ref, closest(d.UserSuggestions(ctx, ref)))
	}
	if err != nil {
		return u, factory.Explain(err, "look up user "+ref)
	}
	return u, nil
}

// view is the verbs' view over the streams, in the -o format.
func (c *common) view() *views.User {
	format := "table"
	if c.JSON {
		format = "json"
	}
	return views.NewUser(format, c.IO.Out, c.IO.ErrOut, c.IO.IsStderrTTY(), c.stats)
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

// closest is "; closest: a, b" for a not-found error ("" for none).
func closest(names []string) string {
	if len(names) == 0 {
		return ""
	}
	return "; closest: " + render.Escape(strings.Join(names, ", "))
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// executionError is a PartialError when some of the executor's changes
// did not succeed (the view listed them).
func executionError(rep execute.Report) error {
	if f := rep.Failures(); len(f) > 0 {
		return &factory.PartialError{Err: fmt.Errorf("%s of %d did not succeed (listed above); run the command again to retry them", plural(len(f), "assignment change"), len(rep.Results))}
	}
	return nil
}
