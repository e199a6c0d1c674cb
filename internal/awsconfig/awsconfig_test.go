package awsconfig

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const sample = `# a comment
; another
[default]
region = us-east-1

[profile dev]
sso_session = acme
sso_account_id = 111111111111
sso_role_name = Developer
region = eu-west-1
s3 =
  max_concurrent_requests = 10
Output = json
cli_pager =

[profile   legacy]
sso_start_url = https://legacy.awsapps.com/start
sso_region = us-west-2
sso_account_id = 222222222222
sso_role_name = ReadOnly

[profile conflict]
sso_session = acme
sso_region = us-west-2

[profile nossokeys]
region = us-east-2

[sso-session acme]
sso_start_url = https://acme.awsapps.com/start
sso_region = eu-central-1
sso_registration_scopes = sso:account:access, ,sso-portal:*

[sso-session broken]
sso_region = eu-central-1

[services local]
sso =
  endpoint_url = http://127.0.0.1:1
`

func mustParse(t *testing.T, text string) *File {
	t.Helper()
	f, err := Parse([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestParse(t *testing.T) {
	f := mustParse(t, strings.ReplaceAll(sample, "\n", "\r\n"))
	if got, want := f.Names(KindProfile), []string{"conflict", "default", "dev", "legacy", "nossokeys"}; !cmp.Equal(got, want) {
		t.Errorf("profiles %v; want %v", got, want)
	}
	if got, want := f.Names(KindSSOSession), []string{"acme", "broken"}; !cmp.Equal(got, want) {
		t.Errorf("sso-sessions %v; want %v", got, want)
	}
	dev, ok := f.Profile("dev")
	if !ok {
		t.Fatal("profile dev not found")
	}
	want := map[string]string{"sso_session": "acme", "sso_account_id": "111111111111", "sso_role_name": "Developer",
		"region": "eu-west-1", "s3": "", "output": "json", "cli_pager": ""}
	if diff := cmp.Diff(want, dev.Keys); diff != "" {
		t.Errorf("profile dev keys (-want +got):\n%s", diff)
	}
	if _, ok := f.Profile("max_concurrent_requests"); ok {
		t.Error("a sub-property became a profile")
	}
}

func TestProfileSSO(t *testing.T) {
	f := mustParse(t, sample)
	f.Path = "config"
	tests := []struct {
		profile string
		want    SSO
		err     string
	}{
		{"dev", SSO{Profile: "dev", Session: "acme", StartURL: "https://acme.awsapps.com/start", Region: "eu-central-1",
			Scopes: []string{"sso:account:access", "sso-portal:*"}, AccountID: "111111111111", RoleName: "Developer", ProfileRegion: "eu-west-1"}, ""},
		{"legacy", SSO{Profile: "legacy", StartURL: "https://legacy.awsapps.com/start", Region: "us-west-2", AccountID: "222222222222", RoleName: "ReadOnly"}, ""},
		{"conflict", SSO{}, `sso_region "us-west-2" differs from sso-session "acme"'s "eu-central-1"`},
		{"nossokeys", SSO{}, "no Identity Center"},
		{"missing", SSO{}, `profile "missing" not found in config`},
	}
	for _, tt := range tests {
		t.Run(tt.profile, func(t *testing.T) {
			got, err := f.ProfileSSO(tt.profile)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v; want one containing %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	if _, err := f.ProfileSSO("nossokeys"); !errors.Is(err, ErrNoSSO) {
		t.Errorf("nossokeys: %v; want ErrNoSSO", err)
	}
	if _, err := f.SessionSSO("broken"); err == nil || !strings.Contains(err.Error(), "no sso_start_url") {
		t.Errorf("broken session: %v; want no sso_start_url", err)
	}
}

func TestPathAndLoad(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"HOME": dir}
	getenv := func(k string) string { return env[k] }
	p, err := Path(getenv)
	if err != nil || p != filepath.Join(dir, ".aws", "config") {
		t.Errorf("Path = %q, %v; want ~/.aws/config", p, err)
	}
	env["AWS_CONFIG_FILE"] = "~/elsewhere/config"
	if p, _ = Path(getenv); p != filepath.Join(dir, "elsewhere", "config") {
		t.Errorf("Path with AWS_CONFIG_FILE=~/… = %q", p)
	}
	f, err := Load(filepath.Join(dir, "absent"))
	if err != nil || len(f.Names(KindProfile)) != 0 {
		t.Errorf("a missing file: %v, %v; want an empty File", f, err)
	}
	path := filepath.Join(dir, "config")
	if err := os.WriteFile(path, []byte(sample), 0o600); err != nil {
		t.Fatal(err)
	}
	if f, err = Load(path); err != nil || f.Path != path {
		t.Fatalf("Load = %v, %v", f, err)
	}
	if got := SplitScopes(" a ,b,, "); !cmp.Equal(got, []string{"a", "b"}) {
		t.Errorf("SplitScopes = %q", got)
	}
	if got := SplitScopes(""); got != nil {
		t.Errorf("SplitScopes(\"\") = %q; want nil", got)
	}
}

// What botocore refuses is refused, with its line; what it reads is read.
func TestParseStrict(t *testing.T) {
	tests := []struct {
		name, text string
		line       int
		msg        string // "" when the text is valid
	}{
		{"repeated section", "[profile x]\nregion = a\n\n[profile x]\nregion = b\n", 4, "section [profile x] is repeated (first at line 1)"},
		{"repeated key", "[profile x]\nsso_account_id = 111111111111\nSSO_Account_Id = 222222222222\n", 3, `key "sso_account_id" is repeated in this section (first at line 2)`},
		{"unterminated header", "[default]\nregion = a\n[profile dev\nregion = b\n", 3, "section header [profile dev has no closing ]"},
		{"key before a header", "region = a\n[default]\n", 1, `key "region" comes before any [section] header`},
		{"not a key line", "[default]\nregion = a\njust words\n", 3, `"just words" is not a key = value line`},
		{"empty key", "[default]\n= a\n", 2, `"= a" has no key before the =`},
		{"empty header", "[]\n", 1, "section header [] has no name"},
		{"repeated unknown section", "[plugins]\na = 1\n[plugins]\n", 3, "section [plugins] is repeated (first at line 1)"},
		{"sub-properties repeat a key", "[profile x]\ns3 =\n  region = 1\n  addressing_style = path\nregion = 2\n", 0, ""},
		{"colon delimiter", "[profile x]\nregion: eu-west-1\n", 0, ""},
		{"same profile, two spellings", "[profile default]\nregion = y\n[default]\nregion = z\n[profile  x]\na = 1\n[profile x]\na = 2\n", 0, ""},
		{"comments and CRLF", "# c\r\n; c\r\n[default]\r\n  # indented comment\r\nregion = a\r\n", 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Parse([]byte(tt.text))
			if tt.msg == "" {
				if err != nil {
					t.Fatalf("error %v; want none", err)
				}
				return
			}
			var se *SyntaxError
			if !errors.As(err, &se) || se.Line != tt.line || se.Msg != tt.msg {
				t.Fatalf("got %v (file %v); want line %d: %s", err, f, tt.line, tt.msg)
			}
		})
	}

	// Later sections of one profile replace earlier ones whole, as in botocore.
	f := mustParse(t, "[default]\nregion = z\noutput = json\n[profile default]\nregion = y\n")
	if d, _ := f.Profile("default"); !cmp.Equal(d.Keys, map[string]string{"region": "y"}) {
		t.Errorf("default = %v; want only region y (the later section)", d.Keys)
	}

	// Load names the file.
	path := filepath.Join(t.TempDir(), "config")
	if err := os.WriteFile(path, []byte("[profile dev]\nsso_account_id = 1\n[profile dev]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Load(path)
	if want := path + ":3: section [profile dev] is repeated (first at line 1) (the AWS CLI and boto3 refuse this file too)"; err == nil || err.Error() != want {
		t.Errorf("Load: %v; want %s", err, want)
	}
}

func TestCheckName(t *testing.T) {
	for _, tc := range []struct {
		name    string
		wantErr string
	}{
		{name: "Log-Archive.Developer"},
		{name: "payments+dev@x,y=z"},
		{name: "Produktion-München.Developer"},
		{name: "a#b;c"},
		{name: "Log Archive.Developer", wantErr: "holds a space"},
		{name: "tab\there", wantErr: "holds a space"},
		{name: `say"hi"`, wantErr: "quote or a backslash"},
		{name: `it's`, wantErr: "quote or a backslash"},
		{name: `back\slash`, wantErr: "quote or a backslash"},
		{name: "a]b", wantErr: "[ or ]"},
		{name: "bell\a", wantErr: "control character"},
		{name: "", wantErr: "empty"},
	} {
		err := CheckName(KindProfile, tc.name)
		switch {
		case tc.wantErr == "" && err != nil:
			t.Errorf("CheckName(%q): %v; want nil", tc.name, err)
		case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
			t.Errorf("CheckName(%q): %v; want an error containing %q", tc.name, err, tc.wantErr)
		case err == nil:
			// What CheckName accepts, botocore's reading gives back.
			f, perr := Parse([]byte(HeaderText(KindProfile, tc.name) + "\nregion = x\n"))
			if perr != nil {
				t.Fatal(perr)
			}
			if _, ok := f.Profile(tc.name); !ok {
				t.Errorf("CheckName(%q) accepted it, but the header is read as %q", tc.name, f.Names(KindProfile))
			}
		}
	}
}

func TestShellSplit(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
		ok   bool
	}{
		{`profile a`, []string{"profile", "a"}, true},
		{`profile "my dev"`, []string{"profile", "my dev"}, true},
		{`profile 'it''s'`, []string{"profile", "its"}, true},
		{`profile ""`, []string{"profile", ""}, true},
		{`profile a\ b`, []string{"profile", "a b"}, true},
		{`profile "a\"b\c"`, []string{"profile", `a"b\c`}, true},
		{`profile e"f g"h`, []string{"profile", "ef gh"}, true},
		{`profile "open`, nil, false},
		{`profile end\`, nil, false},
		{"  profile \t x  ", []string{"profile", "x"}, true},
	} {
		got, ok := shellSplit(tc.in)
		if ok != tc.ok || !slices.Equal(got, tc.want) {
			t.Errorf("shellSplit(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}
