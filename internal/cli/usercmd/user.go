// Package usercmd is `ssoctl user`: the user lifecycle (create, assign,
// unassign, change-access, offboard, migrate-iam, notify). Every verb
// prints its plan and changes nothing without --yes (or a yes typed at a
// terminal).
package usercmd

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ssoctl/ssoctl/internal/assignments/execute"
	"github.com/ssoctl/ssoctl/internal/cli/factory"
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
	c.JSON = o == "json"
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
	c.region = set.Config.Region
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

// confirm asks for the go-ahead: --yes, or a yes at a terminal. Without
// either it says how to carry the plan out and returns false.
func (c *common) confirm(question string) (bool, error) {
	if c.DryRun {
		fmt.Fprintln(c.IO.ErrOut, "Nothing was changed (--dry-run).")
		return false, nil
	}
	if c.Yes {
		return true, nil
	}
	if !c.IO.CanPrompt() {
		fmt.Fprintln(c.IO.ErrOut, "Nothing was changed: run again with --yes to carry this plan out.")
		return false, nil
	}
	fmt.Fprint(c.IO.ErrOut, question+" [y/N] ")
	line, err := bufio.NewReader(c.IO.In).ReadString('\n')
	if err != nil && line == "" && !errors.Is(err, io.EOF) {
		return false, fmt.Errorf("read the answer: %w", err)
	}
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return true, nil
	}
	fmt.Fprintln(c.IO.ErrOut, "Cancelled: nothing was changed.")
	return false, nil
}

// executorOptions draws a progress line on a terminal.
func (c *common) executorOptions(p *render.Progress) execute.Options {
	return execute.Options{OnProgress: func(pr execute.Progress) {
		p.Update(string(pr.Op)+"s", pr.Done, pr.Total)
	}}
}

func (c *common) progress() *render.Progress {
	return render.NewProgress(c.IO.ErrOut, c.IO.IsStderrTTY())
}

// describeChange is one plan line: "+ Developer on payments-dev (640775136188)".
func describeChange(ch execute.Change) string {
	sign := "+"
	if ch.Op == execute.Delete {
		sign = "-"
	}
	return sign + " " + describeTarget(ch)
}

// describeTarget is "Developer on payments-dev (640775136188)".
func describeTarget(ch execute.Change) string {
	ps := ch.PermissionSetName
	if ps == "" {
		ps = ch.PermissionSetArn
	}
	acct := ch.AccountId
	if ch.AccountName != "" {
		acct = render.Escape(ch.AccountName) + " (" + ch.AccountId + ")"
	}
	return fmt.Sprintf("%s on %s", render.Escape(ps), acct)
}

func writeAccessPlan(w io.Writer, p lifecycle.AccessPlan) {
	for _, ch := range p.Plan.Changes {
		fmt.Fprintln(w, "  "+describeChange(ch))
	}
	for _, ch := range p.Unchanged {
		what := "already assigned"
		if ch.Op == execute.Delete {
			what = "not assigned"
		}
		fmt.Fprintf(w, "  = %s (%s)\n", describeTarget(ch), what)
	}
	for _, s := range p.Skipped {
		fmt.Fprintf(w, "  ! skipped %s (%s): %s\n", render.Escape(s.Account.Name), s.Account.Id, s.Reason)
	}
}

func userLabel(u inventory.User) string {
	s := render.Escape(u.UserName)
	if u.DisplayName != "" || u.Email != "" {
		s += " (" + strings.TrimSpace(render.Escape(u.DisplayName)+" <"+render.Escape(u.Email)+">") + ")"
	}
	return s
}

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

// reportExecution writes what the executor did and returns a
// PartialError when some changes failed.
func reportExecution(ios *iostreams.IOStreams, rep execute.Report) error {
	s := rep.Summary
	fmt.Fprintf(ios.ErrOut, "Assignments: %d created, %d deleted, %d unchanged, %d failed, %d not started.\n", s.Created, s.Deleted, s.Unchanged, s.Failed, s.NotStarted)
	f := rep.Failures()
	for _, r := range f {
		switch r.Status {
		case execute.Failed:
			fmt.Fprintf(ios.ErrOut, "  FAILED %s %s: %s\n", r.Op, describeTarget(r.Change), render.Escape(r.Reason()))
		default:
			fmt.Fprintf(ios.ErrOut, "  %s %s %s\n", strings.ReplaceAll(string(r.Status), "_", " "), r.Op, describeTarget(r.Change))
		}
	}
	if len(f) > 0 {
		return &factory.PartialError{Err: fmt.Errorf("%s of %d did not succeed (listed above); run the command again to retry them", plural(len(f), "assignment change"), len(rep.Results))}
	}
	return nil
}
