package credscmd

import (
	"context"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ssoctl/ssoctl/internal/childenv"
	"github.com/ssoctl/ssoctl/internal/cli/factory"
	"github.com/ssoctl/ssoctl/internal/cli/views"
	"github.com/ssoctl/ssoctl/internal/iostreams"
)

var exportFormats = views.ExportFormats

type exportOptions struct {
	IO     *iostreams.IOStreams
	Source roleSource
	Region string
	Format string
}

// NewExportCmd returns `ssoctl export`. runF replaces the run function in
// tests.
func NewExportCmd(f *factory.Factory, runF func(context.Context, *exportOptions) error) *cobra.Command {
	opts := &exportOptions{IO: f.IOStreams}
	r := &roleFlags{}
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Print a role's credentials for a shell, PowerShell, or a program",
		Long: `Print a role's credentials (named as for credential-process):

  env            export AWS_ACCESS_KEY_ID=… lines for sh, bash and zsh (default)
  env-no-export  AWS_ACCESS_KEY_ID=… lines
  powershell     $Env:AWS_ACCESS_KEY_ID="…" lines
  windows-cmd    set AWS_ACCESS_KEY_ID=… lines
  process        credential_process's Version 1 JSON
  json           one JSON object with the account, role and region too

The variables are those of ` + "`ssoctl exec`" + `.`,
		Example: `  eval "$(ssoctl export --profile dev)"
  ssoctl export -a 123456789012 -r ReadOnly --format powershell | Invoke-Expression`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ok := false
			for _, ef := range exportFormats {
				ok = ok || ef == opts.Format
			}
			if !ok {
				return factory.Usagef("--format must be one of %s, not %q", strings.Join(exportFormats, ", "), opts.Format)
			}
			opts.Source, opts.Region = r.source(f), f.Global.Region
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runExport(cmd.Context(), opts)
		},
	}
	r.add(cmd)
	cmd.Flags().StringVar(&opts.Format, "format", "env", "output `format`: "+strings.Join(exportFormats, ", "))
	return cmd
}

func runExport(ctx context.Context, opts *exportOptions) error {
	t, cr, err := opts.Source.credentials(ctx)
	if err != nil {
		return err
	}
	reg := region(opts.Region, t)
	return views.ExportCredentials(opts.IO.Out, opts.Format, views.RoleCredentials{
		AccountID: t.AccountID, RoleName: t.RoleName, Region: reg, Credentials: cr, Vars: childenv.Vars(childRole(t, reg), childCredentials(cr)),
	})
}
