// IAM writes of a user's credentials: access keys, the login profile (console
// password), SSH public keys, signing certificates and service-specific
// credentials.

package emulator

import (
	"bytes"
	"crypto/md5"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/ssoctl/ssoctl/internal/emulator/awsproto"
)

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
