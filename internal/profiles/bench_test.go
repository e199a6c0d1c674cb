package profiles

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ssoctl/ssoctl/internal/awsconfig"
	"github.com/ssoctl/ssoctl/internal/sso"
)

// benchRoles are 1,000 accounts × 3 roles: 3,000 profiles.
func benchRoles() []sso.Role {
	var out []sso.Role
	for i := range 1000 {
		for _, r := range []string{"AdministratorAccess", "Developer", "ReadOnlyAccess"} {
			out = append(out, sso.Role{AccountID: fmt.Sprintf("%012d", 100000000000+i), AccountName: fmt.Sprintf("acct-%04d", i), RoleName: r})
		}
	}
	return out
}

// handMade is a person's own config: comments, a session, a few profiles.
const handMade = "# mine\n[default]\nregion = eu-west-1\n\n[sso-session acme]\nsso_start_url = https://acme.awsapps.com/start\nsso_region = eu-west-1\n\n[profile mine]\nregion = us-east-1\n"

// edit is populate's file edit alone: parse, plan, apply, render.
func edit(b *testing.B, in []byte, roles []sso.Role, spec Spec) []byte {
	b.Helper()
	desired, problems, err := Desired(roles, spec)
	if err != nil {
		b.Fatal(err)
	}
	doc := awsconfig.ParseDoc(in)
	MakePlan(doc, desired, problems, spec, true).Apply(doc)
	return doc.Bytes()
}

// BenchmarkEdit3000: the edit of populate for 3,000 profiles — into a file
// that has none of them (added), and into the file the first run wrote
// (all unchanged, the common case).
func BenchmarkEdit3000(b *testing.B) {
	roles, spec := benchRoles(), Spec{Session: "acme"}
	full := edit(b, []byte(handMade), roles, spec)
	if n := strings.Count(string(full), "ssoctl_managed"); n != 3000 {
		b.Fatalf("got %d profiles; want 3000", n)
	}
	b.Run("added", func(b *testing.B) {
		for b.Loop() {
			edit(b, []byte(handMade), roles, spec)
		}
	})
	b.Run("unchanged", func(b *testing.B) {
		for b.Loop() {
			edit(b, full, roles, spec)
		}
	})
	b.Run("pruned-half", func(b *testing.B) {
		for b.Loop() {
			edit(b, full, roles[:1500], spec)
		}
	})
}
