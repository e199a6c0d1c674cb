package awsconfig

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// botocoreAccepts asks botocore's own config loader whether it reads the
// file; the test skips when python3 with botocore is not installed.
func botocoreAccepts(t *testing.T, path string) bool {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not found on PATH")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, py, "-c", `
import sys
try:
    import botocore.configloader as c
except ImportError:
    print("absent"); sys.exit(0)
try:
    c.raw_config_parse(sys.argv[1]); print("ok")
except Exception as e:
    print("refused", e)
`, path).Output()
	if err != nil {
		t.Fatalf("python3: %v", err)
	}
	switch s := strings.TrimSpace(string(out)); {
	case s == "absent":
		t.Skip("python3 cannot import botocore")
	case s == "ok":
		return true
	case strings.HasPrefix(s, "refused"):
		return false
	default:
		t.Fatalf("python3 said %q", s)
	}
	return false
}

// TestParseAgreesWithBotocore: for every file, ssoctl refuses exactly what
// botocore refuses.
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
	}
	dir := t.TempDir()
	for i, text := range files {
		path := filepath.Join(dir, "config")
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := Parse([]byte(text))
		if want := botocoreAccepts(t, path); (err == nil) != want {
			t.Errorf("file %d %q: ssoctl error %v; botocore accepts it: %v", i, text, err, want)
		}
	}
}
