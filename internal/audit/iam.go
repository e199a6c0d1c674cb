package audit

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"time"

	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/ssoctl/ssoctl/internal/fanout"
	"github.com/ssoctl/ssoctl/internal/legacyiam"
)

// IAM is what the legacy-user check reads, through legacyiam (the one IAM
// reader): the account's user names, then each matching user's status.
type IAM interface {
	legacyiam.Lister
	legacyiam.Reader
}

// IAMStatus is what a legacy IAM user of the same name still holds.
type IAMStatus struct {
	UserName        string      `json:"iamUserName"`
	ConsolePassword bool        `json:"consolePassword"`
	ActiveKeys      []AccessKey `json:"activeAccessKeys"`
	MFA             bool        `json:"mfa"`
	// Stage is how far its retirement has come (legacyiam.Stage: active,
	// keys-deactivated, deactivated); "" in snapshots older than stages.
	Stage string `json:"migrationStage,omitempty"`
}

// AccessKey is an active access key and when it was last used.
type AccessKey struct {
	Id       string     `json:"accessKeyId"`
	LastUsed *time.Time `json:"lastUsed,omitempty"`
	Service  string     `json:"lastUsedService,omitempty"`
}

// Legacy reports whether the IAM user can still sign in or call AWS.
func (s *IAMStatus) Legacy() bool { return s != nil && (s.ConsolePassword || len(s.ActiveKeys) > 0) }

// legacyIAM finds, in the account of the credentials in use, IAM users
// named like an identity-store user (by user name, e-mail, or the e-mail's
// local part) and reads what each still holds.
func (a *auditor) legacyIAM(ctx context.Context) error {
	if a.c.IAM == nil {
		return errors.New("no IAM client")
	}
	names, err := legacyiam.UserNames(ctx, a.c.IAM)
	if err != nil {
		return err
	}
	people := make([]legacyiam.Person, 0, len(a.users))
	for _, u := range a.users {
		people = append(people, legacyiam.Person{Key: u.Id, Names: legacyiam.Names(u.UserName, u.Email)})
	}
	type match struct{ userID, iamName string }
	var matches []match
	for id, n := range legacyiam.Match(names, people) {
		matches = append(matches, match{id, n})
	}
	slices.SortFunc(matches, func(x, y match) int { return cmp.Compare(x.iamName, y.iamName) })
	a.iam = map[string]*IAMStatus{}
	var done int
	res := fanout.Map(ctx, matches, a.c.Concurrency0(), func(ctx context.Context, m match) (*IAMStatus, error) {
		return a.iamStatus(ctx, m.iamName)
	})
	for i, r := range res {
		done++
		a.progress("iam", done, len(matches))
		if r.Err != nil {
			a.itemError("IAM user "+matches[i].iamName, r.Err)
			continue
		}
		a.iam[matches[i].userID] = r.Value
	}
	return nil
}

// iamStatus reads one legacy user through legacyiam, the one IAM reader.
func (a *auditor) iamStatus(ctx context.Context, name string) (*IAMStatus, error) {
	u, err := legacyiam.Status(ctx, a.c.IAM, name)
	if err != nil {
		return nil, err
	}
	st := &IAMStatus{UserName: name, ConsolePassword: u.LoginProfile, MFA: len(u.MFADevices) > 0, Stage: string(u.MigrationStage)}
	for _, k := range u.AccessKeys {
		if k.Status != string(iamtypes.StatusTypeActive) {
			continue
		}
		key := AccessKey{Id: k.Id}
		if k.LastUsed != nil {
			key.LastUsed, key.Service = k.LastUsed, k.Service
		}
		st.ActiveKeys = append(st.ActiveKeys, key)
	}
	return st, nil
}
