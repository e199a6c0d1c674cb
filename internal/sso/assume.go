package sso

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
)

// STS is the part of the sts client a role chain uses.
type STS interface {
	AssumeRole(context.Context, *sts.AssumeRoleInput, ...func(*sts.Options)) (*sts.AssumeRoleOutput, error)
}

// ChainOptions say how to make a chain's AssumeRole calls.
type ChainOptions struct {
	// Login, when set, lets the chain's Identity Center role sign in (as
	// for RoleCredentials).
	Login *LoginOptions
	// Region is the sts client's region (the profile's, else the
	// Identity Center region).
	Region string
	// MFA returns the current code of the MFA device serial (a hop with
	// mfa_serial); nil makes such a hop fail with ErrMFARequired.
	MFA func(serial string) (string, error)
}

// ErrMFARequired means a hop needs an MFA code and none could be asked
// for.
var ErrMFARequired = errors.New("an MFA code is needed")

// AssumeRoleCacheKey is the name (without .json) of a hop's file in
// ~/.aws/cli/cache, as botocore's AssumeRoleCredentialFetcher names it:
// sha1 of json.dumps of the AssumeRole arguments (DurationSeconds,
// ExternalId, RoleArn, RoleSessionName unless defaulted, SerialNumber),
// sort_keys=True, so the AWS CLI and ssoctl reuse each other's assumed-role
// credentials.
func AssumeRoleCacheKey(h Hop) string {
	var b strings.Builder
	b.WriteByte('{')
	sep := ""
	member := func(k string) {
		b.WriteString(sep)
		sep = ", "
		pyString(&b, k)
		b.WriteString(": ")
	}
	if h.DurationSeconds != 0 {
		member("DurationSeconds")
		b.WriteString(strconv.Itoa(h.DurationSeconds))
	}
	if h.ExternalID != "" {
		member("ExternalId")
		pyString(&b, h.ExternalID)
	}
	member("RoleArn")
	pyString(&b, h.RoleARN)
	if h.SessionName != "" {
		member("RoleSessionName")
		pyString(&b, h.SessionName)
	}
	if h.MFASerial != "" {
		member("SerialNumber")
		pyString(&b, h.MFASerial)
	}
	b.WriteByte('}')
	return sha1Hex(b.String())
}

// AssumedPath is a hop's credential file.
func (m *Manager) AssumedPath(h Hop) string {
	return filepath.Join(m.CredentialDir(), AssumeRoleCacheKey(h)+".json")
}

// CachedAssumed returns a hop's cached credentials while they are outside
// the expiry window, or nil. It takes no lock and builds no client.
func (m *Manager) CachedAssumed(h Hop) *RoleCredentials {
	if cr := m.readAssumed(m.AssumedPath(h)); cr.Valid(m.now()) {
		return cr
	}
	return nil
}

// ChainCredentials returns the credentials of a target: of its Identity
// Center role (RoleCredentials) when it is not a chain, else of the
// chain's last role, each hop's from the cache while they last and
// otherwise assumed with the credentials of the hop before.
func (m *Manager) ChainCredentials(ctx context.Context, t Target, o ChainOptions) (*RoleCredentials, error) {
	return m.hops(ctx, t, len(t.Chain), o)
}

// hops returns the credentials after the first n hops of t's chain.
func (m *Manager) hops(ctx context.Context, t Target, n int, o ChainOptions) (*RoleCredentials, error) {
	if n == 0 {
		return m.RoleCredentials(ctx, t.Config, t.AccountID, t.RoleName, o.Login)
	}
	return m.Assume(ctx, t.Chain[n-1], func(ctx context.Context) (*RoleCredentials, error) {
		return m.hops(ctx, t, n-1, o)
	}, o)
}

// Assume returns the credentials of hop h: from the cache while more than
// CredentialWindow remains, else from sts AssumeRole signed with the
// credentials source returns, then cached for the next caller (0600,
// atomically, under the file's lock; concurrent callers make one
// AssumeRole between them). source is called only on a miss, and before
// the lock is taken, so a chain never holds two locks at once.
func (m *Manager) Assume(ctx context.Context, h Hop, source func(context.Context) (*RoleCredentials, error), o ChainOptions) (*RoleCredentials, error) {
	if cr := m.CachedAssumed(h); cr != nil {
		return cr, nil
	}
	src, err := source(ctx)
	if err != nil {
		return nil, err
	}
	path := m.AssumedPath(h)
	unlock, err := lockFile(ctx, path)
	if err != nil {
		return nil, err
	}
	defer unlock()
	if cr := m.readAssumed(path); cr.Valid(m.now()) {
		return cr, nil
	}
	res, err := m.assumeRole(ctx, h, src, o)
	if err != nil {
		return nil, err
	}
	if err := writeAtomic(path, res.encode()); err != nil {
		return nil, err
	}
	return &res.RoleCredentials, nil
}

// assumed is an AssumeRole answer as the cache keeps it.
type assumed struct {
	RoleCredentials
	AssumedRoleID, ARN string
}

func (m *Manager) assumeRole(ctx context.Context, h Hop, src *RoleCredentials, o ChainOptions) (*assumed, error) {
	what := "assume role " + h.RoleARN
	if h.Profile != "" {
		what += fmt.Sprintf(" (profile %q)", h.Profile)
	}
	in := &sts.AssumeRoleInput{RoleArn: aws.String(h.RoleARN), RoleSessionName: aws.String(h.SessionName)}
	if h.SessionName == "" {
		in.RoleSessionName = aws.String(fmt.Sprintf("botocore-session-%d", m.now().Unix()))
	}
	if h.ExternalID != "" {
		in.ExternalId = aws.String(h.ExternalID)
	}
	if h.DurationSeconds != 0 {
		in.DurationSeconds = aws.Int32(int32(h.DurationSeconds))
	}
	if h.MFASerial != "" {
		if o.MFA == nil {
			return nil, fmt.Errorf("%s: %w for %s and there is no terminal to ask for it at", what, ErrMFARequired, h.MFASerial)
		}
		code, err := o.MFA(h.MFASerial)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		in.SerialNumber, in.TokenCode = aws.String(h.MFASerial), aws.String(strings.TrimSpace(code))
	}
	if m.STS == nil {
		return nil, errors.New("no sts client configured")
	}
	client, err := m.STS(ctx, o.Region, aws.Credentials{
		AccessKeyID: src.AccessKeyID, SecretAccessKey: src.SecretAccessKey, SessionToken: src.SessionToken,
		CanExpire: true, Expires: src.Expiration, Source: "ssoctl",
	})
	if err != nil {
		return nil, err
	}
	out, err := client.AssumeRole(ctx, in)
	if err != nil {
		var ae smithy.APIError
		if errors.As(err, &ae) {
			return nil, fmt.Errorf("%s: %s: %s", what, ae.ErrorCode(), ae.ErrorMessage())
		}
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	c := out.Credentials
	if c == nil || aws.ToString(c.AccessKeyId) == "" || c.Expiration == nil {
		return nil, fmt.Errorf("%s: empty answer", what)
	}
	res := &assumed{RoleCredentials: RoleCredentials{
		AccessKeyID: aws.ToString(c.AccessKeyId), SecretAccessKey: aws.ToString(c.SecretAccessKey),
		SessionToken: aws.ToString(c.SessionToken), Expiration: c.Expiration.UTC(), AccountID: h.AccountID(),
	}}
	if u := out.AssumedRoleUser; u != nil {
		res.AssumedRoleID, res.ARN = aws.ToString(u.AssumedRoleId), aws.ToString(u.Arn)
		if acct := arnAccount(res.ARN); acct != "" {
			res.AccountID = acct
		}
	}
	return res, nil
}

// arnAccount is the account field of an ARN ("" when it has none).
func arnAccount(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" {
		return ""
	}
	return parts[4]
}

// chainProviderType marks the assumed-role files ssoctl writes: the AWS
// CLI reads them as its own (it reads only Credentials), and logout removes
// them with the Identity Center credentials they came from.
const chainProviderType = "ssoctl-role-chain"

// encode writes the answer as the AWS CLI caches AssumeRole's:
// {"Credentials": {…, "Expiration": "…+00:00", "AccountId"},
// "AssumedRoleUser": {…}}, with ProviderType first.
func (a *assumed) encode() []byte {
	creds := orderedJSON(map[string]json.RawMessage{
		"AccessKeyId":     raw(a.AccessKeyID),
		"SecretAccessKey": raw(a.SecretAccessKey),
		"SessionToken":    raw(a.SessionToken),
		"Expiration":      raw(a.Expiration.UTC().Format("2006-01-02T15:04:05+00:00")),
		"AccountId":       raw(a.AccountID),
	}, []string{"AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration", "AccountId"})
	m := map[string]json.RawMessage{"ProviderType": raw(chainProviderType), "Credentials": creds}
	if a.ARN != "" {
		m["AssumedRoleUser"] = orderedJSON(map[string]json.RawMessage{
			"AssumedRoleId": raw(a.AssumedRoleID), "Arn": raw(a.ARN),
		}, []string{"AssumedRoleId", "Arn"})
	}
	return orderedJSON(m, []string{"ProviderType", "Credentials", "AssumedRoleUser"})
}

// decodeAssumed reads an assumed-role file of ~/.aws/cli/cache (the AWS
// CLI's or ssoctl's).
func decodeAssumed(m map[string]json.RawMessage) (*RoleCredentials, error) {
	var c map[string]json.RawMessage
	if err := json.Unmarshal(m["Credentials"], &c); err != nil || c == nil {
		return nil, errors.New("no Credentials object")
	}
	out := &RoleCredentials{
		AccessKeyID:     rawString(c, "AccessKeyId"),
		SecretAccessKey: rawString(c, "SecretAccessKey"),
		SessionToken:    rawString(c, "SessionToken"),
		AccountID:       rawString(c, "AccountId"),
	}
	var err error
	if out.Expiration, err = rawTime(c, "Expiration"); err != nil {
		return nil, err
	}
	if out.AccessKeyID == "" || out.SecretAccessKey == "" || out.Expiration.IsZero() {
		return nil, errors.New("no AccessKeyId, SecretAccessKey and Expiration")
	}
	if out.AccountID == "" {
		var u map[string]json.RawMessage
		if json.Unmarshal(m["AssumedRoleUser"], &u) == nil {
			out.AccountID = arnAccount(rawString(u, "Arn"))
		}
	}
	return out, nil
}

func (m *Manager) readAssumed(path string) *RoleCredentials {
	mem, err := readObject(path)
	if err == nil && mem != nil {
		var c *RoleCredentials
		if c, err = decodeAssumed(mem); err == nil {
			return c
		}
		err = fmt.Errorf("%w %s: %v", ErrCorrupt, path, err)
	}
	if err != nil {
		m.warn("ignoring unreadable credential cache: %v", err)
	}
	return nil
}

// Partition is the AWS partition of a region, for the ARNs of roles
// named by name only (each --assume-role).
func Partition(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	}
	return "aws"
}

// RoleARN is the ARN of role name in account, in the partition of region.
func RoleARN(region, account, name string) string {
	return "arn:" + Partition(region) + ":iam::" + account + ":role/" + name
}
