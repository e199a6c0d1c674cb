// sso-admin permission-set policies: the inline policy, AWS and customer
// managed policies, and the permissions boundary.

package emulator

import (
	"encoding/json"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/ssoctl/ssoctl/internal/emulator/awsproto"
)

func (s *Server) putInlinePolicy(in *struct {
	psRef
	InlinePolicy string
}) (any, error) {
	if err := awsproto.Required("inlinePolicy", in.InlinePolicy); err != nil {
		return nil, err
	}
	if n := utf8.RuneCountInString(in.InlinePolicy); n > maxInlinePolicySize {
		return nil, awsproto.Validation("1 validation error detected: Value at 'inlinePolicy' failed to satisfy constraint: Member must have length less than or equal to %d", maxInlinePolicySize)
	}
	if err := awsproto.CheckPattern("inlinePolicy", in.InlinePolicy, rePolicyDocument()); err != nil {
		return nil, err
	}
	if n := nonSpace(in.InlinePolicy); n > maxInlinePolicyNonSpace {
		return nil, awsproto.Validation("The inline policy has %d characters other than whitespace; a permission set's inline policy may have at most %d.", n, maxInlinePolicyNonSpace)
	}
	if !json.Valid([]byte(in.InlinePolicy)) {
		return nil, awsproto.Validation("The inline policy is not a valid JSON policy document.")
	}
	ps, err := s.permissionSet(in.psRef)
	if err != nil {
		return nil, err
	}
	ps.InlinePolicy = in.InlinePolicy
	s.outdate(ps)
	return map[string]any{}, nil
}

func (s *Server) getInlinePolicy(in *psRef) (any, error) {
	ps, err := s.permissionSet(*in)
	if err != nil {
		return nil, err
	}
	// Without an inline policy the member is left out: "" would break the
	// model's minimum length of 1.
	if ps.InlinePolicy == "" {
		return map[string]any{}, nil
	}
	return map[string]any{"InlinePolicy": ps.InlinePolicy}, nil
}

func (s *Server) deleteInlinePolicy(in *psRef) (any, error) {
	ps, err := s.permissionSet(*in)
	if err != nil {
		return nil, err
	}
	if ps.InlinePolicy != "" {
		ps.InlinePolicy = ""
		s.outdate(ps)
	}
	return map[string]any{}, nil
}

func policyCount(ps *PermissionSet) int {
	return len(ps.ManagedPolicies) + len(ps.CustomerManagedPolicies)
}

func errPolicyQuota() *awsproto.Error {
	return awsproto.Err(400, "ServiceQuotaExceededException", "A permission set can have at most %d managed and customer managed policies attached.", maxPolicies)
}

type managedPolicyInput struct {
	psRef
	ManagedPolicyArn string
}

func checkManagedPolicyArn(v string) error {
	if err := awsproto.Required("managedPolicyArn", v); err != nil {
		return err
	}
	return awsproto.CheckPattern("managedPolicyArn", v, reManagedPolicy())
}

func (s *Server) attachManagedPolicy(in *managedPolicyInput) (any, error) {
	if err := checkManagedPolicyArn(in.ManagedPolicyArn); err != nil {
		return nil, err
	}
	ps, err := s.permissionSet(in.psRef)
	if err != nil {
		return nil, err
	}
	if slices.ContainsFunc(ps.ManagedPolicies, func(m ManagedPolicy) bool { return m.Arn == in.ManagedPolicyArn }) {
		return nil, awsproto.Conflict("Permission set %s already has the managed policy %s attached.", ps.Arn, in.ManagedPolicyArn)
	}
	if policyCount(ps) >= maxPolicies {
		return nil, errPolicyQuota()
	}
	name := in.ManagedPolicyArn[strings.LastIndex(in.ManagedPolicyArn, "/")+1:]
	ps.ManagedPolicies = append(slices.Clone(ps.ManagedPolicies), ManagedPolicy{Name: name, Arn: in.ManagedPolicyArn})
	s.outdate(ps)
	return map[string]any{}, nil
}

func (s *Server) detachManagedPolicy(in *managedPolicyInput) (any, error) {
	if err := checkManagedPolicyArn(in.ManagedPolicyArn); err != nil {
		return nil, err
	}
	ps, err := s.permissionSet(in.psRef)
	if err != nil {
		return nil, err
	}
	match := func(m ManagedPolicy) bool { return m.Arn == in.ManagedPolicyArn }
	if !slices.ContainsFunc(ps.ManagedPolicies, match) {
		return nil, awsproto.NotFound("The managed policy %s is not attached to permission set %s.", in.ManagedPolicyArn, ps.Arn)
	}
	ps.ManagedPolicies = slices.DeleteFunc(slices.Clone(ps.ManagedPolicies), match)
	s.outdate(ps)
	return map[string]any{}, nil
}

type psListInput struct {
	psRef
	ssoPage
}

func (s *Server) listManagedPolicies(in *psListInput) (any, error) {
	if err := in.check(); err != nil {
		return nil, err
	}
	ps, err := s.permissionSet(in.psRef)
	if err != nil {
		return nil, err
	}
	x := awsproto.NewIndex[ManagedPolicy]()
	for _, m := range ps.ManagedPolicies {
		x.Put(m.Arn, m)
	}
	page, next, err := ssoPaginate(x, in.ssoPage, "ListManagedPoliciesInPermissionSet", ps.Arn)
	if err != nil {
		return nil, err
	}
	return withNext(map[string]any{"AttachedManagedPolicies": page}, next), nil
}

type customerPolicyInput struct {
	psRef
	CustomerManagedPolicyReference *CustomerPolicyRef
}

// checkCustomerRef validates a reference and fills in the default path "/".
func checkCustomerRef(member string, ref *CustomerPolicyRef) (CustomerPolicyRef, error) {
	if ref == nil {
		return CustomerPolicyRef{}, awsproto.Required(member, "")
	}
	if err := awsproto.Required(member+".name", ref.Name); err != nil {
		return CustomerPolicyRef{}, err
	}
	if err := awsproto.CheckPattern(member+".name", ref.Name, reCustomerPolicyName()); err != nil {
		return CustomerPolicyRef{}, err
	}
	r := *ref
	if r.Path == "" {
		r.Path = "/"
	}
	if len(r.Path) > 512 {
		return CustomerPolicyRef{}, awsproto.Validation("1 validation error detected: Value at '%s.path' failed to satisfy constraint: Member must have length less than or equal to 512", member)
	}
	if err := awsproto.CheckPattern(member+".path", r.Path, reCustomerPolicyPath()); err != nil {
		return CustomerPolicyRef{}, err
	}
	return r, nil
}

func (s *Server) attachCustomerPolicy(in *customerPolicyInput) (any, error) {
	ref, err := checkCustomerRef("customerManagedPolicyReference", in.CustomerManagedPolicyReference)
	if err != nil {
		return nil, err
	}
	ps, err := s.permissionSet(in.psRef)
	if err != nil {
		return nil, err
	}
	if slices.Contains(ps.CustomerManagedPolicies, ref) {
		return nil, awsproto.Conflict("Permission set %s already has the customer managed policy %s%s attached.", ps.Arn, ref.Path, ref.Name)
	}
	if policyCount(ps) >= maxPolicies {
		return nil, errPolicyQuota()
	}
	ps.CustomerManagedPolicies = append(slices.Clone(ps.CustomerManagedPolicies), ref)
	s.outdate(ps)
	return map[string]any{}, nil
}

func (s *Server) detachCustomerPolicy(in *customerPolicyInput) (any, error) {
	ref, err := checkCustomerRef("customerManagedPolicyReference", in.CustomerManagedPolicyReference)
	if err != nil {
		return nil, err
	}
	ps, err := s.permissionSet(in.psRef)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(ps.CustomerManagedPolicies, ref) {
		return nil, awsproto.NotFound("The customer managed policy %s%s is not attached to permission set %s.", ref.Path, ref.Name, ps.Arn)
	}
	ps.CustomerManagedPolicies = slices.DeleteFunc(slices.Clone(ps.CustomerManagedPolicies), func(c CustomerPolicyRef) bool { return c == ref })
	s.outdate(ps)
	return map[string]any{}, nil
}

func (s *Server) listCustomerPolicies(in *psListInput) (any, error) {
	if err := in.check(); err != nil {
		return nil, err
	}
	ps, err := s.permissionSet(in.psRef)
	if err != nil {
		return nil, err
	}
	x := awsproto.NewIndex[CustomerPolicyRef]()
	for _, c := range ps.CustomerManagedPolicies {
		x.Put(c.Path+c.Name, c)
	}
	page, next, err := ssoPaginate(x, in.ssoPage, "ListCustomerManagedPolicyReferencesInPermissionSet", ps.Arn)
	if err != nil {
		return nil, err
	}
	return withNext(map[string]any{"CustomerManagedPolicyReferences": page}, next), nil
}

func (s *Server) putBoundary(in *struct {
	psRef
	PermissionsBoundary *PermissionsBoundary
}) (any, error) {
	b := in.PermissionsBoundary
	if b == nil {
		return nil, awsproto.Required("permissionsBoundary", "")
	}
	var pb PermissionsBoundary
	switch {
	case b.ManagedPolicyArn != "" && b.CustomerManagedPolicyReference != nil:
		return nil, awsproto.Validation("A permissions boundary is either a customer managed policy reference or a managed policy ARN, not both.")
	case b.ManagedPolicyArn != "":
		if err := awsproto.CheckPattern("permissionsBoundary.managedPolicyArn", b.ManagedPolicyArn, reManagedPolicy()); err != nil {
			return nil, err
		}
		pb.ManagedPolicyArn = b.ManagedPolicyArn
	case b.CustomerManagedPolicyReference != nil:
		ref, err := checkCustomerRef("permissionsBoundary.customerManagedPolicyReference", b.CustomerManagedPolicyReference)
		if err != nil {
			return nil, err
		}
		pb.CustomerManagedPolicyReference = &ref
	default:
		return nil, awsproto.Validation("A permissions boundary needs a customer managed policy reference or a managed policy ARN.")
	}
	ps, err := s.permissionSet(in.psRef)
	if err != nil {
		return nil, err
	}
	ps.PermissionsBoundary = &pb
	s.outdate(ps)
	return map[string]any{}, nil
}

func (s *Server) getBoundary(in *psRef) (any, error) {
	ps, err := s.permissionSet(*in)
	if err != nil {
		return nil, err
	}
	if ps.PermissionsBoundary == nil {
		return nil, awsproto.NotFound("Permission set %s has no permissions boundary.", ps.Arn)
	}
	return map[string]any{"PermissionsBoundary": ps.PermissionsBoundary}, nil
}

func (s *Server) deleteBoundary(in *psRef) (any, error) {
	ps, err := s.permissionSet(*in)
	if err != nil {
		return nil, err
	}
	if ps.PermissionsBoundary == nil {
		return nil, awsproto.NotFound("Permission set %s has no permissions boundary.", ps.Arn)
	}
	ps.PermissionsBoundary = nil
	s.outdate(ps)
	return map[string]any{}, nil
}

// nonSpace counts the characters of s other than whitespace, as IAM counts
// a policy's size against its quota.
func nonSpace(s string) int {
	n := 0
	for _, r := range s {
		switch r {
		case ' ', '\t', '\n', '\r':
		default:
			n++
		}
	}
	return n
}
