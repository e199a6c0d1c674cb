package list

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	satypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"

	"github.com/ssoctl/ssoctl/internal/assignments"
	"github.com/ssoctl/ssoctl/internal/inventory"
)

// The two reads of assignments the Identity Center API has; only the
// lister calls them.

// accountAssignments lists the assignments of one permission set in one
// account (ListAccountAssignments).
func accountAssignments(ctx context.Context, c inventory.SSOAdmin, inst inventory.Instance, account, psArn string) ([]assignments.Assignment, error) {
	var out []assignments.Assignment
	p := ssoadmin.NewListAccountAssignmentsPaginator(c, &ssoadmin.ListAccountAssignmentsInput{InstanceArn: &inst.Arn, AccountId: &account, PermissionSetArn: &psArn, MaxResults: aws.Int32(100)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list assignments in account %s: %w", account, err)
		}
		for _, a := range page.AccountAssignments {
			out = append(out, assignments.Assignment{AccountId: account, PermissionSetArn: psArn, PrincipalType: string(a.PrincipalType), PrincipalId: aws.ToString(a.PrincipalId)})
		}
	}
	return out, nil
}

// principalAssignments lists every assignment of a user or group
// (optionally in one account; ListAccountAssignmentsForPrincipal).
func principalAssignments(ctx context.Context, c inventory.SSOAdmin, inst inventory.Instance, ptype, pid, account string) ([]assignments.Assignment, error) {
	in := &ssoadmin.ListAccountAssignmentsForPrincipalInput{InstanceArn: &inst.Arn, PrincipalType: satypes.PrincipalType(ptype), PrincipalId: &pid, MaxResults: aws.Int32(100)}
	if account != "" {
		in.Filter = &satypes.ListAccountAssignmentsFilter{AccountId: &account}
	}
	var out []assignments.Assignment
	p := ssoadmin.NewListAccountAssignmentsForPrincipalPaginator(c, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list assignments of %s %s: %w", strings.ToLower(ptype), pid, err)
		}
		for _, a := range page.AccountAssignments {
			out = append(out, assignments.Assignment{AccountId: aws.ToString(a.AccountId), PermissionSetArn: aws.ToString(a.PermissionSetArn), PrincipalType: string(a.PrincipalType), PrincipalId: aws.ToString(a.PrincipalId)})
		}
	}
	return out, nil
}

// All lists the selected assignments with method m and returns them in
// List's order; an item that failed fails the listing (its error), for
// questions small enough to ask again.
func All(ctx context.Context, c inventory.Clients, inst inventory.Instance, sel Selection, m Method) ([]assignments.Assignment, error) {
	return AllWith(ctx, c, inst, sel, Options{Method: m})
}

// AllWith is All with the rest of List's options.
func AllWith(ctx context.Context, c inventory.Clients, inst inventory.Instance, sel Selection, opts Options) ([]assignments.Assignment, error) {
	var all []assignments.Assignment
	res, err := List(ctx, c, inst, sel, opts, func(a assignments.Assignment) error {
		all = append(all, a)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(res.Errors) > 0 {
		return nil, res.Errors[0].Err
	}
	return all, nil
}

// Reach lists what one user can reach: their own assignments and those of
// the groups they are in (groupIDs), per principal — the one route for
// "what can this person reach" (`access user`, and the user lifecycle's
// check before a legacy IAM user is retired).
func Reach(ctx context.Context, c inventory.Clients, inst inventory.Instance, userID string, groupIDs []string) ([]assignments.Assignment, error) {
	sel := Selection{Principals: []Principal{{Type: User, Id: userID}}}
	for _, g := range groupIDs {
		sel.Principals = append(sel.Principals, Principal{Type: Group, Id: g})
	}
	return All(ctx, c, inst, sel, ByPrincipal)
}
