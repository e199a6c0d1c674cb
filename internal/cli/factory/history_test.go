package factory

import "testing"

func TestDefaultHistoryDB(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"XDG_DATA_HOME": "/data", "HOME": "/home/a"}, "/data/ssoctl/history.db"},
		// A relative XDG_DATA_HOME is invalid by the spec and ignored.
		{map[string]string{"XDG_DATA_HOME": "rel", "HOME": "/home/a"}, "/home/a/.local/share/ssoctl/history.db"},
		{map[string]string{"HOME": "/home/a"}, "/home/a/.local/share/ssoctl/history.db"},
		{map[string]string{}, ""},
	} {
		got, err := DefaultHistoryDB(func(k string) string { return tc.env[k] })
		if got != tc.want || (err != nil) != (tc.want == "") {
			t.Errorf("DefaultHistoryDB(%v) = %q, %v; want %q", tc.env, got, err, tc.want)
		}
	}
}
