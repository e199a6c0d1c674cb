package emulator

import (
	"bytes"
	"crypto/md5"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/ssoctl/ssoctl/internal/emulator/awsproto"
)

// IAM's fixed quotas per user, and the answer when one is exceeded.
const (
	iamAccessKeysPerUser          = 2
	iamSigningCertsPerUser        = 2
	iamSSHKeysPerUser             = 5
	iamServiceCredsPerService     = 2
	iamManagedPoliciesPerUser     = 10
	iamGroupsPerUser              = 10
	iamMFADevicesPerUser          = 8
	iamInlinePolicyBytesPerUser   = 2048
	iamServiceCredentialServices  = "codecommit.amazonaws.com cassandra.amazonaws.com bedrock.amazonaws.com"
	iamVirtualMFASerialNamePrefix = ":mfa"
)

var (
	reIAMName       = awsproto.LazyRegexp(`^[\w+=,.@-]+$`)
	reIAMPathValue  = awsproto.LazyRegexp(`^(/|/[\x21-\x7e]+/)$`)
	reIAMPolicyArn  = awsproto.LazyRegexp(`^arn:(aws|aws-us-gov|aws-cn):iam::(aws|\d{12}):policy(/[\x21-\x7e]*)?/[\w+=,.@-]+$`)
	reIAMAuthCode   = awsproto.LazyRegexp(`^\d{6}$`)
	reIAMCredID     = awsproto.LazyRegexp(`^[\w]+$`)
	reIAMMFASerial  = awsproto.LazyRegexp(`^[\w+=/:,.@-]{9,256}$`)
	reIAMDocChars   = awsproto.LazyRegexp(`^[\x09\x0a\x0d\x20-\x{ff}]+$`)
	reSSHKeyOpenSSH = awsproto.LazyRegexp(`^ssh-rsa ([A-Za-z0-9+/=]+)( .*)?\s*$`)
)

func iamNoSuchEntity(format string, args ...any) *awsproto.Error {
	return awsproto.Err(404, "NoSuchEntity", format, args...)
}

func iamAlreadyExists(format string, args ...any) *awsproto.Error {
	return awsproto.Err(409, "EntityAlreadyExists", format, args...)
}

func iamLimit(quota string, n int) *awsproto.Error {
	return awsproto.Err(409, "LimitExceeded", "Cannot exceed quota for %s: %d", quota, n)
}

func iamDeleteConflict(format string, args ...any) *awsproto.Error {
	return awsproto.Err(409, "DeleteConflict", format, args...)
}

// iamRequired returns a required parameter, or IAM's answer when it is missing.
func iamRequired(form url.Values, param string) (string, error) {
	v := form.Get(param)
	if v == "" {
		return "", iamValidation("1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", lowerFirst(param))
	}
	return v, nil
}

// iamName reads a required name parameter (user, group, policy, device).
func iamName(form url.Values, param string, maxLen int) (string, error) {
	v, err := iamRequired(form, param)
	if err != nil {
		return "", err
	}
	return v, iamPattern(lowerFirst(param), v, maxLen, reIAMName())
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// iamPathParam reads an optional Path ("/" when not given).
func iamPathParam(form url.Values) (string, error) {
	p := form.Get("Path")
	if err := iamNotEmpty(form, "Path", "path"); err != nil {
		return "", err
	}
	if p == "" {
		return "/", nil
	}
	return p, iamPattern("path", p, 512, reIAMPathValue())
}

// iamUserFor is the user an optional UserName names (else the caller),
// which must be a real user of the account for a write.
func (s *Server) iamUserFor(form url.Values, c callerIdentity) (*IAMUser, error) {
	u, err := s.iamSubject(form, c)
	if err != nil {
		return nil, err
	}
	if _, ok := empty(s.st.iamUsers, c.Account).Get(u.UserName); !ok {
		return nil, noSuchUser(u.UserName)
	}
	return u, nil
}

func (s *Server) iamWriteOps() map[string]queryHandler {
	return map[string]queryHandler{
		"CreateUser":             s.iamCreateUser,
		"DeleteUser":             s.iamDeleteUser,
		"CreateAccessKey":        s.iamCreateAccessKey,
		"UpdateAccessKey":        s.iamUpdateAccessKey,
		"DeleteAccessKey":        s.iamDeleteAccessKey,
		"CreateLoginProfile":     s.iamCreateLoginProfile,
		"DeleteLoginProfile":     s.iamDeleteLoginProfile,
		"PutUserPolicy":          s.iamPutUserPolicy,
		"DeleteUserPolicy":       s.iamDeleteUserPolicy,
		"AttachUserPolicy":       s.iamAttachUserPolicy,
		"DetachUserPolicy":       s.iamDetachUserPolicy,
		"CreateGroup":            s.iamCreateGroup,
		"AddUserToGroup":         s.iamAddUserToGroup,
		"RemoveUserFromGroup":    s.iamRemoveUserFromGroup,
		"CreateVirtualMFADevice": s.iamCreateVirtualMFADevice,
		"EnableMFADevice":        s.iamEnableMFADevice,
		"DeactivateMFADevice":    s.iamDeactivateMFADevice,
		"DeleteVirtualMFADevice": s.iamDeleteVirtualMFADevice,
		"UploadSSHPublicKey":     s.iamUploadSSHPublicKey,
		"DeleteSSHPublicKey": s.iamDeleteCredential("SSHPublicKeyId", true,
			func(u *IAMUser) *[]IAMCredential { return &u.SSHPublicKeys }, "The Public Key with id %s cannot be found."),
		"UploadSigningCertificate": s.iamUploadSigningCertificate,
		"DeleteSigningCertificate": s.iamDeleteCredential("CertificateId", false,
			func(u *IAMUser) *[]IAMCredential { return &u.SigningCertificates }, "The Certificate with id %s cannot be found."),
		"CreateServiceSpecificCredential": s.iamCreateServiceSpecificCredential,
		"DeleteServiceSpecificCredential": s.iamDeleteCredential("ServiceSpecificCredentialId", false,
			func(u *IAMUser) *[]IAMCredential { return &u.ServiceCredentials }, "No such credential %s exists"),
	}
}

// iamUserByFold finds a user of the account whatever the case of its name:
// IAM user names are unique without regard to case.
func (s *Server) iamUserByFold(account, name string) *IAMUser {
	return s.iamFindUser(account, func(u *IAMUser) bool { return strings.EqualFold(u.UserName, name) })
}

// iamFindUser is the first user of the account that ok accepts, or nil.
func (s *Server) iamFindUser(account string, ok func(*IAMUser) bool) *IAMUser {
	for _, u := range empty(s.st.iamUsers, account).Values() {
		if ok(u) {
			return u
		}
	}
	return nil
}

func (s *Server) iamCreateUser(form url.Values, c callerIdentity) (any, error) {
	name, err := iamName(form, "UserName", 64)
	if err != nil {
		return nil, err
	}
	path, err := iamPathParam(form)
	if err != nil {
		return nil, err
	}
	tags, err := iamTags(form)
	if err != nil {
		return nil, err
	}
	if s.iamUserByFold(c.Account, name) != nil {
		return nil, iamAlreadyExists("User with name %s already exists.", name)
	}
	u := &IAMUser{AccountId: c.Account, UserName: name, UserId: s.iamUniqueID("AIDA"), Path: path, Created: s.now(), Tags: tags}
	sub(s.st.iamUsers, c.Account).Put(name, u)
	x := iamUserOut(u)
	x.Tags = iamTagsOut(u.Tags)
	return struct {
		User iamUserXML `xml:"User"`
	}{x}, nil
}

// iamTags reads Tags.member.N.Key/Value.
func iamTags(form url.Values) ([]Tag, error) {
	var tags []Tag
	for i := 1; ; i++ {
		k := form.Get("Tags.member." + strconv.Itoa(i) + ".Key")
		if k == "" {
			break
		}
		tags = append(tags, Tag{Key: k, Value: form.Get("Tags.member." + strconv.Itoa(i) + ".Value")})
	}
	if len(tags) > 50 {
		return nil, iamValidation("1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50")
	}
	return tags, nil
}

func iamTagsOut(tags []Tag) *struct {
	Member []iamTagXML `xml:"member"`
} {
	if len(tags) == 0 {
		return nil
	}
	out := &struct {
		Member []iamTagXML `xml:"member"`
	}{}
	for _, t := range tags {
		out.Member = append(out.Member, iamTagXML(t))
	}
	return out
}

// iamUniqueID is an IAM unique id: a four-letter prefix and 17 characters.
func (s *Server) iamUniqueID(prefix string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	s.rngMu.Lock()
	defer s.rngMu.Unlock()
	b := []byte(prefix)
	for len(b) < 21 {
		b = append(b, alphabet[s.rng.IntN(len(alphabet))])
	}
	return string(b)
}

// iamDeleteUser deletes a user that holds nothing any more; otherwise it
// answers DeleteConflict naming the first thing still attached, as IAM does.
func (s *Server) iamDeleteUser(form url.Values, c callerIdentity) (any, error) {
	u, err := s.iamNamedUser(form, c)
	if err != nil {
		return nil, err
	}
	switch {
	case u.LoginProfile != nil:
		return nil, iamDeleteConflict("Cannot delete entity, must delete login profile first.")
	case len(u.AccessKeys) > 0:
		return nil, iamDeleteConflict("Cannot delete entity, must delete access keys first.")
	case len(u.SigningCertificates) > 0:
		return nil, iamDeleteConflict("Cannot delete entity, must delete signing certificates first.")
	case len(u.SSHPublicKeys) > 0:
		return nil, iamDeleteConflict("Cannot delete entity, must delete SSH public keys first.")
	case len(u.ServiceCredentials) > 0:
		return nil, iamDeleteConflict("Cannot delete entity, must delete service specific credentials first.")
	case len(u.MFADevices) > 0:
		return nil, iamDeleteConflict("Cannot delete entity, must delete MFA device first.")
	case len(u.InlinePolicies) > 0:
		return nil, iamDeleteConflict("Cannot delete entity, must delete policies first.")
	case len(u.AttachedPolicies) > 0:
		return nil, iamDeleteConflict("Cannot delete entity, must detach all policies first.")
	case len(u.Groups) > 0:
		return nil, iamDeleteConflict("Cannot delete entity, must remove users from group first.")
	}
	sub(s.st.iamUsers, c.Account).Del(u.UserName)
	return nil, nil
}

// accessKeyIndex finds a key of u, or answers NoSuchEntity as IAM does.
func accessKeyIndex(u *IAMUser, id string) (int, error) {
	if err := iamPattern("accessKeyId", id, 128, reAccessKeyID()); err != nil {
		return 0, err
	}
	i := slices.IndexFunc(u.AccessKeys, func(k AccessKey) bool { return k.AccessKeyId == id })
	if i < 0 {
		return 0, iamNoSuchEntity("The Access Key with id %s cannot be found.", id)
	}
	return i, nil
}

func (s *Server) iamCreateAccessKey(form url.Values, c callerIdentity) (any, error) {
	u, err := s.iamUserFor(form, c)
	if err != nil {
		return nil, err
	}
	if len(u.AccessKeys) >= iamAccessKeysPerUser {
		return nil, iamLimit("AccessKeysPerUser", iamAccessKeysPerUser)
	}
	k := AccessKey{AccessKeyId: s.accessKeyID("AKIA"), Status: "Active", Created: s.now()}
	u.AccessKeys = append(u.AccessKeys, k)
	secret := s.secret(40)
	// Remembered so that requests signed with the key are the user's.
	arn := iamUserArn(c.Account, u.Path, u.UserName)
	s.credMu.Lock()
	s.creds[k.AccessKeyId] = callerIdentity{AccessKeyId: k.AccessKeyId, Account: c.Account, Arn: arn, Principal: arn, UserId: u.UserId, secret: secret, iamUser: u.UserName}
	s.credMu.Unlock()
	return struct {
		UserName        string `xml:"AccessKey>UserName"`
		AccessKeyId     string `xml:"AccessKey>AccessKeyId"`
		Status          string `xml:"AccessKey>Status"`
		SecretAccessKey string `xml:"AccessKey>SecretAccessKey"`
		CreateDate      string `xml:"AccessKey>CreateDate"`
	}{u.UserName, k.AccessKeyId, k.Status, secret, awsproto.ISOTime(k.Created)}, nil
}

func (s *Server) iamUpdateAccessKey(form url.Values, c callerIdentity) (any, error) {
	id, err := iamRequired(form, "AccessKeyId")
	if err != nil {
		return nil, err
	}
	status, err := iamRequired(form, "Status")
	if err != nil {
		return nil, err
	}
	if status != "Active" && status != "Inactive" {
		return nil, iamValidation("1 validation error detected: Value '%s' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]", status)
	}
	u, err := s.iamUserFor(form, c)
	if err != nil {
		return nil, err
	}
	i, err := accessKeyIndex(u, id)
	if err != nil {
		return nil, err
	}
	keys := slices.Clone(u.AccessKeys)
	keys[i].Status = status
	u.AccessKeys = keys
	return nil, nil
}

func (s *Server) iamDeleteAccessKey(form url.Values, c callerIdentity) (any, error) {
	id, err := iamRequired(form, "AccessKeyId")
	if err != nil {
		return nil, err
	}
	u, err := s.iamUserFor(form, c)
	if err != nil {
		return nil, err
	}
	i, err := accessKeyIndex(u, id)
	if err != nil {
		return nil, err
	}
	u.AccessKeys = without(u.AccessKeys, i)
	return nil, nil
}

// checkIAMPassword applies IAM's default password policy (no account
// policy set): 8 to 128 characters, three of the four character kinds.
func checkIAMPassword(p string) error {
	if len(p) > 128 {
		return iamValidation("1 validation error detected: Value at 'password' failed to satisfy constraint: Member must have length less than or equal to 128")
	}
	var upper, lower, digit, other bool
	for _, r := range p {
		switch {
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsLower(r):
			lower = true
		case unicode.IsDigit(r):
			digit = true
		default:
			other = true
		}
	}
	kinds := 0
	for _, k := range []bool{upper, lower, digit, other} {
		if k {
			kinds++
		}
	}
	if len(p) < 8 || kinds < 3 {
		return awsproto.Err(400, "PasswordPolicyViolation", "Password does not conform to the account password policy.")
	}
	return nil
}

func (s *Server) iamCreateLoginProfile(form url.Values, c callerIdentity) (any, error) {
	password, err := iamRequired(form, "Password")
	if err != nil {
		return nil, err
	}
	u, err := s.iamUserFor(form, c)
	if err != nil {
		return nil, err
	}
	if u.LoginProfile != nil {
		return nil, iamAlreadyExists("Login Profile for user %s already exists.", u.UserName)
	}
	if err := checkIAMPassword(password); err != nil {
		return nil, err
	}
	u.LoginProfile = &LoginProfile{Created: s.now(), PasswordResetRequired: form.Get("PasswordResetRequired") == "true"}
	return struct {
		UserName              string `xml:"LoginProfile>UserName"`
		CreateDate            string `xml:"LoginProfile>CreateDate"`
		PasswordResetRequired bool   `xml:"LoginProfile>PasswordResetRequired"`
	}{u.UserName, awsproto.ISOTime(u.LoginProfile.Created), u.LoginProfile.PasswordResetRequired}, nil
}

func (s *Server) iamDeleteLoginProfile(form url.Values, c callerIdentity) (any, error) {
	u, err := s.iamUserFor(form, c)
	if err != nil {
		return nil, err
	}
	if u.LoginProfile == nil {
		return nil, iamNoSuchEntity("Login Profile for User %s cannot be found.", u.UserName)
	}
	u.LoginProfile = nil
	u.PasswordLastUsed = nil
	return nil, nil
}

// checkPolicyDocument accepts what IAM's grammar check would: a JSON object
// with a Statement.
func checkPolicyDocument(doc string) error {
	if len(doc) > 131072 {
		return iamValidation("1 validation error detected: Value at 'policyDocument' failed to satisfy constraint: Member must have length less than or equal to 131072")
	}
	if !reIAMDocChars().MatchString(doc) {
		return iamValidation("1 validation error detected: Value at 'policyDocument' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\u0009\\u000A\\u000D\\u0020-\\u00FF]+")
	}
	var p map[string]json.RawMessage
	if err := json.Unmarshal([]byte(doc), &p); err != nil {
		return awsproto.Err(400, "MalformedPolicyDocument", "Syntax errors in policy.")
	}
	if _, ok := p["Statement"]; !ok {
		return awsproto.Err(400, "MalformedPolicyDocument", "Policy document must contain a Statement.")
	}
	return nil
}

// policySize counts a policy as IAM's size quotas do: without white space.
func policySize(doc string) int {
	n := 0
	for _, r := range doc {
		if !unicode.IsSpace(r) {
			n++
		}
	}
	return n
}

func (s *Server) iamPutUserPolicy(form url.Values, c callerIdentity) (any, error) {
	name, err := iamName(form, "PolicyName", 128)
	if err != nil {
		return nil, err
	}
	doc, err := iamRequired(form, "PolicyDocument")
	if err != nil {
		return nil, err
	}
	u, err := s.iamNamedUser(form, c)
	if err != nil {
		return nil, err
	}
	if err := checkPolicyDocument(doc); err != nil {
		return nil, err
	}
	total := policySize(doc)
	for _, p := range u.InlinePolicies {
		if p != name {
			total += policySize(u.inlineDocument(p))
		}
	}
	if total > iamInlinePolicyBytesPerUser {
		return nil, awsproto.Err(409, "LimitExceeded", "Maximum policy size of %d bytes exceeded for user %s", iamInlinePolicyBytesPerUser, u.UserName)
	}
	if !slices.Contains(u.InlinePolicies, name) {
		u.InlinePolicies = append(u.InlinePolicies, name)
	}
	docs := maps.Clone(u.InlineDocuments)
	if docs == nil {
		docs = map[string]string{}
	}
	docs[name] = doc
	u.InlineDocuments = docs
	return nil, nil
}

// inlineDocument is the document of one of u's inline policies; a policy
// loaded without one reads as a statement that allows nothing.
func (u *IAMUser) inlineDocument(name string) string {
	if d, ok := u.InlineDocuments[name]; ok {
		return d
	}
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}`
}

func (s *Server) iamGetUserPolicy(form url.Values, c callerIdentity) (any, error) {
	name, err := iamName(form, "PolicyName", 128)
	if err != nil {
		return nil, err
	}
	u, err := s.iamNamedUser(form, c)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(u.InlinePolicies, name) {
		return nil, iamNoSuchEntity("The user policy with name %s cannot be found.", name)
	}
	// IAM sends policy documents URL-encoded (RFC 3986).
	doc := strings.ReplaceAll(url.QueryEscape(u.inlineDocument(name)), "+", "%20")
	return struct {
		UserName       string `xml:"UserName"`
		PolicyName     string `xml:"PolicyName"`
		PolicyDocument string `xml:"PolicyDocument"`
	}{u.UserName, name, doc}, nil
}

func (s *Server) iamDeleteUserPolicy(form url.Values, c callerIdentity) (any, error) {
	name, err := iamName(form, "PolicyName", 128)
	if err != nil {
		return nil, err
	}
	u, err := s.iamNamedUser(form, c)
	if err != nil {
		return nil, err
	}
	i := slices.Index(u.InlinePolicies, name)
	if i < 0 {
		return nil, iamNoSuchEntity("The user policy with name %s cannot be found.", name)
	}
	u.InlinePolicies = without(u.InlinePolicies, i)
	if _, ok := u.InlineDocuments[name]; ok {
		u.InlineDocuments = maps.Clone(u.InlineDocuments)
		delete(u.InlineDocuments, name)
	}
	return nil, nil
}

// iamPolicyArn reads PolicyArn: AWS managed policies exist; the sandbox
// keeps no customer managed ones.
func iamPolicyArn(form url.Values) (string, error) {
	arn, err := iamRequired(form, "PolicyArn")
	if err != nil {
		return "", err
	}
	if len(arn) < 20 || !reIAMPolicyArn().MatchString(arn) {
		return "", iamValidation("ARN %s is not valid.", arn)
	}
	if !strings.Contains(arn, ":iam::aws:policy/") {
		return "", iamNoSuchEntity("Policy %s does not exist or is not attachable.", arn)
	}
	return arn, nil
}

func (s *Server) iamAttachUserPolicy(form url.Values, c callerIdentity) (any, error) {
	arn, err := iamPolicyArn(form)
	if err != nil {
		return nil, err
	}
	u, err := s.iamNamedUser(form, c)
	if err != nil {
		return nil, err
	}
	if slices.ContainsFunc(u.AttachedPolicies, func(p ManagedPolicy) bool { return p.Arn == arn }) {
		return nil, nil // attaching again changes nothing
	}
	if len(u.AttachedPolicies) >= iamManagedPoliciesPerUser {
		return nil, iamLimit("PoliciesPerUser", iamManagedPoliciesPerUser)
	}
	u.AttachedPolicies = append(u.AttachedPolicies, ManagedPolicy{Name: arn[strings.LastIndex(arn, "/")+1:], Arn: arn})
	return nil, nil
}

func (s *Server) iamDetachUserPolicy(form url.Values, c callerIdentity) (any, error) {
	arn, err := iamRequired(form, "PolicyArn")
	if err != nil {
		return nil, err
	}
	if !reIAMPolicyArn().MatchString(arn) {
		return nil, iamValidation("ARN %s is not valid.", arn)
	}
	u, err := s.iamNamedUser(form, c)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(u.AttachedPolicies, func(p ManagedPolicy) bool { return p.Arn == arn })
	if i < 0 {
		return nil, iamNoSuchEntity("Policy %s was not found.", arn)
	}
	u.AttachedPolicies = without(u.AttachedPolicies, i)
	return nil, nil
}

type iamGroupXML struct {
	Path       string `xml:"Path"`
	GroupName  string `xml:"GroupName"`
	GroupId    string `xml:"GroupId"`
	Arn        string `xml:"Arn"`
	CreateDate string `xml:"CreateDate"`
}

func iamGroupOut(g *IAMGroup) iamGroupXML {
	return iamGroupXML{g.Path, g.GroupName, g.GroupId, "arn:aws:iam::" + g.AccountId + ":group" + g.Path + g.GroupName, awsproto.ISOTime(g.Created)}
}

func (s *Server) iamCreateGroup(form url.Values, c callerIdentity) (any, error) {
	name, err := iamName(form, "GroupName", 128)
	if err != nil {
		return nil, err
	}
	path, err := iamPathParam(form)
	if err != nil {
		return nil, err
	}
	for _, g := range empty(s.st.iamGroups, c.Account).Values() {
		if strings.EqualFold(g.GroupName, name) {
			return nil, iamAlreadyExists("Group with name %s already exists.", name)
		}
	}
	g := &IAMGroup{AccountId: c.Account, GroupName: name, GroupId: s.iamUniqueID("AGPA"), Path: path, Created: s.now()}
	sub(s.st.iamGroups, c.Account).Put(name, g)
	return struct {
		Group iamGroupXML `xml:"Group"`
	}{iamGroupOut(g)}, nil
}

// iamNamedGroup finds the group GroupName names.
func (s *Server) iamNamedGroup(form url.Values, c callerIdentity) (*IAMGroup, error) {
	name, err := iamName(form, "GroupName", 128)
	if err != nil {
		return nil, err
	}
	g, ok := empty(s.st.iamGroups, c.Account).Get(name)
	if !ok {
		return nil, iamNoSuchEntity("The group with name %s cannot be found.", name)
	}
	return g, nil
}

func (s *Server) iamAddUserToGroup(form url.Values, c callerIdentity) (any, error) {
	g, err := s.iamNamedGroup(form, c)
	if err != nil {
		return nil, err
	}
	u, err := s.iamNamedUser(form, c)
	if err != nil {
		return nil, err
	}
	if slices.Contains(u.Groups, g.GroupName) {
		return nil, nil // already a member: nothing changes
	}
	if len(u.Groups) >= iamGroupsPerUser {
		return nil, iamLimit("GroupsPerUser", iamGroupsPerUser)
	}
	u.Groups = append(u.Groups, g.GroupName)
	return nil, nil
}

func (s *Server) iamRemoveUserFromGroup(form url.Values, c callerIdentity) (any, error) {
	g, err := s.iamNamedGroup(form, c)
	if err != nil {
		return nil, err
	}
	u, err := s.iamNamedUser(form, c)
	if err != nil {
		return nil, err
	}
	i := slices.Index(u.Groups, g.GroupName)
	if i < 0 {
		return nil, iamNoSuchEntity("User %s is not in group %s.", u.UserName, g.GroupName)
	}
	u.Groups = without(u.Groups, i)
	return nil, nil
}

// isVirtualMFA tells a virtual MFA device's serial (its ARN) from a
// hardware token's serial number.
func isVirtualMFA(serial string) bool {
	return strings.HasPrefix(serial, "arn:") && strings.Contains(serial, iamVirtualMFASerialNamePrefix+"/")
}

// mfaOwner finds the user of the account a device is enabled for.
func (s *Server) mfaOwner(account, serial string) *IAMUser {
	return s.iamFindUser(account, func(u *IAMUser) bool {
		return slices.ContainsFunc(u.MFADevices, func(d MFADevice) bool { return d.SerialNumber == serial })
	})
}

func (s *Server) iamCreateVirtualMFADevice(form url.Values, c callerIdentity) (any, error) {
	name, err := iamName(form, "VirtualMFADeviceName", 226)
	if err != nil {
		return nil, err
	}
	path, err := iamPathParam(form)
	if err != nil {
		return nil, err
	}
	serial := "arn:aws:iam::" + c.Account + ":mfa" + path + name
	if empty(s.st.iamVirtualMFA, c.Account).Has(serial) || s.mfaOwner(c.Account, serial) != nil {
		return nil, iamAlreadyExists("MFADevice entity at the same path and name already exists.")
	}
	sub(s.st.iamVirtualMFA, c.Account).Put(serial, &VirtualMFADevice{AccountId: c.Account, SerialNumber: serial})
	// The seed is 40 base32 characters and the QR code a PNG, both sent
	// base64-encoded; the sandbox's seed opens no real authenticator.
	seed := []byte(strings.ToUpper(s.secret(40)))
	for i, b := range seed {
		if !strings.ContainsRune("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", rune(b)) {
			seed[i] = 'A' + b%26
		}
	}
	png := append([]byte("\x89PNG\r\n\x1a\n"), seed...)
	return struct {
		SerialNumber     string `xml:"VirtualMFADevice>SerialNumber"`
		Base32StringSeed string `xml:"VirtualMFADevice>Base32StringSeed"`
		QRCodePNG        string `xml:"VirtualMFADevice>QRCodePNG"`
	}{serial, base64.StdEncoding.EncodeToString(seed), base64.StdEncoding.EncodeToString(png)}, nil
}

func iamSerialParam(form url.Values) (string, error) {
	serial, err := iamRequired(form, "SerialNumber")
	if err != nil {
		return "", err
	}
	return serial, iamPattern("serialNumber", serial, 256, reIAMMFASerial())
}

func (s *Server) iamEnableMFADevice(form url.Values, c callerIdentity) (any, error) {
	serial, err := iamSerialParam(form)
	if err != nil {
		return nil, err
	}
	for _, p := range []string{"AuthenticationCode1", "AuthenticationCode2"} {
		code, err := iamRequired(form, p)
		if err != nil {
			return nil, err
		}
		if !reIAMAuthCode().MatchString(code) {
			return nil, iamValidation("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must have length greater than or equal to 6", code, lowerFirst(p))
		}
	}
	u, err := s.iamNamedUser(form, c)
	if err != nil {
		return nil, err
	}
	if s.mfaOwner(c.Account, serial) != nil {
		return nil, iamAlreadyExists("MFA Device is already in use.")
	}
	if !empty(s.st.iamVirtualMFA, c.Account).Has(serial) {
		return nil, iamNoSuchEntity("VirtualMFADevice with serial number %s doesn't exist.", serial)
	}
	if len(u.MFADevices) >= iamMFADevicesPerUser {
		return nil, iamLimit("MFADevicesPerUser", iamMFADevicesPerUser)
	}
	sub(s.st.iamVirtualMFA, c.Account).Del(serial)
	u.MFADevices = append(u.MFADevices, MFADevice{SerialNumber: serial, EnableDate: s.now()})
	return nil, nil
}

func (s *Server) iamDeactivateMFADevice(form url.Values, c callerIdentity) (any, error) {
	serial, err := iamSerialParam(form)
	if err != nil {
		return nil, err
	}
	u, err := s.iamUserFor(form, c)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(u.MFADevices, func(d MFADevice) bool { return d.SerialNumber == serial })
	if i < 0 {
		return nil, iamNoSuchEntity("MFA Device with serial number %s does not exist.", serial)
	}
	u.MFADevices = without(u.MFADevices, i)
	if isVirtualMFA(serial) {
		sub(s.st.iamVirtualMFA, c.Account).Put(serial, &VirtualMFADevice{AccountId: c.Account, SerialNumber: serial})
	}
	return nil, nil
}

func (s *Server) iamDeleteVirtualMFADevice(form url.Values, c callerIdentity) (any, error) {
	serial, err := iamSerialParam(form)
	if err != nil {
		return nil, err
	}
	if s.mfaOwner(c.Account, serial) != nil {
		return nil, iamDeleteConflict("MFA device is still in use.")
	}
	if !empty(s.st.iamVirtualMFA, c.Account).Has(serial) {
		return nil, iamNoSuchEntity("VirtualMFADevice with serial number %s doesn't exist.", serial)
	}
	sub(s.st.iamVirtualMFA, c.Account).Del(serial)
	return nil, nil
}

// iamListVirtualMFADevices lists the account's virtual devices, assigned
// (enabled for a user), unassigned, or both, by serial number.
func (s *Server) iamListVirtualMFADevices(form url.Values, c callerIdentity) (any, error) {
	status := form.Get("AssignmentStatus")
	switch status {
	case "":
		status = "Any"
	case "Assigned", "Unassigned", "Any":
	default:
		return nil, iamValidation("1 validation error detected: Value '%s' at 'assignmentStatus' failed to satisfy constraint: Member must satisfy enum value set: [Unassigned, Any, Assigned]", status)
	}
	type deviceXML struct {
		SerialNumber string      `xml:"SerialNumber"`
		User         *iamUserXML `xml:"User,omitempty"`
		EnableDate   string      `xml:"EnableDate,omitempty"`
	}
	var devices []deviceXML
	if status != "Assigned" {
		for _, d := range empty(s.st.iamVirtualMFA, c.Account).Values() {
			devices = append(devices, deviceXML{SerialNumber: d.SerialNumber})
		}
	}
	if status != "Unassigned" {
		for _, u := range empty(s.st.iamUsers, c.Account).Values() {
			for _, d := range u.MFADevices {
				if isVirtualMFA(d.SerialNumber) {
					x := iamUserOut(u)
					devices = append(devices, deviceXML{d.SerialNumber, &x, awsproto.ISOTime(d.EnableDate)})
				}
			}
		}
	}
	slices.SortFunc(devices, func(a, b deviceXML) int { return strings.Compare(a.SerialNumber, b.SerialNumber) })
	return iamListPage("VirtualMFADevices", "iam-vmfa|"+c.Account+"|"+status, form, devices, func(d deviceXML) deviceXML { return d })
}

// iamDeleteCredential removes one of a user's signing certificates, SSH
// public keys or service-specific credentials (list picks which), named by
// the param id. UserName is required when named, else it defaults to the
// caller, as each operation's model says.
func (s *Server) iamDeleteCredential(param string, named bool, list func(*IAMUser) *[]IAMCredential, notFound string) queryHandler {
	return func(form url.Values, c callerIdentity) (any, error) {
		id, err := iamRequired(form, param)
		if err != nil {
			return nil, err
		}
		if err := iamPattern(lowerFirst(param), id, 128, reIAMCredID()); err != nil {
			return nil, err
		}
		find := s.iamUserFor
		if named {
			find = s.iamNamedUser
		}
		u, err := find(form, c)
		if err != nil {
			return nil, err
		}
		creds := list(u)
		i := slices.IndexFunc(*creds, func(k IAMCredential) bool { return k.Id == id })
		if i < 0 {
			return nil, iamNoSuchEntity(notFound, id)
		}
		*creds = without(*creds, i)
		return nil, nil
	}
}

func (s *Server) iamUploadSSHPublicKey(form url.Values, c callerIdentity) (any, error) {
	body, err := iamRequired(form, "SSHPublicKeyBody")
	if err != nil {
		return nil, err
	}
	u, err := s.iamNamedUser(form, c)
	if err != nil {
		return nil, err
	}
	blob, err := parseSSHPublicKey(body)
	if err != nil {
		return nil, err
	}
	if len(u.SSHPublicKeys) >= iamSSHKeysPerUser {
		return nil, iamLimit("SSHPublicKeysPerUser", iamSSHKeysPerUser)
	}
	for _, k := range u.SSHPublicKeys {
		if k.Body != "" && bytes.Equal(mustSSHBlob(k.Body), blob) {
			return nil, awsproto.Err(400, "DuplicateSSHPublicKey", "The public key is already associated with the user.")
		}
	}
	k := IAMCredential{Id: s.iamUniqueID("APKA"), Status: "Active", Created: s.now(), Body: body}
	u.SSHPublicKeys = append(u.SSHPublicKeys, k)
	return struct {
		UserName         string `xml:"SSHPublicKey>UserName"`
		SSHPublicKeyId   string `xml:"SSHPublicKey>SSHPublicKeyId"`
		Fingerprint      string `xml:"SSHPublicKey>Fingerprint"`
		SSHPublicKeyBody string `xml:"SSHPublicKey>SSHPublicKeyBody"`
		Status           string `xml:"SSHPublicKey>Status"`
		UploadDate       string `xml:"SSHPublicKey>UploadDate"`
	}{u.UserName, k.Id, md5Fingerprint(blob), body, k.Status, awsproto.ISOTime(k.Created)}, nil
}

// parseSSHPublicKey accepts an ssh-rsa key in OpenSSH format, as IAM does
// for CodeCommit, and returns its wire-format blob.
func parseSSHPublicKey(body string) ([]byte, error) {
	if len(body) > 16384 {
		return nil, iamValidation("1 validation error detected: Value at 'sSHPublicKeyBody' failed to satisfy constraint: Member must have length less than or equal to 16384")
	}
	m := reSSHKeyOpenSSH().FindStringSubmatch(body)
	if m == nil {
		return nil, awsproto.Err(400, "UnrecognizedPublicKeyEncoding", "Unrecognized SSH public key encoding.")
	}
	blob, err := base64.StdEncoding.DecodeString(m[1])
	if err != nil || !bytes.HasPrefix(blob, []byte("\x00\x00\x00\x07ssh-rsa")) {
		return nil, awsproto.Err(400, "InvalidPublicKey", "The SSH public key is not valid.")
	}
	return blob, nil
}

func mustSSHBlob(body string) []byte {
	b, _ := parseSSHPublicKey(body)
	return b
}

func md5Fingerprint(blob []byte) string {
	sum := md5.Sum(blob)
	parts := make([]string, len(sum))
	for i, b := range sum {
		parts[i] = fmt.Sprintf("%02x", b)
	}
	return strings.Join(parts, ":")
}

func (s *Server) iamUploadSigningCertificate(form url.Values, c callerIdentity) (any, error) {
	body, err := iamRequired(form, "CertificateBody")
	if err != nil {
		return nil, err
	}
	u, err := s.iamUserFor(form, c)
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode([]byte(body))
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, awsproto.Err(400, "MalformedCertificate", "Unable to parse certificate. Please ensure the certificate is in PEM format.")
	}
	if _, err := x509.ParseCertificate(block.Bytes); err != nil {
		return nil, awsproto.Err(400, "MalformedCertificate", "Unable to parse certificate: %v", err)
	}
	for _, k := range u.SigningCertificates {
		if k.Body == body {
			return nil, awsproto.Err(409, "DuplicateCertificate", "The certificate is already associated with the user.")
		}
	}
	if len(u.SigningCertificates) >= iamSigningCertsPerUser {
		return nil, iamLimit("SigningCertificatesPerUser", iamSigningCertsPerUser)
	}
	k := IAMCredential{Id: strings.ToUpper(s.hex(32)), Status: "Active", Created: s.now(), Body: body}
	u.SigningCertificates = append(u.SigningCertificates, k)
	return struct {
		UserName        string `xml:"Certificate>UserName"`
		CertificateId   string `xml:"Certificate>CertificateId"`
		CertificateBody string `xml:"Certificate>CertificateBody"`
		Status          string `xml:"Certificate>Status"`
		UploadDate      string `xml:"Certificate>UploadDate"`
	}{u.UserName, k.Id, body, k.Status, awsproto.ISOTime(k.Created)}, nil
}

func (s *Server) iamCreateServiceSpecificCredential(form url.Values, c callerIdentity) (any, error) {
	service, err := iamRequired(form, "ServiceName")
	if err != nil {
		return nil, err
	}
	if v := form.Get("CredentialAgeDays"); v != "" {
		if n, convErr := strconv.Atoi(v); convErr != nil || n < 1 || n > 36600 {
			return nil, iamValidation("1 validation error detected: Value '%s' at 'credentialAgeDays' failed to satisfy constraint: Member must have value between 1 and 36600", v)
		}
	}
	u, err := s.iamNamedUser(form, c)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(strings.Fields(iamServiceCredentialServices), service) {
		return nil, awsproto.Err(404, "NotSupportedService", "Service %s is not supported for service-specific credentials.", service)
	}
	n := 0
	for _, k := range u.ServiceCredentials {
		if k.ServiceName == service {
			n++
		}
	}
	if n >= iamServiceCredsPerService {
		return nil, iamLimit("ServiceSpecificCredentialsPerUserPerService", iamServiceCredsPerService)
	}
	k := IAMCredential{Id: s.iamUniqueID("ACCA"), Status: "Active", Created: s.now(), ServiceName: service}
	u.ServiceCredentials = append(u.ServiceCredentials, k)
	return struct {
		CreateDate                  string `xml:"ServiceSpecificCredential>CreateDate"`
		ServiceName                 string `xml:"ServiceSpecificCredential>ServiceName"`
		ServiceUserName             string `xml:"ServiceSpecificCredential>ServiceUserName"`
		ServicePassword             string `xml:"ServiceSpecificCredential>ServicePassword"`
		ServiceSpecificCredentialId string `xml:"ServiceSpecificCredential>ServiceSpecificCredentialId"`
		UserName                    string `xml:"ServiceSpecificCredential>UserName"`
		Status                      string `xml:"ServiceSpecificCredential>Status"`
	}{awsproto.ISOTime(k.Created), service, u.UserName + "-at-" + c.Account, s.secret(44), k.Id, u.UserName, k.Status}, nil
}

// without returns list less its i-th item, in a new array: a state
// snapshot being encoded may still hold the old one.
func without[T any](list []T, i int) []T {
	return append(slices.Clone(list[:i]), list[i+1:]...)
}
