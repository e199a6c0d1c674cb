package usercmd

import (
	"context"
	"errors"

	"github.com/spf13/cobra"

	"github.com/ssoctl/ssoctl/internal/cli/factory"
	"github.com/ssoctl/ssoctl/internal/cli/views"
	"github.com/ssoctl/ssoctl/internal/inventory"
	"github.com/ssoctl/ssoctl/internal/legacyiam"
	"github.com/ssoctl/ssoctl/internal/lifecycle"
)

type offboardOptions struct {
	*common
	User    string
	Disable bool
	IAM     bool
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
	v := opts.view().Offboard()
	u, err := d.User(ctx, opts.User)
	if errors.Is(err, inventory.ErrNotFound) {
		// Offboarding asks for a state — this person gone — and it holds:
		// a second run is not an error. A typo shows the closest names.
		return v.NoUser(opts.User, opts.Disable, closest(d.UserSuggestions(ctx, opts.User)))
	}
	if err != nil {
		return factory.Explain(err, "look up user "+opts.User)
	}
	p, err := d.PlanOffboard(ctx, u, opts.Disable)
	if err != nil {
		return err
	}
	doc := views.OffboardDoc{UserFound: true, Plan: p}
	var retire *lifecycle.RetireFirst
	if opts.IAM {
		if retire, doc.IAM, err = opts.retireFirst(ctx, u.UserName); err != nil {
			return err
		}
		retire.OnStep = v.Step
	}
	todo := 0
	if p.Todo() || (doc.IAM != nil && len(doc.IAM.Steps) > 0) {
		todo = 1
	}
	return views.Write(ctx, v, opts.gate(), views.Change[views.OffboardDoc, lifecycle.Offboarding]{
		Plan:     doc,
		Todo:     todo,
		Question: "Offboard " + u.UserName + "?",
		Apply: func(ctx context.Context) (lifecycle.Offboarding, error) {
			return d.Offboard(ctx, p, retire, v.ExecutorOptions())
		},
		Outcome: func(r *lifecycle.Offboarding) error {
			switch {
			case r == nil:
				return nil
			case r.IAMFailed:
				return &factory.PartialError{Err: errors.New("offboarding " + u.UserName + " stopped: the IAM user could not be retired (listed above); nothing in Identity Center was changed")}
			case !r.Result.OK():
				msg := r.Result.Error
				if err := executionError(r.Result.Assignments); err != nil {
					msg += "; " + err.Error()
				}
				return &factory.PartialError{Err: errors.New("offboarding " + u.UserName + " is not complete: " + msg)}
			}
			return nil
		},
	})
}

// retireFirst reads the legacy IAM user of the same name in the
// credentials' account: its checklist, which the offboarding runs first.
func (opts *offboardOptions) retireFirst(ctx context.Context, name string) (*lifecycle.RetireFirst, *views.MigrateDoc, error) {
	acct, err := opts.iamAccount(ctx)
	if err != nil {
		return nil, nil, err
	}
	set, err := opts.f.Clients(ctx)
	if err != nil {
		return nil, nil, err
	}
	st, err := legacyiam.Inspect(ctx, set.IAM(), name)
	if err != nil {
		return nil, nil, factory.Explain(err, "read IAM user "+name)
	}
	st.Account = acct
	steps := legacyiam.Steps(st)
	return &lifecycle.RetireFirst{IAM: set.IAM(), Steps: steps}, &views.MigrateDoc{Account: acct, IAMUser: st, Steps: steps}, nil
}
