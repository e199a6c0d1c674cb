package emulator_test

// Differential tests: one scenario, conformance, runs through real
// aws-sdk-go-v2 clients against the sandbox and against moto_server (python
// moto 5.2.1), an independent emulator. A check that moto is known to fail
// (listed below) is still made against moto, but there
// its failure is only logged as "moto diverges: …", so `go test -v` lists
// every difference seen.
//
// Divergences found (moto 5.2.1 against the sandbox; "right" means agreeing
// with AWS's service models and API documentation):
//
// sso-admin
//   - Permission set ARN: moto answers arn:aws:sso:::instance/ssoins-…/ps-…;
//     the model pattern and docs have …:permissionSet/ssoins-…/ps-….
//     Sandbox right.
//   - Duplicate permission set name: moto creates a second set; AWS answers
//     ConflictException. Sandbox right.
//   - No input validation in moto: SessionDuration PT13H (AWS: 1–12 hours)
//     and the name "bad name!" (pattern [\w+=,.@-]+) are accepted;
//     MaxResults 101 (cap 100) is accepted. AWS answers ValidationException.
//     Sandbox right.
//   - Default SessionDuration: moto sends the integer 3600, which the Go SDK
//     cannot decode (the model says an ISO-8601 string); the sandbox sends
//     "PT1H". Sandbox right. The scenario always passes "PT4H".
//   - Account assignments: moto answers SUCCEEDED at once and checks neither
//     principal nor account, so assigning a group that does not exist
//     SUCCEEDS; the sandbox reports FAILED with a FailureReason, as AWS
//     does. Sandbox right. (The sandbox can also hold IN_PROGRESS for
//     --pending-polls; moto cannot.)
//   - Provisioning: AWS provisions the permission set to the account as
//     part of a successful CreateAccountAssignment; moto provisions only on
//     ProvisionPermissionSet, and then to the caller's account (123456789012)
//     whatever TargetId says, so ListPermissionSetsProvisionedToAccount is
//     empty after an assignment and ListAccountsForProvisionedPermissionSet
//     names the wrong account. Sandbox right.
//   - DeletePermissionSet while an account assignment uses it: moto deletes
//     it; AWS answers ConflictException. Sandbox right.
//   - Content-Type of successful answers: moto sends text/html; AWS (and the
//     sandbox) application/x-amz-json-1.1. Clients do not care.
//   - Error messages: moto's sso-admin errors carry "message" (lower case),
//     some of them empty; the sandbox sends "Message" with text. Clients
//     read either.
//   - Missing in moto, so checked on the sandbox only: tagging, permissions
//     boundaries, ListAccountAssignmentCreationStatus and the other
//     List…Status operations, DescribePermissionSetProvisioningStatus.
//
// identitystore
//   - IdentityStoreId: moto's d-<10 [a-z0-9]> usually breaks the model
//     pattern d-[0-9a-f]{10}. Sandbox right.
//   - User, group and membership ids: moto issues bare UUIDs, Identity
//     Center <10 hex>-<uuid>. Both match the model pattern; the sandbox has
//     the real form.
//   - A NextToken the service never issued: moto answers "InvalidToken", a
//     code not in the model; AWS answers ValidationException. Sandbox right.
//   - An id that breaks the model pattern ("not-an-id"): moto answers
//     ResourceNotFoundException; AWS validates first (ValidationException).
//     Sandbox right.
//   - DeleteUser of an unknown id: moto answers 200; AWS
//     ResourceNotFoundException. Sandbox right.
//   - A second CreateGroupMembership of the same user and group: moto
//     creates a duplicate membership; AWS answers ConflictException. Sandbox
//     right.
//   - MaxResults 101 (cap 100): moto accepts it. Sandbox right.
//   - Agreement: ConflictException with Reason UNIQUENESS_CONSTRAINT_VIOLATION
//     for a taken UserName or group DisplayName; ResourceNotFoundException
//     with ResourceType USER for unknown users (the sandbox adds ResourceId,
//     a member of the model's shape that moto leaves out).
//   - Missing in moto, so checked on the sandbox only: IsMemberInGroups,
//     DescribeGroupMembership, GetGroupMembershipId, UpdateUser, UpdateGroup.
//
// iam
//   - ListUsers ignores MaxItems in moto (all users on one page, no
//     Marker); AWS and the sandbox page. Sandbox right.
//   - moto starts with no IAM users; the sandbox's are read-only demo
//     users, so moto's are made with CreateUser first.
//
// organizations
//   - moto needs CreateOrganization and CreateAccount first; the sandbox
//     starts with its demo organization and implements neither, so those
//     calls go to moto only.
//   - ListAccounts MaxResults 21 (cap 20): moto accepts it; AWS answers
//     InvalidInputException. Sandbox right.
//   - The root's PolicyTypes: moto lists none although its organization
//     reports SERVICE_CONTROL_POLICY enabled; the sandbox lists it ENABLED.
//     Not checked; the sandbox is consistent.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ssoctl/ssoctl/internal/peertest"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/identitystore/document"
	idtypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/ssoctl/ssoctl/internal/emulator"
)

// Patterns from the AWS service models.
var (
	peerInstanceArn = regexp.MustCompile(`^arn:aws:sso:::instance/(sso)?ins-[a-zA-Z0-9-.]{16}$`)
	peerPermSetArn  = regexp.MustCompile(`^arn:aws:sso:::permissionSet/(sso)?ins-[a-zA-Z0-9-.]{16}/ps-[a-zA-Z0-9-./]{16}$`)
	peerStoreID     = regexp.MustCompile(`^(d-[0-9a-f]{10}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$`)
	peerPrincipalID = regexp.MustCompile(`^([0-9a-f]{10}-|)[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{12}$`)
	peerIDCPrefixed = regexp.MustCompile(`^[0-9a-f]{10}-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	peerRequestID   = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	peerAccountID   = regexp.MustCompile(`^\d{12}$`)
)

func TestMotoConformance(t *testing.T) {
	t.Parallel()
	start := time.Now()
	t.Cleanup(func() { t.Logf("wall time %v", time.Since(start).Round(time.Millisecond)) })

	// Every call is bounded: neither peer may hang the test.
	bounded := func(cfg aws.Config) aws.Config {
		cfg.HTTPClient = &http.Client{Timeout: 30 * time.Second}
		return cfg
	}
	_, sbCfg, _ := sandbox(t, emulator.Options{})
	t.Run("sandbox", func(t *testing.T) { conformance(t, bounded(sbCfg), "sandbox") })
	t.Run("moto", func(t *testing.T) {
		conformance(t, bounded(sdkConfig(peertest.Moto(t), 3)), "moto")
	})
}

// peerRun carries one target through the scenario.
type peerRun struct {
	t      *testing.T
	target string
}

func (r peerRun) moto() bool { return r.target == "moto" }

// want fails the test when ok is false, on every target.
func (r peerRun) want(ok bool, format string, args ...any) {
	r.t.Helper()
	if !ok {
		r.t.Errorf(format, args...)
	}
}

// wantAWS checks AWS behaviour that moto is known not to have: a failure is
// an error on the sandbox and a logged divergence on moto.
func (r peerRun) wantAWS(ok bool, format string, args ...any) {
	r.t.Helper()
	switch {
	case ok:
	case r.moto():
		r.t.Logf("moto diverges: "+format, args...)
	default:
		r.t.Errorf(format, args...)
	}
}

// must stops the scenario on an error it cannot go on without.
func (r peerRun) must(err error, what string) {
	r.t.Helper()
	if err != nil {
		r.t.Fatalf("%s: %v", what, err)
	}
}

// wantCode checks that err is a service error with the given code.
func (r peerRun) wantCode(err error, code, what string) {
	r.t.Helper()
	r.want(peerCode(err) == code, "%s: got error %v; want %s", what, err, code)
}

// wantCodeAWS is wantCode for a check moto is known to fail.
func (r peerRun) wantCodeAWS(err error, code, what string) {
	r.t.Helper()
	r.wantAWS(peerCode(err) == code, "%s: got error %v; want %s", what, err, code)
}

// peerCode is the service error code of err, or "" when it is none.
func peerCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// peerPager is the shape of every SDK paginator.
type peerPager[O, P any] interface {
	HasMorePages() bool
	NextPage(context.Context, ...func(*P)) (*O, error)
}

// peerPages runs a paginator to the end and returns every item and each
// page's size.
func peerPages[T, O, P any](p peerPager[O, P], items func(*O) []T) ([]T, []int, error) {
	var all []T
	var sizes []int
	for p.HasMorePages() {
		if len(sizes) == 1000 {
			return all, sizes, errors.New("more than 1000 pages")
		}
		out, err := p.NextPage(ctx)
		if err != nil {
			return all, sizes, err
		}
		page := items(out)
		sizes = append(sizes, len(page))
		all = append(all, page...)
	}
	return all, sizes, nil
}

// atMost reports whether every page held at most n items.
func atMost(sizes []int, n int) bool {
	return !slices.ContainsFunc(sizes, func(s int) bool { return s > n })
}

// sameSet reports whether a and b hold the same strings, ignoring order.
func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// conformance is the one scenario both targets run: sts; organizations
// paging; legacy IAM users; identity store users, groups and memberships; a
// permission set with a managed policy; a group assignment, every list that
// should show it, and its deletion; the error codes for duplicates, unknown
// ids and out-of-range input.
func conformance(t *testing.T, cfg aws.Config, target string) {
	r := peerRun{t: t, target: target}
	sso := ssoadmin.NewFromConfig(cfg)
	ids := identitystore.NewFromConfig(cfg)
	org := organizations.NewFromConfig(cfg)

	// --- sts ---
	who, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	r.must(err, "GetCallerIdentity")
	r.want(peerAccountID.MatchString(aws.ToString(who.Account)) && aws.ToString(who.Arn) != "",
		"GetCallerIdentity: got account %q arn %q; want a 12-digit account and an ARN", aws.ToString(who.Account), aws.ToString(who.Arn))

	// --- the instance ---
	insts, _, err := peerPages(ssoadmin.NewListInstancesPaginator(sso, &ssoadmin.ListInstancesInput{MaxResults: aws.Int32(1)}),
		func(o *ssoadmin.ListInstancesOutput) []ssotypes.InstanceMetadata { return o.Instances })
	r.must(err, "ListInstances")
	if len(insts) == 0 {
		t.Fatal("ListInstances: got no instance; want one")
	}
	instArn, store := aws.ToString(insts[0].InstanceArn), aws.ToString(insts[0].IdentityStoreId)
	r.want(peerInstanceArn.MatchString(instArn), "InstanceArn %q does not match the model pattern", instArn)
	r.wantAWS(peerStoreID.MatchString(store), "IdentityStoreId %q does not match the model pattern %s", store, peerStoreID)

	// --- organizations ---
	if r.moto() {
		// moto starts with no organization; the sandbox starts with its demo
		// organization and has neither CreateOrganization nor CreateAccount.
		_, err := org.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll})
		r.must(err, "CreateOrganization")
		for i := range 3 {
			_, err := org.CreateAccount(ctx, &organizations.CreateAccountInput{
				AccountName: aws.String(fmt.Sprintf("peer-%d", i)),
				Email:       aws.String(fmt.Sprintf("peer-%d@example.com", i)),
			})
			r.must(err, "CreateAccount")
		}
	}
	od, err := org.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	r.must(err, "DescribeOrganization")
	mgmt := aws.ToString(od.Organization.MasterAccountId)
	accts, sizes, err := peerPages(organizations.NewListAccountsPaginator(org, &organizations.ListAccountsInput{MaxResults: aws.Int32(1)}),
		func(o *organizations.ListAccountsOutput) []orgtypes.Account { return o.Accounts })
	r.must(err, "ListAccounts MaxResults=1")
	all, _, err := peerPages(organizations.NewListAccountsPaginator(org, &organizations.ListAccountsInput{}),
		func(o *organizations.ListAccountsOutput) []orgtypes.Account { return o.Accounts })
	r.must(err, "ListAccounts")
	acctIDs := func(as []orgtypes.Account) []string {
		var out []string
		for _, a := range as {
			out = append(out, aws.ToString(a.Id))
		}
		return out
	}
	r.want(len(accts) > 1 && atMost(sizes, 1), "ListAccounts MaxResults=1: got %d accounts in pages %v; want several, one a page", len(accts), sizes)
	r.want(sameSet(acctIDs(accts), acctIDs(all)), "ListAccounts: pages of 1 gave %v; one listing gave %v", acctIDs(accts), acctIDs(all))
	r.want(slices.Contains(acctIDs(all), mgmt), "ListAccounts: management account %s missing", mgmt)
	account := ""
	for _, a := range all {
		if id := aws.ToString(a.Id); id != mgmt && a.State == orgtypes.AccountStateActive && account == "" {
			account = id
		}
	}
	if account == "" {
		t.Fatal("ListAccounts: no active member account to assign")
	}
	_, err = org.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: aws.String("000000000000")})
	r.wantCode(err, "AccountNotFoundException", "DescribeAccount 000000000000")
	_, err = org.ListAccounts(ctx, &organizations.ListAccountsInput{MaxResults: aws.Int32(21)})
	r.wantCodeAWS(err, "InvalidInputException", "ListAccounts MaxResults=21 (the cap is 20)")

	// --- iam: legacy users (read-only in the sandbox) ---
	iamc := iam.NewFromConfig(cfg)
	if r.moto() {
		// moto starts with no IAM users; the sandbox's demo management
		// account has a few legacy ones and no CreateUser.
		for _, name := range []string{"peer-legacy-1", "peer-legacy-2", "peer-legacy-3"} {
			_, err := iamc.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)})
			r.must(err, "iam CreateUser")
		}
		_, err := iamc.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("peer-legacy-1")})
		r.must(err, "iam CreateAccessKey")
	}
	iamUsers, sizes, err := peerPages(iam.NewListUsersPaginator(iamc, &iam.ListUsersInput{MaxItems: aws.Int32(1)}),
		func(o *iam.ListUsersOutput) []iamtypes.User { return o.Users })
	r.must(err, "iam ListUsers MaxItems=1")
	iamAll, err := iamc.ListUsers(ctx, &iam.ListUsersInput{})
	r.must(err, "iam ListUsers")
	iamNames := func(us []iamtypes.User) []string {
		var out []string
		for _, u := range us {
			out = append(out, aws.ToString(u.UserName))
		}
		return out
	}
	r.want(len(iamUsers) >= 2 && sameSet(iamNames(iamUsers), iamNames(iamAll.Users)),
		"iam ListUsers MaxItems=1: got %v; one listing gave %v", iamNames(iamUsers), iamNames(iamAll.Users))
	r.wantAWS(atMost(sizes, 1), "iam ListUsers MaxItems=1: got pages of %v users; want at most 1 a page", sizes)
	if len(iamUsers) > 0 {
		first := iamUsers[0]
		gu, err := iamc.GetUser(ctx, &iam.GetUserInput{UserName: first.UserName})
		r.must(err, "iam GetUser")
		r.want(aws.ToString(gu.User.Arn) == aws.ToString(first.Arn) && aws.ToString(gu.User.UserId) == aws.ToString(first.UserId),
			"iam GetUser %s: got %s %s; want %s %s", aws.ToString(first.UserName), aws.ToString(gu.User.Arn), aws.ToString(gu.User.UserId),
			aws.ToString(first.Arn), aws.ToString(first.UserId))
		keys, err := iamc.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: first.UserName})
		r.must(err, "iam ListAccessKeys")
		for _, k := range keys.AccessKeyMetadata {
			r.want(aws.ToString(k.UserName) == aws.ToString(first.UserName) && len(aws.ToString(k.AccessKeyId)) >= 16,
				"iam ListAccessKeys %s: got key %+v", aws.ToString(first.UserName), k)
		}
		_, err = iamc.ListAttachedUserPolicies(ctx, &iam.ListAttachedUserPoliciesInput{UserName: first.UserName})
		r.must(err, "iam ListAttachedUserPolicies")
	}
	_, err = iamc.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("peer-nobody")})
	r.wantCode(err, "NoSuchEntity", "iam GetUser of an unknown user")

	// --- identity store: users ---
	newUser := func(name, given, family string) string {
		t.Helper()
		out, err := ids.CreateUser(ctx, &identitystore.CreateUserInput{
			IdentityStoreId: aws.String(store),
			UserName:        aws.String(name),
			DisplayName:     aws.String(given + " " + family),
			Name:            &idtypes.Name{GivenName: aws.String(given), FamilyName: aws.String(family)},
			Emails:          []idtypes.Email{{Value: aws.String(name + "@example.com"), Type: aws.String("work"), Primary: true}},
		})
		r.must(err, "CreateUser "+name)
		id := aws.ToString(out.UserId)
		r.want(peerPrincipalID.MatchString(id), "CreateUser %s: UserId %q does not match the model pattern", name, id)
		r.wantAWS(peerIDCPrefixed.MatchString(id), "CreateUser %s: UserId %q is not <10 hex>-<uuid> as Identity Center issues", name, id)
		return id
	}
	ada := newUser("peer.ada", "Ada", "Lovelace")
	bob := newUser("peer.bob", "Bob", "Babbage")

	_, err = ids.CreateUser(ctx, &identitystore.CreateUserInput{
		IdentityStoreId: aws.String(store), UserName: aws.String("peer.ada"), DisplayName: aws.String("Ada Again"),
		Name: &idtypes.Name{GivenName: aws.String("Ada"), FamilyName: aws.String("Again")},
	})
	r.wantCode(err, "ConflictException", "CreateUser with a taken UserName")
	var ce *idtypes.ConflictException
	if errors.As(err, &ce) {
		r.want(ce.Reason == idtypes.ConflictExceptionReasonUniquenessConstraintViolation,
			"duplicate user: got Reason %q; want UNIQUENESS_CONSTRAINT_VIOLATION", ce.Reason)
	}

	got, err := ids.GetUserId(ctx, &identitystore.GetUserIdInput{
		IdentityStoreId: aws.String(store),
		AlternateIdentifier: &idtypes.AlternateIdentifierMemberUniqueAttribute{Value: idtypes.UniqueAttribute{
			AttributePath: aws.String("UserName"), AttributeValue: peerDoc("peer.ada"),
		}},
	})
	r.must(err, "GetUserId UserName")
	r.want(aws.ToString(got.UserId) == ada, "GetUserId peer.ada: got %q; want %q", aws.ToString(got.UserId), ada)

	du, err := ids.DescribeUser(ctx, &identitystore.DescribeUserInput{IdentityStoreId: aws.String(store), UserId: aws.String(ada)})
	r.must(err, "DescribeUser")
	r.want(aws.ToString(du.UserName) == "peer.ada" && aws.ToString(du.DisplayName) == "Ada Lovelace" &&
		du.Name != nil && aws.ToString(du.Name.GivenName) == "Ada" && aws.ToString(du.Name.FamilyName) == "Lovelace" &&
		len(du.Emails) == 1 && aws.ToString(du.Emails[0].Value) == "peer.ada@example.com" && du.Emails[0].Primary,
		"DescribeUser: got %+v; want the user as created", du)

	const unknownUser = "0123456789-00000000-0000-4000-8000-000000000000"
	_, err = ids.DescribeUser(ctx, &identitystore.DescribeUserInput{IdentityStoreId: aws.String(store), UserId: aws.String(unknownUser)})
	r.wantCode(err, "ResourceNotFoundException", "DescribeUser of an unknown id")
	var rnf *idtypes.ResourceNotFoundException
	if errors.As(err, &rnf) {
		r.wantAWS(rnf.ResourceType == idtypes.ResourceTypeUser, "DescribeUser unknown: got ResourceType %q; want USER", rnf.ResourceType)
	}

	// --- identity store: groups and memberships ---
	newGroup := func(name string) string {
		t.Helper()
		out, err := ids.CreateGroup(ctx, &identitystore.CreateGroupInput{IdentityStoreId: aws.String(store), DisplayName: aws.String(name)})
		r.must(err, "CreateGroup "+name)
		id := aws.ToString(out.GroupId)
		r.want(peerPrincipalID.MatchString(id), "CreateGroup %s: GroupId %q does not match the model pattern", name, id)
		return id
	}
	admins := newGroup("peer-admins")
	devs := newGroup("peer-devs")
	_, err = ids.CreateGroup(ctx, &identitystore.CreateGroupInput{IdentityStoreId: aws.String(store), DisplayName: aws.String("peer-admins")})
	r.wantCode(err, "ConflictException", "CreateGroup with a taken DisplayName")

	member := func(group, user string) string {
		t.Helper()
		out, err := ids.CreateGroupMembership(ctx, &identitystore.CreateGroupMembershipInput{
			IdentityStoreId: aws.String(store), GroupId: aws.String(group), MemberId: &idtypes.MemberIdMemberUserId{Value: user},
		})
		r.must(err, "CreateGroupMembership")
		return aws.ToString(out.MembershipId)
	}
	adaAdmin := member(admins, ada)
	member(admins, bob)
	member(devs, ada)

	users1, sizes, err := peerPages(identitystore.NewListUsersPaginator(ids, &identitystore.ListUsersInput{IdentityStoreId: aws.String(store), MaxResults: aws.Int32(1)}),
		func(o *identitystore.ListUsersOutput) []idtypes.User { return o.Users })
	r.must(err, "ListUsers MaxResults=1")
	usersAll, _, err := peerPages(identitystore.NewListUsersPaginator(ids, &identitystore.ListUsersInput{IdentityStoreId: aws.String(store)}),
		func(o *identitystore.ListUsersOutput) []idtypes.User { return o.Users })
	r.must(err, "ListUsers")
	userIDs := func(us []idtypes.User) []string {
		var out []string
		for _, u := range us {
			out = append(out, aws.ToString(u.UserId))
		}
		return out
	}
	r.want(atMost(sizes, 1), "ListUsers MaxResults=1: page sizes %v", sizes)
	r.want(sameSet(userIDs(users1), userIDs(usersAll)), "ListUsers: pages of 1 gave %d users; one listing gave %d", len(users1), len(usersAll))
	r.want(slices.Contains(userIDs(users1), ada) && slices.Contains(userIDs(users1), bob), "ListUsers MaxResults=1: created users missing")

	groups1, sizes, err := peerPages(identitystore.NewListGroupsPaginator(ids, &identitystore.ListGroupsInput{IdentityStoreId: aws.String(store), MaxResults: aws.Int32(1)}),
		func(o *identitystore.ListGroupsOutput) []idtypes.Group { return o.Groups })
	r.must(err, "ListGroups MaxResults=1")
	groupsAll, _, err := peerPages(identitystore.NewListGroupsPaginator(ids, &identitystore.ListGroupsInput{IdentityStoreId: aws.String(store)}),
		func(o *identitystore.ListGroupsOutput) []idtypes.Group { return o.Groups })
	r.must(err, "ListGroups")
	groupIDs := func(gs []idtypes.Group) []string {
		var out []string
		for _, g := range gs {
			out = append(out, aws.ToString(g.GroupId))
		}
		return out
	}
	r.want(atMost(sizes, 1), "ListGroups MaxResults=1: page sizes %v", sizes)
	r.want(sameSet(groupIDs(groups1), groupIDs(groupsAll)), "ListGroups: pages of 1 gave %d groups; one listing gave %d", len(groups1), len(groupsAll))
	r.want(slices.Contains(groupIDs(groups1), admins) && slices.Contains(groupIDs(groups1), devs), "ListGroups MaxResults=1: created groups missing")

	mems, sizes, err := peerPages(identitystore.NewListGroupMembershipsPaginator(ids, &identitystore.ListGroupMembershipsInput{
		IdentityStoreId: aws.String(store), GroupId: aws.String(admins), MaxResults: aws.Int32(1)}),
		func(o *identitystore.ListGroupMembershipsOutput) []idtypes.GroupMembership { return o.GroupMemberships })
	r.must(err, "ListGroupMemberships MaxResults=1")
	var memberIDs []string
	for _, m := range mems {
		if u, ok := m.MemberId.(*idtypes.MemberIdMemberUserId); ok {
			memberIDs = append(memberIDs, u.Value)
		}
		r.want(aws.ToString(m.GroupId) == admins, "ListGroupMemberships: membership of group %q; want %q", aws.ToString(m.GroupId), admins)
	}
	r.want(atMost(sizes, 1), "ListGroupMemberships MaxResults=1: page sizes %v", sizes)
	r.want(sameSet(memberIDs, []string{ada, bob}), "ListGroupMemberships peer-admins: got members %v; want %v", memberIDs, []string{ada, bob})

	_, err = ids.ListUsers(ctx, &identitystore.ListUsersInput{IdentityStoreId: aws.String(store), MaxResults: aws.Int32(101)})
	r.wantCodeAWS(err, "ValidationException", "ListUsers MaxResults=101 (the cap is 100)")
	_, err = ids.ListUsers(ctx, &identitystore.ListUsersInput{IdentityStoreId: aws.String(store), NextToken: aws.String("garbage")})
	r.wantCodeAWS(err, "ValidationException", "ListUsers with a NextToken it never issued")
	_, err = ids.DescribeUser(ctx, &identitystore.DescribeUserInput{IdentityStoreId: aws.String(store), UserId: aws.String("not-an-id")})
	r.wantCodeAWS(err, "ValidationException", "DescribeUser of an id that breaks the model pattern")
	_, err = ids.DeleteUser(ctx, &identitystore.DeleteUserInput{IdentityStoreId: aws.String(store), UserId: aws.String(unknownUser)})
	r.wantCodeAWS(err, "ResourceNotFoundException", "DeleteUser of an unknown id")
	_, err = ids.CreateGroupMembership(ctx, &identitystore.CreateGroupMembershipInput{
		IdentityStoreId: aws.String(store), GroupId: aws.String(admins), MemberId: &idtypes.MemberIdMemberUserId{Value: unknownUser},
	})
	r.wantCode(err, "ResourceNotFoundException", "CreateGroupMembership of an unknown user")
	_, err = ids.CreateGroupMembership(ctx, &identitystore.CreateGroupMembershipInput{
		IdentityStoreId: aws.String(store), GroupId: aws.String(devs), MemberId: &idtypes.MemberIdMemberUserId{Value: ada},
	})
	r.wantCodeAWS(err, "ConflictException", "CreateGroupMembership of a user already in the group")

	if !r.moto() {
		// moto 5.2.1 lacks IsMemberInGroups, GetGroupMembershipId and
		// DescribeGroupMembership.
		in, err := ids.IsMemberInGroups(ctx, &identitystore.IsMemberInGroupsInput{
			IdentityStoreId: aws.String(store), MemberId: &idtypes.MemberIdMemberUserId{Value: bob}, GroupIds: []string{admins, devs},
		})
		r.must(err, "IsMemberInGroups")
		res := map[string]bool{}
		for _, x := range in.Results {
			res[aws.ToString(x.GroupId)] = x.MembershipExists
		}
		r.want(res[admins] && !res[devs] && len(res) == 2, "IsMemberInGroups bob: got %v; want admins only", res)
		gm, err := ids.GetGroupMembershipId(ctx, &identitystore.GetGroupMembershipIdInput{
			IdentityStoreId: aws.String(store), GroupId: aws.String(admins), MemberId: &idtypes.MemberIdMemberUserId{Value: ada},
		})
		r.must(err, "GetGroupMembershipId")
		r.want(aws.ToString(gm.MembershipId) == adaAdmin, "GetGroupMembershipId: got %q; want %q", aws.ToString(gm.MembershipId), adaAdmin)
		dm, err := ids.DescribeGroupMembership(ctx, &identitystore.DescribeGroupMembershipInput{IdentityStoreId: aws.String(store), MembershipId: aws.String(adaAdmin)})
		r.must(err, "DescribeGroupMembership")
		r.want(aws.ToString(dm.GroupId) == admins, "DescribeGroupMembership: got group %q; want %q", aws.ToString(dm.GroupId), admins)
	}

	// --- permission sets ---
	// An explicit SessionDuration: moto's default is the integer 3600, which
	// the Go SDK cannot decode.
	cps, err := sso.CreatePermissionSet(ctx, &ssoadmin.CreatePermissionSetInput{
		InstanceArn: aws.String(instArn), Name: aws.String("PeerAdmins"),
		Description: aws.String("peer conformance"), SessionDuration: aws.String("PT4H"),
	})
	r.must(err, "CreatePermissionSet")
	ps := aws.ToString(cps.PermissionSet.PermissionSetArn)
	r.want(aws.ToString(cps.PermissionSet.Name) == "PeerAdmins" && aws.ToString(cps.PermissionSet.SessionDuration) == "PT4H",
		"CreatePermissionSet: got name %q duration %q; want PeerAdmins PT4H", aws.ToString(cps.PermissionSet.Name), aws.ToString(cps.PermissionSet.SessionDuration))
	r.wantAWS(peerPermSetArn.MatchString(ps), "PermissionSetArn %q does not match the model pattern …:permissionSet/ssoins-…/ps-…", ps)

	dps, err := sso.DescribePermissionSet(ctx, &ssoadmin.DescribePermissionSetInput{InstanceArn: aws.String(instArn), PermissionSetArn: aws.String(ps)})
	r.must(err, "DescribePermissionSet")
	r.want(aws.ToString(dps.PermissionSet.Name) == "PeerAdmins" && aws.ToString(dps.PermissionSet.SessionDuration) == "PT4H" &&
		aws.ToString(dps.PermissionSet.Description) == "peer conformance",
		"DescribePermissionSet: got %+v", dps.PermissionSet)

	_, err = sso.CreatePermissionSet(ctx, &ssoadmin.CreatePermissionSetInput{
		InstanceArn: aws.String(instArn), Name: aws.String("PeerAdmins"), SessionDuration: aws.String("PT1H"),
	})
	r.wantCodeAWS(err, "ConflictException", "CreatePermissionSet with a taken name")
	_, err = sso.CreatePermissionSet(ctx, &ssoadmin.CreatePermissionSetInput{
		InstanceArn: aws.String(instArn), Name: aws.String("PeerLong"), SessionDuration: aws.String("PT13H"),
	})
	r.wantCodeAWS(err, "ValidationException", "CreatePermissionSet with SessionDuration PT13H (the cap is PT12H)")
	_, err = sso.CreatePermissionSet(ctx, &ssoadmin.CreatePermissionSetInput{
		InstanceArn: aws.String(instArn), Name: aws.String("bad name!"), SessionDuration: aws.String("PT1H"),
	})
	r.wantCodeAWS(err, "ValidationException", "CreatePermissionSet named \"bad name!\" (pattern [\\w+=,.@-]+)")

	const policy = "arn:aws:iam::aws:policy/ReadOnlyAccess"
	_, err = sso.AttachManagedPolicyToPermissionSet(ctx, &ssoadmin.AttachManagedPolicyToPermissionSetInput{
		InstanceArn: aws.String(instArn), PermissionSetArn: aws.String(ps), ManagedPolicyArn: aws.String(policy),
	})
	r.must(err, "AttachManagedPolicyToPermissionSet")
	pols, _, err := peerPages(ssoadmin.NewListManagedPoliciesInPermissionSetPaginator(sso, &ssoadmin.ListManagedPoliciesInPermissionSetInput{
		InstanceArn: aws.String(instArn), PermissionSetArn: aws.String(ps), MaxResults: aws.Int32(1)}),
		func(o *ssoadmin.ListManagedPoliciesInPermissionSetOutput) []ssotypes.AttachedManagedPolicy {
			return o.AttachedManagedPolicies
		})
	r.must(err, "ListManagedPoliciesInPermissionSet")
	r.want(len(pols) == 1 && aws.ToString(pols[0].Arn) == policy && aws.ToString(pols[0].Name) == "ReadOnlyAccess",
		"ListManagedPoliciesInPermissionSet: got %s; want ReadOnlyAccess", peerPolicies(pols))

	sets, sizes, err := peerPages(ssoadmin.NewListPermissionSetsPaginator(sso, &ssoadmin.ListPermissionSetsInput{InstanceArn: aws.String(instArn), MaxResults: aws.Int32(1)}),
		func(o *ssoadmin.ListPermissionSetsOutput) []string { return o.PermissionSets })
	r.must(err, "ListPermissionSets MaxResults=1")
	r.want(atMost(sizes, 1) && slices.Contains(sets, ps), "ListPermissionSets MaxResults=1: got %v in pages %v; want %s among them", sets, sizes, ps)

	_, err = sso.ListPermissionSets(ctx, &ssoadmin.ListPermissionSetsInput{InstanceArn: aws.String(instArn), MaxResults: aws.Int32(101)})
	r.wantCodeAWS(err, "ValidationException", "ListPermissionSets MaxResults=101 (the cap is 100)")

	unknownPS := strings.Replace(instArn, ":instance/", ":permissionSet/", 1) + "/ps-0000000000000000"
	_, err = sso.DescribePermissionSet(ctx, &ssoadmin.DescribePermissionSetInput{InstanceArn: aws.String(instArn), PermissionSetArn: aws.String(unknownPS)})
	r.wantCode(err, "ResourceNotFoundException", "DescribePermissionSet of an unknown ARN")

	// --- account assignment ---
	ca, err := sso.CreateAccountAssignment(ctx, &ssoadmin.CreateAccountAssignmentInput{
		InstanceArn: aws.String(instArn), TargetId: aws.String(account), TargetType: ssotypes.TargetTypeAwsAccount,
		PermissionSetArn: aws.String(ps), PrincipalType: ssotypes.PrincipalTypeGroup, PrincipalId: aws.String(admins),
	})
	r.must(err, "CreateAccountAssignment")
	st := ca.AccountAssignmentCreationStatus
	reqID := aws.ToString(st.RequestId)
	r.want(peerRequestID.MatchString(reqID), "CreateAccountAssignment: RequestId %q is not a lower-case UUID", reqID)
	r.want(aws.ToString(st.TargetId) == account && aws.ToString(st.PrincipalId) == admins && st.PrincipalType == ssotypes.PrincipalTypeGroup &&
		aws.ToString(st.PermissionSetArn) == ps, "CreateAccountAssignment: status %+v does not echo the request", st)
	final := peerAwaitCreation(r, sso, instArn, reqID)
	r.want(final.Status == ssotypes.StatusValuesSucceeded, "assignment: got status %s (%s); want SUCCEEDED", final.Status, aws.ToString(final.FailureReason))

	asgs, sizes, err := peerPages(ssoadmin.NewListAccountAssignmentsPaginator(sso, &ssoadmin.ListAccountAssignmentsInput{
		InstanceArn: aws.String(instArn), AccountId: aws.String(account), PermissionSetArn: aws.String(ps), MaxResults: aws.Int32(1)}),
		func(o *ssoadmin.ListAccountAssignmentsOutput) []ssotypes.AccountAssignment {
			return o.AccountAssignments
		})
	r.must(err, "ListAccountAssignments")
	r.want(atMost(sizes, 1) && len(asgs) == 1 && aws.ToString(asgs[0].PrincipalId) == admins && asgs[0].PrincipalType == ssotypes.PrincipalTypeGroup &&
		aws.ToString(asgs[0].AccountId) == account && aws.ToString(asgs[0].PermissionSetArn) == ps,
		"ListAccountAssignments: got %+v in pages %v; want the one group assignment", asgs, sizes)

	forP, _, err := peerPages(ssoadmin.NewListAccountAssignmentsForPrincipalPaginator(sso, &ssoadmin.ListAccountAssignmentsForPrincipalInput{
		InstanceArn: aws.String(instArn), PrincipalId: aws.String(admins), PrincipalType: ssotypes.PrincipalTypeGroup, MaxResults: aws.Int32(1)}),
		func(o *ssoadmin.ListAccountAssignmentsForPrincipalOutput) []ssotypes.AccountAssignmentForPrincipal {
			return o.AccountAssignments
		})
	r.must(err, "ListAccountAssignmentsForPrincipal")
	r.want(len(forP) == 1 && aws.ToString(forP[0].AccountId) == account && aws.ToString(forP[0].PermissionSetArn) == ps,
		"ListAccountAssignmentsForPrincipal: got %+v; want %s on %s", forP, ps, account)

	// AWS provisions the permission set to the account as part of a
	// successful CreateAccountAssignment; moto provisions only on
	// ProvisionPermissionSet.
	provisioned := func() []string {
		t.Helper()
		out, _, err := peerPages(ssoadmin.NewListPermissionSetsProvisionedToAccountPaginator(sso, &ssoadmin.ListPermissionSetsProvisionedToAccountInput{
			InstanceArn: aws.String(instArn), AccountId: aws.String(account), MaxResults: aws.Int32(1)}),
			func(o *ssoadmin.ListPermissionSetsProvisionedToAccountOutput) []string { return o.PermissionSets })
		r.must(err, "ListPermissionSetsProvisionedToAccount")
		return out
	}
	prov := provisioned()
	r.wantAWS(slices.Contains(prov, ps), "ListPermissionSetsProvisionedToAccount %s after the assignment: got %v; want %s among them", account, prov, ps)

	pp, err := sso.ProvisionPermissionSet(ctx, &ssoadmin.ProvisionPermissionSetInput{
		InstanceArn: aws.String(instArn), PermissionSetArn: aws.String(ps),
		TargetType: ssotypes.ProvisionTargetTypeAwsAccount, TargetId: aws.String(account),
	})
	r.must(err, "ProvisionPermissionSet")
	pst := pp.PermissionSetProvisioningStatus
	r.want(peerRequestID.MatchString(aws.ToString(pst.RequestId)) && aws.ToString(pst.PermissionSetArn) == ps,
		"ProvisionPermissionSet: got %+v", pst)
	r.wantAWS(aws.ToString(pst.AccountId) == account, "ProvisionPermissionSet: got AccountId %q; want the target %s", aws.ToString(pst.AccountId), account)
	prov = provisioned()
	r.want(slices.Contains(prov, ps), "ListPermissionSetsProvisionedToAccount %s after ProvisionPermissionSet: got %v; want %s among them", account, prov, ps)

	provAccts, _, err := peerPages(ssoadmin.NewListAccountsForProvisionedPermissionSetPaginator(sso, &ssoadmin.ListAccountsForProvisionedPermissionSetInput{
		InstanceArn: aws.String(instArn), PermissionSetArn: aws.String(ps), MaxResults: aws.Int32(1)}),
		func(o *ssoadmin.ListAccountsForProvisionedPermissionSetOutput) []string { return o.AccountIds })
	r.must(err, "ListAccountsForProvisionedPermissionSet")
	r.wantAWS(slices.Equal(provAccts, []string{account}), "ListAccountsForProvisionedPermissionSet: got %v; want [%s]", provAccts, account)

	// An assignment of a group that does not exist: AWS accepts the request
	// and reports FAILED; moto does not check principals and succeeds.
	bad, err := sso.CreateAccountAssignment(ctx, &ssoadmin.CreateAccountAssignmentInput{
		InstanceArn: aws.String(instArn), TargetId: aws.String(account), TargetType: ssotypes.TargetTypeAwsAccount,
		PermissionSetArn: aws.String(ps), PrincipalType: ssotypes.PrincipalTypeGroup, PrincipalId: aws.String(unknownUser),
	})
	r.must(err, "CreateAccountAssignment of an unknown group")
	badFinal := peerAwaitCreation(r, sso, instArn, aws.ToString(bad.AccountAssignmentCreationStatus.RequestId))
	r.wantAWS(badFinal.Status == ssotypes.StatusValuesFailed, "assignment of an unknown group: got status %s; want FAILED", badFinal.Status)

	if !r.moto() {
		// moto 5.2.1 has none of the List…Status operations.
		statuses, _, err := peerPages(ssoadmin.NewListAccountAssignmentCreationStatusPaginator(sso, &ssoadmin.ListAccountAssignmentCreationStatusInput{
			InstanceArn: aws.String(instArn), MaxResults: aws.Int32(1)}),
			func(o *ssoadmin.ListAccountAssignmentCreationStatusOutput) []ssotypes.AccountAssignmentOperationStatusMetadata {
				return o.AccountAssignmentsCreationStatus
			})
		r.must(err, "ListAccountAssignmentCreationStatus")
		found := slices.ContainsFunc(statuses, func(m ssotypes.AccountAssignmentOperationStatusMetadata) bool {
			return aws.ToString(m.RequestId) == reqID && m.Status == ssotypes.StatusValuesSucceeded
		})
		r.want(found, "ListAccountAssignmentCreationStatus: request %s not listed as SUCCEEDED", reqID)
	}

	// --- teardown: a permission set in use cannot go; the assignment can ---
	psRef := &ssoadmin.DeletePermissionSetInput{InstanceArn: aws.String(instArn), PermissionSetArn: aws.String(ps)}
	_, err = sso.DeletePermissionSet(ctx, psRef)
	r.wantCodeAWS(err, "ConflictException", "DeletePermissionSet while an account assignment uses it")
	psGone := err == nil
	da, err := sso.DeleteAccountAssignment(ctx, &ssoadmin.DeleteAccountAssignmentInput{
		InstanceArn: aws.String(instArn), TargetId: aws.String(account), TargetType: ssotypes.TargetTypeAwsAccount,
		PermissionSetArn: aws.String(ps), PrincipalType: ssotypes.PrincipalTypeGroup, PrincipalId: aws.String(admins),
	})
	r.must(err, "DeleteAccountAssignment")
	delID := aws.ToString(da.AccountAssignmentDeletionStatus.RequestId)
	var del *ssotypes.AccountAssignmentOperationStatus
	for polls := 0; del == nil || del.Status == ssotypes.StatusValuesInProgress; polls++ {
		if polls == 50 {
			t.Fatalf("assignment deletion %s still IN_PROGRESS after 50 polls", delID)
		}
		out, err := sso.DescribeAccountAssignmentDeletionStatus(ctx, &ssoadmin.DescribeAccountAssignmentDeletionStatusInput{
			InstanceArn: aws.String(instArn), AccountAssignmentDeletionRequestId: aws.String(delID),
		})
		r.must(err, "DescribeAccountAssignmentDeletionStatus")
		del = out.AccountAssignmentDeletionStatus
	}
	r.want(del.Status == ssotypes.StatusValuesSucceeded, "assignment deletion: got %s (%s); want SUCCEEDED", del.Status, aws.ToString(del.FailureReason))
	if !psGone {
		left, err := sso.ListAccountAssignments(ctx, &ssoadmin.ListAccountAssignmentsInput{
			InstanceArn: aws.String(instArn), AccountId: aws.String(account), PermissionSetArn: aws.String(ps),
		})
		r.must(err, "ListAccountAssignments after the deletion")
		r.want(len(left.AccountAssignments) == 0, "ListAccountAssignments after the deletion: got %+v; want none", left.AccountAssignments)
		_, err = sso.DeletePermissionSet(ctx, psRef)
		r.want(err == nil, "DeletePermissionSet once unassigned: %v", err)
	}
	_, err = sso.DescribePermissionSet(ctx, &ssoadmin.DescribePermissionSetInput{InstanceArn: aws.String(instArn), PermissionSetArn: aws.String(ps)})
	r.wantCode(err, "ResourceNotFoundException", "DescribePermissionSet after DeletePermissionSet")
}

// peerAwaitCreation polls an assignment creation until it is no longer
// IN_PROGRESS.
func peerAwaitCreation(r peerRun, sso *ssoadmin.Client, instArn, reqID string) *ssotypes.AccountAssignmentOperationStatus {
	r.t.Helper()
	for range 50 {
		out, err := sso.DescribeAccountAssignmentCreationStatus(ctx, &ssoadmin.DescribeAccountAssignmentCreationStatusInput{
			InstanceArn: aws.String(instArn), AccountAssignmentCreationRequestId: aws.String(reqID),
		})
		r.must(err, "DescribeAccountAssignmentCreationStatus")
		if s := out.AccountAssignmentCreationStatus; s.Status != ssotypes.StatusValuesInProgress {
			r.want(aws.ToString(s.RequestId) == reqID, "DescribeAccountAssignmentCreationStatus: got request %q; want %q", aws.ToString(s.RequestId), reqID)
			return s
		}
		time.Sleep(20 * time.Millisecond)
	}
	r.t.Fatalf("assignment request %s still IN_PROGRESS after 50 polls", reqID)
	return nil
}

func peerPolicies(ps []ssotypes.AttachedManagedPolicy) string {
	var out []string
	for _, p := range ps {
		out = append(out, aws.ToString(p.Name)+"="+aws.ToString(p.Arn))
	}
	return "[" + strings.Join(out, " ") + "]"
}

// peerDoc wraps a string as the document an identity-store AttributeValue is.
func peerDoc(v string) document.Interface { return document.NewLazyDocument(v) }
