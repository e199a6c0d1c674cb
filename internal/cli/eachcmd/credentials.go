package eachcmd

import (
	"context"
	"errors"
	"fmt"

	"github.com/ssoctl/ssoctl/internal/securefile"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/spf13/cobra"

	"github.com/ssoctl/ssoctl/accounts"

	"github.com/ssoctl/ssoctl/internal/cli/factory"
	"github.com/ssoctl/ssoctl/internal/cli/views"
	"github.com/ssoctl/ssoctl/internal/each"
	"github.com/ssoctl/ssoctl/internal/iostreams"
)

// NewCredentialsCmd returns `ssoctl credentials`, the group of `export`.
func NewCredentialsCmd(f *factory.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "credentials",
		Short: "Credentials of many accounts and roles at once",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(NewCredentialsExportCmd(f, nil))
	return cmd
}

type exportOptions struct {
	IO       *iostreams.IOStreams
	Source   signIn
	Filter   each.Filter
	File     string
	Parallel int
}

// NewCredentialsExportCmd returns `ssoctl credentials export`. runF
// replaces the run function in tests.
func NewCredentialsExportCmd(f *factory.Factory, runF func(context.Context, *exportOptions) error) *cobra.Command {
	opts := &exportOptions{IO: f.IOStreams}
	var (
		ff     filterFlags
		signIn factory.SignInFlags
	)
	cmd := &cobra.Command{
		Use:   "export -f FILE [--role R] [--account ID|NAME…] [--account-name RE] [--exclude X…]",
		Short: "Write the credentials of every matching account and role to a JSON file",
		Long: `Write, for every matching account and role of one sign-in (chosen as for
` + "`ssoctl each`" + `), its role credentials to FILE as a JSON array of accounts:

  [{"accountId": "…", "accountName": "…", "emailAddress": "…",
    "roles": {"ROLE": {"accessKeyId": "…", "secretAccessKey": "…",
                       "sessionToken": "…", "expiration": 1767225600000}}}]

expiration is in epoch milliseconds, as the portal gives it. The file is
written with mode 0600, atomically (a temporary file renamed into place); -f -
writes to stdout. Either way it holds live secrets: keep it safe and delete
it when done.

Credentials are fetched concurrently (--parallel), at most once per account
and role, from the role-credential cache the AWS CLI shares when they are
there. A role whose credentials cannot be had, or an account whose roles
cannot be listed, is reported on stderr and left out, and ssoctl exits 3. Without a usable token it exits 4, unless --login.`,
		Example: `  ssoctl credentials export -f creds.json
  ssoctl credentials export --role ReadOnlyAccess --account-name '^payments-' -f - | jq .`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.File == "" {
				return factory.Usagef("-f FILE is required (-f - for stdout)")
			}
			if err := checkParallel(opts.Parallel); err != nil {
				return err
			}
			opts.Filter = ff.filter()
			opts.Source = newSignIn(f, signIn)
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runExport(cmd.Context(), opts)
		},
	}
	ff.add(cmd)
	fl := cmd.Flags()
	fl.StringVarP(&opts.File, "file", "f", "", "write to `FILE` (- for stdout)")
	fl.IntVar(&opts.Parallel, "parallel", defaultParallel, "fetch at most `N` at once")
	factory.AddSignInFlags(cmd, &signIn, factory.AllSignInFlags)
	factory.SetOutputs(cmd)
	return cmd
}

func runExport(ctx context.Context, opts *exportOptions) error {
	fd, err := opts.Source.list(ctx, opts.Filter, opts.Parallel, false)
	if fd != nil {
		views.UnlistedLines(opts.IO.ErrOut, fd.unlistedViews(), "")
	}
	if err != nil {
		return err
	}
	want := make([]accounts.Role, len(fd.targets))
	for i, t := range fd.targets {
		want[i] = accounts.Role{AccountID: t.AccountId, AccountName: t.AccountName, RoleName: t.RoleName}
	}
	results := accounts.Each(ctx, fd.client, want, func(ctx context.Context, _ accounts.Role, cfg aws.Config) (views.ExportedRole, error) {
		c, err := cfg.Credentials.Retrieve(ctx)
		if err != nil {
			return views.ExportedRole{}, err
		}
		return views.ExportedRole{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken, Expiration: c.Expires.UnixMilli()}, nil
	})
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var written []*views.ExportedAccount
	byID := map[string]*views.ExportedAccount{}
	var failed []string
	for i, r := range results {
		t := fd.targets[i]
		if r.Err != nil {
			failed = append(failed, fmt.Sprintf("%s: %v", t.Label(), r.Err))
			continue
		}
		a := byID[t.AccountId]
		if a == nil {
			a = &views.ExportedAccount{AccountID: t.AccountId, AccountName: t.AccountName, EmailAddress: fd.emails[t.AccountId], Roles: map[string]views.ExportedRole{}}
			byID[t.AccountId] = a
			written = append(written, a)
		}
		a.Roles[t.RoleName] = r.Value
	}
	data, err := views.CredentialsFile(written)
	if err != nil {
		return err
	}
	where := "stdout"
	if opts.File == "-" {
		if _, err := opts.IO.Out.Write(data); err != nil {
			return err
		}
	} else if err := securefile.Write(opts.File, data); err != nil {
		return err
	} else {
		where = opts.File
	}
	views.CredentialsExported(opts.IO.ErrOut, where, written, failed)
	if len(failed) > 0 {
		msg := fmt.Sprintf("%d of %s failed; the others were written", len(failed), plural(len(results), "role"))
		if err := fd.unlistedError(msg); err != nil {
			return err
		}
		return &factory.PartialError{Err: errors.New(msg)}
	}
	return fd.unlistedError("")
}
