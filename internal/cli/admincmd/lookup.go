package admincmd

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ssoctl/ssoctl/internal/awsclient"
	"github.com/ssoctl/ssoctl/internal/cli/factory"
	"github.com/ssoctl/ssoctl/internal/cli/views"
	"github.com/ssoctl/ssoctl/internal/inventory"
	"github.com/ssoctl/ssoctl/internal/iostreams"
	"github.com/ssoctl/ssoctl/internal/render"
)

type lookupOptions struct {
	IO      *iostreams.IOStreams
	Clients func(context.Context) (*awsclient.Set, error)
	// CachePath is the permission-set name cache ("" keeps it in memory).
	CachePath string

	Format          string
	Rows            render.RowsOptions
	Kind            string
	Names           []string
	InstanceArn     string
	ErrorIfNotFound bool
}

// NewLookupCmd returns `ssoctl admin lookup`. runF replaces the run
// function in tests.
func NewLookupCmd(f *factory.Factory, runF func(context.Context, *lookupOptions) error) *cobra.Command {
	opts := &lookupOptions{IO: f.IOStreams, Clients: f.Clients, CachePath: inventory.DefaultNameCachePath()}
	cmd := &cobra.Command{
		Use:   "lookup KIND [NAME...]",
		Short: "Look up the ids and ARNs of instances, users, groups, permission sets and accounts by name",
		Long: `Look up ids and ARNs by name, many at once: one row per name, in the order
given, with columns kind, name and value (the id or ARN).

KIND is one of:
  instance         the Identity Center instance ARN (no NAME)
  identity-store   the identity store id (no NAME)
  user             user names (or e-mail addresses) -> user ids, via GetUserId
  group            group display names -> group ids, via GetGroupId
  permission-set   permission-set names -> ARNs (or ARNs and ps- ids -> names)
  account          account names or ids -> account ids

The name :all lists every item of the kind. A name that does not exist
gives the value NOT_FOUND, or with -e/--error-if-not-found exit status 1
and one line naming every missing name.

Permission-set names are kept in a small cache (permission-set-names.json in
ssoctl's folder of the user cache directory): each lookup lists the ARNs,
one call per 100 sets, and describes only the sets it has not seen before.

Output is a table on a terminal and CSV otherwise; -o json|csv|table.`,
		Example: `  # ids for CloudFormation or scripts
  ssoctl admin lookup user alice.johnson bob.smith nobody
  ssoctl admin lookup group developers platform-admins -o json
  ssoctl admin lookup permission-set AdministratorAccess ReadOnlyAccess
  ssoctl admin lookup account payments-prod 123456789012

  # every permission set, fail if a name is missing
  ssoctl admin lookup permission-set :all
  ssoctl admin lookup -e group developers || exit 1`,
		ValidArgsFunction: func(_ *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
			if len(args) == 0 {
				return inventory.LookupKinds, cobra.ShellCompDirectiveNoFileComp
			}
			return nil, cobra.ShellCompDirectiveNoFileComp
		},
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) == 0 {
				return factory.Usagef("lookup needs a KIND: one of %s", strings.Join(inventory.LookupKinds, ", "))
			}
			kind, ok := lookupKind(args[0])
			if !ok {
				return factory.Usagef("unknown KIND %q: choose one of %s", args[0], strings.Join(inventory.LookupKinds, ", "))
			}
			names := args[1:]
			switch {
			case (kind == inventory.KindInstance || kind == inventory.KindIdentityStore) && len(names) > 0:
				return factory.Usagef("lookup %s takes no NAME", kind)
			case kind != inventory.KindInstance && kind != inventory.KindIdentityStore && len(names) == 0:
				return factory.Usagef("lookup %s needs at least one NAME (or :all)", kind)
			case len(names) > 1 && contains(names, inventory.All):
				return factory.Usagef("%s must be the only NAME", inventory.All)
			}
			opts.Kind, opts.Names = kind, names
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			format, err := f.CommandFormat(cmd, "table", "csv")
			if err != nil {
				return err
			}
			opts.Format, opts.Rows = format, f.RowsOptions()
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runLookup(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.BoolVarP(&opts.ErrorIfNotFound, "error-if-not-found", "e", false, "exit with status 1, writing nothing, if any name is not found")
	fl.StringVar(&opts.InstanceArn, "instance-arn", "", "the Identity Center instance `ARN` (needed only when there are several)")
	factory.SetOutputs(cmd, "table", "csv", "json")
	return cmd
}

// lookupKind accepts a kind in the singular or the plural.
func lookupKind(s string) (string, bool) {
	for _, k := range inventory.LookupKinds {
		if s == k || s == k+"s" {
			return k, true
		}
	}
	return "", false
}

func runLookup(ctx context.Context, opts *lookupOptions) error {
	start := time.Now()
	set, err := opts.Clients(ctx)
	if err != nil {
		return err
	}
	clients := inventory.Clients{SSOAdmin: set.SSOAdmin(), IdentityStore: set.IdentityStore(), Organizations: set.Organizations()}
	var cache *inventory.NameCache
	if opts.Kind == inventory.KindPermissionSet {
		cache = inventory.OpenNameCache(opts.CachePath)
	}
	results, err := inventory.Lookup(ctx, clients, opts.Kind, opts.Names, opts.InstanceArn, cache)
	if err != nil {
		return factory.Explain(err, "lookup")
	}
	factory.SaveNameCache(opts.IO.ErrOut, cache)

	if opts.ErrorIfNotFound {
		var missing []string
		for _, r := range results {
			if !r.Found {
				missing = append(missing, fmt.Sprintf("%q", r.Name))
			}
		}
		if len(missing) > 0 {
			noun := strings.ReplaceAll(opts.Kind, "-", " ")
			if len(missing) == 1 {
				return fmt.Errorf("%s %s not found", noun, missing[0])
			}
			return fmt.Errorf("%d %ss not found: %s", len(missing), noun, strings.Join(missing, ", "))
		}
	}

	return views.Lookup(opts.Format, opts.IO.Out, opts.IO.ErrOut, opts.Rows, views.LookupDoc{Results: results, Stats: views.NewCallStats(set.Stats(), time.Since(start))})
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
