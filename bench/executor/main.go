// Command executor is bench/lifecycle.sh's measurement of the assignment
// executor: -n assignments (a new user × the first -n active accounts × one
// permission set) created and then deleted through
// internal/assignments/execute, or (-mode sequential) the runbook's way in
// Go — create one, describe it until it is no longer IN_PROGRESS, next —
// with the same clients (the same token buckets). It prints one JSON line
// per phase: wall seconds and the sso-admin calls the client made.
//
// Calls go to AWS_ENDPOINT_URL (a running `ssoctl sandbox`), with the
// client-side buckets at AWS's quotas (SSOCTL_RATE_SCALE scales them).
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	istypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	satypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"

	"github.com/ssoctl/ssoctl/internal/assignments"
	"github.com/ssoctl/ssoctl/internal/assignments/execute"
	"github.com/ssoctl/ssoctl/internal/awsclient"
	"github.com/ssoctl/ssoctl/internal/inventory"
)

func main() {
	n := flag.Int("n", 300, "assignments")
	mode := flag.String("mode", "executor", "`executor` or sequential (the runbook's loop)")
	user := flag.String("user", "bench.user", "the user `name` to create and assign")
	flag.Parse()
	if err := run(*n, *mode, *user); err != nil {
		fmt.Fprintln(os.Stderr, "executor:", err)
		os.Exit(1)
	}
}

type phaseResult struct {
	Mode    string  `json:"mode"`
	Op      string  `json:"op"`
	N       int     `json:"n"`
	Seconds float64 `json:"seconds"`
	// Calls are the sso-admin calls (attempts) the client made, by operation.
	Calls     map[string]int `json:"calls"`
	Total     int            `json:"ssoAdminCalls"`
	Throttled int            `json:"throttled"`
	Failed    int            `json:"failed"`
}

func run(n int, mode, userName string) error {
	ctx := context.Background()
	scale := 1.0
	if v := os.Getenv("SSOCTL_RATE_SCALE"); v != "" {
		var err error
		if scale, err = strconv.ParseFloat(v, 64); err != nil {
			return err
		}
	}
	set, err := awsclient.New(ctx, awsclient.Options{RateScale: scale})
	if err != nil {
		return err
	}
	c := inventory.Clients{SSOAdmin: set.SSOAdmin(), IdentityStore: set.IdentityStore(), Organizations: set.Organizations()}
	inst, err := inventory.FindInstance(ctx, c.SSOAdmin, "")
	if err != nil {
		return err
	}
	accounts, err := inventory.Accounts(ctx, c.Organizations)
	if err != nil {
		return err
	}
	arns, err := inventory.PermissionSetArns(ctx, c.SSOAdmin, inst)
	if err != nil {
		return err
	}
	uid, err := inventory.UserID(ctx, c.IdentityStore, inst, userName)
	if err != nil {
		out, err := set.IdentityStore().CreateUser(ctx, &identitystore.CreateUserInput{IdentityStoreId: &inst.IdentityStoreId,
			UserName: aws.String(userName), DisplayName: aws.String("Bench User"),
			Name:   &istypes.Name{GivenName: aws.String("Bench"), FamilyName: aws.String("User")},
			Emails: []istypes.Email{{Value: aws.String(userName + "@example.com"), Primary: true}}})
		if err != nil {
			return err
		}
		uid = aws.ToString(out.UserId)
	}
	plan := execute.Plan{InstanceArn: inst.Arn}
	for _, a := range accounts {
		if len(plan.Changes) == n {
			break
		}
		if a.Status != "ACTIVE" {
			continue
		}
		plan.Changes = append(plan.Changes, execute.Change{Op: execute.Create, Assignment: assignments.Assignment{
			AccountId: a.Id, PermissionSetArn: arns[0], PrincipalType: "USER", PrincipalId: uid}})
	}
	if len(plan.Changes) < n {
		return fmt.Errorf("only %d active accounts", len(plan.Changes))
	}
	for _, op := range []execute.Op{execute.Create, execute.Delete} {
		for i := range plan.Changes {
			plan.Changes[i].Op = op
		}
		before := set.Stats()
		start := time.Now()
		failed := 0
		if mode == "sequential" {
			failed, err = sequential(ctx, set.SSOAdmin(), plan)
		} else {
			var rep execute.Report
			rep, err = execute.Apply(ctx, set.SSOAdmin(), plan, execute.Options{})
			failed = len(rep.Failures())
		}
		if err != nil {
			return err
		}
		after := set.Stats()
		res := phaseResult{Mode: mode, Op: string(op), N: n, Seconds: time.Since(start).Seconds(), Calls: map[string]int{}, Failed: failed}
		for k, v := range after.Calls {
			if d := v - before.Calls[k]; d > 0 && strings.HasPrefix(k, "sso-admin:") {
				res.Calls[strings.TrimPrefix(k, "sso-admin:")] = d
				res.Total += d
			}
		}
		for k, v := range after.Throttled {
			if strings.HasPrefix(k, "sso-admin:") {
				res.Throttled += v - before.Throttled[k]
			}
		}
		if err := json.NewEncoder(os.Stdout).Encode(res); err != nil {
			return err
		}
	}
	return nil
}

// sequential is the runbook: one request, described until done, then the next.
func sequential(ctx context.Context, c *ssoadmin.Client, plan execute.Plan) (int, error) {
	failed := 0
	for _, ch := range plan.Changes {
		a := ch.Assignment
		var status *satypes.AccountAssignmentOperationStatus
		if ch.Op == execute.Create {
			out, err := c.CreateAccountAssignment(ctx, &ssoadmin.CreateAccountAssignmentInput{InstanceArn: &plan.InstanceArn,
				PermissionSetArn: &a.PermissionSetArn, PrincipalId: &a.PrincipalId, PrincipalType: satypes.PrincipalTypeUser,
				TargetId: &a.AccountId, TargetType: satypes.TargetTypeAwsAccount})
			if err != nil {
				return failed, err
			}
			status = out.AccountAssignmentCreationStatus
		} else {
			out, err := c.DeleteAccountAssignment(ctx, &ssoadmin.DeleteAccountAssignmentInput{InstanceArn: &plan.InstanceArn,
				PermissionSetArn: &a.PermissionSetArn, PrincipalId: &a.PrincipalId, PrincipalType: satypes.PrincipalTypeUser,
				TargetId: &a.AccountId, TargetType: satypes.TargetTypeAwsAccount})
			if err != nil {
				return failed, err
			}
			status = out.AccountAssignmentDeletionStatus
		}
		for status.Status == satypes.StatusValuesInProgress {
			if ch.Op == execute.Create {
				out, err := c.DescribeAccountAssignmentCreationStatus(ctx, &ssoadmin.DescribeAccountAssignmentCreationStatusInput{InstanceArn: &plan.InstanceArn, AccountAssignmentCreationRequestId: status.RequestId})
				if err != nil {
					return failed, err
				}
				status = out.AccountAssignmentCreationStatus
			} else {
				out, err := c.DescribeAccountAssignmentDeletionStatus(ctx, &ssoadmin.DescribeAccountAssignmentDeletionStatusInput{InstanceArn: &plan.InstanceArn, AccountAssignmentDeletionRequestId: status.RequestId})
				if err != nil {
					return failed, err
				}
				status = out.AccountAssignmentDeletionStatus
			}
		}
		if status.Status == satypes.StatusValuesFailed {
			failed++
		}
	}
	return failed, nil
}
