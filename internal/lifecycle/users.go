package lifecycle

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/identitystore/document"
	istypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"

	"github.com/ssoctl/ssoctl/internal/awsclient"
	"github.com/ssoctl/ssoctl/internal/inventory"
	"github.com/ssoctl/ssoctl/internal/lifecycle/executor"
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

// CreatePlan is what `user create` will do for one person.
type CreatePlan struct {
	User NewUser `json:"user"`
	// Exists: a user of that name is already there (its id); only the
	// access is planned, so a re-run after an interruption finishes.
	Exists string     `json:"existingUserId,omitempty"`
	Access AccessPlan `json:"access"`
}

// PlanCreate plans creating one person and giving them their bundle.
func (d *Directory) PlanCreate(ctx context.Context, cfg *orgconfig.Config, n NewUser, force bool) (CreatePlan, error) {
	if err := n.Normalize(cfg, force); err != nil {
		return CreatePlan{}, err
	}
	p := CreatePlan{User: n}
	u := inventory.User{UserName: n.UserName, DisplayName: n.DisplayName, Email: n.Email}
	id, err := inventory.UserID(ctx, d.c.IdentityStore, d.inst, n.UserName)
	switch {
	case err == nil:
		p.Exists, u.Id = id, id
	case !errors.Is(err, inventory.ErrNotFound):
		return CreatePlan{}, err
	}
	var targets []Target
	if n.Access != "" {
		if cfg == nil {
			return CreatePlan{}, fmt.Errorf("access bundle %q: no org settings file", n.Access)
		}
		b, err := cfg.Bundle(n.Access)
		if err != nil {
			return CreatePlan{}, err
		}
		var skipped []Skipped
		targets, skipped, err = d.BundleTargets(ctx, b)
		if err != nil {
			return CreatePlan{}, err
		}
		p.Access.Skipped = skipped
	}
	ap, err := d.PlanAccess(ctx, u, targets, nil)
	if err != nil {
		return CreatePlan{}, err
	}
	ap.Skipped = p.Access.Skipped
	p.Access = ap
	return p, nil
}

// CreateResult is the outcome of one CreatePlan.
type CreateResult struct {
	User    inventory.User  `json:"user"`
	Created bool            `json:"created"`
	Access  executor.Report `json:"access"`
}

// ApplyCreate creates the user (unless they exist) and their access.
func (d *Directory) ApplyCreate(ctx context.Context, p CreatePlan, opts executor.Options) (CreateResult, error) {
	res := CreateResult{User: inventory.User{Id: p.Exists, UserName: p.User.UserName, DisplayName: p.User.DisplayName, Email: p.User.Email, Status: "ENABLED"}}
	if p.Exists == "" {
		out, err := d.c.IdentityStore.CreateUser(ctx, &identitystore.CreateUserInput{
			IdentityStoreId: &d.inst.IdentityStoreId,
			UserName:        aws.String(p.User.UserName),
			DisplayName:     aws.String(p.User.DisplayName),
			Name:            &istypes.Name{GivenName: aws.String(p.User.GivenName), FamilyName: aws.String(p.User.FamilyName), Formatted: aws.String(p.User.DisplayName)},
			Emails:          []istypes.Email{{Value: aws.String(p.User.Email), Type: aws.String("work"), Primary: true}},
		})
		if err != nil {
			return res, fmt.Errorf("create user %s: %s", p.User.UserName, apiMessage(err))
		}
		res.User.Id, res.Created = aws.ToString(out.UserId), true
	}
	plan := p.Access.Plan
	plan.Changes = append([]executor.Change(nil), plan.Changes...)
	for i := range plan.Changes {
		plan.Changes[i].PrincipalId = res.User.Id
	}
	rep, err := executor.Apply(ctx, d.c.SSOAdmin, plan, opts)
	res.Access = rep
	return res, err
}

// apiMessage is an API error's code and message without the SDK's wrapping.
func apiMessage(err error) string { return awsclient.Message(err) }

// Row is one line of a people CSV: the person, or why the line is unusable.
type Row struct {
	Line int     `json:"line"`
	User NewUser `json:"user"`
	Err  error   `json:"-"`
}

// ReadPeople reads a CSV with the header username,given_name,family_name,
// email,access (email and access may be empty or absent; columns in any
// order). A row that cannot be read is returned with its error; the others
// go on.
func ReadPeople(r io.Reader) ([]Row, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("read the CSV header: %w", err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	for _, need := range []string{"username", "given_name", "family_name"} {
		if _, ok := col[need]; !ok {
			return nil, fmt.Errorf("the CSV header needs the columns username,given_name,family_name (and optionally email,access); it has %s", strings.Join(header, ","))
		}
	}
	get := func(rec []string, name string) string {
		i, ok := col[name]
		if !ok || i >= len(rec) {
			return ""
		}
		return strings.TrimSpace(rec[i])
	}
	var rows []Row
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				rows = append(rows, Row{Line: pe.StartLine, Err: fmt.Errorf("line %d: %v", pe.StartLine, pe.Err)})
				continue
			}
			return rows, err
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		rows = append(rows, Row{Line: line, User: NewUser{
			UserName: get(rec, "username"), GivenName: get(rec, "given_name"), FamilyName: get(rec, "family_name"),
			Email: get(rec, "email"), Access: get(rec, "access"), DisplayName: get(rec, "display_name"),
		}})
	}
	return rows, nil
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
	Assignments executor.Plan  `json:"assignments"`
	Memberships []Membership   `json:"memberships"`
	// Disable keeps the user, disabled, instead of deleting them.
	Disable bool `json:"disable"`
}

// PlanOffboard lists everything of the user's to remove.
func (d *Directory) PlanOffboard(ctx context.Context, u inventory.User, disable bool) (OffboardPlan, error) {
	p := OffboardPlan{User: u, Disable: disable, Assignments: executor.Plan{InstanceArn: d.inst.Arn}}
	direct, err := d.Direct(ctx, u)
	if err != nil {
		return p, err
	}
	for _, a := range direct {
		p.Assignments.Changes = append(p.Assignments.Changes, executor.Change{Op: executor.Delete,
			Assignment:  executor.Assignment{AccountId: a.AccountId, PermissionSetArn: a.PermissionSetArn, PrincipalType: a.PrincipalType, PrincipalId: a.PrincipalId},
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
	var out []Membership
	pg := identitystore.NewListGroupMembershipsForMemberPaginator(d.c.IdentityStore, &identitystore.ListGroupMembershipsForMemberInput{
		IdentityStoreId: &d.inst.IdentityStoreId, MemberId: &istypes.MemberIdMemberUserId{Value: userID}})
	for pg.HasMorePages() {
		page, err := pg.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list group memberships: %w", err)
		}
		for _, m := range page.GroupMemberships {
			out = append(out, Membership{MembershipId: aws.ToString(m.MembershipId), GroupId: aws.ToString(m.GroupId)})
		}
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
	Assignments executor.Report    `json:"assignments"`
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
func (d *Directory) ApplyOffboard(ctx context.Context, p OffboardPlan, opts executor.Options) (OffboardResult, error) {
	res := OffboardResult{User: p.User}
	rep, err := executor.Apply(ctx, d.c.SSOAdmin, p.Assignments, opts)
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
	if p.Disable {
		_, err = d.c.IdentityStore.UpdateUser(ctx, &identitystore.UpdateUserInput{IdentityStoreId: &d.inst.IdentityStoreId, UserId: &p.User.Id,
			Operations: []istypes.AttributeOperation{{AttributePath: aws.String("userStatus"), AttributeValue: document.NewLazyDocument("DISABLED")}}})
		res.Disabled = err == nil
	} else {
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
