package accounts_test

import (
	"context"
	"fmt"
	"log"
	"net/http/httptest"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/ssoctl/ssoctl/accounts"
	"github.com/ssoctl/ssoctl/internal/emulator"
)

// Ask every account and role who we are there. ssoctl's sandbox stands in
// for AWS; against AWS, leave Home and EndpointURL empty, name a profile
// or sso-session, and sign in beforehand with `ssoctl login` or
// `aws sso login` (SignIn does it too).
func Example() {
	ctx := context.Background()
	sandbox, err := emulator.New(emulator.Options{SignInAs: "dave.miller"})
	if err != nil {
		log.Fatal(err)
	}
	srv := httptest.NewServer(sandbox)
	defer srv.Close()
	home, err := os.MkdirTemp("", "accounts-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(home)

	c, err := accounts.New(ctx, accounts.Options{
		StartURL: srv.URL + "/start", SSORegion: "us-east-1", Region: "eu-west-1",
		Home: home, EndpointURL: srv.URL,
	})
	if err != nil {
		log.Fatal(err)
	}
	err = c.SignIn(ctx, func(url, code string) {
		// Show the person the URL to open and the code to confirm there.
		// (The sandbox approves by itself.)
	})
	if err != nil {
		log.Fatal(err)
	}

	roles, err := c.Roles(ctx)
	if err != nil {
		log.Fatal(err)
	}
	results := accounts.Each(ctx, c, roles, func(ctx context.Context, r accounts.Role, cfg aws.Config) (string, error) {
		id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			return "", err
		}
		return aws.ToString(id.Account) + " " + cfg.Region, nil
	})
	for _, r := range results {
		if r.Err != nil {
			fmt.Println(r.Role.AccountName, r.Role.RoleName, "failed:", r.Err)
			continue
		}
		fmt.Println(r.Role.AccountName, r.Role.RoleName, r.Value)
	}
	// Output:
	// developer-sandbox Developer 414203185851 eu-west-1
	// insights-dev Developer 521636866903 eu-west-1
	// insights-prod ProductionSupport 510418400109 eu-west-1
	// legacy-app Developer 256325659016 eu-west-1
	// payments-dev Developer 640775136188 eu-west-1
	// payments-dev SeniorDeveloper 640775136188 eu-west-1
	// payments-prod ProductionSupport 527326230212 eu-west-1
	// payments-prod SeniorDeveloper 527326230212 eu-west-1
	// payments-staging Developer 574749125865 eu-west-1
	// payments-staging SeniorDeveloper 574749125865 eu-west-1
}
