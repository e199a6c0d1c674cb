package inventory

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	istypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	satypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"
)

// Member is one user's membership of a group, with the membership's id:
// DeleteGroupMembership names only that id, so an incremental audit keeps
// it to tell which user left which group.
type Member struct {
	UserId       string `json:"userId"`
	MembershipId string `json:"membershipId,omitempty"`
}

// GroupMemberships lists the users in a group with their membership ids,
// in the store's order (the calls GroupMembers makes).
func GroupMemberships(ctx context.Context, c IdentityStore, inst Instance, groupID string) ([]Member, error) {
	var out []Member
	p := identitystore.NewListGroupMembershipsPaginator(c, &identitystore.ListGroupMembershipsInput{IdentityStoreId: &inst.IdentityStoreId, GroupId: &groupID, MaxResults: aws.Int32(100)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			var nf *istypes.ResourceNotFoundException
			if errors.As(err, &nf) {
				return nil, fmt.Errorf("group %s: %w", groupID, ErrNotFound)
			}
			return nil, fmt.Errorf("list members of group %s: %w", groupID, err)
		}
		for _, m := range page.GroupMemberships {
			if id, ok := m.MemberId.(*istypes.MemberIdMemberUserId); ok {
				out = append(out, Member{UserId: id.Value, MembershipId: aws.ToString(m.MembershipId)})
			}
		}
	}
	return out, nil
}

// ProvisionedToAccount lists the permission sets provisioned to an
// account; status "" is all, else LATEST_PERMISSION_SET_PROVISIONED or
// LATEST_PERMISSION_SET_NOT_PROVISIONED.
func ProvisionedToAccount(ctx context.Context, c SSOAdmin, inst Instance, account, status string) ([]string, error) {
	in := &ssoadmin.ListPermissionSetsProvisionedToAccountInput{InstanceArn: &inst.Arn, AccountId: &account, MaxResults: aws.Int32(100)}
	if status != "" {
		in.ProvisioningStatus = satypes.ProvisioningStatus(status)
	}
	var out []string
	p := ssoadmin.NewListPermissionSetsProvisionedToAccountPaginator(c, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list permission sets provisioned to account %s: %w", account, err)
		}
		out = append(out, page.PermissionSets...)
	}
	return out, nil
}

// DescribePermissionSet reads one permission set; one that does not exist
// (any more) wraps ErrNotFound.
func DescribePermissionSet(ctx context.Context, c SSOAdmin, inst Instance, arn string) (PermissionSet, error) {
	out, err := c.DescribePermissionSet(ctx, &ssoadmin.DescribePermissionSetInput{InstanceArn: &inst.Arn, PermissionSetArn: aws.String(arn)})
	var nf *satypes.ResourceNotFoundException
	if errors.As(err, &nf) {
		return PermissionSet{}, fmt.Errorf("permission set %s: %w", arn, ErrNotFound)
	}
	if err != nil {
		return PermissionSet{}, fmt.Errorf("describe permission set %s: %w", arn, err)
	}
	ps := out.PermissionSet
	return PermissionSet{Arn: arn, Name: aws.ToString(ps.Name), Description: aws.ToString(ps.Description), SessionDuration: aws.ToString(ps.SessionDuration)}, nil
}
