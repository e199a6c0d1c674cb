package usercmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ssoctl/ssoctl/internal/cli/factory"
	"github.com/ssoctl/ssoctl/internal/inventory"
	"github.com/ssoctl/ssoctl/internal/lifecycle"
	"github.com/ssoctl/ssoctl/internal/notify"
	"github.com/ssoctl/ssoctl/internal/orgconfig"
	"github.com/ssoctl/ssoctl/internal/render"
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

// createItem is one person: the plan, then what happened.
type createItem struct {
	Line   int                     `json:"line,omitempty"`
	Plan   *lifecycle.CreatePlan   `json:"plan,omitempty"`
	Result *lifecycle.CreateResult `json:"result,omitempty"`
	// PasswordEmailURL is the console page that sends the password e-mail.
	PasswordEmailURL string `json:"passwordEmailUrl,omitempty"`
	Notified         bool   `json:"notified,omitempty"`
	Error            string `json:"error,omitempty"`
}

type createDoc struct {
	Applied bool         `json:"applied"`
	Users   []createItem `json:"users"`
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
	ios := opts.IO
	doc := createDoc{Users: make([]createItem, len(rows))}
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
		it := &doc.Users[i]
		it.Line = r.Line
		if r.Err != nil {
			it.Error, bad = rowError(opts.File, r), bad+1
			continue
		}
		it.Plan = plans[i]
	}
	if !opts.JSON {
		writeCreatePlans(opts, doc)
	}
	todo := make([]*lifecycle.CreatePlan, len(rows))
	n := 0
	for i, it := range doc.Users {
		if it.Plan != nil && it.Plan.Todo() {
			todo[i], n = it.Plan, n+1
		}
	}
	ok := false
	if n == 0 && bad == 0 {
		fmt.Fprintln(ios.ErrOut, "Nothing to change.")
	}
	if n > 0 {
		ok, err = opts.confirm(fmt.Sprintf("Create %s?", plural(n, "user")))
		if err != nil {
			return err
		}
	}
	if !ok {
		if opts.JSON {
			return render.JSON(ios.Out, doc)
		}
		return badRows(bad, len(rows))
	}
	doc.Applied = true
	prog := opts.progress()
	exec := opts.executorOptions(prog)
	// Each user is reported as soon as they exist, so an interrupted run
	// shows who was made.
	results, rep, runErr := d.ApplyCreates(ctx, todo, exec, func(_ int, res lifecycle.CreateResult, done, total int) {
		if !opts.JSON && (res.Created || res.Error != "") {
			prog.Done() // clear the progress line; the next update redraws it
			if res.Created {
				fmt.Fprintf(ios.Out, "Created user %s (id %s).\n", render.Escape(res.User.UserName), res.User.Id)
			} else {
				fmt.Fprintf(ios.ErrOut, "FAILED: %s\n", render.Escape(res.Error))
			}
		}
		prog.Update("users created", done, total)
	})
	prog.Done()
	failed := 0
	for i := range doc.Users {
		it := &doc.Users[i]
		if todo[i] == nil {
			continue
		}
		res := results[i]
		it.Result = &res
		if res.User.Id != "" {
			it.PasswordEmailURL = consoleUserURL(cfg, opts.region, d, res.User.Id)
		}
		switch {
		case res.Error != "":
			it.Error, failed = res.Error, failed+1
		case len(res.Access.Results) > 0 && !res.Access.OK():
			failed++
		}
	}
	if len(rep.Results) > 0 && !opts.JSON {
		_ = reportExecution(ios, rep)
	}
	if runErr == nil {
		runErr = ctx.Err()
	}
	if runErr == nil {
		failed += opts.sendWelcomes(ctx, d, cfg, &doc, todo)
	}
	if !opts.JSON {
		for _, it := range doc.Users {
			if it.Result != nil && it.Result.Created {
				fmt.Fprintf(ios.Out, "No AWS API sends the password e-mail: in the IAM Identity Center console open Users → %s → Reset password → Send email:\n  %s\n", render.Escape(it.Result.User.UserName), it.PasswordEmailURL)
			}
		}
	}
	if opts.JSON {
		if err := render.JSON(ios.Out, doc); err != nil {
			return err
		}
	}
	if runErr != nil {
		return runErr
	}
	if failed+bad > 0 {
		return &factory.PartialError{Err: fmt.Errorf("%d of %s did not complete (listed above); fix them and run the command again", failed+bad, plural(len(rows), "user"))}
	}
	return nil
}

// sendWelcomes sends the welcome e-mail of every user whose plan has one
// and who exists now, and clears each one's pending record once SES took
// it. A sender SES refuses would be refused for everyone: the rest are not
// tried, and stay planned for the next run. It returns how many failed.
func (opts *createOptions) sendWelcomes(ctx context.Context, d *lifecycle.Directory, cfg *orgconfig.Config, doc *createDoc, todo []*lifecycle.CreatePlan) int {
	failed := 0
	var stop error
	for i := range doc.Users {
		it := &doc.Users[i]
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
				fmt.Fprintf(opts.IO.ErrOut, "warning: sent the welcome e-mail to %s, but %s: a later --notify run may send it again\n", render.Escape(res.User.UserName), render.Escape(err.Error()))
			}
			if !opts.JSON {
				fmt.Fprintf(opts.IO.Out, "Sent the welcome e-mail to %s.\n", render.Escape(res.User.Email))
			}
			continue
		}
		failed++
		msg := "welcome e-mail to " + res.User.Email + ": " + err.Error()
		switch {
		case res.WelcomePending != "":
			msg += " (it stays planned: run the command again once that is fixed)"
		case res.WelcomeRecordError != "":
			msg += " (and it could not be recorded as pending: " + res.WelcomeRecordError + "; send it with `ssoctl user notify " + res.User.UserName + " --template welcome --yes`)"
		}
		if it.Error == "" {
			it.Error = msg
		} else {
			it.Error += "; " + msg
		}
		if !opts.JSON {
			fmt.Fprintf(opts.IO.ErrOut, "FAILED: %s\n", render.Escape(msg))
		}
	}
	return failed
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

func writeCreatePlans(opts *createOptions, doc createDoc) {
	w := opts.IO.Out
	for _, it := range doc.Users {
		if it.Plan == nil {
			fmt.Fprintf(opts.IO.ErrOut, "skipped: %s\n", render.Escape(it.Error))
			continue
		}
		p := it.Plan
		if p.Exists != "" {
			fmt.Fprintf(w, "User %s exists (id %s): not created again.\n", render.Escape(p.User.UserName), p.Exists)
		} else {
			fmt.Fprintf(w, "Create user %s (%s <%s>)\n", render.Escape(p.User.UserName), render.Escape(p.User.DisplayName), render.Escape(p.User.Email))
		}
		if p.User.Access != "" {
			fmt.Fprintf(w, "  access bundle %s: %s to add\n", render.Escape(p.User.Access), plural(len(p.Access.Plan.Changes), "assignment"))
		}
		writeAccessPlan(w, p.Access)
		switch {
		case p.Welcome && p.Exists != "":
			fmt.Fprintf(w, "  then e-mail the welcome message to %s (never sent so far)\n", render.Escape(p.User.Email))
		case p.Welcome:
			fmt.Fprintf(w, "  then e-mail the welcome message to %s\n", render.Escape(p.User.Email))
		}
	}
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
