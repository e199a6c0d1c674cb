package usercmd

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/spf13/cobra"

	"github.com/ssoctl/ssoctl/internal/cli/factory"
	"github.com/ssoctl/ssoctl/internal/inventory"
	"github.com/ssoctl/ssoctl/internal/legacyiam"
	"github.com/ssoctl/ssoctl/internal/render"
)

type migrateOptions struct {
	*common
	User     string
	IAMUser  string
	Accounts []string
	Force    bool
}

type migrateDoc struct {
	Account string                 `json:"account"`
	IAMUser legacyiam.User         `json:"iamUser"`
	Steps   []legacyiam.Step       `json:"steps"`
	Applied bool                   `json:"applied"`
	Results []legacyiam.StepResult `json:"results,omitempty"`
}

func newMigrateCmd(c *common, runF func(context.Context, *migrateOptions) error) *cobra.Command {
	opts := &migrateOptions{common: c}
	cmd := &cobra.Command{
		Use:   "migrate-iam USER [--iam-user NAME] [--account ID]",
		Short: "Retire a person's legacy IAM user through the whole deletion checklist",
		Long: `Remove the legacy IAM user of the same name (or --iam-user) once the person
signs in through Identity Center, in the order IAM requires: the console
password (login profile), access keys (each shown with its last use first),
signing certificates, SSH public keys, service-specific credentials, MFA
devices (deactivated; virtual ones deleted), inline policies, attached
policies, group memberships, then the user.

It refuses unless the person has Identity Center access (an assignment,
directly or through a group), so nobody is locked out; --force overrides.
The IAM user is looked for in the account of the credentials used
(--profile); --account checks that it is the one meant. Something already
gone counts as done, so an interrupted run can be run again.`,
		Example: `  ssoctl user migrate-iam alice.johnson              # the checklist, with each key's last use
  ssoctl user migrate-iam alice.johnson --yes
  ssoctl user migrate-iam alice@example.com --iam-user alice --force --yes`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.User = args[0]
			if err := opts.output(); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runMigrate(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.IAMUser, "iam-user", "", "the IAM user's `name` (default: the Identity Center user name)")
	fl.StringSliceVar(&opts.Accounts, "account", nil, "the `ID` of the account holding the IAM user (must be the credentials' account)")
	fl.BoolVar(&opts.Force, "force", false, "go ahead even if the person has no Identity Center access")
	return cmd
}

// iamAccount is the account IAM calls reach, checked against --account.
func (c *common) iamAccount(ctx context.Context, want []string) (string, error) {
	set, err := c.f.Clients(ctx)
	if err != nil {
		return "", err
	}
	out, err := set.STS().GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return "", factory.Explain(err, "find the credentials' account")
	}
	acct := aws.ToString(out.Account)
	for _, w := range want {
		if w != acct {
			return "", fmt.Errorf("the credentials reach IAM in account %s, not %s: run again with a --profile for account %s", acct, w, w)
		}
	}
	return acct, nil
}

func runMigrate(ctx context.Context, opts *migrateOptions) error {
	d, err := opts.directory(ctx)
	if err != nil {
		return err
	}
	u, err := opts.user(ctx, d, opts.User)
	switch {
	case err != nil && !opts.Force:
		return err
	case err != nil:
		u = inventory.User{UserName: opts.User}
	case !opts.Force:
		ok, err := d.HasAccess(ctx, u)
		if err != nil {
			return factory.Explain(err, "check "+u.UserName+"'s Identity Center access")
		}
		if !ok && u.Status == "DISABLED" {
			return fmt.Errorf("refusing to retire the IAM user: %s is disabled in Identity Center, so the IAM user is their only way in (pass --force to retire it anyway)", u.UserName)
		}
		if !ok {
			return fmt.Errorf("refusing to retire the IAM user: %s has no Identity Center access yet (assign it first with `ssoctl user assign`, or pass --force)", u.UserName)
		}
	}
	name := opts.IAMUser
	if name == "" {
		name = u.UserName
	}
	acct, err := opts.iamAccount(ctx, opts.Accounts)
	if err != nil {
		return err
	}
	set, err := opts.f.Clients(ctx)
	if err != nil {
		return err
	}
	status, err := legacyiam.Inspect(ctx, set.IAM(), name)
	if err != nil {
		return factory.Explain(err, "read IAM user "+name)
	}
	status.Account = acct
	doc := migrateDoc{Account: acct, IAMUser: status, Steps: legacyiam.Steps(status)}
	if !status.Exists {
		if opts.JSON {
			return render.JSON(opts.IO.Out, doc)
		}
		fmt.Fprintf(opts.IO.Out, "No IAM user %s in account %s: nothing to retire.\n", render.Escape(name), acct)
		return nil
	}
	if !opts.JSON {
		fmt.Fprintf(opts.IO.Out, "Retire IAM user %s in account %s:\n", render.Escape(name), acct)
		writeSteps(opts.IO.Out, doc.Steps)
	}
	ok, err := opts.confirm("Retire IAM user " + name + "?")
	if err != nil || !ok {
		if err == nil && opts.JSON {
			return render.JSON(opts.IO.Out, doc)
		}
		return err
	}
	results, runErr := legacyiam.Run(ctx, set.IAM(), doc.Steps, func(r legacyiam.StepResult) {
		if !opts.JSON {
			writeStepResult(opts.IO.Out, r)
		}
	})
	doc.Applied, doc.Results = true, results
	if opts.JSON {
		if err := render.JSON(opts.IO.Out, doc); err != nil {
			return err
		}
	}
	if runErr != nil {
		return runErr
	}
	if !legacyiam.OK(results) {
		return &factory.PartialError{Err: errors.New("IAM user " + name + " was kept: a step failed (listed above); fix it and run the command again")}
	}
	if !opts.JSON {
		fmt.Fprintf(opts.IO.Out, "Retired IAM user %s in account %s.\n", render.Escape(name), acct)
	}
	return nil
}

func writeSteps(w io.Writer, steps []legacyiam.Step) {
	for i, s := range steps {
		fmt.Fprintf(w, "  %2d. %s\n", i+1, render.Escape(s.String()))
	}
}

func writeStepResult(w io.Writer, r legacyiam.StepResult) {
	switch {
	case r.AlreadyGone:
		fmt.Fprintf(w, "  done: %s (already gone)\n", render.Escape(r.Step.String()))
	case r.Done:
		fmt.Fprintf(w, "  done: %s\n", render.Escape(r.Step.String()))
	case r.Skipped:
		fmt.Fprintf(w, "  skipped: %s: %s\n", render.Escape(r.Step.String()), r.Error)
	default:
		fmt.Fprintf(w, "  FAILED: %s: %s\n", render.Escape(r.Step.String()), render.Escape(r.Error))
	}
}
