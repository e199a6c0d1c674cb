package awsconfig

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// botocoreRead is what botocore's own config loader makes of a file:
// whether it reads it, and the names of its profiles and sso-sessions.
type botocoreRead struct {
	OK       bool     `json:"ok"`
	Profiles []string `json:"profiles"`
	Sessions []string `json:"sessions"`
}

// botocoreLoads asks botocore's own config loader what it reads in the
// file; the test skips when python3 with botocore is not installed.
func botocoreLoads(t *testing.T, path string) botocoreRead {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not found on PATH")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, py, "-c", `
import json, sys
try:
    import botocore.configloader as c
except ImportError:
    print("absent"); sys.exit(0)
try:
    m = c.load_config(sys.argv[1])
    print(json.dumps({"ok": True, "profiles": sorted(m["profiles"]), "sessions": sorted(m["sso_sessions"])}))
except Exception as e:
    print(json.dumps({"ok": False}))
`, path).Output()
	if err != nil {
		t.Fatalf("python3: %v", err)
	}
	s := strings.TrimSpace(string(out))
	if s == "absent" {
		t.Skip("python3 cannot import botocore")
	}
	var r botocoreRead
	if err := json.Unmarshal([]byte(s), &r); err != nil {
		t.Fatalf("python3 said %q", s)
	}
	return r
}

// TestParseAgreesWithBotocore: for every file, ssoctl refuses exactly what
// botocore refuses, and reads the profiles and sso-sessions botocore reads,
// under the same names: the lossy reader (Parse) and the lossless one
// (ParseDoc) alike.
func TestParseAgreesWithBotocore(t *testing.T) {
	files := []string{
		sample,
		"[profile x]\nregion = a\n\n[profile x]\nregion = b\n",
		"[profile x]\nsso_account_id = 111111111111\nSSO_Account_Id = 222222222222\n",
		"[default]\nregion = a\n[profile dev\nregion = b\n",
		"region = a\n[default]\n",
		"[default]\nregion = a\njust words\n",
		"[default]\n= a\n",
		"[plugins]\na = 1\n[plugins]\n",
		"[profile x]\ns3 =\n  region = 1\n  addressing_style = path\nregion = 2\n",
		"[profile x]\nregion: eu-west-1\n",
		"[profile default]\nregion = y\n[default]\nregion = z\n[profile  x]\na = 1\n[profile x]\na = 2\n",
		"# c\r\n; c\r\n[default]\r\n  # indented comment\r\nregion = a\r\n",
		"[profile x]\nsso_start_url = https://a\n  region = q\nregion = r\n",
		// Header forms: botocore splits "profile …" as a shell would and
		// keeps it only when it is two words.
		"[profile \"my dev\"]\nregion = a\n[profile my prod]\nregion = b\n",
		"[profile 'single quoted']\na = 1\n[profile \"unclosed]\na = 2\n[profile a\\ b]\na = 3\n",
		"[profile  spaced  ]\na = 1\n[ profile lead]\na = 2\n[profile\ttab]\na = 3\n",
		"[profilex y]\na = 1\n[profiles z]\na = 2\n[profile]\na = 3\n",
		"[profile a]b]\na = 1\n[profile c] # note\na = 2\n[profile \"\"]\na = 3\n",
		"[profile \"a\\\"b\"]\na = 1\n[profile \"c\\d\"]\na = 2\n[profile e\"f g\"h]\na = 3\n",
		"[sso-session \"my sso\"]\nsso_region = r\n[sso-session a b]\nsso_region = r\n[sso-sessionx y]\nsso_region = r\n",
		"[default]\na = 1\n[profile \"default\"]\na = 2\n[Log Archive.Developer]\na = 3\n[profile Log Archive.Developer]\na = 4\n",
	}
	dir := t.TempDir()
	for i, text := range files {
		path := filepath.Join(dir, "config")
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		f, err := Parse([]byte(text))
		want := botocoreLoads(t, path)
		if (err == nil) != want.OK {
			t.Errorf("file %d %q: ssoctl error %v; botocore accepts it: %v", i, text, err, want.OK)
			continue
		}
		if err != nil {
			continue
		}
		doc := ParseDoc([]byte(text))
		for _, k := range []struct {
			kind string
			want []string
		}{{KindProfile, want.Profiles}, {KindSSOSession, want.Sessions}} {
			if got := f.Names(k.kind); !slices.Equal(got, k.want) && len(got)+len(k.want) > 0 {
				t.Errorf("file %d %q: %s names %q; botocore reads %q", i, text, k.kind, got, k.want)
			}
			if got := docNames(doc, k.kind); !slices.Equal(got, k.want) && len(got)+len(k.want) > 0 {
				t.Errorf("file %d %q: ParseDoc's %s names %q; botocore reads %q", i, text, k.kind, got, k.want)
			}
		}
	}
}

// docNames are the distinct names of a Doc's sections of a kind, sorted.
func docNames(d *Doc, kind string) []string {
	var out []string
	for _, s := range d.Sections() {
		if s.Kind == kind && !slices.Contains(out, s.Name) {
			out = append(out, s.Name)
		}
	}
	slices.Sort(out)
	return out
}
