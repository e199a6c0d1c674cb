// Command callerid prints the caller's account and ARN (sts
// GetCallerIdentity) as any program built on the AWS SDK for Go gets them:
// the default configuration chain, so the credentials and
// AWS_ENDPOINT_URL in its environment. It is what bench/each.sh runs in
// every account with `ssoctl each`; bench/eachgo does the same fan-out in
// one process.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

func main() {
	ctx := context.Background()
	// A user's program, not ssoctl: it loads its configuration the SDK's
	// way (ssoctl's own code goes through internal/awsclient).
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, "callerid:", err)
		os.Exit(1)
	}
	out, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "callerid:", err)
		os.Exit(1)
	}
	fmt.Println(aws.ToString(out.Account), aws.ToString(out.Arn))
}
