// Package configurecmd is `ssoctl configure populate` and `ssoctl configure
// profile`: profiles in ~/.aws/config for the accounts and roles a person
// can reach, edited through the config file's lossless model.
package configurecmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"sync/atomic"

	"github.com/spf13/cobra"

	"github.com/ssoctl/ssoctl/internal/awsconfig"
	"github.com/ssoctl/ssoctl/internal/cli/factory"
	"github.com/ssoctl/ssoctl/internal/cli/views"
	"github.com/ssoctl/ssoctl/internal/iostreams"
	"github.com/ssoctl/ssoctl/internal/profiles"
	"github.com/ssoctl/ssoctl/internal/render"
	"github.com/ssoctl/ssoctl/internal/sso"
)

// NewCmd returns `ssoctl configure` with its subcommands.
func NewCmd(f *factory.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "configure",
		Short: "Write ~/.aws/config profiles for your accounts and roles",
		Long: `Write profiles in ~/.aws/config (AWS_CONFIG_FILE) for the accounts and roles you
were given, which the AWS CLI and every SDK then use natively.

ssoctl only ever changes or removes profiles it wrote (they carry
ssoctl_managed = true); every other byte of the file stays as it was.`,
	}
	cmd.AddCommand(NewPopulateCmd(f, nil), NewProfileCmd(f, nil))
	return cmd
}

// Common are the inputs both configure commands take: the streams, the
// sign-in, and the config file.
type Common struct {
	IO      *iostreams.IOStreams
	Target  func() (sso.Target, error)
	Manager func() (*sso.Manager, error)
	Login   *sso.LoginOptions
	// ConfigPath is the config file to edit.
	ConfigPath func() (string, error)
	Format     string
}

func newCommon(f *factory.Factory) Common {
	return Common{
		IO:         f.IOStreams,
		Manager:    f.SignIn,
		ConfigPath: func() (string, error) { return awsconfig.Path(f.IOStreams.Getenv) },
	}
}

// PopulateOptions are `configure populate`'s inputs.
type PopulateOptions struct {
	Common
	Spec   profiles.Spec
	Prune  bool
	DryRun bool
}

// NewPopulateCmd returns `ssoctl configure populate`. runF replaces the run
// function in tests.
func NewPopulateCmd(f *factory.Factory, runF func(context.Context, *PopulateOptions) error) *cobra.Command {
	opts := &PopulateOptions{Common: newCommon(f)}
	var signIn factory.SignInFlags
	var trim string
	cmd := &cobra.Command{
		Use:   "populate",
		Short: "Write a profile for every account and role you can reach",
		Long: `Write one profile per account and role (and region, with --region) that the
signed-in person can reach, into ~/.aws/config (AWS_CONFIG_FILE).

Each profile holds sso_session, sso_account_id, sso_role_name, region (when
given) and the marker ssoctl_managed = true, so the AWS CLI and the SDKs use
Identity Center natively and refresh the token themselves. With
--credential-process it holds credential_process = ssoctl credential-process
… instead, for tools without Identity Center support.

Names come from --name, a Go template over .AccountName, .AccountId,
.RoleName, .Region and .SSOSession; the default is
{{.AccountName}}.{{.RoleName}}, with .{{.Region}} added when more than one
--region is given. --trim-account-name removes a pattern from account names
first, --lower lower-cases names, --replace-spaces replaces their spaces.
Names are ones the AWS CLI and boto3 read: in account names, each run of
spaces, quotes, backslashes or brackets becomes - (Control Tower's
"Log Archive" gives Log-Archive.AWSAdministratorAccess); a name that still
cannot be read (a space in --name, say) is reported with the reason and not
written (exit 3). A profile an earlier ssoctl wrote under such a name, which
no tool could use, is replaced.

Only profiles carrying the marker and belonging to this sign-in are ever
changed or removed; every other byte of the file (comments, blank lines, line
endings, other sections, their order) stays as it is. A name that two roles
would share, or that a profile ssoctl did not write already uses, is
reported and not written (exit 3). A second run with nothing new changes no
byte. --prune removes marked profiles whose account and role are no longer
reachable (a profile of a role still reachable stays, whatever its name).
--dry-run prints the change as a unified diff and writes nothing. An account
whose roles cannot be listed is reported, its profiles are neither written
nor pruned, the others' are written, and ssoctl exits 3.

The sign-in is named as for ` + "`ssoctl login`" + `. The file is written atomically
under a lock, keeping its mode; two runs at once lose nothing.`,
		Example: `  ssoctl configure populate
  ssoctl configure populate --sso-session acme --region eu-west-1 --region us-east-1
  ssoctl configure populate --name '{{.AccountName}}-{{.RoleName}}' --lower --replace-spaces -
  ssoctl configure populate --trim-account-name '^acme-' --prune --dry-run
  ssoctl configure populate --credential-process`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var err error
			if opts.Format, err = f.CommandFormat(cmd, "table", "table"); err != nil {
				return err
			}
			if trim != "" {
				if opts.Spec.TrimAccount, err = regexp.Compile(trim); err != nil {
					return factory.Usagef("--trim-account-name: %v", err)
				}
			}
			if err := opts.Spec.Check(len(opts.Spec.Regions)); err != nil {
				return factory.Usagef("--name: %v", err)
			}
			opts.Target = func() (sso.Target, error) { return f.Target(signIn, "", "") }
			opts.Login = f.LoginOptions(signIn)
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return RunPopulate(cmd.Context(), opts)
		},
	}
	factory.AddSignInFlags(cmd, &signIn, factory.AllSignInFlags)
	fl := cmd.Flags()
	fl.StringArrayVar(&opts.Spec.Regions, "region", nil, "write the profiles for this `region` (repeatable: one profile per region)")
	fl.StringVar(&opts.Spec.Template, "name", "", "profile name `template` (Go text/template; default {{.AccountName}}.{{.RoleName}})")
	fl.StringVar(&trim, "trim-account-name", "", "remove this `regex` from account names before naming")
	fl.BoolVar(&opts.Spec.Lower, "lower", false, "lower-case profile names")
	fl.StringVar(&opts.Spec.SpaceReplace, "replace-spaces", "", "replace spaces in profile names with this `string`")
	fl.BoolVar(&opts.Spec.CredentialProcess, "credential-process", false, "write credential_process = ssoctl credential-process … instead of native Identity Center keys")
	fl.BoolVar(&opts.Prune, "prune", false, "remove ssoctl's profiles of this sign-in that are no longer reachable")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "print the change as a unified diff; write nothing")
	factory.RegisterCompletions(f, cmd)
	factory.SetOutputs(cmd, "table", "json")
	return cmd
}

// session is what both commands start from: the sign-in, the config
// file's path and the sign-in Manager.
type session struct {
	t    sso.Target
	path string
	m    *sso.Manager
}

func (c Common) begin() (s session, err error) {
	if s.t, err = c.Target(); err != nil {
		return s, err
	}
	if s.path, err = c.ConfigPath(); err != nil {
		return s, err
	}
	s.m, err = c.Manager()
	return s, err
}

// spec completes a Spec with the sign-in the profiles use.
func (s session) spec(base profiles.Spec) profiles.Spec {
	base.Session, base.StartURL, base.SSORegion = s.t.Config.Session, s.t.Config.StartURL, s.t.Config.Region
	return base
}

// write plans the desired profiles against the config file and writes
// them under the file's lock (dryRun: reads the file and writes nothing),
// returning the result and the file's text before and after.
func (s session) write(ctx context.Context, desired []profiles.Profile, problems []profiles.Problem, spec profiles.Spec, prune, dryRun bool) (res views.PopulateDoc, before, after []byte, err error) {
	var plan *profiles.Plan
	edit := func(doc *awsconfig.Doc) error {
		plan = profiles.MakePlan(doc, desired, problems, spec, prune)
		plan.Apply(doc)
		return nil
	}
	if dryRun {
		before, err = os.ReadFile(s.path)
		if err != nil && !os.IsNotExist(err) {
			return res, nil, nil, fmt.Errorf("read %s: %w", s.path, err)
		}
		doc := awsconfig.ParseDoc(before)
		_ = edit(doc)
		after = doc.Bytes()
	} else if before, after, err = awsconfig.Edit(ctx, s.path, edit); err != nil {
		return res, nil, nil, err
	}
	res = views.PopulateDoc{Path: s.path, DryRun: dryRun, Summary: plan.Summary(), Changes: plan.Changes, Problems: plan.Problems}
	return res, before, after, nil
}

// RunPopulate lists the roles, plans the profiles and writes them.
func RunPopulate(ctx context.Context, opts *PopulateOptions) error {
	s, err := opts.begin()
	if err != nil {
		return err
	}
	spec := s.spec(opts.Spec)
	if spec.Session == "" {
		views.LegacySignIn(opts.IO.ErrOut)
	}
	progress := render.NewProgress(opts.IO.ErrOut, opts.IO.IsStderrTTY())
	var total, started atomic.Int64
	roles, err := s.m.Roles(ctx, s.t.Config, sso.RoleQuery{
		Concurrency: factory.PortalConcurrency,
		Account:     func(sso.Account) bool { total.Add(1); return true },
		Known: func(sso.Account) ([]string, bool) {
			progress.Update("roles", int(started.Add(1)), int(total.Load()))
			return nil, false
		},
	}, opts.Login)
	progress.Done()
	var partial *sso.PartialError // the others' profiles are written; exit 3
	if err != nil && !errors.As(err, &partial) {
		return factory.ExplainSignIn(err, s.t)
	}
	var unlisted []views.Unlisted
	if partial != nil {
		for _, f := range partial.Failed {
			spec.Unlisted = append(spec.Unlisted, f.Account.AccountID)
			unlisted = append(unlisted, views.Unlisted{AccountID: f.Account.AccountID, AccountName: f.Account.AccountName, Error: factory.Brief(f.Err)})
		}
	}
	factory.SaveRoles(opts.IO.Getenv, roles)
	desired, problems, err := profiles.Desired(roles, spec)
	if err != nil {
		return err
	}
	res, before, after, err := s.write(ctx, desired, problems, spec, opts.Prune, opts.DryRun)
	if err != nil {
		return err
	}
	res.Unlisted = unlisted
	if err := views.Populate(opts.Format, opts.IO.Out, opts.IO.ErrOut, res, before, after); err != nil {
		return err
	}
	var why []string
	if len(res.Problems) > 0 {
		why = append(why, fmt.Sprintf("%d profile(s) not written", len(res.Problems)))
	}
	if len(unlisted) > 0 {
		why = append(why, fmt.Sprintf("the roles of %d account(s) could not be listed", len(unlisted)))
	}
	if len(why) > 0 {
		return &factory.PartialError{Err: fmt.Errorf("%s (listed above)", strings.Join(why, "; "))}
	}
	return nil
}
