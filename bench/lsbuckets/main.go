// Command lsbuckets lists the caller's S3 buckets (s3 ListBuckets) as any
// program built on the AWS SDK for Go does: the default configuration
// chain, so the credentials and AWS_ENDPOINT_URL in its environment. It is
// what bench/grant.sh runs with a new grant's role credentials: a call
// sts GetCallerIdentity cannot stand in for, as AWS never refuses that one.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

func main() {
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, "lsbuckets:", err)
		os.Exit(1)
	}
	out, err := s3.NewFromConfig(cfg).ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "lsbuckets:", err)
		os.Exit(1)
	}
	for _, b := range out.Buckets {
		fmt.Println(aws.ToString(b.Name))
	}
}
