package sso

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseTime(t *testing.T) {
	want := time.Date(2024, 3, 5, 7, 8, 9, 0, time.UTC)
	for _, s := range []string{
		"2024-03-05T07:08:09Z",      // the AWS CLI v2
		"2024-03-05T07:08:09UTC",    // older CLIs (strftime %Z)
		"2024-03-05T07:08:09+00:00", // isoformat
		"2024-03-05T09:08:09+02:00",
		"2024-03-05T07:08:09.000Z",
		"2024-03-05 07:08:09+00:00",
	} {
		got, err := parseTime(s)
		if err != nil || !got.Equal(want) {
			t.Errorf("parseTime(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	if _, err := parseTime("yesterday"); err == nil {
		t.Error("parseTime(yesterday) succeeded")
	}
	if got := formatTime(want.In(time.FixedZone("x", 3600))); got != "2024-03-05T07:08:09Z" {
		t.Errorf("formatTime = %s", got)
	}
}

// TestTokenKeepsUnknownMembers: a rewrite keeps what other tools put in the
// file and writes the known members in the AWS CLI's order and format.
func TestTokenKeepsUnknownMembers(t *testing.T) {
	in := `{"receivedAt": "2024-03-05T06:00:00Z", "accessToken": "old", "expiresAt": "2024-03-05T07:08:09UTC",
	        "startUrl": "https://x.awsapps.com/start", "region": "eu-west-1", "clientId": "cid", "clientSecret": "cs",
	        "registrationExpiresAt": "2024-06-01T00:00:00Z", "refreshToken": "r1", "extra": {"nested": [1, 2]}}`
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(in), &m); err != nil {
		t.Fatal(err)
	}
	tok, err := decodeToken(m)
	if err != nil {
		t.Fatal(err)
	}
	tok.AccessToken = "new"
	tok.ExpiresAt = time.Date(2024, 3, 5, 15, 0, 0, 0, time.UTC)
	tok.RefreshToken = "r2"
	got := string(tok.encode())
	want := `{"startUrl": "https://x.awsapps.com/start", "region": "eu-west-1", "accessToken": "new", "expiresAt": "2024-03-05T15:00:00Z", ` +
		`"clientId": "cid", "clientSecret": "cs", "registrationExpiresAt": "2024-06-01T00:00:00Z", "refreshToken": "r2", ` +
		`"extra": {"nested": [1, 2]}, "receivedAt": "2024-03-05T06:00:00Z"}`
	if got != want {
		t.Errorf("encode:\n got %s\nwant %s", got, want)
	}
	// No refresh token returned: the member goes, as with the AWS CLI.
	tok.RefreshToken = ""
	if strings.Contains(string(tok.encode()), "refreshToken") {
		t.Error("an empty refresh token was written")
	}
}

func TestDecodeRejects(t *testing.T) {
	for _, in := range []string{
		`{"accessToken": "x"}`,                      // no expiry
		`{"accessToken": "x", "expiresAt": "soon"}`, // bad time
		`{"accessToken": "x", "expiresAt": 12}`,     // not a string
		`{"expiresAt": "2024-03-05T07:08:09Z"}`,     // no token
	} {
		var m map[string]json.RawMessage
		_ = json.Unmarshal([]byte(in), &m)
		if _, err := decodeToken(m); err == nil {
			t.Errorf("decodeToken(%s) succeeded", in)
		}
	}
}

func TestRoleCredentialsFile(t *testing.T) {
	c := &RoleCredentials{AccessKeyID: "ASIA", SecretAccessKey: "s", SessionToken: "t",
		Expiration: time.Date(2024, 3, 5, 8, 0, 0, 0, time.UTC), AccountID: "123456789012"}
	got := string(c.encode())
	want := `{"ProviderType": "sso", "Credentials": {"AccessKeyId": "ASIA", "SecretAccessKey": "s", "SessionToken": "t", "Expiration": "2024-03-05T08:00:00Z", "AccountId": "123456789012"}}`
	if got != want {
		t.Errorf("encode:\n got %s\nwant %s", got, want)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(got), &m); err != nil {
		t.Fatal(err)
	}
	back, err := decodeRoleCredentials(m)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(c, back); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	m["ProviderType"] = json.RawMessage(`"assume-role"`)
	if _, err := decodeRoleCredentials(m); err == nil {
		t.Error("an assume-role file was read as SSO credentials")
	}
}

func TestWriteAtomicModes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b")
	path := filepath.Join(dir, "x.json")
	if err := writeAtomic(path, []byte(`{"a": 1}`)); err != nil {
		t.Fatal(err)
	}
	if err := writeAtomic(path, []byte(`{"a": 2}`)); err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]os.FileMode{path: 0o600, dir: 0o700 | os.ModeDir} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode() != want {
			t.Errorf("%s: mode %v; want %v", p, fi.Mode(), want)
		}
	}
	// A folder another tool made readable by others is tightened.
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := writeAtomic(path, []byte(`{"a": 2}`)); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(dir); fi.Mode().Perm() != 0o700 {
		t.Errorf("folder mode %v after a write; want 0700", fi.Mode())
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("left behind: %v", entries)
	}
	m, err := readObject(path)
	if err != nil || string(m["a"]) != "2" {
		t.Errorf("readObject = %v, %v", m, err)
	}
	for _, bad := range []string{"", "{", "[]", "null", `{"a": 1} trailing`} {
		if err := os.WriteFile(path, []byte(bad), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := readObject(path); !errors.Is(err, ErrCorrupt) {
			t.Errorf("readObject(%q) = %v; want ErrCorrupt", bad, err)
		}
	}
	if m, err := readObject(filepath.Join(dir, "absent.json")); m != nil || err != nil {
		t.Errorf("absent file = %v, %v; want nil, nil", m, err)
	}
}
