package file_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ssoctl/ssoctl/internal/assignments/file"
	"github.com/ssoctl/ssoctl/internal/assignments/file/filetest"
	"github.com/ssoctl/ssoctl/internal/emulator"
)

var ctx = context.Background()

func errs(err error) []string {
	var out []string
	for _, e := range file.ErrorList(err) {
		out = append(out, e.Error())
	}
	return out
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		want      []string
	}{
		{"empty", "", []string{"a.yaml: the file is empty; it should list assignment groups"}},
		{"bad yaml", "- Groups: [a\n  Users: b\n", []string{"a.yaml:1: not valid YAML: did not find expected ',' or ']'"}},
		{"scalar", "hello\n", []string{`a.yaml:1: the file must be a list of assignment groups (or one group), not the value "hello"`}},
		{"typo key and missing parts", "- Groups: [developers]\n  PermisionSets: [Developer]\n  Accounts: [dev]\n",
			[]string{`a.yaml:2: unknown key "PermisionSets"; did you mean "PermissionSets"?`}},
		{"duplicate key", "Groups: a\nPermissionSets: b\nAccounts: '111111111111'\nGroup: c\n", []string{"a.yaml:4: Group is given twice (first at line 1)"}},
		{"nested list", "- Groups: [[a]]\n  PermissionSets: x\n  Accounts: y\n", []string{"a.yaml:1: an entry of Groups must be a name or id, not a list"}},
		{"inline only for ps", "- Groups: [{Name: x}]\n  PermissionSets: x\n  Accounts: y\n", []string{"a.yaml:1: an entry of Groups must be a name or id, not a mapping"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := file.Parse("a.yaml", []byte(tc.src))
			if diff := cmp.Diff(tc.want, errs(err)); diff != "" {
				t.Errorf("errors differ (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseAwsSsoUtilConfig(t *testing.T) {
	src := `Instance: ssoins-1234567890abcdef
Groups: 6c1645fc-37b5-40ba-8c3d-5216b9055505
Users:
- c843295c-d41f-4f23-9832-1521dbaf36f7
- !Ref UserParameter
PermissionSets:
- ps-b5b9375180ceaaac
- Name: ReadOnly
  ManagedPolicies: [ViewOnlyAccess]
Ous: [ou-7w1i-suzvrczk]
RecursiveOus: []
Accounts:
- 123456789012
- 012345678901
NumChildStacks: 3
`
	f, err := file.Parse("c.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	g := f.Groups[0]
	if !f.Single || g.Instance.Text != "ssoins-1234567890abcdef" || len(g.Users) != 2 || g.Users[1].Node == nil || g.PermissionSets[1].Inline == nil {
		t.Errorf("got %+v", g)
	}
	if got := []string{g.Accounts[0].Text, g.Accounts[1].Text}; !cmp.Equal(got, []string{"123456789012", "012345678901"}) {
		t.Errorf("got accounts %v", got)
	}
	if g.Settings.NumChildStacks == nil || *g.Settings.NumChildStacks != 3 || len(g.OUs) != 1 || g.Users[0].Line != 4 {
		t.Errorf("got settings %+v, OUs %v, user line %d", g.Settings, g.OUs, g.Users[0].Line)
	}
}

func TestResolve(t *testing.T) {
	dir, _ := filetest.Sandbox(t, emulator.Options{})
	mgmt, err := dir.ManagementAccount(ctx)
	if err != nil {
		t.Fatal(err)
	}
	src := `- Groups: [developers]
  Users: [hana.roberts]
  PermissionSets: [Developer]
  RecursiveOUs: [Root]
- Groups: [finance]
  PermissionSets: [FinanceAdmin]
  Accounts: ['` + mgmt + `', legacy-app]
`
	f, err := file.Parse("a.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	d, err := file.Resolve(ctx, []*file.File{f}, dir, file.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var accounts []string
	for _, tg := range d.Groups[0].Targets {
		accounts = append(accounts, tg.AccountName)
	}
	// Root, recursively: every account but the management account and the
	// suspended legacy-app.
	want := []string{"developer-sandbox", "insights-dev", "insights-prod", "log-archive", "network", "payments-dev", "payments-prod", "payments-staging", "security-audit", "shared-services"}
	if diff := cmp.Diff(want, sorted(accounts)); diff != "" {
		t.Errorf("OU expansion differs (-want +got):\n%s", diff)
	}
	if n := len(d.Assignments()); n != 2*10+2 {
		t.Errorf("got %d assignments; want 22", n)
	}
	// Listed explicitly, the management account (by id) and a suspended
	// account are kept; the suspended one with a warning.
	if len(d.Groups[1].Targets) != 2 || len(d.Warnings) != 1 || !strings.Contains(d.Warnings[0].Error(), "a.yaml:7: account legacy-app") {
		t.Errorf("got targets %+v, warnings %v", d.Groups[1].Targets, d.Warnings)
	}
}

func TestResolveErrors(t *testing.T) {
	dir, _ := filetest.Sandbox(t, emulator.Options{})
	src := `- Groups: [developer, platform-admins]
  Users: [hana.kim, 00000000-0000-0000-0000-000000000000]
  PermissionSets: [ReadOnly, ps-0000000000000000]
  Accounts: [payments-dev, acme-management, paymnts-prod, '999999999999']
  OUs: [Root/Workload/Prod]
- Groups: [security]
  PermissionSets: [!Ref Foo]
  Accounts: [network]
`
	f, err := file.Parse("bad.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	_, err = file.Resolve(ctx, []*file.File{f}, dir, file.Options{})
	want := []string{
		`bad.yaml:1: no group is named "developer"; closest: developers, junior-developers, senior-developers`,
		`bad.yaml:2: no user is named "hana.kim"; closest: hana.roberts`,
		`bad.yaml:2: no user has the id 00000000-0000-0000-0000-000000000000`,
		`bad.yaml:3: no permission set is named "ReadOnly"; closest: ReadOnlyAccess`,
	}
	got := errs(err)
	if len(got) < len(want) {
		t.Fatalf("got %d errors; want at least %d:\n%s", len(got), len(want), strings.Join(got, "\n"))
	}
	if diff := cmp.Diff(want, got[:len(want)]); diff != "" {
		t.Errorf("errors differ (-want +got):\n%s", diff)
	}
	rest := strings.Join(got[len(want):], "\n")
	for _, w := range []string{
		`bad.yaml:3: no permission set ps-0000000000000000 in instance arn:aws:sso:::instance/ssoins-`,
		`bad.yaml:4: acme-management is the management account; list it by id (`,
		`bad.yaml:4: no account is named "paymnts-prod"; closest: payments-prod`,
		`bad.yaml:4: no account 999999999999 in the organization`,
		`bad.yaml:5: no OU "Root/Workload/Prod"; closest: Root/Workloads/Prod`,
		"bad.yaml:7: permission set: CloudFormation expressions and inline definitions are only for `ssoctl assignments cfn`",
	} {
		if !strings.Contains(rest, w) {
			t.Errorf("missing error %q in:\n%s", w, rest)
		}
	}
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}
