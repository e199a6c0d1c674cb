package lifecycle

import (
	"context"

	"github.com/ssoctl/ssoctl/internal/assignments/execute"
	"github.com/ssoctl/ssoctl/internal/legacyiam"
)

// RetireFirst is a legacy IAM user an offboarding retires before it
// changes anything in Identity Center (`user offboard --iam`).
type RetireFirst struct {
	IAM   legacyiam.IAM
	Steps []legacyiam.Step
	// OnStep is told each step's result as it is done (nil: not told).
	OnStep func(legacyiam.StepResult)
}

// Offboarding is what Offboard did.
type Offboarding struct {
	// IAMResults are the legacy IAM user's steps, when it had any.
	IAMResults []legacyiam.StepResult
	// IAMFailed: a step of the IAM user failed, so Identity Center was
	// left as it was (Result is nil).
	IAMFailed bool
	// Result is the Identity Center part (ApplyOffboard's), nil when it
	// did not run.
	Result *OffboardResult
}

// Offboard carries an offboarding out in the order that leaves no way in
// behind: the legacy IAM user (iam, when given with steps) is retired
// first, through its whole checklist, and only when every step of it is
// done are the user's Identity Center assignments, memberships and user
// removed (ApplyOffboard). The other order could end with the person gone
// from Identity Center, where every audit looks, while the IAM user they
// also hold still works; this one, when the IAM part fails, leaves the
// person whole in Identity Center, and a re-run finishes both (what is
// already gone counts as done).
func (d *Directory) Offboard(ctx context.Context, p OffboardPlan, iam *RetireFirst, opts execute.Options) (Offboarding, error) {
	var out Offboarding
	if iam != nil && len(iam.Steps) > 0 {
		rs, err := legacyiam.Run(ctx, iam.IAM, iam.Steps, iam.OnStep)
		out.IAMResults = rs
		if err != nil {
			return out, err
		}
		if !legacyiam.OK(rs) {
			out.IAMFailed = true
			return out, nil
		}
	}
	res, err := d.ApplyOffboard(ctx, p, opts)
	out.Result = &res
	return out, err
}
