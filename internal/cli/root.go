// Package cli is ssoctl's command line: the root command, its global flags,
// and the one place errors become exit codes.
package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ssoctl/ssoctl/internal/awsclient"
	"github.com/ssoctl/ssoctl/internal/childenv"
	"github.com/ssoctl/ssoctl/internal/cli/accesscmd"
	"github.com/ssoctl/ssoctl/internal/cli/admincmd"
	"github.com/ssoctl/ssoctl/internal/cli/auditcmd"
	"github.com/ssoctl/ssoctl/internal/cli/creds"
	eachcmd "github.com/ssoctl/ssoctl/internal/cli/each"
	"github.com/ssoctl/ssoctl/internal/cli/factory"
	"github.com/ssoctl/ssoctl/internal/cli/login"
	"github.com/ssoctl/ssoctl/internal/cli/sandbox"
	"github.com/ssoctl/ssoctl/internal/cli/usercmd"
	"github.com/ssoctl/ssoctl/internal/iostreams"
)

// Exit codes (DESIGN.md).
const (
	ExitOK          = 0
	ExitError       = 1
	ExitUsage       = 2
	ExitPartial     = 3
	ExitSignIn      = 4
	ExitInterrupted = 130
)

// Main runs ssoctl with args and returns the process exit code.
func Main(ctx context.Context, args []string, ios *iostreams.IOStreams) int {
	f := factory.New(ios)
	defer f.Close()
	root := NewRootCmd(f)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	return exitCode(ctx, ios, err)
}

// exitCode reports err on stderr (one line) and maps it to an exit code.
func exitCode(ctx context.Context, ios *iostreams.IOStreams, err error) int {
	if err == nil {
		return ExitOK
	}
	var silent *factory.SilentError
	if errors.As(err, &silent) {
		return silent.Code
	}
	if ctx.Err() != nil || errors.Is(err, context.Canceled) {
		fmt.Fprintln(ios.ErrOut, "ssoctl: interrupted")
		return ExitInterrupted
	}
	if u, ok := awsclient.Unreachable(err); ok {
		// The endpoint and what to check, not the SDK's chain of ten
		// wrapped messages.
		err = u
	}
	msg := strings.TrimSpace(strings.ReplaceAll(err.Error(), "\n", " "))
	fmt.Fprintln(ios.ErrOut, "ssoctl: "+msg)
	var usage *factory.UsageError
	var partial *factory.PartialError
	var start *childenv.StartError
	switch {
	case errors.As(err, &usage) || isCobraUsage(err):
		fmt.Fprintln(ios.ErrOut, "Run 'ssoctl --help' for usage.")
		return ExitUsage
	case errors.As(err, &partial):
		return ExitPartial
	case errors.Is(err, factory.ErrSignInRequired):
		return ExitSignIn
	case errors.As(err, &start): // a command exec or each runs: 126 or 127
		return start.Code
	}
	return ExitError
}

// isCobraUsage recognises the argument errors cobra itself raises.
func isCobraUsage(err error) bool {
	m := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand flag", "accepts ", "requires at least", "requires at most", "flag needs an argument", "invalid argument", "required flag"} {
		if strings.HasPrefix(m, p) || strings.Contains(m, " "+p) {
			return true
		}
	}
	return false
}

// NewRootCmd builds the command tree.
func NewRootCmd(f *factory.Factory) *cobra.Command {
	root := &cobra.Command{
		Use:   "ssoctl",
		Short: "AWS IAM Identity Center for the people who use it and the people who run it",
		Long: `ssoctl signs people in to AWS IAM Identity Center and gives them every account
and role they were given; for administrators it audits who can reach what,
changes access safely, and proves it later.

Every command runs against the built-in sandbox with --sandbox, so you can
try it without an AWS account.`,
		Example: `  ssoctl audit --sandbox                 # effective-access report of the demo org
  ssoctl sandbox                         # serve the AWS emulator on loopback
  ssoctl completion bash > /etc/bash_completion.d/ssoctl`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(f.IOStreams.Out)
	root.SetErr(f.IOStreams.ErrOut)
	root.SetIn(f.IOStreams.In)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &factory.UsageError{Err: err} })
	root.PersistentPreRunE = func(*cobra.Command, []string) error {
		// A URL without a scheme would otherwise surface as ten retried
		// "unsupported protocol scheme" attempts, half a minute later.
		if u := f.Global.EndpointURL; u != "" {
			if err := awsclient.ValidateEndpointURL("--endpoint-url", u); err != nil {
				return &factory.UsageError{Err: err}
			}
		}
		return nil
	}
	pf := root.PersistentFlags()
	pf.StringVar(&f.Global.Profile, "profile", "", "AWS `profile` from ~/.aws/config")
	pf.StringVar(&f.Global.Region, "region", "", "AWS `region`")
	pf.StringVar(&f.Global.EndpointURL, "endpoint-url", "", "send every AWS call to this `URL` (else AWS_ENDPOINT_URL*)")
	pf.StringVarP(&f.Global.Output, "output", "o", "", "output `format`: table, json, csv (commands list theirs)")
	pf.BoolVar(&f.Global.Sandbox, "sandbox", false, "run against the built-in sandbox (demo organization), started in-process")

	root.AddCommand(newVersionCmd(f))
	root.AddCommand(sandbox.NewCmd(f, nil))
	root.AddCommand(auditcmd.NewCmd(f, nil))
	root.AddCommand(login.NewCmd(f, nil))
	root.AddCommand(login.NewLogoutCmd(f, nil))
	root.AddCommand(creds.NewRolesCmd(f, nil))
	root.AddCommand(creds.NewCredentialProcessCmd(f, nil))
	root.AddCommand(creds.NewExecCmd(f, nil))
	root.AddCommand(creds.NewExportCmd(f, nil))
	root.AddCommand(creds.NewCheckCmd(f, nil))
	root.AddCommand(eachcmd.NewCmd(f, nil))
	root.AddCommand(eachcmd.NewCredentialsCmd(f))
	root.AddCommand(admincmd.NewCmd(f))
	root.AddCommand(accesscmd.NewCmd(f))
	root.AddCommand(usercmd.NewCmd(f))
	return root
}

func newVersionCmd(f *factory.Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print ssoctl's version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintln(f.IOStreams.Out, "ssoctl "+awsclient.Version())
			return nil
		},
	}
}
