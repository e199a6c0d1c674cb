package plan_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ssoctl/ssoctl/internal/assignments"
	"github.com/ssoctl/ssoctl/internal/assignments/execute"
	"github.com/ssoctl/ssoctl/internal/assignments/file"
	"github.com/ssoctl/ssoctl/internal/assignments/plan"
)

const dev, ro, admin = "arn:ps/dev", "arn:ps/ro", "arn:ps/admin"

func declared(ps, acct, id, name string) file.Assignment {
	return file.Assignment{Assignment: assignments.Assignment{AccountId: acct, PermissionSetArn: ps, PrincipalType: "GROUP", PrincipalId: id},
		AccountName: "n" + acct, PermissionSetName: ps[7:], PrincipalName: name}
}

func live(ps, acct, typ, id string) assignments.Assignment {
	return assignments.Assignment{AccountId: acct, PermissionSetArn: ps, PrincipalType: typ, PrincipalId: id}
}

func TestCompute(t *testing.T) {
	want := []file.Assignment{declared(dev, "1", "g1", "devs"), declared(dev, "2", "g1", "devs"), declared(ro, "1", "g1", "devs")}
	l := &plan.Live{Assignments: []assignments.Assignment{live(dev, "1", "GROUP", "g1"), live(dev, "3", "USER", "u9"), live(ro, "1", "GROUP", "g2")}}
	names := plan.Names{Principal: func(typ, id string) string {
		if id == "g2" {
			return "others"
		}
		return ""
	}}
	for _, tc := range []struct {
		prune bool
		want  []string
	}{
		// by account name, then permission set, users before groups
		{false, []string{"create group devs: ro on n1", "create group devs: dev on n2"}},
		{true, []string{"create group devs: ro on n1", "create group devs: dev on n2", "delete group others: arn:ps/ro on 1", "delete user u9: arn:ps/dev on 3"}},
	} {
		p := plan.Compute(want, l, plan.Scope{InstanceArn: "arn:i", PermissionSets: []string{dev, ro}, Prune: tc.prune}, names)
		var got []string
		for _, c := range p.Changes {
			got = append(got, strings.ReplaceAll(strings.ReplaceAll(c.String(), " (1)", ""), " (2)", ""))
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("prune=%v: changes differ (-want +got):\n%s", tc.prune, diff)
		}
		if p.Unchanged != 1 || p.Creates != 2 || p.Live != 3 || p.Declared != 3 {
			t.Errorf("prune=%v: got counts %+v", tc.prune, p)
		}
	}
}

func TestFingerprintOrderFree(t *testing.T) {
	a := []assignments.Assignment{live(dev, "1", "GROUP", "g1"), live(ro, "2", "USER", "u1")}
	b := []assignments.Assignment{a[1], a[0]}
	if plan.Fingerprint(a) != plan.Fingerprint(b) {
		t.Error("the fingerprint depends on order")
	}
	if plan.Fingerprint(a) == plan.Fingerprint(a[:1]) {
		t.Error("the fingerprint does not see a missing assignment")
	}
}

func TestSavedPlan(t *testing.T) {
	l := &plan.Live{Assignments: []assignments.Assignment{live(dev, "1", "GROUP", "g1")}}
	p := plan.Compute([]file.Assignment{declared(dev, "2", "g1", "devs")}, l, plan.Scope{InstanceArn: "arn:i", PermissionSets: []string{dev}, Prune: true}, plan.Names{})
	b, err := p.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	back, err := plan.Unmarshal(b)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(p, back); diff != "" {
		t.Errorf("round trip differs (-want +got):\n%s", diff)
	}
	if err := plan.Check(back, l); err != nil {
		t.Errorf("Check against the same state: %v", err)
	}
	changed := &plan.Live{Assignments: append(l.Assignments, live(dev, "5", "USER", "u5"))}
	if err := plan.Check(back, changed); !errors.Is(err, plan.ErrStale) {
		t.Errorf("Check after a change: got %v; want ErrStale", err)
	}
	// A hand-edited plan may not delete outside the permission sets it read.
	back.Changes = append(back.Changes, execute.Change{Op: execute.Delete, Assignment: assignments.Assignment{AccountId: "1", PermissionSetArn: admin, PrincipalType: "USER", PrincipalId: "u"}})
	b, _ = back.Marshal()
	if _, err := plan.Unmarshal(b); err == nil || !strings.Contains(err.Error(), "outside its scope") {
		t.Errorf("got %v; want a refusal", err)
	}
	for _, bad := range []string{"{", `{"version": 9}`, `{"version": 1}`} {
		if _, err := plan.Unmarshal([]byte(bad)); err == nil {
			t.Errorf("Unmarshal(%s) accepted", bad)
		}
	}
}
