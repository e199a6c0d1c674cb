// Package permsets is permission sets as code: one permission set's full
// desired attributes (Desired), what it is live (Read), the difference
// attribute by attribute (Diff), AWS's limits checked before any call
// (Validate), and the writes that make the live set the desired one
// (Changes), carried out by the one executor (package execute) — with
// ProvisionPermissionSet to the accounts the set is provisioned to, since a
// change reaches the accounts' roles only then.
//
// Grants and other callers reuse the same three steps: Read a live set,
// change its Desired, and Changes against the live one (or nil, to create
// a new set) gives what execute.Run carries out.
package permsets

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	satypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"
	"github.com/aws/smithy-go"

	"github.com/ssoctl/ssoctl/internal/assignments/execute"
	"github.com/ssoctl/ssoctl/internal/fanout"
)

// DefaultSessionDuration is the session duration AWS gives a permission
// set created without one.
const DefaultSessionDuration = "PT1H"

// Desired is one permission set's full desired attributes. The file is
// declarative: an attribute left empty means none (a SessionDuration left
// empty means AWS's default, PT1H).
type Desired struct {
	Name            string `json:"name"`
	Description     string `json:"description,omitempty"`
	SessionDuration string `json:"sessionDuration,omitempty"`
	RelayState      string `json:"relayState,omitempty"`
	// ManagedPolicies are AWS managed policies, by ARN.
	ManagedPolicies         []string            `json:"managedPolicies,omitempty"`
	CustomerManagedPolicies []execute.PolicyRef `json:"customerManagedPolicies,omitempty"`
	// InlinePolicy is the inline policy's JSON document ("" for none).
	InlinePolicy        string            `json:"inlinePolicy,omitempty"`
	PermissionsBoundary *execute.Boundary `json:"permissionsBoundary,omitempty"`
	Tags                []execute.Tag     `json:"tags,omitempty"`
}

// Normalized is d with AWS's defaults filled in (session duration PT1H,
// policy paths "/") and its lists sorted, so two that mean the same set
// compare equal.
func (d Desired) Normalized() Desired {
	if d.SessionDuration == "" {
		d.SessionDuration = DefaultSessionDuration
	}
	d.ManagedPolicies = slices.Clone(d.ManagedPolicies)
	sort.Strings(d.ManagedPolicies)
	d.CustomerManagedPolicies = slices.Clone(d.CustomerManagedPolicies)
	for i := range d.CustomerManagedPolicies {
		if d.CustomerManagedPolicies[i].Path == "" {
			d.CustomerManagedPolicies[i].Path = "/"
		}
	}
	sort.Slice(d.CustomerManagedPolicies, func(i, j int) bool {
		return d.CustomerManagedPolicies[i].String() < d.CustomerManagedPolicies[j].String()
	})
	if b := d.PermissionsBoundary; b != nil && b.CustomerManagedPolicy != nil && b.CustomerManagedPolicy.Path == "" {
		ref := *b.CustomerManagedPolicy
		ref.Path = "/"
		d.PermissionsBoundary = &execute.Boundary{CustomerManagedPolicy: &ref}
	}
	d.Tags = slices.Clone(d.Tags)
	execute.SortTags(d.Tags)
	return d
}

// Live is a permission set as read from Identity Center.
type Live struct {
	Arn string `json:"permissionSetArn"`
	Desired
	Created time.Time `json:"createdDate"`
}

// Reader is what reading a permission set calls, with the SDK's own
// signatures.
type Reader interface {
	DescribePermissionSet(context.Context, *ssoadmin.DescribePermissionSetInput, ...func(*ssoadmin.Options)) (*ssoadmin.DescribePermissionSetOutput, error)
	GetInlinePolicyForPermissionSet(context.Context, *ssoadmin.GetInlinePolicyForPermissionSetInput, ...func(*ssoadmin.Options)) (*ssoadmin.GetInlinePolicyForPermissionSetOutput, error)
	ListManagedPoliciesInPermissionSet(context.Context, *ssoadmin.ListManagedPoliciesInPermissionSetInput, ...func(*ssoadmin.Options)) (*ssoadmin.ListManagedPoliciesInPermissionSetOutput, error)
	ListCustomerManagedPolicyReferencesInPermissionSet(context.Context, *ssoadmin.ListCustomerManagedPolicyReferencesInPermissionSetInput, ...func(*ssoadmin.Options)) (*ssoadmin.ListCustomerManagedPolicyReferencesInPermissionSetOutput, error)
	GetPermissionsBoundaryForPermissionSet(context.Context, *ssoadmin.GetPermissionsBoundaryForPermissionSetInput, ...func(*ssoadmin.Options)) (*ssoadmin.GetPermissionsBoundaryForPermissionSetOutput, error)
	ListTagsForResource(context.Context, *ssoadmin.ListTagsForResourceInput, ...func(*ssoadmin.Options)) (*ssoadmin.ListTagsForResourceOutput, error)
	ListAccountsForProvisionedPermissionSet(context.Context, *ssoadmin.ListAccountsForProvisionedPermissionSetInput, ...func(*ssoadmin.Options)) (*ssoadmin.ListAccountsForProvisionedPermissionSetOutput, error)
}

// ErrNotFound is wrapped when the permission set does not exist.
var ErrNotFound = errors.New("permission set not found")

// Read reads one permission set with every attribute: six calls (its
// description, inline policy, managed and customer managed policies,
// boundary and tags; more for lists longer than a page).
func Read(ctx context.Context, c Reader, instanceArn, arn string) (*Live, error) {
	out, err := c.DescribePermissionSet(ctx, &ssoadmin.DescribePermissionSetInput{InstanceArn: &instanceArn, PermissionSetArn: &arn})
	if isCode(err, "ResourceNotFoundException") {
		return nil, fmt.Errorf("%s: %w", arn, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("describe permission set %s: %w", arn, err)
	}
	ps := out.PermissionSet
	l := &Live{Arn: arn, Created: aws.ToTime(ps.CreatedDate), Desired: Desired{
		Name: aws.ToString(ps.Name), Description: aws.ToString(ps.Description),
		SessionDuration: aws.ToString(ps.SessionDuration), RelayState: aws.ToString(ps.RelayState),
	}}
	return l, readAttributes(ctx, c, instanceArn, l)
}

// ReadBasics completes what DescribePermissionSet told (name, description,
// session duration, relay state) with the rest: five calls.
func ReadBasics(ctx context.Context, c Reader, instanceArn string, l *Live) error {
	return readAttributes(ctx, c, instanceArn, l)
}

func readAttributes(ctx context.Context, c Reader, instanceArn string, l *Live) error {
	arn := l.Arn
	inline, err := c.GetInlinePolicyForPermissionSet(ctx, &ssoadmin.GetInlinePolicyForPermissionSetInput{InstanceArn: &instanceArn, PermissionSetArn: &arn})
	if err != nil {
		return fmt.Errorf("read the inline policy of %s: %w", l.Name, err)
	}
	l.InlinePolicy = aws.ToString(inline.InlinePolicy)
	mp := ssoadmin.NewListManagedPoliciesInPermissionSetPaginator(c, &ssoadmin.ListManagedPoliciesInPermissionSetInput{InstanceArn: &instanceArn, PermissionSetArn: &arn, MaxResults: aws.Int32(100)})
	for mp.HasMorePages() {
		page, err := mp.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("list the managed policies of %s: %w", l.Name, err)
		}
		for _, m := range page.AttachedManagedPolicies {
			l.ManagedPolicies = append(l.ManagedPolicies, aws.ToString(m.Arn))
		}
	}
	cp := ssoadmin.NewListCustomerManagedPolicyReferencesInPermissionSetPaginator(c, &ssoadmin.ListCustomerManagedPolicyReferencesInPermissionSetInput{InstanceArn: &instanceArn, PermissionSetArn: &arn, MaxResults: aws.Int32(100)})
	for cp.HasMorePages() {
		page, err := cp.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("list the customer managed policies of %s: %w", l.Name, err)
		}
		for _, r := range page.CustomerManagedPolicyReferences {
			l.CustomerManagedPolicies = append(l.CustomerManagedPolicies, execute.PolicyRef{Name: aws.ToString(r.Name), Path: aws.ToString(r.Path)})
		}
	}
	b, err := c.GetPermissionsBoundaryForPermissionSet(ctx, &ssoadmin.GetPermissionsBoundaryForPermissionSetInput{InstanceArn: &instanceArn, PermissionSetArn: &arn})
	switch {
	case isCode(err, "ResourceNotFoundException"):
		// no boundary
	case err != nil:
		return fmt.Errorf("read the permissions boundary of %s: %w", l.Name, err)
	case b.PermissionsBoundary != nil:
		pb := b.PermissionsBoundary
		if r := pb.CustomerManagedPolicyReference; r != nil {
			l.PermissionsBoundary = &execute.Boundary{CustomerManagedPolicy: &execute.PolicyRef{Name: aws.ToString(r.Name), Path: aws.ToString(r.Path)}}
		} else if pb.ManagedPolicyArn != nil {
			l.PermissionsBoundary = &execute.Boundary{ManagedPolicyArn: aws.ToString(pb.ManagedPolicyArn)}
		}
	}
	tp := ssoadmin.NewListTagsForResourcePaginator(c, &ssoadmin.ListTagsForResourceInput{InstanceArn: &instanceArn, ResourceArn: &arn})
	for tp.HasMorePages() {
		page, err := tp.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("list the tags of %s: %w", l.Name, err)
		}
		for _, t := range page.Tags {
			l.Tags = append(l.Tags, execute.Tag{Key: aws.ToString(t.Key), Value: aws.ToString(t.Value)})
		}
	}
	l.Desired = l.Desired.Normalized()
	return nil
}

// ReadAll reads the permission sets concurrently (at most limit at once),
// in arns' order.
func ReadAll(ctx context.Context, c Reader, instanceArn string, arns []string, limit int) ([]*Live, error) {
	res := fanout.Map(ctx, arns, limit, func(ctx context.Context, arn string) (*Live, error) {
		return Read(ctx, c, instanceArn, arn)
	})
	out := make([]*Live, 0, len(res))
	for _, r := range res {
		if r.Err != nil {
			return nil, r.Err
		}
		out = append(out, r.Value)
	}
	return out, ctx.Err()
}

// Provisioned lists the accounts a permission set is provisioned to, all
// of them (status "") or those whose latest version is not
// ("LATEST_PERMISSION_SET_NOT_PROVISIONED").
func Provisioned(ctx context.Context, c Reader, instanceArn, arn, status string) ([]string, error) {
	in := &ssoadmin.ListAccountsForProvisionedPermissionSetInput{InstanceArn: &instanceArn, PermissionSetArn: &arn, MaxResults: aws.Int32(100)}
	if status != "" {
		in.ProvisioningStatus = satypes.ProvisioningStatus(status)
	}
	var out []string
	p := ssoadmin.NewListAccountsForProvisionedPermissionSetPaginator(c, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list the accounts %s is provisioned to: %w", arn, err)
		}
		out = append(out, page.AccountIds...)
	}
	sort.Strings(out)
	return out, nil
}

func isCode(err error, code string) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && ae.ErrorCode() == code
}

// PolicyName is the last part of a managed policy ARN.
func PolicyName(arn string) string { return arn[strings.LastIndex(arn, "/")+1:] }
