// IAM groups: CreateGroup and a user's memberships.

package emulator

import (
	"net/url"
	"slices"
	"strings"

	"github.com/ssoctl/ssoctl/internal/emulator/awsproto"
)

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
