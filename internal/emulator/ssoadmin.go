// sso-admin: the operation table, paging and the checks every input shares,
// instances, and async requests; each resource has its file: permission sets
// (ssoadmin_permissionsets.go), their policies (ssoadmin_policies.go),
// provisioning (ssoadmin_provisioning.go), account assignments
// (ssoadmin_assignments.go).

package emulator

import (
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/ssoctl/ssoctl/internal/emulator/awsproto"
)

// sso-admin (SWBExternalService) serves pages of at most 100.
const ssoPageMax = 100

// Limits AWS documents for IAM Identity Center.
const (
	maxPermissionSets = 3500 // per instance (adjustable; the quotas page's default)
	maxPolicies       = 20   // AWS and customer managed policies per permission set, together
	// maxInlinePolicySize is the model's length limit of an inline policy
	// (PermissionSetPolicyDocument, characters); the quotas page says
	// 32,768 bytes, of which at most maxInlinePolicyNonSpace characters
	// other than whitespace.
	maxInlinePolicySize     = 32768
	maxInlinePolicyNonSpace = 10240
	maxTags                 = 50 // per resource
	// maxTagsPerRequest is the model's limit on Tags and TagKeys in one
	// TagResource or UntagResource; the 50 a resource may hold is AWS's
	// documented quota, checked after merging.
	maxTagsPerRequest = 75
)

var (
	reCustomerPolicyName = awsproto.LazyRegexp(`^[\w+=,.@-]{1,128}$`)
	reCustomerPolicyPath = awsproto.LazyRegexp(`^((/[A-Za-z0-9\.,\+@=_-]+)*)/$`)
	// These three repeat a large class hundreds of times; compiling them
	// costs ~15 ms, which every ssoctl process would pay at start-up
	// (credential-process must start in under 10 ms), so they compile on
	// first use.
	reDescription = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^[\x{0009}\x{000A}\x{000D}\x{0020}-\x{007E}\x{00A1}-\x{00FF}]{1,700}$`)
	})
	reTagKey        = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$`) })
	reTagValue      = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$`) })
	reDurationParts = awsproto.LazyRegexp(`(\d+)([HMS])`)
	// reRelayState is the model's RelayState pattern, anchored.
	reRelayState = awsproto.LazyRegexp(`^[a-zA-Z0-9&$@#\\/%?=~\-_'"|!:,.;*+\[\] (){}]+$`)
	// rePolicyDocument is the model's PermissionSetPolicyDocument pattern,
	// anchored.
	rePolicyDocument = awsproto.LazyRegexp(`^[\x{0009}\x{000A}\x{000D}\x{0020}-\x{00FF}]+$`)
)

// ssoPage is the paging part of every sso-admin List input. MaxResults is a
// pointer so that an explicit 0 is told from an absent value.
type ssoPage struct {
	MaxResults *int
	NextToken  string
}

// check validates MaxResults (1–100) and the token's model pattern.
func (p ssoPage) check() error {
	if p.MaxResults != nil && (*p.MaxResults < 1 || *p.MaxResults > ssoPageMax) {
		return awsproto.Validation("1 validation error detected: Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and %d", *p.MaxResults, ssoPageMax)
	}
	if len(p.NextToken) > 2048 {
		return awsproto.Validation("1 validation error detected: Value at 'nextToken' failed to satisfy constraint: Member must have length less than or equal to 2048")
	}
	return awsproto.CheckPattern("nextToken", p.NextToken, reToken())
}

// ssoPaginate serves one page of x; scope names the list and its parameters
// so that a token from another list is refused.
func ssoPaginate[T any](x *awsproto.Index[T], p ssoPage, scope ...string) ([]T, string, error) {
	n := 0
	if p.MaxResults != nil {
		n = *p.MaxResults
	}
	return awsproto.Paginate(x, awsproto.ScopeHash(append([]string{"sso-admin"}, scope...)...), p.NextToken, n, ssoPageMax, ssoPageMax)
}

// filtered copies the entries of x that keep accepts into a new index with
// the same keys, so a filtered list pages exactly like an unfiltered one.
func filtered[T any](x *awsproto.Index[T], keep func(T) bool) *awsproto.Index[T] {
	out := awsproto.NewIndex[T]()
	for _, k := range x.Keys() {
		if v, _ := x.Get(k); keep(v) {
			out.Put(k, v)
		}
	}
	return out
}

// psRef names a permission set, as most sso-admin inputs do.
type psRef struct {
	InstanceArn      string
	PermissionSetArn string
}

func checkEnum(member, v string, allowed ...string) error {
	if err := awsproto.Required(member, v); err != nil {
		return err
	}
	if !slices.Contains(allowed, v) {
		return awsproto.Validation("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must satisfy enum value set: [%s]", v, member, strings.Join(allowed, ", "))
	}
	return nil
}

func checkInstanceArn(v string) error {
	if err := awsproto.Required("instanceArn", v); err != nil {
		return err
	}
	return awsproto.CheckPattern("instanceArn", v, reInstanceArn())
}

func checkPermSetArn(v string) error {
	if err := awsproto.Required("permissionSetArn", v); err != nil {
		return err
	}
	return awsproto.CheckPattern("permissionSetArn", v, rePermSetArn())
}

func checkAccountID(member, v string) error {
	if err := awsproto.Required(member, v); err != nil {
		return err
	}
	return awsproto.CheckPattern(member, v, reAccountID())
}

// instance finds an instance. A well-formed ARN of no instance is
// ResourceNotFoundException here.
func (s *Server) instance(arn string) (*Instance, error) {
	if err := checkInstanceArn(arn); err != nil {
		return nil, err
	}
	in, ok := s.st.instances.Get(arn)
	if !ok {
		return nil, awsproto.NotFound("Could not find Instance with InstanceArn: %s", arn)
	}
	return in, nil
}

// permissionSet validates a psRef and finds the permission set in its
// instance.
func (s *Server) permissionSet(ref psRef) (*PermissionSet, error) {
	if err := checkInstanceArn(ref.InstanceArn); err != nil {
		return nil, err
	}
	if err := checkPermSetArn(ref.PermissionSetArn); err != nil {
		return nil, err
	}
	if _, err := s.instance(ref.InstanceArn); err != nil {
		return nil, err
	}
	ps, ok := s.st.psByArn[ref.PermissionSetArn]
	if !ok || ps.InstanceArn != ref.InstanceArn {
		return nil, awsproto.NotFound("Could not find PermissionSet with PermissionSetArn: %s", ref.PermissionSetArn)
	}
	return ps, nil
}

func (s *Server) ssoAdminOps() map[string]opHandler {
	return map[string]opHandler{
		"ListInstances":    reqOp(false, s.listInstances),
		"DescribeInstance": jsonOp(false, s.describeInstance),

		"CreatePermissionSet":   jsonOp(true, s.createPermissionSet),
		"DescribePermissionSet": jsonOp(false, s.describePermissionSet),
		"UpdatePermissionSet":   jsonOp(true, s.updatePermissionSet),
		"DeletePermissionSet":   jsonOp(true, s.deletePermissionSet),
		"ListPermissionSets":    jsonOp(false, s.listPermissionSets),

		"PutInlinePolicyToPermissionSet":      jsonOp(true, s.putInlinePolicy),
		"GetInlinePolicyForPermissionSet":     jsonOp(false, s.getInlinePolicy),
		"DeleteInlinePolicyFromPermissionSet": jsonOp(true, s.deleteInlinePolicy),

		"AttachManagedPolicyToPermissionSet":   jsonOp(true, s.attachManagedPolicy),
		"DetachManagedPolicyFromPermissionSet": jsonOp(true, s.detachManagedPolicy),
		"ListManagedPoliciesInPermissionSet":   jsonOp(false, s.listManagedPolicies),

		"AttachCustomerManagedPolicyReferenceToPermissionSet":   jsonOp(true, s.attachCustomerPolicy),
		"DetachCustomerManagedPolicyReferenceFromPermissionSet": jsonOp(true, s.detachCustomerPolicy),
		"ListCustomerManagedPolicyReferencesInPermissionSet":    jsonOp(false, s.listCustomerPolicies),

		"PutPermissionsBoundaryToPermissionSet":      jsonOp(true, s.putBoundary),
		"GetPermissionsBoundaryForPermissionSet":     jsonOp(false, s.getBoundary),
		"DeletePermissionsBoundaryFromPermissionSet": jsonOp(true, s.deleteBoundary),

		"TagResource":         jsonOp(true, s.tagResource),
		"UntagResource":       jsonOp(true, s.untagResource),
		"ListTagsForResource": jsonOp(false, s.listTags),

		"ProvisionPermissionSet":                  jsonOp(true, s.provisionPermissionSet),
		"DescribePermissionSetProvisioningStatus": jsonOp(true, s.describeProvisioningStatus),
		"ListPermissionSetProvisioningStatus":     jsonOp(true, s.listProvisioningStatus),

		"CreateAccountAssignment": jsonOp(true, func(in *assignmentInput) (any, error) {
			return s.writeAssignment(kindCreate, in)
		}),
		"DeleteAccountAssignment": jsonOp(true, func(in *assignmentInput) (any, error) {
			return s.writeAssignment(kindDelete, in)
		}),
		"DescribeAccountAssignmentCreationStatus": jsonOp(true, func(in *struct {
			InstanceArn                        string
			AccountAssignmentCreationRequestId string
		}) (any, error) {
			return s.describeAssignmentStatus(kindCreate, in.InstanceArn, "accountAssignmentCreationRequestId", in.AccountAssignmentCreationRequestId)
		}),
		"DescribeAccountAssignmentDeletionStatus": jsonOp(true, func(in *struct {
			InstanceArn                        string
			AccountAssignmentDeletionRequestId string
		}) (any, error) {
			return s.describeAssignmentStatus(kindDelete, in.InstanceArn, "accountAssignmentDeletionRequestId", in.AccountAssignmentDeletionRequestId)
		}),
		"ListAccountAssignmentCreationStatus": jsonOp(true, func(in *statusListInput) (any, error) {
			return s.listAssignmentStatus(kindCreate, "AccountAssignmentsCreationStatus", in)
		}),
		"ListAccountAssignmentDeletionStatus": jsonOp(true, func(in *statusListInput) (any, error) {
			return s.listAssignmentStatus(kindDelete, "AccountAssignmentsDeletionStatus", in)
		}),

		"ListAccountAssignments":                  jsonOp(false, s.listAccountAssignments),
		"ListAccountAssignmentsForPrincipal":      jsonOp(false, s.listAssignmentsForPrincipal),
		"ListAccountsForProvisionedPermissionSet": jsonOp(false, s.listAccountsForProvisioned),
		"ListPermissionSetsProvisionedToAccount":  jsonOp(false, s.listProvisionedToAccount),
	}
}

// listInstances lists the instances enabled in the request's Region
// (RegionScope CURRENT_REGION, the default) or in any (ALL_REGIONS).
func (s *Server) listInstances(req reqInfo, in *struct {
	ssoPage
	RegionScope string
}) (any, error) {
	if err := in.check(); err != nil {
		return nil, err
	}
	x := s.st.instances
	switch in.RegionScope {
	case "", "CURRENT_REGION":
		x = filtered(x, func(i *Instance) bool { return s.enabledIn(i, req.Region) })
	case "ALL_REGIONS":
	default:
		return nil, checkEnum("regionScope", in.RegionScope, "CURRENT_REGION", "ALL_REGIONS")
	}
	page, next, err := ssoPaginate(x, in.ssoPage, "instances", in.RegionScope, req.Region)
	if err != nil {
		return nil, err
	}
	out := make([]map[string]any, 0, len(page))
	for _, i := range page {
		out = append(out, s.instanceJSON(i))
	}
	return withNext(map[string]any{"Instances": out}, next), nil
}

// describeInstance answers an unknown instance with AccessDeniedException:
// its model lists no ResourceNotFoundException, and AWS documents
// AccessDeniedException for an instance that is gone.
func (s *Server) describeInstance(in *struct{ InstanceArn string }) (any, error) {
	if err := checkInstanceArn(in.InstanceArn); err != nil {
		return nil, err
	}
	i, ok := s.st.instances.Get(in.InstanceArn)
	if !ok {
		return nil, awsproto.Err(400, "AccessDeniedException", "User is not authorized to describe instance %s, or it does not exist", in.InstanceArn)
	}
	return s.instanceJSON(i), nil
}

// instanceJSON is an instance as ListInstances and DescribeInstance answer it.
func (s *Server) instanceJSON(i *Instance) map[string]any {
	m := map[string]any{
		"InstanceArn": i.InstanceArn, "IdentityStoreId": i.IdentityStoreId,
		"OwnerAccountId": i.OwnerAccountId, "Status": "ACTIVE", "CreatedDate": awsproto.Epoch(i.Created),
	}
	if i.Name != "" {
		m["Name"] = i.Name
	}
	s.instanceRegionsJSON(i, m)
	return m
}

// request finds an async request of one kind in one instance.
func (s *Server) request(kind, instanceArn, member, id string) (*asyncRequest, error) {
	if err := checkInstanceArn(instanceArn); err != nil {
		return nil, err
	}
	if err := awsproto.Required(member, id); err != nil {
		return nil, err
	}
	if err := awsproto.CheckPattern(member, id, reRequestID()); err != nil {
		return nil, err
	}
	if _, err := s.instance(instanceArn); err != nil {
		return nil, err
	}
	r, ok := s.st.requests.byID[id]
	if !ok || r.Kind != kind || r.InstanceArn != instanceArn {
		return nil, awsproto.NotFound("Could not find request with RequestId: %s", id)
	}
	return r, nil
}

type statusListInput struct {
	InstanceArn string
	Filter      *struct{ Status string }
	ssoPage
}

// statusPage serves one page of an instance's requests of one kind. Each
// entry shows the status it had when listed, and each IN_PROGRESS request on
// the page counts one poll.
func (s *Server) statusPage(kind, op string, in *statusListInput) ([]map[string]any, string, error) {
	if err := checkInstanceArn(in.InstanceArn); err != nil {
		return nil, "", err
	}
	status := ""
	if in.Filter != nil {
		status = in.Filter.Status
		if err := checkEnum("filter.status", status, "IN_PROGRESS", "FAILED", "SUCCEEDED"); err != nil {
			return nil, "", err
		}
	}
	if err := in.check(); err != nil {
		return nil, "", err
	}
	if _, err := s.instance(in.InstanceArn); err != nil {
		return nil, "", err
	}
	x := empty(s.st.requests.byKind, key(in.InstanceArn, kind))
	if status != "" {
		x = filtered(x, func(r *asyncRequest) bool { st, _ := s.shown(r); return st == status })
	}
	page, next, err := ssoPaginate(x, in.ssoPage, op, in.InstanceArn, status)
	if err != nil {
		return nil, "", err
	}
	out := make([]map[string]any, 0, len(page))
	for _, r := range page {
		st, _ := s.shown(r)
		out = append(out, map[string]any{"Status": st, "RequestId": r.RequestId, "CreatedDate": awsproto.Epoch(r.Created)})
		s.poll(r)
	}
	return out, next, nil
}
