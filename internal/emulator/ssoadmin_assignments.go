// sso-admin account assignments: create and delete (asynchronous requests
// and their status), and the two listings, per account and permission set
// or per principal.

package emulator

import (
	"sort"
	"strings"

	"github.com/ssoctl/ssoctl/internal/emulator/awsproto"
)

func (s *Server) assignmentStatusJSON(r *asyncRequest) map[string]any {
	status, reason := s.shown(r)
	out := map[string]any{
		"Status": status, "RequestId": r.RequestId, "CreatedDate": awsproto.Epoch(r.Created),
		"TargetId": r.Assignment.AccountId, "TargetType": "AWS_ACCOUNT",
		"PermissionSetArn": r.Assignment.PermissionSetArn,
		"PrincipalType":    r.Assignment.PrincipalType, "PrincipalId": r.Assignment.PrincipalId,
	}
	if reason != "" {
		out["FailureReason"] = reason
	}
	return out
}

type assignmentInput struct {
	InstanceArn      string
	TargetId         string
	TargetType       string
	PermissionSetArn string
	PrincipalType    string
	PrincipalId      string
}

// writeAssignment starts a CreateAccountAssignment or DeleteAccountAssignment
// request. An unknown permission set is refused at once; an unknown
// principal or account (or, for a delete, a missing assignment) is accepted
// and the request later FAILS with a reason, as AWS reports them.
func (s *Server) writeAssignment(kind string, in *assignmentInput) (any, error) {
	if err := checkInstanceArn(in.InstanceArn); err != nil {
		return nil, err
	}
	if err := checkAccountID("targetId", in.TargetId); err != nil {
		return nil, err
	}
	if err := checkEnum("targetType", in.TargetType, "AWS_ACCOUNT"); err != nil {
		return nil, err
	}
	if err := checkPermSetArn(in.PermissionSetArn); err != nil {
		return nil, err
	}
	if err := checkEnum("principalType", in.PrincipalType, "USER", "GROUP"); err != nil {
		return nil, err
	}
	if err := awsproto.Required("principalId", in.PrincipalId); err != nil {
		return nil, err
	}
	if err := awsproto.CheckPattern("principalId", in.PrincipalId, rePrincipalID()); err != nil {
		return nil, err
	}
	ps, err := s.permissionSet(psRef{in.InstanceArn, in.PermissionSetArn})
	if err != nil {
		return nil, err
	}
	if s.st.requests.inflight[ps.InstanceArn] >= maxOutstandingWrites {
		return nil, awsproto.Err(400, "ThrottlingException", "Too many outstanding requests. There can be at most %d account assignment requests in progress; try again later.", maxOutstandingWrites)
	}
	inst, _ := s.st.instances.Get(ps.InstanceArn)
	a := Assignment{InstanceArn: ps.InstanceArn, AccountId: in.TargetId, PermissionSetArn: ps.Arn, PrincipalType: in.PrincipalType, PrincipalId: in.PrincipalId}
	r := &asyncRequest{Kind: kind, InstanceArn: ps.InstanceArn, Assignment: a}
	switch {
	case kind == kindDelete:
		if !s.st.hasAssignment(&a) {
			r.fail = "The account assignment of " + lower(a.PrincipalType) + " " + a.PrincipalId + " to account " + a.AccountId + " with permission set " + a.PermissionSetArn + " does not exist."
		}
		r.apply = func() { s.st.deleteAssignment(&a) }
	case !s.st.accounts.Has(a.AccountId):
		r.fail = "AWS account " + a.AccountId + " is not a member of the organization."
	case a.PrincipalType == "USER" && !empty(s.st.users, inst.IdentityStoreId).Has(a.PrincipalId),
		a.PrincipalType == "GROUP" && !empty(s.st.groups, inst.IdentityStoreId).Has(a.PrincipalId):
		r.fail = "The " + lower(a.PrincipalType) + " " + a.PrincipalId + " does not exist in identity store " + inst.IdentityStoreId + "."
	default:
		// Creating an assignment provisions the set to the account when it
		// is not there yet, and fails as provisioning fails (a customer
		// managed policy the set references missing in the account).
		r.run = func() string {
			ps := s.st.psByArn[a.PermissionSetArn]
			if ps == nil {
				return ""
			}
			if !empty(s.st.provByPS, a.PermissionSetArn).Has(a.AccountId) {
				if reason := s.missingPolicy(ps, a.AccountId); reason != "" {
					return reason
				}
				s.st.provision(a.PermissionSetArn, a.AccountId, false)
			}
			if !s.st.hasAssignment(&a) {
				s.st.addAssignment(&a)
			}
			return ""
		}
	}
	s.startRequest(r)
	member := "AccountAssignmentCreationStatus"
	if kind == kindDelete {
		member = "AccountAssignmentDeletionStatus"
	}
	return map[string]any{member: s.assignmentStatusJSON(r)}, nil
}

func (s *Server) describeAssignmentStatus(kind, instanceArn, member, id string) (any, error) {
	r, err := s.request(kind, instanceArn, member, id)
	if err != nil {
		return nil, err
	}
	s.poll(r)
	out := "AccountAssignmentCreationStatus"
	if kind == kindDelete {
		out = "AccountAssignmentDeletionStatus"
	}
	return map[string]any{out: s.assignmentStatusJSON(r)}, nil
}

func (s *Server) listAssignmentStatus(kind, member string, in *statusListInput) (any, error) {
	page, next, err := s.statusPage(kind, member, in)
	if err != nil {
		return nil, err
	}
	return withNext(map[string]any{member: page}, next), nil
}

func (s *Server) listAccountAssignments(in *struct {
	AccountId string
	psRef
	ssoPage
}) (any, error) {
	if err := checkAccountID("accountId", in.AccountId); err != nil {
		return nil, err
	}
	if err := in.check(); err != nil {
		return nil, err
	}
	ps, err := s.permissionSet(in.psRef)
	if err != nil {
		return nil, err
	}
	x := empty(s.st.asgByTarget, key(ps.InstanceArn, in.AccountId, ps.Arn))
	page, next, err := ssoPaginate(x, in.ssoPage, "ListAccountAssignments", ps.InstanceArn, in.AccountId, ps.Arn)
	if err != nil {
		return nil, err
	}
	out := make([]map[string]any, 0, len(page))
	for _, a := range page {
		out = append(out, map[string]any{"AccountId": a.AccountId, "PermissionSetArn": a.PermissionSetArn, "PrincipalType": a.PrincipalType, "PrincipalId": a.PrincipalId})
	}
	return withNext(map[string]any{"AccountAssignments": out}, next), nil
}

// prefixed returns the entries of x whose keys start with prefix, found by
// binary search since the keys are sorted.
func prefixed[T any](x *awsproto.Index[T], prefix string) *awsproto.Index[T] {
	out := awsproto.NewIndex[T]()
	keys := x.Keys()
	for i := sort.SearchStrings(keys, prefix); i < len(keys) && strings.HasPrefix(keys[i], prefix); i++ {
		v, _ := x.Get(keys[i])
		out.Put(keys[i], v)
	}
	return out
}

func (s *Server) listAssignmentsForPrincipal(in *struct {
	InstanceArn   string
	PrincipalId   string
	PrincipalType string
	Filter        *struct{ AccountId string }
	ssoPage
}) (any, error) {
	if err := checkInstanceArn(in.InstanceArn); err != nil {
		return nil, err
	}
	if err := awsproto.Required("principalId", in.PrincipalId); err != nil {
		return nil, err
	}
	if err := awsproto.CheckPattern("principalId", in.PrincipalId, rePrincipalID()); err != nil {
		return nil, err
	}
	if err := checkEnum("principalType", in.PrincipalType, "USER", "GROUP"); err != nil {
		return nil, err
	}
	account := ""
	if in.Filter != nil && in.Filter.AccountId != "" {
		account = in.Filter.AccountId
		if err := awsproto.CheckPattern("filter.accountId", account, reAccountID()); err != nil {
			return nil, err
		}
	}
	if err := in.check(); err != nil {
		return nil, err
	}
	if _, err := s.instance(in.InstanceArn); err != nil {
		return nil, err
	}
	x := empty(s.st.asgByPrincipal, key(in.InstanceArn, in.PrincipalType, in.PrincipalId))
	if account != "" {
		x = prefixed(x, account+"|")
	}
	page, next, err := ssoPaginate(x, in.ssoPage, "ListAccountAssignmentsForPrincipal", in.InstanceArn, in.PrincipalType, in.PrincipalId, account)
	if err != nil {
		return nil, err
	}
	out := make([]map[string]any, 0, len(page))
	for _, a := range page {
		out = append(out, map[string]any{"AccountId": a.AccountId, "PermissionSetArn": a.PermissionSetArn, "PrincipalId": a.PrincipalId, "PrincipalType": a.PrincipalType})
	}
	return withNext(map[string]any{"AccountAssignments": out}, next), nil
}
