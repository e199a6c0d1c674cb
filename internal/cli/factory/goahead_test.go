package factory

import (
	"strings"
	"testing"

	"github.com/ssoctl/ssoctl/internal/iostreams"
)

// TestConfirm (the go-ahead of every write command): --yes goes ahead; at a terminal a typed yes does, anything
// else does not; without a terminal nothing is changed and it says how.
func TestConfirm(t *testing.T) {
	for _, tc := range []struct {
		name  string
		yes   bool
		dry   bool
		tty   bool
		input string
		want  bool
		say   string
	}{
		{"--yes", true, false, false, "", true, ""},
		{"--dry-run wins", true, true, true, "y\n", false, "Nothing was changed (--dry-run)."},
		{"terminal yes", false, false, true, "yes\n", true, "Go? [y/N] "},
		{"terminal y", false, false, true, "y\n", true, ""},
		{"terminal no", false, false, true, "n\n", false, "Cancelled: nothing was changed."},
		{"terminal end of input", false, false, true, "", false, "Cancelled"},
		{"no terminal", false, false, false, "y\n", false, "run again with --yes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ios, in, _, errOut := iostreams.Test()
			ios.SetTTY(tc.tty, tc.tty, tc.tty)
			in.WriteString(tc.input)
			c := GoAhead{IO: ios, Prompter: NewPrompter(ios), Yes: tc.yes, DryRun: tc.dry}
			got, err := c.Confirm("Go?")
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got %v; want %v", got, tc.want)
			}
			if !strings.Contains(errOut.String(), tc.say) {
				t.Errorf("stderr %q; want %q", errOut.String(), tc.say)
			}
		})
	}
}
