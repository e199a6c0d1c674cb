package eachcmd

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/ssoctl/ssoctl/accounts"
	"github.com/ssoctl/ssoctl/internal/sso"
)

// hopPortal is a Portal whose credentials are those of an IAM role of one
// name (each --assume-role) in the account of each Identity Center role,
// assumed from that role's credentials: the role chain one hop long, per
// account, cached as every hop is. Listing roles, and which roles are in
// the credential cache, are the Identity Center portal's.
type hopPortal struct {
	accounts.Portal
	m    *sso.Manager
	role string // the IAM role's name
	// ssoRegion picks the partition of the roles' ARNs.
	ssoRegion string
	opts      sso.ChainOptions
}

func (h hopPortal) Credentials(ctx context.Context, accountID, roleName string) (aws.Credentials, error) {
	hop := sso.Hop{RoleARN: sso.RoleARN(h.ssoRegion, accountID, h.role)}
	cr, err := h.m.Assume(ctx, hop, func(ctx context.Context) (*sso.RoleCredentials, error) {
		c, err := h.Portal.Credentials(ctx, accountID, roleName)
		if err != nil {
			return nil, err
		}
		return &sso.RoleCredentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken,
			Expiration: c.Expires, AccountID: accountID}, nil
	}, h.opts)
	if err != nil {
		return aws.Credentials{}, err
	}
	return aws.Credentials{
		AccessKeyID: cr.AccessKeyID, SecretAccessKey: cr.SecretAccessKey, SessionToken: cr.SessionToken,
		Source: "ssoctl/each", CanExpire: true, Expires: cr.Expiration, AccountID: accountID,
	}, nil
}

// validRoleName reports whether name is an IAM role name (AWS's pattern,
// without a path).
func validRoleName(name string) bool {
	if name == "" || len(name) > 64 {
		return false
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '+' || r == '=' || r == ',' || r == '.' || r == '@' || r == '-') {
			return false
		}
	}
	return true
}
