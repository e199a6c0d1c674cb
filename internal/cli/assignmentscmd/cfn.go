package assignmentscmd

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"

	"github.com/ssoctl/ssoctl/internal/assignments/cfn"
	"github.com/ssoctl/ssoctl/internal/assignments/file"
	"github.com/ssoctl/ssoctl/internal/cli/factory"
	"github.com/ssoctl/ssoctl/internal/cli/views"
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

// cfnInput is one input file, read and resolved.
type cfnInput struct {
	path      string
	file      *file.File
	base      *yaml.Node
	resources []string
	settings  file.Settings
}

// cfnResult is what -o json prints.
type cfnResult struct {
	Templates   []cfnTemplate `json:"templates"`
	Assignments int           `json:"assignments"`
	CSV         string        `json:"assignmentsCsv,omitempty"`
	Warnings    []string      `json:"warnings"`
}

type cfnTemplate struct {
	Input          string `json:"input"`
	Path           string `json:"path"`
	Parent         bool   `json:"parent"`
	Resources      int    `json:"resources"`
	Assignments    int    `json:"assignments"`
	NumChildStacks int    `json:"numChildStacks,omitempty"`
}

func runCfn(ctx context.Context, opts *cfnOptions) error {
	var base *yaml.Node
	if opts.BaseTemplate != "" {
		data, err := os.ReadFile(opts.BaseTemplate)
		if err != nil {
			return fmt.Errorf("read base template %s: %w", opts.BaseTemplate, unwrapPathError(err))
		}
		var doc yaml.Node
		if err := yaml.Unmarshal(data, &doc); err != nil || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
			return fmt.Errorf("%s: not a YAML CloudFormation template", opts.BaseTemplate)
		}
		base = doc.Content[0]
	}
	// Read every input before any call, so a typo costs nothing.
	var inputs []*cfnInput
	var errs file.Errors
	for _, p := range opts.Files {
		if opts.BaseTemplate != "" && samePath(p, opts.BaseTemplate) {
			continue // aws-sso-util also drops the base template from the inputs
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return fmt.Errorf("read %s: %w", p, unwrapPathError(err))
		}
		in := &cfnInput{path: p, base: base}
		if opts.Macro {
			m, err := cfn.ParseMacro(p, data)
			if err != nil {
				errs = append(errs, file.ErrorList(err)...)
				continue
			}
			in.file, in.base, in.resources, in.settings = m.File, m.Base, m.Resources, m.Settings
		} else {
			f, err := file.Parse(p, data)
			if err != nil {
				errs = append(errs, file.ErrorList(err)...)
				continue
			}
			in.file = f
			if f.Single {
				in.settings = f.Groups[0].Settings
			}
		}
		inputs = append(inputs, in)
	}
	if len(errs) > 0 {
		return reportFileErrors(opts.IO.ErrOut, errs)
	}
	set, err := opts.Clients(ctx)
	if err != nil {
		return err
	}
	dir := directory(set, opts.CachePath)
	if opts.Instance != "" {
		if _, err := dir.Instance(ctx, instanceArnOf(opts.Instance)); err != nil {
			return factory.Explain(err, "find the Identity Center instance")
		}
	}
	res := cfnResult{Warnings: []string{}}
	var rows []cfn.Row
	type written struct {
		path string
		data []byte
	}
	var out []written
	// childDirs are the folders of child templates, by the stem their
	// files start with: an earlier generation's child that is empty now
	// is removed, so the folder holds what the parent references.
	childDirs := map[string]string{}
	for _, in := range inputs {
		d, err := file.Resolve(ctx, []*file.File{in.file}, dir, file.Options{CloudFormation: true})
		if err != nil {
			if len(file.ErrorList(err)) > 0 {
				return reportFileErrors(opts.IO.ErrOut, err)
			}
			return factory.Explain(err, "resolve "+in.path)
		}
		if opts.Instance != "" && d.Instance.Arn != instanceArnOf(opts.Instance) {
			return fmt.Errorf("%s names instance %s, not %s", in.path, d.Instance.Arn, instanceArnOf(opts.Instance))
		}
		for _, w := range d.Warnings {
			res.Warnings = append(res.Warnings, w.Error())
		}
		outDir := opts.OutputDir
		if outDir == "" {
			outDir = filepath.Join(filepath.Dir(in.path), "templates")
		}
		stem := strings.TrimSuffix(filepath.Base(in.path), filepath.Ext(in.path))
		settings := cfn.Settings{
			MaxResourcesPerTemplate:  opts.maxResources,
			MaxConcurrentAssignments: opts.maxConcurrent,
			DefaultSessionDuration:   opts.sessionDuration,
		}
		if opts.setChildStacks {
			settings.NumChildStacks = &opts.numChildStacks
		}
		if opts.setMaxAllocation {
			settings.MaxAssignmentsAllocation = &opts.maxAllocation
		}
		settings = settings.Merge(in.settings)
		parentPath := filepath.Join(outDir, stem+opts.Suffix+".yaml")
		if settings.NumChildStacks == nil && settings.MaxAssignmentsAllocation == nil {
			// Keep the previous generation's stacks: the number decides
			// where each assignment lives.
			if prev, err := os.ReadFile(parentPath); err == nil {
				var doc yaml.Node
				if yaml.Unmarshal(prev, &doc) == nil {
					if n, ok := cfn.RecordedChildStacks(&doc); ok {
						settings.NumChildStacks = &n
					}
				}
			}
		}
		childDirs[filepath.Join(outDir, stem+opts.Suffix)] = stem + opts.Suffix + "-"
		gen, err := cfn.Generate(cfn.Input{Stem: stem + opts.Suffix, InstanceArn: d.Instance.Arn, Groups: d.Groups, GroupResources: in.resources, Base: in.base, Settings: settings})
		if err != nil {
			return fmt.Errorf("%s: %w", in.path, err)
		}
		if gen.Automatic {
			res.Warnings = append(res.Warnings, fmt.Sprintf("%s: %d assignments placed in %d child stacks; later runs into %s keep that number (it decides where each assignment lives)", in.path, len(gen.Rows), gen.NumChildStacks, outDir))
		}
		rows = append(rows, gen.Rows...)
		res.Assignments += len(gen.Rows)
		perStack := map[int]int{}
		for _, r := range gen.Rows {
			perStack[r.Stack]++
		}
		for i, t := range append([]cfn.Template{gen.Parent}, gen.Children...) {
			data, err := cfn.Encode(t.Node)
			if err != nil {
				return fmt.Errorf("encode %s: %w", t.Path, err)
			}
			p := filepath.Join(outDir, filepath.FromSlash(t.Path))
			if i == 0 {
				p = parentPath
			}
			out = append(out, written{p, data})
			ct := cfnTemplate{Input: in.path, Path: p, Parent: i == 0, Resources: len(resourceNames(t.Node))}
			if i == 0 {
				ct.Assignments = perStack[-1]
				ct.NumChildStacks = gen.NumChildStacks
			} else {
				ct.Assignments = ct.Resources
			}
			res.Templates = append(res.Templates, ct)
		}
	}
	if opts.CSVOnly {
		res.Templates = []cfnTemplate{}
	} else {
		keep := map[string]bool{}
		for _, w := range out {
			if err := writeFileAtomic(w.path, w.data, 0o644); err != nil {
				return fileError(w.path, err)
			}
			keep[w.path] = true
		}
		for dir, prefix := range childDirs {
			old, _ := filepath.Glob(filepath.Join(dir, prefix+"[0-9][0-9][0-9].yaml"))
			for _, p := range old {
				if !keep[p] {
					if err := os.Remove(p); err != nil {
						return fmt.Errorf("remove the stale child template %s: %w", p, unwrapPathError(err))
					}
					res.Warnings = append(res.Warnings, "removed "+p+": no assignment is placed in that child stack any more")
				}
			}
		}
	}
	if opts.CSV != "" {
		var b bytes.Buffer
		values := make([][]string, 0, len(rows))
		for _, r := range rows {
			values = append(values, r.Record())
		}
		changed, err := views.WriteRows(&b, "csv", opts.Rows, cfn.CSVHeader, values)
		if err != nil {
			return err
		}
		views.CSVNote(opts.IO.ErrOut, changed)
		if err := writeOutput(opts.IO, opts.CSV, b.Bytes()); err != nil {
			return fileError(opts.CSV, err)
		}
		res.CSV = opts.CSV
	}
	factory.SaveNameCache(opts.IO.ErrOut, dir.Names)
	for _, w := range res.Warnings {
		fmt.Fprintln(opts.IO.ErrOut, "warning: "+w)
	}
	if opts.Format == "json" {
		return render.JSON(opts.IO.Out, res)
	}
	list := opts.IO.Out
	if opts.CSV == "-" { // stdout holds the CSV
		list = opts.IO.ErrOut
	}
	for _, t := range res.Templates {
		kind := "child"
		if t.Parent {
			kind = "parent"
		}
		fmt.Fprintf(list, "%s\t%s template, %d resources, %d assignments\n", t.Path, kind, t.Resources, t.Assignments)
	}
	if res.CSV != "" {
		fmt.Fprintf(list, "%s\t%d assignments (CSV)\n", res.CSV, res.Assignments)
	}
	return nil
}

func resourceNames(t *yaml.Node) []string {
	for i := 0; i+1 < len(t.Content); i += 2 {
		if t.Content[i].Value == "Resources" {
			var out []string
			r := t.Content[i+1]
			for j := 0; j+1 < len(r.Content); j += 2 {
				out = append(out, r.Content[j].Value)
			}
			return out
		}
	}
	return nil
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
