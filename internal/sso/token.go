package sso

import (
	"encoding/json"
	"fmt"
	"time"
)

// Windows around expiry, as the AWS CLI uses them.
const (
	// RefreshWindow: a token with less than this left is refreshed.
	RefreshWindow = 15 * time.Minute
	// RegistrationWindow: a client registration with less than this left
	// is not reused.
	RegistrationWindow = 15 * time.Minute
	// CredentialWindow: cached role credentials with less than this left
	// are fetched again.
	CredentialWindow = 15 * time.Minute
	// minValidity: a token with less than this left is not used at all.
	minValidity = 10 * time.Second
)

// Token is one file of ~/.aws/sso/cache, as the AWS CLI v2 writes it.
// Members ssoctl does not know (aws-sso-util's receivedAt, say) are kept
// when the file is rewritten.
type Token struct {
	StartURL              string
	Region                string
	AccessToken           string
	ExpiresAt             time.Time
	ClientID              string
	ClientSecret          string
	RegistrationExpiresAt time.Time // zero when absent
	RefreshToken          string

	members map[string]json.RawMessage // as read
}

// tokenOrder is the order the AWS CLI writes the members in.
var tokenOrder = []string{"startUrl", "region", "accessToken", "expiresAt", "clientId", "clientSecret", "registrationExpiresAt", "refreshToken"}

// decodeToken reads a token file's members.
func decodeToken(m map[string]json.RawMessage) (*Token, error) {
	t := &Token{
		StartURL:     rawString(m, "startUrl"),
		Region:       rawString(m, "region"),
		AccessToken:  rawString(m, "accessToken"),
		ClientID:     rawString(m, "clientId"),
		ClientSecret: rawString(m, "clientSecret"),
		RefreshToken: rawString(m, "refreshToken"),
		members:      m,
	}
	var err error
	if t.ExpiresAt, err = rawTime(m, "expiresAt"); err != nil {
		return nil, err
	}
	if t.RegistrationExpiresAt, err = rawTime(m, "registrationExpiresAt"); err != nil {
		return nil, err
	}
	if t.AccessToken == "" || t.ExpiresAt.IsZero() {
		return nil, fmt.Errorf("no accessToken and expiresAt")
	}
	return t, nil
}

// encode writes the token: the known members over those read, in the AWS
// CLI's order, the unknown ones after them.
func (t *Token) encode() []byte {
	m := make(map[string]json.RawMessage, len(t.members)+len(tokenOrder))
	for k, v := range t.members {
		m[k] = v
	}
	set := func(k, v string) {
		if v == "" {
			delete(m, k)
			return
		}
		m[k] = raw(v)
	}
	set("startUrl", t.StartURL)
	set("region", t.Region)
	set("accessToken", t.AccessToken)
	set("expiresAt", formatTime(t.ExpiresAt))
	set("clientId", t.ClientID)
	set("clientSecret", t.ClientSecret)
	if t.RegistrationExpiresAt.IsZero() {
		delete(m, "registrationExpiresAt")
	} else {
		set("registrationExpiresAt", formatTime(t.RegistrationExpiresAt))
	}
	set("refreshToken", t.RefreshToken)
	return orderedJSON(m, tokenOrder)
}

// Valid reports whether the token can still be used at now.
func (t *Token) Valid(now time.Time) bool {
	return t != nil && t.AccessToken != "" && t.ExpiresAt.Sub(now) > minValidity
}

// Fresh reports whether the token is valid and outside the refresh window.
func (t *Token) Fresh(now time.Time) bool {
	return t.Valid(now) && t.ExpiresAt.Sub(now) >= RefreshWindow
}

// Refreshable reports whether the token carries what a refresh needs: a
// refresh token and a client registration that has not expired.
func (t *Token) Refreshable(now time.Time) bool {
	return t != nil && t.RefreshToken != "" && t.ClientID != "" && t.ClientSecret != "" &&
		!t.RegistrationExpiresAt.IsZero() && t.RegistrationExpiresAt.After(now)
}

// Registration is one client registration file in ~/.aws/sso/cache.
type Registration struct {
	ClientID     string
	ClientSecret string
	ExpiresAt    time.Time
	Scopes       []string
	// GrantTypes is set for authorization-code (PKCE) registrations.
	GrantTypes []string
}

var registrationOrder = []string{"clientId", "clientSecret", "expiresAt", "scopes", "grantTypes"}

func decodeRegistration(m map[string]json.RawMessage) (*Registration, error) {
	r := &Registration{ClientID: rawString(m, "clientId"), ClientSecret: rawString(m, "clientSecret")}
	var err error
	if r.ExpiresAt, err = rawTime(m, "expiresAt"); err != nil {
		return nil, err
	}
	for k, dst := range map[string]*[]string{"scopes": &r.Scopes, "grantTypes": &r.GrantTypes} {
		if v, ok := m[k]; ok {
			if err := json.Unmarshal(v, dst); err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
		}
	}
	if r.ClientID == "" || r.ClientSecret == "" || r.ExpiresAt.IsZero() {
		return nil, fmt.Errorf("no clientId, clientSecret and expiresAt")
	}
	return r, nil
}

func (r *Registration) encode() []byte {
	m := map[string]json.RawMessage{
		"clientId":     raw(r.ClientID),
		"clientSecret": raw(r.ClientSecret),
		"expiresAt":    raw(formatTime(r.ExpiresAt)),
	}
	if r.Scopes != nil {
		m["scopes"] = raw(r.Scopes)
	}
	if r.GrantTypes != nil {
		m["grantTypes"] = raw(r.GrantTypes)
	}
	return orderedJSON(m, registrationOrder)
}

// RoleCredentials are temporary credentials for one account and role.
type RoleCredentials struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
	Expiration      time.Time
	AccountID       string
}

// Valid reports whether the credentials are outside the expiry window.
func (c *RoleCredentials) Valid(now time.Time) bool {
	return c != nil && c.AccessKeyID != "" && c.Expiration.Sub(now) >= CredentialWindow
}

// decodeRoleCredentials reads a ~/.aws/cli/cache file written by the SSO
// provider: {"ProviderType":"sso","Credentials":{…}}.
func decodeRoleCredentials(m map[string]json.RawMessage) (*RoleCredentials, error) {
	if pt := rawString(m, "ProviderType"); pt != "sso" {
		return nil, fmt.Errorf("ProviderType is %q, not sso", pt)
	}
	var c map[string]json.RawMessage
	if err := json.Unmarshal(m["Credentials"], &c); err != nil || c == nil {
		return nil, fmt.Errorf("no Credentials object")
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
		return nil, fmt.Errorf("no AccessKeyId, SecretAccessKey and Expiration")
	}
	return out, nil
}

func (c *RoleCredentials) encode() []byte {
	creds := orderedJSON(map[string]json.RawMessage{
		"AccessKeyId":     raw(c.AccessKeyID),
		"SecretAccessKey": raw(c.SecretAccessKey),
		"SessionToken":    raw(c.SessionToken),
		"Expiration":      raw(formatTime(c.Expiration)),
		"AccountId":       raw(c.AccountID),
	}, []string{"AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration", "AccountId"})
	return orderedJSON(map[string]json.RawMessage{
		"ProviderType": raw("sso"),
		"Credentials":  creds,
	}, []string{"ProviderType", "Credentials"})
}
