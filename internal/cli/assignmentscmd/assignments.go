// Package assignmentscmd is `ssoctl assignments`: assignments as code —
// plan and apply a declared file against Identity Center, export the live
// state as such a file, and generate CloudFormation from it.
package assignmentscmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/ssoctl/ssoctl/internal/assignments/file"
	"github.com/ssoctl/ssoctl/internal/awsclient"
	"github.com/ssoctl/ssoctl/internal/cli/factory"
	"github.com/ssoctl/ssoctl/internal/inventory"
	"github.com/ssoctl/ssoctl/internal/iostreams"
	"github.com/ssoctl/ssoctl/internal/securefile"
)

// NewCmd returns `ssoctl assignments` and its verbs.
func NewCmd(f *factory.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "assignments",
		Short: "Assignments as code: plan, apply, export, and generate CloudFormation",
		Long: `Declare who gets which permission sets on which accounts in a YAML file, and
keep Identity Center in step with it.

The file is a list of assignment groups. Each group means every principal ×
every permission set × every account:

  - Groups: [developers]             # group names or ids
    Users: [hana.kim]                # user names or ids
    PermissionSets: [Developer]      # names, ARNs, ssoins-…/ps-… or ps-… ids
    Accounts: [payments-dev]         # names or 12-digit ids
    OUs: [Root/Workloads/Dev]        # OU ids or paths: the accounts directly under it
    RecursiveOUs: [Workloads]        # … and those of its child OUs
    Instance: ssoins-…               # optional

A file holding one such mapping is an aws-sso-util config file as it is. OUs
are expanded when the file is read: suspended accounts are skipped, and the
management account is never included unless listed by id.`,
		Example: `  ssoctl assignments export -f access.yaml       # start from what exists
  ssoctl assignments plan -f access.yaml         # what would change
  ssoctl assignments apply -f access.yaml --yes  # make it so
  ssoctl assignments cfn -f access.yaml          # or deploy it with CloudFormation`,
	}
	cmd.AddCommand(newPlanCmd(f, nil), newApplyCmd(f, nil), newExportCmd(f, nil), newCfnCmd(f, nil))
	return cmd
}

// clientsFunc gets the AWS clients (the factory's).
type clientsFunc func(context.Context) (*awsclient.Set, error)

// common is what every verb's options hold.
type common struct {
	IO        *iostreams.IOStreams
	Clients   clientsFunc
	Prompter  factory.Prompter
	CachePath string
	Format    string
}

func newCommon(f *factory.Factory) common {
	return common{IO: f.IOStreams, Clients: f.Clients, Prompter: f.Prompter, CachePath: inventory.DefaultNameCachePath()}
}

// gate gives the go-ahead for a plan: --yes, or a yes at a terminal.
func (c common) gate(yes, dryRun bool) factory.GoAhead {
	return factory.GoAhead{IO: c.IO, Prompter: c.Prompter, Yes: yes, DryRun: dryRun}
}

// directory is the org directory for resolving files.
func directory(set *awsclient.Set, cachePath string) *inventory.Directory {
	c := inventory.Clients{SSOAdmin: set.SSOAdmin(), IdentityStore: set.IdentityStore(), Organizations: set.Organizations()}
	return inventory.NewDirectory(c, inventory.DirectoryOptions{Names: inventory.OpenNameCache(cachePath)})
}

// readFiles parses the assignments files; every problem is reported with
// its file and line.
func readFiles(paths []string) ([]*file.File, error) {
	var files []*file.File
	var errs file.Errors
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", p, unwrapPathError(err))
		}
		f, err := file.Parse(p, data)
		if err != nil {
			errs = append(errs, file.ErrorList(err)...)
			continue
		}
		files = append(files, f)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return files, nil
}

// fileError says a file could not be written, naming it and the real
// problem (not a temporary file's).
func fileError(path string, err error) error {
	return fmt.Errorf("cannot write %s: %w", path, fileCause(err))
}

// fileCause is why a file could not be written, without file names.
func fileCause(err error) error {
	var te *securefile.TargetError
	if errors.As(err, &te) {
		return errors.New(te.Reason)
	}
	return unwrapPathError(err)
}

func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// writeFileAtomic writes data to path (its folder made when missing)
// through securefile: whole or not at all, a device written in place,
// temporary files of killed runs cleaned up.
func writeFileAtomic(path string, data []byte, mode os.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return securefile.WriteMode(path, data, mode)
}

// writeOutput writes data to what an -f or --out flag names: "-" is
// stdout, anything else a file (see writeFileAtomic).
func writeOutput(ios *iostreams.IOStreams, path string, data []byte) error {
	if path == "-" {
		_, err := ios.Out.Write(data)
		return err
	}
	return writeFileAtomic(path, data, 0o644)
}

// checkWritable fails before any call when path cannot be written: its
// folder is missing or it is a folder ("-", stdout, always can).
func checkWritable(path string) error {
	if path == "-" {
		return nil
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return fmt.Errorf("%s is a folder; name a file", path)
	}
	dir := filepath.Dir(path)
	fi, err := os.Stat(dir)
	if err != nil || !fi.IsDir() {
		return fmt.Errorf("cannot write %s: folder %s does not exist", path, dir)
	}
	return nil
}

// runVerb ends a verb's RunE: the output format (the first the verb
// declared with factory.SetOutputs by default), then runF (tests) or run.
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
