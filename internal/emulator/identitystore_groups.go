// Identity-store groups: create, describe, update, delete, list, and
// GetGroupId by a unique attribute.

package emulator

import (
	"encoding/json"

	"github.com/ssoctl/ssoctl/internal/emulator/awsproto"
)

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

func applyGroupOp(g *Group, o storeAttrOp) error {
	switch lower(o.AttributePath) {
	case "displayname":
		return o.str(&g.DisplayName)
	case "description":
		return o.str(&g.Description)
	}
	return awsproto.Validation("Invalid attribute path %s for UpdateGroup.", o.AttributePath)
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
