package emulator_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/identitystore/document"
	"github.com/aws/aws-sdk-go-v2/service/identitystore/types"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/ssoctl/ssoctl/internal/emulator"
)

// isSandbox starts a sandbox and returns an identitystore client and the id
// of its identity store.
func isSandbox(t *testing.T, opts emulator.Options) (*emulator.Server, *identitystore.Client, string) {
	t.Helper()
	srv, cfg, _ := sandbox(t, opts)
	return srv, identitystore.NewFromConfig(cfg), srv.Snapshot().Instances[0].IdentityStoreId
}

// isIgnore drops the SDK's unexported fields and the values that differ on
// every run from comparisons.
var isIgnore = cmp.Options{
	cmpopts.IgnoreUnexported(types.User{}, types.Name{}, types.Email{}, types.ExternalId{}, types.Group{},
		types.GroupMembership{}, types.MemberIdMemberUserId{}, types.GroupMembershipExistenceResult{}),
	cmpopts.IgnoreFields(types.User{}, "CreatedAt", "UpdatedAt", "Revision"),
	cmpopts.IgnoreFields(types.Group{}, "CreatedAt", "Revision"),
}

func isUserID(t *testing.T, c *identitystore.Client, store, name string) string {
	t.Helper()
	out, err := c.GetUserId(ctx, &identitystore.GetUserIdInput{IdentityStoreId: &store, AlternateIdentifier: isByAttr("userName", name)})
	if err != nil {
		t.Fatalf("GetUserId %s: %v", name, err)
	}
	return *out.UserId
}

func isGroupID(t *testing.T, c *identitystore.Client, store, name string) string {
	t.Helper()
	out, err := c.GetGroupId(ctx, &identitystore.GetGroupIdInput{IdentityStoreId: &store, AlternateIdentifier: isByAttr("displayName", name)})
	if err != nil {
		t.Fatalf("GetGroupId %s: %v", name, err)
	}
	return *out.GroupId
}

func isByAttr(path string, v any) types.AlternateIdentifier {
	return &types.AlternateIdentifierMemberUniqueAttribute{Value: types.UniqueAttribute{
		AttributePath: aws.String(path), AttributeValue: document.NewLazyDocument(v)}}
}

func isMember(userID string) types.MemberId { return &types.MemberIdMemberUserId{Value: userID} }

// noResourceID tells wantStoreNotFound that the error must carry no
// ResourceId: the model's ResourceId is a user, group or membership id, so a
// user name, an e-mail, an external id or an identity store id may not go
// there.
const noResourceID = "(none)"

// wantStoreNotFound checks a ResourceNotFoundException and its ResourceType and,
// when id is not empty, its ResourceId (noResourceID: none).
func wantStoreNotFound(t *testing.T, err error, rt types.ResourceType, id string) {
	t.Helper()
	var e *types.ResourceNotFoundException
	if !errors.As(err, &e) {
		t.Fatalf("got error %v; want ResourceNotFoundException", err)
	}
	if e.ResourceType != rt {
		t.Errorf("got ResourceType %q; want %q", e.ResourceType, rt)
	}
	switch {
	case id == noResourceID && e.ResourceId != nil:
		t.Errorf("got ResourceId %q; want none", *e.ResourceId)
	case id != "" && id != noResourceID && aws.ToString(e.ResourceId) != id:
		t.Errorf("got ResourceId %q; want %q", aws.ToString(e.ResourceId), id)
	}
}

func wantStoreConflict(t *testing.T, err error, reason types.ConflictExceptionReason) {
	t.Helper()
	var e *types.ConflictException
	if !errors.As(err, &e) {
		t.Fatalf("got error %v; want ConflictException", err)
	}
	if e.Reason != reason {
		t.Errorf("got Reason %q; want %q", e.Reason, reason)
	}
}

// Ids that match the model patterns but name nothing.
const (
	isUnknownStore = "d-0000000000"
	isUnknownID    = "0000000000-00000000-0000-4000-8000-000000000000"
)

func isNewUserInput(store, name string) *identitystore.CreateUserInput {
	return &identitystore.CreateUserInput{
		IdentityStoreId: &store, UserName: aws.String(name), DisplayName: aws.String("Quinn Example"),
		Name:   &types.Name{GivenName: aws.String("Quinn"), FamilyName: aws.String("Example")},
		Emails: []types.Email{{Value: aws.String(name + "@example.com"), Type: aws.String("work"), Primary: true}},
		Title:  aws.String("Engineer"),
	}
}

func TestIdentityStoreCreateDescribeUser(t *testing.T) {
	_, c, store := isSandbox(t, emulator.Options{})
	before := time.Now().Add(-time.Second)
	out, err := c.CreateUser(ctx, isNewUserInput(store, "quinn.example"))
	if err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	if aws.ToString(out.IdentityStoreId) != store || aws.ToString(out.UserArn) != "arn:aws:identitystore:::user/"+aws.ToString(out.UserId) || aws.ToString(out.Revision) == "" {
		t.Errorf("got CreateUser output %+v; want store %s, the user's ARN and a revision", out, store)
	}
	got, err := c.DescribeUser(ctx, &identitystore.DescribeUserInput{IdentityStoreId: &store, UserId: out.UserId})
	if err != nil {
		t.Fatalf("DescribeUser: %v", err)
	}
	want := &identitystore.DescribeUserOutput{
		IdentityStoreId: &store, UserId: out.UserId, UserArn: out.UserArn, Revision: out.Revision,
		UserName: aws.String("quinn.example"), DisplayName: aws.String("Quinn Example"),
		Name:       &types.Name{GivenName: aws.String("Quinn"), FamilyName: aws.String("Example")},
		Emails:     []types.Email{{Value: aws.String("quinn.example@example.com"), Type: aws.String("work"), Primary: true}},
		Title:      aws.String("Engineer"),
		UserStatus: types.UserStatusEnabled,
	}
	opts := cmp.Options{isIgnore, cmpopts.IgnoreUnexported(identitystore.DescribeUserOutput{}),
		cmpopts.IgnoreFields(identitystore.DescribeUserOutput{}, "ResultMetadata", "CreatedAt", "UpdatedAt")}
	if diff := cmp.Diff(want, got, opts); diff != "" {
		t.Errorf("DescribeUser mismatch (-want +got):\n%s", diff)
	}
	if got.CreatedAt == nil || got.CreatedAt.Before(before) || got.UpdatedAt == nil {
		t.Errorf("got CreatedAt %v, UpdatedAt %v; want both set to about now", got.CreatedAt, got.UpdatedAt)
	}

	// The demo's disabled user says so.
	mallory := isUserID(t, c, store, "mallory.evans")
	d, err := c.DescribeUser(ctx, &identitystore.DescribeUserInput{IdentityStoreId: &store, UserId: &mallory})
	if err != nil {
		t.Fatal(err)
	}
	if d.UserStatus != types.UserStatusDisabled {
		t.Errorf("got mallory.evans UserStatus %q; want DISABLED", d.UserStatus)
	}
	// The store and the user may be named by ARN.
	arn := "arn:aws:identitystore::123456789012:identitystore/" + store
	if _, err := c.DescribeUser(ctx, &identitystore.DescribeUserInput{IdentityStoreId: &arn, UserId: out.UserArn}); err != nil {
		t.Errorf("DescribeUser by ARNs: %v", err)
	}
}

func TestIdentityStoreCreateUserErrors(t *testing.T) {
	_, c, store := isSandbox(t, emulator.Options{})
	tests := []struct {
		name   string
		change func(in *identitystore.CreateUserInput)
		code   string
	}{
		{"no user name", func(in *identitystore.CreateUserInput) { in.UserName = nil }, "ValidationException"},
		{"no display name", func(in *identitystore.CreateUserInput) { in.DisplayName = nil }, "ValidationException"},
		{"no name", func(in *identitystore.CreateUserInput) { in.Name = nil }, "ValidationException"},
		{"no given name", func(in *identitystore.CreateUserInput) { in.Name.GivenName = nil }, "ValidationException"},
		{"no family name", func(in *identitystore.CreateUserInput) { in.Name.FamilyName = nil }, "ValidationException"},
		{"space in user name", func(in *identitystore.CreateUserInput) { in.UserName = aws.String("quinn example") }, "ValidationException"},
		{"reserved user name", func(in *identitystore.CreateUserInput) { in.UserName = aws.String("Administrator") }, "ValidationException"},
		{"two emails", func(in *identitystore.CreateUserInput) { in.Emails = append(in.Emails, in.Emails[0]) }, "ValidationException"},
		{"an empty list of emails", func(in *identitystore.CreateUserInput) { in.Emails = []types.Email{} }, "ValidationException"},
		{"bad store id", func(in *identitystore.CreateUserInput) { in.IdentityStoreId = aws.String("store-1") }, "ValidationException"},
		{"unknown store", func(in *identitystore.CreateUserInput) { in.IdentityStoreId = aws.String(isUnknownStore) }, "ResourceNotFoundException"},
		{"duplicate user name", func(in *identitystore.CreateUserInput) { in.UserName = aws.String("Alice.Johnson") }, "ConflictException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := isNewUserInput(store, "quinn.example")
			tt.change(in)
			_, err := c.CreateUser(ctx, in)
			wantAPIError(t, err, tt.code)
			switch tt.code {
			case "ConflictException":
				wantStoreConflict(t, err, types.ConflictExceptionReasonUniquenessConstraintViolation)
			case "ResourceNotFoundException":
				wantStoreNotFound(t, err, types.ResourceTypeIdentityStore, noResourceID)
			}
		})
	}
}

func TestIdentityStoreUpdateUser(t *testing.T) {
	_, c, store := isSandbox(t, emulator.Options{})
	id := isUserID(t, c, store, "erin.davis")
	op := func(path string, v any) types.AttributeOperation {
		o := types.AttributeOperation{AttributePath: aws.String(path)}
		if v != nil {
			o.AttributeValue = document.NewLazyDocument(v)
		}
		return o
	}
	before, err := c.DescribeUser(ctx, &identitystore.DescribeUserInput{IdentityStoreId: &store, UserId: &id})
	if err != nil {
		t.Fatal(err)
	}
	out, err := c.UpdateUser(ctx, &identitystore.UpdateUserInput{IdentityStoreId: &store, UserId: &id, Revision: before.Revision,
		Operations: []types.AttributeOperation{
			op("userName", "erin.moore"),
			op("displayName", "Erin Moore"),
			op("name.familyName", "Moore"),
			op("emails", []map[string]any{{"Value": "erin.moore@example.com", "Type": "work", "Primary": true}}),
			op("title", "Staff Engineer"),
			op("userStatus", "DISABLED"),
		}})
	if err != nil {
		t.Fatalf("UpdateUser: %v", err)
	}
	if aws.ToString(out.Revision) == aws.ToString(before.Revision) {
		t.Errorf("got the same Revision %s after an update; want a new one", aws.ToString(out.Revision))
	}
	got, err := c.DescribeUser(ctx, &identitystore.DescribeUserInput{IdentityStoreId: &store, UserId: &id})
	if err != nil {
		t.Fatal(err)
	}
	type view struct {
		UserName, DisplayName, Given, Family, Email, Title string
		Status                                             types.UserStatus
	}
	gotView := view{aws.ToString(got.UserName), aws.ToString(got.DisplayName), aws.ToString(got.Name.GivenName),
		aws.ToString(got.Name.FamilyName), aws.ToString(got.Emails[0].Value), aws.ToString(got.Title), got.UserStatus}
	wantView := view{"erin.moore", "Erin Moore", "Erin", "Moore", "erin.moore@example.com", "Staff Engineer", types.UserStatusDisabled}
	if diff := cmp.Diff(wantView, gotView); diff != "" {
		t.Errorf("user after UpdateUser (-want +got):\n%s", diff)
	}
	if !got.UpdatedAt.After(*before.UpdatedAt) {
		t.Errorf("got UpdatedAt %v; want after %v", got.UpdatedAt, before.UpdatedAt)
	}
	if got := isUserID(t, c, store, "ERIN.MOORE"); got != id {
		t.Errorf("GetUserId(new name) = %s; want %s", got, id)
	}
	_, err = c.GetUserId(ctx, &identitystore.GetUserIdInput{IdentityStoreId: &store, AlternateIdentifier: isByAttr("userName", "erin.davis")})
	wantStoreNotFound(t, err, types.ResourceTypeUser, noResourceID)

	tests := []struct {
		name     string
		userID   string
		ops      []types.AttributeOperation
		revision *string
		code     string
	}{
		{"rename onto another user", id, []types.AttributeOperation{op("userName", "alice.johnson")}, nil, "ConflictException"},
		{"stale revision", id, []types.AttributeOperation{op("title", "x")}, before.Revision, "ConflictException"},
		{"remove display name", id, []types.AttributeOperation{op("displayName", nil)}, nil, "ValidationException"},
		{"remove given name", id, []types.AttributeOperation{op("name.givenName", nil)}, nil, "ValidationException"},
		{"unknown attribute", id, []types.AttributeOperation{op("shoeSize", "44")}, nil, "ValidationException"},
		{"bad status", id, []types.AttributeOperation{op("userStatus", "ASLEEP")}, nil, "ValidationException"},
		{"bad user id", "erin", []types.AttributeOperation{op("title", "x")}, nil, "ValidationException"},
		{"unknown user", isUnknownID, []types.AttributeOperation{op("title", "x")}, nil, "ResourceNotFoundException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.UpdateUser(ctx, &identitystore.UpdateUserInput{IdentityStoreId: &store, UserId: &tt.userID, Operations: tt.ops, Revision: tt.revision})
			wantAPIError(t, err, tt.code)
			switch {
			case tt.name == "rename onto another user":
				wantStoreConflict(t, err, types.ConflictExceptionReasonUniquenessConstraintViolation)
			case tt.name == "stale revision":
				wantStoreConflict(t, err, types.ConflictExceptionReasonConcurrentModification)
			case tt.code == "ResourceNotFoundException":
				wantStoreNotFound(t, err, types.ResourceTypeUser, isUnknownID)
			}
		})
	}
	// A failed update changes nothing.
	after, err := c.DescribeUser(ctx, &identitystore.DescribeUserInput{IdentityStoreId: &store, UserId: &id})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(after.Revision) != aws.ToString(out.Revision) {
		t.Errorf("got Revision %s after failed updates; want %s", aws.ToString(after.Revision), aws.ToString(out.Revision))
	}
}

func TestIdentityStoreDeleteUserLeavesOrphan(t *testing.T) {
	srv, c, store := isSandbox(t, emulator.Options{})
	bob := isUserID(t, c, store, "bob.smith")
	hasAssignment := func() bool {
		return slices.ContainsFunc(srv.Snapshot().Assignments, func(a emulator.Assignment) bool { return a.PrincipalId == bob })
	}
	if !hasAssignment() {
		t.Fatal("the demo org has no assignment for bob.smith")
	}
	if _, err := c.DeleteUser(ctx, &identitystore.DeleteUserInput{IdentityStoreId: &store, UserId: &bob}); err != nil {
		t.Fatalf("DeleteUser: %v", err)
	}
	if !hasAssignment() {
		t.Error("got no assignment for the deleted user; want it left as an orphan")
	}
	if slices.ContainsFunc(srv.Snapshot().Memberships, func(m emulator.Membership) bool { return m.UserId == bob }) {
		t.Error("got memberships of the deleted user; want none")
	}
	_, err := c.DescribeUser(ctx, &identitystore.DescribeUserInput{IdentityStoreId: &store, UserId: &bob})
	wantStoreNotFound(t, err, types.ResourceTypeUser, bob)
	_, err = c.DeleteUser(ctx, &identitystore.DeleteUserInput{IdentityStoreId: &store, UserId: &bob})
	wantStoreNotFound(t, err, types.ResourceTypeUser, bob)
	_, err = c.DeleteUser(ctx, &identitystore.DeleteUserInput{IdentityStoreId: aws.String(isUnknownStore), UserId: &bob})
	wantStoreNotFound(t, err, types.ResourceTypeIdentityStore, noResourceID)
	_, err = c.DeleteUser(ctx, &identitystore.DeleteUserInput{IdentityStoreId: &store, UserId: aws.String("bob")})
	wantAPIError(t, err, "ValidationException")
	carol := isUserID(t, c, store, "carol.garcia")
	_, err = c.DeleteUser(ctx, &identitystore.DeleteUserInput{IdentityStoreId: &store, UserId: &carol, Revision: aws.String("stale")})
	wantStoreConflict(t, err, types.ConflictExceptionReasonConcurrentModification)
}

func TestIdentityStoreListUsers(t *testing.T) {
	srv, c, store := isSandbox(t, emulator.Options{})
	full, err := c.ListUsers(ctx, &identitystore.ListUsersInput{IdentityStoreId: &store})
	if err != nil {
		t.Fatalf("ListUsers: %v", err)
	}
	if n := len(srv.Snapshot().Users); len(full.Users) != n || full.NextToken != nil {
		t.Fatalf("got %d users, NextToken %v; want all %d on one page", len(full.Users), full.NextToken, n)
	}
	var paged []types.User
	pages := 0
	p := identitystore.NewListUsersPaginator(c, &identitystore.ListUsersInput{IdentityStoreId: &store, MaxResults: aws.Int32(1)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatalf("page %d: %v", pages, err)
		}
		if len(page.Users) > 1 {
			t.Fatalf("got %d users on a page with MaxResults 1", len(page.Users))
		}
		paged = append(paged, page.Users...)
		pages++
	}
	if diff := cmp.Diff(full.Users, paged, isIgnore); diff != "" {
		t.Errorf("paged users differ from the full list (-full +paged):\n%s", diff)
	}
	if pages != len(full.Users) {
		t.Errorf("got %d pages; want %d", pages, len(full.Users))
	}

	filtered, err := c.ListUsers(ctx, &identitystore.ListUsersInput{IdentityStoreId: &store,
		Filters: []types.Filter{{AttributePath: aws.String("UserName"), AttributeValue: aws.String("grace.moore")}}})
	if err != nil {
		t.Fatalf("ListUsers filtered: %v", err)
	}
	if len(filtered.Users) != 1 || aws.ToString(filtered.Users[0].UserName) != "grace.moore" {
		t.Errorf("got %d users for UserName grace.moore; want just her", len(filtered.Users))
	}

	groupsPage, err := c.ListGroups(ctx, &identitystore.ListGroupsInput{IdentityStoreId: &store, MaxResults: aws.Int32(1)})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		in   identitystore.ListUsersInput
		code string
	}{
		{"MaxResults 0", identitystore.ListUsersInput{MaxResults: aws.Int32(0)}, "ValidationException"},
		{"MaxResults 101", identitystore.ListUsersInput{MaxResults: aws.Int32(101)}, "ValidationException"},
		{"garbage NextToken", identitystore.ListUsersInput{NextToken: aws.String("not-a-token")}, "ValidationException"},
		{"NextToken of another list", identitystore.ListUsersInput{NextToken: groupsPage.NextToken}, "ValidationException"},
		{"filter on another attribute", identitystore.ListUsersInput{Filters: []types.Filter{{AttributePath: aws.String("Title"), AttributeValue: aws.String("x")}}}, "ValidationException"},
		{"bad store id", identitystore.ListUsersInput{IdentityStoreId: aws.String("D-123")}, "ValidationException"},
		{"unknown store", identitystore.ListUsersInput{IdentityStoreId: aws.String(isUnknownStore)}, "ResourceNotFoundException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			if in.IdentityStoreId == nil {
				in.IdentityStoreId = &store
			}
			_, err := c.ListUsers(ctx, &in)
			wantAPIError(t, err, tt.code)
			if tt.code == "ResourceNotFoundException" {
				wantStoreNotFound(t, err, types.ResourceTypeIdentityStore, noResourceID)
			}
		})
	}
}

func TestIdentityStoreGetUserId(t *testing.T) {
	st := emulator.Generate("small", 0)
	st.Users[0].ExternalIds = []emulator.ExternalId{{Issuer: "https://scim.example.com", Id: "ext-0001"}}
	_, c, store := isSandbox(t, emulator.Options{State: st})
	want := st.Users[0].UserId
	tests := []struct {
		name string
		alt  types.AlternateIdentifier
		code string
	}{
		{"userName", isByAttr("userName", st.Users[0].UserName), ""},
		{"UserName as the CLI docs spell it", isByAttr("UserName", st.Users[0].UserName), ""},
		{"user name in another case", isByAttr("userName", "ALICE.JOHNSON"), ""},
		{"emails.value", isByAttr("emails.value", st.Users[0].Emails[0].Value), ""},
		{"external id", &types.AlternateIdentifierMemberExternalId{Value: types.ExternalId{Issuer: aws.String("https://scim.example.com"), Id: aws.String("ext-0001")}}, ""},
		{"unknown user name", isByAttr("userName", "nobody"), "ResourceNotFoundException"},
		{"unknown email", isByAttr("emails.value", "nobody@example.com"), "ResourceNotFoundException"},
		{"unknown external id", &types.AlternateIdentifierMemberExternalId{Value: types.ExternalId{Issuer: aws.String("https://scim.example.com"), Id: aws.String("ext-9999")}}, "ResourceNotFoundException"},
		{"attribute that is not unique", isByAttr("title", "Engineer"), "ValidationException"},
		{"value that is not a string", isByAttr("userName", 42), "ValidationException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := c.GetUserId(ctx, &identitystore.GetUserIdInput{IdentityStoreId: &store, AlternateIdentifier: tt.alt})
			if tt.code != "" {
				wantAPIError(t, err, tt.code)
				if tt.code == "ResourceNotFoundException" {
					wantStoreNotFound(t, err, types.ResourceTypeUser, noResourceID)
				}
				return
			}
			if err != nil {
				t.Fatalf("GetUserId: %v", err)
			}
			if aws.ToString(out.UserId) != want || aws.ToString(out.IdentityStoreId) != store {
				t.Errorf("got UserId %s in %s; want %s in %s", aws.ToString(out.UserId), aws.ToString(out.IdentityStoreId), want, store)
			}
		})
	}
	_, err := c.GetUserId(ctx, &identitystore.GetUserIdInput{IdentityStoreId: aws.String(isUnknownStore), AlternateIdentifier: isByAttr("userName", "alice.johnson")})
	wantStoreNotFound(t, err, types.ResourceTypeIdentityStore, noResourceID)
}

func TestIdentityStoreGroups(t *testing.T) {
	srv, c, store := isSandbox(t, emulator.Options{})
	out, err := c.CreateGroup(ctx, &identitystore.CreateGroupInput{IdentityStoreId: &store, DisplayName: aws.String("data-engineers"), Description: aws.String("Pipelines")})
	if err != nil {
		t.Fatalf("CreateGroup: %v", err)
	}
	got, err := c.DescribeGroup(ctx, &identitystore.DescribeGroupInput{IdentityStoreId: &store, GroupId: out.GroupId})
	if err != nil {
		t.Fatalf("DescribeGroup: %v", err)
	}
	want := &identitystore.DescribeGroupOutput{IdentityStoreId: &store, GroupId: out.GroupId, GroupArn: out.GroupArn,
		Revision: out.Revision, DisplayName: aws.String("data-engineers"), Description: aws.String("Pipelines")}
	opts := cmp.Options{cmpopts.IgnoreUnexported(identitystore.DescribeGroupOutput{}), cmpopts.IgnoreFields(identitystore.DescribeGroupOutput{}, "ResultMetadata", "CreatedAt")}
	if diff := cmp.Diff(want, got, opts); diff != "" {
		t.Errorf("DescribeGroup mismatch (-want +got):\n%s", diff)
	}
	if id := isGroupID(t, c, store, "Data-Engineers"); id != *out.GroupId {
		t.Errorf("GetGroupId = %s; want %s", id, *out.GroupId)
	}

	if _, err := c.UpdateGroup(ctx, &identitystore.UpdateGroupInput{IdentityStoreId: &store, GroupId: out.GroupId, Revision: out.Revision,
		Operations: []types.AttributeOperation{
			{AttributePath: aws.String("displayName"), AttributeValue: document.NewLazyDocument("data-platform")},
			{AttributePath: aws.String("description"), AttributeValue: document.NewLazyDocument("Data platform team")},
		}}); err != nil {
		t.Fatalf("UpdateGroup: %v", err)
	}
	got, err = c.DescribeGroup(ctx, &identitystore.DescribeGroupInput{IdentityStoreId: &store, GroupId: out.GroupId})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(got.DisplayName) != "data-platform" || aws.ToString(got.Description) != "Data platform team" {
		t.Errorf("got group %q (%q) after UpdateGroup; want data-platform (Data platform team)", aws.ToString(got.DisplayName), aws.ToString(got.Description))
	}
	_, err = c.GetGroupId(ctx, &identitystore.GetGroupIdInput{IdentityStoreId: &store, AlternateIdentifier: isByAttr("displayName", "data-engineers")})
	wantStoreNotFound(t, err, types.ResourceTypeGroup, noResourceID)

	// Deleting a group takes its memberships with it.
	devs := isGroupID(t, c, store, "developers")
	if _, err := c.DeleteGroup(ctx, &identitystore.DeleteGroupInput{IdentityStoreId: &store, GroupId: &devs}); err != nil {
		t.Fatalf("DeleteGroup: %v", err)
	}
	if slices.ContainsFunc(srv.Snapshot().Memberships, func(m emulator.Membership) bool { return m.GroupId == devs }) {
		t.Error("got memberships of the deleted group; want none")
	}
	_, err = c.DescribeGroup(ctx, &identitystore.DescribeGroupInput{IdentityStoreId: &store, GroupId: &devs})
	wantStoreNotFound(t, err, types.ResourceTypeGroup, devs)

	auditors := isGroupID(t, c, store, "auditors")
	ops := func(path, v string) []types.AttributeOperation {
		return []types.AttributeOperation{{AttributePath: aws.String(path), AttributeValue: document.NewLazyDocument(v)}}
	}
	tests := []struct {
		name string
		call func() error
		code string
	}{
		{"create duplicate", func() error {
			_, err := c.CreateGroup(ctx, &identitystore.CreateGroupInput{IdentityStoreId: &store, DisplayName: aws.String("SECURITY")})
			return err
		}, "ConflictException"},
		{"create without name", func() error {
			_, err := c.CreateGroup(ctx, &identitystore.CreateGroupInput{IdentityStoreId: &store})
			return err
		}, "ValidationException"},
		{"create with an empty description", func() error {
			_, err := c.CreateGroup(ctx, &identitystore.CreateGroupInput{IdentityStoreId: &store, DisplayName: aws.String("empty-description"), Description: aws.String("")})
			return err
		}, "ValidationException"},
		{"create in unknown store", func() error {
			_, err := c.CreateGroup(ctx, &identitystore.CreateGroupInput{IdentityStoreId: aws.String(isUnknownStore), DisplayName: aws.String("x")})
			return err
		}, "ResourceNotFoundException"},
		{"rename onto another group", func() error {
			_, err := c.UpdateGroup(ctx, &identitystore.UpdateGroupInput{IdentityStoreId: &store, GroupId: &auditors, Operations: ops("displayName", "finance")})
			return err
		}, "ConflictException"},
		{"update unknown attribute", func() error {
			_, err := c.UpdateGroup(ctx, &identitystore.UpdateGroupInput{IdentityStoreId: &store, GroupId: &auditors, Operations: ops("colour", "blue")})
			return err
		}, "ValidationException"},
		{"update with no operations", func() error {
			_, err := c.UpdateGroup(ctx, &identitystore.UpdateGroupInput{IdentityStoreId: &store, GroupId: &auditors, Operations: []types.AttributeOperation{}})
			return err
		}, "ValidationException"},
		{"update unknown group", func() error {
			_, err := c.UpdateGroup(ctx, &identitystore.UpdateGroupInput{IdentityStoreId: &store, GroupId: aws.String(isUnknownID), Operations: ops("description", "x")})
			return err
		}, "ResourceNotFoundException"},
		{"describe bad id", func() error {
			_, err := c.DescribeGroup(ctx, &identitystore.DescribeGroupInput{IdentityStoreId: &store, GroupId: aws.String("g-1")})
			return err
		}, "ValidationException"},
		{"delete unknown group", func() error {
			_, err := c.DeleteGroup(ctx, &identitystore.DeleteGroupInput{IdentityStoreId: &store, GroupId: aws.String(isUnknownID)})
			return err
		}, "ResourceNotFoundException"},
		{"get id of unknown name", func() error {
			_, err := c.GetGroupId(ctx, &identitystore.GetGroupIdInput{IdentityStoreId: &store, AlternateIdentifier: isByAttr("displayName", "nobody")})
			return err
		}, "ResourceNotFoundException"},
		{"get id by other attribute", func() error {
			_, err := c.GetGroupId(ctx, &identitystore.GetGroupIdInput{IdentityStoreId: &store, AlternateIdentifier: isByAttr("description", "x")})
			return err
		}, "ValidationException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			wantAPIError(t, err, tt.code)
			switch tt.code {
			case "ConflictException":
				wantStoreConflict(t, err, types.ConflictExceptionReasonUniquenessConstraintViolation)
			case "ResourceNotFoundException":
				var e *types.ResourceNotFoundException
				if errors.As(err, &e) && e.ResourceType != types.ResourceTypeGroup && e.ResourceType != types.ResourceTypeIdentityStore {
					t.Errorf("got ResourceType %q; want GROUP or IDENTITY_STORE", e.ResourceType)
				}
			}
		})
	}
}

func TestIdentityStoreListGroups(t *testing.T) {
	_, c, store := isSandbox(t, emulator.Options{})
	full, err := c.ListGroups(ctx, &identitystore.ListGroupsInput{IdentityStoreId: &store})
	if err != nil {
		t.Fatalf("ListGroups: %v", err)
	}
	if len(full.Groups) != 10 {
		t.Errorf("got %d groups; want the demo's 10", len(full.Groups))
	}
	var paged []types.Group
	p := identitystore.NewListGroupsPaginator(c, &identitystore.ListGroupsInput{IdentityStoreId: &store, MaxResults: aws.Int32(1)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		paged = append(paged, page.Groups...)
	}
	if diff := cmp.Diff(full.Groups, paged, isIgnore); diff != "" {
		t.Errorf("paged groups differ from the full list (-full +paged):\n%s", diff)
	}
	filtered, err := c.ListGroups(ctx, &identitystore.ListGroupsInput{IdentityStoreId: &store,
		Filters: []types.Filter{{AttributePath: aws.String("DisplayName"), AttributeValue: aws.String("auditors")}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(filtered.Groups) != 1 || aws.ToString(filtered.Groups[0].DisplayName) != "auditors" {
		t.Errorf("got %d groups for DisplayName auditors; want one", len(filtered.Groups))
	}
	for _, in := range []identitystore.ListGroupsInput{
		{MaxResults: aws.Int32(0)},
		{MaxResults: aws.Int32(1000)},
		{NextToken: aws.String("eyJzIjoieCIsImEiOiJ5In0=")},
		{Filters: []types.Filter{{AttributePath: aws.String("Description"), AttributeValue: aws.String("x")}}},
	} {
		in.IdentityStoreId = &store
		_, err := c.ListGroups(ctx, &in)
		wantAPIError(t, err, "ValidationException")
	}
}

func TestIdentityStoreMemberships(t *testing.T) {
	_, c, store := isSandbox(t, emulator.Options{})
	alice := isUserID(t, c, store, "alice.johnson")
	auditors := isGroupID(t, c, store, "auditors")
	security := isGroupID(t, c, store, "security")

	created, err := c.CreateGroupMembership(ctx, &identitystore.CreateGroupMembershipInput{IdentityStoreId: &store, GroupId: &auditors, MemberId: isMember(alice)})
	if err != nil {
		t.Fatalf("CreateGroupMembership: %v", err)
	}
	mid := aws.ToString(created.MembershipId)
	if aws.ToString(created.MembershipArn) != "arn:aws:identitystore:::membership/"+mid {
		t.Errorf("got MembershipArn %s; want the membership's ARN", aws.ToString(created.MembershipArn))
	}
	wantMembership := types.GroupMembership{IdentityStoreId: &store, MembershipId: &mid, MembershipArn: created.MembershipArn, GroupId: &auditors, MemberId: isMember(alice)}

	desc, err := c.DescribeGroupMembership(ctx, &identitystore.DescribeGroupMembershipInput{IdentityStoreId: &store, MembershipId: &mid})
	if err != nil {
		t.Fatalf("DescribeGroupMembership: %v", err)
	}
	gotMembership := types.GroupMembership{IdentityStoreId: desc.IdentityStoreId, MembershipId: desc.MembershipId, MembershipArn: desc.MembershipArn, GroupId: desc.GroupId, MemberId: desc.MemberId}
	if diff := cmp.Diff(wantMembership, gotMembership, isIgnore); diff != "" {
		t.Errorf("DescribeGroupMembership (-want +got):\n%s", diff)
	}
	list, err := c.ListGroupMemberships(ctx, &identitystore.ListGroupMembershipsInput{IdentityStoreId: &store, GroupId: &auditors})
	if err != nil {
		t.Fatalf("ListGroupMemberships: %v", err)
	}
	if diff := cmp.Diff([]types.GroupMembership{wantMembership}, list.GroupMemberships, isIgnore); diff != "" {
		t.Errorf("ListGroupMemberships (-want +got):\n%s", diff)
	}
	forMember, err := c.ListGroupMembershipsForMember(ctx, &identitystore.ListGroupMembershipsForMemberInput{IdentityStoreId: &store, MemberId: isMember(alice)})
	if err != nil {
		t.Fatalf("ListGroupMembershipsForMember: %v", err)
	}
	if !slices.ContainsFunc(forMember.GroupMemberships, func(m types.GroupMembership) bool { return aws.ToString(m.MembershipId) == mid }) {
		t.Errorf("ListGroupMembershipsForMember(alice) lacks membership %s", mid)
	}
	idOut, err := c.GetGroupMembershipId(ctx, &identitystore.GetGroupMembershipIdInput{IdentityStoreId: &store, GroupId: &auditors, MemberId: isMember(alice)})
	if err != nil {
		t.Fatalf("GetGroupMembershipId: %v", err)
	}
	if aws.ToString(idOut.MembershipId) != mid {
		t.Errorf("GetGroupMembershipId = %s; want %s", aws.ToString(idOut.MembershipId), mid)
	}
	in, err := c.IsMemberInGroups(ctx, &identitystore.IsMemberInGroupsInput{IdentityStoreId: &store, MemberId: isMember(alice), GroupIds: []string{auditors, security, isUnknownID}})
	if err != nil {
		t.Fatalf("IsMemberInGroups: %v", err)
	}
	wantResults := []types.GroupMembershipExistenceResult{
		{GroupId: &auditors, MemberId: isMember(alice), MembershipExists: true},
		{GroupId: &security, MemberId: isMember(alice), MembershipExists: false},
		{GroupId: aws.String(isUnknownID), MemberId: isMember(alice), MembershipExists: false},
	}
	if diff := cmp.Diff(wantResults, in.Results, isIgnore); diff != "" {
		t.Errorf("IsMemberInGroups (-want +got):\n%s", diff)
	}

	tooMany := make([]string, 101)
	for i := range tooMany {
		tooMany[i] = auditors
	}
	tests := []struct {
		name string
		call func() error
		code string
		rt   types.ResourceType
	}{
		{"create duplicate", func() error {
			_, err := c.CreateGroupMembership(ctx, &identitystore.CreateGroupMembershipInput{IdentityStoreId: &store, GroupId: &auditors, MemberId: isMember(alice)})
			return err
		}, "ConflictException", ""},
		{"create in unknown group", func() error {
			_, err := c.CreateGroupMembership(ctx, &identitystore.CreateGroupMembershipInput{IdentityStoreId: &store, GroupId: aws.String(isUnknownID), MemberId: isMember(alice)})
			return err
		}, "ResourceNotFoundException", types.ResourceTypeGroup},
		{"create for unknown user", func() error {
			_, err := c.CreateGroupMembership(ctx, &identitystore.CreateGroupMembershipInput{IdentityStoreId: &store, GroupId: &auditors, MemberId: isMember(isUnknownID)})
			return err
		}, "ResourceNotFoundException", types.ResourceTypeUser},
		{"create with bad user id", func() error {
			_, err := c.CreateGroupMembership(ctx, &identitystore.CreateGroupMembershipInput{IdentityStoreId: &store, GroupId: &auditors, MemberId: isMember("alice")})
			return err
		}, "ValidationException", ""},
		{"describe unknown", func() error {
			_, err := c.DescribeGroupMembership(ctx, &identitystore.DescribeGroupMembershipInput{IdentityStoreId: &store, MembershipId: aws.String(isUnknownID)})
			return err
		}, "ResourceNotFoundException", types.ResourceTypeGroupMembership},
		{"describe in unknown store", func() error {
			_, err := c.DescribeGroupMembership(ctx, &identitystore.DescribeGroupMembershipInput{IdentityStoreId: aws.String(isUnknownStore), MembershipId: &mid})
			return err
		}, "ResourceNotFoundException", types.ResourceTypeIdentityStore},
		{"get id of no membership", func() error {
			_, err := c.GetGroupMembershipId(ctx, &identitystore.GetGroupMembershipIdInput{IdentityStoreId: &store, GroupId: &security, MemberId: isMember(alice)})
			return err
		}, "ResourceNotFoundException", types.ResourceTypeGroupMembership},
		{"list unknown group", func() error {
			_, err := c.ListGroupMemberships(ctx, &identitystore.ListGroupMembershipsInput{IdentityStoreId: &store, GroupId: aws.String(isUnknownID)})
			return err
		}, "ResourceNotFoundException", types.ResourceTypeGroup},
		{"list with MaxResults 0", func() error {
			_, err := c.ListGroupMemberships(ctx, &identitystore.ListGroupMembershipsInput{IdentityStoreId: &store, GroupId: &auditors, MaxResults: aws.Int32(0)})
			return err
		}, "ValidationException", ""},
		{"list with bad NextToken", func() error {
			_, err := c.ListGroupMemberships(ctx, &identitystore.ListGroupMembershipsInput{IdentityStoreId: &store, GroupId: &auditors, NextToken: aws.String("bad")})
			return err
		}, "ValidationException", ""},
		{"list for unknown member", func() error {
			_, err := c.ListGroupMembershipsForMember(ctx, &identitystore.ListGroupMembershipsForMemberInput{IdentityStoreId: &store, MemberId: isMember(isUnknownID)})
			return err
		}, "ResourceNotFoundException", types.ResourceTypeUser},
		{"list for member with MaxResults 101", func() error {
			_, err := c.ListGroupMembershipsForMember(ctx, &identitystore.ListGroupMembershipsForMemberInput{IdentityStoreId: &store, MemberId: isMember(alice), MaxResults: aws.Int32(101)})
			return err
		}, "ValidationException", ""},
		{"is member in 101 groups", func() error {
			_, err := c.IsMemberInGroups(ctx, &identitystore.IsMemberInGroupsInput{IdentityStoreId: &store, MemberId: isMember(alice), GroupIds: tooMany})
			return err
		}, "ValidationException", ""},
		{"is unknown user member", func() error {
			_, err := c.IsMemberInGroups(ctx, &identitystore.IsMemberInGroupsInput{IdentityStoreId: &store, MemberId: isMember(isUnknownID), GroupIds: []string{auditors}})
			return err
		}, "ResourceNotFoundException", types.ResourceTypeUser},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			wantAPIError(t, err, tt.code)
			switch tt.code {
			case "ConflictException":
				wantStoreConflict(t, err, types.ConflictExceptionReasonUniquenessConstraintViolation)
			case "ResourceNotFoundException":
				wantStoreNotFound(t, err, tt.rt, "")
			}
		})
	}

	if _, err := c.DeleteGroupMembership(ctx, &identitystore.DeleteGroupMembershipInput{IdentityStoreId: &store, MembershipId: &mid}); err != nil {
		t.Fatalf("DeleteGroupMembership: %v", err)
	}
	_, err = c.DescribeGroupMembership(ctx, &identitystore.DescribeGroupMembershipInput{IdentityStoreId: &store, MembershipId: &mid})
	wantStoreNotFound(t, err, types.ResourceTypeGroupMembership, mid)
	_, err = c.DeleteGroupMembership(ctx, &identitystore.DeleteGroupMembershipInput{IdentityStoreId: &store, MembershipId: &mid})
	wantStoreNotFound(t, err, types.ResourceTypeGroupMembership, mid)
	_, err = c.GetGroupMembershipId(ctx, &identitystore.GetGroupMembershipIdInput{IdentityStoreId: &store, GroupId: &auditors, MemberId: isMember(alice)})
	wantStoreNotFound(t, err, types.ResourceTypeGroupMembership, "")
}

func TestIdentityStoreMembershipPagination(t *testing.T) {
	_, c, store := isSandbox(t, emulator.Options{})
	devs := isGroupID(t, c, store, "developers")
	full, err := c.ListGroupMemberships(ctx, &identitystore.ListGroupMembershipsInput{IdentityStoreId: &store, GroupId: &devs})
	if err != nil {
		t.Fatal(err)
	}
	if len(full.GroupMemberships) != 10 {
		t.Errorf("got %d developers; want the demo's 10", len(full.GroupMemberships))
	}
	var paged []types.GroupMembership
	p := identitystore.NewListGroupMembershipsPaginator(c, &identitystore.ListGroupMembershipsInput{IdentityStoreId: &store, GroupId: &devs, MaxResults: aws.Int32(1)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		paged = append(paged, page.GroupMemberships...)
	}
	if diff := cmp.Diff(full.GroupMemberships, paged, isIgnore); diff != "" {
		t.Errorf("paged memberships differ (-full +paged):\n%s", diff)
	}

	dave := isUserID(t, c, store, "dave.miller")
	fullM, err := c.ListGroupMembershipsForMember(ctx, &identitystore.ListGroupMembershipsForMemberInput{IdentityStoreId: &store, MemberId: isMember(dave)})
	if err != nil {
		t.Fatal(err)
	}
	if len(fullM.GroupMemberships) != 3 {
		t.Errorf("got dave.miller in %d groups; want 3", len(fullM.GroupMemberships))
	}
	var pagedM []types.GroupMembership
	pm := identitystore.NewListGroupMembershipsForMemberPaginator(c, &identitystore.ListGroupMembershipsForMemberInput{IdentityStoreId: &store, MemberId: isMember(dave), MaxResults: aws.Int32(1)})
	for pm.HasMorePages() {
		page, err := pm.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pagedM = append(pagedM, page.GroupMemberships...)
	}
	if diff := cmp.Diff(fullM.GroupMemberships, pagedM, isIgnore); diff != "" {
		t.Errorf("paged memberships for member differ (-full +paged):\n%s", diff)
	}
	// A token for one group's list is not good for another's.
	first, err := c.ListGroupMemberships(ctx, &identitystore.ListGroupMembershipsInput{IdentityStoreId: &store, GroupId: &devs, MaxResults: aws.Int32(1)})
	if err != nil {
		t.Fatal(err)
	}
	seniors := isGroupID(t, c, store, "senior-developers")
	_, err = c.ListGroupMemberships(ctx, &identitystore.ListGroupMembershipsInput{IdentityStoreId: &store, GroupId: &seniors, NextToken: first.NextToken})
	wantAPIError(t, err, "ValidationException")
}

func TestIdentityStoreThrottling(t *testing.T) {
	_, cfg, url := sandbox(t, emulator.Options{Quotas: "aws", QuotaScale: 0.05})
	c := identitystore.NewFromConfig(cfg)
	store := "d-0000000000" // throttling comes before validation
	throttled := 0
	for range 6 {
		_, err := c.ListGroups(ctx, &identitystore.ListGroupsInput{IdentityStoreId: &store})
		var te *types.ThrottlingException
		if errors.As(err, &te) {
			throttled++
			if te.RetryAfterSeconds <= 0 {
				t.Errorf("got RetryAfterSeconds %d; want > 0", te.RetryAfterSeconds)
			}
		}
	}
	if throttled == 0 {
		t.Fatal("got no ThrottlingException from 6 calls at 1 TPS; want some")
	}
	if got := stats(t, url).Throttled["identitystore:ListGroups"]; got != throttled {
		t.Errorf("got stats throttled %d; want %d", got, throttled)
	}
}
