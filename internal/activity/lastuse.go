package activity

import (
	"context"
	"time"

	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
)

// RoleCredentials is the event the portal records each time a person
// fetches credentials for a role (AWS CLI, SDKs, ssoctl, the portal's
// "access keys"): an AwsServiceEvent of the IdentityCenterUser, read-only,
// so it is looked up by name (never among ReadOnly=false events).
const RoleCredentials = "GetRoleCredentials"

// RoleCredentialsLookup is the lookup of every GetRoleCredentials event in
// a Region (the Identity Center instance's) over a window.
func RoleCredentialsLookup(region string, from, to time.Time) Lookup {
	return Lookup{Region: region, Key: cttypes.LookupAttributeKeyEventName, Value: RoleCredentials, From: from, To: to}
}

// Use is one fetch of credentials: who, for which account and role, when.
type Use struct {
	UserId    string
	AccountId string
	RoleName  string // the permission set's name
	Time      time.Time
}

// UseOf reads a GetRoleCredentials event: the Identity Center user behind
// it (userIdentity.onBehalfOf.userId) and the account and role
// (serviceEventDetails); ok is false for any other event, or one that
// failed.
func UseOf(e Event) (Use, bool) {
	if e.Name != RoleCredentials || e.Source != SourceSSO || e.ErrorCode != "" {
		return Use{}, false
	}
	u := Use{UserId: e.Actor.UserId, AccountId: str(e.Details, "account_id"), RoleName: str(e.Details, "role_name"), Time: e.Time}
	if u.UserId == "" || u.AccountId == "" || u.RoleName == "" {
		return Use{}, false
	}
	return u, true
}

// UseKey is one user × account × role.
type UseKey struct {
	UserId, AccountId, RoleName string
}

// UseWindow is one stretch of GetRoleCredentials events to read.
type UseWindow struct{ From, To time.Time } // a zero To is "until now"

// ReadUses reads the GetRoleCredentials events of the windows in a Region
// and returns the latest use of each user × account × role, and the
// reading's totals (ServerTime: AWS's clock at the first answer).
func ReadUses(ctx context.Context, ct CloudTrail, region string, windows []UseWindow, progress func(Progress)) (map[UseKey]time.Time, ReadResult, error) {
	uses := map[UseKey]time.Time{}
	var total ReadResult
	for _, w := range windows {
		res, err := Read(ctx, ct, RoleCredentialsLookup(region, w.From, w.To), progress, func(e Event) error {
			if u, ok := UseOf(e); ok {
				k := UseKey{u.UserId, u.AccountId, u.RoleName}
				if u.Time.After(uses[k]) {
					uses[k] = u.Time
				}
			}
			return nil
		})
		if total.ServerTime.IsZero() {
			total.ServerTime = res.ServerTime
		}
		total.Pages += res.Pages
		total.Events += res.Events
		if err != nil {
			return nil, total, err
		}
	}
	return uses, total, nil
}
