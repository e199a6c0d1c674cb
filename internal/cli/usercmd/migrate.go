package usercmd

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/spf13/cobra"

	"github.com/ssoctl/ssoctl/internal/awsclient"
	"github.com/ssoctl/ssoctl/internal/cli/factory"
	"github.com/ssoctl/ssoctl/internal/cli/views"
	"github.com/ssoctl/ssoctl/internal/inventory"
	"github.com/ssoctl/ssoctl/internal/legacyiam"
	"github.com/ssoctl/ssoctl/internal/lifecycle"
	"github.com/ssoctl/ssoctl/internal/render"
)

type migrateOptions struct {
	*common
	User           string
	IAMUser        string
	Accounts       []string
	AssumeRole     string
	Force          bool
	Deactivate     bool
	RemovePassword bool
	BeforeDeadline bool
}

func newMigrateCmd(c *common, runF func(context.Context, *migrateOptions) error) *cobra.Command {
	opts := &migrateOptions{common: c}
	cmd := &cobra.Command{
		Use:   "migrate-iam USER [--deactivate [--remove-password]] [--iam-user NAME] [--account ID|NAME]... [--assume-role NAME]",
		Short: "Retire a person's legacy IAM user: deactivate its keys now, delete it on the announced date",
		Long: `Retire the legacy IAM user of the same name (or --iam-user) once the person
signs in through Identity Center, in the two stages the migration e-mail
announces (ssoctl user notify USER --template migration):

1. Now, with --deactivate: every active access key is set Inactive — the
   key stops working but is kept, so the step can be undone (each key's
   "aws iam update-access-key … --status Active" is printed) — and with
   --remove-password the console password (login profile) is deleted too.
   Nothing else changes.

2. On or after the date the e-mail announced (migration.iam_keys_stop in
   the org settings), without --deactivate: the user is deleted in the
   order IAM requires: the console password, access keys (each shown with
   its last use first), signing certificates, SSH public keys,
   service-specific credentials, MFA devices (deactivated; virtual ones
   deleted), inline policies, attached policies, group memberships, then
   the user. Before that date it is refused: people were promised their
   keys work until then (--before-deadline deletes anyway). Without a date
   in the org settings the deletion can run at any time.

Each stage prints its plan and changes nothing without --yes; the audit's
IAMStage column (ssoctl audit --iam) shows where each legacy user stands:
active, keys-deactivated or deactivated.

It refuses unless the person has Identity Center access (an assignment,
directly or through a group), so nobody is locked out; --force overrides.

Without --account the IAM user is looked for in the account of the
credentials used (--profile). With --account (repeatable; id or name) it is
retired in each account named, as administrators do it from the management
account: ssoctl assumes a role in each other account (--assume-role,
default OrganizationAccountAccessRole, the role AWS Organizations creates
in the accounts it creates) and runs the checklist there; the credentials'
own account needs no role. Each account's plan and result is shown; an
account that fails (the role cannot be assumed, a step fails) does not stop
the others, and the command then exits 3. With -o json: one document for one
account, a list of them for several.

Something already gone counts as done, so an interrupted run can be run
again.`,
		Example: `  # stage 1, now: the access keys stop working (reversible), the console password goes too
  ssoctl user migrate-iam alice.johnson --deactivate --remove-password
  ssoctl user migrate-iam alice.johnson --deactivate --remove-password --yes
  # stage 2, on or after migration.iam_keys_stop: the whole checklist, each key's last use shown
  ssoctl user migrate-iam alice.johnson
  ssoctl user migrate-iam alice.johnson --yes
  ssoctl user migrate-iam alice.johnson --before-deadline --yes   # delete before the announced date
  ssoctl user migrate-iam alice@example.com --iam-user alice --force --yes
  # the same IAM user in two member accounts, from the management account
  ssoctl user migrate-iam alice.johnson --account payments-prod --account 123456789012 --yes
  ssoctl user migrate-iam alice.johnson --account payments-prod --assume-role AdminAccessRole`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.User = args[0]
			if opts.RemovePassword && !opts.Deactivate {
				return factory.Usagef("--remove-password goes with --deactivate (the deletion removes the password anyway)")
			}
			if opts.BeforeDeadline && opts.Deactivate {
				return factory.Usagef("--before-deadline is for the deletion; --deactivate runs at any time")
			}
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
	fl.BoolVar(&opts.Deactivate, "deactivate", false, "stage 1: set the IAM user's access keys Inactive (reversible) instead of deleting the user")
	fl.BoolVar(&opts.RemovePassword, "remove-password", false, "with --deactivate: also delete the console password (login profile)")
	fl.BoolVar(&opts.BeforeDeadline, "before-deadline", false, "delete even before migration.iam_keys_stop, the date the migration e-mail announced")
	fl.StringVar(&opts.IAMUser, "iam-user", "", "the IAM user's `name` (default: the Identity Center user name)")
	fl.StringSliceVar(&opts.Accounts, "account", nil, "an account holding the IAM user, by `ID|NAME` (repeatable; default: the credentials' account)")
	fl.StringVar(&opts.AssumeRole, "assume-role", legacyiam.DefaultAccessRole, "the IAM role `NAME` assumed in each --account other than the credentials' own")
	fl.BoolVar(&opts.Force, "force", false, "go ahead even if the person has no Identity Center access")
	return cmd
}

// iamAccount is the account of the credentials, where IAM calls land.
func (c *common) iamAccount(ctx context.Context) (string, error) {
	set, err := c.f.Clients(ctx)
	if err != nil {
		return "", err
	}
	out, err := set.STS().GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return "", factory.Explain(err, "find the credentials' account")
	}
	return aws.ToString(out.Account), nil
}

// migrateTarget is one account whose IAM user is retired, and the IAM
// client that reaches it.
type migrateTarget struct {
	doc *views.MigrateDoc
	iam legacyiam.IAM
}

// migrateTargets resolves --account to the accounts' IAM clients: the
// credentials' own for their account, an assumed role's for the others.
// A role that cannot be assumed is that account's error, not the command's.
func (opts *migrateOptions) migrateTargets(ctx context.Context, d *lifecycle.Directory) ([]*migrateTarget, error) {
	set, err := opts.f.Clients(ctx)
	if err != nil {
		return nil, err
	}
	who, err := set.STS().GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return nil, factory.Explain(err, "find the credentials' account")
	}
	own := aws.ToString(who.Account)
	if len(opts.Accounts) == 0 {
		return []*migrateTarget{{doc: &views.MigrateDoc{Account: own}, iam: set.IAM()}}, nil
	}
	partition := "aws"
	if p := strings.SplitN(aws.ToString(who.Arn), ":", 3); len(p) == 3 {
		partition = p[1]
	}
	var out []*migrateTarget
	seen := map[string]bool{}
	for _, ref := range opts.Accounts {
		a, err := d.Account(ctx, ref)
		if errors.Is(err, inventory.ErrNotFound) {
			return nil, &factory.UsageError{Err: fmt.Errorf("--account %s: no such account in the organization (give an account id or name)%s", ref, closest(d.AccountSuggestions(ctx, ref)))}
		}
		if err != nil {
			return nil, factory.Explain(err, "find account "+ref)
		}
		if seen[a.Id] {
			continue
		}
		seen[a.Id] = true
		t := &migrateTarget{doc: &views.MigrateDoc{Account: a.Id, AccountName: a.Name}}
		out = append(out, t)
		if a.Id == own {
			t.iam = set.IAM()
			continue
		}
		role := legacyiam.RoleARN(partition, a.Id, opts.AssumeRole)
		rs := set.AssumeRole(role, "ssoctl-migrate-iam")
		if _, err := rs.Config.Credentials.Retrieve(ctx); err != nil {
			t.doc.Error = "cannot assume role " + role + ": " + apiMessage(err)
			continue
		}
		t.iam = rs.IAM()
	}
	return out, nil
}

// apiMessage is an AWS error's code and message, without the SDK's chain.
func apiMessage(err error) string { return awsclient.Message(err) }

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
	stage, verb := "delete", "Retire"
	if opts.Deactivate {
		stage, verb = "deactivate", "Deactivate"
	}
	// The deletion keeps the promise of the migration e-mail: not before the
	// day it announced.
	var deadline time.Time
	if !opts.Deactivate {
		cfg, err := opts.settings(false)
		if err != nil {
			return err
		}
		if cfg != nil {
			if deadline, err = legacyiam.Deadline(cfg.Migration.IAMKeysStop); err != nil {
				return fmt.Errorf("%s: migration.iam_keys_stop: %w", cfg.Path, err)
			}
		}
	}
	early := !legacyiam.Due(deadline, time.Now()) && !opts.BeforeDeadline
	targets, err := opts.migrateTargets(ctx, d)
	if err != nil {
		return err
	}
	single := len(targets) == 1
	plan := views.MigratePlan{Name: name, Deactivate: opts.Deactivate}
	pending := 0
	for _, t := range targets {
		plan.Accounts = append(plan.Accounts, t.doc)
		t.doc.Stage = stage
		if t.doc.Error == "" {
			status, err := legacyiam.Inspect(ctx, t.iam, name)
			if err != nil && single {
				return factory.Explain(err, "read IAM user "+name)
			}
			if err != nil {
				t.doc.Error = "read IAM user " + name + ": " + apiMessage(err)
			}
			status.Account = t.doc.Account
			t.doc.IAMUser = status
			if opts.Deactivate {
				t.doc.Steps = legacyiam.DeactivateSteps(status, opts.RemovePassword)
			} else {
				t.doc.Steps = legacyiam.Steps(status)
			}
		}
		if t.doc.Error == "" && len(t.doc.Steps) > 0 {
			pending++
		}
	}
	var refuse error
	if pending > 0 && early {
		msg := fmt.Sprintf("the migration e-mail announced that legacy IAM keys stop working on %s (migration.iam_keys_stop): deleting IAM user %s is due on or after that day", deadline.Format(time.DateOnly), name)
		if !opts.Yes || opts.DryRun {
			plan.Early = msg
		} else {
			refuse = fmt.Errorf("refusing: %s. Now, deactivate the keys with --deactivate (reversible), or pass --before-deadline to delete anyway", msg)
		}
	}
	question := verb + " IAM user " + name + "?"
	if !single {
		question = verb + " IAM user " + name + " in " + plural(pending, "account") + "?"
	}
	v := opts.view().Migrate()
	return views.Write(ctx, v, opts.gate(), views.Change[views.MigratePlan, struct{}]{
		Plan:     plan,
		Todo:     pending,
		Question: question,
		Refuse:   refuse,
		Apply: func(ctx context.Context) (struct{}, error) {
			for _, t := range targets {
				if t.doc.Error != "" || len(t.doc.Steps) == 0 {
					continue
				}
				v.Account(plan, t.doc)
				results, runErr := legacyiam.Run(ctx, t.iam, t.doc.Steps, v.Step)
				t.doc.Applied, t.doc.Results = true, results
				switch {
				case runErr != nil && single:
					return struct{}{}, runErr
				case runErr != nil:
					t.doc.Error = apiMessage(runErr)
				case !legacyiam.OK(results) && opts.Deactivate:
					t.doc.Error = "IAM user " + name + ": a step failed"
				case !legacyiam.OK(results):
					t.doc.Error = "IAM user " + name + " was kept: a step failed"
				}
				v.Retired(plan, t.doc)
			}
			return struct{}{}, nil
		},
		Outcome: func(*struct{}) error { return migrateOutcome(name, targets) },
	})
}

// migrateOutcome is the error of a migration whose accounts (some of
// them) failed: 3 when some were done, 1 when none was.
func migrateOutcome(name string, targets []*migrateTarget) error {
	single := len(targets) == 1
	var failed []string
	for _, t := range targets {
		if t.doc.Error != "" {
			failed = append(failed, accountLabel(t.doc))
		}
	}
	switch {
	case len(failed) == 0:
		return nil
	case single && targets[0].doc.Applied:
		return &factory.PartialError{Err: errors.New("IAM user " + name + " was kept: a step failed (listed above); fix it and run the command again")}
	case single:
		return errors.New(targets[0].doc.Error)
	case len(failed) == len(targets):
		return fmt.Errorf("IAM user %s: every account failed (%s; listed above)", name, strings.Join(failed, ", "))
	}
	return &factory.PartialError{Err: fmt.Errorf("IAM user %s: %s failed (%s; listed above); the other accounts are done: fix it and run the command again", name, plural(len(failed), "account"), strings.Join(failed, ", "))}
}

// accountLabel is "ID" or "ID (NAME)", escaped for a terminal.
func accountLabel(d *views.MigrateDoc) string {
	if d.AccountName == "" {
		return d.Account
	}
	return d.Account + " (" + render.Escape(d.AccountName) + ")"
}
