package permsets_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/ssoctl/ssoctl/internal/assignments/execute"
	"github.com/ssoctl/ssoctl/internal/permsets"
)

func live(d permsets.Desired) *permsets.Live {
	return &permsets.Live{Arn: "arn:aws:sso:::permissionSet/ssoins-1/ps-1", Desired: d}
}

func actions(p permsets.Plan) []string {
	var out []string
	for _, c := range p.Changes {
		s := string(c.Kind) + ":" + string(c.Op)
		if c.PermissionSet != nil {
			for _, call := range c.PermissionSet.Calls {
				s += " " + string(call.Action)
			}
		}
		out = append(out, s)
	}
	return out
}

// An inline policy is compared as JSON: whitespace and key order are no
// change; defaults (PT1H, path "/") and list order are none either.
func TestDiffIgnoresWhatMeansTheSame(t *testing.T) {
	have := permsets.Desired{Name: "Dev", ManagedPolicies: []string{"arn:aws:iam::aws:policy/B", "arn:aws:iam::aws:policy/A"},
		CustomerManagedPolicies: []execute.PolicyRef{{Name: "team-boundary", Path: "/"}},
		InlinePolicy:            `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`}
	want := permsets.Desired{Name: "Dev", ManagedPolicies: []string{"arn:aws:iam::aws:policy/A", "arn:aws:iam::aws:policy/B"},
		CustomerManagedPolicies: []execute.PolicyRef{{Name: "team-boundary"}}, SessionDuration: "PT1H",
		InlinePolicy: "{\n  \"Statement\": [ {\"Resource\": \"*\", \"Action\": \"s3:GetObject\", \"Effect\": \"Allow\"} ],\n  \"Version\": \"2012-10-17\"\n}"}
	if d := permsets.Diff(want, live(have)); len(d) != 0 {
		t.Errorf("Diff: %+v; want none", d)
	}
	if p := permsets.Changes(want, live(have), permsets.Provisioning{Accounts: 3}); len(p.Changes) != 0 {
		t.Errorf("Changes: %v; want none", actions(p))
	}
}

// A changed inline policy and session duration are one update and one
// re-provisioning to the accounts the set is provisioned to; a description
// alone changes no role, so nothing is re-provisioned.
func TestChangesReprovisionWhenTheRoleChanges(t *testing.T) {
	have := permsets.Desired{Name: "Dev", SessionDuration: "PT1H", Description: "old", InlinePolicy: `{"Version":"2012-10-17","Statement":[]}`}
	want := have
	want.SessionDuration, want.InlinePolicy = "PT4H", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}`
	p := permsets.Changes(want, live(have), permsets.Provisioning{Accounts: 12})
	if got, w := actions(p), []string{"permissionSet:update putInlinePolicy", "provision:provision"}; !slices.Equal(got, w) {
		t.Fatalf("changes: %v; want %v", got, w)
	}
	if got := p.Changes[1].Provision.Accounts; got != 12 {
		t.Errorf("re-provisioned to %d accounts; want 12", got)
	}
	if attrs := fmt.Sprint(p.Diff); !strings.Contains(attrs, "SessionDuration") || !strings.Contains(attrs, "InlinePolicy") {
		t.Errorf("diff %s lacks SessionDuration or InlinePolicy", attrs)
	}

	want = have
	want.Description = "new"
	p = permsets.Changes(want, live(have), permsets.Provisioning{Accounts: 12})
	if got, w := actions(p), []string{"permissionSet:update"}; !slices.Equal(got, w) {
		t.Errorf("description only: %v; want %v", got, w)
	}
}

// Managed policies are attached before others are detached, so access is
// never less than both — unless attaching first would pass the 20 a set
// may have.
func TestChangesAttachBeforeDetachWithinTheQuota(t *testing.T) {
	arns := func(prefix string, n int) []string {
		var out []string
		for i := range n {
			out = append(out, fmt.Sprintf("arn:aws:iam::aws:policy/%s%02d", prefix, i))
		}
		return out
	}
	have := permsets.Desired{Name: "Dev", ManagedPolicies: arns("Old", 1)}
	want := permsets.Desired{Name: "Dev", ManagedPolicies: arns("New", 1)}
	if got, w := actions(permsets.Changes(want, live(have), permsets.Provisioning{})), []string{"permissionSet:update attachManagedPolicy detachManagedPolicy"}; !slices.Equal(got, w) {
		t.Errorf("swap one: %v; want %v", got, w)
	}
	have.ManagedPolicies = append(arns("Keep", 19), arns("Old", 1)...)
	want.ManagedPolicies = append(arns("Keep", 19), arns("New", 1)...)
	if got, w := actions(permsets.Changes(want, live(have), permsets.Provisioning{})), []string{"permissionSet:update detachManagedPolicy attachManagedPolicy"}; !slices.Equal(got, w) {
		t.Errorf("swap one at 20: %v; want %v", got, w)
	}
}

// Validate checks AWS's limits before any call, naming each problem's
// attribute.
func TestValidateLimits(t *testing.T) {
	d := permsets.Desired{Name: strings.Repeat("x", 33), SessionDuration: "PT13H", ManagedPolicies: make([]string, 0),
		Tags: []execute.Tag{{Key: "", Value: "v"}}}
	for i := range 21 {
		d.ManagedPolicies = append(d.ManagedPolicies, fmt.Sprintf("arn:aws:iam::aws:policy/P%02d", i))
	}
	problems, _ := permsets.Validate(d)
	got := fmt.Sprint(problems)
	for _, want := range []string{"has 33 characters; AWS allows at most 32", "PT13H", "at most 20 together"} {
		if !strings.Contains(got, want) {
			t.Errorf("Validate: %s; want a problem saying %q", got, want)
		}
	}
}
