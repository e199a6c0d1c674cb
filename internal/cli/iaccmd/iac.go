// Package iaccmd is `ssoctl iac`: Identity Center as code — permission
// sets, groups and assignments declared in one file (or several), planned
// against what is live, applied through the one executor, and exported.
package iaccmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sort"

	"github.com/spf13/cobra"

	"github.com/ssoctl/ssoctl/internal/assignments/file"
	"github.com/ssoctl/ssoctl/internal/awsclient"
	"github.com/ssoctl/ssoctl/internal/cli/factory"
	"github.com/ssoctl/ssoctl/internal/iac"
	"github.com/ssoctl/ssoctl/internal/inventory"
	"github.com/ssoctl/ssoctl/internal/iostreams"
)

// NewCmd returns `ssoctl iac` and its verbs.
func NewCmd(f *factory.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "iac",
		Short: "Identity Center as code: permission sets, groups and assignments in one file",
		Long: `Declare Identity Center's whole access model in YAML — permission sets with
every attribute, groups with their members, and assignments — and keep
Identity Center in step with it:

  PermissionSets:
    DataEngineer:
      Description: Data engineering
      SessionDuration: PT4H                       # ISO 8601, PT1H to PT12H
      RelayState: https://console.aws.amazon.com/athena/home
      ManagedPolicies: [arn:aws:iam::aws:policy/AmazonAthenaFullAccess]
      CustomerManagedPolicies: [{Name: team-boundary, Path: /teams/}]
      InlinePolicy: policies/data.json            # or the document itself
      PermissionsBoundary: {CustomerManagedPolicy: {Name: dev-boundary, Path: /}}
      Tags: {team: data}
  Groups:
    data-engineers:
      Description: Data engineering team
      Members: [alice.johnson, bob@example.com]   # user names, e-mails or ids
  Assignments:                                    # as ssoctl assignments reads them
    - {Groups: [data-engineers], PermissionSets: [DataEngineer], OUs: [Root/Workloads]}

The file is declarative: an attribute left out means none (a session
duration left out, AWS's PT1H), and a group's members are all its members.
Several -f files are merged. ssoctl export stays the credentials command.`,
		Example: `  ssoctl iac export -f identity-center.yaml        # start from what exists
  ssoctl iac plan -f identity-center.yaml          # what would change
  ssoctl iac apply -f identity-center.yaml --yes   # make it so`,
	}
	cmd.AddCommand(newPlanCmd(f, nil), newApplyCmd(f, nil), newExportCmd(f, nil))
	return cmd
}

// common is what every verb's options hold.
type common struct {
	IO        *iostreams.IOStreams
	Clients   func(context.Context) (*awsclient.Set, error)
	Prompter  factory.Prompter
	CachePath string
	Format    string
}

func newCommon(f *factory.Factory) common {
	return common{IO: f.IOStreams, Clients: f.Clients, Prompter: f.Prompter, CachePath: inventory.DefaultNameCachePath()}
}

// directory is the live organization for resolving files (each answer
// read once).
func directory(set *awsclient.Set, cachePath string) *inventory.Directory {
	c := inventory.Clients{SSOAdmin: set.SSOAdmin(), IdentityStore: set.IdentityStore(), Organizations: set.Organizations()}
	return inventory.NewDirectory(c, inventory.DirectoryOptions{Names: inventory.OpenNameCache(cachePath)})
}

func clients(set *awsclient.Set) iac.Clients {
	return iac.Clients{SSOAdmin: set.SSOAdmin(), IdentityStore: set.IdentityStore(), Organizations: set.Organizations()}
}

// readFiles parses and merges the files, and checks AWS's limits; every
// problem of every file is reported with its file and line.
func readFiles(paths []string) (*iac.Set, []string, error) {
	var files []*iac.File
	var errs file.Errors
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			var pe *os.PathError
			if errors.As(err, &pe) {
				err = pe.Err
			}
			return nil, nil, fmt.Errorf("read %s: %w", p, err)
		}
		f, err := iac.Parse(p, data)
		errs = append(errs, file.ErrorList(err)...)
		if f != nil {
			files = append(files, f)
		}
	}
	s, err := iac.Merge(files)
	errs = append(errs, file.ErrorList(err)...)
	warnings, err := s.Validate()
	errs = append(errs, file.ErrorList(err)...)
	if len(errs) > 0 {
		sort.SliceStable(errs, func(i, j int) bool {
			if errs[i].File != errs[j].File {
				return errs[i].File < errs[j].File
			}
			return errs[i].Line < errs[j].Line
		})
		return nil, nil, errs
	}
	return s, warnings, nil
}

// runVerb ends a verb's RunE: the output format (the first the verb
// declared by default), then runF (tests) or run.
func runVerb[T any](cmd *cobra.Command, f *factory.Factory, format *string, opts *T, runF, run func(context.Context, *T) error) error {
	formats, _ := factory.Outputs(cmd)
	ft, err := f.CommandFormat(cmd, formats[0], formats[0])
	if err != nil {
		return err
	}
	*format = ft
	if runF != nil {
		return runF(cmd.Context(), opts)
	}
	return run(cmd.Context(), opts)
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
