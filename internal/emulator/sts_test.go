package emulator_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/ssoctl/ssoctl/internal/emulator"
)

// TestAssumeRole: the real SDK assumes OrganizationAccountAccessRole in a
// member account from the management credentials; the credentials it gets
// make sts and IAM calls land in that account. Every other role, the
// management account's and an account outside the organization are
// AccessDenied.
func TestAssumeRole(t *testing.T) {
	st := emulator.Generate("small", 0)
	mgmt := st.Organization.MasterAccountId
	var member string
	for _, a := range st.Accounts {
		if a.Name == "payments-prod" {
			member = a.Id
		}
	}
	_, cfg, _ := sandbox(t, emulator.Options{State: st})
	client := sts.NewFromConfig(cfg)
	roleArn := "arn:aws:iam::" + member + ":role/" + emulator.OrganizationAccountAccessRole

	out, err := client.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleArn), RoleSessionName: aws.String("ssoctl-test")})
	if err != nil {
		t.Fatal(err)
	}
	c, u := out.Credentials, out.AssumedRoleUser
	if !strings.HasPrefix(aws.ToString(c.AccessKeyId), "ASIA") || aws.ToString(c.SecretAccessKey) == "" || aws.ToString(c.SessionToken) == "" {
		t.Errorf("credentials %+v: want an ASIA key, a secret and a session token", c)
	}
	if c.Expiration == nil || time.Until(*c.Expiration) < 50*time.Minute || time.Until(*c.Expiration) > 61*time.Minute {
		t.Errorf("expiration %v: want about an hour from now", c.Expiration)
	}
	wantArn := "arn:aws:sts::" + member + ":assumed-role/OrganizationAccountAccessRole/ssoctl-test"
	if aws.ToString(u.Arn) != wantArn || !strings.HasPrefix(aws.ToString(u.AssumedRoleId), "AROA") || !strings.HasSuffix(aws.ToString(u.AssumedRoleId), ":ssoctl-test") {
		t.Errorf("assumed role user %s %s; want %s and AROA…:ssoctl-test", aws.ToString(u.Arn), aws.ToString(u.AssumedRoleId), wantArn)
	}

	// The SDK's own provider, as ssoctl builds it.
	roleCfg := cfg.Copy()
	roleCfg.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(client, roleArn))
	id, err := sts.NewFromConfig(roleCfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(id.Account) != member || !strings.HasPrefix(aws.ToString(id.Arn), "arn:aws:sts::"+member+":assumed-role/OrganizationAccountAccessRole/") {
		t.Errorf("GetCallerIdentity with the role: %s %s; want account %s", aws.ToString(id.Account), aws.ToString(id.Arn), member)
	}
	users, err := iam.NewFromConfig(roleCfg).ListUsers(ctx, &iam.ListUsersInput{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, u := range users.Users {
		names = append(names, aws.ToString(u.UserName))
	}
	if strings.Join(names, ",") != "payments-legacy-batch" {
		t.Errorf("ListUsers in %s: %v; want that account's only IAM user, payments-legacy-batch", member, names)
	}
	// The management credentials still see the management account.
	mgmtUsers, err := iam.NewFromConfig(cfg).ListUsers(ctx, &iam.ListUsersInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(mgmtUsers.Users) != 4 {
		t.Errorf("ListUsers with the management credentials: %d users; want the management account's 4", len(mgmtUsers.Users))
	}

	for _, arn := range []string{
		"arn:aws:iam::" + member + ":role/NoSuchRole",
		"arn:aws:iam::" + mgmt + ":role/" + emulator.OrganizationAccountAccessRole,
		"arn:aws:iam::999999999999:role/" + emulator.OrganizationAccountAccessRole,
	} {
		_, err := client.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(arn), RoleSessionName: aws.String("ssoctl-test")})
		wantAPIError(t, err, "AccessDenied")
	}
	_, err = client.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleArn), RoleSessionName: aws.String("no spaces")})
	wantAPIError(t, err, "ValidationError")
	_, err = client.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleArn), RoleSessionName: aws.String("s1"), DurationSeconds: aws.Int32(7200)})
	wantAPIError(t, err, "ValidationError")
}
