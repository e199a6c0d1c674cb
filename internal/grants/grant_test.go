package grants_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ssoctl/ssoctl/internal/grants"
	"github.com/ssoctl/ssoctl/internal/permsets"
)

func TestNewID(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		id := grants.NewID()
		if !grants.ValidID(id) {
			t.Fatalf("NewID() = %q; want 12 of a-z2-7", id)
		}
		if seen[id] {
			t.Fatalf("NewID() repeated %q", id)
		}
		seen[id] = true
		if n := grants.Name(id); len(n) > permsets.MaxNameLength || grants.IDOf(n) != id {
			t.Fatalf("Name(%q) = %q (%d characters); want at most %d and IDOf back", id, n, len(n), permsets.MaxNameLength)
		}
	}
	for _, name := range []string{"Developer", "ssoctl-jit-short", "ssoctl-jit-ABCDEFGHIJKL", "ssoctl-jit-abcdefghijkl1"} {
		if id := grants.IDOf(name); id != "" {
			t.Errorf("IDOf(%q) = %q; want none", name, id)
		}
	}
}

func TestTagValue(t *testing.T) {
	tests := []struct{ in, want string }{
		{"INC-7: fail over, tonight!", "INC-7: fail over tonight"},
		{"arn:aws:sts::123456789012:assumed-role/Admin/jane@example.com", "arn:aws:sts::123456789012:assumed-role/Admin/jane@example.com"},
		{"  café\tüber\n#42 (urgent)  ", "café über 42 urgent"},
		{"a+b=c_d.e", "a+b=c_d.e"},
		{strings.Repeat("x", 300), strings.Repeat("x", 256)},
	}
	for _, tt := range tests {
		if got := grants.TagValue(tt.in); got != tt.want {
			t.Errorf("TagValue(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestTagsRoundTrip(t *testing.T) {
	exp := time.Date(2026, 12, 8, 14, 30, 0, 0, time.UTC)
	g := grants.Grant{ID: "abcdefghijkl", PermissionSet: "ProductionSupport", Clone: "ssoctl-jit-abcdefghijkl",
		Principal: grants.Principal{Type: "GROUP", Id: "g-1"}, Expires: exp, GrantedBy: "arn:aws:iam::111111111111:user/admin",
		Reason: "INC-7: fail over, tonight!", Ticket: "OPS#7"}
	tags := g.Tags()
	keys := map[string]string{}
	for _, tg := range tags {
		keys[tg.Key] = tg.Value
	}
	want := map[string]string{
		"ssoctl:grant-id": "abcdefghijkl", "ssoctl:principal": "GROUP:g-1", "ssoctl:expires": "2026-12-08T14:30:00Z",
		"ssoctl:granted-by": "arn:aws:iam::111111111111:user/admin", "ssoctl:reason": "INC-7: fail over tonight", "ssoctl:ticket": "OPS 7",
	}
	if d := cmp.Diff(want, keys); d != "" {
		t.Errorf("tags (-want +got):\n%s", d)
	}
	desc := g.Description()
	if desc != "Just-in-time grant of ProductionSupport until 2026-12-08T14:30:00Z. Reason: INC-7: fail over, tonight!" {
		t.Errorf("Description() = %q", desc)
	}
	back, ok := grants.FromTags(g.Clone, desc, tags)
	if !ok {
		t.Fatal("FromTags: not a grant")
	}
	g.Ticket = "OPS 7" // as far as AWS's tag values hold it
	if d := cmp.Diff(g, back); d != "" {
		t.Errorf("FromTags (-want +got):\n%s", d)
	}
	if _, ok := grants.FromTags("ssoctl-jit-zzzzzzzzzzzz", desc, tags); ok {
		t.Error("FromTags of another grant's name: ok; want a grant id mismatch refused")
	}
	long := grants.Grant{PermissionSet: "P", Expires: exp, Reason: strings.Repeat("é€", 400)}
	if d := long.Description(); len([]rune(d)) > grants.MaxDescription || strings.ContainsRune(d, '€') {
		t.Errorf("Description of a long reason: %d characters, with €: %v; want at most 700 of AWS's characters", len([]rune(d)), strings.ContainsRune(d, '€'))
	}
}

func TestWithDeny(t *testing.T) {
	exp := time.Date(2026, 12, 8, 14, 30, 0, 0, time.UTC)
	deny := `{"Action":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2026-12-08T14:30:00Z"}},"Effect":"Deny","Resource":"*","Sid":"SsoctlGrantExpiry"}`
	tests := []struct{ name, in, want string }{
		{"no inline policy", "", `{"Statement":[` + deny + `],"Version":"2012-10-17"}`},
		{"one statement, not a list", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`,
			`{"Statement":[{"Action":"s3:*","Effect":"Allow","Resource":"*"},` + deny + `],"Version":"2012-10-17"}`},
		{"a list", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:Describe*","Resource":"*","Condition":{"StringEquals":{"aws:RequestedRegion":"eu-west-1"}}}]}`,
			`{"Statement":[{"Action":"ec2:Describe*","Condition":{"StringEquals":{"aws:RequestedRegion":"eu-west-1"}},"Effect":"Allow","Resource":"*"},` + deny + `],"Version":"2012-10-17"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := grants.WithDeny(tt.in, exp)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
			if !json.Valid([]byte(got)) {
				t.Error("not JSON")
			}
		})
	}
	// A policy that leaves no room for the statement is refused.
	var stmts []string
	for i := 0; len(strings.Join(stmts, ",")) < permsets.MaxInlinePolicyNonSpace-100; i++ {
		stmts = append(stmts, `{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket-`+strings.Repeat("x", 20)+`/*"}`)
	}
	full := `{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`
	if _, err := grants.WithDeny(full, exp); !errors.Is(err, grants.ErrPolicyTooLarge) {
		t.Errorf("a %d-character policy: got %v; want ErrPolicyTooLarge", len(full), err)
	}
	if _, err := grants.WithDeny(`{"Statement":[{"Sid":"SsoctlGrantExpiry"}]}`, exp); err == nil {
		t.Error("a grant's own policy: no error; want it refused")
	}
}

func TestSessionDuration(t *testing.T) {
	tests := []struct {
		grant time.Duration
		ps    string
		want  string
	}{
		{2 * time.Hour, "PT8H", "PT2H"},
		{90 * time.Minute, "PT8H", "PT1H30M"},
		{10 * time.Minute, "PT8H", "PT1H"}, // never under AWS's hour
		{8 * time.Hour, "PT4H", "PT4H"},
		{3 * time.Hour, "", "PT1H"}, // the set's default, an hour
		{20 * time.Hour, "PT12H", "PT12H"},
	}
	for _, tt := range tests {
		ps, err := grants.ParseSessionDuration(tt.ps)
		if err != nil {
			t.Fatal(err)
		}
		if got := grants.SessionDuration(tt.grant, ps); got != tt.want {
			t.Errorf("SessionDuration(%s, %s) = %s; want %s", tt.grant, tt.ps, got, tt.want)
		}
	}
	if _, err := grants.ParseSessionDuration("P1D"); err == nil {
		t.Error("ParseSessionDuration(P1D): no error")
	}
}
