package cfn

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/ssoctl/ssoctl/internal/assignments/file"
)

// A whole generation, as `ssoctl assignments cfn` makes it: the inputs
// read, each resolved (by the caller) and generated, its templates placed
// in the output folder with the number of child stacks of the previous
// generation kept, then written, and the child templates no child stack
// uses any more removed.

// Source is one input, read: an assignments file, or a template using
// aws-sso-util's macro taken apart.
type Source struct {
	Path string
	File *file.File
	// Base is the template the output is layered onto: the base template
	// (--base-template-file), or the macro template without its
	// AssignmentGroups; nil starts empty.
	Base *yaml.Node
	// Resources are, for a macro template, the logical id of the
	// AssignmentGroup each group came from.
	Resources []string
	// Settings are those the input holds (an aws-sso-util config file's,
	// or the macro template's).
	Settings file.Settings
}

// ParseBase reads a base template: YAML whose top is a mapping.
func ParseBase(path string, data []byte) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s: not a YAML CloudFormation template", path)
	}
	return doc.Content[0], nil
}

// ParseSource reads one input: with macro, a template using
// SSOUtil::SSO::AssignmentGroup (its own base); else an assignments file
// layered onto base (may be nil). Problems are file.Errors, each at
// its line.
func ParseSource(path string, data []byte, macro bool, base *yaml.Node) (*Source, error) {
	if macro {
		m, err := ParseMacro(path, data)
		if err != nil {
			return nil, err
		}
		return &Source{Path: path, File: m.File, Base: m.Base, Resources: m.Resources, Settings: m.Settings}, nil
	}
	f, err := file.Parse(path, data)
	if err != nil {
		return nil, err
	}
	s := &Source{Path: path, File: f, Base: base}
	if f.Single {
		s.Settings = f.Groups[0].Settings
	}
	return s, nil
}

// Resource is one resource to add to a template: its logical id and body
// (Type, Properties).
type Resource struct {
	LogicalId string
	Node      *yaml.Node
}

// SourceOf is an input read elsewhere (an Identity Center file): its
// assignment groups, and resources added to the base template (nil: an
// empty one) — a logical id the base already has is refused.
func SourceOf(path string, f *file.File, base *yaml.Node, resources []Resource) (*Source, error) {
	b := clone(base)
	if b == nil {
		b = mapping()
	}
	if len(resources) > 0 {
		res := get(b, "Resources")
		if res == nil {
			res = mapping()
			set(b, "Resources", res)
		}
		for _, r := range resources {
			if get(res, r.LogicalId) != nil {
				return nil, &file.Error{Pos: file.Pos{File: path}, Msg: fmt.Sprintf("the base template already has a resource %s (the permission set this file declares)", r.LogicalId)}
			}
			res.Content = append(res.Content, str(r.LogicalId), r.Node)
		}
	}
	s := &Source{Path: path, File: f, Base: b}
	if f.Single && len(f.Groups) > 0 {
		s.Settings = f.Groups[0].Settings
	}
	return s, nil
}

// Job is a whole generation.
type Job struct {
	Sources []*Source
	// InstanceArn, when set, is the instance every input must name.
	InstanceArn string
	// Dir is the output folder ("": a folder "templates" beside each
	// input); Suffix is added to the template names before .yaml.
	Dir, Suffix string
	// Settings are those of the command line; each input's own fill in
	// what they leave unset.
	Settings Settings
}

// SourceError is an input that could not be resolved, for a reason other
// than its own problems (file.Errors): the live organization could
// not be read.
type SourceError struct {
	Path string
	Err  error
}

func (e *SourceError) Error() string { return "resolve " + e.Path + ": " + e.Err.Error() }
func (e *SourceError) Unwrap() error { return e.Err }

// TemplateFile is one template of a generation, placed.
type TemplateFile struct {
	Input          string `json:"input"`
	Path           string `json:"path"`
	Parent         bool   `json:"parent"`
	Resources      int    `json:"resources"`
	Assignments    int    `json:"assignments"`
	NumChildStacks int    `json:"numChildStacks,omitempty"`
	data           []byte
}

// Generation is what Build made.
type Generation struct {
	Templates []TemplateFile
	// Rows are every input's assignments, in order (the CSV's rows).
	Rows     []Row
	Warnings []string
	// childDirs are the folders of child templates, by the prefix their
	// file names start with.
	childDirs map[string]string
}

// Resolver resolves one input's groups against the live organization
// (file.Resolve with CloudFormation allowed).
type Resolver func(*Source) (*file.Desired, error)

// Build resolves and generates each input of job, placed for its output
// folder: the parent template at DIR/<name>.yaml, the children at
// DIR/<name>/<name>-NNN.yaml. Unless job's or the input's settings fix
// the number of child stacks, a parent template an earlier generation
// wrote there keeps its number: it decides where each assignment lives.
// Problems of an input are file.Errors; a failed resolution is a
// *SourceError.
func Build(job Job, resolve Resolver) (*Generation, error) {
	g := &Generation{Warnings: []string{}, childDirs: map[string]string{}}
	for _, src := range job.Sources {
		d, err := resolve(src)
		if err != nil {
			if len(file.ErrorList(err)) > 0 {
				return nil, err
			}
			return nil, &SourceError{Path: src.Path, Err: err}
		}
		if job.InstanceArn != "" && d.Instance.Arn != job.InstanceArn {
			return nil, fmt.Errorf("%s names instance %s, not %s", src.Path, d.Instance.Arn, job.InstanceArn)
		}
		for _, w := range d.Warnings {
			g.Warnings = append(g.Warnings, w.Error())
		}
		outDir := job.Dir
		if outDir == "" {
			outDir = filepath.Join(filepath.Dir(src.Path), "templates")
		}
		stem := strings.TrimSuffix(filepath.Base(src.Path), filepath.Ext(src.Path)) + job.Suffix
		settings := job.Settings.Merge(src.Settings)
		parentPath := filepath.Join(outDir, stem+".yaml")
		if settings.NumChildStacks == nil && settings.MaxAssignmentsAllocation == nil {
			if n, ok := previousChildStacks(parentPath); ok {
				settings.NumChildStacks = &n
			}
		}
		g.childDirs[filepath.Join(outDir, stem)] = stem + "-"
		gen, err := Generate(Input{Stem: stem, InstanceArn: d.Instance.Arn, Groups: d.Groups, GroupResources: src.Resources, Base: src.Base, Settings: settings})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", src.Path, err)
		}
		if gen.Automatic {
			g.Warnings = append(g.Warnings, fmt.Sprintf("%s: %d assignments placed in %d child stacks; later runs into %s keep that number (it decides where each assignment lives)", src.Path, len(gen.Rows), gen.NumChildStacks, outDir))
		}
		g.Rows = append(g.Rows, gen.Rows...)
		perStack := map[int]int{}
		for _, r := range gen.Rows {
			perStack[r.Stack]++
		}
		for i, t := range append([]Template{gen.Parent}, gen.Children...) {
			data, err := Encode(t.Node)
			if err != nil {
				return nil, fmt.Errorf("encode %s: %w", t.Path, err)
			}
			tf := TemplateFile{Input: src.Path, Path: filepath.Join(outDir, filepath.FromSlash(t.Path)), Resources: len(resourceNames(t.Node)), data: data}
			if i == 0 {
				tf.Path, tf.Parent = parentPath, true
				tf.Assignments, tf.NumChildStacks = perStack[-1], gen.NumChildStacks
			} else {
				tf.Assignments = tf.Resources
			}
			g.Templates = append(g.Templates, tf)
		}
	}
	return g, nil
}

// previousChildStacks is the number of child stacks recorded in the
// parent template at path, when an earlier generation wrote one.
func previousChildStacks(path string) (int, bool) {
	prev, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	var doc yaml.Node
	if yaml.Unmarshal(prev, &doc) != nil {
		return 0, false
	}
	return RecordedChildStacks(&doc)
}

// WriteError is a template that could not be written.
type WriteError struct {
	Path string
	Err  error
}

func (e *WriteError) Error() string { return "write " + e.Path + ": " + e.Err.Error() }
func (e *WriteError) Unwrap() error { return e.Err }

// Write writes every template through write (each whole or not at all),
// then removes the child templates an earlier generation left in the
// same folders that no child stack uses any more, so a folder holds what
// its parent references; each removal is added to Warnings. A template
// that cannot be written is a *WriteError.
func (g *Generation) Write(write func(path string, data []byte) error) error {
	keep := map[string]bool{}
	for _, t := range g.Templates {
		if err := write(t.Path, t.data); err != nil {
			return &WriteError{Path: t.Path, Err: err}
		}
		keep[t.Path] = true
	}
	dirs := make([]string, 0, len(g.childDirs))
	for dir := range g.childDirs {
		dirs = append(dirs, dir)
	}
	sort.Strings(dirs)
	for _, dir := range dirs {
		old, _ := filepath.Glob(filepath.Join(dir, g.childDirs[dir]+"[0-9][0-9][0-9].yaml"))
		for _, p := range old {
			if keep[p] {
				continue
			}
			if err := os.Remove(p); err != nil {
				var pe *os.PathError
				if errors.As(err, &pe) {
					err = pe.Err
				}
				return fmt.Errorf("remove the stale child template %s: %w", p, err)
			}
			g.Warnings = append(g.Warnings, "removed "+p+": no assignment is placed in that child stack any more")
		}
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
