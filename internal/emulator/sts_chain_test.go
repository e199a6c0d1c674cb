package emulator_test

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sso"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/ssoctl/ssoctl/internal/emulator"
)

// roleConfig signs in (device code, approved at once) and returns a config
// holding the portal's credentials for role in account.
func roleConfig(t *testing.T, cfg aws.Config, account, role string) aws.Config {
	t.Helper()
	oidc := ssooidc.NewFromConfig(cfg)
	reg, err := oidc.RegisterClient(ctx, &ssooidc.RegisterClientInput{ClientName: aws.String("t"), ClientType: aws.String("public")})
	if err != nil {
		t.Fatal(err)
	}
	dev, err := oidc.StartDeviceAuthorization(ctx, &ssooidc.StartDeviceAuthorizationInput{ClientId: reg.ClientId, ClientSecret: reg.ClientSecret, StartUrl: aws.String("http://x/start")})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := oidc.CreateToken(ctx, &ssooidc.CreateTokenInput{ClientId: reg.ClientId, ClientSecret: reg.ClientSecret, GrantType: aws.String("urn:ietf:params:oauth:grant-type:device_code"), DeviceCode: dev.DeviceCode})
	if err != nil {
		t.Fatal(err)
	}
	rc, err := sso.NewFromConfig(cfg).GetRoleCredentials(ctx, &sso.GetRoleCredentialsInput{AccessToken: tok.AccessToken, AccountId: &account, RoleName: &role})
	if err != nil {
		t.Fatalf("GetRoleCredentials %s in %s: %v", role, account, err)
	}
	out := cfg.Copy()
	c := rc.RoleCredentials
	out.Credentials = credentials.NewStaticCredentialsProvider(*c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken)
	return out
}

// TestAssumeRoleTrust: the trust policies of DESIGN. An Identity Center
// role may hop into its own account's DeployRole, not into another
// account's, nor into OrganizationAccountAccessRole (which trusts the
// management account only); the management account's credentials reach
// OrganizationAccountAccessRole and no DeployRole.
func TestAssumeRoleTrust(t *testing.T) {
	st := emulator.Generate("small", 0)
	dev, prod := accountID(t, st, "payments-dev"), accountID(t, st, "payments-prod")
	_, cfg, _ := sandbox(t, emulator.Options{State: st, SignInAs: "dave.miller"})
	role := roleConfig(t, cfg, dev, "Developer")
	arn := func(account, name string) *string { return aws.String("arn:aws:iam::" + account + ":role/" + name) }

	out, err := sts.NewFromConfig(role).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: arn(dev, emulator.DeployRole), RoleSessionName: aws.String("hop")})
	if err != nil {
		t.Fatalf("Developer in %s -> its own DeployRole: %v", dev, err)
	}
	if want := "arn:aws:sts::" + dev + ":assumed-role/DeployRole/hop"; aws.ToString(out.AssumedRoleUser.Arn) != want {
		t.Errorf("assumed %s; want %s", aws.ToString(out.AssumedRoleUser.Arn), want)
	}
	for _, r := range []*string{arn(prod, emulator.DeployRole), arn(dev, emulator.OrganizationAccountAccessRole), arn(prod, emulator.OrganizationAccountAccessRole)} {
		_, err := sts.NewFromConfig(role).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: r, RoleSessionName: aws.String("hop")})
		wantAPIError(t, err, "AccessDenied")
	}
	if _, err := sts.NewFromConfig(cfg).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: arn(prod, emulator.OrganizationAccountAccessRole), RoleSessionName: aws.String("admin")}); err != nil {
		t.Errorf("management -> OrganizationAccountAccessRole: %v", err)
	}
	_, err = sts.NewFromConfig(cfg).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: arn(prod, emulator.DeployRole), RoleSessionName: aws.String("admin")})
	wantAPIError(t, err, "AccessDenied")
}

// TestAssumeRoleMFA: with SerialNumber, a six-digit TokenCode is needed
// (AWS answers AccessDenied to a bad one).
func TestAssumeRoleMFA(t *testing.T) {
	st := emulator.Generate("small", 0)
	dev := accountID(t, st, "payments-dev")
	_, cfg, _ := sandbox(t, emulator.Options{State: st, SignInAs: "dave.miller"})
	client := sts.NewFromConfig(roleConfig(t, cfg, dev, "Developer"))
	in := func(code string) *sts.AssumeRoleInput {
		in := &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + dev + ":role/DeployRole"), RoleSessionName: aws.String("mfa"),
			SerialNumber: aws.String("arn:aws:iam::" + dev + ":mfa/dave")}
		if code != "" {
			in.TokenCode = aws.String(code)
		}
		return in
	}
	for _, code := range []string{"", "12345", "abcdef"} {
		_, err := client.AssumeRole(ctx, in(code))
		wantAPIError(t, err, "AccessDenied")
	}
	if _, err := client.AssumeRole(ctx, in("123456")); err != nil {
		t.Errorf("with a six-digit code: %v", err)
	}
}

// TestExpiredCredentials: temporary credentials past their expiration are
// refused, as AWS refuses them (ExpiredToken), by sts and s3 alike.
func TestExpiredCredentials(t *testing.T) {
	st := emulator.Generate("small", 0)
	dev := accountID(t, st, "payments-dev")
	_, cfg, _ := sandbox(t, emulator.Options{State: st, SignInAs: "dave.miller", CredentialTTL: 1500 * time.Millisecond})
	role := roleConfig(t, cfg, dev, "Developer")
	if _, err := sts.NewFromConfig(role).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatalf("GetCallerIdentity while valid: %v", err)
	}
	time.Sleep(1600 * time.Millisecond)
	_, err := sts.NewFromConfig(role).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	wantAPIError(t, err, "ExpiredToken")
	_, err = s3Client(role).ListBuckets(ctx, &s3.ListBucketsInput{})
	wantAPIError(t, err, "ExpiredToken")
	// The sandbox's own (long-lived) credentials are not affected.
	if _, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Errorf("GetCallerIdentity with the sandbox's credentials: %v", err)
	}
}
