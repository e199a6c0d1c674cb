package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	satypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"
)

// unassign removes a group's assignment of a permission set on an account
// through the sandbox's sso-admin API, as an administrator would:
// unassign ACCOUNT_NAME PERMISSION_SET GROUP_NAME.
func unassign() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: unassign ACCOUNT_NAME PERMISSION_SET GROUP_NAME")
		os.Exit(2)
	}
	acctName, psName, groupName := os.Args[1], os.Args[2], os.Args[3]
	ctx := context.Background()
	set := awsClients()
	fail := func(what string, err error) {
		fmt.Fprintf(os.Stderr, "unassign: %s: %v\n", what, err)
		os.Exit(1)
	}
	insts, err := set.SSOAdmin().ListInstances(ctx, &ssoadmin.ListInstancesInput{})
	if err != nil || len(insts.Instances) == 0 {
		fail("list instances", err)
	}
	inst := insts.Instances[0]
	var accountID string
	pg := organizations.NewListAccountsPaginator(set.Organizations(), &organizations.ListAccountsInput{})
	for pg.HasMorePages() && accountID == "" {
		page, err := pg.NextPage(ctx)
		if err != nil {
			fail("list accounts", err)
		}
		for _, a := range page.Accounts {
			if aws.ToString(a.Name) == acctName {
				accountID = aws.ToString(a.Id)
			}
		}
	}
	var groupID string
	gl := identitystore.NewListGroupsPaginator(set.IdentityStore(), &identitystore.ListGroupsInput{IdentityStoreId: inst.IdentityStoreId})
	for gl.HasMorePages() && groupID == "" {
		page, err := gl.NextPage(ctx)
		if err != nil {
			fail("list groups", err)
		}
		for _, gr := range page.Groups {
			if aws.ToString(gr.DisplayName) == groupName {
				groupID = aws.ToString(gr.GroupId)
			}
		}
	}
	var psArn string
	pl := ssoadmin.NewListPermissionSetsPaginator(set.SSOAdmin(), &ssoadmin.ListPermissionSetsInput{InstanceArn: inst.InstanceArn})
	for pl.HasMorePages() && psArn == "" {
		page, err := pl.NextPage(ctx)
		if err != nil {
			fail("list permission sets", err)
		}
		for _, arn := range page.PermissionSets {
			d, err := set.SSOAdmin().DescribePermissionSet(ctx, &ssoadmin.DescribePermissionSetInput{InstanceArn: inst.InstanceArn, PermissionSetArn: aws.String(arn)})
			if err != nil {
				fail("describe permission set", err)
			}
			if aws.ToString(d.PermissionSet.Name) == psName {
				psArn = arn
			}
		}
	}
	if accountID == "" || groupID == "" || psArn == "" {
		fail("find", fmt.Errorf("account %q=%q group %q=%q permission set %q=%q", acctName, accountID, groupName, groupID, psName, psArn))
	}
	_, err = set.SSOAdmin().DeleteAccountAssignment(ctx, &ssoadmin.DeleteAccountAssignmentInput{
		InstanceArn: inst.InstanceArn, PermissionSetArn: aws.String(psArn),
		PrincipalType: satypes.PrincipalTypeGroup, PrincipalId: aws.String(groupID),
		TargetType: satypes.TargetTypeAwsAccount, TargetId: aws.String(accountID),
	})
	if err != nil {
		fail("delete assignment", err)
	}
}

// fedFollow is a browser that stops at the first redirect: fedfollow URL
// (or @FILE, the URL on its first line) GETs it and prints the status and
// the Location it is sent to, as the console's federation endpoint's
// answer to a sign-in URL.
func fedFollow() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: fedfollow URL|@FILE")
		os.Exit(2)
	}
	u := os.Args[len(os.Args)-1]
	if name, ok := strings.CutPrefix(u, "@"); ok {
		b, err := os.ReadFile(name)
		if err != nil {
			fmt.Fprintln(os.Stderr, "fedfollow:", err)
			os.Exit(1)
		}
		u, _, _ = strings.Cut(strings.TrimSpace(string(b)), "\n")
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(u)
	if err != nil {
		fmt.Fprintln(os.Stderr, "fedfollow:", err)
		os.Exit(1)
	}
	resp.Body.Close()
	fmt.Println(resp.StatusCode, resp.Header.Get("Location"))
}
