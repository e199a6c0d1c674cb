package lifecycle_test

// The user lifecycle against moto_server, an emulator no one here wrote:
// create a person with a bundle, check their Identity Center access,
// retire their legacy IAM user through the whole deletion checklist, and
// offboard them. Afterwards moto has neither the user nor any assignment of
// theirs, nor the IAM user.
//
// moto 5.2's deviations met here (the real SDK clients see them as they are):
//   - ListAccountAssignmentCreationStatus / …DeletionStatus answer 500 (not
//     implemented): the executor falls back to describing each request.
//   - Create/DeleteAccountAssignment answer SUCCEEDED at once (AWS answers
//     IN_PROGRESS); a duplicate create adds a second identical assignment
//     (AWS keeps one), and deleting a missing assignment SUCCEEDS (AWS
//     FAILS it) — the lifecycle plans from the live state, so neither arises.
//   - CreatePermissionSet needs an explicit SessionDuration (moto's integer
//     default breaks the Go SDK).
//   - ListServiceSpecificCredentials answers 500 (not implemented): the test
//     wraps the IAM client to answer an empty list, as AWS does for a user
//     without such credentials.
//   - EnableMFADevice accepts any two codes.

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	istypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"

	"github.com/ssoctl/ssoctl/internal/assignments/execute"
	"github.com/ssoctl/ssoctl/internal/assignments/list"
	"github.com/ssoctl/ssoctl/internal/awsclient"
	"github.com/ssoctl/ssoctl/internal/inventory"
	"github.com/ssoctl/ssoctl/internal/legacyiam"
	"github.com/ssoctl/ssoctl/internal/lifecycle"
	"github.com/ssoctl/ssoctl/internal/orgconfig"
	"github.com/ssoctl/ssoctl/internal/peertest"
)

// motoIAM answers ListServiceSpecificCredentials, which moto lacks.
type motoIAM struct{ *iam.Client }

func (m motoIAM) ListServiceSpecificCredentials(context.Context, *iam.ListServiceSpecificCredentialsInput, ...func(*iam.Options)) (*iam.ListServiceSpecificCredentialsOutput, error) {
	return &iam.ListServiceSpecificCredentialsOutput{}, nil
}

// must stops the test (by a panic, which fails it with the error) when a
// setup or lifecycle call fails.
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestLifecycleAgainstMoto(t *testing.T) {
	url := peertest.Moto(t)
	ctx := context.Background()
	set := must(awsclient.New(ctx, awsclient.Options{
		EndpointURL: url, Region: "us-east-1", Unlimited: true, MaxAttempts: 2, MaxBackoff: 50 * time.Millisecond,
		Credentials: credentials.NewStaticCredentialsProvider("AKIAEXAMPLEEXAMPLE01", "secret", ""),
	}))

	// The organization, a permission set, and the legacy IAM user with one
	// of everything the checklist removes.
	must(set.Organizations().CreateOrganization(ctx, &organizations.CreateOrganizationInput{}))
	must(set.Organizations().CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String("dev"), Email: aws.String("dev@example.com")}))
	inst := must(inventory.FindInstance(ctx, set.SSOAdmin(), ""))
	must(set.SSOAdmin().CreatePermissionSet(ctx, &ssoadmin.CreatePermissionSetInput{InstanceArn: &inst.Arn, Name: aws.String("Developer"), SessionDuration: aws.String("PT8H")}))
	ic := set.IAM()
	name := aws.String("jane.doe")
	must(ic.CreateUser(ctx, &iam.CreateUserInput{UserName: name}))
	must(ic.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: name, Password: aws.String("Passw0rd!Passw0rd!")}))
	must(ic.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: name}))
	must(ic.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: name}))
	mfa := must(ic.CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: name}))
	must(ic.EnableMFADevice(ctx, &iam.EnableMFADeviceInput{UserName: name, SerialNumber: mfa.VirtualMFADevice.SerialNumber, AuthenticationCode1: aws.String("123456"), AuthenticationCode2: aws.String("654321")}))
	doc := aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*"}]}`)
	must(ic.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: name, PolicyName: aws.String("legacy-inline"), PolicyDocument: doc}))
	pol := must(ic.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("legacy-managed"), PolicyDocument: doc}))
	must(ic.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: name, PolicyArn: pol.Policy.Arn}))
	must(ic.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("legacy-developers")}))
	must(ic.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("legacy-developers"), UserName: name}))
	must(ic.UploadSSHPublicKey(ctx, &iam.UploadSSHPublicKeyInput{UserName: name, SSHPublicKeyBody: aws.String("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC3F6tyPEFEzV0LX3X8BsXdMsQz1x2cEikKDEY0aIj41qgxMCP/iteneqXSIFZBp5vizPvaoIR3Um9xK7PGoW8giupGn+EPuxIA4cDM4vzOqOkiMPhz5XK0whEjkVzTo4+S0puvDZuwIsdiW9mxhJc7tgBNL0cYlWSYVkz4G/fslNfRPW5mYAM49f4fhtxPb5ok4Q2Lg9dPKVHO/Bgeu5woMc7RY0p1ej6D4CKFE6lymSDJpW0YHX/wqE9+cfEauh7xZcG0q9t2ta6F6fmX0agvpFyZo8aFbXeUBr7osSCJNgvavWbM/06niWrOvYX2xwWdhXmXSrbX8ZbabVohBK41 jane@example.com")}))

	cfg := must(orgconfig.Parse("org.yaml", []byte(`start_url: https://example.awsapps.com/start
sso_region: us-east-1
sso_session: example
domain: example.com
access:
  Developer:
    - {permission_set: Developer, accounts: [dev]}
`)))
	d := must(lifecycle.Open(ctx, lifecycle.Clients{SSOAdmin: set.SSOAdmin(), IdentityStore: set.IdentityStore(), Organizations: set.Organizations()}, ""))

	// create, with the bundle
	plan := must(d.PlanCreate(ctx, cfg, lifecycle.NewUser{UserName: "jane.doe", GivenName: "Jane", FamilyName: "Doe", Access: "Developer"}, false))
	if len(plan.Access.Plan.Changes) != 1 || plan.Exists != "" {
		t.Fatalf("plan %+v; want a new user and one assignment", plan)
	}
	res := must(d.ApplyCreate(ctx, plan, execute.Options{}))
	if !res.Created || !res.Access.OK() || res.Access.Summary.Created != 1 {
		t.Fatalf("create: %+v", res)
	}
	u := must(d.User(ctx, "jane.doe@example.com"))
	if u.Id != res.User.Id {
		t.Fatalf("by e-mail: %+v; want id %s", u, res.User.Id)
	}
	if !must(d.HasAccess(ctx, u)) {
		t.Fatal("the new user has no Identity Center access")
	}
	g := must(set.IdentityStore().CreateGroup(ctx, &identitystore.CreateGroupInput{IdentityStoreId: &inst.IdentityStoreId, DisplayName: aws.String("developers")}))
	must(set.IdentityStore().CreateGroupMembership(ctx, &identitystore.CreateGroupMembershipInput{IdentityStoreId: &inst.IdentityStoreId, GroupId: g.GroupId, MemberId: &istypes.MemberIdMemberUserId{Value: u.Id}}))

	// migrate-iam: the whole checklist, each key's last use shown first
	status := must(legacyiam.Inspect(ctx, motoIAM{ic}, "jane.doe"))
	steps := legacyiam.Steps(status)
	kinds := map[string]int{}
	for _, s := range steps {
		kinds[s.Kind]++
		if s.Kind == "access-key" && s.Detail == "" {
			t.Errorf("%s: the key's last use is not shown", s)
		}
	}
	for kind, n := range map[string]int{"login-profile": 1, "access-key": 2, "ssh-public-key": 1, "mfa-device": 1, "inline-policy": 1, "attached-policy": 1, "group": 1, "user": 1} {
		if kinds[kind] != n {
			t.Errorf("%d %s steps; want %d (steps: %v)", kinds[kind], kind, n, steps)
		}
	}
	results := must(legacyiam.Run(ctx, motoIAM{ic}, steps, nil))
	if !legacyiam.OK(results) {
		t.Fatalf("checklist: %+v", results)
	}
	_, err := ic.GetUser(ctx, &iam.GetUserInput{UserName: name})
	var nse *iamtypes.NoSuchEntityException
	if !errors.As(err, &nse) {
		t.Fatalf("GetUser after migrate: %v; want NoSuchEntity", err)
	}
	vm := must(ic.ListVirtualMFADevices(ctx, &iam.ListVirtualMFADevicesInput{}))
	if len(vm.VirtualMFADevices) != 0 {
		t.Errorf("virtual MFA devices left: %d", len(vm.VirtualMFADevices))
	}
	// A second run finds nothing to do.
	again := must(legacyiam.Inspect(ctx, motoIAM{ic}, "jane.doe"))
	if again.Exists || len(legacyiam.Steps(again)) != 0 {
		t.Errorf("second inspect: %+v", again)
	}

	// offboard
	off := must(d.PlanOffboard(ctx, u, false))
	if len(off.Assignments.Changes) != 1 || len(off.Memberships) != 1 || off.Memberships[0].GroupName != "developers" {
		t.Fatalf("offboard plan %+v; want the one assignment and the one membership", off)
	}
	done := must(d.ApplyOffboard(ctx, off, execute.Options{}))
	if !done.OK() {
		t.Fatalf("offboard: %+v", done)
	}
	_, err = set.IdentityStore().DescribeUser(ctx, &identitystore.DescribeUserInput{IdentityStoreId: &inst.IdentityStoreId, UserId: &u.Id})
	var rnf *istypes.ResourceNotFoundException
	if !errors.As(err, &rnf) {
		t.Errorf("DescribeUser after offboard: %v; want ResourceNotFound", err)
	}
	left := must(list.All(ctx, inventory.Clients{SSOAdmin: set.SSOAdmin()}, inst, list.Selection{Principals: []list.Principal{{Type: list.User, Id: u.Id}}}, list.ByPrincipal))
	if len(left) != 0 {
		t.Errorf("assignments left: %+v", left)
	}
	ms := must(set.IdentityStore().ListGroupMemberships(ctx, &identitystore.ListGroupMembershipsInput{IdentityStoreId: &inst.IdentityStoreId, GroupId: g.GroupId}))
	if len(ms.GroupMemberships) != 0 {
		t.Errorf("group memberships left: %d", len(ms.GroupMemberships))
	}
}
