package usercmd

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/ssoctl/ssoctl/internal/cli/factory"
	"github.com/ssoctl/ssoctl/internal/inventory"
	"github.com/ssoctl/ssoctl/internal/legacyiam"
	"github.com/ssoctl/ssoctl/internal/lifecycle"
	"github.com/ssoctl/ssoctl/internal/render"
)

type offboardOptions struct {
	*common
	User    string
	Disable bool
	IAM     bool
}

type offboardDoc struct {
	// UserFound is false when there is no such user (already offboarded):
	// nothing to change.
	UserFound bool                      `json:"userFound"`
	Plan      lifecycle.OffboardPlan    `json:"plan"`
	IAM       *migrateDoc               `json:"iam,omitempty"`
	Applied   bool                      `json:"applied"`
	Result    *lifecycle.OffboardResult `json:"result,omitempty"`
}

func newOffboardCmd(c *common, runF func(context.Context, *offboardOptions) error) *cobra.Command {
	opts := &offboardOptions{common: c}
	cmd := &cobra.Command{
		Use:   "offboard USER [--disable]",
		Short: "Remove every assignment and group membership of a user, then delete them",
		Long: `Offboard a person: every direct assignment and every group membership is
removed, each assignment deletion confirmed SUCCEEDED by AWS, and a final
check lists what is left. Only when nothing is left is the user deleted (or,
with --disable, kept and disabled). If anything could not be removed the
user is kept, what failed is listed, and the command exits 3; run it again
to retry.

With --iam the IAM user of the same name (in the credentials' account) is
retired first, through the whole deletion checklist (see migrate-iam); if a
step fails nothing in Identity Center is touched.`,
		Example: `  ssoctl user offboard jane.doe                # the plan
  ssoctl user offboard jane.doe --yes
  ssoctl user offboard jane.doe@example.com --disable --yes
  ssoctl user offboard alice.johnson --iam --yes`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.User = args[0]
			if err := opts.output(); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runOffboard(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Disable, "disable", false, "disable the user instead of deleting them")
	cmd.Flags().BoolVar(&opts.IAM, "iam", false, "also retire their legacy IAM user of the same name")
	return cmd
}

func runOffboard(ctx context.Context, opts *offboardOptions) error {
	d, err := opts.directory(ctx)
	if err != nil {
		return err
	}
	u, err := d.User(ctx, opts.User)
	if errors.Is(err, inventory.ErrNotFound) {
		// Offboarding asks for a state — this person gone — and it holds:
		// a second run is not an error. A typo shows the closest names.
		fmt.Fprintf(opts.IO.ErrOut, "Nothing to change: no user %q in the identity store (already offboarded?)%s\n", render.Escape(opts.User), closest(d.UserSuggestions(ctx, opts.User)))
		if opts.JSON {
			return render.JSON(opts.IO.Out, offboardDoc{Plan: lifecycle.OffboardPlan{User: inventory.User{UserName: opts.User}, Disable: opts.Disable}})
		}
		return nil
	}
	if err != nil {
		return factory.Explain(err, "look up user "+opts.User)
	}
	p, err := d.PlanOffboard(ctx, u, opts.Disable)
	if err != nil {
		return err
	}
	doc := offboardDoc{UserFound: true, Plan: p}
	w := opts.IO.Out
	if opts.IAM {
		acct, err := opts.iamAccount(ctx)
		if err != nil {
			return err
		}
		set, err := opts.f.Clients(ctx)
		if err != nil {
			return err
		}
		st, err := legacyiam.Inspect(ctx, set.IAM(), u.UserName)
		if err != nil {
			return factory.Explain(err, "read IAM user "+u.UserName)
		}
		st.Account = acct
		doc.IAM = &migrateDoc{Account: acct, IAMUser: st, Steps: legacyiam.Steps(st)}
		if !opts.JSON {
			if st.Exists {
				fmt.Fprintf(w, "Retire IAM user %s in account %s first:\n", render.Escape(u.UserName), acct)
				writeSteps(w, doc.IAM.Steps)
			} else {
				fmt.Fprintf(w, "No IAM user %s in account %s.\n", render.Escape(u.UserName), acct)
			}
		}
	}
	if !opts.JSON {
		fmt.Fprintf(w, "Offboard %s:\n", userLabel(u))
		for _, ch := range p.Assignments.Changes {
			fmt.Fprintln(w, "  "+describeChange(ch))
		}
		for _, m := range p.Memberships {
			fmt.Fprintf(w, "  - member of group %s\n", render.Escape(m.GroupName))
		}
		switch {
		case p.Disable && u.Status == "DISABLED":
			fmt.Fprintln(w, "  the user is disabled already")
		case p.Disable:
			fmt.Fprintln(w, "  then disable the user")
		default:
			fmt.Fprintln(w, "  then delete the user")
		}
		fmt.Fprintf(w, "%s and %s to remove.\n", plural(len(p.Assignments.Changes), "assignment"), plural(len(p.Memberships), "group membership"))
	}
	if !p.Todo() && (doc.IAM == nil || len(doc.IAM.Steps) == 0) {
		fmt.Fprintln(opts.IO.ErrOut, "Nothing to change.")
		if opts.JSON {
			return render.JSON(w, doc)
		}
		return nil
	}
	ok, err := opts.confirm("Offboard " + u.UserName + "?")
	if err != nil || !ok {
		if err == nil && opts.JSON {
			return render.JSON(w, doc)
		}
		return err
	}
	if doc.IAM != nil && len(doc.IAM.Steps) > 0 {
		set, err := opts.f.Clients(ctx)
		if err != nil {
			return err
		}
		results, err := legacyiam.Run(ctx, set.IAM(), doc.IAM.Steps, func(r legacyiam.StepResult) {
			if !opts.JSON {
				writeStepResult(w, r)
			}
		})
		doc.IAM.Applied, doc.IAM.Results = true, results
		if err != nil {
			return err
		}
		if !legacyiam.OK(results) {
			doc.Applied = true
			if opts.JSON {
				if err := render.JSON(w, doc); err != nil {
					return err
				}
			}
			return &factory.PartialError{Err: errors.New("offboarding " + u.UserName + " stopped: the IAM user could not be retired (listed above); nothing in Identity Center was changed")}
		}
	}
	prog := opts.progress()
	res, runErr := d.ApplyOffboard(ctx, p, opts.executorOptions(prog))
	prog.Done()
	doc.Applied, doc.Result = true, &res
	if opts.JSON {
		if err := render.JSON(w, doc); err != nil {
			return err
		}
	}
	if runErr != nil {
		return runErr
	}
	perr := reportExecution(opts.IO, res.Assignments)
	for _, m := range res.Memberships {
		if m.Error != "" {
			fmt.Fprintf(opts.IO.ErrOut, "  FAILED remove from group %s: %s\n", render.Escape(m.GroupName), render.Escape(m.Error))
		}
	}
	for _, r := range res.Remaining {
		fmt.Fprintf(opts.IO.ErrOut, "  still there: %s\n", render.Escape(r))
	}
	if !res.OK() {
		msg := res.Error
		if perr != nil {
			msg += "; " + perr.Error()
		}
		return &factory.PartialError{Err: errors.New("offboarding " + u.UserName + " is not complete: " + msg)}
	}
	if !opts.JSON {
		if res.Disabled {
			fmt.Fprintf(w, "Disabled user %s; every assignment and group membership was removed.\n", render.Escape(u.UserName))
		} else {
			fmt.Fprintf(w, "Deleted user %s; every assignment and group membership was removed first.\n", render.Escape(u.UserName))
		}
	}
	return nil
}
