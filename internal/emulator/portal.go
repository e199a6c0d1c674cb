package emulator

import (
	"cmp"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"html"
	"net/http"
	"strconv"
	"time"

	"github.com/ssoctl/ssoctl/internal/emulator/awsproto"
)

// The AWS access portal API ("sso"): the accounts and roles the signed-in
// person can reach, through direct and group assignments, and role
// credentials for them. Every call carries an sso-oidc access token in the
// x-amz-sso_bearer_token header.

const (
	portalPageDefault = 20
	portalPageMax     = 100
	defaultCredTTL    = time.Hour
)

// unauthorized is the portal's answer to a token it does not know, or one
// that expired or was logged out: the cue for a client to sign in again.
func unauthorized() *awsproto.Error {
	return awsproto.Err(401, "UnauthorizedException", "Session token not found or invalid")
}

func invalidRequest(format string, args ...any) *awsproto.Error {
	return awsproto.Err(400, "InvalidRequestException", format, args...)
}

// bearer returns who the request's access token belongs to.
func (s *Server) bearer(r *http.Request) (person, error) {
	tok := r.Header.Get("x-amz-sso_bearer_token")
	si := s.signin
	si.mu.Lock()
	defer si.mu.Unlock()
	at, ok := si.access[tok]
	if !ok {
		return person{}, unauthorized()
	}
	if at.sess.revoked || !s.now().Before(at.expires) {
		delete(si.access, tok)
		return person{}, unauthorized()
	}
	return at.sess.who, nil
}

// roles lists what p can reach, by account id and role (permission set)
// name, through direct and group assignments. Accounts outside the
// organization and unknown permission sets are left out. Call with s.mu held.
func (s *Server) roles(p person) map[string]map[string]*PermissionSet {
	asg := empty(s.st.asgByPrincipal, key(p.InstanceArn, "USER", p.UserID)).Values()
	for _, m := range empty(s.st.mByMember, key(p.StoreID, p.UserID)).Values() {
		asg = append(asg, empty(s.st.asgByPrincipal, key(p.InstanceArn, "GROUP", m.GroupId)).Values()...)
	}
	out := map[string]map[string]*PermissionSet{}
	for _, a := range asg {
		ps, ok := s.st.psByArn[a.PermissionSetArn]
		if !ok || !s.st.accounts.Has(a.AccountId) {
			continue
		}
		if out[a.AccountId] == nil {
			out[a.AccountId] = map[string]*PermissionSet{}
		}
		out[a.AccountId][ps.Name] = ps
	}
	return out
}

// portalDenied refuses, for an account in Options.DenyAccounts, the portal
// calls that name it (ListAccountRoles, GetRoleCredentials): a fault that
// retrying does not cure, for the tests of partial results.
func (s *Server) portalDenied(account string) *awsproto.Error {
	for _, id := range s.opts.DenyAccounts {
		if id != "" && id == account {
			return awsproto.Err(403, "AccessDeniedException", "User is not authorized to perform this action on account %s", id)
		}
	}
	return nil
}

// maxResult reads the max_result query parameter (1–100).
func maxResult(r *http.Request) (int, error) {
	v := r.URL.Query().Get("max_result")
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > portalPageMax {
		return 0, invalidRequest("max_result must be between 1 and %d", portalPageMax)
	}
	return n, nil
}

// portalPage serves one page of x, turning a bad token into the portal's error.
func portalPage[T any](x *awsproto.Index[T], r *http.Request, scope string) ([]T, string, error) {
	n, err := maxResult(r)
	if err != nil {
		return nil, "", err
	}
	page, next, err := awsproto.Paginate(x, scope, r.URL.Query().Get("next_token"), n, portalPageDefault, portalPageMax)
	if err != nil {
		return nil, "", invalidRequest("Invalid next token")
	}
	return page, next, nil
}

// ListAccounts: GET /assignment/accounts.
func (s *Server) listAccounts(w http.ResponseWriter, r *http.Request, reqID string) error {
	who, err := s.bearer(r)
	if err != nil {
		return err
	}
	s.mu.RLock()
	x := awsproto.NewIndex[*Account]()
	for id := range s.roles(who) {
		a, _ := s.st.accounts.Get(id)
		x.Put(id, a)
	}
	page, next, err := portalPage(x, r, awsproto.ScopeHash("sso:ListAccounts", who.UserID))
	list := make([]map[string]string, 0, len(page))
	for _, a := range page {
		list = append(list, map[string]string{"accountId": a.Id, "accountName": a.Name, "emailAddress": a.Email})
	}
	s.mu.RUnlock()
	if err != nil {
		return err
	}
	out := map[string]any{"accountList": list}
	if next != "" {
		out["nextToken"] = next
	}
	awsproto.WriteJSON(w, reqID, "application/json", out)
	return nil
}

// ListAccountRoles: GET /assignment/roles. An account the person cannot
// reach simply has no roles.
func (s *Server) listAccountRoles(w http.ResponseWriter, r *http.Request, reqID string) error {
	who, err := s.bearer(r)
	if err != nil {
		return err
	}
	account := r.URL.Query().Get("account_id")
	if account == "" {
		return invalidRequest("account_id is required")
	}
	if e := s.portalDenied(account); e != nil {
		return e
	}
	s.mu.RLock()
	x := awsproto.NewIndex[string]()
	for name := range s.roles(who)[account] {
		x.Put(name, name)
	}
	s.mu.RUnlock()
	page, next, err := portalPage(x, r, awsproto.ScopeHash("sso:ListAccountRoles", who.UserID, account))
	if err != nil {
		return err
	}
	list := make([]map[string]string, 0, len(page))
	for _, name := range page {
		list = append(list, map[string]string{"roleName": name, "accountId": account})
	}
	out := map[string]any{"roleList": list}
	if next != "" {
		out["nextToken"] = next
	}
	awsproto.WriteJSON(w, reqID, "application/json", out)
	return nil
}

// GetRoleCredentials: GET /federation/credentials. The issued key is
// remembered so that sts GetCallerIdentity signed with it names the
// AWSReservedSSO role. A role the person was not given gets what AWS
// answers, 403 ForbiddenException "No access" (not in the service model,
// so SDKs report it as a generic API error with that code).
func (s *Server) getRoleCredentials(w http.ResponseWriter, r *http.Request, reqID string) error {
	who, err := s.bearer(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	account, roleName := q.Get("account_id"), q.Get("role_name")
	if account == "" || roleName == "" {
		return invalidRequest("account_id and role_name are required")
	}
	if e := s.portalDenied(account); e != nil {
		return e
	}
	s.mu.RLock()
	var psArn, psName string
	if ps := s.roles(who)[account][roleName]; ps != nil {
		psArn, psName = ps.Arn, ps.Name
	}
	_, storeArn := s.identityCenterOf(who.StoreID)
	s.mu.RUnlock()
	if psArn == "" {
		return awsproto.Err(403, "ForbiddenException", "No access")
	}
	role, roleID := reservedRole(account, psArn, psName)
	akid := s.accessKeyID("ASIA")
	secret, token := s.secret(40), "IQoJb3JpZ2luX2Vj"+s.secret(340)
	expires := s.now().Add(cmp.Or(s.opts.CredentialTTL, defaultCredTTL))
	s.credMu.Lock()
	s.creds[akid] = callerIdentity{
		AccessKeyId: akid,
		Account:     account,
		Arn:         "arn:aws:sts::" + account + ":assumed-role/" + role + "/" + who.UserName,
		Principal:   "arn:aws:iam::" + account + ":role" + reservedRolePath + role,
		UserId:      roleID + ":" + who.UserName,
		secret:      secret, sessionToken: token, expires: expires,
		permissionSetArn: psArn,
		issued:           s.now(), onBehalfOf: &onBehalfOf{UserId: who.UserID, IdentityStoreArn: storeArn},
	}
	s.credMu.Unlock()
	awsproto.WriteJSON(w, reqID, "application/json", map[string]any{"roleCredentials": map[string]any{
		"accessKeyId":     akid,
		"secretAccessKey": secret,
		"sessionToken":    token,
		"expiration":      expires.UnixMilli(),
	}})
	return nil
}

// reservedRolePath is the path of the IAM roles Identity Center provisions.
const reservedRolePath = "/aws-reserved/sso.amazonaws.com/"

// reservedRole names the IAM role Identity Center provisions for a
// permission set in an account, AWSReservedSSO_<name>_<16 hex>, and its
// AROA role id. Both are derived from a hash, so they are the same every
// time for the same account and permission set.
func reservedRole(account, psArn, psName string) (name, id string) {
	sum := sha256.Sum256([]byte(account + "|" + psArn))
	name = "AWSReservedSSO_" + psName + "_" + hex.EncodeToString(sum[:8])
	id = "AROA" + base32.StdEncoding.EncodeToString(sum[8:24])[:17]
	return name, id
}

// Logout: POST /logout ends the token's session: the access token, every
// other access token of that sign-in, and its refresh token stop working.
func (s *Server) logout(w http.ResponseWriter, r *http.Request, reqID string) error {
	tok := r.Header.Get("x-amz-sso_bearer_token")
	si := s.signin
	si.mu.Lock()
	at, ok := si.access[tok]
	valid := ok && !at.sess.revoked && s.now().Before(at.expires)
	if ok {
		delete(si.access, tok)
	}
	if valid {
		at.sess.revoked = true
		delete(si.refresh, at.sess.refreshToken)
	}
	si.mu.Unlock()
	if !valid {
		return unauthorized()
	}
	w.Header().Set("x-amzn-RequestId", reqID)
	w.WriteHeader(http.StatusOK)
	return nil
}

// startPage serves GET /start, the start URL people are given.
func (s *Server) startPage(w http.ResponseWriter, r *http.Request, _ string) error {
	writePage(w, "AWS access portal",
		`<p>This is the start URL of the ssoctl sandbox, <code>`+html.EscapeString(s.base(r))+`/start</code>. `+
			`Sign in from a terminal (<code>ssoctl login</code>, <code>aws sso login</code>).</p>`)
	return nil
}
