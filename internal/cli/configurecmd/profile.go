package configurecmd

import (
	"context"
	"errors"
	"fmt"
	"io"

	"charm.land/huh/v2"
	"github.com/spf13/cobra"

	"github.com/ssoctl/ssoctl/internal/cli/factory"
	"github.com/ssoctl/ssoctl/internal/cli/views"
	"github.com/ssoctl/ssoctl/internal/profiles"
	"github.com/ssoctl/ssoctl/internal/render"
	"github.com/ssoctl/ssoctl/internal/sso"
)

// ProfileOptions are `configure profile`'s inputs.
type ProfileOptions struct {
	Common
	// Pick chooses a role among roles (a picker on a terminal).
	Pick func([]sso.Role) (sso.Role, error)

	Name              string
	Account, Role     string
	Region            string
	CredentialProcess bool
}

// NewProfileCmd returns `ssoctl configure profile`. runF replaces the run
// function in tests.
func NewProfileCmd(f *factory.Factory, runF func(context.Context, *ProfileOptions) error) *cobra.Command {
	opts := &ProfileOptions{
		Common: newCommon(f),
		Pick:   Picker(f.IOStreams.In, f.IOStreams.ErrOut, f.IOStreams.Getenv("ACCESSIBLE") != ""),
	}
	var signIn factory.SignInFlags
	cmd := &cobra.Command{
		Use:   "profile NAME",
		Short: "Write one profile for an account and role",
		Long: `Write one profile, NAME, for an account and role you can reach, into
~/.aws/config (AWS_CONFIG_FILE), with the keys populate writes (sso_session,
sso_account_id, sso_role_name, region when given, ssoctl_managed = true; or
credential_process with --credential-process).

--account takes an account id or name and --role a role (permission set)
name; both are checked against what the signed-in person can reach. On a
terminal without them, a picker lists your accounts and roles (type to
filter). A profile NAME that ssoctl did not write is never overwritten.`,
		Example: `  ssoctl configure profile dev --account 111122223333 --role ReadOnlyAccess --region eu-west-1
  ssoctl configure profile prod-admin --account prod --role AdministratorAccess
  ssoctl configure profile dev            # pick the account and role`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if opts.Format, err = f.CommandFormat(cmd, "table", "table"); err != nil {
				return err
			}
			opts.Name = args[0]
			opts.Region = f.Global.Region
			if (opts.Account == "" || opts.Role == "") && !f.IOStreams.CanPrompt() {
				return factory.Usagef("--account and --role are required when not on a terminal")
			}
			opts.Target = func() (sso.Target, error) { return f.Target(signIn, "", "") }
			opts.Login = f.LoginOptions(signIn)
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return RunProfile(cmd.Context(), opts)
		},
	}
	factory.AddSignInFlags(cmd, &signIn, factory.AllSignInFlags)
	fl := cmd.Flags()
	fl.StringVar(&opts.Account, "account", "", "the account `ID|NAME`")
	fl.StringVar(&opts.Role, "role", "", "the role (permission set) `NAME`")
	fl.BoolVar(&opts.CredentialProcess, "credential-process", false, "write credential_process = ssoctl credential-process … instead of native Identity Center keys")
	factory.RegisterCompletions(f, cmd)
	factory.SetOutputs(cmd, "table", "json")
	return cmd
}

// RunProfile finds the role and writes its profile.
func RunProfile(ctx context.Context, opts *ProfileOptions) error {
	s, err := opts.begin()
	if err != nil {
		return err
	}
	role, all, err := factory.FindRole(ctx, s.m, s.t, opts.Account, opts.Role, opts.Login, opts.Pick)
	if err != nil {
		return err
	}
	if opts.Account == "" {
		factory.SaveRoles(opts.IO.Getenv, all)
	}
	spec := s.spec(profiles.Spec{CredentialProcess: opts.CredentialProcess})
	p, problems := profiles.One(opts.Name, role, opts.Region, spec)
	var desired []profiles.Profile
	if problems == nil {
		desired = []profiles.Profile{p}
	}
	res, before, after, err := s.write(ctx, desired, problems, spec, false, false)
	if err != nil {
		return err
	}
	if len(res.Problems) > 0 {
		return errors.New(res.Problems[0].Message())
	}
	return views.Populate(opts.Format, opts.IO.Out, opts.IO.ErrOut, res, before, after)
}

// Picker returns the account-and-role picker on a terminal: type / to
// filter. With accessible (ACCESSIBLE set, as huh honours it for screen
// readers) it lists the choices numbered and reads a number instead.
func Picker(in io.Reader, out io.Writer, accessible bool) func([]sso.Role) (sso.Role, error) {
	return func(roles []sso.Role) (sso.Role, error) {
		opts := make([]huh.Option[int], len(roles))
		for i, r := range roles {
			opts[i] = huh.NewOption(fmt.Sprintf("%s (%s)  %s", render.Escape(r.AccountName), r.AccountID, render.Escape(r.RoleName)), i)
		}
		chosen := -1
		sel := huh.NewSelect[int]().
			Title("Account and role (type / to filter)").
			Options(opts...).
			Filtering(true).
			Height(min(len(opts)+2, 15)).
			Value(&chosen)
		err := huh.NewForm(huh.NewGroup(sel)).WithInput(in).WithOutput(out).WithAccessible(accessible).Run()
		if err != nil {
			if errors.Is(err, huh.ErrUserAborted) {
				return sso.Role{}, context.Canceled
			}
			return sso.Role{}, err
		}
		if chosen < 0 || chosen >= len(roles) {
			return sso.Role{}, errors.New("no account and role chosen")
		}
		return roles[chosen], nil
	}
}
