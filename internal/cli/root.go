// Package cli is ssoctl's command line: the root command, its global flags,
// and the one place errors become exit codes.
package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/ssoctl/ssoctl/internal/awsclient"
	"github.com/ssoctl/ssoctl/internal/childenv"
	"github.com/ssoctl/ssoctl/internal/cli/accesscmd"
	"github.com/ssoctl/ssoctl/internal/cli/admincmd"
	"github.com/ssoctl/ssoctl/internal/cli/assignmentscmd"
	"github.com/ssoctl/ssoctl/internal/cli/auditcmd"
	"github.com/ssoctl/ssoctl/internal/cli/checkcmd"
	"github.com/ssoctl/ssoctl/internal/cli/configurecmd"
	"github.com/ssoctl/ssoctl/internal/cli/consolecmd"
	"github.com/ssoctl/ssoctl/internal/cli/credscmd"
	"github.com/ssoctl/ssoctl/internal/cli/eachcmd"
	"github.com/ssoctl/ssoctl/internal/cli/factory"
	"github.com/ssoctl/ssoctl/internal/cli/historycmd"
	"github.com/ssoctl/ssoctl/internal/cli/iaccmd"
	"github.com/ssoctl/ssoctl/internal/cli/logincmd"
	"github.com/ssoctl/ssoctl/internal/cli/reportcmd"
	"github.com/ssoctl/ssoctl/internal/cli/rolescmd"
	"github.com/ssoctl/ssoctl/internal/cli/sandbox"
	"github.com/ssoctl/ssoctl/internal/cli/usercmd"
	"github.com/ssoctl/ssoctl/internal/emulator"
	"github.com/ssoctl/ssoctl/internal/iostreams"
)

// Exit codes: 0 ok, 1 error, 2 usage, 3 partial result, 4 sign-in required,
// 130 interrupted; scripts depend on them.
const (
	ExitOK          = factory.ExitOK
	ExitError       = factory.ExitError
	ExitUsage       = factory.ExitUsage
	ExitPartial     = factory.ExitPartial
	ExitSignIn      = factory.ExitSignIn
	ExitInterrupted = factory.ExitInterrupted
)

// ExitCode maps a command's error to the process exit code (see
// factory.ExitCode; a command that exec or each could not start: 127 or
// 126, as shells give), for tests that run commands directly.
func ExitCode(err error) int {
	var start *childenv.StartError
	if errors.As(err, &start) {
		return start.Code
	}
	return factory.ExitCode(err)
}

// Main runs ssoctl with args and returns the process exit code.
func Main(ctx context.Context, args []string, ios *iostreams.IOStreams) int {
	f := factory.New(ios)
	defer f.Close()
	root := NewRootCmd(f)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	return exitCode(ctx, ios, err)
}

// exitCode reports err on stderr (one line, unless the command already
// reported it) and maps it to an exit code. This is the only place ssoctl
// decides its exit status.
func exitCode(ctx context.Context, ios *iostreams.IOStreams, err error) int {
	if err == nil {
		return ExitOK
	}
	if factory.IsReported(err) {
		return ExitCode(err)
	}
	if ctx.Err() != nil || errors.Is(err, context.Canceled) {
		fmt.Fprintln(ios.ErrOut, "ssoctl: interrupted")
		return ExitInterrupted
	}
	if u, ok := awsclient.Unreachable(err); ok {
		// The endpoint and what to check, not the SDK's chain of ten
		// wrapped messages.
		err = u
	} else {
		// What was being done, the service's code and message, and
		// what to check, in one line: not the SDK's chain.
		err = awsclient.Explain(err)
	}
	fmt.Fprintln(ios.ErrOut, "ssoctl: "+err.Error())
	code := ExitCode(err)
	if code == ExitUsage {
		fmt.Fprintln(ios.ErrOut, "Run 'ssoctl --help' for usage.")
	}
	return code
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
  ssoctl login && ssoctl roles           # sign in, then list your accounts and roles
  ssoctl sandbox                         # serve the AWS emulator on loopback
  ssoctl help formats                    # the output formats (-o) of every command
  ssoctl completion bash > /etc/bash_completion.d/ssoctl`,
		Version:       versionString(),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetVersionTemplate("ssoctl {{.Version}}\n")
	root.SetOut(f.IOStreams.Out)
	root.SetErr(f.IOStreams.ErrOut)
	root.SetIn(f.IOStreams.In)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &factory.UsageError{Err: err} })
	root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error {
		if err := f.CheckOutput(cmd); err != nil {
			return err
		}
		switch f.Global.SandboxOrg {
		case "", "small", "medium", "large":
		default:
			return factory.Usagef("--sandbox-org must be small, medium or large, not %q", f.Global.SandboxOrg)
		}
		if d := f.Global.SandboxActivityDays; d < 0 || d > emulator.MaxActivityDays {
			return factory.Usagef("--sandbox-activity-days must be between 0 and %d (LookupEvents keeps %d days), not %d", emulator.MaxActivityDays, emulator.MaxActivityDays, d)
		}
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
	pf.StringVarP(&f.Global.Output, "output", "o", "", "output `format`: each command's help lists those it takes (ssoctl help formats lists them all)")
	pf.BoolVar(&f.Global.CSVRaw, "csv-raw", false, "write CSV cells exactly as AWS has them (by default a cell starting with =, +, -, @, tab or CR gets a ' in front and control characters are escaped, so a spreadsheet cannot run a name as a formula)")
	pf.BoolVar(&f.Global.Sandbox, "sandbox", false, "run against the built-in sandbox (demo organization), started in-process")
	pf.StringVar(&f.Global.SandboxOrg, "sandbox-org", "", "the sandbox's demo `organization`: small (the default), medium or large (implies --sandbox)")
	pf.IntVar(&f.Global.SandboxActivityDays, "sandbox-activity-days", 0, "seed the sandbox with this many `DAYS` (at most 90) of sign-in history, in its CloudTrail (implies --sandbox)")
	pf.BoolVar(&f.Global.Debug, "debug", false, "print every AWS call's service, operation, attempt, HTTP status, duration and request id on stderr (never a secret)")

	root.AddCommand(newVersionCmd(f))
	root.AddCommand(assignmentscmd.NewCmd(f))
	root.AddCommand(iaccmd.NewCmd(f))
	root.AddCommand(sandbox.NewCmd(f, nil))
	root.AddCommand(auditcmd.NewCmd(f, nil))
	root.AddCommand(logincmd.NewCmd(f, nil))
	root.AddCommand(logincmd.NewLogoutCmd(f, nil))
	root.AddCommand(rolescmd.NewRolesCmd(f, nil))
	root.AddCommand(credscmd.NewCredentialProcessCmd(f, nil))
	root.AddCommand(credscmd.NewExecCmd(f, nil))
	root.AddCommand(credscmd.NewExportCmd(f, nil))
	root.AddCommand(credscmd.NewServeCmd(f, nil))
	root.AddCommand(checkcmd.NewCheckCmd(f, nil))
	root.AddCommand(eachcmd.NewCmd(f, nil))
	root.AddCommand(eachcmd.NewCredentialsCmd(f))
	root.AddCommand(admincmd.NewCmd(f))
	root.AddCommand(accesscmd.NewCmd(f))
	root.AddCommand(historycmd.NewCmd(f))
	root.AddCommand(reportcmd.NewCmd(f))
	root.AddCommand(configurecmd.NewCmd(f))
	root.AddCommand(consolecmd.NewCmd(f, nil))
	root.AddCommand(usercmd.NewCmd(f))
	factory.RegisterCompletionsTree(f, root)
	if v, _, err := root.Find([]string{"version"}); err == nil {
		factory.SetOutputs(v)
	}
	// cobra's completion command prints a script in one format; made here
	// (cobra would add it only at Execute) so the help lists it too.
	root.InitDefaultCompletionCmd()
	if c, _, err := root.Find([]string{"completion"}); err == nil && c != root {
		for _, sub := range append(c.Commands(), c) {
			factory.SetOutputs(sub)
		}
	}
	groupCommands(root)
	root.AddCommand(newFormatsTopic(root))
	return root
}
