package grants

import (
	"context"
	"errors"
	"fmt"
	"time"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// STS is what asking AWS who and when calls.
type STS interface {
	GetCallerIdentity(context.Context, *sts.GetCallerIdentityInput, ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error)
}

// Caller is who is calling AWS, and AWS's time when it answered.
type Caller struct {
	Arn string
	// Now is AWS's clock: the Date header of its answer (to the second).
	Now time.Time
}

// WhoAndWhen asks sts:GetCallerIdentity who is calling, and reads AWS's
// time from the answer's Date header: a grant's expiry is judged on AWS's
// clock, never this machine's.
func WhoAndWhen(ctx context.Context, c STS) (Caller, error) {
	out, err := c.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return Caller{}, fmt.Errorf("ask AWS who is calling (sts:GetCallerIdentity): %w", err)
	}
	now, ok := awsmiddleware.GetServerTime(out.ResultMetadata)
	if !ok || now.IsZero() {
		return Caller{}, errors.New("AWS's answer to sts:GetCallerIdentity had no Date header: cannot judge expiry on AWS's clock")
	}
	arn := ""
	if out.Arn != nil {
		arn = *out.Arn
	}
	return Caller{Arn: arn, Now: now.UTC()}, nil
}
