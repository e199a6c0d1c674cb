package sso

import (
	"context"
	"path/filepath"

	awssso "github.com/aws/aws-sdk-go-v2/service/sso"

	"github.com/ssoctl/ssoctl/internal/awsconfig"
)

// CacheDir is ssoctl's own cache folder (never the AWS CLI's ~/.aws):
// $XDG_CACHE_HOME/ssoctl, else ~/.cache/ssoctl. It holds what ssoctl
// remembers for itself: the roles last listed (for completion) and the
// portal's shared rate-limit state.
func CacheDir(getenv func(string) string) (string, error) {
	if dir := getenv("XDG_CACHE_HOME"); dir != "" {
		return filepath.Join(dir, "ssoctl"), nil
	}
	home, err := awsconfig.Home(getenv)
	if err != nil {
		return "", err
	}
	return filepath.Join(home, ".cache", "ssoctl"), nil
}

// PacePath is the file of the portal's shared rate limit in a region,
// under CacheDir: every ssoctl process (and program using the accounts
// package) calling that region's portal draws from it.
func PacePath(cacheDir, region string) string {
	return filepath.Join(cacheDir, "portal-"+region+".pace")
}

// PacedPortal is p with wait called before every call (ListAccounts,
// ListAccountRoles, GetRoleCredentials, Logout; a paginator's every page):
// the portal's quota is the account's, so its calls are paced across
// processes (quota.SharedBucket.Wait), not only within one.
func PacedPortal(p Portal, wait func(context.Context) error) Portal {
	return pacedPortal{p: p, wait: wait}
}

type pacedPortal struct {
	p    Portal
	wait func(context.Context) error
}

func (p pacedPortal) ListAccounts(ctx context.Context, in *awssso.ListAccountsInput, o ...func(*awssso.Options)) (*awssso.ListAccountsOutput, error) {
	if err := p.wait(ctx); err != nil {
		return nil, err
	}
	return p.p.ListAccounts(ctx, in, o...)
}

func (p pacedPortal) ListAccountRoles(ctx context.Context, in *awssso.ListAccountRolesInput, o ...func(*awssso.Options)) (*awssso.ListAccountRolesOutput, error) {
	if err := p.wait(ctx); err != nil {
		return nil, err
	}
	return p.p.ListAccountRoles(ctx, in, o...)
}

func (p pacedPortal) GetRoleCredentials(ctx context.Context, in *awssso.GetRoleCredentialsInput, o ...func(*awssso.Options)) (*awssso.GetRoleCredentialsOutput, error) {
	if err := p.wait(ctx); err != nil {
		return nil, err
	}
	return p.p.GetRoleCredentials(ctx, in, o...)
}

func (p pacedPortal) Logout(ctx context.Context, in *awssso.LogoutInput, o ...func(*awssso.Options)) (*awssso.LogoutOutput, error) {
	if err := p.wait(ctx); err != nil {
		return nil, err
	}
	return p.p.Logout(ctx, in, o...)
}
