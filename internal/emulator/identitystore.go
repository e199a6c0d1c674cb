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

func (s *Server) storeUser(store, v, member string) (*User, error) {
	id, err := storeResourceID(member, v, "user")
	if err != nil {
		return nil, err
	}
	u, ok := empty(s.st.users, store).Get(id)
	if !ok {
		return nil, storeNotFound(rtUser, id, "USER not found: %s", id)
	}
	return u, nil
}

func (s *Server) storeGroup(store, v, member string) (*Group, error) {
	id, err := storeResourceID(member, v, "group")
	if err != nil {
		return nil, err
	}
	g, ok := empty(s.st.groups, store).Get(id)
	if !ok {
		return nil, storeNotFound(rtGroup, id, "GROUP not found: %s", id)
	}
	return g, nil
}

func (s *Server) storeMembership(store, v string) (*Membership, error) {
	id, err := storeResourceID("membershipId", v, "membership")
	if err != nil {
		return nil, err
	}
	m, ok := s.st.memberships[id]
	if !ok || m.IdentityStoreId != store {
		return nil, storeNotFound(rtMembership, id, "GROUP_MEMBERSHIP not found: %s", id)
	}
	return m, nil
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

// checkStoreUser validates a user as Identity Center requires it: UserName,
// DisplayName and Name.GivenName/FamilyName present, at most one e-mail.
func checkStoreUser(u *User) error {
	if u.UserName == "" {
		return awsproto.Validation("username: The attribute username is required")
	}
	if err := checkStoreString("userName", u.UserName, 128, false); err != nil {
		return err
	}
	if reservedNames[lower(u.UserName)] {
		return awsproto.Validation("username: %s is a reserved name and can't be used", u.UserName)
	}
	if u.DisplayName == "" {
		return awsproto.Validation("displayname: The attribute displayname is required")
	}
	if err := checkStoreString("displayName", u.DisplayName, 1024, true); err != nil {
		return err
	}
	if u.Name == nil || u.Name.GivenName == "" {
		return awsproto.Validation("name.givenname: The attribute name.givenname is required")
	}
	if u.Name.FamilyName == "" {
		return awsproto.Validation("name.familyname: The attribute name.familyname is required")
	}
	if len(u.Emails) > 1 {
		return awsproto.Validation("1 validation error detected: Value at 'emails' failed to satisfy constraint: Member must have length less than or equal to 1")
	}
	if u.UserStatus != "ENABLED" && u.UserStatus != "DISABLED" {
		return awsproto.Validation("1 validation error detected: Value '%s' at 'userStatus' failed to satisfy constraint: Member must satisfy enum value set: [ENABLED, DISABLED]", u.UserStatus)
	}
	return nil
}

func checkStoreGroup(g *Group) error {
	if g.DisplayName == "" {
		return awsproto.Validation("displayname: The attribute displayname is required")
	}
	if err := checkStoreString("displayName", g.DisplayName, 1024, true); err != nil {
		return err
	}
	if reservedNames[lower(g.DisplayName)] {
		return awsproto.Validation("displayname: %s is a reserved name and can't be used", g.DisplayName)
	}
	if g.Description != "" {
		return checkStoreString("description", g.Description, 1024, true)
	}
	return nil
}

// userOut is a user as DescribeUser and ListUsers send it.
type userOut struct {
	IdentityStoreId string
	UserId          string
	UserArn         string
	Revision        string
	UserName        string       `json:",omitempty"`
	DisplayName     string       `json:",omitempty"`
	Name            *UserName    `json:",omitempty"`
	Emails          []Email      `json:",omitempty"`
	ExternalIds     []ExternalId `json:",omitempty"`
	NickName        string       `json:",omitempty"`
	UserType        string       `json:",omitempty"`
	Title           string       `json:",omitempty"`
	Locale          string       `json:",omitempty"`
	Timezone        string       `json:",omitempty"`
	UserStatus      string       `json:",omitempty"`
	CreatedAt       json.Number  `json:",omitempty"`
	CreatedBy       string       `json:",omitempty"`
	UpdatedAt       json.Number  `json:",omitempty"`
	UpdatedBy       string       `json:",omitempty"`
}

func userJSON(u *User) userOut {
	return userOut{
		IdentityStoreId: u.IdentityStoreId, UserId: u.UserId, UserArn: userArn(u.UserId), Revision: storeRevision(u),
		UserName: u.UserName, DisplayName: u.DisplayName, Name: u.Name, Emails: u.Emails, ExternalIds: u.ExternalIds,
		NickName: u.NickName, UserType: u.UserType, Title: u.Title, Locale: u.Locale, Timezone: u.Timezone,
		UserStatus: u.UserStatus, CreatedAt: awsproto.Epoch(u.Created), CreatedBy: u.CreatedBy,
		UpdatedAt: awsproto.Epoch(u.Updated), UpdatedBy: u.UpdatedBy,
	}
}

type groupOut struct {
	IdentityStoreId string
	GroupId         string
	GroupArn        string
	Revision        string
	DisplayName     string       `json:",omitempty"`
	Description     string       `json:",omitempty"`
	ExternalIds     []ExternalId `json:",omitempty"`
	CreatedAt       json.Number  `json:",omitempty"`
	CreatedBy       string       `json:",omitempty"`
	UpdatedAt       json.Number  `json:",omitempty"`
	UpdatedBy       string       `json:",omitempty"`
}

func groupJSON(g *Group) groupOut {
	return groupOut{
		IdentityStoreId: g.IdentityStoreId, GroupId: g.GroupId, GroupArn: groupArn(g.GroupId), Revision: storeRevision(g),
		DisplayName: g.DisplayName, Description: g.Description, ExternalIds: g.ExternalIds,
		CreatedAt: awsproto.Epoch(g.Created), CreatedBy: g.CreatedBy, UpdatedAt: awsproto.Epoch(g.Updated), UpdatedBy: g.UpdatedBy,
	}
}

type storeMemberID struct {
	UserId string `json:"UserId"`
}

type membershipOut struct {
	IdentityStoreId string
	MembershipId    string
	MembershipArn   string
	GroupId         string
	MemberId        storeMemberID
	CreatedAt       json.Number `json:",omitempty"`
	CreatedBy       string      `json:",omitempty"`
	UpdatedAt       json.Number `json:",omitempty"`
	UpdatedBy       string      `json:",omitempty"`
}

func membershipJSON(m *Membership) membershipOut {
	return membershipOut{IdentityStoreId: m.IdentityStoreId, MembershipId: m.MembershipId, MembershipArn: membershipArn(m.MembershipId),
		GroupId: m.GroupId, MemberId: storeMemberID{m.UserId},
		CreatedAt: awsproto.Epoch(m.Created), CreatedBy: m.CreatedBy, UpdatedAt: awsproto.Epoch(m.Updated), UpdatedBy: m.UpdatedBy}
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

// applyUserOp changes one attribute of u (a copy).
func applyUserOp(u *User, o storeAttrOp) error {
	name := func() *UserName {
		if u.Name == nil {
			u.Name = &UserName{}
		}
		return u.Name
	}
	switch lower(o.AttributePath) {
	case "username":
		return o.str(&u.UserName)
	case "displayname":
		return o.str(&u.DisplayName)
	case "nickname":
		return o.str(&u.NickName)
	case "title":
		return o.str(&u.Title)
	case "usertype":
		return o.str(&u.UserType)
	case "locale":
		return o.str(&u.Locale)
	case "timezone":
		return o.str(&u.Timezone)
	case "userstatus":
		return o.str(&u.UserStatus)
	case "name":
		if o.removes() {
			u.Name = nil
			return nil
		}
		var n UserName
		if err := json.Unmarshal(o.AttributeValue, &n); err != nil {
			return awsproto.Validation("The value of name must be a Name object.")
		}
		u.Name = &n
		return nil
	case "name.givenname":
		return o.str(&name().GivenName)
	case "name.familyname":
		return o.str(&name().FamilyName)
	case "name.formatted":
		return o.str(&name().Formatted)
	case "name.middlename":
		return o.str(&name().MiddleName)
	case "name.honorificprefix":
		return o.str(&name().HonorificPrefix)
	case "name.honorificsuffix":
		return o.str(&name().HonorificSuffix)
	case "emails":
		if o.removes() {
			u.Emails = nil
			return nil
		}
		var es []Email
		if err := json.Unmarshal(o.AttributeValue, &es); err != nil {
			return awsproto.Validation("The value of emails must be a list of Email objects.")
		}
		u.Emails = es
		return nil
	}
	return awsproto.Validation("Invalid attribute path %s for UpdateUser.", o.AttributePath)
}

func applyGroupOp(g *Group, o storeAttrOp) error {
	switch lower(o.AttributePath) {
	case "displayname":
		return o.str(&g.DisplayName)
	case "description":
		return o.str(&g.Description)
	}
	return awsproto.Validation("Invalid attribute path %s for UpdateGroup.", o.AttributePath)
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

// The identitystore operations, one method each (named ids + the operation).
func (s *Server) idsCreateUser(req reqInfo, in *struct {
	IdentityStoreId                             string
	UserName, DisplayName                       string
	Name                                        *UserName
	Emails                                      []Email
	NickName, UserType, Title, Locale, Timezone string
}) (any, error) {
	store, err := s.storeID(in.IdentityStoreId)
	if err != nil {
		return nil, err
	}
	// An empty list is not an absent one: the model's Emails hold 1 item.
	if in.Emails != nil && len(in.Emails) == 0 {
		return nil, awsproto.Validation("1 validation error detected: Value at 'emails' failed to satisfy constraint: Member must have length greater than or equal to 1")
	}
	t := s.now()
	u := &User{
		IdentityStoreId: store, UserName: in.UserName, DisplayName: in.DisplayName, Name: in.Name,
		Emails: in.Emails, NickName: in.NickName, UserType: in.UserType, Title: in.Title,
		Locale: in.Locale, Timezone: in.Timezone, UserStatus: "ENABLED", Created: t, Updated: t,
		CreatedBy: req.Caller.Arn, UpdatedBy: req.Caller.Arn,
	}
	if err := checkStoreUser(u); err != nil {
		return nil, err
	}
	if _, dup := s.st.userByName[key(store, lower(u.UserName))]; dup {
		return nil, storeUniqueness("Duplicate UserName: a user named %s already exists.", u.UserName)
	}
	u.UserId = s.principalID()
	s.st.addUser(u)
	return map[string]any{"IdentityStoreId": store, "UserId": u.UserId, "UserArn": userArn(u.UserId), "Revision": storeRevision(u)}, nil
}

func (s *Server) idsDescribeUser(in *struct{ IdentityStoreId, UserId string }) (any, error) {
	store, err := s.storeID(in.IdentityStoreId)
	if err != nil {
		return nil, err
	}
	u, err := s.storeUser(store, in.UserId, "userId")
	if err != nil {
		return nil, err
	}
	return userJSON(u), nil
}

func (s *Server) idsUpdateUser(req reqInfo, in *struct {
	IdentityStoreId, UserId, Revision string
	Operations                        []storeAttrOp
}) (any, error) {
	store, err := s.storeID(in.IdentityStoreId)
	if err != nil {
		return nil, err
	}
	u, err := s.storeUser(store, in.UserId, "userId")
	if err != nil {
		return nil, err
	}
	if err := checkStoreOps(in.Operations); err != nil {
		return nil, err
	}
	if err := checkRevision(in.Revision, u); err != nil {
		return nil, err
	}
	next := *u
	if u.Name != nil {
		n := *u.Name
		next.Name = &n
	}
	for _, o := range in.Operations {
		if err := applyUserOp(&next, o); err != nil {
			return nil, err
		}
	}
	if err := checkStoreUser(&next); err != nil {
		return nil, err
	}
	if lower(next.UserName) != lower(u.UserName) {
		if _, dup := s.st.userByName[key(store, lower(next.UserName))]; dup {
			return nil, storeUniqueness("Duplicate UserName: a user named %s already exists.", next.UserName)
		}
		delete(s.st.userByName, key(store, lower(u.UserName)))
		s.st.userByName[key(store, lower(next.UserName))] = u.UserId
	}
	next.Updated, next.UpdatedBy = s.now(), req.Caller.Arn
	*u = next
	return map[string]any{"IdentityStoreId": store, "UserId": u.UserId, "UserArn": userArn(u.UserId), "Revision": storeRevision(u)}, nil
}

func (s *Server) idsDeleteUser(in *struct{ IdentityStoreId, UserId, Revision string }) (any, error) {
	store, err := s.storeID(in.IdentityStoreId)
	if err != nil {
		return nil, err
	}
	u, err := s.storeUser(store, in.UserId, "userId")
	if err != nil {
		return nil, err
	}
	if err := checkRevision(in.Revision, u); err != nil {
		return nil, err
	}
	s.st.deleteUser(u)
	return nil, nil
}

func (s *Server) idsListUsers(in *struct {
	storePage
	Filters    []storeFilter
	Extensions []string
}) (any, error) {
	store, err := s.checkPage(&in.storePage)
	if err != nil {
		return nil, err
	}
	for _, e := range in.Extensions {
		if e != "aws:identitystore:enterprise" {
			return nil, awsproto.Validation("Unsupported extension %s.", e)
		}
	}
	users := empty(s.st.users, store)
	name, filtered, err := oneFilter(in.Filters, "UserName")
	if err != nil {
		return nil, err
	}
	if filtered {
		// A filtered list is at most one user, served on one page.
		out := []userOut{}
		if u, ok := users.Get(s.st.userByName[key(store, lower(name))]); ok {
			out = append(out, userJSON(u))
		}
		return map[string]any{"Users": out}, nil
	}
	page, next, err := awsproto.Paginate(users, "users|"+store, in.NextToken, in.size(), storePageMax, storePageMax)
	if err != nil {
		return nil, err
	}
	out := make([]userOut, 0, len(page))
	for _, u := range page {
		out = append(out, userJSON(u))
	}
	return withNext(map[string]any{"Users": out}, next), nil
}

func (s *Server) idsGetUserId(in *struct {
	IdentityStoreId     string
	AlternateIdentifier alternateID
}) (any, error) {
	store, err := s.storeID(in.IdentityStoreId)
	if err != nil {
		return nil, err
	}
	found := func(u *User) (any, error) {
		return map[string]any{"IdentityStoreId": store, "UserId": u.UserId, "UserArn": userArn(u.UserId)}, nil
	}
	users := empty(s.st.users, store)
	if ext := in.AlternateIdentifier.ExternalId; ext != nil && in.AlternateIdentifier.UniqueAttribute == nil {
		for _, u := range users.Values() {
			if hasExternalID(u.ExternalIds, ext) {
				return found(u)
			}
		}
		return nil, storeNotFound(rtUser, "", "USER not found for external id %s.", ext.Id)
	}
	path, v, err := in.AlternateIdentifier.uniqueValue()
	if err != nil {
		return nil, err
	}
	switch path {
	case "username":
		if u, ok := users.Get(s.st.userByName[key(store, lower(v))]); ok {
			return found(u)
		}
	case "emails.value":
		for _, u := range users.Values() {
			for _, e := range u.Emails {
				if strings.EqualFold(e.Value, v) {
					return found(u)
				}
			}
		}
	default:
		return nil, awsproto.Validation("GetUserId supports the unique attributes userName and emails.value, not %s.", in.AlternateIdentifier.UniqueAttribute.AttributePath)
	}
	return nil, storeNotFound(rtUser, "", "USER not found: %s", v)
}

func (s *Server) idsCreateGroup(req reqInfo, in *struct {
	IdentityStoreId, DisplayName string
	Description                  *string
}) (any, error) {
	store, err := s.storeID(in.IdentityStoreId)
	if err != nil {
		return nil, err
	}
	// An empty Description is not an absent one: the model's minimum is 1.
	if in.Description != nil && *in.Description == "" {
		return nil, awsproto.Validation("1 validation error detected: Value at 'description' failed to satisfy constraint: Member must have length greater than or equal to 1")
	}
	t := s.now()
	g := &Group{IdentityStoreId: store, DisplayName: in.DisplayName,
		Created: t, Updated: t, CreatedBy: req.Caller.Arn, UpdatedBy: req.Caller.Arn}
	if in.Description != nil {
		g.Description = *in.Description
	}
	if err := checkStoreGroup(g); err != nil {
		return nil, err
	}
	if _, dup := s.st.groupByName[key(store, lower(g.DisplayName))]; dup {
		return nil, storeUniqueness("Duplicate GroupDisplayName: a group named %s already exists.", g.DisplayName)
	}
	g.GroupId = s.principalID()
	s.st.addGroup(g)
	return map[string]any{"IdentityStoreId": store, "GroupId": g.GroupId, "GroupArn": groupArn(g.GroupId), "Revision": storeRevision(g)}, nil
}

func (s *Server) idsDescribeGroup(in *struct{ IdentityStoreId, GroupId string }) (any, error) {
	store, err := s.storeID(in.IdentityStoreId)
	if err != nil {
		return nil, err
	}
	g, err := s.storeGroup(store, in.GroupId, "groupId")
	if err != nil {
		return nil, err
	}
	return groupJSON(g), nil
}

func (s *Server) idsUpdateGroup(req reqInfo, in *struct {
	IdentityStoreId, GroupId, Revision string
	Operations                         []storeAttrOp
}) (any, error) {
	store, err := s.storeID(in.IdentityStoreId)
	if err != nil {
		return nil, err
	}
	g, err := s.storeGroup(store, in.GroupId, "groupId")
	if err != nil {
		return nil, err
	}
	if err := checkStoreOps(in.Operations); err != nil {
		return nil, err
	}
	if err := checkRevision(in.Revision, g); err != nil {
		return nil, err
	}
	next := *g
	for _, o := range in.Operations {
		if err := applyGroupOp(&next, o); err != nil {
			return nil, err
		}
	}
	if err := checkStoreGroup(&next); err != nil {
		return nil, err
	}
	if lower(next.DisplayName) != lower(g.DisplayName) {
		if _, dup := s.st.groupByName[key(store, lower(next.DisplayName))]; dup {
			return nil, storeUniqueness("Duplicate GroupDisplayName: a group named %s already exists.", next.DisplayName)
		}
		delete(s.st.groupByName, key(store, lower(g.DisplayName)))
		s.st.groupByName[key(store, lower(next.DisplayName))] = g.GroupId
	}
	next.Updated, next.UpdatedBy = s.now(), req.Caller.Arn
	*g = next
	return map[string]any{"IdentityStoreId": store, "GroupId": g.GroupId, "GroupArn": groupArn(g.GroupId), "Revision": storeRevision(g)}, nil
}

func (s *Server) idsDeleteGroup(in *struct{ IdentityStoreId, GroupId, Revision string }) (any, error) {
	store, err := s.storeID(in.IdentityStoreId)
	if err != nil {
		return nil, err
	}
	g, err := s.storeGroup(store, in.GroupId, "groupId")
	if err != nil {
		return nil, err
	}
	if err := checkRevision(in.Revision, g); err != nil {
		return nil, err
	}
	s.st.deleteGroup(g)
	return nil, nil
}

func (s *Server) idsListGroups(in *struct {
	storePage
	Filters []storeFilter
}) (any, error) {
	store, err := s.checkPage(&in.storePage)
	if err != nil {
		return nil, err
	}
	groups := empty(s.st.groups, store)
	name, filtered, err := oneFilter(in.Filters, "DisplayName")
	if err != nil {
		return nil, err
	}
	if filtered {
		out := []groupOut{}
		if g, ok := groups.Get(s.st.groupByName[key(store, lower(name))]); ok {
			out = append(out, groupJSON(g))
		}
		return map[string]any{"Groups": out}, nil
	}
	page, next, err := awsproto.Paginate(groups, "groups|"+store, in.NextToken, in.size(), storePageMax, storePageMax)
	if err != nil {
		return nil, err
	}
	out := make([]groupOut, 0, len(page))
	for _, g := range page {
		out = append(out, groupJSON(g))
	}
	return withNext(map[string]any{"Groups": out}, next), nil
}

func (s *Server) idsGetGroupId(in *struct {
	IdentityStoreId     string
	AlternateIdentifier alternateID
}) (any, error) {
	store, err := s.storeID(in.IdentityStoreId)
	if err != nil {
		return nil, err
	}
	found := func(g *Group) (any, error) {
		return map[string]any{"IdentityStoreId": store, "GroupId": g.GroupId, "GroupArn": groupArn(g.GroupId)}, nil
	}
	groups := empty(s.st.groups, store)
	if ext := in.AlternateIdentifier.ExternalId; ext != nil && in.AlternateIdentifier.UniqueAttribute == nil {
		for _, g := range groups.Values() {
			if hasExternalID(g.ExternalIds, ext) {
				return found(g)
			}
		}
		return nil, storeNotFound(rtGroup, "", "GROUP not found for external id %s.", ext.Id)
	}
	path, v, err := in.AlternateIdentifier.uniqueValue()
	if err != nil {
		return nil, err
	}
	if path != "displayname" {
		return nil, awsproto.Validation("GetGroupId supports the unique attribute displayName, not %s.", in.AlternateIdentifier.UniqueAttribute.AttributePath)
	}
	if g, ok := groups.Get(s.st.groupByName[key(store, lower(v))]); ok {
		return found(g)
	}
	return nil, storeNotFound(rtGroup, "", "GROUP not found: %s", v)
}

func (s *Server) idsCreateGroupMembership(req reqInfo, in *struct {
	IdentityStoreId, GroupId string
	MemberId                 storeMemberID
}) (any, error) {
	store, err := s.storeID(in.IdentityStoreId)
	if err != nil {
		return nil, err
	}
	g, err := s.storeGroup(store, in.GroupId, "groupId")
	if err != nil {
		return nil, err
	}
	u, err := s.storeUser(store, in.MemberId.UserId, "memberId.userId")
	if err != nil {
		return nil, err
	}
	if empty(s.st.mByGroup, key(store, g.GroupId)).Has(u.UserId) {
		return nil, storeUniqueness("Member %s is already in group %s.", u.UserId, g.GroupId)
	}
	t := s.now()
	m := &Membership{IdentityStoreId: store, MembershipId: s.principalID(), GroupId: g.GroupId, UserId: u.UserId,
		Created: t, Updated: t, CreatedBy: req.Caller.Arn, UpdatedBy: req.Caller.Arn}
	s.st.addMembership(m)
	return map[string]any{"IdentityStoreId": store, "MembershipId": m.MembershipId, "MembershipArn": membershipArn(m.MembershipId)}, nil
}

func (s *Server) idsDescribeGroupMembership(in *struct{ IdentityStoreId, MembershipId string }) (any, error) {
	store, err := s.storeID(in.IdentityStoreId)
	if err != nil {
		return nil, err
	}
	m, err := s.storeMembership(store, in.MembershipId)
	if err != nil {
		return nil, err
	}
	return membershipJSON(m), nil
}

func (s *Server) idsDeleteGroupMembership(in *struct{ IdentityStoreId, MembershipId string }) (any, error) {
	store, err := s.storeID(in.IdentityStoreId)
	if err != nil {
		return nil, err
	}
	m, err := s.storeMembership(store, in.MembershipId)
	if err != nil {
		return nil, err
	}
	s.st.deleteMembership(m)
	return nil, nil
}

func (s *Server) idsListGroupMemberships(in *struct {
	storePage
	GroupId string
}) (any, error) {
	store, err := s.checkPage(&in.storePage)
	if err != nil {
		return nil, err
	}
	g, err := s.storeGroup(store, in.GroupId, "groupId")
	if err != nil {
		return nil, err
	}
	page, next, err := awsproto.Paginate(empty(s.st.mByGroup, key(store, g.GroupId)), "gm|"+store+"|"+g.GroupId, in.NextToken, in.size(), storePageMax, storePageMax)
	if err != nil {
		return nil, err
	}
	return withNext(map[string]any{"GroupMemberships": membershipsJSON(page)}, next), nil
}

func (s *Server) idsListGroupMembershipsForMember(in *struct {
	storePage
	MemberId storeMemberID
}) (any, error) {
	store, err := s.checkPage(&in.storePage)
	if err != nil {
		return nil, err
	}
	u, err := s.storeUser(store, in.MemberId.UserId, "memberId.userId")
	if err != nil {
		return nil, err
	}
	page, next, err := awsproto.Paginate(empty(s.st.mByMember, key(store, u.UserId)), "gmm|"+store+"|"+u.UserId, in.NextToken, in.size(), storePageMax, storePageMax)
	if err != nil {
		return nil, err
	}
	return withNext(map[string]any{"GroupMemberships": membershipsJSON(page)}, next), nil
}

func (s *Server) idsGetGroupMembershipId(in *struct {
	IdentityStoreId, GroupId string
	MemberId                 storeMemberID
}) (any, error) {
	store, err := s.storeID(in.IdentityStoreId)
	if err != nil {
		return nil, err
	}
	g, err := s.storeGroup(store, in.GroupId, "groupId")
	if err != nil {
		return nil, err
	}
	u, err := s.storeUser(store, in.MemberId.UserId, "memberId.userId")
	if err != nil {
		return nil, err
	}
	m, ok := empty(s.st.mByGroup, key(store, g.GroupId)).Get(u.UserId)
	if !ok {
		return nil, storeNotFound(rtMembership, g.GroupId, "GROUP_MEMBERSHIP not found: user %s is not in group %s", u.UserId, g.GroupId)
	}
	return map[string]any{"IdentityStoreId": store, "MembershipId": m.MembershipId, "MembershipArn": membershipArn(m.MembershipId)}, nil
}

func (s *Server) idsIsMemberInGroups(in *struct {
	IdentityStoreId string
	MemberId        storeMemberID
	GroupIds        []string
}) (any, error) {
	store, err := s.storeID(in.IdentityStoreId)
	if err != nil {
		return nil, err
	}
	if len(in.GroupIds) == 0 || len(in.GroupIds) > 100 {
		return nil, awsproto.Validation("1 validation error detected: Value at 'groupIds' failed to satisfy constraint: Member must have length between 1 and 100")
	}
	u, err := s.storeUser(store, in.MemberId.UserId, "memberId.userId")
	if err != nil {
		return nil, err
	}
	results := make([]map[string]any, 0, len(in.GroupIds))
	for _, v := range in.GroupIds {
		gid, err := storeResourceID("groupIds.member", v, "group")
		if err != nil {
			return nil, err
		}
		exists := empty(s.st.mByGroup, key(store, gid)).Has(u.UserId)
		results = append(results, map[string]any{"GroupId": gid, "MemberId": storeMemberID{u.UserId}, "MembershipExists": exists})
	}
	return map[string]any{"Results": results}, nil
}

func membershipsJSON(ms []*Membership) []membershipOut {
	out := make([]membershipOut, 0, len(ms))
	for _, m := range ms {
		out = append(out, membershipJSON(m))
	}
	return out
}
