package usercmd

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/ssoctl/ssoctl/internal/cli/factory"
	"github.com/ssoctl/ssoctl/internal/cli/views"
	"github.com/ssoctl/ssoctl/internal/inventory"
	"github.com/ssoctl/ssoctl/internal/lifecycle"
	"github.com/ssoctl/ssoctl/internal/notify"
	"github.com/ssoctl/ssoctl/internal/orgconfig"
)

type notifyOptions struct {
	*common
	User     string
	Template string
	IAMUser  string
}

func newNotifyCmd(c *common, runF func(context.Context, *notifyOptions) error) *cobra.Command {
	opts := &notifyOptions{common: c}
	cmd := &cobra.Command{
		Use:   "notify USER --template welcome|migration",
		Short: "E-mail a person how to sign in (welcome) or that their IAM user is retired (migration)",
		Long: `Render an e-mail for a person and send it through SESv2 SendEmail.

welcome: the start URL, the SSO region, 'aws configure sso' with the org's
sso-session name, 'aws sso login --profile …', the AWS_PROFILE tip and
--no-browser / --use-device-code for machines without a browser, and what
the person can reach. migration: the same, and the date their IAM access
keys stop working (migration.iam_keys_stop).

Everything comes from the org settings (email.from, email.cc, email.region);
email.templates names a folder whose welcome.txt, welcome.html,
migration.txt, migration.html replace the built-in ones (the .txt's first
line is "Subject: …"). Without --yes the message is printed and not sent.`,
		Example: `  ssoctl user notify jane.doe --template welcome          # print it
  ssoctl user notify jane.doe --template welcome --yes    # send it
  ssoctl user notify bob.smith --template migration --yes`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.User = args[0]
			if opts.Template != "welcome" && opts.Template != "migration" {
				return factory.Usagef("--template must be welcome or migration")
			}
			if err := opts.output(); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runNotify(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVarP(&opts.Template, "template", "t", "welcome", "`welcome` or migration")
	cmd.Flags().StringVar(&opts.IAMUser, "iam-user", "", "the legacy IAM user's `name` the migration e-mail names (default: USER's user name)")
	return cmd
}

func runNotify(ctx context.Context, opts *notifyOptions) error {
	cfg, err := opts.settings(true)
	if err != nil {
		return err
	}
	d, err := opts.directory(ctx)
	if err != nil {
		return err
	}
	u, err := opts.user(ctx, d, opts.User)
	if err != nil {
		return err
	}
	iamUser := opts.IAMUser
	if iamUser == "" {
		iamUser = u.UserName
	}
	m, err := message(ctx, d, cfg, u, opts.Template, iamUser)
	if err != nil {
		return err
	}
	return views.Write(ctx, opts.view().Notify(), opts.gate(), views.Change[views.NotifyPlan, views.Notified]{
		Plan:     views.NotifyPlan{Template: opts.Template, Email: u.Email, Message: m},
		Todo:     1,
		Question: "Send this e-mail to " + u.Email + "?",
		Apply: func(ctx context.Context) (views.Notified, error) {
			id, err := opts.send(ctx, cfg, m)
			if err != nil {
				return views.Notified{}, err
			}
			r := views.Notified{MessageId: id}
			if opts.Template == "welcome" {
				// A welcome e-mail that `user create --notify` could not
				// send is recorded as pending; it is sent now.
				pending, err := d.PendingWelcome(ctx, u.Id)
				if err == nil {
					err = d.WelcomeSent(ctx, pending)
				}
				if err != nil {
					r.Warning = err.Error()
				}
			}
			return r, nil
		},
	})
}

// message renders a template for a user with their direct access.
func message(ctx context.Context, d *lifecycle.Directory, cfg *orgconfig.Config, u inventory.User, kind, iamUser string) (notify.Message, error) {
	data := notify.Data{
		GivenName: u.DisplayName, DisplayName: u.DisplayName, UserName: u.UserName, Email: u.Email,
		StartURL: cfg.StartURL, SSORegion: cfg.SSORegion, SSOSession: cfg.SSOSession,
		IAMKeysStop: cfg.Migration.IAMKeysStop, IAMUser: iamUser,
	}
	if given, err := d.GivenName(ctx, u.Id); err == nil && given != "" {
		data.GivenName = given
	}
	direct, err := d.Direct(ctx, u)
	if err != nil {
		return notify.Message{}, err
	}
	for _, a := range direct {
		data.Access = append(data.Access, notify.Access{PermissionSet: d.PermissionSetName(ctx, a.PermissionSetArn), AccountName: d.AccountName(ctx, a.AccountId), AccountId: a.AccountId})
	}
	m, err := notify.Render(kind, data, cfg.TemplatesDir())
	if err != nil {
		return m, err
	}
	m.From, m.CC = cfg.Email.From, cfg.Email.CC
	return m, nil
}

// send sends through SESv2 in the org's e-mail region.
func (c *common) send(ctx context.Context, cfg *orgconfig.Config, m notify.Message) (string, error) {
	set, err := c.f.Clients(ctx)
	if err != nil {
		return "", err
	}
	return notify.Send(ctx, set.SESv2(), cfg.EmailRegion(), m)
}
