package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	satypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"

	"github.com/ssoctl/ssoctl/internal/assignments/list"
	"github.com/ssoctl/ssoctl/internal/emulator"
	"github.com/ssoctl/ssoctl/internal/inventory"
	"github.com/ssoctl/ssoctl/internal/peertest"
)

// TestUserCreateInterruptedThenRerun: a bulk `user create` (8 people, 8
// assignments each, requests IN_PROGRESS for 3 polls) gets SIGINT half-way
// and exits 130; the same command run again finishes the work. Every person
// exists once with all 8 assignments, no request FAILED, and no create was
// sent twice: the requests the first run left IN_PROGRESS were adopted.
func TestUserCreateInterruptedThenRerun(t *testing.T) {
	bin := buildSSOCTL(t)
	e := newSignInEnv(t, emulator.Options{PendingPolls: 3, Latency: 5 * time.Millisecond})
	csv := "username,given_name,family_name,email,access\n"
	for i := range 8 {
		csv += fmt.Sprintf("new.hire%02d,New,Hire%02d,,SeniorDeveloper\n", i, i)
	}
	people := filepath.Join(e.home, "people.csv")
	if err := os.WriteFile(people, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	example, err := filepath.Abs("../../examples/org.yaml")
	if err != nil {
		t.Fatal(err)
	}
	env := append(e.env(), "AWS_ENDPOINT_URL="+e.url, "AWS_ACCESS_KEY_ID="+emulator.SandboxAccessKeyID, "AWS_SECRET_ACCESS_KEY="+emulator.SandboxSecretAccessKey,
		"AWS_REGION=us-east-1", "SSOCTL_RATE_SCALE=50", "SSOCTL_ORG_CONFIG="+example)

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "user", "create", "-f", people, "--yes")
	cmd.Env = env
	var out, errOut syncBuffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	cmd.WaitDelay = time.Second
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for strings.Count(out.String(), "Created user") < 3 {
		if ctx.Err() != nil {
			t.Fatalf("no progress: %s\n%s", out.String(), errOut.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	err = cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 130 {
		t.Fatalf("interrupted run: %v; want exit 130\n%s\n%s", err, out.String(), errOut.String())
	}
	if !strings.Contains(errOut.String(), "ssoctl: interrupted") {
		t.Errorf("stderr %q; want it to say it was interrupted", errOut.String())
	}
	first := strings.Count(out.String(), "Created user")

	stdout, stderr, code := e.run(t, env, bin, "user", "create", "-f", people, "--yes")
	if code != 0 {
		t.Fatalf("re-run: exit %d\n%s\n%s", code, stdout, stderr)
	}
	// The person being set up when the signal came exists already: the
	// re-run says so and finishes their access.
	created, exists := strings.Count(stdout, "Created user"), strings.Count(stdout, " exists (id ")
	if first+created+exists != 8+first || exists < first {
		t.Errorf("first run created %d; the re-run created %d and found %d; want 8 in all", first, created, exists)
	}

	cfg := peertest.SDKConfig(e.url, 1)
	sa, ids := ssoadmin.NewFromConfig(cfg), identitystore.NewFromConfig(cfg)
	inst, err := inventory.FindInstance(context.Background(), sa, "")
	if err != nil {
		t.Fatal(err)
	}
	for i := range 8 {
		name := fmt.Sprintf("new.hire%02d", i)
		id, err := inventory.UserID(context.Background(), ids, inst, name)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		as, err := list.All(context.Background(), inventory.Clients{SSOAdmin: sa}, inst, list.Selection{Principals: []list.Principal{{Type: list.User, Id: id}}}, list.ByPrincipal)
		if err != nil {
			t.Fatal(err)
		}
		if len(as) != 8 {
			t.Errorf("%s has %d assignments; want 8", name, len(as))
		}
	}
	failed, err := sa.ListAccountAssignmentCreationStatus(context.Background(), &ssoadmin.ListAccountAssignmentCreationStatusInput{
		InstanceArn: aws.String(inst.Arn), Filter: &satypes.OperationStatusFilter{Status: satypes.StatusValuesFailed}})
	if err != nil {
		t.Fatal(err)
	}
	if len(failed.AccountAssignmentsCreationStatus) != 0 {
		t.Errorf("%d FAILED creation requests; want none", len(failed.AccountAssignmentsCreationStatus))
	}
	st := peertest.Stats(t, e.url)
	if n := st.Calls["sso-admin:CreateAccountAssignment"]; n != 64 {
		t.Errorf("CreateAccountAssignment sent %d times over both runs; want 64, once per assignment", n)
	}
	if n := st.Calls["identitystore:CreateUser"]; n != 8 {
		t.Errorf("CreateUser called %d times; want 8", n)
	}
}
