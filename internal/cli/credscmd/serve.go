package credscmd

import (
	"context"
	"io"
	"path/filepath"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/spf13/cobra"

	"github.com/ssoctl/ssoctl/internal/awsconfig"
	"github.com/ssoctl/ssoctl/internal/cli/factory"
	"github.com/ssoctl/ssoctl/internal/cli/views"
	"github.com/ssoctl/ssoctl/internal/credserver"
	"github.com/ssoctl/ssoctl/internal/iostreams"
	"github.com/ssoctl/ssoctl/internal/sso"
)

type serveOptions struct {
	IO     *iostreams.IOStreams
	Source roleSource
	Listen string
}

// NewServeCmd returns `ssoctl serve-credentials`. runF replaces the run
// function in tests.
func NewServeCmd(f *factory.Factory, runF func(context.Context, *serveOptions) error) *cobra.Command {
	opts := &serveOptions{IO: f.IOStreams}
	r := &roleFlags{}
	cmd := &cobra.Command{
		Use:   "serve-credentials [--profile P | -a ACCOUNT -r ROLE] [--listen 127.0.0.1:0]",
		Short: "Serve a role's credentials to long-running programs (container-credentials endpoint)",
		Long: `Serve a role's credentials over the container-credentials protocol (the one
Amazon ECS serves tasks with), which every AWS SDK and the AWS CLI speak: a
program started with the two variables this prints asks the endpoint for
credentials whenever its own are about to expire, so it can run for hours or
days on a role whose credentials last one.

  export AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:PORT/
  export AWS_CONTAINER_AUTHORIZATION_TOKEN=<random token>

The role is named as for credential-process (a profile, role chains
included, or --account and --role). Credentials are fetched again before they
expire, through the same caches and the same single-flight sign-in as every
other command; without a usable token requests fail (and a warning says
which ` + "`ssoctl login`" + ` to run) until you sign in, unless --login.

The endpoint listens on a loopback address only (--listen 127.0.0.1:0 picks a
free port; anything else is refused), and every request must carry the
token: other users of the machine cannot read credentials from it. It serves
until interrupted.

The SDKs look for credentials in order, and AWS_ACCESS_KEY_ID, AWS_PROFILE or
a [default] profile with credentials of its own come before this endpoint:
leave them out of the program's environment (` + "`ssoctl exec --serve`" + ` does).

A container reaches the host's loopback only when it shares the host's
network (docker run --network host -e AWS_CONTAINER_CREDENTIALS_FULL_URI -e
AWS_CONTAINER_AUTHORIZATION_TOKEN …).`,
		Example: `  ssoctl serve-credentials --profile dev > /tmp/creds.env &
  sleep 1; eval "$(cat /tmp/creds.env)"; npm run dev
  ssoctl serve-credentials -a 123456789012 -r ReadOnly --listen 127.0.0.1:9911`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.Source = r.source(f)
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runServe(cmd.Context(), opts)
		},
	}
	r.add(cmd)
	cmd.Flags().StringVar(&opts.Listen, "listen", "127.0.0.1:0", "loopback `address` to listen on (port 0 picks a free port)")
	return cmd
}

func runServe(ctx context.Context, opts *serveOptions) error {
	ep, err := startEndpoint(ctx, opts.Source, opts.Listen, opts.IO.ErrOut)
	if err != nil {
		return err
	}
	views.ServeCredentials(opts.IO.Out, opts.IO.ErrOut, views.Serving{URL: ep.url, Token: ep.token,
		RoleName: ep.target.RoleName, AccountID: ep.target.AccountID, DefaultKey: defaultCredentials(opts.IO.Getenv)})
	select {
	case <-ctx.Done():
		_ = ep.stop()
		return ctx.Err()
	case <-ep.done:
		return ep.err
	}
}

// endpoint is a container-credentials endpoint serving one role, started
// by startEndpoint.
type endpoint struct {
	url, token string
	// target names the role served (the last of a chain).
	target sso.Target
	cancel func()
	done   chan struct{} // closed when it stops serving
	err    error         // why, once done is closed
}

// stop stops serving and returns why it had stopped, if on its own.
func (ep *endpoint) stop() error {
	ep.cancel()
	<-ep.done
	return ep.err
}

// startEndpoint listens on listen (a loopback address, else a usage
// error), fetches the role's credentials (so that a sign-in that is
// needed, or a role that cannot be had, fails before anything is served),
// then serves them until stop. Later failures to get credentials are
// warnings on errOut, once each.
func startEndpoint(ctx context.Context, src roleSource, listen string, errOut io.Writer) (*endpoint, error) {
	ln, err := credserver.Listen(listen)
	if err != nil {
		return nil, factory.Usagef("--listen: %v", err)
	}
	t, _, err := src.credentials(ctx)
	if err != nil {
		ln.Close()
		return nil, err
	}
	token, err := credserver.NewToken()
	if err != nil {
		ln.Close()
		return nil, err
	}
	srv := credserver.New(token, func(ctx context.Context) (aws.Credentials, error) {
		_, cr, err := src.credentials(ctx)
		if err != nil {
			return aws.Credentials{}, err
		}
		return aws.Credentials{AccessKeyID: cr.AccessKeyID, SecretAccessKey: cr.SecretAccessKey, SessionToken: cr.SessionToken,
			CanExpire: true, Expires: cr.Expiration, AccountID: cr.AccountID}, nil
	})
	var mu sync.Mutex
	said := map[string]bool{}
	srv.Failed = func(err error) {
		mu.Lock()
		defer mu.Unlock()
		if msg := err.Error(); !said[msg] {
			said[msg] = true
			views.ServeFailure(errOut, msg)
		}
	}
	sctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	ep := &endpoint{url: credserver.URL(ln), token: token, target: t, cancel: cancel, done: make(chan struct{})}
	go func() {
		ep.err = credserver.Serve(sctx, ln, srv)
		close(ep.done)
	}()
	return ep, nil
}

// defaultCredentials names what gives the [default] profile credentials
// of its own in the config or credentials file (a key the SDKs resolve
// before the container endpoint), or "".
func defaultCredentials(getenv func(string) string) string {
	var files []string
	if p, err := awsconfig.Path(getenv); err == nil {
		files = append(files, p)
	}
	if p := getenv("AWS_SHARED_CREDENTIALS_FILE"); p != "" {
		files = append(files, p)
	} else if home, err := awsconfig.Home(getenv); err == nil {
		files = append(files, filepath.Join(home, ".aws", "credentials"))
	}
	for _, path := range files {
		f, err := awsconfig.Load(path)
		if err != nil {
			continue
		}
		p, ok := f.Profile("default")
		if !ok {
			continue
		}
		for _, k := range []string{"aws_access_key_id", "role_arn", "sso_session", "sso_start_url", "credential_process", "web_identity_token_file"} {
			if _, ok := p.Keys[k]; ok {
				return k
			}
		}
	}
	return ""
}
