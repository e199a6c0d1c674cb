package awsclient_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/ssoctl/ssoctl/internal/awsclient"
	"github.com/ssoctl/ssoctl/internal/emulator"
	"github.com/ssoctl/ssoctl/internal/emulatortest"
)

// TestAssumeRole: a Set made by AssumeRole reaches the role's account, its
// calls (the AssumeRole included) count in the parent's Stats, and the
// parent keeps its own credentials.
func TestAssumeRole(t *testing.T) {
	st := emulator.Generate("small", 0)
	var member string
	for _, a := range st.Accounts {
		if a.Name == "payments-prod" {
			member = a.Id
		}
	}
	sb := emulatortest.Start(t, emulator.Options{State: st})
	ctx := context.Background()
	set, err := awsclient.New(ctx, awsclient.Options{EndpointURL: sb.URL, Region: "us-east-1", Unlimited: true,
		Credentials: credentials.NewStaticCredentialsProvider(emulator.SandboxAccessKeyID, emulator.SandboxSecretAccessKey, "")})
	if err != nil {
		t.Fatal(err)
	}
	role := set.AssumeRole("arn:aws:iam::"+member+":role/OrganizationAccountAccessRole", "ssoctl-test")
	for range 2 {
		out, err := role.STS().GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			t.Fatal(err)
		}
		if want := "arn:aws:sts::" + member + ":assumed-role/OrganizationAccountAccessRole/ssoctl-test"; aws.ToString(out.Arn) != want {
			t.Errorf("caller %s; want %s", aws.ToString(out.Arn), want)
		}
	}
	out, err := set.STS().GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.Account) != st.Organization.MasterAccountId {
		t.Errorf("the parent Set reaches %s; want the management account %s", aws.ToString(out.Account), st.Organization.MasterAccountId)
	}
	got := set.Stats().Calls
	if got["sts:AssumeRole"] != 1 || got["sts:GetCallerIdentity"] != 3 {
		t.Errorf("parent stats %v; want 1 AssumeRole (credentials cached) and 3 GetCallerIdentity", got)
	}
	if role.Stats().Total() != set.Stats().Total() {
		t.Errorf("the role Set's stats %v differ from its parent's %v", role.Stats(), set.Stats())
	}
}
