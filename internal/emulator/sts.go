package emulator

import (
	"cmp"
	"net/url"
	"strconv"
	"time"

	"github.com/ssoctl/ssoctl/internal/emulator/awsproto"
)

// OrganizationAccountAccessRole is the role AWS Organizations creates in
// every account it creates, trusting the management account. The sandbox
// gives it to every member account (DemoRoles). The management account has
// no such role (Organizations does not create one there, and its own
// credentials need none).
const OrganizationAccountAccessRole = "OrganizationAccountAccessRole"

var (
	roleArnRE     = awsproto.LazyRegexp(`^arn:aws[a-z-]*:iam::(\d{12}):role(/(?:[\x21-\x7e]*/)?)([\w+=,.@-]{1,64})$`)
	sessionNameRE = awsproto.LazyRegexp(`^[\w+=,.@-]{2,64}$`)
	mfaCodeRE     = awsproto.LazyRegexp(`^\d{6}$`)
)

func (s *Server) stsOps() map[string]queryHandler {
	return map[string]queryHandler{
		"GetCallerIdentity": func(_ url.Values, c callerIdentity) (any, error) {
			return struct {
				UserId  string `xml:"UserId"`
				Account string `xml:"Account"`
				Arn     string `xml:"Arn"`
			}{c.UserId, c.Account, c.Arn}, nil
		},
		"AssumeRole": s.assumeRole,
	}
}

// assumeRole issues temporary credentials for a role whose trust policy
// lets the caller in; calls signed with them see IAM and sts in the role's
// account (callerIdentity, as the portal's role credentials do). A role
// that does not exist in that account (or not at that path), an account
// outside the organization or suspended, and a trust policy that does not
// name the caller are all AccessDenied, with AWS's message.
func (s *Server) assumeRole(form url.Values, c callerIdentity) (any, error) {
	roleArn, session := form.Get("RoleArn"), form.Get("RoleSessionName")
	if roleArn == "" || session == "" {
		return nil, awsproto.Err(400, "ValidationError", "1 validation error detected: RoleArn and RoleSessionName are required")
	}
	if !sessionNameRE().MatchString(session) {
		return nil, awsproto.Err(400, "ValidationError", "1 validation error detected: Value '%s' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*", session)
	}
	m := roleArnRE().FindStringSubmatch(roleArn)
	if m == nil {
		return nil, awsproto.Err(400, "ValidationError", "%s is invalid", roleArn)
	}
	account, path, name := m[1], m[2], m[3]
	denied := awsproto.Err(403, "AccessDenied", "User: %s is not authorized to perform: sts:AssumeRole on resource: %s", c.Arn, roleArn)
	a, member := s.st.accounts.Get(account)
	role, ok := empty(s.st.iamRoles, account).Get(lower(name))
	if !member || a.State == "SUSPENDED" || !ok || role.Path != path {
		return nil, denied
	}
	keys := map[string]string{"aws:principalaccount": c.Account, "aws:principalarn": c.Principal}
	if form.Has("ExternalId") {
		keys["sts:externalid"] = form.Get("ExternalId")
	}
	if !trusts(role.TrustPolicy, c, "sts:AssumeRole", keys) {
		return nil, denied
	}
	maxDuration := cmp.Or(role.MaxSessionDuration, 3600)
	ttl := cmp.Or(s.opts.CredentialTTL, defaultCredTTL)
	if d := form.Get("DurationSeconds"); d != "" {
		n, err := strconv.Atoi(d)
		switch {
		case err != nil || n < 900:
			return nil, awsproto.Err(400, "ValidationError", "1 validation error detected: Value '%s' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900", d)
		case n > maxDuration:
			return nil, awsproto.Err(400, "ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
		}
		ttl = time.Duration(n) * time.Second
	}
	if serial := form.Get("SerialNumber"); serial != "" && !mfaCodeRE().MatchString(form.Get("TokenCode")) {
		return nil, awsproto.Err(403, "AccessDenied", "MultiFactorAuthentication failed with invalid MFA one time pass code.")
	}
	roleID := role.RoleId
	akid := s.accessKeyID("ASIA")
	secret, token := s.secret(40), "IQoJb3JpZ2luX2Vj"+s.secret(340)
	expires := s.now().Add(ttl)
	arn := "arn:aws:sts::" + account + ":assumed-role/" + role.RoleName + "/" + session
	s.credMu.Lock()
	s.creds[akid] = callerIdentity{
		AccessKeyId: akid, Account: account, Arn: arn, UserId: roleID + ":" + session,
		Principal: "arn:aws:iam::" + account + ":role" + role.Path + role.RoleName,
		secret:    secret, sessionToken: token, expires: expires, issued: s.now(),
	}
	s.credMu.Unlock()
	type credentials struct {
		AccessKeyId     string `xml:"AccessKeyId"`
		SecretAccessKey string `xml:"SecretAccessKey"`
		SessionToken    string `xml:"SessionToken"`
		Expiration      string `xml:"Expiration"`
	}
	type assumedRoleUser struct {
		AssumedRoleId string `xml:"AssumedRoleId"`
		Arn           string `xml:"Arn"`
	}
	return struct {
		Credentials      credentials     `xml:"Credentials"`
		AssumedRoleUser  assumedRoleUser `xml:"AssumedRoleUser"`
		PackedPolicySize *int            `xml:"PackedPolicySize,omitempty"`
	}{
		Credentials:     credentials{akid, secret, token, awsproto.ISOTime(expires)},
		AssumedRoleUser: assumedRoleUser{roleID + ":" + session, arn},
	}, nil
}
