// Package checkcmd is `ssoctl check`: what a sign-in needs, step by step,
// and what to do about the first thing that is wrong.
package checkcmd

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ssoctl/ssoctl/internal/awsclient"
	"github.com/ssoctl/ssoctl/internal/awsconfig"
	"github.com/ssoctl/ssoctl/internal/cli/factory"
	"github.com/ssoctl/ssoctl/internal/cli/views"
	"github.com/ssoctl/ssoctl/internal/inventory"
	"github.com/ssoctl/ssoctl/internal/iostreams"
	"github.com/ssoctl/ssoctl/internal/sso"
)

type checkOptions struct {
	IO      *iostreams.IOStreams
	Target  func() (sso.Target, error)
	Manager func() (*sso.Manager, error)
	// Instances lists the Identity Center instances a role's credentials
	// see from a Region.
	Instances func(ctx context.Context, region string, cr *sso.RoleCredentials) ([]inventory.NamedInstance, error)
	Now       func() time.Time
	JSON      bool
}

// finding is one step of a check.
type finding = views.Finding

// NewCheckCmd returns `ssoctl check`. runF replaces the run function in
// tests.
func NewCheckCmd(f *factory.Factory, runF func(context.Context, *checkOptions) error) *cobra.Command {
	opts := &checkOptions{IO: f.IOStreams, Now: time.Now, Manager: f.SignIn,
		Instances: func(ctx context.Context, region string, cr *sso.RoleCredentials) ([]inventory.NamedInstance, error) {
			set, err := f.RoleClients(ctx, region, cr)
			if err != nil {
				return nil, err
			}
			return inventory.Instances(ctx, set.SSOAdmin())
		}}
	var (
		signIn factory.SignInFlags
		role   factory.RoleFlags
	)
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Diagnose sign-in: configuration, token, portal access, and the role",
		Long: `Check, step by step, what a profile or sso-session needs, and say what to do
about the first thing that is wrong:

  config  the profile or [sso-session] is found, with a start URL and region
  token   a cached token exists and is valid (it is refreshed when expiring)
  portal  the AWS access portal accepts the token
  role    the account and role (of the profile, or -a/-r) give credentials
  regions where Identity Center lives, seen with the role's credentials:
          its primary Region (permission-set and assignment calls, which
          ssoctl's admin commands send there) and every enabled Region
          (sign-in works in any; sso_region should be one of them)
  chain   for a role chain (role_arn, source_profile), each role is assumed

Exit status: 0 when all is well, 4 when a sign-in is needed, 1 otherwise.
-o json prints the findings as JSON.`,
		Example: `  ssoctl check --profile dev
  ssoctl check --sso-session acme -a 123456789012 -r ReadOnly`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			format, err := f.CommandFormat(cmd, "text", "text")
			if err != nil {
				return err
			}
			opts.JSON = format == "json"
			opts.Target = func() (sso.Target, error) { return f.Target(signIn, role.Account, role.Role) }
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runCheck(cmd.Context(), opts)
		},
	}
	factory.AddSignInFlags(cmd, &signIn, factory.SelectFlags)
	factory.SetOutputs(cmd, "text", "json")
	factory.AddRoleFlags(cmd, &role, "to check")
	return cmd
}

func runCheck(ctx context.Context, opts *checkOptions) error {
	var found []finding
	failed := checkSteps(ctx, opts, func(f finding) { found = append(found, f) })
	format := "text"
	if opts.JSON {
		format = "json"
	}
	if err := views.Check(format, opts.IO.Out, views.CheckDoc{OK: failed == nil, Checks: found}); err != nil {
		return err
	}
	// The findings said it all; the root exits 4 for a sign-in, else 1.
	return factory.Reported(failed)
}

// checkSteps reports each step and returns the first failure (nil when
// all is well); it stops there.
func checkSteps(ctx context.Context, opts *checkOptions, report func(finding)) error {
	t, err := opts.Target()
	if err != nil {
		report(finding{Check: "config", Detail: awsclient.Explain(err).Error(), Fix: "add a [profile] with sso_session (and an [sso-session] with sso_start_url and sso_region) to ~/.aws/config, or name one with --profile or --sso-session"})
		// A finding, not a usage error: check exits 1 for it.
		return errors.New(err.Error())
	}
	m, err := opts.Manager()
	from := t.Config.Name()
	if t.Profile != "" {
		from = "profile " + t.Profile + ", " + from
	}
	report(finding{Check: "config", OK: true, Detail: fmt.Sprintf("%s: start URL %s, region %s", from, t.Config.StartURL, t.Config.Region)})

	if err != nil {
		report(finding{Check: "token", Detail: awsclient.Explain(err).Error()})
		return err
	}
	loginFix := "run `" + t.LoginCommand() + "`"
	tok, err := m.Token(ctx, t.Config, nil)
	if err != nil {
		if errors.Is(err, sso.ErrSignInRequired) {
			report(finding{Check: "token", Detail: awsclient.Explain(err).Error(), Fix: loginFix})
			return err
		}
		report(finding{Check: "token", Detail: awsclient.Explain(err).Error()})
		return err
	}
	left := tok.ExpiresAt.Sub(opts.Now()).Round(time.Minute)
	refresh := "not refreshable (sign in again when it expires)"
	if tok.Refreshable(opts.Now()) {
		refresh = "refreshable until the session ends"
	}
	report(finding{Check: "token", OK: true, Detail: fmt.Sprintf("valid until %s (%s left), %s", tok.ExpiresAt.UTC().Format(time.RFC3339), left, refresh)})

	accounts, err := m.Accounts(ctx, t.Config, nil)
	if err != nil {
		if errors.Is(err, sso.ErrSignInRequired) {
			report(finding{Check: "portal", Detail: awsclient.Explain(err).Error(), Fix: loginFix})
			return err
		}
		report(finding{Check: "portal", Detail: awsclient.Explain(err).Error(), Fix: "check sso_region and the start URL, and your network"})
		return err
	}
	report(finding{Check: "portal", OK: true, Detail: fmt.Sprintf("%d account(s) reachable", len(accounts))})

	if t.AccountID == "" || t.RoleName == "" {
		report(finding{Check: "role", Skipped: true, Detail: "no account and role to check (give a profile with sso_account_id and sso_role_name, or -a and -r)"})
		return nil
	}
	if !awsconfig.IsAccountID(t.AccountID) {
		a, err := sso.OneAccount(accounts, t.AccountID)
		if err != nil {
			report(finding{Check: "role", Detail: awsclient.Explain(err).Error(), Fix: "run `ssoctl roles` to see the accounts and roles you can use"})
			return err
		}
		t.AccountID = a.AccountID
	}
	name := ""
	for _, a := range accounts {
		if a.AccountID == t.AccountID {
			name = " (" + a.AccountName + ")"
		}
	}
	cr, err := m.RoleCredentials(ctx, t.Config, t.AccountID, t.RoleName, nil)
	if err != nil {
		switch {
		case errors.Is(err, sso.ErrSignInRequired):
			report(finding{Check: "role", Detail: awsclient.Explain(err).Error(), Fix: loginFix})
			return err
		case errors.Is(err, sso.ErrNoAccess):
			report(finding{Check: "role", Detail: fmt.Sprintf("%s in account %s%s: not given to you", t.RoleName, t.AccountID, name), Fix: "run `ssoctl roles` to see the accounts and roles you can use, or ask an administrator for the assignment"})
			return err
		}
		report(finding{Check: "role", Detail: awsclient.Explain(err).Error()})
		return err
	}
	report(finding{Check: "role", OK: true, Detail: fmt.Sprintf("%s in account %s%s: credentials valid until %s", t.RoleName, t.AccountID, name, cr.Expiration.UTC().Format(time.RFC3339))})

	if err := checkRegions(ctx, opts, t.Config.Region, cr, report); err != nil {
		return err
	}
	return checkChain(ctx, m, t, report)
}

// checkRegions reports where the Identity Center instance lives: its
// primary Region, where admin calls go, and the Regions sign-in may use.
// A role that may not list instances skips it.
func checkRegions(ctx context.Context, opts *checkOptions, ssoRegion string, cr *sso.RoleCredentials, report func(finding)) error {
	insts, err := opts.Instances(ctx, ssoRegion, cr)
	switch {
	case err != nil:
		report(finding{Check: "regions", Skipped: true, Detail: "the role cannot list Identity Center instances: " + awsclient.Explain(err).Error()})
		return nil
	case len(insts) == 0:
		report(finding{Check: "regions", Skipped: true, Detail: "the role sees no Identity Center instance from " + ssoRegion})
		return nil
	}
	for _, in := range insts {
		if in.PrimaryRegion == "" {
			report(finding{Check: "regions", OK: true, Detail: fmt.Sprintf("instance %s: AWS does not say its Regions; sign-in uses %s", in.Arn, ssoRegion)})
			continue
		}
		detail := fmt.Sprintf("instance %s: primary Region %s (admin calls go there); enabled in %s (sign-in may use any)",
			in.Arn, in.PrimaryRegion, strings.Join(in.Regions, ", "))
		switch {
		case ssoRegion == in.PrimaryRegion:
			detail += "; sso_region " + ssoRegion + " is the primary"
		case slices.Contains(in.Regions, ssoRegion):
			detail += "; sso_region " + ssoRegion + " is an additional Region"
		default:
			report(finding{Check: "regions", Detail: detail + "; sso_region " + ssoRegion + " is not one of them",
				Fix: "set sso_region to one of " + strings.Join(in.Regions, ", ")})
			return fmt.Errorf("sso_region %s is not an enabled Region of instance %s", ssoRegion, in.Arn)
		}
		report(finding{Check: "regions", OK: true, Detail: detail})
	}
	return nil
}

// checkChain assumes, hop by hop, the roles of a role chain (none for a
// profile that is not one), from the cache where they are there. A hop
// that needs an MFA code is skipped when it is not cached: check asks for
// nothing.
func checkChain(ctx context.Context, m *sso.Manager, t sso.Target, report func(finding)) error {
	for i, h := range t.Chain {
		sub := t
		sub.Chain = t.Chain[:i+1]
		cr, err := m.ChainCredentials(ctx, sub, factory.ChainOptions(t, nil, "", nil))
		switch {
		case errors.Is(err, sso.ErrMFARequired):
			report(finding{Check: "chain", Skipped: true, Detail: fmt.Sprintf("profile %s: %s needs an MFA code", h.Profile, h.RoleARN), Fix: "run `ssoctl export --profile " + h.Profile + "` at a terminal"})
			return nil
		case err != nil:
			report(finding{Check: "chain", Detail: err.Error(), Fix: "check role_arn, and that the role's trust policy allows " + sourceName(t, i)})
			return err
		}
		report(finding{Check: "chain", OK: true, Detail: fmt.Sprintf("profile %s: %s, credentials valid until %s", h.Profile, h.RoleARN, cr.Expiration.UTC().Format(time.RFC3339))})
	}
	return nil
}

// sourceName is what assumes hop i of t's chain, for people.
func sourceName(t sso.Target, i int) string {
	if i == 0 {
		return fmt.Sprintf("the Identity Center role %s of account %s", t.RoleName, t.AccountID)
	}
	return t.Chain[i-1].RoleARN
}
