// Customer managed IAM policies: what permission sets reference by name and
// path, and what provisioning needs in every target account.

package emulator

import (
	"slices"
	"strings"
)

// The customer managed policies every member account of the demo
// organizations holds (DESIGN's sandbox contract).
var demoPolicies = []CustomerPolicyRef{
	{Name: "team-boundary", Path: "/teams/"},
	{Name: "dev-boundary", Path: "/"},
}

// demoPolicyDocument is what the demo policies allow: everything a
// boundary lets through is decided by the permission set's own policies.
const demoPolicyDocument = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`

// DemoPolicies are the customer managed policies of the demo
// organizations: in every member account, team-boundary (path /teams/),
// dev-boundary (path /) and every customer managed policy or boundary the
// state's permission sets reference, so that each of them provisions. The
// management account has none.
func DemoPolicies(st *State) []IAMPolicy {
	refs := slices.Clone(demoPolicies)
	add := func(r CustomerPolicyRef) {
		if r.Path == "" {
			r.Path = "/"
		}
		if !slices.ContainsFunc(refs, func(x CustomerPolicyRef) bool { return strings.EqualFold(x.Name, r.Name) }) {
			refs = append(refs, r)
		}
	}
	for _, ps := range st.PermissionSets {
		for _, r := range ps.CustomerManagedPolicies {
			add(r)
		}
		if b := ps.PermissionsBoundary; b != nil && b.CustomerManagedPolicyReference != nil {
			add(*b.CustomerManagedPolicyReference)
		}
	}
	mgmt := st.Organization.MasterAccountId
	var out []IAMPolicy
	for _, a := range st.Accounts {
		if a.Id == mgmt {
			continue
		}
		for _, r := range refs {
			out = append(out, IAMPolicy{
				AccountId: a.Id, PolicyName: r.Name, PolicyId: iamStableID("ANPA", a.Id, r.Name), Path: r.Path,
				Document: demoPolicyDocument, Created: a.Joined,
			})
		}
	}
	return out
}

// missingPolicy is AWS's FailureReason for provisioning ps to account when
// a customer managed policy or permissions boundary it references is not
// in that account with that name and path ("" when all are): Identity
// Center attaches them to the account's role by ARN, and IAM knows no
// such policy. The wording is AWS's (terraform-provider-aws's acceptance
// test TestAccSSOAdminAccountAssignment_missingPolicy matches it).
func (s *Server) missingPolicy(ps *PermissionSet, account string) string {
	refs := slices.Clone(ps.CustomerManagedPolicies)
	if b := ps.PermissionsBoundary; b != nil && b.CustomerManagedPolicyReference != nil {
		refs = append(refs, *b.CustomerManagedPolicyReference)
	}
	for _, r := range refs {
		path := r.Path
		if path == "" {
			path = "/"
		}
		p, ok := empty(s.st.iamPolicies, account).Get(lower(r.Name))
		if !ok || p.Path != path || p.PolicyName != r.Name {
			return "Received a 404 status error: Not supported policy arn:aws:iam::" + account + ":policy" + path + r.Name + "."
		}
	}
	return ""
}
