package main

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/ssoctl/ssoctl/internal/emulator"
)

// TestPopulateControlTowerNamesPeers: accounts named as Control Tower names
// its shared accounts ("Log Archive", "Audit") get profiles the AWS CLI
// lists and uses, and boto3 uses. (Before: [profile Log Archive.Developer],
// a section botocore ignores: ProfileNotFound.)
func TestPopulateControlTowerNamesPeers(t *testing.T) {
	bin := buildSSOCTL(t)
	st := emulator.Generate("small", 0)
	for i, a := range st.Accounts {
		switch a.Id {
		case peerAccount: // payments-dev: dave.miller has Developer there
			st.Accounts[i].Name = "Log Archive"
		case "527326230212": // payments-prod: SeniorDeveloper, ProductionSupport
			st.Accounts[i].Name = "Audit"
		}
	}
	e := newSignInEnv(t, emulator.Options{State: st})
	e.writeConfig(t, "")
	env := e.env()
	if _, stderr, code := e.run(t, env, bin, "login", "--sso-session", "emu"); code != 0 {
		t.Fatalf("ssoctl login: exit %d\n%s", code, stderr)
	}
	if _, stderr, code := e.run(t, env, bin, "configure", "populate", "--sso-session", "emu", "--region", "us-east-1"); code != 0 {
		t.Fatalf("ssoctl configure populate: exit %d\n%s", code, stderr)
	}
	cfg, err := os.ReadFile(filepath.Join(e.home, ".aws", "config"))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"Log-Archive.Developer", "Audit.ProductionSupport", "Audit.SeniorDeveloper"}
	for _, name := range want {
		if !strings.Contains(string(cfg), "[profile "+name+"]\n") {
			t.Errorf("the config has no [profile %s]:\n%s", name, cfg)
		}
	}

	t.Run("aws", func(t *testing.T) {
		if _, err := os.Stat(debianCLI); err != nil {
			t.Skip(debianCLI + " (AWS CLI v2) not found")
		}
		out, stderr, code := e.run(t, env, debianCLI, "configure", "list-profiles")
		if code != 0 {
			t.Fatalf("aws configure list-profiles: exit %d\n%s", code, stderr)
		}
		listed := strings.Fields(out)
		for _, name := range want {
			if !slices.Contains(listed, name) {
				t.Errorf("aws configure list-profiles: %q; want %s among them", listed, name)
			}
		}
		// The CLI's own SSO provider (its endpoints sent to the sandbox)
		// uses the profile with the token ssoctl wrote.
		cli := append(env, "AWS_DATA_PATH="+endpointRules(t, e.url))
		out, stderr, code = e.run(t, cli, debianCLI, "sts", "get-caller-identity", "--profile", "Log-Archive.Developer",
			"--endpoint-url", e.url, "--query", "Arn", "--output", "text")
		if code != 0 || !peerARN.MatchString(strings.TrimSpace(out)) {
			t.Errorf("aws sts get-caller-identity --profile Log-Archive.Developer: exit %d, %q\n%s", code, out, stderr)
		}
	})

	t.Run("boto3", func(t *testing.T) {
		py := peerPython(t)
		out, stderr, code := e.run(t, env, py, "-c", callerIdentity, "Log-Archive.Developer", e.url)
		if code != 0 || !peerARN.MatchString(strings.TrimSpace(out)) {
			t.Errorf("boto3 with profile Log-Archive.Developer: exit %d, %q\n%s", code, out, stderr)
		}
		audit := regexp.MustCompile(`^arn:aws:sts::527326230212:assumed-role/AWSReservedSSO_ProductionSupport_[0-9a-f]{16}/dave\.miller$`)
		out, stderr, code = e.run(t, env, py, "-c", callerIdentity, "Audit.ProductionSupport", e.url)
		if code != 0 || !audit.MatchString(strings.TrimSpace(out)) {
			t.Errorf("boto3 with profile Audit.ProductionSupport: exit %d, %q\n%s", code, out, stderr)
		}
	})
}
