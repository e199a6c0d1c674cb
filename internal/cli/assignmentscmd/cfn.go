package assignmentscmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"

	"github.com/ssoctl/ssoctl/internal/assignments/cfn"
	"github.com/ssoctl/ssoctl/internal/assignments/file"
	"github.com/ssoctl/ssoctl/internal/cli/factory"
	"github.com/ssoctl/ssoctl/internal/cli/views"
	"github.com/ssoctl/ssoctl/internal/iac"
	"github.com/ssoctl/ssoctl/internal/render"
)

type cfnOptions struct {
	common

	Files        []string
	Macro        bool
	Instance     string
	OutputDir    string
	Suffix       string
	BaseTemplate string
	CSV          string
	CSVOnly      bool
	Rows         render.RowsOptions

	numChildStacks   int
	maxAllocation    int
	maxResources     int
	maxConcurrent    int
	sessionDuration  string
	setChildStacks   bool
	setMaxAllocation bool
}

func newCfnCmd(f *factory.Factory, runF func(context.Context, *cfnOptions) error) *cobra.Command {
	opts := &cfnOptions{common: newCommon(f)}
	cmd := &cobra.Command{
		Use:   "cfn [-f] FILE…",
		Short: "Generate CloudFormation templates of the assignments a file declares",
		Long: `Generate CloudFormation from assignments files or aws-sso-util macro templates,
for teams that deploy access through stacks. It takes what aws-sso-util's
admin cfn takes:

  - assignments files (a list of groups, or one aws-sso-util config file);
    permission sets may be defined inline (a mapping with Name and the
    properties of AWS::SSO::PermissionSet) and any value may be raw
    CloudFormation (!Ref, !GetAtt …): references the template does not
    define become template parameters;
  - Identity Center files (ssoctl iac: PermissionSets, Groups, Assignments):
    every permission set they declare becomes an AWS::SSO::PermissionSet
    of the parent template with all its attributes, and the assignments
    refer to it (Fn::GetAtt); the groups they declare must exist (the
    template does not make them);
  - with --macro, templates using SSOUtil::SSO::AssignmentGroup resources
    (Transform: AWS-SSO-Util-2020-11-08), expanded here instead of by the
    macro, so the macro need not be deployed.

Names, OUs and the instance are resolved against the live organization
(OUs expanded; suspended accounts and the management account left out unless
listed by id). Each assignment becomes one AWS::SSO::Assignment whose logical
id is a hash of instance, principal, permission set and account, with
Metadata naming them. A template holds at most 500 resources: beyond that
the assignments go into child stacks, each assignment to the stack its hash
chooses, so adding or removing others never moves it. The number of child
stacks is kept from the previous generation in the output folder (or set
with --num-child-stacks); when chosen here it leaves room for twice today's
assignments. CloudFormation creates at most 15 assignments at once
(DependsOn chains), Identity Center's limit of outstanding requests.

The parent template is written to DIR/<name>.yaml and child templates to
DIR/<name>/<name>-000.yaml …, DIR being --output-dir or "templates" beside
the input; deploy with aws cloudformation package and deploy.`,
		Example: `  # a config file (aws-sso-util's format) to templates/access.yaml
  ssoctl assignments cfn -f access.yaml

  # a template using aws-sso-util's AssignmentGroup macro, expanded here
  ssoctl assignments cfn --macro stack.yaml --output-dir out

  # layer the assignments onto an existing template; review the rows first
  ssoctl assignments cfn -f access.yaml --base-template-file base.yaml --assignments-csv review.csv`,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Files = append(opts.Files, args...)
			if len(opts.Files) == 0 {
				return factory.Usagef("name at least one file (-f FILE)")
			}
			if opts.Macro && opts.BaseTemplate != "" {
				return factory.Usagef("--base-template-file cannot be used with --macro (the macro template is the base)")
			}
			if opts.CSVOnly && opts.CSV == "" {
				return factory.Usagef("--assignments-csv-only needs --assignments-csv FILE")
			}
			if opts.CSV == "-" && f.Global.Output == "json" {
				return factory.Usagef("--assignments-csv - writes the CSV to stdout, where -o json writes its document: give it a file")
			}
			opts.Rows = f.RowsOptions()
			opts.setChildStacks = cmd.Flags().Changed("num-child-stacks")
			opts.setMaxAllocation = cmd.Flags().Changed("max-assignments-allocation")
			if opts.numChildStacks < 0 || opts.maxAllocation < 0 || opts.maxResources < 0 || opts.maxConcurrent < 0 {
				return factory.Usagef("numbers of stacks, assignments and resources cannot be negative")
			}
			if opts.maxResources > cfn.MaxResourcesPerTemplate {
				return factory.Usagef("--max-resources-per-template cannot exceed CloudFormation's %d", cfn.MaxResourcesPerTemplate)
			}
			return runVerb(cmd, f, &opts.Format, opts, runF, runCfn)
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVarP(&opts.Files, "file", "f", nil, "assignments `FILE` (or, with --macro, template); repeatable")
	fl.BoolVar(&opts.Macro, "macro", false, "the files are templates using aws-sso-util's SSOUtil::SSO::AssignmentGroup")
	fl.StringVar(&opts.Instance, "instance-arn", "", "the Identity Center instance `ARN` or id (needed only when there are several)")
	fl.StringVar(&opts.Instance, "sso-instance", "", "alias of --instance-arn (aws-sso-util's name)")
	fl.StringVar(&opts.OutputDir, "output-dir", "", "write templates to `DIR` (default: templates beside each input)")
	fl.StringVar(&opts.Suffix, "template-file-suffix", "", "add `SUFFIX` to template file names before .yaml")
	fl.StringVar(&opts.BaseTemplate, "base-template-file", "", "layer the output onto this template `FILE`")
	fl.StringVar(&opts.CSV, "assignments-csv", "", "also write the expanded assignments to this CSV `FILE` (aws-sso-util's columns; - for stdout, the list of files written then goes to stderr)")
	fl.BoolVar(&opts.CSVOnly, "assignments-csv-only", false, "write only the CSV, no templates")
	fl.IntVar(&opts.numChildStacks, "num-child-stacks", 0, "fix the number of child stacks to `N` (it decides each assignment's stack: keep it)")
	fl.IntVar(&opts.maxAllocation, "max-assignments-allocation", 0, "size the child stacks for `N` assignments")
	fl.IntVar(&opts.maxResources, "max-resources-per-template", 0, "at most `N` resources per template (default 500)")
	fl.IntVar(&opts.maxConcurrent, "max-concurrent-assignments", 0, "CloudFormation creates at most `N` assignments at once (default 15)")
	fl.StringVar(&opts.sessionDuration, "default-session-duration", "", "ISO 8601 `DURATION` (PT8H) for inline permission sets without one")
	_ = fl.MarkHidden("sso-instance")
	factory.SetOutputs(cmd, "table", "json")
	factory.SetWritesCSV(cmd)
	return cmd
}

func runCfn(ctx context.Context, opts *cfnOptions) error {
	start := time.Now()
	job, err := opts.readInputs()
	if err != nil {
		return err
	}
	set, err := opts.Clients(ctx)
	if err != nil {
		return err
	}
	dir := directory(set, opts.CachePath)
	if opts.Instance != "" {
		if _, err := dir.Instance(ctx, job.InstanceArn); err != nil {
			return factory.Explain(err, "find the Identity Center instance")
		}
	}
	gen, err := cfn.Build(job, func(src *cfn.Source) (*file.Desired, error) {
		return file.Resolve(ctx, []*file.File{src.File}, dir, file.Options{CloudFormation: true})
	})
	var se *cfn.SourceError
	switch {
	case errors.As(err, &se):
		return factory.Explain(se.Err, "resolve "+se.Path)
	case len(file.ErrorList(err)) > 0:
		return views.FileErrors(opts.IO.ErrOut, err, "the assignments file")
	case err != nil:
		return err
	}
	doc := views.CfnDoc{Templates: gen.Templates, Assignments: len(gen.Rows)}
	if opts.CSVOnly {
		doc.Templates = nil
	} else if err := gen.Write(func(path string, data []byte) error { return writeFileAtomic(path, data, 0o644) }); err != nil {
		var we *cfn.WriteError
		if errors.As(err, &we) {
			return fileError(we.Path, we.Err)
		}
		return err
	}
	if opts.CSV != "" {
		b, err := views.CfnCSV(opts.IO.ErrOut, opts.Rows, gen.Rows)
		if err != nil {
			return err
		}
		if err := writeOutput(opts.IO, opts.CSV, b); err != nil {
			return fileError(opts.CSV, err)
		}
		doc.CSV = opts.CSV
	}
	factory.SaveNameCache(opts.IO.ErrOut, dir.NameCache())
	doc.Warnings = gen.Warnings
	doc.Stats = views.NewCallStats(set.Stats(), time.Since(start))
	return views.AssignmentsCfn(opts.Format, opts.IO.Out, opts.IO.ErrOut, doc)
}

// readInputs reads the base template and every input before any call,
// so a typo costs nothing; the flags' settings go with them.
func (opts *cfnOptions) readInputs() (cfn.Job, error) {
	job := cfn.Job{Dir: opts.OutputDir, Suffix: opts.Suffix, Settings: cfn.Settings{
		MaxResourcesPerTemplate:  opts.maxResources,
		MaxConcurrentAssignments: opts.maxConcurrent,
		DefaultSessionDuration:   opts.sessionDuration,
	}}
	if opts.setChildStacks {
		job.Settings.NumChildStacks = &opts.numChildStacks
	}
	if opts.setMaxAllocation {
		job.Settings.MaxAssignmentsAllocation = &opts.maxAllocation
	}
	if opts.Instance != "" {
		job.InstanceArn = instanceArnOf(opts.Instance)
	}
	var base *yaml.Node
	if opts.BaseTemplate != "" {
		data, err := os.ReadFile(opts.BaseTemplate)
		if err != nil {
			return job, fmt.Errorf("read base template %s: %w", opts.BaseTemplate, unwrapPathError(err))
		}
		if base, err = cfn.ParseBase(opts.BaseTemplate, data); err != nil {
			return job, err
		}
	}
	var errs file.Errors
	for _, p := range opts.Files {
		if opts.BaseTemplate != "" && samePath(p, opts.BaseTemplate) {
			continue // aws-sso-util also drops the base template from the inputs
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return job, fmt.Errorf("read %s: %w", p, unwrapPathError(err))
		}
		var src *cfn.Source
		if !opts.Macro && iac.IsFile(data) {
			src, err = iacSource(p, data, base)
		} else {
			src, err = cfn.ParseSource(p, data, opts.Macro, base)
		}
		if err != nil {
			errs = append(errs, file.ErrorList(err)...)
			continue
		}
		job.Sources = append(job.Sources, src)
	}
	if len(errs) > 0 {
		return job, views.FileErrors(opts.IO.ErrOut, errs, "the assignments file")
	}
	return job, nil
}

// iacSource reads an Identity Center file (ssoctl iac) as an input: its
// permission sets become AWS::SSO::PermissionSet resources of the parent
// template, and its assignments refer to them.
func iacSource(path string, data []byte, base *yaml.Node) (*cfn.Source, error) {
	f, err := iac.Parse(path, data)
	if err != nil {
		return nil, err
	}
	s, err := iac.Merge([]*iac.File{f})
	if err != nil {
		return nil, err
	}
	if _, err := s.Validate(); err != nil {
		return nil, err
	}
	res, af, err := f.CloudFormation()
	if err != nil {
		return nil, err
	}
	return cfn.SourceOf(path, af, base, res)
}

func samePath(a, b string) bool {
	x, err1 := filepath.Abs(a)
	y, err2 := filepath.Abs(b)
	return err1 == nil && err2 == nil && x == y
}

func instanceArnOf(s string) string {
	if strings.HasPrefix(s, "arn:") {
		return s
	}
	return "arn:aws:sso:::instance/" + s
}
