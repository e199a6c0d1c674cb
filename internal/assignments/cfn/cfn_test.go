package cfn_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"

	"github.com/ssoctl/ssoctl/internal/assignments/cfn"
	"github.com/ssoctl/ssoctl/internal/assignments/file"
	"github.com/ssoctl/ssoctl/internal/assignments/file/filetest"
	"github.com/ssoctl/ssoctl/internal/emulator"
)

var update = flag.Bool("update", false, "rewrite the golden templates under testdata/golden")

var ctx = context.Background()

// generate reads an input from testdata (a config file, or with macro a
// template), resolves it against the small demo organization and generates.
func generate(t *testing.T, dir file.Directory, name string, macro bool, base string, settings cfn.Settings) *cfn.Output {
	t.Helper()
	path := filepath.Join("testdata", name)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	in := cfn.Input{Stem: strings.TrimSuffix(name, ".yaml"), Settings: settings}
	var f *file.File
	if macro {
		m, err := cfn.ParseMacro(path, data)
		if err != nil {
			t.Fatalf("ParseMacro: %v", err)
		}
		f, in.Base, in.GroupResources = m.File, m.Base, m.Resources
		in.Settings = in.Settings.Merge(m.Settings)
	} else {
		if f, err = file.Parse(path, data); err != nil {
			t.Fatalf("Parse: %v", err)
		}
		if f.Single {
			in.Settings = in.Settings.Merge(f.Groups[0].Settings)
		}
	}
	if base != "" {
		var doc yaml.Node
		b, err := os.ReadFile(filepath.Join("testdata", base))
		if err != nil {
			t.Fatal(err)
		}
		if err := yaml.Unmarshal(b, &doc); err != nil {
			t.Fatal(err)
		}
		in.Base = doc.Content[0]
	}
	d, err := file.Resolve(ctx, []*file.File{f}, dir, file.Options{CloudFormation: true})
	if err != nil {
		t.Fatalf("Resolve: %v", err)
	}
	in.InstanceArn, in.Groups = d.Instance.Arn, d.Groups
	out, err := cfn.Generate(in)
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	return out
}

// write writes every template of out under dir and returns their paths.
func write(t *testing.T, dir string, out *cfn.Output) []string {
	t.Helper()
	var paths []string
	for _, tm := range append([]cfn.Template{out.Parent}, out.Children...) {
		b, err := cfn.Encode(tm.Node)
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, filepath.FromSlash(tm.Path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	return paths
}

// cfnLint runs cfn-lint over the templates, in one invocation, as the
// subtest cfn-lint (skipped when cfn-lint is not installed). W3002 ("may
// only work with the package command") is expected: child stacks are
// referenced by local path for `aws cloudformation package`, as
// aws-sso-util does.
func cfnLint(t *testing.T, paths []string) {
	t.Helper()
	t.Run("cfn-lint", func(t *testing.T) {
		lint, err := exec.LookPath("cfn-lint")
		if err != nil {
			t.Skip("cfn-lint not found on PATH: the generated templates are not linted")
		}
		out, err := exec.Command(lint, append([]string{"--ignore-checks", "W3002", "--"}, paths...)...).CombinedOutput()
		if err != nil {
			t.Errorf("cfn-lint rejects the generated templates: %v\n%s", err, out)
		}
	})
}

func TestGolden(t *testing.T) {
	dir, _ := filetest.Sandbox(t, emulator.Options{})
	var all []string
	root := t.TempDir() // the parent's: the templates outlive the subtests for cfn-lint
	for _, tc := range []struct {
		name  string
		input string
		macro bool
		base  string
	}{
		{"config", "config.yaml", false, ""},
		{"macro", "macro.yaml", true, ""},
		{"base", "single.yaml", false, "base.yaml"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := generate(t, dir, tc.input, tc.macro, tc.base, cfn.Settings{})
			got := filepath.Join(root, tc.name)
			paths := write(t, got, out)
			golden := filepath.Join("testdata", "golden", tc.name)
			if *update {
				if err := os.RemoveAll(golden); err != nil {
					t.Fatal(err)
				}
				write(t, golden, out)
			}
			for _, p := range paths {
				rel, _ := filepath.Rel(got, p)
				want, err := os.ReadFile(filepath.Join(golden, rel))
				if err != nil {
					t.Fatalf("%v (run with -update to create it)", err)
				}
				have, _ := os.ReadFile(p)
				if diff := cmp.Diff(string(want), string(have)); diff != "" {
					t.Errorf("%s differs from the golden file (-want +got):\n%s", rel, diff)
				}
			}
			all = append(all, paths...)
		})
	}
	cfnLint(t, all)
}

// TestChildStacks: a config expanding to 1,200 assignments goes into child
// stacks of at most 500, and adding an account moves no assignment.
func TestChildStacks(t *testing.T) {
	dir, _ := filetest.Sandbox(t, emulator.Options{})
	users, err := dir.Users(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, u := range users[:30] {
		names = append(names, u.UserName)
	}
	mgmt, err := dir.ManagementAccount(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	config := func(extra string) string {
		p := filepath.Join(tmp, "big.yaml")
		body := fmt.Sprintf("- Users: [%s]\n  PermissionSets: [Developer, ReadOnlyAccess, SeniorDeveloper, JuniorDeveloper]\n  RecursiveOUs: [Root]\n%s", strings.Join(names, ", "), extra)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	run := func(path string, s cfn.Settings) *cfn.Output {
		data, _ := os.ReadFile(path)
		f, err := file.Parse(path, data)
		if err != nil {
			t.Fatal(err)
		}
		d, err := file.Resolve(ctx, []*file.File{f}, dir, file.Options{CloudFormation: true})
		if err != nil {
			t.Fatal(err)
		}
		out, err := cfn.Generate(cfn.Input{Stem: "big", InstanceArn: d.Instance.Arn, Groups: d.Groups, Settings: s})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	first := run(config(""), cfn.Settings{})
	if len(first.Rows) != 1200 {
		t.Fatalf("got %d assignments; want 1200 (30 users × 4 permission sets × 10 accounts)", len(first.Rows))
	}
	if !first.Automatic || first.NumChildStacks < 3 {
		t.Fatalf("got %d child stacks (automatic %v); want at least 3, chosen automatically", first.NumChildStacks, first.Automatic)
	}
	check := func(out *cfn.Output) map[string]int {
		place := map[string]int{}
		if n := len(resources(out.Parent.Node)); n > cfn.MaxResourcesPerTemplate {
			t.Errorf("parent holds %d resources", n)
		}
		for _, r := range out.Rows {
			if r.Stack < 0 {
				t.Fatalf("assignment %s in the parent; want every one in a child stack", r.LogicalId)
			}
			place[r.LogicalId] = r.Stack
		}
		for _, c := range out.Children {
			if n := len(resources(c.Node)); n > cfn.MaxResourcesPerTemplate || n == 0 {
				t.Errorf("%s holds %d resources; want 1..%d", c.Path, n, cfn.MaxResourcesPerTemplate)
			}
		}
		return place
	}
	before := check(first)
	// The number is recorded in the parent and read back by the next run.
	n, ok := cfn.RecordedChildStacks(first.Parent.Node)
	if !ok || n != first.NumChildStacks {
		t.Fatalf("recorded %d, %v; want %d", n, ok, first.NumChildStacks)
	}
	second := run(config("- Users: ["+strings.Join(names, ", ")+"]\n  PermissionSets: [Developer, ReadOnlyAccess, SeniorDeveloper, JuniorDeveloper]\n  Accounts: ['"+mgmt+"']\n"), cfn.Settings{NumChildStacks: &n})
	if len(second.Rows) != 1320 {
		t.Fatalf("got %d assignments after adding the management account; want 1320", len(second.Rows))
	}
	after := check(second)
	moved := 0
	for id, stack := range before {
		if s, ok := after[id]; !ok || s != stack {
			moved++
		}
	}
	if moved != 0 {
		t.Errorf("%d of %d assignments changed stack (or logical id) after adding one account; want 0", moved, len(before))
	}
	paths := write(t, t.TempDir(), second)
	cfnLint(t, paths)
}

func resources(t *yaml.Node) []string {
	for i := 0; i+1 < len(t.Content); i += 2 {
		if t.Content[i].Value == "Resources" {
			var out []string
			for j := 0; j < len(t.Content[i+1].Content); j += 2 {
				out = append(out, t.Content[i+1].Content[j].Value)
			}
			return out
		}
	}
	return nil
}

// TestTooManyWithoutRoom: fixed stacks too few for the assignments is an
// error naming the remedy, not a template CloudFormation would refuse.
func TestTooManyWithoutRoom(t *testing.T) {
	dir, _ := filetest.Sandbox(t, emulator.Options{})
	zero := 0
	data := []byte("Groups: [developers]\nPermissionSets: [Developer]\nRecursiveOUs: [Root]\n")
	f, err := file.Parse("small.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	d, err := file.Resolve(ctx, []*file.File{f}, dir, file.Options{CloudFormation: true})
	if err != nil {
		t.Fatal(err)
	}
	_, err = cfn.Generate(cfn.Input{Stem: "s", InstanceArn: d.Instance.Arn, Groups: d.Groups, Settings: cfn.Settings{NumChildStacks: &zero, MaxResourcesPerTemplate: 5}})
	if err == nil || !strings.Contains(err.Error(), "NumChildStacks") {
		t.Errorf("got %v; want an error naming NumChildStacks", err)
	}
}
