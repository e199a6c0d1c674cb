package inventory

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/identitystore/document"
	istypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"
)

// ErrNotFound is wrapped by lookups of names that do not exist.
var ErrNotFound = errors.New("not found")

// Users lists every user of the identity store, in the store's order.
func Users(ctx context.Context, c IdentityStore, inst Instance) ([]User, error) {
	var out []User
	p := identitystore.NewListUsersPaginator(c, &identitystore.ListUsersInput{IdentityStoreId: &inst.IdentityStoreId, MaxResults: aws.Int32(100)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list users: %w", err)
		}
		for _, u := range page.Users {
			out = append(out, userOf(u.UserId, u.UserName, u.DisplayName, u.Emails, u.UserStatus, u.ExternalIds))
		}
	}
	return out, nil
}

func userOf(id, name, display *string, emails []istypes.Email, status istypes.UserStatus, ext []istypes.ExternalId) User {
	u := User{Id: aws.ToString(id), UserName: aws.ToString(name), DisplayName: aws.ToString(display), Status: string(status)}
	if len(ext) > 0 {
		u.ExternalIssuer = aws.ToString(ext[0].Issuer)
	}
	if u.Status == "" {
		u.Status = "ENABLED"
	}
	for _, e := range emails {
		if u.Email == "" || e.Primary {
			u.Email = aws.ToString(e.Value)
		}
	}
	return u
}

func externalIds(ids []istypes.ExternalId) []ExternalId {
	var out []ExternalId
	for _, e := range ids {
		out = append(out, ExternalId{Issuer: aws.ToString(e.Issuer), Id: aws.ToString(e.Id)})
	}
	return out
}

func groupOf(id, name, description *string, ext []istypes.ExternalId) Group {
	return Group{Id: aws.ToString(id), Name: aws.ToString(name), Description: aws.ToString(description), ExternalIds: externalIds(ext)}
}

// Groups lists every group of the identity store.
func Groups(ctx context.Context, c IdentityStore, inst Instance) ([]Group, error) {
	var out []Group
	p := identitystore.NewListGroupsPaginator(c, &identitystore.ListGroupsInput{IdentityStoreId: &inst.IdentityStoreId, MaxResults: aws.Int32(100)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list groups: %w", err)
		}
		for _, g := range page.Groups {
			out = append(out, groupOf(g.GroupId, g.DisplayName, g.Description, g.ExternalIds))
		}
	}
	return out, nil
}

// GroupMembers lists the user ids in a group.
func GroupMembers(ctx context.Context, c IdentityStore, inst Instance, groupID string) ([]string, error) {
	var out []string
	p := identitystore.NewListGroupMembershipsPaginator(c, &identitystore.ListGroupMembershipsInput{IdentityStoreId: &inst.IdentityStoreId, GroupId: &groupID, MaxResults: aws.Int32(100)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list members of group %s: %w", groupID, err)
		}
		for _, m := range page.GroupMemberships {
			if id, ok := m.MemberId.(*istypes.MemberIdMemberUserId); ok {
				out = append(out, id.Value)
			}
		}
	}
	return out, nil
}

// Membership is a user's membership of a group.
type Membership struct {
	Id      string `json:"membershipId"`
	GroupId string `json:"groupId"`
	// Since is when the user joined the group (the membership's CreatedAt;
	// zero where the identity store does not say).
	Since time.Time `json:"memberSince,omitzero"`
}

// MembershipsOf lists the groups a user belongs to, with when they joined.
func MembershipsOf(ctx context.Context, c IdentityStore, inst Instance, userID string) ([]Membership, error) {
	var out []Membership
	p := identitystore.NewListGroupMembershipsForMemberPaginator(c, &identitystore.ListGroupMembershipsForMemberInput{
		IdentityStoreId: &inst.IdentityStoreId, MemberId: &istypes.MemberIdMemberUserId{Value: userID}, MaxResults: aws.Int32(100)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list groups of user %s: %w", userID, err)
		}
		for _, m := range page.GroupMemberships {
			out = append(out, Membership{Id: aws.ToString(m.MembershipId), GroupId: aws.ToString(m.GroupId), Since: aws.ToTime(m.CreatedAt).UTC()})
		}
	}
	return out, nil
}

// UserID finds a user's id by user name, or by e-mail when name contains "@"
// and no user has it as user name.
func UserID(ctx context.Context, c IdentityStore, inst Instance, name string) (string, error) {
	id, err := uniqueID(ctx, c, inst, "userName", name, true)
	if errors.Is(err, ErrNotFound) && strings.Contains(name, "@") {
		id, err = uniqueID(ctx, c, inst, "emails.value", name, true)
	}
	return id, err
}

// GroupID finds a group's id by display name.
func GroupID(ctx context.Context, c IdentityStore, inst Instance, name string) (string, error) {
	return uniqueID(ctx, c, inst, "displayName", name, false)
}

func uniqueID(ctx context.Context, c IdentityStore, inst Instance, path, value string, user bool) (string, error) {
	alt := &istypes.AlternateIdentifierMemberUniqueAttribute{Value: istypes.UniqueAttribute{AttributePath: aws.String(path), AttributeValue: document.NewLazyDocument(value)}}
	var nf *istypes.ResourceNotFoundException
	if user {
		out, err := c.GetUserId(ctx, &identitystore.GetUserIdInput{IdentityStoreId: &inst.IdentityStoreId, AlternateIdentifier: alt})
		if errors.As(err, &nf) {
			return "", fmt.Errorf("user %q: %w", value, ErrNotFound)
		}
		if err != nil {
			return "", fmt.Errorf("look up user %q: %w", value, err)
		}
		return aws.ToString(out.UserId), nil
	}
	out, err := c.GetGroupId(ctx, &identitystore.GetGroupIdInput{IdentityStoreId: &inst.IdentityStoreId, AlternateIdentifier: alt})
	if errors.As(err, &nf) {
		return "", fmt.Errorf("group %q: %w", value, ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("look up group %q: %w", value, err)
	}
	return aws.ToString(out.GroupId), nil
}

// DescribeUser reads one user.
func DescribeUser(ctx context.Context, c IdentityStore, inst Instance, id string) (User, error) {
	out, err := c.DescribeUser(ctx, &identitystore.DescribeUserInput{IdentityStoreId: &inst.IdentityStoreId, UserId: &id})
	var nf *istypes.ResourceNotFoundException
	if errors.As(err, &nf) {
		return User{}, fmt.Errorf("user %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return User{}, fmt.Errorf("describe user %s: %w", id, err)
	}
	return userOf(out.UserId, out.UserName, out.DisplayName, out.Emails, out.UserStatus, out.ExternalIds), nil
}

// DescribeGroup reads one group.
func DescribeGroup(ctx context.Context, c IdentityStore, inst Instance, id string) (Group, error) {
	out, err := c.DescribeGroup(ctx, &identitystore.DescribeGroupInput{IdentityStoreId: &inst.IdentityStoreId, GroupId: &id})
	var nf *istypes.ResourceNotFoundException
	if errors.As(err, &nf) {
		return Group{}, fmt.Errorf("group %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return Group{}, fmt.Errorf("describe group %s: %w", id, err)
	}
	return groupOf(out.GroupId, out.DisplayName, out.Description, out.ExternalIds), nil
}
