package awsclient_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	"github.com/google/go-cmp/cmp"

	"github.com/ssoctl/ssoctl/internal/awsclient"
	"github.com/ssoctl/ssoctl/internal/emulator"
	"github.com/ssoctl/ssoctl/internal/emulatortest"
)

// toSandbox sends every request to the sandbox at base, whatever endpoint
// the SDK resolved, and records, per operation, the host it was resolved
// for and the Region it was signed for.
type toSandbox struct {
	base *url.URL
	mu   sync.Mutex
	seen []string
}

func (c *toSandbox) Do(r *http.Request) (*http.Response, error) {
	scope := ""
	if _, cred, ok := strings.Cut(r.Header.Get("Authorization"), "Credential="); ok {
		if parts := strings.Split(cred, "/"); len(parts) > 2 {
			scope = parts[2]
		}
	}
	_, op, _ := strings.Cut(r.Header.Get("X-Amz-Target"), ".")
	c.mu.Lock()
	c.seen = append(c.seen, op+" "+r.URL.Host+" "+scope)
	c.mu.Unlock()
	// The Host header stays the one signed (the sandbox checks signatures).
	r.Host = r.URL.Host
	r.URL.Scheme, r.URL.Host = c.base.Scheme, c.base.Host
	return http.DefaultClient.Do(r)
}

// Pointed at an additional Region, a Set lists the instances there and
// sends the calls only the primary Region serves there: permission-set
// and assignment reads, identity-store calls (endpoint and signature).
func TestPrimaryRegionRouting(t *testing.T) {
	sb := emulatortest.Start(t, emulator.Options{AdditionalRegions: []string{"eu-west-1"}})
	base, _ := url.Parse(sb.URL)
	ctx := context.Background()
	set, err := awsclient.New(ctx, awsclient.Options{Region: "eu-west-1", Unlimited: true,
		Credentials: credentials.NewStaticCredentialsProvider("AKIASANDBOXEXAMPLE01", "sandbox-secret-not-real", "")})
	if err != nil {
		t.Fatal(err)
	}
	rec := &toSandbox{base: base}
	set.Config.HTTPClient = rec

	// Before any instance read, nothing is known: the call goes where
	// pointed, and the sandbox refuses it there.
	st := sb.Server.Snapshot()
	inst, store := st.Instances[0].InstanceArn, st.Instances[0].IdentityStoreId
	if _, err := set.SSOAdmin().ListPermissionSets(ctx, &ssoadmin.ListPermissionSetsInput{InstanceArn: &inst}); err == nil || !strings.Contains(err.Error(), "AccessDeniedException") {
		t.Fatalf("ListPermissionSets before ListInstances: got %v; want AccessDeniedException from the additional Region", err)
	}
	if got := set.PrimaryRegion(inst); got != "" {
		t.Errorf("PrimaryRegion before ListInstances: got %q; want none", got)
	}
	if _, err := set.SSOAdmin().ListInstances(ctx, &ssoadmin.ListInstancesInput{}); err != nil {
		t.Fatal(err)
	}
	if got := set.PrimaryRegion(inst); got != "us-east-1" {
		t.Errorf("PrimaryRegion: got %q; want us-east-1", got)
	}
	if _, err := set.SSOAdmin().DescribeInstance(ctx, &ssoadmin.DescribeInstanceInput{InstanceArn: &inst}); err != nil {
		t.Fatal(err)
	}
	if _, err := set.SSOAdmin().ListPermissionSets(ctx, &ssoadmin.ListPermissionSetsInput{InstanceArn: &inst}); err != nil {
		t.Fatalf("ListPermissionSets after ListInstances: %v", err)
	}
	if _, err := set.IdentityStore().CreateGroup(ctx, &identitystore.CreateGroupInput{IdentityStoreId: &store, DisplayName: new("routed")}); err != nil {
		t.Fatalf("CreateGroup: %v", err)
	}
	want := []string{
		"ListPermissionSets sso.eu-west-1.amazonaws.com eu-west-1",
		"ListInstances sso.eu-west-1.amazonaws.com eu-west-1",
		"DescribeInstance sso.eu-west-1.amazonaws.com eu-west-1",
		"ListPermissionSets sso.us-east-1.amazonaws.com us-east-1",
		"CreateGroup identitystore.us-east-1.amazonaws.com us-east-1",
	}
	if diff := cmp.Diff(want, rec.seen); diff != "" {
		t.Errorf("operation, endpoint host, signing Region (-want +got):\n%s", diff)
	}
}
