package accounts_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ssoctl/ssoctl/internal/peertest"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/google/go-cmp/cmp"

	"github.com/ssoctl/ssoctl/accounts"
	"github.com/ssoctl/ssoctl/internal/emulator"
	"github.com/ssoctl/ssoctl/internal/emulatortest"
)

// sandbox serves the small demo organization, signing in as dave.miller
// (10 roles in 7 accounts).
func sandbox(t *testing.T) string {
	t.Helper()
	sb := emulatortest.Start(t, emulator.Options{SignInAs: "dave.miller"})
	return sb.URL
}

func calls(t *testing.T, url, op string) int { return peertest.Stats(t, url).Calls[op] }

func TestEachRateLimitedOrderedAndCached(t *testing.T) {
	url := sandbox(t)
	ctx := context.Background()
	home := t.TempDir()
	// An sso-session from the config file of Home.
	if err := os.WriteFile(filepath.Join(home, "config"), []byte("[sso-session emu]\nsso_start_url = "+url+"/start\nsso_region = us-east-1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(home, "config"))
	c, err := accounts.New(ctx, accounts.Options{SSOSession: "emu", Home: home, EndpointURL: url, Concurrency: 8, RatePerSecond: 10})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Roles(ctx); !errors.Is(err, accounts.ErrSignInRequired) {
		t.Fatalf("Roles before signing in: %v; want ErrSignInRequired", err)
	}
	var shown atomic.Bool
	if err := c.SignIn(ctx, func(url, code string) { shown.Store(url != "" && code != "") }); err != nil {
		t.Fatal(err)
	}
	if !shown.Load() {
		t.Error("SignIn showed no URL and code")
	}
	// The token is where the AWS CLI looks: sha1("emu").
	if _, err := os.Stat(filepath.Join(home, ".aws", "sso", "cache", "6551e797240051925b8a62615f4c8baaa4c1698c.json")); err != nil {
		t.Errorf("token cache: %v", err)
	}

	start := time.Now()
	roles, err := c.Roles(ctx)
	if err != nil {
		t.Fatal(err)
	}
	results := accounts.Each(ctx, c, roles, func(ctx context.Context, r accounts.Role, cfg aws.Config) ([]string, error) {
		out, err := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }).ListBuckets(ctx, &s3.ListBucketsInput{})
		if err != nil {
			return nil, err
		}
		var names []string
		for _, b := range out.Buckets {
			names = append(names, aws.ToString(b.Name))
		}
		return names, nil
	})
	elapsed := time.Since(start)

	var got []string
	for _, r := range results {
		if r.Err != nil {
			t.Fatalf("%s/%s: %v", r.Role.AccountName, r.Role.RoleName, r.Err)
		}
		got = append(got, r.Role.AccountName+"/"+r.Role.RoleName+" "+r.Value[0])
	}
	want := []string{
		"developer-sandbox/Developer developer-sandbox-artifacts-414203185851",
		"insights-dev/Developer insights-dev-artifacts-521636866903",
		"insights-prod/ProductionSupport insights-prod-artifacts-510418400109",
		"legacy-app/Developer legacy-app-artifacts-256325659016",
		"payments-dev/Developer payments-dev-artifacts-640775136188",
		"payments-dev/SeniorDeveloper payments-dev-artifacts-640775136188",
		"payments-prod/ProductionSupport payments-prod-artifacts-527326230212",
		"payments-prod/SeniorDeveloper payments-prod-artifacts-527326230212",
		"payments-staging/Developer payments-staging-artifacts-574749125865",
		"payments-staging/SeniorDeveloper payments-staging-artifacts-574749125865",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("results (-want +got):\n%s", diff)
	}
	// 1 ListAccounts + 7 ListAccountRoles + 10 GetRoleCredentials through
	// a bucket of 10 a second with a burst of 10: at least 0.8 s.
	if n := calls(t, url, "sso:GetRoleCredentials"); n != 10 {
		t.Errorf("%d GetRoleCredentials; want 10 (one per role)", n)
	}
	if elapsed < 700*time.Millisecond {
		t.Errorf("18 portal calls took %s; want at least 0.8 s at 10 a second", elapsed)
	}

	// Again: the credentials come from the shared cache.
	accounts.Each(ctx, c, roles, func(context.Context, accounts.Role, aws.Config) (bool, error) { return true, nil })
	if n := calls(t, url, "sso:GetRoleCredentials"); n != 10 {
		t.Errorf("%d GetRoleCredentials after a second Each; want still 10", n)
	}

	// A role not given fails alone.
	bad := append([]accounts.Role{{AccountID: "414203185851", AccountName: "developer-sandbox", RoleName: "AdministratorAccess"}}, roles[:2]...)
	res := accounts.Each(ctx, c, bad, func(context.Context, accounts.Role, aws.Config) (bool, error) { return true, nil })
	if res[0].Err == nil || !res[1].Value || !res[2].Value {
		t.Errorf("results %+v; want the first to fail and the others to succeed", res)
	}

	// A cancelled context: nothing runs, every result says so.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	for _, r := range accounts.Each(cctx, c, roles, func(context.Context, accounts.Role, aws.Config) (bool, error) { return true, nil }) {
		if !errors.Is(r.Err, context.Canceled) || r.Role.RoleName == "" {
			t.Errorf("%+v; want context.Canceled", r)
		}
	}
}

// Find with a role name: accounts whose credentials for it are cached are
// known to have it, without listing their roles. Environ gives a command
// the role's credentials and region, and no profile variable.
func TestFindCachedRoleAndEnviron(t *testing.T) {
	url := sandbox(t)
	ctx := context.Background()
	c, err := accounts.New(ctx, accounts.Options{StartURL: url + "/start", SSORegion: "us-east-1", Home: t.TempDir(), EndpointURL: url})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.SignIn(ctx, nil); err != nil {
		t.Fatal(err)
	}
	devs, err := c.Find(ctx, accounts.Query{RoleName: "Developer", Account: func(id, name string) bool { return name != "legacy-app" }})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range devs {
		got = append(got, r.AccountName+"/"+r.RoleName)
	}
	want := []string{"developer-sandbox/Developer", "insights-dev/Developer", "payments-dev/Developer", "payments-staging/Developer"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Find (-want +got):\n%s", diff)
	}
	// 6 accounts listed (legacy-app left out before listing)
	if n := calls(t, url, "sso:ListAccountRoles"); n != 6 {
		t.Errorf("%d ListAccountRoles; want 6", n)
	}
	// Their credentials cached (in eu-west-1 and us-east-2: fetched once
	// each), the same Find lists only the accounts without Developer.
	var twice []accounts.Role
	for _, r := range devs {
		for _, region := range []string{"eu-west-1", "us-east-2"} {
			r.Region = region
			twice = append(twice, r)
		}
	}
	for _, r := range accounts.Each(ctx, c, twice, func(_ context.Context, _ accounts.Role, cfg aws.Config) (string, error) { return cfg.Region, nil }) {
		if r.Err != nil || r.Value != r.Role.Region || !r.Called {
			t.Errorf("%+v; want the role's region", r)
		}
	}
	if n := calls(t, url, "sso:GetRoleCredentials"); n != 4 {
		t.Errorf("%d GetRoleCredentials; want 4 (one per account and role)", n)
	}
	if _, err := c.Find(ctx, accounts.Query{RoleName: "Developer", Account: func(id, name string) bool { return name != "legacy-app" }}); err != nil {
		t.Fatal(err)
	}
	if n := calls(t, url, "sso:ListAccountRoles"); n != 6+2 {
		t.Errorf("%d ListAccountRoles; want 8 (the 2 accounts without Developer listed again)", n)
	}

	env, err := c.Environ(ctx, twice[0], []string{"AWS_PROFILE=", "AWS_DEFAULT_PROFILE=dev", "PATH=/bin"})
	if err != nil {
		t.Fatal(err)
	}
	joined := "\n" + strings.Join(env, "\n") + "\n"
	for _, want := range []string{"\nPATH=/bin\n", "\nAWS_ACCESS_KEY_ID=ASIA", "\nAWS_REGION=eu-west-1\n", "\nSSOCTL_ACCOUNT_NAME=developer-sandbox\n", "\nSSOCTL_ROLE_NAME=Developer\n"} {
		if !strings.Contains(joined, want) {
			t.Errorf("environment %q lacks %q", env, want)
		}
	}
	if strings.Contains(joined, "PROFILE=") {
		t.Errorf("environment %q sets a profile variable", env)
	}
}

// TestFindPartial: an account whose roles the portal refuses does not hide
// the others: Find returns them with a *PartialError naming that account.
func TestFindPartial(t *testing.T) {
	sb := emulatortest.Start(t, emulator.Options{SignInAs: "dave.miller", DenyAccounts: []string{"payments-prod"}})
	ctx := context.Background()
	home := t.TempDir()
	if err := os.WriteFile(filepath.Join(home, "config"), []byte("[sso-session emu]\nsso_start_url = "+sb.URL+"/start\nsso_region = us-east-1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(home, "config"))
	c, err := accounts.New(ctx, accounts.Options{SSOSession: "emu", Home: home, EndpointURL: sb.URL})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.SignIn(ctx, nil); err != nil {
		t.Fatal(err)
	}
	for _, q := range []accounts.Query{{}, {RoleName: "SeniorDeveloper"}} {
		roles, err := c.Find(ctx, q)
		var partial *accounts.PartialError
		if !errors.As(err, &partial) {
			t.Fatalf("Find(%+v): %v; want a *PartialError", q, err)
		}
		if len(partial.Failed) != 1 || partial.Failed[0].AccountID != "527326230212" || partial.Accounts != 7 ||
			!strings.Contains(partial.Failed[0].Err.Error(), "AccessDeniedException") {
			t.Errorf("Find(%+v): failed %+v of %d; want payments-prod (527326230212) of 7, AccessDeniedException", q, partial.Failed, partial.Accounts)
		}
		want := 8 // dave.miller's 10 roles, less payments-prod's two
		if q.RoleName != "" {
			want = 2 // SeniorDeveloper in payments-dev and payments-staging
		}
		if len(roles) != want {
			t.Errorf("Find(%+v): %d roles; want %d", q, len(roles), want)
		}
		for _, r := range roles {
			if r.AccountID == "527326230212" {
				t.Errorf("Find(%+v) returned a role of the refused account: %+v", q, r)
			}
		}
	}
}
