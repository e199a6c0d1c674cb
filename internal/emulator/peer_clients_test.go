package emulator_test

// Independent AWS clients drive the sandbox: Debian's AWS CLI v2 (2.9.19,
// bundled botocore 1.29) and the pip boto3/botocore 1.43 on PATH, through an
// administrator's and a person's whole flow (list, write, poll, sign in,
// fetch role credentials, fail on a bad id). Each runs with a
// temporary HOME and only the environment given here.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	idtypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"

	"github.com/ssoctl/ssoctl/internal/emulator"
)

// debianCLI is AWS CLI v2; the `aws` on PATH is CLI v1.
const debianCLI = "/usr/bin/aws"

// peerTimeout bounds every peer process.
const peerTimeout = 60 * time.Second

// awsCLI runs /usr/bin/aws against one endpoint with a hermetic environment.
type awsCLI struct {
	t   *testing.T
	url string
	env []string
}

func newAWSCLI(t *testing.T, url string) *awsCLI {
	t.Helper()
	if _, err := os.Stat(debianCLI); err != nil {
		t.Skip("/usr/bin/aws not found")
	}
	return &awsCLI{t: t, url: url, env: peerHermeticEnv(t)}
}

// peerHermeticEnv is a minimal environment: a fresh HOME, the sandbox's
// dummy credentials, the region, no pager, and nothing inherited but a
// plain PATH.
func peerHermeticEnv(t *testing.T) []string {
	home := t.TempDir()
	return []string{
		"HOME=" + home,
		"PATH=/usr/bin:/bin",
		"LANG=C.UTF-8",
		"AWS_ACCESS_KEY_ID=" + emulator.SandboxAccessKeyID,
		"AWS_SECRET_ACCESS_KEY=" + emulator.SandboxSecretAccessKey,
		"AWS_DEFAULT_REGION=us-east-1",
		"AWS_PAGER=",
		"AWS_CONFIG_FILE=" + filepath.Join(home, ".aws", "config"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, ".aws", "credentials"),
	}
}

// run runs one CLI command with --endpoint-url (CLI 2.9.19 ignores
// AWS_ENDPOINT_URL) and JSON output; it returns stdout, stderr and the exit
// code.
func (c *awsCLI) run(args ...string) ([]byte, string, int) {
	c.t.Helper()
	cctx, cancel := context.WithTimeout(context.Background(), peerTimeout)
	defer cancel()
	args = append(args, "--endpoint-url", c.url, "--output", "json")
	cmd := exec.CommandContext(cctx, debianCLI, args...)
	cmd.Env = c.env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return stdout.Bytes(), stderr.String(), 0
	case errors.As(err, &exit) && cctx.Err() == nil:
		return stdout.Bytes(), stderr.String(), exit.ExitCode()
	}
	c.t.Fatalf("aws %s: %v (%v)\n%s", strings.Join(args, " "), err, cctx.Err(), stderr.String())
	return nil, "", 0
}

// json runs a command that must succeed and decodes its output into v.
func (c *awsCLI) json(v any, args ...string) {
	c.t.Helper()
	out, stderr, code := c.run(args...)
	if code != 0 {
		c.t.Fatalf("aws %s: exit %d\n%s", strings.Join(args, " "), code, stderr)
	}
	if v == nil {
		return
	}
	if err := json.Unmarshal(out, v); err != nil {
		c.t.Fatalf("aws %s: decode output: %v\n%s", strings.Join(args, " "), err, out)
	}
}

func TestPeerCLIFlow(t *testing.T) {
	t.Parallel()
	start := time.Now()
	_, cfg, url := sandbox(t, emulator.Options{})
	cli := newAWSCLI(t, url)
	defer func() { t.Logf("wall time %v", time.Since(start).Round(time.Millisecond)) }()

	var insts struct {
		Instances []struct{ InstanceArn, IdentityStoreId string }
	}
	cli.json(&insts, "sso-admin", "list-instances")
	if len(insts.Instances) != 1 {
		t.Fatalf("list-instances: got %d instances; want 1", len(insts.Instances))
	}
	iarn, store := insts.Instances[0].InstanceArn, insts.Instances[0].IdentityStoreId

	var user struct{ UserId, IdentityStoreId string }
	cli.json(&user, "identitystore", "create-user", "--identity-store-id", store,
		"--user-name", "peer.cli", "--display-name", "Peer Cli",
		"--name", "GivenName=Peer,FamilyName=Cli", "--emails", "Value=peer.cli@example.com,Type=work,Primary=true")
	if !peerPrincipalID.MatchString(user.UserId) || user.IdentityStoreId != store {
		t.Errorf("create-user: got %+v; want a user id in %s", user, store)
	}
	var group struct{ GroupId string }
	cli.json(&group, "identitystore", "create-group", "--identity-store-id", store, "--display-name", "peer-cli")
	var membership struct{ MembershipId string }
	cli.json(&membership, "identitystore", "create-group-membership", "--identity-store-id", store,
		"--group-id", group.GroupId, "--member-id", "UserId="+user.UserId)
	if !peerPrincipalID.MatchString(membership.MembershipId) {
		t.Errorf("create-group-membership: got id %q", membership.MembershipId)
	}
	var gotID struct{ UserId string }
	cli.json(&gotID, "identitystore", "get-user-id", "--identity-store-id", store,
		"--alternate-identifier", `{"UniqueAttribute":{"AttributePath":"UserName","AttributeValue":"peer.cli"}}`)
	if gotID.UserId != user.UserId {
		t.Errorf("get-user-id: got %q; want %q", gotID.UserId, user.UserId)
	}

	// --page-size 1: the CLI follows NextToken and prints every user.
	var users struct {
		Users []struct{ UserId, UserName string }
	}
	before := stats(t, url).Calls["identitystore:ListUsers"]
	cli.json(&users, "identitystore", "list-users", "--identity-store-id", store, "--page-size", "1")
	cliCalls := stats(t, url).Calls["identitystore:ListUsers"] - before
	sdkUsers, _, err := peerPages(identitystore.NewListUsersPaginator(identitystore.NewFromConfig(cfg), &identitystore.ListUsersInput{IdentityStoreId: aws.String(store)}),
		func(o *identitystore.ListUsersOutput) []idtypes.User { return o.Users })
	if err != nil {
		t.Fatal(err)
	}
	var cliUserIDs, sdkUserIDs []string
	for _, u := range users.Users {
		cliUserIDs = append(cliUserIDs, u.UserId)
	}
	for _, u := range sdkUsers {
		sdkUserIDs = append(sdkUserIDs, aws.ToString(u.UserId))
	}
	if len(cliUserIDs) < 2 || !sameSet(cliUserIDs, sdkUserIDs) || !slices.Contains(cliUserIDs, user.UserId) {
		t.Errorf("list-users --page-size 1: got %d users; want the %d the SDK lists, peer.cli among them", len(cliUserIDs), len(sdkUserIDs))
	}
	if cliCalls < len(cliUserIDs) {
		t.Errorf("list-users --page-size 1: %d ListUsers calls for %d users; want a page a user", cliCalls, len(cliUserIDs))
	}

	var ps struct {
		PermissionSet struct{ Name, PermissionSetArn, SessionDuration string }
	}
	cli.json(&ps, "sso-admin", "create-permission-set", "--instance-arn", iarn, "--name", "PeerCli", "--session-duration", "PT4H")
	psArn := ps.PermissionSet.PermissionSetArn
	if !peerPermSetArn.MatchString(psArn) || ps.PermissionSet.SessionDuration != "PT4H" || ps.PermissionSet.Name != "PeerCli" {
		t.Errorf("create-permission-set: got %+v", ps.PermissionSet)
	}
	cli.json(nil, "sso-admin", "attach-managed-policy-to-permission-set", "--instance-arn", iarn,
		"--permission-set-arn", psArn, "--managed-policy-arn", "arn:aws:iam::aws:policy/ReadOnlyAccess")

	var org struct {
		Organization struct{ MasterAccountId string }
	}
	cli.json(&org, "organizations", "describe-organization")
	var accts struct {
		Accounts []struct{ Id string }
	}
	cli.json(&accts, "organizations", "list-accounts", "--page-size", "1")
	sdkAccts, _, err := peerPages(organizations.NewListAccountsPaginator(organizations.NewFromConfig(cfg), &organizations.ListAccountsInput{}),
		func(o *organizations.ListAccountsOutput) []orgtypes.Account { return o.Accounts })
	if err != nil {
		t.Fatal(err)
	}
	if len(accts.Accounts) != len(sdkAccts) {
		t.Errorf("list-accounts --page-size 1: got %d accounts; want %d", len(accts.Accounts), len(sdkAccts))
	}
	// The account's State comes from the Go SDK: the CLI's older model
	// knows only the retired Status, which AWS (and the sandbox) no longer send.
	account := ""
	for _, a := range sdkAccts {
		if id := aws.ToString(a.Id); id != org.Organization.MasterAccountId && a.State == orgtypes.AccountStateActive && account == "" {
			account = id
		}
	}
	if account == "" {
		t.Fatal("list-accounts: no active member account")
	}

	type assignmentStatus struct{ Status, RequestId, FailureReason, TargetId, PrincipalId string }
	var created struct{ AccountAssignmentCreationStatus assignmentStatus }
	cli.json(&created, "sso-admin", "create-account-assignment", "--instance-arn", iarn,
		"--target-id", account, "--target-type", "AWS_ACCOUNT", "--permission-set-arn", psArn,
		"--principal-type", "GROUP", "--principal-id", group.GroupId)
	st := created.AccountAssignmentCreationStatus
	if !peerRequestID.MatchString(st.RequestId) || st.TargetId != account || st.PrincipalId != group.GroupId {
		t.Errorf("create-account-assignment: got %+v", st)
	}
	for polls := 0; ; polls++ {
		var d struct{ AccountAssignmentCreationStatus assignmentStatus }
		cli.json(&d, "sso-admin", "describe-account-assignment-creation-status", "--instance-arn", iarn,
			"--account-assignment-creation-request-id", st.RequestId)
		if s := d.AccountAssignmentCreationStatus; s.Status != "IN_PROGRESS" {
			if s.Status != "SUCCEEDED" || s.RequestId != st.RequestId {
				t.Fatalf("describe-account-assignment-creation-status: got %+v; want SUCCEEDED", s)
			}
			break
		}
		if polls == 10 {
			t.Fatalf("assignment %s still IN_PROGRESS after %d polls", st.RequestId, polls)
		}
	}

	var asgs struct {
		AccountAssignments []struct{ AccountId, PermissionSetArn, PrincipalType, PrincipalId string }
	}
	cli.json(&asgs, "sso-admin", "list-account-assignments", "--instance-arn", iarn,
		"--account-id", account, "--permission-set-arn", psArn, "--page-size", "1")
	if len(asgs.AccountAssignments) != 1 || asgs.AccountAssignments[0].PrincipalId != group.GroupId ||
		asgs.AccountAssignments[0].PrincipalType != "GROUP" || asgs.AccountAssignments[0].AccountId != account {
		t.Errorf("list-account-assignments: got %+v; want the group assignment", asgs.AccountAssignments)
	}

	var sets struct{ PermissionSets []string }
	cli.json(&sets, "sso-admin", "list-permission-sets", "--instance-arn", iarn, "--page-size", "1")
	sdkSets, _, err := peerPages(ssoadmin.NewListPermissionSetsPaginator(ssoadmin.NewFromConfig(cfg), &ssoadmin.ListPermissionSetsInput{InstanceArn: aws.String(iarn)}),
		func(o *ssoadmin.ListPermissionSetsOutput) []string { return o.PermissionSets })
	if err != nil {
		t.Fatal(err)
	}
	if len(sets.PermissionSets) < 2 || !sameSet(sets.PermissionSets, sdkSets) || !slices.Contains(sets.PermissionSets, psArn) {
		t.Errorf("list-permission-sets --page-size 1: got %v; want the %d the SDK lists, %s among them", sets.PermissionSets, len(sdkSets), psArn)
	}

	// A well-formed ARN no permission set has: the service error, exit 254.
	unknown := strings.Replace(iarn, ":instance/", ":permissionSet/", 1) + "/ps-0000000000000000"
	_, stderr, code := cli.run("sso-admin", "describe-permission-set", "--instance-arn", iarn, "--permission-set-arn", unknown)
	if code != 254 || !strings.Contains(stderr, "(ResourceNotFoundException)") {
		t.Errorf("describe-permission-set %s: got exit %d, stderr %q; want 254 and (ResourceNotFoundException)", unknown, code, stderr)
	}
	_, stderr, code = cli.run("identitystore", "create-user", "--identity-store-id", store,
		"--user-name", "peer.cli", "--display-name", "Again", "--name", "GivenName=A,FamilyName=B")
	if code != 254 || !strings.Contains(stderr, "(ConflictException)") {
		t.Errorf("create-user of a taken name: got exit %d, stderr %q; want 254 and (ConflictException)", code, stderr)
	}
}

func TestPeerCLIThrottling(t *testing.T) {
	t.Parallel()
	_, _, url := sandbox(t, emulator.Options{ThrottleRate: 1})
	cli := newAWSCLI(t, url)
	_, stderr, code := cli.run("sso-admin", "list-instances")
	if code != 254 || !strings.Contains(stderr, "ThrottlingException") {
		t.Errorf("list-instances under throttling: got exit %d, stderr %q; want 254 and ThrottlingException", code, stderr)
	}
	s := stats(t, url)
	// CLI 2.9.19 uses the standard retry mode: 3 attempts in all.
	if n := s.Calls["sso-admin:ListInstances"]; n != 3 || s.Throttled["sso-admin:ListInstances"] != n {
		t.Errorf("list-instances under throttling: %d calls, %d throttled; want 3 attempts, all throttled", n, s.Throttled["sso-admin:ListInstances"])
	}
}

// boto3Summary is what testdata/peers/boto3_flow.py prints.
type boto3Summary struct {
	Botocore             string     `json:"botocore"`
	UserID               string     `json:"user_id"`
	GroupID              string     `json:"group_id"`
	GetUserIDMatches     bool       `json:"get_user_id_matches"`
	DuplicateUser        string     `json:"duplicate_user"`
	UsersListed          int        `json:"users_listed"`
	UserPages            int        `json:"user_pages"`
	UsersDistinct        int        `json:"users_distinct"`
	UserFound            bool       `json:"user_found"`
	Members              []string   `json:"members"`
	PermissionSetArn     string     `json:"permission_set_arn"`
	SessionDuration      string     `json:"session_duration"`
	AccountsListed       int        `json:"accounts_listed"`
	AccountPages         int        `json:"account_pages"`
	Account              string     `json:"account"`
	AssignmentStatus     string     `json:"assignment_status"`
	AssignmentPolls      int        `json:"assignment_polls"`
	AssignmentFound      bool       `json:"assignment_found"`
	ForPrincipal         [][]string `json:"for_principal"`
	PermissionSetsListed int        `json:"permission_sets_listed"`
	PermissionSetPages   int        `json:"permission_set_pages"`
	PermissionSetFound   bool       `json:"permission_set_found"`
	UnknownPermissionSet string     `json:"unknown_permission_set"`
	UnknownUser          string     `json:"unknown_user"`
	UnknownUserType      string     `json:"unknown_user_resource_type"`
}

func TestPeerBoto3Flow(t *testing.T) {
	t.Parallel()
	start := time.Now()
	python := peerPython(t)
	// Assignments stay IN_PROGRESS for two polls, so the script's polling
	// loop runs.
	_, cfg, url := sandbox(t, emulator.Options{PendingPolls: 2})

	cctx, cancel := context.WithTimeout(context.Background(), peerTimeout)
	defer cancel()
	cmd := exec.CommandContext(cctx, python, filepath.Join("testdata", "peers", "boto3_flow.py"), url)
	cmd.Env = peerHermeticEnv(t)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("boto3_flow.py: %v\n%s", err, stderr.String())
	}
	var got boto3Summary
	if err := json.Unmarshal(stdout.Bytes(), &got); err != nil {
		t.Fatalf("boto3_flow.py output: %v\n%s", err, stdout.String())
	}
	t.Logf("botocore %s; %d users in %d pages; %d accounts in %d pages; wall time %v",
		got.Botocore, got.UsersListed, got.UserPages, got.AccountsListed, got.AccountPages, time.Since(start).Round(time.Millisecond))

	ids := identitystore.NewFromConfig(cfg)
	inst, err := ssoadmin.NewFromConfig(cfg).ListInstances(ctx, &ssoadmin.ListInstancesInput{})
	if err != nil {
		t.Fatal(err)
	}
	store := inst.Instances[0].IdentityStoreId
	users, _, err := peerPages(identitystore.NewListUsersPaginator(ids, &identitystore.ListUsersInput{IdentityStoreId: store}),
		func(o *identitystore.ListUsersOutput) []idtypes.User { return o.Users })
	if err != nil {
		t.Fatal(err)
	}
	accts, _, err := peerPages(organizations.NewListAccountsPaginator(organizations.NewFromConfig(cfg), &organizations.ListAccountsInput{}),
		func(o *organizations.ListAccountsOutput) []orgtypes.Account { return o.Accounts })
	if err != nil {
		t.Fatal(err)
	}

	checks := []struct {
		name string
		ok   bool
	}{
		{"user id has the model's form", peerPrincipalID.MatchString(got.UserID)},
		{"get_user_id finds the user", got.GetUserIDMatches},
		{"duplicate user is ConflictException", got.DuplicateUser == "ConflictException"},
		{"list_users pages of 1 give every user once", got.UsersListed == len(users) && got.UsersDistinct == len(users) && got.UserPages >= len(users)},
		{"list_users shows the new user", got.UserFound},
		{"list_group_memberships shows the member", slices.Equal(got.Members, []string{got.UserID})},
		{"permission set ARN has the real form", peerPermSetArn.MatchString(got.PermissionSetArn)},
		{"SessionDuration is PT4H", got.SessionDuration == "PT4H"},
		{"list_accounts pages of 1 give every account", got.AccountsListed == len(accts) && got.AccountPages >= len(accts)},
		{"assignment SUCCEEDED after two IN_PROGRESS polls", got.AssignmentStatus == "SUCCEEDED" && got.AssignmentPolls == 2},
		{"list_account_assignments shows the assignment", got.AssignmentFound},
		{"list_account_assignments_for_principal shows it", slices.EqualFunc(got.ForPrincipal, [][]string{{got.Account, got.PermissionSetArn}}, slices.Equal)},
		{"list_permission_sets pages of 1 show the new set", got.PermissionSetFound && got.PermissionSetPages >= got.PermissionSetsListed},
		{"unknown permission set is ResourceNotFoundException", got.UnknownPermissionSet == "ResourceNotFoundException"},
		{"unknown user is ResourceNotFoundException of type USER", got.UnknownUser == "ResourceNotFoundException" && got.UnknownUserType == "USER"},
	}
	var failed []string
	for _, c := range checks {
		if !c.ok {
			failed = append(failed, c.name)
		}
	}
	if len(failed) > 0 {
		t.Errorf("boto3: these do not hold:\n  %s\nsummary: %s", strings.Join(failed, "\n  "), stdout.String())
	}
}

// peerPython returns the python3 interpreter on PATH that imports boto3,
// resolved past any pyenv shim so that it runs with a hermetic environment.
func peerPython(t *testing.T) string {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not found on PATH")
	}
	cctx, cancel := context.WithTimeout(context.Background(), peerTimeout)
	defer cancel()
	out, err := exec.CommandContext(cctx, py, "-c", "import sys, boto3; print(sys.executable)").Output()
	if err != nil {
		t.Skipf("python3 cannot import boto3: %v", err)
	}
	return strings.TrimSpace(string(out))
}
