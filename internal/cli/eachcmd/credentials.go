package eachcmd

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ssoctl/ssoctl/internal/securefile"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/spf13/cobra"

	"github.com/ssoctl/ssoctl/accounts"

	"github.com/ssoctl/ssoctl/internal/cli/factory"
	"github.com/ssoctl/ssoctl/internal/each"
	"github.com/ssoctl/ssoctl/internal/iostreams"
	"github.com/ssoctl/ssoctl/internal/render"
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

// exportedAccount is one account of the file.
type exportedAccount struct {
	AccountID    string                  `json:"accountId"`
	AccountName  string                  `json:"accountName"`
	EmailAddress string                  `json:"emailAddress"`
	Roles        map[string]exportedRole `json:"roles"`
}

// exportedRole is the portal's RoleCredentials.
type exportedRole struct {
	AccessKeyID     string `json:"accessKeyId"`
	SecretAccessKey string `json:"secretAccessKey"`
	SessionToken    string `json:"sessionToken"`
	Expiration      int64  `json:"expiration"` // epoch milliseconds
}

func runExport(ctx context.Context, opts *exportOptions) error {
	fd, err := opts.Source.list(ctx, opts.Filter, opts.Parallel, false)
	if fd != nil {
		fd.reportUnlisted(opts.IO.ErrOut)
	}
	if err != nil {
		return err
	}
	want := make([]accounts.Role, len(fd.targets))
	for i, t := range fd.targets {
		want[i] = accounts.Role{AccountID: t.AccountId, AccountName: t.AccountName, RoleName: t.RoleName}
	}
	results := accounts.Each(ctx, fd.client, want, func(ctx context.Context, _ accounts.Role, cfg aws.Config) (exportedRole, error) {
		c, err := cfg.Credentials.Retrieve(ctx)
		if err != nil {
			return exportedRole{}, err
		}
		return exportedRole{c.AccessKeyID, c.SecretAccessKey, c.SessionToken, c.Expires.UnixMilli()}, nil
	})
	if ctx.Err() != nil {
		return ctx.Err()
	}
	written := []*exportedAccount{}
	byID := map[string]*exportedAccount{}
	var failed []string
	var earliest time.Time
	roles := 0
	for i, r := range results {
		t := fd.targets[i]
		if r.Err != nil {
			failed = append(failed, fmt.Sprintf("%s: %v", t.Label(), r.Err))
			continue
		}
		a := byID[t.AccountId]
		if a == nil {
			a = &exportedAccount{AccountID: t.AccountId, AccountName: t.AccountName, EmailAddress: fd.emails[t.AccountId], Roles: map[string]exportedRole{}}
			byID[t.AccountId] = a
			written = append(written, a)
		}
		a.Roles[t.RoleName] = r.Value
		roles++
		if exp := time.UnixMilli(r.Value.Expiration); earliest.IsZero() || exp.Before(earliest) {
			earliest = exp
		}
	}
	var buf bytes.Buffer
	if err := render.JSON(&buf, written); err != nil {
		return err
	}
	w := opts.IO.ErrOut
	for _, f := range failed {
		fmt.Fprintf(w, "failed: %s\n", f)
	}
	if opts.File == "-" {
		if _, err := opts.IO.Out.Write(buf.Bytes()); err != nil {
			return err
		}
	} else if err := securefile.Write(opts.File, buf.Bytes()); err != nil {
		return err
	}
	where := "stdout"
	if opts.File != "-" {
		where = opts.File
	}
	if roles > 0 {
		fmt.Fprintf(w, "warning: %s holds live credentials for %s in %s (until %s at the earliest): keep it secret, and delete it when done.\n",
			where, plural(roles, "role"), plural(len(written), "account"), earliest.UTC().Format(time.RFC3339))
	}
	if len(failed) > 0 {
		msg := fmt.Sprintf("%d of %s failed; the others were written", len(failed), plural(len(results), "role"))
		if err := fd.unlistedError(msg); err != nil {
			return err
		}
		return &factory.PartialError{Err: errors.New(msg)}
	}
	return fd.unlistedError("")
}
