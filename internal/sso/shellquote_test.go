package sso

import "testing"

// TestShellQuote: what `ssoctl export` quotes for sh (moved from
// credscmd, whose shellQuote was this function).
func TestShellQuote(t *testing.T) {
	for in, want := range map[string]string{
		"ASIA123":        "ASIA123",
		"a+b/c=":         "a+b/c=",
		"has space":      "'has space'",
		"it's":           `'it'\''s'`,
		"":               "''",
		"$(rm -rf /)":    "'$(rm -rf /)'",
		"2030-01-02T03Z": "2030-01-02T03Z",
	} {
		if got := ShellQuote(in); got != want {
			t.Errorf("ShellQuote(%q) = %s; want %s", in, got, want)
		}
	}
}
