package credscmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"syscall"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/spf13/cobra"

	"github.com/ssoctl/ssoctl/internal/childenv"
	"github.com/ssoctl/ssoctl/internal/cli/factory"
	"github.com/ssoctl/ssoctl/internal/cli/views"
	"github.com/ssoctl/ssoctl/internal/iostreams"
	"github.com/ssoctl/ssoctl/internal/sso"
)

type execOptions struct {
	IO      *iostreams.IOStreams
	Source  roleSource
	Region  string // --region
	Environ func() []string
	Argv    []string
	// Serve runs the command with a container-credentials endpoint
	// instead of keys in its environment.
	Serve bool
}

// NewExecCmd returns `ssoctl exec`. runF replaces the run function in tests.
func NewExecCmd(f *factory.Factory, runF func(context.Context, *execOptions) error) *cobra.Command {
	opts := &execOptions{IO: f.IOStreams, Environ: os.Environ}
	r := &roleFlags{}
	cmd := &cobra.Command{
		Use:   "exec [--profile P | -a ACCOUNT -r ROLE] -- COMMAND [ARG...]",
		Short: "Run a command with a role's credentials in its environment",
		Long: `Run COMMAND with a role's credentials in its environment:
AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN,
AWS_CREDENTIAL_EXPIRATION, AWS_REGION and AWS_DEFAULT_REGION (from --region
or the profile, when either gives one), SSOCTL_ACCOUNT_ID and
SSOCTL_ROLE_NAME. AWS_PROFILE, AWS_DEFAULT_PROFILE and AWS_SECURITY_TOKEN
are removed, so the command's AWS CLI or SDK uses these credentials instead
of resolving a profile again (the environment ssoctl each gives its runs).

With --serve the command gets no keys: AWS_CONTAINER_CREDENTIALS_FULL_URI
and AWS_CONTAINER_AUTHORIZATION_TOKEN point its AWS CLI or SDK at an
endpoint ssoctl serves on a loopback port while the command runs (see
` + "`ssoctl serve-credentials`" + `), which hands out fresh credentials whenever the
SDK asks: for a dev server, a test suite or anything that outlives one
role session. Inherited AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
AWS_SESSION_TOKEN, web-identity and other container-credential variables
are removed, since the SDKs would use them first.

The role is named as for credential-process: a profile (with
sso_account_id and sso_role_name, or a role chain: role_arn and
source_profile, resolved as the AWS CLI resolves it), or --account and
--role. ssoctl exits with the command's exit status; 127 when the command is
not found, 126 when it is not executable, as a shell does. Without a usable
token it exits 4 unless --login.`,
		Example: `  ssoctl exec --profile dev -- aws s3 ls
  ssoctl exec -a 123456789012 -r ReadOnly -- terraform plan
  ssoctl exec --profile dev --serve -- npm run dev`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Source, opts.Region, opts.Argv = r.source(f), f.Global.Region, args
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runExec(cmd.Context(), opts)
		},
	}
	cmd.Flags().SetInterspersed(false)
	r.add(cmd)
	cmd.Flags().BoolVar(&opts.Serve, "serve", false, "serve the credentials to the command from a loopback container-credentials endpoint, refreshed as they near expiry, instead of keys in its environment")
	return cmd
}

func runExec(ctx context.Context, opts *execOptions) error {
	var env []string
	if opts.Serve {
		ep, err := startEndpoint(ctx, opts.Source, "127.0.0.1:0", opts.IO.ErrOut)
		if err != nil {
			return err
		}
		defer ep.stop()
		t := ep.target
		env = childenv.BuildServed(opts.Environ(), childenv.Served{URL: ep.url, Token: ep.token,
			Role: sso.Role{AccountID: t.AccountID, RoleName: t.RoleName, Region: region(opts.Region, t)}})
		if key := defaultCredentials(opts.IO.Getenv); key != "" {
			views.ExecServeWarning(opts.IO.ErrOut, key)
		}
	} else {
		t, cr, err := opts.Source.credentials(ctx)
		if err != nil {
			return err
		}
		env = childenv.Build(opts.Environ(), childRole(t, region(opts.Region, t)), childCredentials(cr))
	}
	c := exec.Command(opts.Argv[0], opts.Argv[1:]...)
	c.Env = env
	c.Stdin, c.Stdout, c.Stderr = opts.IO.In, opts.IO.Out, opts.IO.ErrOut
	// An interrupt (Ctrl-C) reaches the command through the terminal's
	// process group; a SIGTERM or SIGHUP sent to ssoctl alone (a supervisor
	// stopping it, a closed SSH session) is passed on, so the command is
	// never left running. ssoctl waits for it and passes its status on.
	if err := c.Start(); err != nil {
		// Not found: 127; not executable: 126, as shells exit.
		return childenv.StartFailure(opts.Argv[0], err)
	}
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGHUP)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case sig := <-sigs:
				_ = c.Process.Signal(sig)
			case <-done:
				return
			}
		}
	}()
	err := c.Wait()
	signal.Stop(sigs)
	close(done)
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code := ee.ExitCode()
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			code = 128 + int(ws.Signal())
		}
		return &factory.ExitStatusError{Code: code}
	}
	if err != nil {
		return fmt.Errorf("run %s: %w", opts.Argv[0], err)
	}
	return nil
}

// childRole is the role as the command's environment carries it.
func childRole(t sso.Target, region string) sso.Role {
	return sso.Role{AccountID: t.AccountID, RoleName: t.RoleName, Region: region}
}

// childCredentials are the role's credentials as the SDK holds them.
func childCredentials(cr *sso.RoleCredentials) aws.Credentials {
	return aws.Credentials{
		AccessKeyID: cr.AccessKeyID, SecretAccessKey: cr.SecretAccessKey, SessionToken: cr.SessionToken,
		CanExpire: true, Expires: cr.Expiration,
	}
}
