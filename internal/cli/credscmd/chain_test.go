package credscmd

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ssoctl/ssoctl/internal/cli/factory"
	"github.com/ssoctl/ssoctl/internal/emulator"
	"github.com/ssoctl/ssoctl/internal/emulatortest"
	"github.com/ssoctl/ssoctl/internal/iostreams"
	"github.com/ssoctl/ssoctl/internal/sso"
)

// TestChainMFAPrompt: at a terminal, a chain's mfa_serial is asked for
// through the factory's prompter (botocore's words) and sent; the
// credentials are cached, so the same command without a terminal (as
// credential_process runs) is served without asking.
func TestChainMFAPrompt(t *testing.T) {
	// Hermetic SDK configuration: no shared files, no profile.
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_PROFILE", "")
	sb := emulatortest.Start(t, emulator.Options{SignInAs: "dave.miller"})
	home := t.TempDir()
	config := filepath.Join(home, "config")
	if err := os.WriteFile(config, []byte(`[profile emu]
sso_session = emu
sso_account_id = 640775136188
sso_role_name = Developer

[profile mfa]
role_arn = arn:aws:iam::640775136188:role/DeployRole
source_profile = emu
mfa_serial = arn:aws:iam::640775136188:mfa/dave.miller

[sso-session emu]
sso_start_url = `+sb.URL+`/start
sso_region = us-east-1
`), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"HOME": home, "AWS_CONFIG_FILE": config}
	newFactory := func(tty bool, input string) (*factory.Factory, *bytes.Buffer, *bytes.Buffer) {
		ios, in, out, errOut := iostreams.Test()
		ios.Getenv = func(k string) string { return env[k] }
		ios.SetTTY(tty, false, tty)
		in.WriteString(input)
		f := factory.New(ios)
		f.Global.EndpointURL, f.Global.Profile = sb.URL, "mfa"
		return f, out, errOut
	}
	f, _, _ := newFactory(false, "")
	m, err := f.SignIn()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Login(context.Background(), sso.Config{Session: "emu", StartURL: sb.URL + "/start", Region: "us-east-1"}, sso.LoginOptions{Flow: sso.FlowDevice}); err != nil {
		t.Fatal(err)
	}

	f, out, errOut := newFactory(true, "123456\n")
	cmd := NewExportCmd(f, nil)
	cmd.SetArgs([]string{"--format", "json"})
	if err := cmd.Execute(); err != nil {
		t.Fatalf("export at a terminal: %v\n%s", err, errOut)
	}
	if want := "Enter MFA code for arn:aws:iam::640775136188:mfa/dave.miller: "; errOut.String() != want {
		t.Errorf("stderr %q; want the prompt %q", errOut, want)
	}
	if !strings.Contains(out.String(), `"RoleName": "DeployRole"`) || !strings.Contains(out.String(), `"AccountId": "640775136188"`) {
		t.Errorf("stdout %s; want DeployRole's credentials in 640775136188", out)
	}

	f, out, errOut = newFactory(false, "")
	cmd = NewCredentialProcessCmd(f, nil)
	cmd.SetArgs(nil)
	if err := cmd.Execute(); err != nil {
		t.Fatalf("credential-process, cached: %v\n%s", err, errOut)
	}
	if errOut.Len() != 0 || !strings.HasPrefix(out.String(), `{"Version":1,`) {
		t.Errorf("credential-process: stdout %q, stderr %q; want the cached credentials and no prompt", out, errOut)
	}
}
