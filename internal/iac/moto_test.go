package iac_test

// The Identity Center file applied against moto_server (python moto), an
// emulator written independently of the sandbox: an organization is built
// there through the SDK, a file declaring a permission set with its
// attributes, a group with members and their assignments is planned,
// applied through the one executor, read back, and planned again.
//
// moto divergences (AWS's behaviour is the sandbox's):
//
//   - Permissions boundaries and tags are not implemented
//     (Put/Get/DeletePermissionsBoundaryForPermissionSet, TagResource,
//     UntagResource, ListTagsForResource answer HTTP 500 with an HTML page).
//     The file declares neither; motoSSO answers a boundary read as AWS does
//     for a set without one (ResourceNotFoundException) and a tags read as
//     for a set without tags.
//   - Permission-set provisioning and assignment status lists are not
//     implemented (DescribePermissionSetProvisioningStatus and the
//     List…Status operations); moto answers every
//     CreateAccountAssignment and ProvisionPermissionSet SUCCEEDED at once,
//     so the executor never needs them (it adopts nothing: the status lists
//     failing only means nothing is adopted).
//   - Provisioning. AWS provisions a permission set to an account as part of
//     CreateAccountAssignment; moto does not (only ProvisionPermissionSet,
//     and then to the caller's account whatever TargetId says), and
//     ListAccountsForProvisionedPermissionSet answers accordingly. The plan
//     reads this file's assignments permission set first (the lister's
//     cheaper way for two principals and one set), through the accounts a
//     set is provisioned to, so on moto it cannot see the assignments the apply
//     made: the test checks them with ListAccountAssignments, and expects
//     the second plan to change no permission set, group or member and to
//     list exactly the four assignments again (on the sandbox and AWS it
//     shows nothing; iac_plan_apply checks that).
//   - No customer managed IAM policies per account are checked when a set is
//     provisioned (the sandbox fails provisioning as AWS does when one is
//     missing); the file references none.

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/identitystore/document"
	idtypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"

	"github.com/ssoctl/ssoctl/internal/assignments/execute"
	"github.com/ssoctl/ssoctl/internal/iac"
	"github.com/ssoctl/ssoctl/internal/inventory"
	"github.com/ssoctl/ssoctl/internal/peertest"
	"github.com/ssoctl/ssoctl/internal/permsets"
)

const motoFile = `PermissionSets:
  OnCall:
    Description: Production on-call
    SessionDuration: PT4H
    RelayState: https://console.aws.amazon.com/ecs/home
    ManagedPolicies: [ReadOnlyAccess]
    InlinePolicy: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecs:UpdateService","Resource":"*"}]}'
Groups:
  oncall:
    Description: This week's on-call engineers
    Members: [alice, bob@example.com]
Assignments:
  - Groups: [oncall]
    Users: [carol]
    PermissionSets: [OnCall]
    Accounts: [payments-prod, payments-dev]
`

// motoSSO is moto's sso-admin with the reads it lacks answered as AWS
// answers them for a permission set without a boundary or tags.
type motoSSO struct{ *ssoadmin.Client }

func (motoSSO) GetPermissionsBoundaryForPermissionSet(context.Context, *ssoadmin.GetPermissionsBoundaryForPermissionSetInput, ...func(*ssoadmin.Options)) (*ssoadmin.GetPermissionsBoundaryForPermissionSetOutput, error) {
	return nil, &ssotypes.ResourceNotFoundException{Message: aws.String("Could not find PermissionsBoundary")}
}

func (motoSSO) ListTagsForResource(context.Context, *ssoadmin.ListTagsForResourceInput, ...func(*ssoadmin.Options)) (*ssoadmin.ListTagsForResourceOutput, error) {
	return &ssoadmin.ListTagsForResourceOutput{}, nil
}

func TestApplyAgainstMoto(t *testing.T) {
	ctx := context.Background()
	cfg := peertest.SDKConfig(peertest.Moto(t), 3)
	cfg.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	sso := motoSSO{ssoadmin.NewFromConfig(cfg)}
	ids := identitystore.NewFromConfig(cfg)
	org := organizations.NewFromConfig(cfg)
	must := func(err error, what string) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}

	// The organization: the management account, two members, three people.
	_, err := org.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll})
	must(err, "CreateOrganization")
	for _, name := range []string{"payments-prod", "payments-dev"} {
		_, err := org.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String(name), Email: aws.String(name + "@example.com")})
		must(err, "CreateAccount "+name)
	}
	insts, err := sso.ListInstances(ctx, &ssoadmin.ListInstancesInput{})
	must(err, "ListInstances")
	store := aws.ToString(insts.Instances[0].IdentityStoreId)
	for _, name := range []string{"alice", "bob", "carol"} {
		_, err := ids.CreateUser(ctx, &identitystore.CreateUserInput{IdentityStoreId: &store, UserName: aws.String(name), DisplayName: aws.String(name),
			Name:   &idtypes.Name{GivenName: aws.String(name), FamilyName: aws.String("Example")},
			Emails: []idtypes.Email{{Value: aws.String(name + "@example.com"), Type: aws.String("work"), Primary: true}}})
		must(err, "CreateUser "+name)
	}

	c := iac.Clients{SSOAdmin: sso, IdentityStore: ids, Organizations: org}
	path := filepath.Join(t.TempDir(), "ic.yaml")
	must(os.WriteFile(path, []byte(motoFile), 0o644), "write the file")
	plan := func() *iac.Plan {
		t.Helper()
		f, err := iac.Parse(path, []byte(motoFile))
		must(err, "parse")
		s, err := iac.Merge([]*iac.File{f})
		must(err, "merge")
		_, err = s.Validate()
		must(err, "validate")
		dir := inventory.NewDirectory(c.Inventory(), inventory.DirectoryOptions{})
		r, err := iac.Resolve(ctx, s, dir)
		must(err, "resolve")
		p, _, err := iac.Make(ctx, c, dir, r, false, nil)
		must(err, "plan")
		return p
	}

	p := plan()
	if got := p.Counts; got.PermissionSetsCreate != 1 || got.GroupsCreate != 1 || got.AssignmentsCreate != 4 {
		t.Fatalf("first plan: %+v; want 1 permission set, 1 group and 4 assignments to create", got)
	}
	rep, err := execute.Run(ctx, execute.Clients{SSOAdmin: sso, PermissionSets: sso, IdentityStore: ids}, p.Executor(),
		execute.Options{MinPollInterval: 10 * time.Millisecond, MaxPollInterval: 50 * time.Millisecond})
	must(err, "apply")
	for _, r := range rep.Failures() {
		t.Errorf("apply: %s: %s %s", r.Change, r.Status, r.Reason())
	}

	// What moto holds is what the file declares.
	var arn string
	out, err := sso.ListPermissionSets(ctx, &ssoadmin.ListPermissionSetsInput{InstanceArn: insts.Instances[0].InstanceArn})
	must(err, "ListPermissionSets")
	for _, a := range out.PermissionSets {
		d, err := sso.DescribePermissionSet(ctx, &ssoadmin.DescribePermissionSetInput{InstanceArn: insts.Instances[0].InstanceArn, PermissionSetArn: aws.String(a)})
		must(err, "DescribePermissionSet")
		if aws.ToString(d.PermissionSet.Name) == "OnCall" {
			arn = a
		}
	}
	if arn == "" {
		t.Fatal("moto has no permission set OnCall after apply")
	}
	live, err := permsets.Read(ctx, sso, aws.ToString(insts.Instances[0].InstanceArn), arn)
	must(err, "read OnCall")
	want := permsets.Desired{Name: "OnCall", Description: "Production on-call", SessionDuration: "PT4H", RelayState: "https://console.aws.amazon.com/ecs/home",
		ManagedPolicies: []string{"arn:aws:iam::aws:policy/ReadOnlyAccess"},
		InlinePolicy:    `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecs:UpdateService","Resource":"*"}]}`}
	if d := permsets.Diff(want, live); len(d) > 0 {
		t.Errorf("OnCall on moto differs from the file: %+v", d)
	}

	// The assignments, each read where it is.
	for _, acct := range []string{"payments-prod", "payments-dev"} {
		id := accountID(ctx, t, org, acct)
		got, err := sso.ListAccountAssignments(ctx, &ssoadmin.ListAccountAssignmentsInput{InstanceArn: insts.Instances[0].InstanceArn, AccountId: &id, PermissionSetArn: &arn})
		must(err, "ListAccountAssignments")
		var types []string
		for _, a := range got.AccountAssignments {
			types = append(types, string(a.PrincipalType))
		}
		slices.Sort(types)
		if !slices.Equal(types, []string{"GROUP", "USER"}) {
			t.Errorf("OnCall in %s is assigned to %v; want the group oncall and carol", acct, types)
		}
	}
	grp, err := ids.GetGroupId(ctx, &identitystore.GetGroupIdInput{IdentityStoreId: &store, AlternateIdentifier: &idtypes.AlternateIdentifierMemberUniqueAttribute{
		Value: idtypes.UniqueAttribute{AttributePath: aws.String("displayName"), AttributeValue: document.NewLazyDocument("oncall")}}})
	must(err, "GetGroupId oncall")
	ms, err := ids.ListGroupMemberships(ctx, &identitystore.ListGroupMembershipsInput{IdentityStoreId: &store, GroupId: grp.GroupId})
	must(err, "ListGroupMemberships")
	if len(ms.GroupMemberships) != 2 {
		t.Errorf("the group oncall has %d members; want alice and bob", len(ms.GroupMemberships))
	}

	// A second plan: no permission set, group or member to change; the
	// assignments again, as moto does not provision (see above).
	var what []string
	for _, it := range plan().Items {
		what = append(what, string(it.Op)+" "+it.Kind+" "+it.Name)
	}
	slices.Sort(what)
	if len(what) != 4 || slices.ContainsFunc(what, func(s string) bool { return !strings.HasPrefix(s, "create assignment ") }) {
		t.Errorf("second plan against moto: %v; want only the 4 assignments moto's provisioning hides", what)
	}
}

// accountID is the id of the account named name.
func accountID(ctx context.Context, t *testing.T, org *organizations.Client, name string) string {
	t.Helper()
	out, err := org.ListAccounts(ctx, &organizations.ListAccountsInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range out.Accounts {
		if aws.ToString(a.Name) == name {
			return aws.ToString(a.Id)
		}
	}
	t.Fatalf("no account %s", name)
	return ""
}
