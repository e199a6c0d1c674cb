package cli

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestCommandPackagesImportNoOther: a command package (internal/cli/*cmd)
// imports no other command package; what two commands share lives in the
// factory (issue 24 item 4).
func TestCommandPackagesImportNoOther(t *testing.T) {
	const prefix = "github.com/ssoctl/ssoctl/internal/cli/"
	dirs, err := filepath.Glob("*cmd")
	if err != nil || len(dirs) < 10 {
		t.Fatalf("found %d command packages (%v); want the dozen or so there are", len(dirs), err)
	}
	for _, dir := range dirs {
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		for _, path := range files {
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
				if other, ok := strings.CutPrefix(p, prefix); ok && strings.HasSuffix(other, "cmd") && other != dir {
					t.Errorf("%s imports %s: a command package imports no other; share through the factory", path, p)
				}
			}
		}
	}
}
