package emulator

import (
	"encoding/xml"
	"hash/fnv"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/ssoctl/ssoctl/internal/emulator/awsproto"
)

// IAM pages: MaxItems 1..1000, 100 when not given.
const (
	iamPageDefault = 100
	iamPageMax     = 1000
)

var (
	reIAMUserName  = awsproto.LazyRegexp(`^[\w+=,.@-]+$`)
	reIAMPath      = awsproto.LazyRegexp(`^/[\x21-\x7e]*$`)
	reAccessKeyID  = awsproto.LazyRegexp(`^\w+$`)
	reIAMService   = awsproto.LazyRegexp(`^[\w+=,.@-]+$`)
	reIAMMarkerStr = awsproto.LazyRegexp(`^[\x20-\x{ff}]+$`)
)

// iamValidation is IAM's answer to a request that breaks a model constraint.
func iamValidation(format string, args ...any) *awsproto.Error {
	return awsproto.Err(400, "ValidationError", format, args...)
}

func noSuchUser(name string) *awsproto.Error {
	return awsproto.Err(404, "NoSuchEntity", "The user with name %s cannot be found.", name)
}

// iamNotEmpty refuses a parameter that is sent but empty: an empty string
// is not an absent one, and every IAM string's minimum length is 1.
func iamNotEmpty(form url.Values, name, member string) error {
	if form.Has(name) && form.Get(name) == "" {
		return iamValidation("1 validation error detected: Value '' at '%s' failed to satisfy constraint: Member must have length greater than or equal to 1", member)
	}
	return nil
}

// iamPattern validates an IAM string parameter: length and pattern.
func iamPattern(member, v string, maxLen int, re *regexp.Regexp) error {
	if len(v) > maxLen {
		return iamValidation("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must have length less than or equal to %d", v, member, maxLen)
	}
	if !re.MatchString(v) {
		return iamValidation("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: %s", v, member, strings.Trim(re.String(), "^$"))
	}
	return nil
}

// iamPaging reads MaxItems and Marker.
func iamPaging(form url.Values) (maxItems int, marker string, err error) {
	if v := form.Get("MaxItems"); v != "" {
		n, convErr := strconv.Atoi(v)
		if convErr != nil {
			return 0, "", iamValidation("1 validation error detected: Value '%s' at 'maxItems' failed to satisfy constraint: Member must be an integer", v)
		}
		if n < 1 {
			return 0, "", iamValidation("1 validation error detected: Value '%d' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1", n)
		}
		if n > iamPageMax {
			return 0, "", iamValidation("1 validation error detected: Value '%d' at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to %d", n, iamPageMax)
		}
		maxItems = n
	}
	marker = form.Get("Marker")
	if marker != "" && (len(marker) > 320 || !reIAMMarkerStr().MatchString(marker)) {
		return 0, "", iamValidation("Invalid Marker.")
	}
	return maxItems, marker, nil
}

// iamPage serves one page of x with IAM's Marker/IsTruncated/MaxItems.
func iamPage[T any](x *awsproto.Index[T], scope string, form url.Values) ([]T, string, error) {
	maxItems, marker, err := iamPaging(form)
	if err != nil {
		return nil, "", err
	}
	page, next, err := awsproto.Paginate(x, scope, marker, maxItems, iamPageDefault, iamPageMax)
	if err != nil {
		return nil, "", iamValidation("Invalid Marker.")
	}
	return page, next, nil
}

// iamSeqIndex keeps a small slice in its own order for paging.
func iamSeqIndex[T any](items []T) *awsproto.Index[T] {
	x := awsproto.NewIndex[T]()
	for i, v := range items {
		x.Put(seqKey(i), v)
	}
	return x
}

// iamList is the result of an IAM List operation: the list under its own
// element name, as <member> items, then IsTruncated and Marker.
type iamList[T any] struct {
	name   string
	items  []T
	marker string
}

func (l iamList[T]) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	list := struct {
		Member []T `xml:"member"`
	}{l.items}
	if err := e.EncodeElement(list, xml.StartElement{Name: xml.Name{Local: l.name}}); err != nil {
		return err
	}
	if err := e.EncodeElement(l.marker != "", xml.StartElement{Name: xml.Name{Local: "IsTruncated"}}); err != nil {
		return err
	}
	if l.marker != "" {
		if err := e.EncodeElement(l.marker, xml.StartElement{Name: xml.Name{Local: "Marker"}}); err != nil {
			return err
		}
	}
	return e.EncodeToken(start.End())
}

// iamListPage pages items (kept in their own order) into an iamList.
func iamListPage[T, O any](name, scope string, form url.Values, items []T, conv func(T) O) (any, error) {
	page, next, err := iamPage(iamSeqIndex(items), scope, form)
	if err != nil {
		return nil, err
	}
	out := make([]O, 0, len(page))
	for _, v := range page {
		out = append(out, conv(v))
	}
	return iamList[O]{name: name, items: out, marker: next}, nil
}

type iamTagXML struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value"`
}

type iamUserXML struct {
	Path             string `xml:"Path"`
	UserName         string `xml:"UserName"`
	UserId           string `xml:"UserId"`
	Arn              string `xml:"Arn"`
	CreateDate       string `xml:"CreateDate"`
	PasswordLastUsed string `xml:"PasswordLastUsed,omitempty"`
	Tags             *struct {
		Member []iamTagXML `xml:"member"`
	} `xml:"Tags,omitempty"`
}

func iamUserArn(account, path, name string) string {
	if path == "" {
		path = "/"
	}
	return "arn:aws:iam::" + account + ":user" + path + name
}

func iamUserOut(u *IAMUser) iamUserXML {
	x := iamUserXML{Path: u.Path, UserName: u.UserName, UserId: u.UserId,
		Arn: iamUserArn(u.AccountId, u.Path, u.UserName), CreateDate: awsproto.ISOTime(u.Created)}
	if x.Path == "" {
		x.Path = "/"
	}
	if u.PasswordLastUsed != nil {
		x.PasswordLastUsed = awsproto.ISOTime(*u.PasswordLastUsed)
	}
	return x
}

// iamStableID makes an IAM-style unique id (AGPA…, 21 characters) that is the
// same every time for the same parts: the sandbox keeps no ids for groups.
func iamStableID(prefix string, parts ...string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	h := fnv.New64a()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	n := h.Sum64()
	b := []byte(prefix)
	for len(b) < 21 {
		b = append(b, alphabet[n%32])
		n = n/32 ^ uint64(len(b))*0x9e3779b97f4a7c15
	}
	return string(b)
}

// iamUser finds a named user in the caller's account.
func (s *Server) iamUser(account, name string) (*IAMUser, error) {
	if err := iamPattern("userName", name, 128, reIAMUserName()); err != nil {
		return nil, err
	}
	u, ok := empty(s.st.iamUsers, account).Get(name)
	if !ok {
		return nil, noSuchUser(name)
	}
	return u, nil
}

// namedUser is the user a request names in UserName, which must be given.
func (s *Server) iamNamedUser(form url.Values, c callerIdentity) (*IAMUser, error) {
	name := form.Get("UserName")
	if name == "" {
		return nil, iamValidation("1 validation error detected: Value null at 'userName' failed to satisfy constraint: Member must not be null")
	}
	return s.iamUser(c.Account, name)
}

// subject is the user a request is about: UserName when given, else the
// caller when it signs as an IAM user. The sandbox's own administrator is not
// in the account's user list; it answers as a user with no credentials.
func (s *Server) iamSubject(form url.Values, c callerIdentity) (*IAMUser, error) {
	if err := iamNotEmpty(form, "UserName", "userName"); err != nil {
		return nil, err
	}
	if name := form.Get("UserName"); name != "" {
		return s.iamUser(c.Account, name)
	}
	_, rest, ok := strings.Cut(c.Arn, ":user/")
	if !ok {
		return nil, iamValidation("Must specify userName when calling with non-User credentials")
	}
	name := rest[strings.LastIndex(rest, "/")+1:]
	path := "/" + strings.TrimSuffix(rest, name)
	if u, ok := empty(s.st.iamUsers, c.Account).Get(name); ok {
		return u, nil
	}
	var created time.Time
	if a, ok := s.st.accounts.Get(c.Account); ok {
		created = a.Joined
	}
	return &IAMUser{AccountId: c.Account, UserName: name, UserId: c.UserId, Path: path, Created: created}, nil
}

func (s *Server) iamOps() map[string]queryHandler {
	return map[string]queryHandler{
		"GetUser": func(form url.Values, c callerIdentity) (any, error) {
			u, err := s.iamSubject(form, c)
			if err != nil {
				return nil, err
			}
			x := iamUserOut(u)
			if len(u.Tags) > 0 {
				x.Tags = &struct {
					Member []iamTagXML `xml:"member"`
				}{}
				for _, t := range u.Tags {
					x.Tags.Member = append(x.Tags.Member, iamTagXML(t))
				}
			}
			return struct {
				User iamUserXML `xml:"User"`
			}{x}, nil
		},
		"ListUsers": func(form url.Values, c callerIdentity) (any, error) {
			users := empty(s.st.iamUsers, c.Account)
			prefix := form.Get("PathPrefix")
			if prefix != "" {
				if err := iamPattern("pathPrefix", prefix, 512, reIAMPath()); err != nil {
					return nil, err
				}
				filtered := awsproto.NewIndex[*IAMUser]()
				for _, u := range users.Values() {
					if strings.HasPrefix(u.Path, prefix) {
						filtered.Put(u.UserName, u)
					}
				}
				users = filtered
			}
			page, next, err := iamPage(users, "iam-users|"+c.Account+"|"+prefix, form)
			if err != nil {
				return nil, err
			}
			out := make([]iamUserXML, 0, len(page))
			for _, u := range page {
				out = append(out, iamUserOut(u))
			}
			return iamList[iamUserXML]{name: "Users", items: out, marker: next}, nil
		},
		"ListAccessKeys": func(form url.Values, c callerIdentity) (any, error) {
			u, err := s.iamSubject(form, c)
			if err != nil {
				return nil, err
			}
			type keyXML struct {
				UserName    string `xml:"UserName"`
				AccessKeyId string `xml:"AccessKeyId"`
				Status      string `xml:"Status"`
				CreateDate  string `xml:"CreateDate"`
			}
			return iamListPage("AccessKeyMetadata", "iam-keys|"+c.Account+"|"+u.UserName, form, u.AccessKeys, func(k AccessKey) keyXML {
				return keyXML{u.UserName, k.AccessKeyId, k.Status, awsproto.ISOTime(k.Created)}
			})
		},
		"GetAccessKeyLastUsed": func(form url.Values, c callerIdentity) (any, error) {
			id := form.Get("AccessKeyId")
			if id == "" {
				return nil, iamValidation("1 validation error detected: Value null at 'accessKeyId' failed to satisfy constraint: Member must not be null")
			}
			if len(id) < 16 {
				return nil, iamValidation("1 validation error detected: Value '%s' at 'accessKeyId' failed to satisfy constraint: Member must have length greater than or equal to 16", id)
			}
			if err := iamPattern("accessKeyId", id, 128, reAccessKeyID()); err != nil {
				return nil, err
			}
			type lastUsedXML struct {
				LastUsedDate string `xml:"LastUsedDate,omitempty"`
				ServiceName  string `xml:"ServiceName"`
				Region       string `xml:"Region"`
			}
			for _, u := range empty(s.st.iamUsers, c.Account).Values() {
				for _, k := range u.AccessKeys {
					if k.AccessKeyId != id {
						continue
					}
					lu := lastUsedXML{ServiceName: "N/A", Region: "N/A"}
					if k.LastUsed != nil {
						lu = lastUsedXML{awsproto.ISOTime(k.LastUsed.Date), k.LastUsed.ServiceName, k.LastUsed.Region}
					}
					return struct {
						UserName          string      `xml:"UserName"`
						AccessKeyLastUsed lastUsedXML `xml:"AccessKeyLastUsed"`
					}{u.UserName, lu}, nil
				}
			}
			return nil, awsproto.Err(404, "NoSuchEntity", "The Access Key with id %s cannot be found.", id)
		},
		"GetLoginProfile": func(form url.Values, c callerIdentity) (any, error) {
			u, err := s.iamSubject(form, c)
			if err != nil {
				return nil, err
			}
			if u.LoginProfile == nil {
				return nil, awsproto.Err(404, "NoSuchEntity", "Login Profile for User %s cannot be found.", u.UserName)
			}
			return struct {
				UserName              string `xml:"LoginProfile>UserName"`
				CreateDate            string `xml:"LoginProfile>CreateDate"`
				PasswordResetRequired bool   `xml:"LoginProfile>PasswordResetRequired"`
			}{u.UserName, awsproto.ISOTime(u.LoginProfile.Created), u.LoginProfile.PasswordResetRequired}, nil
		},
		"ListMFADevices": func(form url.Values, c callerIdentity) (any, error) {
			u, err := s.iamSubject(form, c)
			if err != nil {
				return nil, err
			}
			type mfaXML struct {
				UserName     string `xml:"UserName"`
				SerialNumber string `xml:"SerialNumber"`
				EnableDate   string `xml:"EnableDate"`
			}
			return iamListPage("MFADevices", "iam-mfa|"+c.Account+"|"+u.UserName, form, u.MFADevices, func(d MFADevice) mfaXML {
				return mfaXML{u.UserName, d.SerialNumber, awsproto.ISOTime(d.EnableDate)}
			})
		},
		"ListGroupsForUser": func(form url.Values, c callerIdentity) (any, error) {
			u, err := s.iamNamedUser(form, c)
			if err != nil {
				return nil, err
			}
			groups := empty(s.st.iamGroups, c.Account)
			return iamListPage("Groups", "iam-groups|"+c.Account+"|"+u.UserName, form, u.Groups, func(name string) iamGroupXML {
				if g, ok := groups.Get(name); ok {
					return iamGroupOut(g)
				}
				return iamGroupXML{"/", name, iamStableID("AGPA", c.Account, name), "arn:aws:iam::" + c.Account + ":group/" + name, awsproto.ISOTime(u.Created)}
			})
		},
		"GetUserPolicy":         s.iamGetUserPolicy,
		"ListVirtualMFADevices": s.iamListVirtualMFADevices,
		"ListUserPolicies": func(form url.Values, c callerIdentity) (any, error) {
			u, err := s.iamNamedUser(form, c)
			if err != nil {
				return nil, err
			}
			return iamListPage("PolicyNames", "iam-inline|"+c.Account+"|"+u.UserName, form, u.InlinePolicies, func(n string) string { return n })
		},
		"ListAttachedUserPolicies": func(form url.Values, c callerIdentity) (any, error) {
			u, err := s.iamNamedUser(form, c)
			if err != nil {
				return nil, err
			}
			policies := u.AttachedPolicies
			prefix := form.Get("PathPrefix")
			if prefix != "" {
				if err := iamPattern("pathPrefix", prefix, 512, reIAMPath()); err != nil {
					return nil, err
				}
				policies = nil
				for _, p := range u.AttachedPolicies {
					if strings.HasPrefix(iamPolicyPath(p.Arn), prefix) {
						policies = append(policies, p)
					}
				}
			}
			type attachedXML struct {
				PolicyName string `xml:"PolicyName"`
				PolicyArn  string `xml:"PolicyArn"`
			}
			return iamListPage("AttachedPolicies", "iam-attached|"+c.Account+"|"+u.UserName+"|"+prefix, form, policies, func(p ManagedPolicy) attachedXML {
				return attachedXML{p.Name, p.Arn}
			})
		},
		"ListSigningCertificates": func(form url.Values, c callerIdentity) (any, error) {
			u, err := s.iamSubject(form, c)
			if err != nil {
				return nil, err
			}
			type certXML struct {
				UserName        string `xml:"UserName"`
				CertificateId   string `xml:"CertificateId"`
				CertificateBody string `xml:"CertificateBody"`
				Status          string `xml:"Status"`
				UploadDate      string `xml:"UploadDate"`
			}
			return iamListPage("Certificates", "iam-certs|"+c.Account+"|"+u.UserName, form, u.SigningCertificates, func(k IAMCredential) certXML {
				// The sandbox keeps no certificate bodies; this stands in for one.
				body := "-----BEGIN CERTIFICATE-----\nU0FOREJPWCBDRVJUSUZJQ0FURSAo" + k.Id + "\n-----END CERTIFICATE-----\n"
				return certXML{u.UserName, k.Id, body, k.Status, awsproto.ISOTime(k.Created)}
			})
		},
		"ListSSHPublicKeys": func(form url.Values, c callerIdentity) (any, error) {
			u, err := s.iamSubject(form, c)
			if err != nil {
				return nil, err
			}
			type sshXML struct {
				UserName       string `xml:"UserName"`
				SSHPublicKeyId string `xml:"SSHPublicKeyId"`
				Status         string `xml:"Status"`
				UploadDate     string `xml:"UploadDate"`
			}
			return iamListPage("SSHPublicKeys", "iam-ssh|"+c.Account+"|"+u.UserName, form, u.SSHPublicKeys, func(k IAMCredential) sshXML {
				return sshXML{u.UserName, k.Id, k.Status, awsproto.ISOTime(k.Created)}
			})
		},
		"ListServiceSpecificCredentials": func(form url.Values, c callerIdentity) (any, error) {
			service := form.Get("ServiceName")
			if service != "" {
				if err := iamPattern("serviceName", service, 128, reIAMService()); err != nil {
					return nil, err
				}
			}
			var users []*IAMUser
			if form.Get("AllUsers") == "true" {
				users = empty(s.st.iamUsers, c.Account).Values()
			} else {
				u, err := s.iamSubject(form, c)
				if err != nil {
					return nil, err
				}
				users = []*IAMUser{u}
			}
			type credXML struct {
				UserName                    string `xml:"UserName"`
				Status                      string `xml:"Status"`
				ServiceUserName             string `xml:"ServiceUserName"`
				CreateDate                  string `xml:"CreateDate"`
				ServiceSpecificCredentialId string `xml:"ServiceSpecificCredentialId"`
				ServiceName                 string `xml:"ServiceName"`
			}
			var creds []credXML
			for _, u := range users {
				for _, k := range u.ServiceCredentials {
					if service != "" && k.ServiceName != service {
						continue
					}
					creds = append(creds, credXML{u.UserName, k.Status, u.UserName + "-at-" + c.Account, awsproto.ISOTime(k.Created), k.Id, k.ServiceName})
				}
			}
			scope := "iam-ssc|" + c.Account + "|" + form.Get("UserName") + "|" + form.Get("AllUsers") + "|" + service
			return iamListPage("ServiceSpecificCredentials", scope, form, creds, func(x credXML) credXML { return x })
		},
	}
}

// iamPolicyPath is the path of a managed policy ARN: /job-function/ for
// arn:aws:iam::aws:policy/job-function/ViewOnlyAccess.
func iamPolicyPath(arn string) string {
	_, rest, ok := strings.Cut(arn, ":policy")
	if !ok {
		return "/"
	}
	return rest[:strings.LastIndex(rest, "/")+1]
}
