package emulator_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	ssoadmintypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/ssoctl/ssoctl/internal/emulator"
	"github.com/ssoctl/ssoctl/internal/emulatortest"
)

// permissionSetArn finds a permission set of the demo organization by name.
func permissionSetArn(t *testing.T, st *emulator.State, name string) string {
	t.Helper()
	for _, ps := range st.PermissionSets {
		if ps.Name == name {
			return ps.Arn
		}
	}
	t.Fatalf("the demo organization has no permission set %s", name)
	return ""
}

// TestTimeConditionedDeny: portal role credentials are checked against
// their permission set's inline policy on the sandbox clock. s3
// ListBuckets (and any call but sts GetCallerIdentity) works before a Deny
// whose DateGreaterThan aws:CurrentTime applies, and the same credentials
// are refused with AccessDenied after it; statements for other actions, on
// specific resources, or of other operators do not refuse.
func TestTimeConditionedDeny(t *testing.T) {
	t.Parallel()
	const deny = `{"Version":"2012-10-17","Statement":[{"Sid":"AllowAll","Effect":"Allow","Action":"*","Resource":"*"},%s]}`
	stmt := func(action, resource, op, when string) string {
		return `{"Effect":"Deny","Action":` + action + `,"Resource":` + resource + `,"Condition":{"` + op + `":{"aws:CurrentTime":` + when + `}}}`
	}
	for _, c := range []struct {
		name          string
		statement     func(expiry time.Time) string
		before, after bool // ListBuckets refused
		hopAfter      bool // sts AssumeRole refused after
	}{
		{"every action after the expiry", func(e time.Time) string {
			return stmt(`"*"`, `"*"`, "DateGreaterThan", `"`+e.Format(time.RFC3339)+`"`)
		}, false, true, true},
		{"s3 after or at the expiry", func(e time.Time) string {
			return stmt(`["s3:*"]`, `["*"]`, "DateGreaterThanEquals", `"`+e.Format(time.RFC3339)+`"`)
		}, false, true, false},
		{"ListAllMyBuckets, epoch seconds", func(e time.Time) string {
			return stmt(`"s3:listallmybuckets"`, `"*"`, "DateGreaterThan", strconv.FormatInt(e.Unix(), 10))
		}, false, true, false},
		{"only before the time", func(e time.Time) string {
			return stmt(`"*"`, `"*"`, "DateLessThan", `"`+e.Format(time.RFC3339)+`"`)
		}, true, false, false},
		{"another service", func(e time.Time) string {
			return stmt(`"iam:*"`, `"*"`, "DateGreaterThan", `"`+e.Format(time.RFC3339)+`"`)
		}, false, false, false},
		{"a specific bucket", func(e time.Time) string {
			return stmt(`"s3:*"`, `"arn:aws:s3:::payments-dev-logs"`, "DateGreaterThan", `"`+e.Format(time.RFC3339)+`"`)
		}, false, false, false},
		{"an unknown operator", func(e time.Time) string {
			return stmt(`"*"`, `"*"`, "DateAfter", `"`+e.Format(time.RFC3339)+`"`)
		}, false, false, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			st := emulator.Generate("small", 0)
			dev := accountID(t, st, "payments-dev")
			sb := emulatortest.Start(t, emulator.Options{State: st, SignInAs: "dave.miller"})
			expiry := sb.Now().Add(30 * time.Minute).Truncate(time.Second)
			policy := strings.Replace(deny, "%s", c.statement(expiry), 1)
			if _, err := ssoadmin.NewFromConfig(sb.Config()).PutInlinePolicyToPermissionSet(ctx, &ssoadmin.PutInlinePolicyToPermissionSetInput{
				InstanceArn: aws.String(st.Instances[0].InstanceArn), PermissionSetArn: aws.String(permissionSetArn(t, st, "Developer")), InlinePolicy: aws.String(policy)}); err != nil {
				t.Fatalf("PutInlinePolicyToPermissionSet: %v", err)
			}
			role := roleConfig(t, sb.ConfigAttempts(3), dev, "Developer")
			role.RetryMaxAttempts = 3
			bucketsRefused := func(when string) bool {
				t.Helper()
				_, err := s3Client(role).ListBuckets(ctx, &s3.ListBucketsInput{})
				if err == nil {
					return false
				}
				wantAPIErrorIn(t, "ListBuckets "+when, err, "AccessDenied")
				wantStatus(t, err, 403)
				if want := "is not authorized to perform: s3:ListAllMyBuckets with an explicit deny in an identity-based policy"; !strings.Contains(err.Error(), want) {
					t.Errorf("ListBuckets %s: %v; want AWS's message %q", when, err, want)
				}
				return true
			}
			if got := bucketsRefused("before"); got != c.before {
				t.Errorf("ListBuckets refused before the time: %v; want %v", got, c.before)
			}
			sb.Advance(t, 31*time.Minute)
			if got := bucketsRefused("after"); got != c.after {
				t.Errorf("ListBuckets refused after the time: %v; want %v", got, c.after)
			}
			// AWS never refuses GetCallerIdentity.
			if _, err := sts.NewFromConfig(role).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
				t.Errorf("GetCallerIdentity after the time: %v", err)
			}
			_, err := sts.NewFromConfig(role).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + dev + ":role/" + emulator.DeployRole), RoleSessionName: aws.String("hop")})
			switch {
			case c.hopAfter:
				wantAPIErrorIn(t, "AssumeRole after the time", err, "AccessDenied")
			case err != nil:
				t.Errorf("AssumeRole after the time: %v", err)
			}
		})
	}
}

// TestDeletedPermissionSetDenies: the grant's life in the sandbox: a
// permission set made, assigned, its role credentials used; then the
// assignment and the permission set deleted, and the credentials issued
// before, not yet expired, are refused (their role is gone), with the
// sandbox's own credentials unaffected.
func TestDeletedPermissionSetDenies(t *testing.T) {
	t.Parallel()
	st := emulator.Generate("small", 0)
	dev := accountID(t, st, "payments-dev")
	inst := st.Instances[0].InstanceArn
	var dave string
	for _, u := range st.Users {
		if u.UserName == "dave.miller" {
			dave = u.UserId
		}
	}
	sb := emulatortest.Start(t, emulator.Options{State: st, SignInAs: "dave.miller"})
	admin := ssoadmin.NewFromConfig(sb.Config())
	ps, err := admin.CreatePermissionSet(ctx, &ssoadmin.CreatePermissionSetInput{InstanceArn: aws.String(inst), Name: aws.String("ssoctl-jit-abcdefghijkl"), SessionDuration: aws.String("PT1H")})
	if err != nil {
		t.Fatal(err)
	}
	asg := &ssoadmin.CreateAccountAssignmentInput{InstanceArn: aws.String(inst), PermissionSetArn: ps.PermissionSet.PermissionSetArn, TargetId: aws.String(dev),
		TargetType: ssoadmintypes.TargetTypeAwsAccount, PrincipalType: ssoadmintypes.PrincipalTypeUser, PrincipalId: aws.String(dave)}
	if _, err := admin.CreateAccountAssignment(ctx, asg); err != nil {
		t.Fatal(err)
	}
	role := roleConfig(t, sb.Config(), dev, "ssoctl-jit-abcdefghijkl")
	if _, err := s3Client(role).ListBuckets(ctx, &s3.ListBucketsInput{}); err != nil {
		t.Fatalf("ListBuckets with the new role: %v", err)
	}
	if _, err := admin.DeleteAccountAssignment(ctx, &ssoadmin.DeleteAccountAssignmentInput{InstanceArn: asg.InstanceArn, PermissionSetArn: asg.PermissionSetArn,
		TargetId: asg.TargetId, TargetType: asg.TargetType, PrincipalType: asg.PrincipalType, PrincipalId: asg.PrincipalId}); err != nil {
		t.Fatal(err)
	}
	// Removing the assignment ends no session: the role is still there.
	if _, err := s3Client(role).ListBuckets(ctx, &s3.ListBucketsInput{}); err != nil {
		t.Fatalf("ListBuckets after the assignment was deleted: %v", err)
	}
	if _, err := admin.DeletePermissionSet(ctx, &ssoadmin.DeletePermissionSetInput{InstanceArn: aws.String(inst), PermissionSetArn: ps.PermissionSet.PermissionSetArn}); err != nil {
		t.Fatal(err)
	}
	_, err = s3Client(role).ListBuckets(ctx, &s3.ListBucketsInput{})
	wantAPIError(t, err, "AccessDenied")
	if want := "because no identity-based policy allows the s3:ListAllMyBuckets action"; err != nil && !strings.Contains(err.Error(), want) {
		t.Errorf("ListBuckets: %v; want AWS's message %q", err, want)
	}
	_, err = iam.NewFromConfig(role).ListUsers(ctx, &iam.ListUsersInput{})
	wantAPIError(t, err, "AccessDenied")
	if _, err := s3Client(sb.Config()).ListBuckets(ctx, &s3.ListBucketsInput{}); err != nil {
		t.Errorf("ListBuckets with the sandbox's credentials: %v", err)
	}
}
