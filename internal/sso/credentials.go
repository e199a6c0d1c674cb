package sso

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssso "github.com/aws/aws-sdk-go-v2/service/sso"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/sso/types"
	"github.com/aws/smithy-go"
)

// ErrNoAccess means the signed-in person was not given the role in the
// account (the portal's 403 "No access").
var ErrNoAccess = errors.New("no access")

// CachedCredentials returns cached role credentials that are outside the
// expiry window, or nil. It takes no lock and builds no client: it is the
// whole of a warm `credential-process` call.
func (m *Manager) CachedCredentials(c Config, accountID, roleName string) *RoleCredentials {
	if cr := m.readCredentials(m.CredentialPath(c, accountID, roleName)); cr.Valid(m.now()) {
		return cr
	}
	return nil
}

// RoleCredentials returns credentials for a role in an account: from the
// cache while more than CredentialWindow remains, else from the portal
// with the sign-in's token (refreshing it, or with login signing in, as
// Token does), cached for the next caller. Concurrent callers for the same
// role make one portal call between them.
func (m *Manager) RoleCredentials(ctx context.Context, c Config, accountID, roleName string, login *LoginOptions) (*RoleCredentials, error) {
	if cr := m.CachedCredentials(c, accountID, roleName); cr != nil {
		return cr, nil
	}
	path := m.CredentialPath(c, accountID, roleName)
	unlock, err := lockFile(ctx, path)
	if err != nil {
		return nil, err
	}
	defer unlock()
	if cr := m.readCredentials(path); cr.Valid(m.now()) {
		return cr, nil
	}
	t, err := m.Token(ctx, c, login)
	if err != nil {
		return nil, err
	}
	cr, err := m.fetchCredentials(ctx, c, t, accountID, roleName)
	if isUnauthorized(err) {
		// The token was revoked or has expired early: another process
		// may have a new one by now; else refresh or sign in again.
		if t, err = m.replaceRejected(ctx, c, login, t.AccessToken); err != nil {
			return nil, err
		}
		cr, err = m.fetchCredentials(ctx, c, t, accountID, roleName)
		if isUnauthorized(err) {
			return nil, fmt.Errorf("%w: the portal rejected the token of %s (%v)", ErrSignInRequired, c.Name(), err)
		}
	}
	if err != nil {
		return nil, err
	}
	if err := writeAtomic(path, cr.encode()); err != nil {
		return nil, err
	}
	return cr, nil
}

func (m *Manager) fetchCredentials(ctx context.Context, c Config, t *Token, accountID, roleName string) (*RoleCredentials, error) {
	cl, err := m.clients(ctx, tokenRegion(c, t))
	if err != nil {
		return nil, err
	}
	out, err := cl.Portal.GetRoleCredentials(ctx, &awssso.GetRoleCredentialsInput{
		AccessToken: aws.String(t.AccessToken),
		AccountId:   aws.String(accountID),
		RoleName:    aws.String(roleName),
	})
	if err != nil {
		if isNoAccess(err) {
			return nil, fmt.Errorf("role %s in account %s: %w: the signed-in user was not given it", roleName, accountID, ErrNoAccess)
		}
		return nil, fmt.Errorf("get credentials for role %s in account %s: %w", roleName, accountID, err)
	}
	rc := out.RoleCredentials
	if rc == nil || aws.ToString(rc.AccessKeyId) == "" {
		return nil, fmt.Errorf("get credentials for role %s in account %s: empty answer", roleName, accountID)
	}
	return &RoleCredentials{
		AccessKeyID:     aws.ToString(rc.AccessKeyId),
		SecretAccessKey: aws.ToString(rc.SecretAccessKey),
		SessionToken:    aws.ToString(rc.SessionToken),
		Expiration:      time.UnixMilli(rc.Expiration).UTC(),
		AccountID:       accountID,
	}, nil
}

func tokenRegion(c Config, t *Token) string {
	if t != nil && t.Region != "" {
		return t.Region
	}
	return c.Region
}

// isUnauthorized reports the portal's 401: the token is not (or no
// longer) valid.
func isUnauthorized(err error) bool {
	var ue *ssotypes.UnauthorizedException
	return err != nil && errors.As(err, &ue)
}

// isNoAccess reports the portal's 403 "No access", which is not in the
// service model and arrives as a generic API error.
func isNoAccess(err error) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && (ae.ErrorCode() == "ForbiddenException" || ae.ErrorCode() == "AccessDeniedException")
}
