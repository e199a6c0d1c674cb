package lifecycle

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	istypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"

	"github.com/ssoctl/ssoctl/internal/inventory"
)

// The welcome e-mail of `user create --notify` stays part of the plan until
// it was sent. The record of what is still to send lives in AWS, beside the
// users, so any administrator's re-run (from any machine) sees it: the
// identity-store group WelcomeGroup, whose members are the users whose
// welcome e-mail has not been sent. A user is added when created with
// --notify and removed once SES accepted their e-mail (by `user create` or
// `user notify --template welcome`).
//
// Why a group: identity-store users carry no tags, and every free attribute
// (nick name, title, user type…) is shown in the access portal or owned by
// the IdP under SCIM; a membership is a first-class record that costs one
// call to write or remove and one paged listing to read, that the console
// shows ("who has not had their welcome e-mail"), and that offboarding
// removes with the others. The group is given no assignment, so it grants
// nothing. A local database would miss the runs of other administrators
// and other machines.

// WelcomeGroup is the group whose members still await their welcome e-mail.
const WelcomeGroup = "ssoctl-welcome-pending"

const welcomeGroupDescription = "Users whose ssoctl welcome e-mail is not sent yet; ssoctl adds and removes them. Grants nothing: do not assign this group."

// welcomeGroupID finds WelcomeGroup ("" when there is none), creating it
// when create is set.
func (d *Directory) welcomeGroupID(ctx context.Context, create bool) (string, error) {
	if d.welcomeGroup != "" {
		return d.welcomeGroup, nil
	}
	id, err := inventory.GroupID(ctx, d.c.IdentityStore, d.inst, WelcomeGroup)
	switch {
	case err == nil:
		d.welcomeGroup = id
		return id, nil
	case !errors.Is(err, inventory.ErrNotFound):
		return "", err
	case !create:
		return "", nil
	}
	out, err := d.c.IdentityStore.CreateGroup(ctx, &identitystore.CreateGroupInput{IdentityStoreId: &d.inst.IdentityStoreId,
		DisplayName: aws.String(WelcomeGroup), Description: aws.String(welcomeGroupDescription)})
	var conflict *istypes.ConflictException
	if errors.As(err, &conflict) { // made meanwhile by another run
		return d.welcomeGroupID(ctx, false)
	}
	if err != nil {
		return "", fmt.Errorf("create group %s: %s", WelcomeGroup, apiMessage(err))
	}
	d.welcomeGroup = aws.ToString(out.GroupId)
	return d.welcomeGroup, nil
}

// PendingWelcomes maps each user whose welcome e-mail was never sent to
// the membership that records it.
func (d *Directory) PendingWelcomes(ctx context.Context) (map[string]string, error) {
	gid, err := d.welcomeGroupID(ctx, false)
	if err != nil || gid == "" {
		return nil, err
	}
	out := map[string]string{}
	p := identitystore.NewListGroupMembershipsPaginator(d.c.IdentityStore, &identitystore.ListGroupMembershipsInput{IdentityStoreId: &d.inst.IdentityStoreId, GroupId: &gid, MaxResults: aws.Int32(100)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list the members of %s: %w", WelcomeGroup, err)
		}
		for _, m := range page.GroupMemberships {
			if u, ok := m.MemberId.(*istypes.MemberIdMemberUserId); ok {
				out[u.Value] = aws.ToString(m.MembershipId)
			}
		}
	}
	return out, nil
}

// PendingWelcome is the membership recording that userID's welcome e-mail
// was never sent ("" when it is not pending).
func (d *Directory) PendingWelcome(ctx context.Context, userID string) (string, error) {
	gid, err := d.welcomeGroupID(ctx, false)
	if err != nil || gid == "" {
		return "", err
	}
	out, err := d.c.IdentityStore.GetGroupMembershipId(ctx, &identitystore.GetGroupMembershipIdInput{IdentityStoreId: &d.inst.IdentityStoreId,
		GroupId: &gid, MemberId: &istypes.MemberIdMemberUserId{Value: userID}})
	var nf *istypes.ResourceNotFoundException
	if errors.As(err, &nf) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("look up %s: %w", WelcomeGroup, err)
	}
	return aws.ToString(out.MembershipId), nil
}

// recordWelcome marks userID's welcome e-mail as still to send.
func (d *Directory) recordWelcome(ctx context.Context, userID string) (string, error) {
	gid, err := d.welcomeGroupID(ctx, true)
	if err != nil {
		return "", err
	}
	out, err := d.c.IdentityStore.CreateGroupMembership(ctx, &identitystore.CreateGroupMembershipInput{IdentityStoreId: &d.inst.IdentityStoreId,
		GroupId: &gid, MemberId: &istypes.MemberIdMemberUserId{Value: userID}})
	var conflict *istypes.ConflictException
	if errors.As(err, &conflict) {
		return d.PendingWelcome(ctx, userID)
	}
	if err != nil {
		return "", fmt.Errorf("add the user to %s: %s", WelcomeGroup, apiMessage(err))
	}
	return aws.ToString(out.MembershipId), nil
}

// WelcomeSent clears the record of a pending welcome e-mail (its
// membership id; "" is nothing to clear) once the e-mail was sent.
func (d *Directory) WelcomeSent(ctx context.Context, membershipID string) error {
	if membershipID == "" {
		return nil
	}
	_, err := d.c.IdentityStore.DeleteGroupMembership(ctx, &identitystore.DeleteGroupMembershipInput{IdentityStoreId: &d.inst.IdentityStoreId, MembershipId: &membershipID})
	var nf *istypes.ResourceNotFoundException
	if err != nil && !errors.As(err, &nf) {
		return fmt.Errorf("remove the user from %s: %s", WelcomeGroup, apiMessage(err))
	}
	return nil
}
