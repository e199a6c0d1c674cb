package notify_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ssoctl/ssoctl/internal/notify"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func data() notify.Data {
	return notify.Data{
		GivenName: "Jane", DisplayName: "Jane Doe", UserName: "jane.doe", Email: "jane.doe@example.com",
		StartURL: "https://acme.awsapps.com/start", SSORegion: "eu-west-1", SSOSession: "acme",
		Access:      []notify.Access{{PermissionSet: "Developer", AccountName: "payments-dev", AccountId: "640775136188"}},
		IAMKeysStop: "2027-01-31", IAMUser: "jane.doe",
	}
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file (run with -update to accept):\n%s", name, got)
	}
}

func TestRenderGolden(t *testing.T) {
	for _, kind := range notify.Templates {
		m, err := notify.Render(kind, data(), "")
		if err != nil {
			t.Fatal(err)
		}
		golden(t, kind+".subject", m.Subject+"\n")
		golden(t, kind+".txt", m.Text)
		golden(t, kind+".html", m.HTML)
		if len(m.To) != 1 || m.To[0] != "jane.doe@example.com" {
			t.Errorf("%s: to %v", kind, m.To)
		}
	}
}

// TestRunbookContent: what the runbook's e-mail carries is in both parts.
func TestRunbookContent(t *testing.T) {
	for _, kind := range notify.Templates {
		m, err := notify.Render(kind, data(), "")
		if err != nil {
			t.Fatal(err)
		}
		for _, part := range []string{m.Text, m.HTML} {
			for _, want := range []string{
				"https://acme.awsapps.com/start", "eu-west-1",
				"aws configure sso --profile Developer-640775136188", "SSO session name:        acme",
				"aws sso login --profile Developer-640775136188", "export AWS_PROFILE=Developer-640775136188",
				"--no-browser", "--use-device-code",
			} {
				if !strings.Contains(part, want) {
					t.Errorf("%s: %q missing", kind, want)
				}
			}
			if kind == "migration" && !strings.Contains(part, "2027-01-31") {
				t.Errorf("migration: the date IAM keys stop is missing")
			}
		}
	}
}

func TestHostileNamesEscapedInHTML(t *testing.T) {
	d := data()
	d.GivenName = `<img src=x onerror=alert(1)>`
	d.Access[0].AccountName = "<script>x</script>"
	m, err := notify.Render("welcome", d, "")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(m.HTML, "<img") || strings.Contains(m.HTML, "<script>") {
		t.Errorf("markup from names reached the HTML:\n%s", m.HTML)
	}
	if !strings.Contains(m.HTML, "&lt;img src=x onerror=alert(1)&gt;") {
		t.Errorf("the name is not shown escaped")
	}
}

func TestOverrideAndErrors(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "welcome.txt"), []byte("Subject: Hi {{.GivenName}}\nLog in at {{.StartURL}}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := notify.Render("welcome", data(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if m.Subject != "Hi Jane" || m.Text != "Log in at https://acme.awsapps.com/start\n" {
		t.Errorf("override: %q %q", m.Subject, m.Text)
	}
	if !strings.Contains(m.HTML, "aws configure sso") {
		t.Error("the HTML part should still be the built-in one")
	}
	d := data()
	d.IAMKeysStop = ""
	if _, err := notify.Render("migration", d, ""); err == nil || !strings.Contains(err.Error(), "iam_keys_stop") {
		t.Errorf("migration without a date: %v", err)
	}
	if _, err := notify.Render("goodbye", d, ""); err == nil {
		t.Error("unknown template accepted")
	}
	if err := os.WriteFile(filepath.Join(dir, "migration.txt"), []byte("no subject line {{.Nope}}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := notify.Render("migration", data(), dir); err == nil {
		t.Error("a broken override was accepted")
	}
}

// TestNamesCannotInject: a given name with a line break cannot start a
// line of its own in the text body ("Bcc: …" would read as a header to a
// person or a naive relay), and a bidirectional override (U+202E) never
// reaches either body.
func TestNamesCannotInject(t *testing.T) {
	d := data()
	d.GivenName = "Eve\r\nBcc: all@example.com"
	d.Access[0].AccountName = "payments\u202eved-"
	d.DisplayName = "Eve\u2028Doe"
	for _, kind := range notify.Templates {
		m, err := notify.Render(kind, d, "")
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(m.Text, "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), "Bcc:") || strings.Contains(line, "\r") {
				t.Errorf("%s: the text body has the line %q", kind, line)
			}
		}
		if !strings.Contains(m.Text, "Hello Eve  Bcc: all@example.com,") {
			t.Errorf("%s: the greeting is not kept on one line:\n%s", kind, m.Text)
		}
		for part, body := range map[string]string{"text": m.Text, "html": m.HTML} {
			if strings.ContainsAny(body, "\u202e\u2028\r") {
				t.Errorf("%s %s: a control character got through", kind, part)
			}
		}
		if !strings.Contains(m.HTML, "payments\ufffdved-") {
			t.Errorf("%s html: the override is not shown as U+FFFD", kind)
		}
	}
}
