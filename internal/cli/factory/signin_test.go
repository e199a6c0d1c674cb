package factory

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/ssoctl/ssoctl/internal/iostreams"
	"github.com/ssoctl/ssoctl/internal/sso"
)

func TestChooseFlow(t *testing.T) {
	if runtime.GOOS == "darwin" || runtime.GOOS == "windows" {
		t.Skip("a browser is always assumed there")
	}
	tests := []struct {
		env        map[string]string
		deviceFlag bool
		want       sso.Flow
	}{
		{nil, false, sso.FlowDevice}, // no display: device code
		{map[string]string{"DISPLAY": ":0"}, false, sso.FlowPKCE},
		{map[string]string{"WAYLAND_DISPLAY": "wayland-0"}, false, sso.FlowPKCE},
		{map[string]string{"SSOCTL_BROWSER": "browse"}, false, sso.FlowPKCE},
		{map[string]string{"DISPLAY": ":0"}, true, sso.FlowDevice},
	}
	for _, tt := range tests {
		ios, _, _, _ := iostreams.Test()
		ios.Getenv = func(k string) string { return tt.env[k] }
		if got := New(ios).ChooseFlow(tt.deviceFlag); got != tt.want {
			t.Errorf("env %v, --use-device-code=%v: %v; want %v", tt.env, tt.deviceFlag, got, tt.want)
		}
	}
}

func TestExplainSignIn(t *testing.T) {
	target := sso.Target{LoginArgs: []string{"--profile", "dev"}}
	err := ExplainSignIn(fmt.Errorf("%w: no cached token for sso-session x", sso.ErrSignInRequired), target)
	if ExitCode(err) != ExitSignIn || !errors.Is(err, sso.ErrSignInRequired) {
		t.Errorf("%v is not a sign-in-required error (exit 4)", err)
	}
	if want := "sign-in required: no cached token for sso-session x; run `ssoctl login --profile dev` to sign in"; err.Error() != want {
		t.Errorf("message %q; want %q", err, want)
	}
	other := errors.New("boom")
	if ExplainSignIn(other, target) != other {
		t.Error("another error was changed")
	}
}

type fakeBrowser struct{ urls []string }

func (b *fakeBrowser) Browse(url string) error { b.urls = append(b.urls, url); return nil }

// The sign-in prompts open URLs through the factory's Browser, and not
// with --no-browser.
func TestPromptsUseTheBrowser(t *testing.T) {
	ios, _, _, errOut := iostreams.Test()
	ios.Getenv = func(k string) string { return map[string]string{"SSOCTL_BROWSER": "x"}[k] }
	f := New(ios)
	b := &fakeBrowser{}
	f.Browser = b
	f.Prompts(sso.FlowPKCE, false).OnAuthorizeURL("https://example.com/authorize")
	f.Prompts(sso.FlowPKCE, true).OnAuthorizeURL("https://example.com/not-opened")
	if len(b.urls) != 1 || b.urls[0] != "https://example.com/authorize" {
		t.Errorf("browsed %q; want only the first URL", b.urls)
	}
	if got := errOut.String(); !strings.Contains(got, "https://example.com/not-opened") {
		t.Errorf("stderr %q does not show the URL", got)
	}
}

func TestPrompterConfirm(t *testing.T) {
	ios, in, _, errOut := iostreams.Test()
	in.WriteString("y\nno\nYES\n")
	p := New(ios).Prompter
	for i, want := range []bool{true, false, true, false} {
		got, err := p.Confirm("Go? [y/N] ")
		if err != nil || got != want {
			t.Errorf("answer %d: %v, %v; want %v", i, got, err, want)
		}
	}
	if got := strings.Count(errOut.String(), "Go? [y/N] "); got != 4 {
		t.Errorf("asked %d times; want 4", got)
	}
}

// The domain's errors are worded as flags here, and mapped to usage (2)
// or error (1).
func TestSignInTargetErrors(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config")
	if err := os.WriteFile(cfg, []byte("[profile plain]\nregion = us-east-1\n[profile short]\nsso_session = s\nsso_account_id = 1234\nsso_role_name = R\n[sso-session s]\nsso_start_url = https://s/start\nsso_region = us-east-1\n[sso-session t]\nsso_start_url = https://t/start\nsso_region = us-east-1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		env     map[string]string
		profile string
		flags   SignInFlags
		code    int
		want    string
	}{
		{"start URL without region", nil, "", SignInFlags{StartURL: "https://x/start"}, 2, "--start-url needs --sso-region (or AWS_DEFAULT_SSO_REGION)"},
		{"nothing named", nil, "", SignInFlags{}, 2, "no Identity Center sign-in named: use --sso-session NAME"},
		{"--profile missing", nil, "nope", SignInFlags{}, 2, `profile "nope" not found in`},
		{"--profile without sso keys", nil, "plain", SignInFlags{}, 2, "no Identity Center"},
		{"AWS_PROFILE missing", map[string]string{"AWS_PROFILE": "gone"}, "", SignInFlags{}, 2, `AWS_PROFILE names profile "gone", which is not in ` + cfg},
		{"AWS_DEFAULT_PROFILE missing", map[string]string{"AWS_DEFAULT_PROFILE": "gone"}, "", SignInFlags{}, 2, `AWS_DEFAULT_PROFILE names profile "gone"`},
		{"bad sso_account_id", nil, "short", SignInFlags{}, 1, `sso_account_id "1234" is not an AWS account id`},
		{"http start URL", nil, "", SignInFlags{StartURL: "http://x.example/start", Region: "us-east-1"}, 2, "is not https"},
	}
	for _, tt := range tests {
		ios, _, _, _ := iostreams.Test()
		env := map[string]string{"HOME": dir, "AWS_CONFIG_FILE": cfg}
		for k, v := range tt.env {
			env[k] = v
		}
		ios.Getenv = func(k string) string { return env[k] }
		f := New(ios)
		f.Global.Profile = tt.profile
		_, err := f.Target(tt.flags, "", "")
		if err == nil || ExitCode(err) != tt.code || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v (exit %d); want exit %d and %q", tt.name, err, ExitCode(err), tt.code, tt.want)
		}
	}
}

// TestBrowseKeepsTheOpenerQuiet: an opener that fails prints its argument
// (the URL, which may sign anyone in); none of it reaches ssoctl's
// streams, and the error names the opener and its status only. (Before:
// the opener wrote to ssoctl's stderr and Browse returned nil.)
func TestBrowseKeepsTheOpenerQuiet(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the opener is a shell script")
	}
	dir := t.TempDir()
	opener := filepath.Join(dir, "opener")
	script := "#!/bin/sh\necho \"cannot open $1\"\necho \"cannot open $1\" >&2\nexit 3\n"
	if err := os.WriteFile(opener, []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	errOut, err := os.Create(filepath.Join(dir, "stderr"))
	if err != nil {
		t.Fatal(err)
	}
	defer errOut.Close()
	ios, _, _, _ := iostreams.Test()
	ios.ErrOut = errOut
	ios.Getenv = func(k string) string {
		if k == "SSOCTL_BROWSER" {
			return opener
		}
		return ""
	}
	const url = "https://signin.aws.amazon.com/federation?Action=login&SigninToken=SECRET"
	err = New(ios).Browser.Browse(url)
	if err == nil || err.Error() != opener+" exited with status 3" {
		t.Errorf("Browse: %v; want %q", err, opener+" exited with status 3")
	}
	if data, _ := os.ReadFile(errOut.Name()); len(data) > 0 {
		t.Errorf("the opener wrote to ssoctl's stderr: %q", data)
	}

	// An opener that succeeds (or is still running) is no error.
	if err := os.WriteFile(opener, []byte("#!/bin/sh\nexit 0\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := New(ios).Browser.Browse(url); err != nil {
		t.Errorf("Browse with an opener that succeeds: %v", err)
	}
}
