package sso

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssso "github.com/aws/aws-sdk-go-v2/service/sso"
)

// LogoutResult says what Logout did.
type LogoutResult struct {
	// Tokens are the start URLs of the tokens removed (one per file).
	Tokens []string
	// SignedOut counts the tokens the portal's Logout ended.
	SignedOut int
	// Credentials counts the role-credential files removed.
	Credentials int
	// Locks counts the other lock files removed (those of the files
	// removed go with them).
	Locks int
	// Notes are Logout calls that failed (an expired token, say); the
	// files were removed all the same.
	Notes []string
}

// Logout does what `aws sso logout` does: for every cached token (only the
// one of *only, when given) it calls the portal's Logout, which ends the
// session at Identity Center, and removes the file; then it removes every
// ~/.aws/cli/cache file the SSO provider wrote (ProviderType "sso"), since
// those credentials came from the sessions just ended, and those of the
// roles ssoctl assumed from them (role chains, each --assume-role; the
// AWS CLI's own assumed-role files stay, as aws sso logout leaves them). Client
// registrations stay. Each file is handled under its own lock, one at a
// time, so Logout never waits on a lock while holding another; every lock
// file goes too.
func (m *Manager) Logout(ctx context.Context, only *Config) (*LogoutResult, error) {
	res := &LogoutResult{}
	paths, err := jsonFiles(m.TokenDir())
	if err != nil {
		return nil, err
	}
	if only != nil {
		paths = []string{m.TokenPath(*only)}
	}
	for _, path := range paths {
		if err := m.logoutToken(ctx, path, res); err != nil {
			return res, err
		}
	}
	creds, err := jsonFiles(m.CredentialDir())
	if err != nil {
		return res, err
	}
	for _, path := range creds {
		if err := m.sweepCredentials(ctx, path, res); err != nil {
			return res, err
		}
	}
	for _, dir := range []string{m.TokenDir(), m.CredentialDir()} {
		if err := m.sweepLocks(ctx, dir, res); err != nil {
			return res, err
		}
	}
	return res, nil
}

func (m *Manager) logoutToken(ctx context.Context, path string, res *LogoutResult) error {
	unlock, err := lockFile(ctx, path)
	if err != nil {
		return err
	}
	defer unlock()
	mem, err := readObject(path)
	if err != nil || mem == nil {
		return nil // not a token file we can read: the AWS CLI leaves it too
	}
	access := rawString(mem, "accessToken")
	if access == "" {
		return nil // a client registration
	}
	if region := rawString(mem, "region"); region != "" {
		if err := m.portalLogout(ctx, region, access); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			res.Notes = append(res.Notes, fmt.Sprintf("%s: %v", rawString(mem, "startUrl"), err))
		} else {
			res.SignedOut++
		}
	}
	if err := removeWithLock(path); err != nil {
		return err
	}
	res.Tokens = append(res.Tokens, rawString(mem, "startUrl"))
	return nil
}

// removeWithLock removes path, whose lock is held (releasing the lock
// removes the lock file).
func removeWithLock(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove %s: %w", path, err)
	}
	return nil
}

// sweepLocks removes every lock file left in dir, by taking and releasing
// each lock (which removes its file, safely for anyone waiting on it):
// those of a process killed while it held one, or of older ssoctl
// versions, which left them.
func (m *Manager) sweepLocks(ctx context.Context, dir string, res *LogoutResult) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read %s: %w", dir, err)
	}
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".lock")
		if !ok || e.IsDir() || !strings.HasSuffix(name, ".json") {
			continue
		}
		path := filepath.Join(dir, name)
		unlock, err := lockFile(ctx, path)
		if err != nil {
			return err
		}
		unlock()
		res.Locks++
	}
	return nil
}

func (m *Manager) portalLogout(ctx context.Context, region, token string) error {
	cl, err := m.clients(ctx, region)
	if err != nil {
		return err
	}
	_, err = cl.Portal.Logout(ctx, &awssso.LogoutInput{AccessToken: aws.String(token)})
	return err
}

func (m *Manager) sweepCredentials(ctx context.Context, path string, res *LogoutResult) error {
	unlock, err := lockFile(ctx, path)
	if err != nil {
		return err
	}
	defer unlock()
	mem, err := readObject(path)
	if pt := rawString(mem, "ProviderType"); err != nil || mem == nil || pt != "sso" && pt != chainProviderType {
		return nil
	}
	if err := removeWithLock(path); err != nil {
		return err
	}
	res.Credentials++
	return nil
}

// jsonFiles lists dir/*.json, sorted (none when dir does not exist).
func jsonFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", dir, err)
	}
	var out []string
	for _, e := range entries {
		if n := e.Name(); !e.IsDir() && strings.HasSuffix(n, ".json") && !strings.HasPrefix(n, ".") {
			out = append(out, filepath.Join(dir, n))
		}
	}
	sort.Strings(out)
	return out, nil
}
