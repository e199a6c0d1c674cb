package grants_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	"github.com/google/go-cmp/cmp"

	"github.com/ssoctl/ssoctl/internal/emulator"
	"github.com/ssoctl/ssoctl/internal/emulatortest"
	"github.com/ssoctl/ssoctl/internal/grants"
	"github.com/ssoctl/ssoctl/internal/permsets"
)

func psArn(t *testing.T, st *emulator.State, name string) string {
	t.Helper()
	for _, ps := range st.PermissionSets {
		if ps.Name == name {
			return ps.Arn
		}
	}
	t.Fatalf("no permission set %s in the demo organization", name)
	return ""
}

func userID(t *testing.T, st *emulator.State, name string) string {
	t.Helper()
	for _, u := range st.Users {
		if u.UserName == name {
			return u.UserId
		}
	}
	t.Fatalf("no user %s in the demo organization", name)
	return ""
}

// TestCloneKeepsEverything: a grant's permission set is the source's
// managed and customer managed policies, boundary and relay state, its
// inline policy with the deny-after-expiry statement, the shorter session
// duration and the grant's tags; the grant reads back from AWS alone.
func TestCloneKeepsEverything(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := emulator.Generate("small", 0)
	inst := st.Instances[0].InstanceArn
	sb := emulatortest.Start(t, emulator.Options{State: st})
	c := sandboxClients(sb)
	admin := c.SSOAdmin
	src := psArn(t, st, "ProductionSupport")
	inline := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"support:*","Resource":"*"}]}`
	if _, err := admin.PutInlinePolicyToPermissionSet(ctx, &ssoadmin.PutInlinePolicyToPermissionSetInput{InstanceArn: &inst, PermissionSetArn: &src, InlinePolicy: aws.String(inline)}); err != nil {
		t.Fatal(err)
	}
	before, err := permsets.Read(ctx, admin, inst, src)
	if err != nil {
		t.Fatal(err)
	}
	who := grants.Principal{Type: "USER", Id: userID(t, st, "dave.miller"), Name: "dave.miller"}
	p, err := grants.PlanCreate(ctx, c, grants.Request{InstanceArn: inst, PermissionSetArn: src, Principal: who,
		Accounts: []grants.Account{{Id: "527326230212"}}, For: 90 * time.Minute, Reason: "INC-7: fail over, tonight!", Ticket: "OPS-7"})
	if err != nil {
		t.Fatal(err)
	}
	res, err := grants.Create(ctx, c, p, fast)
	if err != nil || !res.OK() {
		t.Fatalf("create: %v %v", err, failures(res.Report))
	}
	clone, err := permsets.Read(ctx, admin, inst, res.Grant.CloneArn)
	if err != nil {
		t.Fatal(err)
	}
	want, err := grants.WithDeny(inline, res.Grant.Expires)
	if err != nil {
		t.Fatal(err)
	}
	if clone.Name != grants.Name(res.Grant.ID) || clone.SessionDuration != "PT1H30M" {
		t.Errorf("clone %s, session %s; want %s and PT1H30M (the grant, shorter than the set's PT2H)", clone.Name, clone.SessionDuration, grants.Name(res.Grant.ID))
	}
	if d := cmp.Diff(before.ManagedPolicies, clone.ManagedPolicies); d != "" {
		t.Errorf("managed policies (-source +clone):\n%s", d)
	}
	if d := cmp.Diff(before.CustomerManagedPolicies, clone.CustomerManagedPolicies); d != "" {
		t.Errorf("customer managed policies (-source +clone):\n%s", d)
	}
	if d := cmp.Diff(before.PermissionsBoundary, clone.PermissionsBoundary); d != "" || clone.PermissionsBoundary == nil {
		t.Errorf("boundary (-source +clone):\n%s", d)
	}
	if c1, _ := permsets.Canonical(clone.InlinePolicy); c1 != mustCanonical(t, want) {
		t.Errorf("inline policy %s; want %s", clone.InlinePolicy, want)
	}
	if !strings.HasPrefix(clone.Description, "Just-in-time grant of ProductionSupport until ") || !strings.HasSuffix(clone.Description, "Reason: INC-7: fail over, tonight!") {
		t.Errorf("description %q", clone.Description)
	}
	live, err := grants.List(ctx, c, inst)
	if err != nil {
		t.Fatal(err)
	}
	if len(live.Grants) != 1 {
		t.Fatalf("listed %d grants; want 1", len(live.Grants))
	}
	g := live.Grants[0]
	wantG := res.Grant
	wantG.Principal.Name, wantG.State = "", grants.Active
	wantG.Accounts = []grants.Account{{Id: "527326230212"}}
	wantG.Assigned = []string{"527326230212"}
	if d := cmp.Diff(wantG, g); d != "" {
		t.Errorf("listed grant (-made +listed):\n%s", d)
	}
}

func mustCanonical(t *testing.T, doc string) string {
	t.Helper()
	c, err := permsets.Canonical(doc)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestFullInlinePolicyRefused: a permission set whose inline policy leaves
// no room for the deny-after-expiry statement is refused before any write.
func TestFullInlinePolicyRefused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := emulator.Generate("small", 0)
	inst := st.Instances[0].InstanceArn
	sb := emulatortest.Start(t, emulator.Options{State: st})
	c := sandboxClients(sb)
	src := psArn(t, st, "Developer")
	var stmts []string
	for len(strings.Join(stmts, ",")) < permsets.MaxInlinePolicyNonSpace-150 {
		stmts = append(stmts, `{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket-`+strings.Repeat("x", 30)+`/*"}`)
	}
	full := `{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`
	if _, err := c.SSOAdmin.PutInlinePolicyToPermissionSet(ctx, &ssoadmin.PutInlinePolicyToPermissionSetInput{InstanceArn: &inst, PermissionSetArn: &src, InlinePolicy: aws.String(full)}); err != nil {
		t.Fatalf("a %d-character policy: %v", len(full), err)
	}
	before := sb.Stats(t).Calls
	_, err := grants.PlanCreate(ctx, c, grants.Request{InstanceArn: inst, PermissionSetArn: src,
		Principal: grants.Principal{Type: "USER", Id: userID(t, st, "dave.miller")}, Accounts: []grants.Account{{Id: "527326230212"}}, For: time.Hour})
	if !errors.Is(err, grants.ErrPolicyTooLarge) || strings.Contains(err.Error(), "\n") {
		t.Fatalf("got %v; want one line wrapping ErrPolicyTooLarge", err)
	}
	for op, n := range sb.Stats(t).Calls {
		if strings.HasPrefix(strings.SplitN(op, ":", 2)[1], "Create") && n > before[op] {
			t.Errorf("%s called %d times; want no write", op, n-before[op])
		}
	}
}
