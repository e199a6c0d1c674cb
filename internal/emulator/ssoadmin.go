package emulator

import (
	"encoding/json"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/ssoctl/ssoctl/internal/emulator/awsproto"
)

// sso-admin (SWBExternalService) serves pages of at most 100.
const ssoPageMax = 100

// Limits AWS documents for IAM Identity Center.
const (
	maxPermissionSets   = 2000  // per instance
	maxPolicies         = 20    // AWS and customer managed policies per permission set, together
	maxInlinePolicySize = 10240 // characters
	maxTags             = 50    // per resource
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

// outdate marks every provision of ps as behind the permission set, as any
// change to the set's content does.
func (s *Server) outdate(ps *PermissionSet) {
	for _, p := range empty(s.st.provByPS, ps.Arn).Values() {
		p.Outdated = true
	}
}

func psJSON(ps *PermissionSet) map[string]any {
	out := map[string]any{
		"Name": ps.Name, "PermissionSetArn": ps.Arn, "CreatedDate": awsproto.Epoch(ps.Created),
		"SessionDuration": ps.SessionDuration,
	}
	if ps.Description != "" {
		out["Description"] = ps.Description
	}
	if ps.RelayState != "" {
		out["RelayState"] = ps.RelayState
	}
	return out
}

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

func (s *Server) provisioningStatusJSON(r *asyncRequest) map[string]any {
	status, reason := s.shown(r)
	out := map[string]any{
		"Status": status, "RequestId": r.RequestId, "CreatedDate": awsproto.Epoch(r.Created),
		"PermissionSetArn": r.PermissionSetArn,
	}
	if r.TargetType == "AWS_ACCOUNT" {
		out["AccountId"] = r.TargetId
	}
	if reason != "" {
		out["FailureReason"] = reason
	}
	return out
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

// --- permission sets ---

// sessionDuration checks an ISO-8601 duration against AWS's 1–12 hour range.
func sessionDuration(v string) error {
	if !reDuration().MatchString(v) {
		return awsproto.CheckPattern("sessionDuration", v, reDuration())
	}
	secs := 0
	for _, m := range reDurationParts().FindAllStringSubmatch(v, -1) {
		n, _ := strconv.Atoi(m[1])
		switch m[2] {
		case "H":
			secs += n * 3600
		case "M":
			secs += n * 60
		case "S":
			secs += n
		}
	}
	if secs < 3600 || secs > 12*3600 {
		return awsproto.Validation("Invalid SessionDuration %s: it must be between PT1H and PT12H.", v)
	}
	return nil
}

func checkDescription(v *string) error {
	if v != nil && !reDescription().MatchString(*v) {
		return awsproto.CheckPattern("description", *v, reDescription())
	}
	return nil
}

func checkRelayState(v *string) error {
	if v != nil && (*v == "" || utf8.RuneCountInString(*v) > 240) {
		return awsproto.Validation("1 validation error detected: Value at 'relayState' failed to satisfy constraint: Member must have length between 1 and 240")
	}
	if v != nil {
		return awsproto.CheckPattern("relayState", *v, reRelayState())
	}
	return nil
}

func checkTags(tags []Tag) error {
	if len(tags) > maxTagsPerRequest {
		return awsproto.Validation("1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to %d", maxTagsPerRequest)
	}
	for _, t := range tags {
		if err := awsproto.CheckPattern("tags.member.key", t.Key, reTagKey()); err != nil {
			return err
		}
		if err := awsproto.CheckPattern("tags.member.value", t.Value, reTagValue()); err != nil {
			return err
		}
	}
	return nil
}

// mergeTags sets tags on top of old, keeping old's order, in a new slice.
func mergeTags(old, set []Tag) []Tag {
	out := slices.Clone(old)
	for _, t := range set {
		if i := slices.IndexFunc(out, func(o Tag) bool { return o.Key == t.Key }); i >= 0 {
			out[i] = t
		} else {
			out = append(out, t)
		}
	}
	return out
}

type permissionSetInput struct {
	InstanceArn      string
	PermissionSetArn string
	Name             string
	Description      *string
	SessionDuration  *string
	RelayState       *string
	Tags             []Tag
}

func (s *Server) createPermissionSet(in *permissionSetInput) (any, error) {
	if err := checkInstanceArn(in.InstanceArn); err != nil {
		return nil, err
	}
	if err := awsproto.Required("name", in.Name); err != nil {
		return nil, err
	}
	if err := awsproto.CheckPattern("name", in.Name, rePermSetName()); err != nil {
		return nil, err
	}
	if err := checkDescription(in.Description); err != nil {
		return nil, err
	}
	if err := checkRelayState(in.RelayState); err != nil {
		return nil, err
	}
	duration := "PT1H"
	if in.SessionDuration != nil {
		if err := sessionDuration(*in.SessionDuration); err != nil {
			return nil, err
		}
		duration = *in.SessionDuration
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	inst, err := s.instance(in.InstanceArn)
	if err != nil {
		return nil, err
	}
	if _, dup := s.st.psByName[key(inst.InstanceArn, lower(in.Name))]; dup {
		return nil, awsproto.Conflict("PermissionSet with name %s already exists.", in.Name)
	}
	if empty(s.st.psets, inst.InstanceArn).Len() >= maxPermissionSets {
		return nil, awsproto.Err(400, "ServiceQuotaExceededException", "The number of permission sets in this instance has reached the limit of %d.", maxPermissionSets)
	}
	tags := mergeTags(nil, in.Tags)
	if len(tags) > maxTags {
		return nil, awsproto.Err(400, "ServiceQuotaExceededException", "A resource can have at most %d tags.", maxTags)
	}
	partition, insID, _ := strings.Cut(inst.InstanceArn, ":sso:::instance/")
	var arn string
	for arn == "" || s.st.psByArn[arn] != nil {
		arn = partition + ":sso:::permissionSet/" + insID + "/ps-" + s.hex(16)
	}
	ps := &PermissionSet{
		InstanceArn: inst.InstanceArn, Arn: arn, Name: in.Name, SessionDuration: duration,
		Created: s.now(), Tags: tags,
	}
	if in.Description != nil {
		ps.Description = *in.Description
	}
	if in.RelayState != nil {
		ps.RelayState = *in.RelayState
	}
	s.st.addPermissionSet(ps)
	return map[string]any{"PermissionSet": psJSON(ps)}, nil
}

func (s *Server) describePermissionSet(in *psRef) (any, error) {
	ps, err := s.permissionSet(*in)
	if err != nil {
		return nil, err
	}
	return map[string]any{"PermissionSet": psJSON(ps)}, nil
}

func (s *Server) updatePermissionSet(in *permissionSetInput) (any, error) {
	if err := checkDescription(in.Description); err != nil {
		return nil, err
	}
	if err := checkRelayState(in.RelayState); err != nil {
		return nil, err
	}
	if in.SessionDuration != nil {
		if err := sessionDuration(*in.SessionDuration); err != nil {
			return nil, err
		}
	}
	ps, err := s.permissionSet(psRef{in.InstanceArn, in.PermissionSetArn})
	if err != nil {
		return nil, err
	}
	if in.Description != nil {
		ps.Description = *in.Description
	}
	if in.RelayState != nil {
		ps.RelayState = *in.RelayState
	}
	if in.SessionDuration != nil {
		ps.SessionDuration = *in.SessionDuration
	}
	s.outdate(ps)
	return map[string]any{}, nil
}

// deletePermissionSet refuses while an assignment (or an assignment
// creation in flight) still uses the set, as AWS does; its provisions go
// with it.
func (s *Server) deletePermissionSet(in *psRef) (any, error) {
	ps, err := s.permissionSet(*in)
	if err != nil {
		return nil, err
	}
	suffix := "|" + ps.Arn
	for k, x := range s.st.asgByTarget {
		if x.Len() > 0 && strings.HasPrefix(k, ps.InstanceArn+"|") && strings.HasSuffix(k, suffix) {
			return nil, awsproto.Conflict("Could not delete because PermissionSet %s has account assignments. Delete them first.", ps.Arn)
		}
	}
	for _, r := range empty(s.st.requests.byKind, key(ps.InstanceArn, kindCreate)).Values() {
		if r.Status == "IN_PROGRESS" && r.Assignment.PermissionSetArn == ps.Arn {
			return nil, awsproto.Conflict("Could not delete because PermissionSet %s has an account assignment creation in progress.", ps.Arn)
		}
	}
	s.st.deletePermissionSet(ps)
	return map[string]any{}, nil
}

func (s *Server) listPermissionSets(in *struct {
	InstanceArn string
	ssoPage
}) (any, error) {
	if err := checkInstanceArn(in.InstanceArn); err != nil {
		return nil, err
	}
	if err := in.check(); err != nil {
		return nil, err
	}
	if _, err := s.instance(in.InstanceArn); err != nil {
		return nil, err
	}
	page, next, err := ssoPaginate(empty(s.st.psets, in.InstanceArn), in.ssoPage, "ListPermissionSets", in.InstanceArn)
	if err != nil {
		return nil, err
	}
	arns := make([]string, 0, len(page))
	for _, ps := range page {
		arns = append(arns, ps.Arn)
	}
	return withNext(map[string]any{"PermissionSets": arns}, next), nil
}

// --- policies ---

func (s *Server) putInlinePolicy(in *struct {
	psRef
	InlinePolicy string
}) (any, error) {
	if err := awsproto.Required("inlinePolicy", in.InlinePolicy); err != nil {
		return nil, err
	}
	if n := utf8.RuneCountInString(in.InlinePolicy); n > maxInlinePolicySize {
		return nil, awsproto.Validation("The inline policy is %d characters long; the maximum is %d.", n, maxInlinePolicySize)
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

// --- tags ---

// taggable finds the permission set a tagging call names. The sandbox tags
// only permission sets; InstanceArn is optional in newer SDKs.
func (s *Server) taggable(instanceArn, resourceArn string) (*PermissionSet, error) {
	if instanceArn != "" {
		if err := checkInstanceArn(instanceArn); err != nil {
			return nil, err
		}
	}
	if err := awsproto.Required("resourceArn", resourceArn); err != nil {
		return nil, err
	}
	if err := awsproto.CheckPattern("resourceArn", resourceArn, rePermSetArn()); err != nil {
		return nil, err
	}
	if instanceArn == "" {
		ps, ok := s.st.psByArn[resourceArn]
		if !ok {
			return nil, awsproto.NotFound("Could not find PermissionSet with PermissionSetArn: %s", resourceArn)
		}
		return ps, nil
	}
	return s.permissionSet(psRef{instanceArn, resourceArn})
}

func (s *Server) tagResource(in *struct {
	InstanceArn string
	ResourceArn string
	Tags        []Tag
}) (any, error) {
	if len(in.Tags) == 0 {
		return nil, awsproto.Required("tags", "")
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	ps, err := s.taggable(in.InstanceArn, in.ResourceArn)
	if err != nil {
		return nil, err
	}
	tags := mergeTags(ps.Tags, in.Tags)
	if len(tags) > maxTags {
		return nil, awsproto.Err(400, "ServiceQuotaExceededException", "A resource can have at most %d tags.", maxTags)
	}
	ps.Tags = tags
	return map[string]any{}, nil
}

func (s *Server) untagResource(in *struct {
	InstanceArn string
	ResourceArn string
	TagKeys     []string
}) (any, error) {
	if len(in.TagKeys) == 0 {
		return nil, awsproto.Required("tagKeys", "")
	}
	if len(in.TagKeys) > maxTagsPerRequest {
		return nil, awsproto.Validation("1 validation error detected: Value at 'tagKeys' failed to satisfy constraint: Member must have length less than or equal to %d", maxTagsPerRequest)
	}
	for _, k := range in.TagKeys {
		if err := awsproto.CheckPattern("tagKeys.member", k, reTagKey()); err != nil {
			return nil, err
		}
	}
	ps, err := s.taggable(in.InstanceArn, in.ResourceArn)
	if err != nil {
		return nil, err
	}
	ps.Tags = slices.DeleteFunc(slices.Clone(ps.Tags), func(t Tag) bool { return slices.Contains(in.TagKeys, t.Key) })
	return map[string]any{}, nil
}

func (s *Server) listTags(in *struct {
	InstanceArn string
	ResourceArn string
	NextToken   string
}) (any, error) {
	p := ssoPage{NextToken: in.NextToken}
	if err := p.check(); err != nil {
		return nil, err
	}
	ps, err := s.taggable(in.InstanceArn, in.ResourceArn)
	if err != nil {
		return nil, err
	}
	x := awsproto.NewIndex[Tag]()
	for _, t := range ps.Tags {
		x.Put(t.Key, t)
	}
	page, next, err := ssoPaginate(x, p, "ListTagsForResource", ps.Arn)
	if err != nil {
		return nil, err
	}
	return withNext(map[string]any{"Tags": page}, next), nil
}

// --- provisioning ---

func (s *Server) provisionPermissionSet(in *struct {
	psRef
	TargetType string
	TargetId   string
}) (any, error) {
	if err := checkEnum("targetType", in.TargetType, "AWS_ACCOUNT", "ALL_PROVISIONED_ACCOUNTS"); err != nil {
		return nil, err
	}
	if in.TargetType == "AWS_ACCOUNT" || in.TargetId != "" {
		if err := checkAccountID("targetId", in.TargetId); err != nil {
			return nil, err
		}
	}
	ps, err := s.permissionSet(in.psRef)
	if err != nil {
		return nil, err
	}
	r := &asyncRequest{Kind: kindProvision, InstanceArn: ps.InstanceArn, PermissionSetArn: ps.Arn, TargetType: in.TargetType}
	psArn := ps.Arn
	if in.TargetType == "AWS_ACCOUNT" {
		r.TargetId = in.TargetId
		if !s.st.accounts.Has(in.TargetId) {
			r.fail = "AWS account " + in.TargetId + " is not a member of the organization."
		}
		acct := in.TargetId
		r.apply = func() {
			if s.st.psByArn[psArn] != nil {
				s.st.provision(psArn, acct, false)
			}
		}
	} else {
		r.apply = func() {
			for _, p := range empty(s.st.provByPS, psArn).Values() {
				p.Outdated = false
			}
		}
	}
	s.startRequest(r)
	return map[string]any{"PermissionSetProvisioningStatus": s.provisioningStatusJSON(r)}, nil
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

func (s *Server) describeProvisioningStatus(in *struct {
	InstanceArn                     string
	ProvisionPermissionSetRequestId string
}) (any, error) {
	r, err := s.request(kindProvision, in.InstanceArn, "provisionPermissionSetRequestId", in.ProvisionPermissionSetRequestId)
	if err != nil {
		return nil, err
	}
	s.poll(r)
	return map[string]any{"PermissionSetProvisioningStatus": s.provisioningStatusJSON(r)}, nil
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

func (s *Server) listProvisioningStatus(in *statusListInput) (any, error) {
	page, next, err := s.statusPage(kindProvision, "ListPermissionSetProvisioningStatus", in)
	if err != nil {
		return nil, err
	}
	return withNext(map[string]any{"PermissionSetsProvisioningStatus": page}, next), nil
}

// --- account assignments ---

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
		r.apply = func() {
			if s.st.psByArn[a.PermissionSetArn] == nil {
				return
			}
			if !s.st.hasAssignment(&a) {
				s.st.addAssignment(&a)
			}
			if !empty(s.st.provByPS, a.PermissionSetArn).Has(a.AccountId) {
				s.st.provision(a.PermissionSetArn, a.AccountId, false)
			}
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

// provisionFilter turns a ProvisioningStatus filter into a predicate (nil:
// no filter).
func provisionFilter(status string) (func(*Provision) bool, error) {
	switch status {
	case "":
		return nil, nil
	case "LATEST_PERMISSION_SET_PROVISIONED":
		return func(p *Provision) bool { return !p.Outdated }, nil
	case "LATEST_PERMISSION_SET_NOT_PROVISIONED":
		return func(p *Provision) bool { return p.Outdated }, nil
	}
	return nil, checkEnum("provisioningStatus", status, "LATEST_PERMISSION_SET_PROVISIONED", "LATEST_PERMISSION_SET_NOT_PROVISIONED")
}

func (s *Server) listAccountsForProvisioned(in *struct {
	psRef
	ProvisioningStatus string
	ssoPage
}) (any, error) {
	keep, err := provisionFilter(in.ProvisioningStatus)
	if err != nil {
		return nil, err
	}
	if err := in.check(); err != nil {
		return nil, err
	}
	ps, err := s.permissionSet(in.psRef)
	if err != nil {
		return nil, err
	}
	x := empty(s.st.provByPS, ps.Arn)
	if keep != nil {
		x = filtered(x, keep)
	}
	page, next, err := ssoPaginate(x, in.ssoPage, "ListAccountsForProvisionedPermissionSet", ps.Arn, in.ProvisioningStatus)
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(page))
	for _, p := range page {
		ids = append(ids, p.AccountId)
	}
	return withNext(map[string]any{"AccountIds": ids}, next), nil
}

func (s *Server) listProvisionedToAccount(in *struct {
	InstanceArn        string
	AccountId          string
	ProvisioningStatus string
	ssoPage
}) (any, error) {
	if err := checkInstanceArn(in.InstanceArn); err != nil {
		return nil, err
	}
	if err := checkAccountID("accountId", in.AccountId); err != nil {
		return nil, err
	}
	keep, err := provisionFilter(in.ProvisioningStatus)
	if err != nil {
		return nil, err
	}
	if err := in.check(); err != nil {
		return nil, err
	}
	if _, err := s.instance(in.InstanceArn); err != nil {
		return nil, err
	}
	x := empty(s.st.provByAccount, key(in.InstanceArn, in.AccountId))
	if keep != nil {
		x = filtered(x, keep)
	}
	page, next, err := ssoPaginate(x, in.ssoPage, "ListPermissionSetsProvisionedToAccount", in.InstanceArn, in.AccountId, in.ProvisioningStatus)
	if err != nil {
		return nil, err
	}
	arns := make([]string, 0, len(page))
	for _, p := range page {
		arns = append(arns, p.PermissionSetArn)
	}
	return withNext(map[string]any{"PermissionSets": arns}, next), nil
}
