package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/identitystore/document"
	istypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"

	"github.com/ssoctl/ssoctl/internal/assignments"
	"github.com/ssoctl/ssoctl/internal/assignments/execute"
	"github.com/ssoctl/ssoctl/internal/inventory"
	"github.com/ssoctl/ssoctl/internal/orgconfig"
)

// NewUser is a person to create.
type NewUser struct {
	UserName    string `json:"userName"`
	GivenName   string `json:"givenName"`
	FamilyName  string `json:"familyName"`
	Email       string `json:"email"`
	DisplayName string `json:"displayName"`
	// Access names a bundle of the org settings ("" for none).
	Access string `json:"access,omitempty"`
}

// ErrOutsideDomain: the address is not in the org's current domain.
var ErrOutsideDomain = errors.New("e-mail address outside the organization's domain")

// Normalize fills the defaults (e-mail from the user name and domain,
// display name from the names) and checks the fields as Identity Center
// does; an address outside cfg's domain is refused unless force.
func (n *NewUser) Normalize(cfg *orgconfig.Config, force bool) error {
	n.UserName = strings.TrimSpace(n.UserName)
	n.GivenName, n.FamilyName = strings.TrimSpace(n.GivenName), strings.TrimSpace(n.FamilyName)
	n.Email = strings.TrimSpace(n.Email)
	switch {
	case n.UserName == "":
		return errors.New("a user name is required")
	case len(n.UserName) > 128 || strings.ContainsAny(n.UserName, " \t\r\n"):
		return fmt.Errorf("user name %q: at most 128 characters, no spaces", n.UserName)
	case n.GivenName == "" || n.FamilyName == "":
		return fmt.Errorf("user %s: given name and family name are required", n.UserName)
	}
	if n.Email == "" {
		switch {
		case strings.Contains(n.UserName, "@"):
			n.Email = n.UserName
		case cfg != nil && cfg.Domain != "":
			n.Email = n.UserName + "@" + cfg.Domain
		default:
			return fmt.Errorf("user %s: an e-mail address is required (or set domain: in the org settings)", n.UserName)
		}
	}
	if a, err := mail.ParseAddress(n.Email); err != nil || a.Address != n.Email {
		return fmt.Errorf("user %s: %q is not an e-mail address", n.UserName, n.Email)
	}
	if cfg != nil && !force && !cfg.InDomain(n.Email) {
		what := "not in"
		if cfg.IsLegacy(n.Email) {
			what = "in the legacy domain " + orgconfig.DomainOf(n.Email) + ", not"
		}
		return fmt.Errorf("user %s: %s is %s %s (%w; --force creates it anyway)", n.UserName, n.Email, what, cfg.Domain, ErrOutsideDomain)
	}
	if n.DisplayName == "" {
		n.DisplayName = n.GivenName + " " + n.FamilyName
	}
	return nil
}

// Membership is one group membership of a user.
type Membership struct {
	MembershipId string `json:"membershipId"`
	GroupId      string `json:"groupId"`
	GroupName    string `json:"groupName"`
}

// OffboardPlan is what `user offboard` will do.
type OffboardPlan struct {
	User        inventory.User `json:"user"`
	Assignments execute.Plan   `json:"assignments"`
	Memberships []Membership   `json:"memberships"`
	// Disable keeps the user, disabled, instead of deleting them.
	Disable bool `json:"disable"`
}

// Todo reports whether the offboarding changes anything: something to
// remove, a user to delete, or one to disable who is not disabled yet (a
// second --disable run has nothing to do).
func (p OffboardPlan) Todo() bool {
	return len(p.Assignments.Changes) > 0 || len(p.Memberships) > 0 || !p.Disable || p.User.Status != "DISABLED"
}

// PlanOffboard lists everything of the user's to remove.
func (d *Directory) PlanOffboard(ctx context.Context, u inventory.User, disable bool) (OffboardPlan, error) {
	p := OffboardPlan{User: u, Disable: disable, Assignments: execute.Plan{InstanceArn: d.inst.Arn}}
	direct, err := d.Direct(ctx, u)
	if err != nil {
		return p, err
	}
	for _, a := range direct {
		p.Assignments.Changes = append(p.Assignments.Changes, execute.Change{Op: execute.Delete,
			Assignment:  assignments.Assignment{AccountId: a.AccountId, PermissionSetArn: a.PermissionSetArn, PrincipalType: a.PrincipalType, PrincipalId: a.PrincipalId},
			AccountName: d.AccountName(ctx, a.AccountId), PermissionSetName: d.PermissionSetName(ctx, a.PermissionSetArn), PrincipalName: u.UserName})
	}
	ms, err := d.memberships(ctx, u.Id)
	if err != nil {
		return p, err
	}
	p.Memberships = ms
	return p, nil
}

func (d *Directory) memberships(ctx context.Context, userID string) ([]Membership, error) {
	ms, err := inventory.MembershipsOf(ctx, d.c.IdentityStore, d.inst, userID)
	if err != nil {
		return nil, err
	}
	var out []Membership
	for _, m := range ms {
		out = append(out, Membership{MembershipId: m.Id, GroupId: m.GroupId})
	}
	for i := range out {
		if g, err := inventory.DescribeGroup(ctx, d.c.IdentityStore, d.inst, out[i].GroupId); err == nil {
			out[i].GroupName = g.Name
		}
	}
	return out, nil
}

// MembershipResult is the outcome of removing one membership.
type MembershipResult struct {
	Membership
	Removed bool   `json:"removed"`
	Error   string `json:"error,omitempty"`
}

// OffboardResult is the outcome of an offboarding.
type OffboardResult struct {
	User        inventory.User     `json:"user"`
	Assignments execute.Report     `json:"assignments"`
	Memberships []MembershipResult `json:"memberships"`
	// Remaining is what a final check still found (it must be nothing
	// before the user is removed).
	Remaining []string `json:"remaining,omitempty"`
	// UserRemoved: the user was deleted (or disabled, with Disable).
	UserRemoved bool   `json:"userRemoved"`
	Disabled    bool   `json:"disabled"`
	Error       string `json:"error,omitempty"`
}

// OK reports whether the offboarding finished.
func (r OffboardResult) OK() bool { return r.UserRemoved }

// ApplyOffboard removes every assignment (each deletion confirmed
// SUCCEEDED by the executor) and every membership, checks again that none
// is left, and only then deletes (or disables) the user. Anything that
// fails keeps the user.
func (d *Directory) ApplyOffboard(ctx context.Context, p OffboardPlan, opts execute.Options) (OffboardResult, error) {
	res := OffboardResult{User: p.User}
	rep, err := execute.Apply(ctx, d.c.SSOAdmin, p.Assignments, opts)
	res.Assignments = rep
	if err != nil {
		return res, err
	}
	for _, m := range p.Memberships {
		mr := MembershipResult{Membership: m}
		_, err := d.c.IdentityStore.DeleteGroupMembership(ctx, &identitystore.DeleteGroupMembershipInput{IdentityStoreId: &d.inst.IdentityStoreId, MembershipId: aws.String(m.MembershipId)})
		var nf *istypes.ResourceNotFoundException
		switch {
		case err == nil, errors.As(err, &nf):
			mr.Removed = true
		case ctx.Err() != nil:
			return res, ctx.Err()
		default:
			mr.Error = apiMessage(err)
		}
		res.Memberships = append(res.Memberships, mr)
	}
	// Confirm nothing is left, whatever the steps reported.
	direct, err := d.Direct(ctx, p.User)
	if err != nil {
		return res, err
	}
	for _, a := range direct {
		res.Remaining = append(res.Remaining, fmt.Sprintf("assignment %s on %s", nonEmpty(d.PermissionSetName(ctx, a.PermissionSetArn), a.PermissionSetArn), a.AccountId))
	}
	ms, err := d.memberships(ctx, p.User.Id)
	if err != nil {
		return res, err
	}
	for _, m := range ms {
		res.Remaining = append(res.Remaining, "membership of group "+nonEmpty(m.GroupName, m.GroupId))
	}
	if len(res.Remaining) > 0 || !rep.OK() {
		res.Error = "the user was kept: not everything could be removed"
		return res, nil
	}
	switch {
	case p.Disable && p.User.Status == "DISABLED":
		res.Disabled = true
	case p.Disable:
		_, err = d.c.IdentityStore.UpdateUser(ctx, &identitystore.UpdateUserInput{IdentityStoreId: &d.inst.IdentityStoreId, UserId: &p.User.Id,
			Operations: []istypes.AttributeOperation{{AttributePath: aws.String("userStatus"), AttributeValue: document.NewLazyDocument("DISABLED")}}})
		res.Disabled = err == nil
	default:
		_, err = d.c.IdentityStore.DeleteUser(ctx, &identitystore.DeleteUserInput{IdentityStoreId: &d.inst.IdentityStoreId, UserId: &p.User.Id})
	}
	if err != nil {
		res.Error = apiMessage(err)
		return res, nil
	}
	res.UserRemoved = true
	return res, nil
}

func nonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
