// sso-admin permission sets: create, describe, update, delete and list them,
// and their tags. Policies are in ssoadmin_policies.go, provisioning in
// ssoadmin_provisioning.go.

package emulator

import (
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/ssoctl/ssoctl/internal/emulator/awsproto"
)

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
