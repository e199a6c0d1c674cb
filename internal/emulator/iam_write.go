// IAM writes: the operation table, the errors and name checks they share, and
// users (create, delete, tags); each other resource has its file:
// credentials (iam_write_credentials.go), policies (iam_write_policies.go),
// groups (iam_write_groups.go), MFA devices (iam_write_mfa.go). Reads are in
// iam.go.

package emulator

import (
	"net/url"
	"slices"
	"strconv"
	"strings"

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

// without returns list less its i-th item, in a new array: a state
// snapshot being encoded may still hold the old one.
func without[T any](list []T, i int) []T {
	return append(slices.Clone(list[:i]), list[i+1:]...)
}
