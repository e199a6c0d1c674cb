package assignmentscmd

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/ssoctl/ssoctl/internal/assignments"
	"github.com/ssoctl/ssoctl/internal/assignments/file"
	"github.com/ssoctl/ssoctl/internal/assignments/list"
	"github.com/ssoctl/ssoctl/internal/cli/factory"
	"github.com/ssoctl/ssoctl/internal/cli/views"
	"github.com/ssoctl/ssoctl/internal/inventory"
	"github.com/ssoctl/ssoctl/internal/render"
)

type exportOptions struct {
	common

	Out            string
	PermissionSets []string
	Instance       string
}

func newExportCmd(f *factory.Factory, runF func(context.Context, *exportOptions) error) *cobra.Command {
	opts := &exportOptions{common: newCommon(f)}
	cmd := &cobra.Command{
		Use:   "export [-f FILE]",
		Short: "Write the live assignments as an assignments file",
		Long: `Write Identity Center's live assignments as an assignments file, so a team can
start managing access as code from what exists. The file is grouped
compactly: one group per set of principals × set of accounts, with the
permission sets they share. Planned right after, it shows no changes.

Names are written where they are unique; the management account, and
accounts or principals whose names repeat, by id. Assignments of deleted
users and groups cannot be declared and are left out (a plan with --prune
removes them). --permission-set limits the export to some permission sets.`,
		Example: `  ssoctl assignments export -f access.yaml
  ssoctl assignments export --permission-set AdministratorAccess > admins.yaml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runVerb(cmd, f, &opts.Format, opts, runF, runExport)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.Out, "file", "f", "", "write to `FILE` instead of stdout (- for stdout)")
	fl.StringArrayVarP(&opts.PermissionSets, "permission-set", "p", nil, "only this permission set (name, ARN or ps- id; repeatable)")
	fl.StringVar(&opts.Instance, "instance-arn", "", "the Identity Center instance `ARN` (needed only when there are several)")
	factory.SetOutputs(cmd, "yaml", "json")
	return cmd
}

func runExport(ctx context.Context, opts *exportOptions) error {
	start := time.Now()
	if opts.Out != "" {
		if err := checkWritable(opts.Out); err != nil {
			return err
		}
	}
	set, err := opts.Clients(ctx)
	if err != nil {
		return err
	}
	dir := directory(set, opts.CachePath)
	inst, err := dir.Instance(ctx, opts.Instance)
	if err != nil {
		return factory.Explain(err, "find the Identity Center instance")
	}
	sets, err := dir.PermissionSets(ctx)
	if err != nil {
		return factory.Explain(err, "list permission sets")
	}
	names := file.ExportNames{PermissionSets: map[string]string{}, Users: map[string]string{}, Groups: map[string]string{}}
	for _, s := range sets {
		names.PermissionSets[s.Arn] = s.Name
	}
	sel := list.Selection{}
	for _, ref := range opts.PermissionSets {
		arn := ""
		for _, s := range sets {
			if s.Name == ref || inventory.PermissionSetRefMatches(s.Arn, ref) || inventory.PermissionSetRefMatches(s.Arn, trimInstance(inst.Arn)+"/"+ref) {
				arn = s.Arn
			}
		}
		if arn == "" {
			var all []string
			for _, s := range sets {
				all = append(all, s.Name)
			}
			msg := fmt.Sprintf("no permission set %q", ref)
			if c := inventory.Closest(ref, all, 3); len(c) > 0 {
				msg += "; closest: " + joinComma(c)
			}
			return &factory.UsageError{Err: fmt.Errorf("%s", msg)}
		}
		sel.PermissionSets = append(sel.PermissionSets, arn)
	}
	prog := render.NewProgress(opts.IO.ErrOut, opts.IO.IsStderrTTY())
	var live []assignments.Assignment
	res, err := list.List(ctx, dir.Clients(), inst, sel, list.Options{Method: list.ByPermissionSet, Progress: prog.Update},
		func(a assignments.Assignment) error { live = append(live, a); return nil })
	prog.Done()
	if err != nil {
		return factory.Explain(err, "list assignments")
	}
	if len(res.Errors) > 0 {
		views.ItemErrors(opts.IO.ErrOut, res.Errors)
		return fmt.Errorf("%s could not be listed (above): an export missing them would be wrong; nothing was written", plural(len(res.Errors), "item"))
	}
	if names.Accounts, err = dir.Accounts(ctx); err != nil {
		return factory.Explain(err, "list accounts")
	}
	if names.ManagementAccount, err = dir.ManagementAccount(ctx); err != nil {
		return factory.Explain(err, "describe the organization")
	}
	var users, groups []string
	for _, a := range live {
		if a.PrincipalType == file.PrincipalUser {
			users = append(users, a.PrincipalId)
		} else {
			groups = append(groups, a.PrincipalId)
		}
	}
	us, err := dir.UsersByID(ctx, users)
	if err != nil {
		return factory.Explain(err, "name users")
	}
	for id, u := range us {
		names.Users[id] = u.UserName
	}
	gs, err := dir.GroupsByID(ctx, groups)
	if err != nil {
		return factory.Explain(err, "name groups")
	}
	for id, g := range gs {
		names.Groups[id] = g.Name
	}
	ex := file.MakeExport(live, names)
	factory.SaveNameCache(opts.IO.ErrOut, dir.NameCache())
	stats := views.NewCallStats(set.Stats(), time.Since(start))
	data, err := views.AssignmentsExport(opts.Format, inst, ex, stats, time.Now())
	if err != nil {
		return err
	}
	out := opts.Out
	if out == "" {
		out = "-"
	}
	if err := writeOutput(opts.IO, out, data); err != nil {
		return fileError(out, err)
	}
	views.ExportSummary(opts.IO.ErrOut, ex, stats)
	return nil
}

func trimInstance(arn string) string {
	const p = "arn:aws:sso:::instance/"
	if len(arn) > len(p) && arn[:len(p)] == p {
		return arn[len(p):]
	}
	return arn
}

func joinComma(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += ", "
		}
		out += x
	}
	return out
}
