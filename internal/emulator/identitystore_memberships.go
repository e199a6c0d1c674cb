// Identity-store group memberships: create, describe, delete, list (per
// group and per member), GetGroupMembershipId and IsMemberInGroups.

package emulator

import (
	"encoding/json"

	"github.com/ssoctl/ssoctl/internal/emulator/awsproto"
)

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
