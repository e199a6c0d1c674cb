package inventory_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Organizations' ListAccounts is paged in one place, inventory's
// accountPages: every other package asks inventory (one reader of the
// account's State; issue 24 item 1). The emulator serves the call and is
// not a reader.
func TestListAccountsPagedInOnePlace(t *testing.T) {
	root := filepath.Join("..", "..")
	var found []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != root && strings.HasPrefix(name, ".") || name == "testdata" || path == filepath.Join(root, "internal", "emulator") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, call := range []string{"organizations.NewListAccountsPaginator(", "organizations.ListAccountsInput{"} {
			if n := strings.Count(string(b), call); n > 0 {
				rel, _ := filepath.Rel(root, path)
				for range n {
					found = append(found, filepath.ToSlash(rel))
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// accountPages names both the paginator and its input once.
	want := []string{"internal/inventory/inventory.go", "internal/inventory/inventory.go"}
	if strings.Join(found, " ") != strings.Join(want, " ") {
		t.Errorf("ListAccounts is paged in %v; want only inventory's accountPages", found)
	}
}
