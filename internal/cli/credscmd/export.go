package credscmd

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ssoctl/ssoctl/internal/cli/factory"
	"github.com/ssoctl/ssoctl/internal/iostreams"
	"github.com/ssoctl/ssoctl/internal/render"
	"github.com/ssoctl/ssoctl/internal/sso"
)

var exportFormats = []string{"env", "env-no-export", "powershell", "windows-cmd", "process", "json"}

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
	w := opts.IO.Out
	reg := region(opts.Region, t)
	switch opts.Format {
	case "process":
		return writeProcess(w, cr)
	case "json":
		return render.JSON(w, map[string]any{
			"AccessKeyId": cr.AccessKeyID, "SecretAccessKey": cr.SecretAccessKey, "SessionToken": cr.SessionToken,
			"Expiration": cr.Expiration.UTC().Format(time.RFC3339), "AccountId": t.AccountID, "RoleName": t.RoleName, "Region": reg,
		})
	}
	var b strings.Builder
	for _, v := range credentialVars(t, cr, reg) {
		switch opts.Format {
		case "env":
			fmt.Fprintf(&b, "export %s=%s\n", v.name, shellQuote(v.value))
		case "env-no-export":
			fmt.Fprintf(&b, "%s=%s\n", v.name, shellQuote(v.value))
		case "powershell":
			fmt.Fprintf(&b, "$Env:%s=\"%s\"\n", v.name, strings.NewReplacer("`", "``", `"`, "`\"", "$", "`$").Replace(v.value))
		case "windows-cmd":
			fmt.Fprintf(&b, "set %s=%s\n", v.name, v.value)
		}
	}
	_, err = fmt.Fprint(w, b.String())
	return err
}

// shellQuote quotes a value for sh only when it needs it (credentials
// never do; a region or role name might, in theory).
func shellQuote(s string) string { return sso.ShellQuote(s) }
