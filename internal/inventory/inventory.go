// Package inventory is the org directory: it reads what an Identity Center
// organization holds — the instance, accounts (with their State), the OU
// tree, permission sets, users, groups, memberships and provisioning — with
// bulk list calls and the SDK's paginators, never one Describe call per
// principal, and resolves names to ids with suggestions for the misspelt.
// Directory holds each listing once for every package that asks (the
// audit, the assignment lister, the user lifecycle, access questions, the
// assignments file); none lists accounts, OUs, permission sets, users or
// groups itself. Assignments are read by the assignments family's lister
// (internal/assignments/list).
package inventory

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	satypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"

	"github.com/ssoctl/ssoctl/internal/fanout"
)

// SSOAdmin lists the sso-admin calls inventory makes.
type SSOAdmin interface {
	ListInstances(context.Context, *ssoadmin.ListInstancesInput, ...func(*ssoadmin.Options)) (*ssoadmin.ListInstancesOutput, error)
	ListPermissionSets(context.Context, *ssoadmin.ListPermissionSetsInput, ...func(*ssoadmin.Options)) (*ssoadmin.ListPermissionSetsOutput, error)
	DescribePermissionSet(context.Context, *ssoadmin.DescribePermissionSetInput, ...func(*ssoadmin.Options)) (*ssoadmin.DescribePermissionSetOutput, error)
	ListAccountsForProvisionedPermissionSet(context.Context, *ssoadmin.ListAccountsForProvisionedPermissionSetInput, ...func(*ssoadmin.Options)) (*ssoadmin.ListAccountsForProvisionedPermissionSetOutput, error)
	ListPermissionSetsProvisionedToAccount(context.Context, *ssoadmin.ListPermissionSetsProvisionedToAccountInput, ...func(*ssoadmin.Options)) (*ssoadmin.ListPermissionSetsProvisionedToAccountOutput, error)
	ListAccountAssignments(context.Context, *ssoadmin.ListAccountAssignmentsInput, ...func(*ssoadmin.Options)) (*ssoadmin.ListAccountAssignmentsOutput, error)
	ListAccountAssignmentsForPrincipal(context.Context, *ssoadmin.ListAccountAssignmentsForPrincipalInput, ...func(*ssoadmin.Options)) (*ssoadmin.ListAccountAssignmentsForPrincipalOutput, error)
}

// IdentityStore lists the identitystore calls inventory makes.
type IdentityStore interface {
	ListUsers(context.Context, *identitystore.ListUsersInput, ...func(*identitystore.Options)) (*identitystore.ListUsersOutput, error)
	ListGroups(context.Context, *identitystore.ListGroupsInput, ...func(*identitystore.Options)) (*identitystore.ListGroupsOutput, error)
	ListGroupMemberships(context.Context, *identitystore.ListGroupMembershipsInput, ...func(*identitystore.Options)) (*identitystore.ListGroupMembershipsOutput, error)
	ListGroupMembershipsForMember(context.Context, *identitystore.ListGroupMembershipsForMemberInput, ...func(*identitystore.Options)) (*identitystore.ListGroupMembershipsForMemberOutput, error)
	GetUserId(context.Context, *identitystore.GetUserIdInput, ...func(*identitystore.Options)) (*identitystore.GetUserIdOutput, error)
	GetGroupId(context.Context, *identitystore.GetGroupIdInput, ...func(*identitystore.Options)) (*identitystore.GetGroupIdOutput, error)
	DescribeUser(context.Context, *identitystore.DescribeUserInput, ...func(*identitystore.Options)) (*identitystore.DescribeUserOutput, error)
	DescribeGroup(context.Context, *identitystore.DescribeGroupInput, ...func(*identitystore.Options)) (*identitystore.DescribeGroupOutput, error)
}

// Organizations lists the organizations calls inventory makes.
type Organizations interface {
	ListAccounts(context.Context, *organizations.ListAccountsInput, ...func(*organizations.Options)) (*organizations.ListAccountsOutput, error)
	DescribeAccount(context.Context, *organizations.DescribeAccountInput, ...func(*organizations.Options)) (*organizations.DescribeAccountOutput, error)
	ListRoots(context.Context, *organizations.ListRootsInput, ...func(*organizations.Options)) (*organizations.ListRootsOutput, error)
	ListOrganizationalUnitsForParent(context.Context, *organizations.ListOrganizationalUnitsForParentInput, ...func(*organizations.Options)) (*organizations.ListOrganizationalUnitsForParentOutput, error)
	ListAccountsForParent(context.Context, *organizations.ListAccountsForParentInput, ...func(*organizations.Options)) (*organizations.ListAccountsForParentOutput, error)
	ListParents(context.Context, *organizations.ListParentsInput, ...func(*organizations.Options)) (*organizations.ListParentsOutput, error)
	DescribeOrganizationalUnit(context.Context, *organizations.DescribeOrganizationalUnitInput, ...func(*organizations.Options)) (*organizations.DescribeOrganizationalUnitOutput, error)
	DescribeOrganization(context.Context, *organizations.DescribeOrganizationInput, ...func(*organizations.Options)) (*organizations.DescribeOrganizationOutput, error)
}

// Clients are the services inventory reads.
type Clients struct {
	SSOAdmin      SSOAdmin
	IdentityStore IdentityStore
	Organizations Organizations
	// Concurrency bounds the calls in flight per fan-out (0 means 16). The
	// clients' own token buckets keep the rate under the quotas.
	Concurrency int
}

func (c Clients) limit() int {
	if c.Concurrency > 0 {
		return c.Concurrency
	}
	return 16
}

// Instance is an Identity Center instance.
type Instance struct {
	Arn             string `json:"instanceArn"`
	IdentityStoreId string `json:"identityStoreId"`
}

// Account is an organization account.
type Account struct {
	Id    string `json:"accountId"`
	Name  string `json:"accountName"`
	Email string `json:"email"`
	// Status is the account's Organizations State: ACTIVE, SUSPENDED,
	// PENDING_CLOSURE, PENDING_ACTIVATION or CLOSED (the JSON name is
	// ssoctl's own and stays).
	Status string `json:"status"`
}

// PermissionSet is a permission set's identity.
type PermissionSet struct {
	Arn             string `json:"permissionSetArn"`
	Name            string `json:"name"`
	Description     string `json:"description,omitempty"`
	SessionDuration string `json:"sessionDuration,omitempty"`
	// RelayState and Created are what DescribePermissionSet also tells
	// (kept for callers that read a set's every attribute; not output).
	RelayState string    `json:"-"`
	Created    time.Time `json:"-"`
}

// User is an identity-store user.
type User struct {
	Id          string `json:"userId"`
	UserName    string `json:"userName"`
	DisplayName string `json:"displayName"`
	Email       string `json:"email"`
	Status      string `json:"userStatus"`
	// ExternalIssuer is the issuer of the first identifier an external
	// identity provider (SCIM) gave the user, "" when none (not output).
	ExternalIssuer string `json:"-"`
}

// Group is an identity-store group.
type Group struct {
	Id   string `json:"groupId"`
	Name string `json:"displayName"`
	// Description and ExternalIds (the identifiers an external identity
	// provider gave the group, by SCIM) are read with it (not output).
	Description string       `json:"-"`
	ExternalIds []ExternalId `json:"-"`
}

// ExternalId is an identifier an external identity provider gave a user or
// group.
type ExternalId struct {
	Issuer string `json:"issuer"`
	Id     string `json:"id"`
}

// Errors worth telling apart.
var (
	ErrNoInstance    = errors.New("no IAM Identity Center instance found for these credentials and region")
	ErrManyInstances = errors.New("several IAM Identity Center instances found; choose one with --instance-arn")
)

// FindInstance returns the instance to use: the one named by arn, or the
// only one there is.
func FindInstance(ctx context.Context, c SSOAdmin, arn string) (Instance, error) {
	var all []Instance
	p := ssoadmin.NewListInstancesPaginator(c, &ssoadmin.ListInstancesInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return Instance{}, fmt.Errorf("list Identity Center instances: %w", err)
		}
		for _, in := range page.Instances {
			all = append(all, Instance{Arn: aws.ToString(in.InstanceArn), IdentityStoreId: aws.ToString(in.IdentityStoreId)})
		}
	}
	if arn != "" {
		for _, in := range all {
			if in.Arn == arn {
				return in, nil
			}
		}
		return Instance{}, fmt.Errorf("instance %s not found (found %d)", arn, len(all))
	}
	switch len(all) {
	case 0:
		return Instance{}, ErrNoInstance
	case 1:
		return all[0], nil
	}
	return Instance{}, ErrManyInstances
}

// Accounts lists every account of the organization, sorted by id.
func Accounts(ctx context.Context, c Organizations) ([]Account, error) {
	var out []Account
	next := accountPages(c)
	for more := true; more; {
		var page []Account
		var err error
		if page, more, err = next(ctx); err != nil {
			return nil, err
		}
		out = append(out, page...)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Id < out[j].Id })
	return out, nil
}

// accountPages pages ListAccounts with the SDK's paginator — the one place
// ssoctl lists the organization's accounts. Each call gives the next page
// and whether another follows, so a caller may stop early.
func accountPages(c Organizations) func(context.Context) ([]Account, bool, error) {
	p := organizations.NewListAccountsPaginator(c, &organizations.ListAccountsInput{})
	return func(ctx context.Context) ([]Account, bool, error) {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, false, fmt.Errorf("list accounts: %w", err)
		}
		out := make([]Account, 0, len(page.Accounts))
		for _, a := range page.Accounts {
			out = append(out, accountOf(a))
		}
		return out, p.HasMorePages(), nil
	}
}

// accountOf converts an organizations account. Its status is the account's
// State: AWS retired the Status member on 2026-09-09 and no longer sends it.
func accountOf(a orgtypes.Account) Account {
	return Account{Id: aws.ToString(a.Id), Name: aws.ToString(a.Name), Email: aws.ToString(a.Email), Status: string(a.State)}
}

// PermissionSetArns lists the instance's permission set ARNs.
func PermissionSetArns(ctx context.Context, c SSOAdmin, inst Instance) ([]string, error) {
	var out []string
	p := ssoadmin.NewListPermissionSetsPaginator(c, &ssoadmin.ListPermissionSetsInput{InstanceArn: &inst.Arn, MaxResults: aws.Int32(100)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list permission sets: %w", err)
		}
		out = append(out, page.PermissionSets...)
	}
	sort.Strings(out)
	return out, nil
}

// DescribePermissionSets describes each ARN concurrently, in input order.
func DescribePermissionSets(ctx context.Context, c Clients, inst Instance, arns []string) ([]PermissionSet, error) {
	res := fanout.Map(ctx, arns, c.limit(), func(ctx context.Context, arn string) (PermissionSet, error) {
		out, err := c.SSOAdmin.DescribePermissionSet(ctx, &ssoadmin.DescribePermissionSetInput{InstanceArn: &inst.Arn, PermissionSetArn: aws.String(arn)})
		if err != nil {
			return PermissionSet{}, fmt.Errorf("describe permission set %s: %w", arn, err)
		}
		ps := out.PermissionSet
		return PermissionSet{Arn: arn, Name: aws.ToString(ps.Name), Description: aws.ToString(ps.Description), SessionDuration: aws.ToString(ps.SessionDuration),
			RelayState: aws.ToString(ps.RelayState), Created: aws.ToTime(ps.CreatedDate)}, nil
	})
	sets := make([]PermissionSet, 0, len(res))
	for _, r := range res {
		if r.Err != nil {
			return nil, r.Err
		}
		sets = append(sets, r.Value)
	}
	return sets, nil
}

// PermissionSets lists and describes every permission set, sorted by name.
func PermissionSets(ctx context.Context, c Clients, inst Instance) ([]PermissionSet, error) {
	arns, err := PermissionSetArns(ctx, c.SSOAdmin, inst)
	if err != nil {
		return nil, err
	}
	sets, err := DescribePermissionSets(ctx, c, inst, arns)
	if err != nil {
		return nil, err
	}
	sort.Slice(sets, func(i, j int) bool { return sets[i].Name < sets[j].Name })
	return sets, nil
}

// ProvisionedAccounts lists the accounts a permission set is provisioned
// to; status "" is all, else LATEST_PERMISSION_SET_PROVISIONED or
// LATEST_PERMISSION_SET_NOT_PROVISIONED.
func ProvisionedAccounts(ctx context.Context, c SSOAdmin, inst Instance, psArn, status string) ([]string, error) {
	in := &ssoadmin.ListAccountsForProvisionedPermissionSetInput{InstanceArn: &inst.Arn, PermissionSetArn: &psArn, MaxResults: aws.Int32(100)}
	if status != "" {
		in.ProvisioningStatus = satypes.ProvisioningStatus(status)
	}
	var out []string
	p := ssoadmin.NewListAccountsForProvisionedPermissionSetPaginator(c, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list accounts provisioned with %s: %w", psArn, err)
		}
		out = append(out, page.AccountIds...)
	}
	return out, nil
}

// PermissionSetsProvisionedTo lists the permission sets provisioned to an account.
func PermissionSetsProvisionedTo(ctx context.Context, c SSOAdmin, inst Instance, account string) ([]string, error) {
	var out []string
	p := ssoadmin.NewListPermissionSetsProvisionedToAccountPaginator(c, &ssoadmin.ListPermissionSetsProvisionedToAccountInput{InstanceArn: &inst.Arn, AccountId: &account, MaxResults: aws.Int32(100)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list permission sets provisioned to account %s: %w", account, err)
		}
		out = append(out, page.PermissionSets...)
	}
	return out, nil
}
