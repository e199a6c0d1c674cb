// Package credscmd is the commands that hand out one role's credentials:
// credential-process, exec and export.
package credscmd

import (
	"cmp"
	"context"

	"github.com/spf13/cobra"

	"github.com/ssoctl/ssoctl/internal/cli/factory"
	"github.com/ssoctl/ssoctl/internal/sso"
)

// roleFlags name a role: a profile (global --profile), or an account and
// role in a sign-in.
type roleFlags struct {
	signIn factory.SignInFlags
	role   factory.RoleFlags
}

func (r *roleFlags) add(cmd *cobra.Command) {
	factory.AddSignInFlags(cmd, &r.signIn, factory.AllSignInFlags)
	// credential-process and exec have one format; export has --format.
	factory.SetOutputs(cmd)
	factory.AddRoleFlags(cmd, &r.role, "")
}

// target resolves the role; an account and a role are required.
func (r *roleFlags) target(f *factory.Factory) (sso.Target, error) {
	t, err := f.Target(r.signIn, r.role.Account, r.role.Role)
	if err != nil {
		return t, err
	}
	if t.AccountID == "" || t.RoleName == "" {
		return t, factory.Usagef("no account and role: use a profile with sso_account_id and sso_role_name (--profile), or --account and --role")
	}
	return t, nil
}

// roleSource is what a credential command needs: the resolved role, the
// sign-in Manager, and how to sign in (nil: not allowed).
type roleSource struct {
	Target  func() (sso.Target, error)
	Manager func() (*sso.Manager, error)
	Login   *sso.LoginOptions
	// Chain says how a role chain's AssumeRole calls are made.
	Chain func(sso.Target) sso.ChainOptions
}

func (r *roleFlags) source(f *factory.Factory) roleSource {
	login, mfa := f.LoginOptions(r.signIn), f.MFAPrompt()
	return roleSource{
		Target:  func() (sso.Target, error) { return r.target(f) },
		Manager: f.SignIn,
		Login:   login,
		Chain:   func(t sso.Target) sso.ChainOptions { return factory.ChainOptions(t, login, f.Global.Region, mfa) },
	}
}

// credentials returns the role's credentials (cached, or from the portal,
// and for a role chain, from sts). The target returned names the role the
// credentials are for: for a chain, its last role.
func (s roleSource) credentials(ctx context.Context) (sso.Target, *sso.RoleCredentials, error) {
	t, err := s.Target()
	if err != nil {
		return t, nil, err
	}
	m, err := s.Manager()
	if err != nil {
		return t, nil, err
	}
	if len(t.Chain) > 0 {
		cr, err := m.ChainCredentials(ctx, t, s.Chain(t))
		if err != nil {
			return t, nil, factory.ExplainSignIn(err, t)
		}
		return lastRole(t, cr), cr, nil
	}
	if t, err = factory.ResolveAccount(ctx, m, t, s.Login); err != nil {
		return t, nil, err
	}
	cr, err := m.RoleCredentials(ctx, t.Config, t.AccountID, t.RoleName, s.Login)
	if err != nil {
		return t, nil, factory.ExplainSignIn(err, t)
	}
	return t, cr, nil
}

// lastRole is t naming the last role of its chain: the account the
// credentials are for, and the role's name.
func lastRole(t sso.Target, cr *sso.RoleCredentials) sso.Target {
	last := t.Chain[len(t.Chain)-1]
	t.AccountID, t.RoleName = cmp.Or(cr.AccountID, last.AccountID()), last.RoleName()
	return t
}

// region is the region to hand on with credentials: --region, else the
// profile's region ("" when neither).
func region(flag string, t sso.Target) string {
	if flag != "" {
		return flag
	}
	return t.ProfileRegion
}
