package profiles

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/ssoctl/ssoctl/internal/awsconfig"
	"github.com/ssoctl/ssoctl/internal/sso"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// TestGolden runs testdata/*.txtar. Each has:
//
//	roles  one "ACCOUNT_ID,ACCOUNT_NAME,ROLE" per line
//	spec   KEY=VALUE lines: session, start_url, sso_region, region (repeatable),
//	       name, lower, space, trim, process, prune, unlisted (repeatable)
//	in     the config file before
//	out    the config file after the plan is applied
//	plan   the plan: one "ACTION NAME" per line, then the problems
func TestGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.txtar")
	if len(files) == 0 {
		t.Fatal("no golden files")
	}
	for _, path := range files {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".txtar"), func(t *testing.T) {
			ar, err := txtar.ParseFile(path)
			if err != nil {
				t.Fatal(err)
			}
			files := map[string][]byte{}
			for _, f := range ar.Files {
				files[f.Name] = f.Data
			}
			var roles []sso.Role
			for _, l := range lines(files["roles"]) {
				f := strings.Split(l, ",")
				roles = append(roles, sso.Role{AccountID: f[0], AccountName: f[1], RoleName: f[2]})
			}
			spec, prune := Spec{}, false
			for _, l := range lines(files["spec"]) {
				k, v, _ := strings.Cut(l, "=")
				switch k {
				case "session":
					spec.Session = v
				case "start_url":
					spec.StartURL = v
				case "sso_region":
					spec.SSORegion = v
				case "region":
					spec.Regions = append(spec.Regions, v)
				case "name":
					spec.Template = v
				case "lower":
					spec.Lower = true
				case "space":
					spec.SpaceReplace = v
				case "trim":
					spec.TrimAccount = regexp.MustCompile(v)
				case "process":
					spec.CredentialProcess = true
				case "prune":
					prune = true
				case "unlisted":
					spec.Unlisted = append(spec.Unlisted, v)
				default:
					t.Fatalf("unknown spec key %q", k)
				}
			}
			desired, problems, err := Desired(roles, spec)
			if err != nil {
				t.Fatal(err)
			}
			doc := awsconfig.ParseDoc(files["in"])
			plan := MakePlan(doc, desired, problems, spec, prune)
			plan.Apply(doc)
			var pb bytes.Buffer
			for _, c := range plan.Changes {
				fmt.Fprintf(&pb, "%s %s\n", c.Action, c.Name)
			}
			for _, p := range plan.Problems {
				fmt.Fprintf(&pb, "problem %s: %s\n", p.Kind, p.Message())
			}
			got := map[string][]byte{"out": doc.Bytes(), "plan": pb.Bytes()}

			// Applying the same plan inputs to the result changes nothing.
			again := awsconfig.ParseDoc(got["out"])
			p2 := MakePlan(again, desired, problems, spec, prune)
			p2.Apply(again)
			if !bytes.Equal(again.Bytes(), got["out"]) {
				t.Errorf("a second run changed the file:\n%s", again.Bytes())
			}
			if s := p2.Summary(); s.Added+s.Changed+s.Removed != 0 {
				t.Errorf("second run summary %+v; want only unchanged", s)
			}

			if *update {
				for i, f := range ar.Files {
					if g, ok := got[f.Name]; ok {
						ar.Files[i].Data = g
						delete(got, f.Name)
					}
				}
				for _, name := range []string{"out", "plan"} {
					if g, ok := got[name]; ok {
						ar.Files = append(ar.Files, txtar.File{Name: name, Data: g})
					}
				}
				if err := os.WriteFile(path, txtar.Format(ar), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			for _, name := range []string{"out", "plan"} {
				if !bytes.Equal(got[name], files[name]) {
					t.Errorf("%s: got:\n%s\nwant:\n%s", name, got[name], files[name])
				}
			}
		})
	}
}

func lines(b []byte) []string {
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

func TestBadTemplate(t *testing.T) {
	for _, tmpl := range []string{"{{.Nope}}", "{{.AccountName"} {
		if err := (Naming{Template: tmpl}).Check(1); err == nil {
			t.Errorf("template %q: got no error; want one", tmpl)
		}
	}
	if err := (Naming{Template: "{{.AccountId}}-{{.RoleName}}-{{.SSOSession}}-{{.Region}}"}).Check(1); err != nil {
		t.Errorf("got %v; want the template accepted", err)
	}
}

func TestShellQuote(t *testing.T) {
	for in, want := range map[string]string{"ssoctl": "ssoctl", "my dev": "'my dev'", "it's": `'it'\''s'`, "": "''", "https://x.awsapps.com/start": "https://x.awsapps.com/start"} {
		if got := shellQuote(in); got != want {
			t.Errorf("shellQuote(%q) = %s; want %s", in, got, want)
		}
	}
}

// TestProblemJSON: a problem's roles keep the shape populate's JSON has
// always had (AccountID, AccountName, RoleName), whatever else the role
// carries.
func TestProblemJSON(t *testing.T) {
	p := Problem{Kind: BadName, Name: "a b", Reason: "why",
		Roles: []sso.Role{{AccountID: "111111111111", AccountName: "dev", EmailAddress: "dev@example.com", RoleName: "Admin", Region: "eu-west-1"}}}
	got, err := json.Marshal(p)
	want := `{"kind":"bad-name","name":"a b","roles":[{"AccountID":"111111111111","AccountName":"dev","RoleName":"Admin"}],"reason":"why"}`
	if err != nil || string(got) != want {
		t.Errorf("got %s, %v; want %s", got, err, want)
	}
	if got, _ := json.Marshal(Problem{Kind: SameName, Name: "x"}); string(got) != `{"kind":"same-name","name":"x","roles":null}` {
		t.Errorf("no roles: got %s", got)
	}
}
