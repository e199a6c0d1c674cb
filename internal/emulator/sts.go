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
// gives it to every member account. The management account has no such
// role (Organizations does not create one there, and its own credentials
// need none), so assuming it there is refused, as is any other role name.
const OrganizationAccountAccessRole = "OrganizationAccountAccessRole"

var (
	roleArnRE     = awsproto.LazyRegexp(`^arn:aws[a-z-]*:iam::(\d{12}):role/(?:[\x21-\x7e]*/)?([\w+=,.@-]{1,64})$`)
	sessionNameRE = awsproto.LazyRegexp(`^[\w+=,.@-]{2,64}$`)
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

// assumeRole issues temporary credentials for a role; calls signed with
// them see IAM and sts in the role's account (callerIdentity, as the
// portal's role credentials do). A role that does not exist in that
// account, or an account outside the organization, is AccessDenied, with
// AWS's message.
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
	account, role := m[1], m[2]
	ttl := cmp.Or(s.opts.CredentialTTL, defaultCredTTL)
	if d := form.Get("DurationSeconds"); d != "" {
		n, err := strconv.Atoi(d)
		switch {
		case err != nil || n < 900:
			return nil, awsproto.Err(400, "ValidationError", "1 validation error detected: Value '%s' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900", d)
		case n > 3600:
			return nil, awsproto.Err(400, "ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
		}
		ttl = time.Duration(n) * time.Second
	}
	a, member := s.st.accounts.Get(account)
	if !member || account == s.st.org.MasterAccountId || role != OrganizationAccountAccessRole || a.State == "SUSPENDED" {
		return nil, awsproto.Err(403, "AccessDenied", "User: %s is not authorized to perform: sts:AssumeRole on resource: %s", c.Arn, roleArn)
	}
	roleID := iamStableID("AROA", account, role)
	akid := s.accessKeyID("ASIA")
	secret, token := s.secret(40), "IQoJb3JpZ2luX2Vj"+s.secret(340)
	expires := time.Now().Add(ttl)
	arn := "arn:aws:sts::" + account + ":assumed-role/" + role + "/" + session
	s.credMu.Lock()
	s.creds[akid] = callerIdentity{
		AccessKeyId: akid, Account: account, Arn: arn, UserId: roleID + ":" + session,
		secret: secret, sessionToken: token, expires: expires,
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
