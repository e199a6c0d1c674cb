package report_test

import (
	"bytes"
	stdhtml "html"
	"strings"
	"testing"
	"time"

	"github.com/ssoctl/ssoctl/internal/assignments/list"
	"github.com/ssoctl/ssoctl/internal/audit"
	"github.com/ssoctl/ssoctl/internal/report"
)

const hostile = `<img src=x onerror=alert(1)>`

func hostileRows() []audit.Row {
	return []audit.Row{
		{UserId: "u-1", UserName: "alice", UserEmail: "alice@example.com", AccountId: "111111111111", AccountName: "dev</script><script>alert(2)</script>", AccountStatus: "ACTIVE",
			PermissionSet: "Developer", PermissionSetArn: "arn:ps-1", PrincipalType: "GROUP", PrincipalId: "g-1", GroupName: hostile},
		{UserId: "u-2", UserName: "bob\u2028", AccountId: "222222222222", AccountName: "prod & co", AccountStatus: "SUSPENDED",
			PermissionSet: "Admin", PermissionSetArn: "arn:ps-2", PrincipalType: "USER", PrincipalId: "u-2", Flags: []string{list.FlagSuspended}},
	}
}

func TestNamesAreEscaped(t *testing.T) {
	b := report.NewBuilder()
	for _, r := range hostileRows() {
		b.Row(r)
	}
	var out bytes.Buffer
	info := report.Info{Generated: time.Now(), Findings: []audit.Finding{{Kind: list.FlagSuspended, AccountName: "prod & co", Name: hostile, Detail: "x"}},
		Diff: &report.Diff{From: 1, To: 2, Gained: 1, Rows: []report.DiffRow{{Change: "GAINED", Row: hostileRows()[0]}}}}
	if err := b.Write(&out, info); err != nil {
		t.Fatal(err)
	}
	html := out.String()
	for _, bad := range []string{hostile, "<script>alert(2)", "</script><script>", "\u2028"} {
		if strings.Contains(html, bad) {
			t.Errorf("the report contains %q unescaped", bad)
		}
	}
	if n := strings.Count(html, "<script"); n != 2 {
		t.Errorf("%d script elements; want 2 (the data island and the page's script)", n)
	}
	if !strings.Contains(html, "&lt;img src=x onerror=alert(1)&gt;") {
		t.Errorf("the finding's name is not in the server-rendered findings, escaped")
	}
	if !strings.Contains(html, `\u003cimg src=x onerror=alert(1)\u003e`) {
		t.Errorf("the group name is not in the data island, escaped")
	}
	if !strings.Contains(html, "Content-Security-Policy") || !strings.Contains(stdhtml.UnescapeString(html), "default-src 'none'") {
		t.Errorf("no content security policy")
	}
	for _, remote := range []string{"http://", "https://", "//cdn", "@import"} {
		if strings.Contains(html, remote) {
			t.Errorf("the report refers to %q", remote)
		}
	}
}

// TestBidiAndControlCharactersAreNeutralised: a name holding U+202E
// (which would show "txt.exe" as "exe.txt"), another bidirectional mark
// or a control character reaches the page as a visible escape, in the
// server-rendered findings, changes and causes and in the data island.
func TestBidiAndControlCharactersAreNeutralised(t *testing.T) {
	spoof := "invoice\u202etxt.exe"
	rows := hostileRows()
	rows[0].GroupName = spoof
	rows[1].UserName = "bob\u2066x\x1b[2J"
	b := report.NewBuilder()
	for _, r := range rows {
		b.Row(r)
	}
	info := report.Info{Generated: time.Now(),
		Findings:   []audit.Finding{{Kind: list.FlagSuspended, AccountName: "prod\u202e", Name: spoof, Detail: "user " + spoof}},
		Notes:      []string{"note \u202e"},
		Incomplete: true,
		Causes:     []list.Cause{{Cause: "AccessDeniedException: \u202e", Items: 1, Examples: []string{"members of group " + spoof}}},
		Diff:       &report.Diff{From: 1, To: 2, Gained: 1, Rows: []report.DiffRow{{Change: "GAINED", Row: rows[0]}}}}
	var out bytes.Buffer
	if err := b.Write(&out, info); err != nil {
		t.Fatal(err)
	}
	html := out.String()
	for _, r := range []rune{'\u202e', '\u2066', '\x1b'} {
		if strings.ContainsRune(html, r) {
			t.Errorf("the report holds %U as it is", r)
		}
	}
	if !strings.Contains(html, `invoice\u202etxt.exe`) {
		t.Errorf("the page does not show the name with its escape, invoice\\u202etxt.exe")
	}
	if !strings.Contains(html, `invoice\\u202etxt.exe`) {
		t.Errorf("the data island does not hold the escaped name")
	}
	if !strings.Contains(html, "This report is INCOMPLETE.") {
		t.Errorf("an incomplete report does not say so")
	}
}
