package emulator_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sso"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
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

// identityCenterCredentials signs in as the sandbox's SignInAs user and
// returns the portal's credentials for a role in account.
func identityCenterCredentials(t *testing.T, cfg aws.Config, url, account, role string) aws.Credentials {
	t.Helper()
	_, tok := deviceSignIn(t, ssooidc.NewFromConfig(cfg), url, "sso:account:access")
	out, err := sso.NewFromConfig(cfg).GetRoleCredentials(ctx, &sso.GetRoleCredentialsInput{
		AccessToken: tok.AccessToken, AccountId: aws.String(account), RoleName: aws.String(role),
	})
	if err != nil {
		t.Fatalf("GetRoleCredentials %s in %s: %v", role, account, err)
	}
	c := out.RoleCredentials
	return aws.Credentials{AccessKeyID: aws.ToString(c.AccessKeyId), SecretAccessKey: aws.ToString(c.SecretAccessKey), SessionToken: aws.ToString(c.SessionToken)}
}

// TestAssumeRoleTrustPolicies: sts AssumeRole evaluates the role's trust
// policy. In the demo organization OrganizationAccountAccessRole trusts
// the management account only, and DeployRole its own account: an Identity
// Center role of account A may hop into A's DeployRole, not B's, nor into
// any OrganizationAccountAccessRole; a member account's role cannot reach
// another account's OrganizationAccountAccessRole.
func TestAssumeRoleTrustPolicies(t *testing.T) {
	t.Parallel()
	st := emulator.Generate("small", 0)
	mgmt := st.Organization.MasterAccountId
	srv, cfg, url := sandbox(t, emulator.Options{State: st, SignInAs: "dave.miller"})
	// A: a member account where dave.miller has a role; B: another one.
	var a, role, b string
	active := map[string]bool{}
	for _, acct := range st.Accounts {
		active[acct.Id] = acct.State == "ACTIVE"
	}
	for id, roles := range wantRoles(t, srv.Snapshot(), "dave.miller") {
		if id != mgmt && active[id] && (a == "" || id < a) {
			a, role = id, roles[0]
		}
	}
	for _, acct := range st.Accounts {
		if acct.Id != mgmt && acct.Id != a && acct.State == "ACTIVE" && (b == "" || acct.Id < b) {
			b = acct.Id
		}
	}
	if a == "" || b == "" {
		t.Fatal("the demo organization lacks two member accounts for dave.miller's test")
	}
	arn := func(account, name string) string { return "arn:aws:iam::" + account + ":role/" + name }
	oaar, deploy := emulator.OrganizationAccountAccessRole, emulator.DeployRole

	ic := withCredentials(cfg, static(identityCenterCredentials(t, cfg, url, a, role)))
	memberRole := withCredentials(cfg, static(assumeRole(t, cfg, arn(a, oaar))))
	for _, c := range []struct {
		name    string
		from    aws.Config
		roleArn string
		allowed bool
	}{
		{"management → OrganizationAccountAccessRole", cfg, arn(a, oaar), true},
		{"management → DeployRole (trusts its own account only)", cfg, arn(a, deploy), false},
		{"Identity Center role in A → DeployRole in A", ic, arn(a, deploy), true},
		{"Identity Center role in A → DeployRole in B", ic, arn(b, deploy), false},
		{"Identity Center role in A → OrganizationAccountAccessRole in A", ic, arn(a, oaar), false},
		{"A's OrganizationAccountAccessRole → B's", memberRole, arn(b, oaar), false},
		{"A's OrganizationAccountAccessRole → A's DeployRole", memberRole, arn(a, deploy), true},
		{"a DeployRole path that is not the role's", ic, "arn:aws:iam::" + a + ":role/deploy/" + deploy, false},
	} {
		out, err := sts.NewFromConfig(c.from).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(c.roleArn), RoleSessionName: aws.String("hop")})
		switch {
		case c.allowed && err != nil:
			t.Errorf("%s: %v; want it allowed", c.name, err)
		case c.allowed:
			account := strings.Split(c.roleArn, ":")[4]
			name := c.roleArn[strings.LastIndex(c.roleArn, "/")+1:]
			id, err := sts.NewFromConfig(withCredentials(cfg, static(aws.Credentials{
				AccessKeyID: aws.ToString(out.Credentials.AccessKeyId), SecretAccessKey: aws.ToString(out.Credentials.SecretAccessKey), SessionToken: aws.ToString(out.Credentials.SessionToken),
			}))).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
			if want := "arn:aws:sts::" + account + ":assumed-role/" + name + "/hop"; err != nil || aws.ToString(id.Arn) != want {
				t.Errorf("%s: caller %v %v; want %s", c.name, id, err, want)
			}
		default:
			wantAPIErrorIn(t, c.name, err, "AccessDenied")
			wantStatus(t, err, 403)
			caller, _ := sts.NewFromConfig(c.from).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
			if want := "User: " + aws.ToString(caller.Arn) + " is not authorized to perform: sts:AssumeRole on resource: " + c.roleArn; err != nil && !strings.Contains(err.Error(), want) {
				t.Errorf("%s: %v; want AWS's message %q", c.name, err, want)
			}
		}
	}

	// The dumped state lists both roles of every member account, and in
	// the management account only the scheduler's execution role.
	roles := map[string]int{}
	for _, r := range srv.Snapshot().IAMRoles {
		roles[r.AccountId]++
		if r.AccountId == mgmt && r.RoleName != emulator.SchedulerRole {
			t.Errorf("state iamRoles: %s in the management account; want only %s there", r.RoleName, emulator.SchedulerRole)
		}
	}
	if len(roles) != len(st.Accounts) || roles[mgmt] != 1 || roles[a] != 2 {
		t.Errorf("state iamRoles per account: %v; want two in each of the %d member accounts, one in the management account", roles, len(st.Accounts)-1)
	}
	for acct, n := range roles {
		if acct != mgmt && n != 2 {
			t.Errorf("state iamRoles: %d in member account %s; want two", n, acct)
		}
	}
}

// TestAssumeRoleStateTrustPolicies: a state's own roles and trust
// policies: a principal named by role ARN, an sts:ExternalId condition, a
// Deny; a state without iamRoles gets the demo roles; an empty list none.
func TestAssumeRoleStateTrustPolicies(t *testing.T) {
	t.Parallel()
	st := emulator.Generate("small", 0)
	mgmt := st.Organization.MasterAccountId
	a, b := accountID(t, st, "payments-dev"), accountID(t, st, "payments-prod")
	oaarA := "arn:aws:iam::" + a + ":role/" + emulator.OrganizationAccountAccessRole
	st.IAMRoles = append(st.IAMRoles,
		emulator.IAMRole{AccountId: b, RoleName: "Auditor", RoleId: "AROAAUDITOREXAMPLE01", Path: "/audit/", TrustPolicy: `{"Version":"2012-10-17","Statement":{
			"Effect":"Allow","Principal":{"AWS":["` + oaarA + `"]},"Action":["sts:AssumeRole","sts:TagSession"],
			"Condition":{"StringEquals":{"sts:ExternalId":"ticket-42"}}}}`},
		emulator.IAMRole{AccountId: b, RoleName: "NotMgmt", RoleId: "AROANOTMGMTEXAMPLE01", Path: "/", TrustPolicy: `{"Statement":[
			{"Effect":"Allow","Principal":"*","Action":"sts:*"},
			{"Effect":"Deny","Principal":{"AWS":"` + mgmt + `"},"Action":"sts:AssumeRole"}]}`},
	)
	_, cfg, _ := sandbox(t, emulator.Options{State: st})
	fromA := sts.NewFromConfig(withCredentials(cfg, static(assumeRole(t, cfg, oaarA))))
	mgmtSTS := sts.NewFromConfig(cfg)
	for _, c := range []struct {
		name       string
		client     *sts.Client
		role       string
		externalID *string
		allowed    bool
	}{
		{"the named role with the external id", fromA, "role/audit/Auditor", aws.String("ticket-42"), true},
		{"the named role without it", fromA, "role/audit/Auditor", nil, false},
		{"the named role with another", fromA, "role/audit/Auditor", aws.String("ticket-43"), false},
		{"another principal with it", mgmtSTS, "role/audit/Auditor", aws.String("ticket-42"), false},
		{"anyone but the denied account", fromA, "role/NotMgmt", nil, true},
		{"the denied account", mgmtSTS, "role/NotMgmt", nil, false},
	} {
		_, err := c.client.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + b + ":" + c.role), RoleSessionName: aws.String("tt"), ExternalId: c.externalID})
		if c.allowed && err != nil {
			t.Errorf("%s: %v; want it allowed", c.name, err)
		}
		if !c.allowed {
			wantAPIErrorIn(t, c.name, err, "AccessDenied")
		}
	}

	for _, c := range []struct {
		name    string
		roles   []emulator.IAMRole
		allowed bool
	}{
		{"a state without iamRoles", nil, true},
		{"a state with none", []emulator.IAMRole{}, false},
	} {
		st := emulator.Generate("small", 0)
		st.IAMRoles = c.roles
		_, cfg, _ := sandbox(t, emulator.Options{State: st})
		_, err := sts.NewFromConfig(cfg).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(oaarA), RoleSessionName: aws.String("tt")})
		if c.allowed && err != nil {
			t.Errorf("%s: %v; want the demo roles", c.name, err)
		}
		if !c.allowed {
			wantAPIErrorIn(t, c.name, err, "AccessDenied")
		}
	}
}
