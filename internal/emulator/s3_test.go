package emulator_test

import (
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sso"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	"github.com/google/go-cmp/cmp"

	"github.com/ssoctl/ssoctl/internal/emulator"
)

func s3Client(cfg aws.Config) *s3.Client {
	return s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
}

// TestS3ListBucketsPerAccount: the buckets answered are those of the
// account whose credentials signed the request.
func TestS3ListBucketsPerAccount(t *testing.T) {
	srv, cfg, _ := sandbox(t, emulator.Options{SignInAs: "dave.miller"})
	st := srv.Snapshot()
	want := func(account string) []string {
		var out []string
		for _, b := range st.Buckets {
			if b.AccountId == account {
				out = append(out, b.Name)
			}
		}
		sort.Strings(out)
		return out
	}
	names := func(out *s3.ListBucketsOutput) []string {
		var got []string
		for _, b := range out.Buckets {
			got = append(got, aws.ToString(b.Name))
		}
		sort.Strings(got)
		return got
	}

	// The default sandbox credentials are the management account's.
	out, err := s3Client(cfg).ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil {
		t.Fatalf("ListBuckets: %v", err)
	}
	if diff := cmp.Diff(want(st.Organization.MasterAccountId), names(out)); diff != "" {
		t.Errorf("management account buckets (-want +got):\n%s", diff)
	}

	// Role credentials from the portal see their own account's buckets.
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
	var account string
	for _, a := range st.Accounts {
		if a.Name == "payments-dev" {
			account = a.Id
		}
	}
	rc, err := sso.NewFromConfig(cfg).GetRoleCredentials(ctx, &sso.GetRoleCredentialsInput{AccessToken: tok.AccessToken, AccountId: &account, RoleName: aws.String("Developer")})
	if err != nil {
		t.Fatal(err)
	}
	roleCfg := cfg.Copy()
	c := rc.RoleCredentials
	roleCfg.Credentials = credentials.NewStaticCredentialsProvider(*c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken)
	out, err = s3Client(roleCfg).ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil {
		t.Fatalf("ListBuckets with role credentials: %v", err)
	}
	got := names(out)
	if diff := cmp.Diff(want(account), got); diff != "" {
		t.Errorf("payments-dev buckets (-want +got):\n%s", diff)
	}
	if len(got) != 2 || !strings.HasPrefix(got[0], "payments-dev-") {
		t.Errorf("got buckets %v; want the two payments-dev demo buckets", got)
	}
}

// TestS3ListBucketsPages: max-buckets pages the list with a continuation
// token, and a value outside the model's 1-10000 is InvalidArgument.
func TestS3ListBucketsPages(t *testing.T) {
	srv, cfg, _ := sandbox(t, emulator.Options{})
	st := srv.Snapshot()
	var want []string
	for _, b := range st.Buckets {
		if b.AccountId == st.Organization.MasterAccountId {
			want = append(want, b.Name)
		}
	}
	sort.Strings(want)
	c := s3Client(cfg)
	var got []string
	pages := 0
	for p := s3.NewListBucketsPaginator(c, &s3.ListBucketsInput{MaxBuckets: aws.Int32(1)}); p.HasMorePages(); pages++ {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatalf("ListBuckets page %d: %v", pages+1, err)
		}
		for _, b := range out.Buckets {
			got = append(got, aws.ToString(b.Name))
		}
	}
	if diff := cmp.Diff(want, got); diff != "" || pages != len(want) {
		t.Errorf("ListBuckets in pages of 1: %d pages (-want +got):\n%s", pages, diff)
	}
	for _, n := range []int32{0, 10001} {
		_, err := c.ListBuckets(ctx, &s3.ListBucketsInput{MaxBuckets: aws.Int32(n)})
		wantAPIError(t, err, "InvalidArgument")
	}
}
