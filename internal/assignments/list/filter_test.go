package list_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ssoctl/ssoctl/internal/assignments/list"
	"github.com/ssoctl/ssoctl/internal/inventory"
)

func mustFilter(t *testing.T, s list.FilterSpec) *list.Filter {
	t.Helper()
	f, err := list.CompileFilter(s)
	if err != nil {
		t.Fatalf("CompileFilter(%+v): %v", s, err)
	}
	return f
}

// The domain names the field and the value and keeps the regexp error;
// the command line words it as its flags (admincmd's TestFilterFlagErrors
// checks those words).
func TestCompileFilterErrors(t *testing.T) {
	tests := []struct {
		spec    list.FilterSpec
		field   list.FilterField
		value   string
		wantErr string // the regexp error, "" for an account that is not an id
	}{
		{list.FilterSpec{Accounts: []string{"payments-prod"}}, list.FieldAccount, "payments-prod", ""},
		{list.FilterSpec{Accounts: []string{"12345678901"}}, list.FieldAccount, "12345678901", ""},
		{list.FilterSpec{AccountNames: []string{"("}}, list.FieldAccountName, "(", "error parsing regexp: missing closing ): `(`"},
		{list.FilterSpec{PermissionSets: []string{"*Admin"}}, list.FieldPermissionSet, "*Admin", "error parsing regexp: missing argument to repetition operator: `*`"},
		{list.FilterSpec{Users: []string{"[a-"}}, list.FieldUser, "[a-", "error parsing regexp: missing closing ]: `[a-`"},
		{list.FilterSpec{Groups: []string{"a)"}}, list.FieldGroup, "a)", "error parsing regexp: unexpected ): `a)`"},
	}
	for _, tt := range tests {
		_, err := list.CompileFilter(tt.spec)
		var fe *list.FilterError
		if !errors.As(err, &fe) {
			t.Errorf("CompileFilter(%+v) = %v; want a *FilterError", tt.spec, err)
			continue
		}
		gotErr := ""
		if fe.Err != nil {
			gotErr = fe.Err.Error()
		}
		if fe.Field != tt.field || fe.Value != tt.value || gotErr != tt.wantErr {
			t.Errorf("CompileFilter(%+v) = {%q %q %q}; want {%q %q %q}", tt.spec, fe.Field, fe.Value, gotErr, tt.field, tt.value, tt.wantErr)
		}
		if strings.Contains(err.Error(), "--") {
			t.Errorf("CompileFilter(%+v) = %q; a domain error names no flag", tt.spec, err)
		}
	}
}

func TestPrincipalMatches(t *testing.T) {
	const aliceID = "b4c704e312-e6425c00-06b9-47e1-8985-5577158cbd70"
	const orphanID = "237a3a501a-94b344e5-7b4e-4e6c-9b7b-ba251424f183"
	tests := []struct {
		name             string
		spec             list.FilterSpec
		ptype, id, pname string
		want             bool
	}{
		{"no filter", list.FilterSpec{}, "USER", aliceID, "alice.johnson", true},
		{"no filter, unresolved", list.FilterSpec{}, "USER", orphanID, "", true},
		{"user regex", list.FilterSpec{Users: []string{"^alice"}}, "USER", aliceID, "alice.johnson", true},
		{"user regex searches anywhere", list.FilterSpec{Users: []string{"johnson"}}, "USER", aliceID, "alice.johnson", true},
		{"user regex, other user", list.FilterSpec{Users: []string{"^bob"}}, "USER", aliceID, "alice.johnson", false},
		{"user values OR", list.FilterSpec{Users: []string{"^bob", "^alice"}}, "USER", aliceID, "alice.johnson", true},
		{"user id", list.FilterSpec{Users: []string{aliceID}}, "USER", aliceID, "", true},
		{"user filter, group principal", list.FilterSpec{Users: []string{"."}}, "GROUP", aliceID, "developers", false},
		{"group filter, group", list.FilterSpec{Groups: []string{"^dev"}}, "GROUP", "g", "developers", true},
		{"user and group: either kind", list.FilterSpec{Users: []string{"^alice"}, Groups: []string{"^dev"}}, "GROUP", "g", "developers", true},
		{"user and group: either kind, user", list.FilterSpec{Users: []string{"^alice"}, Groups: []string{"^dev"}}, "USER", aliceID, "alice.johnson", true},
		// aws-sso-util raises TypeError here; a missing name never matches a regex.
		{"unresolved name, match-all regex", list.FilterSpec{Users: []string{".*"}}, "USER", orphanID, "", false},
		{"unresolved name, empty-matching regex", list.FilterSpec{Users: []string{"^$"}}, "USER", orphanID, "", false},
		{"unresolved name, by id", list.FilterSpec{Users: []string{orphanID}}, "USER", orphanID, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := mustFilter(t, tt.spec)
			if got := f.PrincipalMatches(tt.ptype, tt.id, tt.pname); got != tt.want {
				t.Errorf("PrincipalMatches(%s, %s, %q) = %v; want %v", tt.ptype, tt.id, tt.pname, got, tt.want)
			}
		})
	}
}

func TestPermissionSetMatches(t *testing.T) {
	ps := inventory.PermissionSet{Arn: "arn:aws:sso:::permissionSet/ssoins-4a50bf4c17e91386/ps-d860662175ee6f33", Name: "AdministratorAccess"}
	tests := []struct {
		values []string
		name   string
		want   bool
	}{
		{nil, ps.Name, true},
		{[]string{ps.Arn}, ps.Name, true},
		{[]string{"ssoins-4a50bf4c17e91386/ps-d860662175ee6f33"}, ps.Name, true},
		{[]string{"ps-d860662175ee6f33"}, ps.Name, true},
		{[]string{"ps-0000000000000000"}, ps.Name, false},
		{[]string{"^Administrator"}, ps.Name, true},
		{[]string{"Access$"}, ps.Name, true},
		{[]string{"^ReadOnly", "^Admin"}, ps.Name, true},
		{[]string{"^ReadOnly"}, ps.Name, false},
		{[]string{"administrator"}, ps.Name, false}, // case matters; (?i) for not
		{[]string{"(?i)administrator"}, ps.Name, true},
		// A set whose name is unknown matches only by ARN or id.
		{[]string{".*"}, "", false},
		{[]string{"ps-d860662175ee6f33"}, "", true},
	}
	for _, tt := range tests {
		f := mustFilter(t, list.FilterSpec{PermissionSets: tt.values})
		p := ps
		p.Name = tt.name
		if got := f.PermissionSetMatches(p); got != tt.want {
			t.Errorf("PermissionSetMatches with %q on %q = %v; want %v", tt.values, tt.name, got, tt.want)
		}
	}
}

// tree is Root{mgmt} / Workloads{} / Prod{prod-a, prod-b}, Dev{dev-a}.
func tree() *inventory.OrgTree {
	acct := func(id, name string) inventory.Account {
		return inventory.Account{Id: id, Name: name, Status: "ACTIVE"}
	}
	return &inventory.OrgTree{
		Roots: []string{"r-root"},
		OUs: map[string]inventory.OU{
			"r-root":      {Id: "r-root", Name: "Root", Path: "Root"},
			"ou-r-work":   {Id: "ou-r-work", Name: "Workloads", ParentId: "r-root", Path: "Root/Workloads"},
			"ou-r-prod00": {Id: "ou-r-prod00", Name: "Prod", ParentId: "ou-r-work", Path: "Root/Workloads/Prod"},
			"ou-r-dev000": {Id: "ou-r-dev000", Name: "Dev", ParentId: "ou-r-work", Path: "Root/Workloads/Dev"},
		},
		Children: map[string][]string{"r-root": {"ou-r-work"}, "ou-r-work": {"ou-r-dev000", "ou-r-prod00"}},
		Accounts: map[string][]inventory.Account{
			"r-root":      {acct("100000000000", "mgmt")},
			"ou-r-prod00": {acct("200000000000", "prod-a"), acct("200000000001", "prod-b")},
			"ou-r-dev000": {acct("300000000000", "dev-a")},
		},
		ParentOf: map[string]string{"100000000000": "r-root", "200000000000": "ou-r-prod00", "200000000001": "ou-r-prod00", "300000000000": "ou-r-dev000"},
	}
}

func TestSelectAccounts(t *testing.T) {
	tests := []struct {
		name        string
		spec        list.FilterSpec
		want        []string
		wantUnknown []string
		wantErr     string
	}{
		{name: "no filter", want: []string{"mgmt", "prod-a", "prod-b", "dev-a"}},
		{name: "ids OR", spec: list.FilterSpec{Accounts: []string{"100000000000", "300000000000"}}, want: []string{"mgmt", "dev-a"}},
		{name: "unknown id", spec: list.FilterSpec{Accounts: []string{"100000000000", "999999999999"}}, want: []string{"mgmt"}, wantUnknown: []string{"999999999999"}},
		{name: "name regex", spec: list.FilterSpec{AccountNames: []string{"^prod-"}}, want: []string{"prod-a", "prod-b"}},
		{name: "name regexes OR", spec: list.FilterSpec{AccountNames: []string{"-a$", "mgmt"}}, want: []string{"mgmt", "prod-a", "dev-a"}},
		{name: "id AND name", spec: list.FilterSpec{Accounts: []string{"200000000000", "300000000000"}, AccountNames: []string{"^prod"}}, want: []string{"prod-a"}},
		{name: "ou, direct only", spec: list.FilterSpec{OUs: []string{"Workloads"}}, want: nil},
		{name: "ou, recursive", spec: list.FilterSpec{OUs: []string{"Workloads"}, OURecursive: true}, want: []string{"prod-a", "prod-b", "dev-a"}},
		{name: "ous OR", spec: list.FilterSpec{OUs: []string{"ou-r-dev000", "Root"}}, want: []string{"mgmt", "dev-a"}},
		{name: "ou AND name", spec: list.FilterSpec{OUs: []string{"Root"}, OURecursive: true, AccountNames: []string{"-a$"}}, want: []string{"prod-a", "dev-a"}},
		{name: "ou by path", spec: list.FilterSpec{OUs: []string{"Workloads/Prod"}}, want: []string{"prod-a", "prod-b"}},
		{name: "unknown ou", spec: list.FilterSpec{OUs: []string{"Nowhere"}}, wantErr: `OU "Nowhere" not found`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := mustFilter(t, tt.spec)
			got, unknown, err := f.SelectAccounts(tree())
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("got %v; want error %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, a := range got {
				names = append(names, a.Name)
			}
			if diff := cmp.Diff(tt.want, names); diff != "" {
				t.Errorf("selected (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantUnknown, unknown); diff != "" {
				t.Errorf("unknown (-want +got):\n%s", diff)
			}
		})
	}
}
