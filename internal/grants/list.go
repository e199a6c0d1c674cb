package grants

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"

	"github.com/ssoctl/ssoctl/internal/assignments/execute"
	"github.com/ssoctl/ssoctl/internal/fanout"
)

// readLimit is how many permission sets are read at once.
const readLimit = 8

// Live are the grants that exist in AWS, read from AWS alone, and AWS's
// clock when they were read.
type Live struct {
	Now    time.Time `json:"now"`
	Grants []Grant   `json:"grants"`
	// Schedules are the grants' schedules still waiting, by grant id
	// (nil when no scheduler client was given).
	Schedules map[string][]string `json:"-"`
	// Warnings are what could not be read but did not stop the listing.
	Warnings []string `json:"warnings,omitempty"`
}

// List rebuilds the live grants from AWS: every permission set named
// ssoctl-jit-<id> (ListPermissionSets, DescribePermissionSet), its tags
// (the grant), the accounts it is provisioned to or has a schedule for,
// and on each whether the principal's assignment is still there. A grant
// is Expired once AWS's clock (the Date of sts:GetCallerIdentity's
// answer) reaches its expiry.
func List(ctx context.Context, c Clients, instanceArn string) (Live, error) {
	who, err := WhoAndWhen(ctx, c.STS)
	if err != nil {
		return Live{}, err
	}
	live := Live{Now: who.Now}
	if c.Scheduler != nil {
		live.Schedules, err = schedules(ctx, c.Scheduler)
		if code := apiCode(err); code == "AccessDeniedException" {
			live.Warnings = append(live.Warnings, "the grants' schedules could not be listed (AccessDenied on scheduler:ListSchedules): schedules of ended grants are left in place")
			live.Schedules, err = map[string][]string{}, nil
		}
		if err != nil {
			return Live{}, err
		}
	}
	var arns []string
	p := ssoadmin.NewListPermissionSetsPaginator(c.SSOAdmin, &ssoadmin.ListPermissionSetsInput{InstanceArn: &instanceArn, MaxResults: aws.Int32(100)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return Live{}, fmt.Errorf("list permission sets: %w", err)
		}
		arns = append(arns, page.PermissionSets...)
	}
	res := fanout.Map(ctx, arns, readLimit, func(ctx context.Context, arn string) (*Grant, error) {
		return readGrant(ctx, c.SSOAdmin, instanceArn, arn, live.Schedules)
	})
	for _, r := range res {
		if r.Err != nil {
			return Live{}, r.Err
		}
		if r.Value == nil {
			continue
		}
		g := *r.Value
		g.State = Active
		if !who.Now.Before(g.Expires) {
			g.State = Expired
		}
		live.Grants = append(live.Grants, g)
	}
	if err := ctx.Err(); err != nil {
		return Live{}, err
	}
	sort.Slice(live.Grants, func(i, j int) bool {
		a, b := live.Grants[i], live.Grants[j]
		if !a.Expires.Equal(b.Expires) {
			return a.Expires.Before(b.Expires)
		}
		return a.ID < b.ID
	})
	return live, nil
}

// readGrant reads one permission set as a grant (nil when it is not one).
func readGrant(ctx context.Context, c SSOAdmin, instanceArn, arn string, sched map[string][]string) (*Grant, error) {
	out, err := c.DescribePermissionSet(ctx, &ssoadmin.DescribePermissionSetInput{InstanceArn: &instanceArn, PermissionSetArn: &arn})
	if apiCode(err) == "ResourceNotFoundException" {
		return nil, nil // deleted meanwhile
	}
	if err != nil {
		return nil, fmt.Errorf("describe permission set %s: %w", arn, err)
	}
	name, desc := aws.ToString(out.PermissionSet.Name), aws.ToString(out.PermissionSet.Description)
	if IDOf(name) == "" {
		return nil, nil
	}
	var tags []execute.Tag
	tp := ssoadmin.NewListTagsForResourcePaginator(c, &ssoadmin.ListTagsForResourceInput{InstanceArn: &instanceArn, ResourceArn: &arn})
	for tp.HasMorePages() {
		page, err := tp.NextPage(ctx)
		if apiCode(err) == "ResourceNotFoundException" {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("list the tags of %s: %w", name, err)
		}
		for _, t := range page.Tags {
			tags = append(tags, execute.Tag{Key: aws.ToString(t.Key), Value: aws.ToString(t.Value)})
		}
	}
	g, ok := FromTags(name, desc, tags)
	if !ok {
		return nil, nil
	}
	g.CloneArn = arn
	accounts := map[string]bool{}
	pp := ssoadmin.NewListAccountsForProvisionedPermissionSetPaginator(c, &ssoadmin.ListAccountsForProvisionedPermissionSetInput{InstanceArn: &instanceArn, PermissionSetArn: &arn, MaxResults: aws.Int32(100)})
	for pp.HasMorePages() {
		page, err := pp.NextPage(ctx)
		if apiCode(err) == "ResourceNotFoundException" {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("list the accounts %s is provisioned to: %w", name, err)
		}
		for _, a := range page.AccountIds {
			accounts[a] = true
		}
	}
	for _, s := range sched[g.ID] {
		accounts[s[len(s)-12:]] = true
	}
	ids := make([]string, 0, len(accounts))
	for a := range accounts {
		ids = append(ids, a)
	}
	sort.Strings(ids)
	g.Assigned = []string{}
	for _, a := range ids {
		g.Accounts = append(g.Accounts, Account{Id: a})
		has, err := hasAssignment(ctx, c, instanceArn, arn, a, g.Principal)
		if err != nil {
			return nil, fmt.Errorf("list the assignments of %s on %s: %w", name, a, err)
		}
		if has {
			g.Assigned = append(g.Assigned, a)
		}
	}
	return &g, nil
}

func hasAssignment(ctx context.Context, c SSOAdmin, instanceArn, psArn, account string, p Principal) (bool, error) {
	pg := ssoadmin.NewListAccountAssignmentsPaginator(c, &ssoadmin.ListAccountAssignmentsInput{InstanceArn: &instanceArn, AccountId: &account, PermissionSetArn: &psArn, MaxResults: aws.Int32(100)})
	for pg.HasMorePages() {
		page, err := pg.NextPage(ctx)
		if apiCode(err) == "ResourceNotFoundException" {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		if slices.ContainsFunc(page.AccountAssignments, func(a ssoadminAssignment) bool {
			return string(a.PrincipalType) == p.Type && aws.ToString(a.PrincipalId) == p.Id
		}) {
			return true, nil
		}
	}
	return false, nil
}
