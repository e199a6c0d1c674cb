// Identity-store users: create, describe, update (attribute operations),
// delete, list, and GetUserId by a unique attribute.

package emulator

import (
	"encoding/json"
	"strings"

	"github.com/ssoctl/ssoctl/internal/emulator/awsproto"
)

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
