// Command eachgo is bench/each.sh's in-process fan-out: what callerid
// prints, for every account where the signed-in person has -role, through
// the public package github.com/ssoctl/ssoctl/accounts (-parallel at a
// time, the portal's calls limited to -rate a second), in one process.
//
// The sign-in is -profile, else the environment's (AWS_PROFILE, or
// AWS_DEFAULT_SSO_START_URL and AWS_DEFAULT_SSO_REGION); calls go to
// AWS_ENDPOINT_URL when it is set.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/ssoctl/ssoctl/accounts"
)

func main() {
	role := flag.String("role", "ReadOnlyAccess", "the `role` to use in every account that has it")
	profile := flag.String("profile", "", "the sign-in's `profile` (else the environment's)")
	parallel := flag.Int("parallel", accounts.DefaultConcurrency, "accounts at once")
	rate := flag.Float64("rate", 0, "portal calls a `second` (0: AWS's quota)")
	flag.Parse()

	ctx := context.Background()
	c, err := accounts.New(ctx, accounts.Options{Profile: *profile, EndpointURL: os.Getenv("AWS_ENDPOINT_URL"), Concurrency: *parallel, RatePerSecond: *rate})
	if err != nil {
		fail(err)
	}
	all, err := c.Roles(ctx)
	if err != nil {
		fail(err)
	}
	var roles []accounts.Role
	for _, r := range all {
		if r.RoleName == *role {
			roles = append(roles, r)
		}
	}
	results := accounts.Each(ctx, c, roles, func(ctx context.Context, _ accounts.Role, cfg aws.Config) (string, error) {
		out, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			return "", err
		}
		return aws.ToString(out.Account) + " " + aws.ToString(out.Arn), nil
	})
	failed := 0
	for _, r := range results {
		if r.Err != nil {
			fmt.Fprintf(os.Stderr, "eachgo: %s/%s: %v\n", r.Role.AccountName, r.Role.RoleName, r.Err)
			failed++
			continue
		}
		fmt.Println(r.Value)
	}
	fmt.Fprintf(os.Stderr, "%d ok, %d failed\n", len(results)-failed, failed)
	if failed > 0 {
		os.Exit(3)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "eachgo:", err)
	os.Exit(1)
}
