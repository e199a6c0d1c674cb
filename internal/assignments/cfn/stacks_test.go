package cfn_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ssoctl/ssoctl/internal/assignments/cfn"
	"github.com/ssoctl/ssoctl/internal/assignments/file"
	"github.com/ssoctl/ssoctl/internal/assignments/file/filetest"
	"github.com/ssoctl/ssoctl/internal/emulator"
)

// TestBuildKeepsStacksAndRemovesStale: a generation into a folder where
// an earlier one wrote its parent keeps that parent's number of child
// stacks, and removes the child templates no child stack uses any more
// (each removal a warning); the folder then holds what the parent
// references.
func TestBuildKeepsStacksAndRemovesStale(t *testing.T) {
	dir, _ := filetest.Sandbox(t, emulator.Options{})
	users, err := dir.Users(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	input := filepath.Join(tmp, "big.yaml")
	out := filepath.Join(tmp, "out")
	gen := func(body string, s cfn.Settings) *cfn.Generation {
		t.Helper()
		if err := os.WriteFile(input, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		data, _ := os.ReadFile(input)
		src, err := cfn.ParseSource(input, data, false, nil)
		if err != nil {
			t.Fatal(err)
		}
		g, err := cfn.Build(cfn.Job{Sources: []*cfn.Source{src}, Dir: out, Settings: s}, func(src *cfn.Source) (*file.Desired, error) {
			return file.Resolve(ctx, []*file.File{src.File}, dir, file.Options{CloudFormation: true})
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := g.Write(func(path string, data []byte) error {
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				return err
			}
			return os.WriteFile(path, data, 0o644)
		}); err != nil {
			t.Fatal(err)
		}
		return g
	}
	children := func() []string {
		m, _ := filepath.Glob(filepath.Join(out, "big", "big-*.yaml"))
		return m
	}
	var names []string
	for _, u := range users[:30] {
		names = append(names, u.UserName)
	}
	four := 4
	first := gen("- Users: ["+strings.Join(names, ", ")+"]\n  PermissionSets: [Developer, ReadOnlyAccess]\n  RecursiveOUs: [Root]\n", cfn.Settings{NumChildStacks: &four})
	if n := len(children()); n != 4 || first.Templates[0].NumChildStacks != 4 {
		t.Fatalf("first generation: %d child templates, parent says %d; want 4 and 4", n, first.Templates[0].NumChildStacks)
	}

	second := gen("- Users: ["+names[0]+"]\n  PermissionSets: [Developer]\n  Accounts: [payments-dev]\n", cfn.Settings{})
	if got := second.Templates[0].NumChildStacks; got != 4 {
		t.Errorf("second generation: %d child stacks; want the 4 the first one recorded", got)
	}
	var removed int
	for _, w := range second.Warnings {
		if strings.HasPrefix(w, "removed ") && strings.HasSuffix(w, ": no assignment is placed in that child stack any more") {
			removed++
		}
	}
	written := len(second.Templates) - 1
	if written != 1 || removed != 3 || len(children()) != 1 {
		t.Errorf("second generation: %d child templates written, %d removed, %d left in the folder; want 1, 3, 1 (warnings %q)", written, removed, len(children()), second.Warnings)
	}
}
