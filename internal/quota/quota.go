// Package quota holds AWS's documented request rates for the services ssoctl
// calls. The sandbox enforces them and ssoctl's clients stay under them, so
// both read the same table.
package quota

import (
	"golang.org/x/time/rate"
)

// Rate is a sustained rate in requests per second and a burst.
type Rate struct {
	PerSecond float64
	Burst     float64
}

// AWS is the table of the rates AWS documents for these APIs (Identity
// Center and the identity store 20 TPS each, Organizations per operation,
// CloudTrail LookupEvents 2 TPS). A key is a
// service (one bucket shared by all its operations) or service:Operation
// (its own bucket, as Organizations rates each operation).
var AWS = map[string]Rate{
	"sso-admin":                           {20, 20}, // "collective throttle maximum of 20 TPS"
	"identitystore":                       {20, 20},
	"organizations":                       {5, 8}, // operations not listed below
	"organizations:ListAccounts":          {8, 12},
	"organizations:ListAccountsForParent": {5, 8},
	"organizations:ListOrganizationalUnitsForParent": {5, 8},
	"organizations:ListParents":                      {5, 8},
	"organizations:ListChildren":                     {6, 10},
	"organizations:DescribeAccount":                  {20, 30},
	"organizations:ListRoots":                        {1, 2},
	"organizations:DescribeOrganization":             {1, 2},
	"iam":                                            {20, 40},
	"sts":                                            {100, 200},
	"sso":                                            {20, 20},
	"sso-oidc":                                       {20, 20},
	"sesv2":                                          {1, 1},
	"s3":                                             {3500, 3500},
	// EventBridge Scheduler rates each operation (us-east-1; the
	// Scheduler User Guide's quotas page): CreateSchedule 5,000 (1,000
	// before 2025), DeleteSchedule, GetSchedule and UpdateSchedule 1,000,
	// CreateScheduleGroup and DeleteScheduleGroup 10. The page gives no
	// rate for the list operations or GetScheduleGroup: unlimited here.
	"scheduler:CreateSchedule":      {5000, 5000},
	"scheduler:DeleteSchedule":      {1000, 1000},
	"scheduler:GetSchedule":         {1000, 1000},
	"scheduler:UpdateSchedule":      {1000, 1000},
	"scheduler:CreateScheduleGroup": {10, 10},
	"scheduler:DeleteScheduleGroup": {10, 10},
	// "The rate of lookup requests is limited to two per second, per
	// account, per Region" (CloudTrail API reference, LookupEvents).
	"cloudtrail:LookupEvents": {2, 2},
}

// Shared is the rate for a bucket that processes share (SharedBucket) to
// stay under the quota r, scaled by scale (0 means 1): r's rate, and three
// quarters of its burst. AWS's bucket keeps the last quarter for the
// network's jitter (at 20 TPS, 5 calls: a quarter of a second): at equal
// rates and bursts, a call that arrives a little early after one that came
// late is throttled.
func (r Rate) Shared(scale float64) Rate {
	if scale <= 0 {
		scale = 1
	}
	return Rate{PerSecond: r.PerSecond * scale, Burst: max(1, r.Burst*scale*3/4)}
}

// Limiters is a set of token buckets, one per key of a rate table.
type Limiters map[string]*rate.Limiter

// NewLimiters builds token buckets for table with every rate and burst
// multiplied by scale (0 means 1).
func NewLimiters(table map[string]Rate, scale float64) Limiters {
	if scale <= 0 {
		scale = 1
	}
	out := Limiters{}
	for k, q := range table {
		burst := int(q.Burst * scale)
		if burst < 1 {
			burst = 1
		}
		out[k] = rate.NewLimiter(rate.Limit(q.PerSecond*scale), burst)
	}
	return out
}

// For returns the bucket an operation draws from: its own, else its
// service's, else nil (unlimited).
func (l Limiters) For(service, operation string) *rate.Limiter {
	if b, ok := l[service+":"+operation]; ok {
		return b
	}
	return l[service]
}
