package usercmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ssoctl/ssoctl/internal/cli/factory"
	"github.com/ssoctl/ssoctl/internal/cli/views"
	"github.com/ssoctl/ssoctl/internal/inventory"
	"github.com/ssoctl/ssoctl/internal/lifecycle"
	"github.com/ssoctl/ssoctl/internal/notify"
	"github.com/ssoctl/ssoctl/internal/orgconfig"
)

type createOptions struct {
	*common
	User   lifecycle.NewUser
	File   string
	Force  bool
	Notify bool
}

func newCreateCmd(c *common, runF func(context.Context, *createOptions) error) *cobra.Command {
	opts := &createOptions{common: c}
	cmd := &cobra.Command{
		Use:   "create USERNAME --given-name G --family-name F | create -f people.csv",
		Short: "Create people in the identity store, with their access bundle",
		Long: `Create a user (or every row of a CSV file), and with --access give them a
named bundle of the org settings.

The e-mail address defaults to USERNAME@domain (domain from the org
settings); an address outside that domain is refused unless --force.
A person who already exists is not created again: only their access is
planned, so a bulk run that was interrupted can simply be run again.

The CSV has the header username,given_name,family_name,email,access (email
and access may be empty). A row that cannot be used is reported and the
others are created; the command then exits 3.

No AWS API sends Identity Center's password e-mail: after creating a user,
ssoctl prints the console page where "Reset password → Send email" sends it.`,
		Example: `  ssoctl user create jane.doe --given-name Jane --family-name Doe --access Developer
  ssoctl user create jane.doe --given-name Jane --family-name Doe --access Developer --yes
  ssoctl user create -f people.csv --yes
  ssoctl user create -f people.csv -o json          # the plan, as JSON`,
		Args: func(cmd *cobra.Command, args []string) error {
			if opts.File != "" {
				if len(args) > 0 {
					return factory.Usagef("give either USERNAME or -f FILE, not both")
				}
				return nil
			}
			if len(args) != 1 {
				return factory.Usagef("user create needs USERNAME (or -f people.csv)")
			}
			if opts.User.GivenName == "" || opts.User.FamilyName == "" {
				return factory.Usagef("user create needs --given-name and --family-name")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.User.UserName = args[0]
			}
			if err := opts.output(); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runCreate(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.User.GivenName, "given-name", "", "given (first) `name`")
	fl.StringVar(&opts.User.FamilyName, "family-name", "", "family (last) `name`")
	fl.StringVar(&opts.User.Email, "email", "", "e-mail `address` (default USERNAME@domain of the org settings)")
	fl.StringVar(&opts.User.DisplayName, "display-name", "", "display `name` (default \"Given Family\")")
	fl.StringVar(&opts.User.Access, "access", "", "access `bundle` from the org settings")
	fl.StringVarP(&opts.File, "file", "f", "", "create everyone in this CSV `file`")
	fl.BoolVar(&opts.Force, "force", false, "create an address outside the org's domain")
	fl.BoolVar(&opts.Notify, "notify", false, "send the welcome e-mail (SESv2) once the user exists")
	return cmd
}

func runCreate(ctx context.Context, opts *createOptions) error {
	rows := []lifecycle.Row{{User: opts.User}}
	if opts.File != "" {
		f, err := os.Open(opts.File)
		if err != nil {
			return fmt.Errorf("open %s: %w", opts.File, err)
		}
		rows, err = lifecycle.ReadPeople(opts.File, f)
		f.Close()
		if err != nil {
			return err
		}
		if len(rows) == 0 {
			return fmt.Errorf("%s has no people in it", opts.File)
		}
	}
	needSettings := opts.Notify
	for _, r := range rows {
		needSettings = needSettings || r.User.Access != "" || r.User.Email == ""
	}
	cfg, err := opts.settings(needSettings)
	if err != nil {
		return err
	}
	if opts.Notify && cfg.Email.From == "" {
		return fmt.Errorf("--notify needs email.from (a verified SES identity) in %s", cfg.Path)
	}
	// Every row is checked before AWS is asked anything.
	lifecycle.CheckPeople(cfg, rows, opts.Force)
	if opts.File == "" && rows[0].Err != nil {
		return planError(rows[0].Err)
	}
	items := make([]views.CreateItem, len(rows))
	good := 0
	for _, r := range rows {
		if r.Err == nil {
			good++
		}
	}
	var plans []*lifecycle.CreatePlan
	var d *lifecycle.Directory
	if good > 0 {
		if d, err = opts.directory(ctx); err != nil {
			return err
		}
		if plans, err = d.PlanCreates(ctx, cfg, rows, lifecycle.CreateOptions{Force: opts.Force, Notify: opts.Notify}); err != nil {
			return factory.Explain(err, "plan the users")
		}
		if opts.File == "" && rows[0].Err != nil {
			return planError(rows[0].Err)
		}
	}
	bad := 0
	for i, r := range rows {
		it := &items[i]
		it.Line = r.Line
		if r.Err != nil {
			it.Error, bad = rowError(opts.File, r), bad+1
			continue
		}
		it.Plan = plans[i]
	}
	todo := make([]*lifecycle.CreatePlan, len(rows))
	n := 0
	for i, it := range items {
		if it.Plan != nil && it.Plan.Todo() {
			todo[i], n = it.Plan, n+1
		}
	}
	v := opts.view().Create()
	return views.Write(ctx, v, opts.gate(), views.Change[[]views.CreateItem, views.Created]{
		Plan:     items,
		Todo:     n,
		Question: fmt.Sprintf("Create %s?", plural(n, "user")),
		Apply: func(ctx context.Context) (views.Created, error) {
			return opts.apply(ctx, d, cfg, v, items, todo)
		},
		Outcome: func(r *views.Created) error {
			if r == nil {
				return badRows(bad, len(rows))
			}
			failed := 0
			for i, it := range r.Users {
				switch {
				case todo[i] == nil:
				case it.Error != "":
					failed++
				case len(it.Result.Access.Results) > 0 && !it.Result.Access.OK():
					failed++
				}
			}
			if failed+bad > 0 {
				return &factory.PartialError{Err: fmt.Errorf("%d of %s did not complete (listed above); fix them and run the command again", failed+bad, plural(len(rows), "user"))}
			}
			return nil
		},
	})
}

// apply creates the people of the plans in todo (by their items' index),
// telling the view of each as soon as they exist, then sends the welcome
// e-mails.
func (opts *createOptions) apply(ctx context.Context, d *lifecycle.Directory, cfg *orgconfig.Config, v views.CreateView, plan []views.CreateItem, todo []*lifecycle.CreatePlan) (views.Created, error) {
	items := slices.Clone(plan)
	results, rep, err := d.ApplyCreates(ctx, todo, v.ExecutorOptions(), func(_ int, res lifecycle.CreateResult, done, total int) {
		v.Person(res, done, total)
	})
	v.ProgressDone()
	for i := range items {
		it := &items[i]
		if todo[i] == nil {
			continue
		}
		res := results[i]
		it.Result = &res
		if res.User.Id != "" {
			it.PasswordEmailURL = consoleUserURL(cfg, opts.region, d, res.User.Id)
		}
		if res.Error != "" {
			it.Error = res.Error
		}
	}
	if err == nil {
		err = ctx.Err()
	}
	if err == nil {
		opts.sendWelcomes(ctx, d, cfg, items, todo)
	}
	return views.Created{Users: items, Report: rep}, err
}

// sendWelcomes sends the welcome e-mail of every user whose plan has one
// and who exists now, and clears each one's pending record once SES took
// it. A sender SES refuses would be refused for everyone: the rest are not
// tried, and stay planned for the next run.
func (opts *createOptions) sendWelcomes(ctx context.Context, d *lifecycle.Directory, cfg *orgconfig.Config, items []views.CreateItem, todo []*lifecycle.CreatePlan) {
	var stop error
	for i := range items {
		it := &items[i]
		if todo[i] == nil || !todo[i].Welcome || it.Result == nil || it.Result.User.Id == "" {
			continue
		}
		res := it.Result
		err := stop
		if err == nil {
			err = opts.welcome(ctx, d, cfg, res.User)
			if errors.Is(err, notify.ErrSenderNotVerified) {
				stop = err
			}
		}
		if err == nil {
			it.Notified = true
			if err := d.WelcomeSent(ctx, res.WelcomePending); err != nil {
				it.WelcomeWarning = err.Error()
			}
			continue
		}
		msg := "welcome e-mail to " + res.User.Email + ": " + err.Error()
		switch {
		case res.WelcomePending != "":
			msg += " (it stays planned: run the command again once that is fixed)"
		case res.WelcomeRecordError != "":
			msg += " (and it could not be recorded as pending: " + res.WelcomeRecordError + "; send it with `ssoctl user notify " + res.User.UserName + " --template welcome --yes`)"
		}
		it.WelcomeFailure = msg
		if it.Error == "" {
			it.Error = msg
		} else {
			it.Error += "; " + msg
		}
	}
}

// planError words a plan failure of one user.
func planError(err error) error {
	if errors.Is(err, lifecycle.ErrOutsideDomain) {
		return factory.Usagef("%v", err)
	}
	return err
}

// rowError is a row's error with the file and line it is on
// ("people.csv:3 (no.family): …").
func rowError(file string, r lifecycle.Row) string {
	switch {
	case r.Line == 0:
		return r.Err.Error()
	case r.User.UserName != "":
		return fmt.Sprintf("%s:%d (%s): %v", file, r.Line, r.User.UserName, r.Err)
	}
	return fmt.Sprintf("%s:%d: %v", file, r.Line, r.Err)
}

func badRows(bad, total int) error {
	if bad == 0 {
		return nil
	}
	return &factory.PartialError{Err: fmt.Errorf("%d of %s cannot be created (listed above)", bad, plural(total, "row"))}
}

// consoleUserURL is the console page of one user in the instance.
func consoleUserURL(cfg *orgconfig.Config, region string, d *lifecycle.Directory, userID string) string {
	if cfg != nil && cfg.SSORegion != "" {
		region = cfg.SSORegion
	}
	arn := d.Instance().Arn
	id := arn[strings.LastIndex(arn, "/")+1:]
	return fmt.Sprintf("https://%s.console.aws.amazon.com/singlesignon/home?region=%s#!/instances/%s/users/user-details?userId=%s", region, region, strings.TrimPrefix(id, "ssoins-"), userID)
}

// welcome sends the welcome e-mail to a user just created.
func (c *createOptions) welcome(ctx context.Context, d *lifecycle.Directory, cfg *orgconfig.Config, u inventory.User) error {
	m, err := message(ctx, d, cfg, u, "welcome", "")
	if err != nil {
		return err
	}
	_, err = c.send(ctx, cfg, m)
	return err
}
