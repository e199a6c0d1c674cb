package audit

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/ssoctl/ssoctl/internal/fanout"
)

// IAM lists the iam calls the legacy-user check makes.
type IAM interface {
	ListUsers(context.Context, *iam.ListUsersInput, ...func(*iam.Options)) (*iam.ListUsersOutput, error)
	GetLoginProfile(context.Context, *iam.GetLoginProfileInput, ...func(*iam.Options)) (*iam.GetLoginProfileOutput, error)
	ListAccessKeys(context.Context, *iam.ListAccessKeysInput, ...func(*iam.Options)) (*iam.ListAccessKeysOutput, error)
	GetAccessKeyLastUsed(context.Context, *iam.GetAccessKeyLastUsedInput, ...func(*iam.Options)) (*iam.GetAccessKeyLastUsedOutput, error)
	ListMFADevices(context.Context, *iam.ListMFADevicesInput, ...func(*iam.Options)) (*iam.ListMFADevicesOutput, error)
}

// IAMStatus is what a legacy IAM user of the same name still holds.
type IAMStatus struct {
	UserName        string      `json:"iamUserName"`
	ConsolePassword bool        `json:"consolePassword"`
	ActiveKeys      []AccessKey `json:"activeAccessKeys"`
	MFA             bool        `json:"mfa"`
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
	var names []string
	p := iam.NewListUsersPaginator(a.c.IAM, &iam.ListUsersInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("list IAM users: %w", err)
		}
		for _, u := range page.Users {
			names = append(names, aws.ToString(u.UserName))
		}
	}
	byName := map[string]string{} // lower-case IAM name -> IAM name
	for _, n := range names {
		byName[strings.ToLower(n)] = n
	}
	type match struct{ userID, iamName string }
	var matches []match
	for _, u := range a.users {
		for _, cand := range []string{u.UserName, u.Email, localPart(u.Email)} {
			if n, ok := byName[strings.ToLower(cand)]; ok && cand != "" {
				matches = append(matches, match{u.Id, n})
				break
			}
		}
	}
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

func localPart(email string) string {
	if i := strings.IndexByte(email, '@'); i > 0 {
		return email[:i]
	}
	return ""
}

func (a *auditor) iamStatus(ctx context.Context, name string) (*IAMStatus, error) {
	st := &IAMStatus{UserName: name}
	_, err := a.c.IAM.GetLoginProfile(ctx, &iam.GetLoginProfileInput{UserName: &name})
	var nse *iamtypes.NoSuchEntityException
	switch {
	case err == nil:
		st.ConsolePassword = true
	case !errors.As(err, &nse):
		return nil, fmt.Errorf("get login profile: %w", err)
	}
	keys, err := a.c.IAM.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: &name})
	if err != nil {
		return nil, fmt.Errorf("list access keys: %w", err)
	}
	for _, k := range keys.AccessKeyMetadata {
		if k.Status != iamtypes.StatusTypeActive {
			continue
		}
		key := AccessKey{Id: aws.ToString(k.AccessKeyId)}
		lu, err := a.c.IAM.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: k.AccessKeyId})
		if err != nil {
			return nil, fmt.Errorf("get access key last used: %w", err)
		}
		if l := lu.AccessKeyLastUsed; l != nil && l.LastUsedDate != nil {
			key.LastUsed = l.LastUsedDate
			key.Service = aws.ToString(l.ServiceName)
		}
		st.ActiveKeys = append(st.ActiveKeys, key)
	}
	mfa, err := a.c.IAM.ListMFADevices(ctx, &iam.ListMFADevicesInput{UserName: &name})
	if err != nil {
		return nil, fmt.Errorf("list MFA devices: %w", err)
	}
	st.MFA = len(mfa.MFADevices) > 0
	return st, nil
}
