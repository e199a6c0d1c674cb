// The identity store: the operation table, ids and ARNs, and what users,
// groups and memberships share (paging, filters, unique attributes, attribute
// operations, revisions); each resource has its file: identitystore_users.go,
// identitystore_groups.go, identitystore_memberships.go.

package emulator

import (
	"encoding/json"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/ssoctl/ssoctl/internal/emulator/awsproto"
)

// storePageMax is the identity store's page size, default and cap alike.
const storePageMax = 100

// Identity-store resource types, as ResourceNotFoundException names them.
const (
	rtUser       = "USER"
	rtGroup      = "GROUP"
	rtMembership = "GROUP_MEMBERSHIP"
	rtStore      = "IDENTITY_STORE"
)

// reStoreArn() matches the ARN prefix the 2026 model accepts in front of any
// identity-store id: identitystore/d-…, user/…, group/…, membership/….
var reStoreArn = awsproto.LazyRegexp(`^arn:aws[a-z-]*:identitystore::(\d{12})?:(identitystore|user|group|membership)/`)

// reservedNames may name neither a user nor a group in Identity Center.
var reservedNames = map[string]bool{"administrator": true, "awsadministrators": true}

// stripArn returns the id inside an ARN of the given kind, or v unchanged.
func stripArn(v, kind string) string {
	if m := reStoreArn().FindStringSubmatch(v); m != nil && m[2] == kind {
		return v[len(m[0]):]
	}
	return v
}

func storeNotFound(rt, id, format string, args ...any) *awsproto.Error {
	e := awsproto.NotFound(format, args...).With("ResourceType", rt)
	// The model's ResourceId is a user, group or membership id: a user
	// name, e-mail, external id or store id (id "") is left out.
	if id != "" {
		e = e.With("ResourceId", id)
	}
	return e
}

func storeUniqueness(format string, args ...any) *awsproto.Error {
	return awsproto.Conflict(format, args...).With("Reason", "UNIQUENESS_CONSTRAINT_VIOLATION")
}

// storeRevision is the opaque Revision of a user or group: a hash of its content,
// so it changes whenever the resource does.
func storeRevision(v any) string {
	b, _ := json.Marshal(v)
	return awsproto.ScopeHash(string(b))
}

func userArn(id string) string       { return "arn:aws:identitystore:::user/" + id }
func groupArn(id string) string      { return "arn:aws:identitystore:::group/" + id }
func membershipArn(id string) string { return "arn:aws:identitystore:::membership/" + id }

// storeID validates an IdentityStoreId (an id or an identitystore ARN) and
// checks that the store exists.
func (s *Server) storeID(v string) (string, error) {
	if err := awsproto.Required("identityStoreId", v); err != nil {
		return "", err
	}
	id := stripArn(v, "identitystore")
	if err := awsproto.CheckPattern("identityStoreId", id, reStoreID()); err != nil {
		return "", err
	}
	if s.st.instanceByStore(id) == nil {
		return "", storeNotFound(rtStore, "", "Identity store %s does not exist.", id)
	}
	return id, nil
}

// storeResourceID validates a user, group or membership id (or its ARN).
func storeResourceID(member, v, kind string) (string, error) {
	if err := awsproto.Required(member, v); err != nil {
		return "", err
	}
	id := stripArn(v, kind)
	return id, awsproto.CheckPattern(member, id, rePrincipalID())
}

// checkRevision makes an update or delete conditional on Revision, when given.
func checkRevision(want string, v any) error {
	if want != "" && want != storeRevision(v) {
		return awsproto.Conflict("The resource was modified since revision %s.", want).With("Reason", "CONCURRENT_MODIFICATION")
	}
	return nil
}

// checkStoreString validates a free-text attribute: 1..max characters of
// letters, marks, symbols, numbers and punctuation, plus spaces when allowed.
func checkStoreString(member, v string, max int, spaces bool) error {
	if v == "" {
		return awsproto.Validation("1 validation error detected: Value at '%s' failed to satisfy constraint: Member must have length greater than or equal to 1", member)
	}
	if utf8.RuneCountInString(v) > max {
		return awsproto.Validation("1 validation error detected: Value at '%s' failed to satisfy constraint: Member must have length less than or equal to %d", member, max)
	}
	for _, r := range v {
		ok := unicode.In(r, unicode.L, unicode.M, unicode.S, unicode.N, unicode.P)
		if !ok && spaces && (r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\u00a0' || r == '\u3000') {
			ok = true
		}
		if !ok {
			return awsproto.Validation("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern", v, member)
		}
	}
	return nil
}

// storePage is the paging input every identity-store List operation has.
type storePage struct {
	IdentityStoreId string
	MaxResults      *int // nil when not sent; an explicit 0 is out of range
	NextToken       string
}

func (p *storePage) size() int {
	if p.MaxResults == nil {
		return 0
	}
	return *p.MaxResults
}

// checkPage validates the store and the page size, returning the store id.
func (s *Server) checkPage(p *storePage) (string, error) {
	store, err := s.storeID(p.IdentityStoreId)
	if err != nil {
		return "", err
	}
	if n := p.MaxResults; n != nil && (*n < 1 || *n > storePageMax) {
		return "", awsproto.Validation("1 validation error detected: Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and %d", *n, storePageMax)
	}
	if len(p.NextToken) > 65535 || !reToken().MatchString(p.NextToken) {
		return "", awsproto.ErrInvalidToken
	}
	return store, nil
}

// storeFilter is the deprecated single Filter of ListUsers and ListGroups.
type storeFilter struct {
	AttributePath  string
	AttributeValue string
}

// oneFilter returns the value to match when filters names path, or ok=false
// when there is no filter.
func oneFilter(filters []storeFilter, path string) (value string, ok bool, err error) {
	switch len(filters) {
	case 0:
		return "", false, nil
	case 1:
	default:
		return "", false, awsproto.Validation("1 validation error detected: Value at 'filters' failed to satisfy constraint: Member must have length less than or equal to 1")
	}
	f := filters[0]
	if !strings.EqualFold(f.AttributePath, path) {
		return "", false, awsproto.Validation("Filtering on %q is not supported; use %s.", f.AttributePath, path)
	}
	if f.AttributeValue == "" {
		return "", false, awsproto.Validation("1 validation error detected: Value at 'filters.1.member.attributeValue' failed to satisfy constraint: Member must have length greater than or equal to 1")
	}
	return f.AttributeValue, true, nil
}

// alternateID is the AlternateIdentifier union of GetUserId and GetGroupId.
type alternateID struct {
	ExternalId      *ExternalId
	UniqueAttribute *struct {
		AttributePath  string
		AttributeValue json.RawMessage
	}
}

// uniqueValue returns the UniqueAttribute path (lower case) and its value,
// which must be a string.
func (a *alternateID) uniqueValue() (string, string, error) {
	if (a.ExternalId == nil) == (a.UniqueAttribute == nil) {
		return "", "", awsproto.Validation("AlternateIdentifier must name exactly one of ExternalId and UniqueAttribute.")
	}
	ua := a.UniqueAttribute
	var v string
	if err := json.Unmarshal(ua.AttributeValue, &v); err != nil || v == "" {
		return "", "", awsproto.Validation("The AttributeValue of %s must be a non-empty string.", ua.AttributePath)
	}
	return lower(ua.AttributePath), v, nil
}

func hasExternalID(ids []ExternalId, want *ExternalId) bool {
	for _, e := range ids {
		if e.Issuer == want.Issuer && e.Id == want.Id {
			return true
		}
	}
	return false
}

// storeAttrOp is one UpdateUser/UpdateGroup operation. A missing or null value
// removes the attribute.
type storeAttrOp struct {
	AttributePath  string
	AttributeValue json.RawMessage
}

func (o storeAttrOp) removes() bool {
	v := strings.TrimSpace(string(o.AttributeValue))
	return v == "" || v == "null"
}

func (o storeAttrOp) str(dst *string) error {
	if o.removes() {
		*dst = ""
		return nil
	}
	if err := json.Unmarshal(o.AttributeValue, dst); err != nil {
		return awsproto.Validation("The value of %s must be a string.", o.AttributePath)
	}
	return nil
}

func checkStoreOps(ops []storeAttrOp) error {
	if len(ops) == 0 || len(ops) > 100 {
		return awsproto.Validation("1 validation error detected: Value at 'operations' failed to satisfy constraint: Member must have length between 1 and 100")
	}
	for _, o := range ops {
		if o.AttributePath == "" {
			return awsproto.Validation("1 validation error detected: Value null at 'operations.member.attributePath' failed to satisfy constraint: Member must not be null")
		}
	}
	return nil
}

func (s *Server) identityStoreOps() map[string]opHandler {
	return map[string]opHandler{
		"CreateUser":                    reqOp(true, s.idsCreateUser),
		"DescribeUser":                  jsonOp(false, s.idsDescribeUser),
		"UpdateUser":                    reqOp(true, s.idsUpdateUser),
		"DeleteUser":                    jsonOp(true, s.idsDeleteUser),
		"ListUsers":                     jsonOp(false, s.idsListUsers),
		"GetUserId":                     jsonOp(false, s.idsGetUserId),
		"CreateGroup":                   reqOp(true, s.idsCreateGroup),
		"DescribeGroup":                 jsonOp(false, s.idsDescribeGroup),
		"UpdateGroup":                   reqOp(true, s.idsUpdateGroup),
		"DeleteGroup":                   jsonOp(true, s.idsDeleteGroup),
		"ListGroups":                    jsonOp(false, s.idsListGroups),
		"GetGroupId":                    jsonOp(false, s.idsGetGroupId),
		"CreateGroupMembership":         reqOp(true, s.idsCreateGroupMembership),
		"DescribeGroupMembership":       jsonOp(false, s.idsDescribeGroupMembership),
		"DeleteGroupMembership":         jsonOp(true, s.idsDeleteGroupMembership),
		"ListGroupMemberships":          jsonOp(false, s.idsListGroupMemberships),
		"ListGroupMembershipsForMember": jsonOp(false, s.idsListGroupMembershipsForMember),
		"GetGroupMembershipId":          jsonOp(false, s.idsGetGroupMembershipId),
		"IsMemberInGroups":              jsonOp(false, s.idsIsMemberInGroups),
	}
}
