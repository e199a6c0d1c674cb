package inventory_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ssoctl/ssoctl/internal/inventory"
)

// TestClosest: case first, then containment, then small edit distances;
// nothing when no candidate is near. (Moved here from the assignments file package: the one
// suggester serves the access files and the user commands.)
func TestClosest(t *testing.T) {
	cands := []string{"Developer", "SeniorDeveloper", "JuniorDeveloper", "ReadOnlyAccess", "AdministratorAccess"}
	for _, tc := range []struct {
		name string
		want []string
	}{
		{"developer", []string{"Developer", "SeniorDeveloper", "JuniorDeveloper"}},
		{"Develper", []string{"Developer"}},
		{"ReadOnly", []string{"ReadOnlyAccess"}},
		{"Zebra", nil},
	} {
		if got := inventory.Closest(tc.name, cands, 3); !cmp.Equal(got, tc.want) {
			t.Errorf("Closest(%q) = %v; want %v", tc.name, got, tc.want)
		}
	}
}

// TestSuggest: the tail of a not-found error.
func TestSuggest(t *testing.T) {
	cands := []string{"bob.smith", "alice.johnson", "hana.roberts"}
	if got, want := inventory.Suggest("bob.smiht", cands), "; closest: bob.smith"; got != want {
		t.Errorf("got %q; want %q", got, want)
	}
	if got := inventory.Suggest("zzzzzz", cands); got != "" {
		t.Errorf("got %q; want nothing", got)
	}
}
