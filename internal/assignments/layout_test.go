package assignments

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestFamilyImportsOnlyEarlierSteps: each package of the family imports
// only the root (the tuple) and the steps the package doc lists before it,
// so the folder reads in one direction: list, file, execute, plan, cfn.
func TestFamilyImportsOnlyEarlierSteps(t *testing.T) {
	const prefix = "github.com/ssoctl/ssoctl/internal/assignments/"
	steps := []string{"list", "file", "execute", "plan", "cfn"}
	dirs, _ := filepath.Glob("*")
	for _, d := range dirs {
		if fi, err := os.Stat(d); err == nil && fi.IsDir() && !slices.Contains(steps, d) {
			t.Errorf("internal/assignments/%s is not one of the steps %v: add it to the package doc and to this order", d, steps)
		}
	}
	for i, step := range steps {
		files, _ := filepath.Glob(filepath.Join(step, "*.go"))
		if len(files) == 0 {
			t.Fatalf("no Go files in internal/assignments/%s", step)
		}
		for _, path := range files {
			if strings.HasSuffix(path, "_test.go") {
				continue
			}
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			f, err := parser.ParseFile(token.NewFileSet(), path, src, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range f.Imports {
				p, _ := strconv.Unquote(imp.Path.Value)
				other, ok := strings.CutPrefix(p, prefix)
				if ok && !slices.Contains(steps[:i], other) {
					t.Errorf("%s imports %s: a step imports only the root and the steps before it (%v)", path, p, steps[:i])
				}
			}
		}
	}
}
