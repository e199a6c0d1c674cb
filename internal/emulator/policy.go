package emulator

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/ssoctl/ssoctl/internal/emulator/awsproto"
)

// Identity policies of Identity Center roles. Role credentials from the
// portal (GetRoleCredentials) stay linked to the permission set they came
// from, and every signed call made with them (but sts GetCallerIdentity,
// which AWS never refuses) is checked against that permission set's inline
// policy as it is now, on the sandbox clock: an explicit Deny that applies
// refuses the call with the service's AccessDenied error. This is what makes
// a just-in-time grant's "deny everything after the expiry" statement end
// credentials already issued, on time.
//
// What the evaluator supports, and what it does not:
//   - Deny statements only. Allows are not evaluated (a call nothing denies
//     goes through), nor are managed and customer-managed policies or the
//     permissions boundary (the sandbox keeps no documents for them).
//   - Action and NotAction, with * and ? wildcards, without regard to case;
//     the action is the IAM action of the call: sso:<Operation> for
//     sso-admin, s3:ListAllMyBuckets for s3 ListBuckets, ses:<Operation> for
//     sesv2, <service>:<Operation> for the rest.
//   - Resource "*" (or a pattern that is only wildcards): a statement naming
//     specific resources, or with NotResource, does not apply.
//   - Conditions: the Date operators (DateEquals, DateNotEquals,
//     DateLessThan, DateLessThanEquals, DateGreaterThan,
//     DateGreaterThanEquals) and the String and Arn operators of trust
//     policies, each also with IfExists; the keys aws:CurrentTime,
//     aws:EpochTime, aws:PrincipalArn, aws:PrincipalAccount, aws:userid and
//     aws:RequestedRegion. A statement with another operator or key does not
//     apply.
//   - A permission set that no longer exists (deleted, as a grant's clone is
//     at its end) leaves its roles' sessions no permission at all: every
//     call is refused (an implicit deny).

// identityStatement is a statement of an identity policy.
type identityStatement struct {
	Effect      string
	Action      oneOrMany[string]
	NotAction   oneOrMany[string]
	Resource    oneOrMany[string]
	NotResource oneOrMany[string]
	Condition   map[string]map[string]oneOrMany[conditionValue]
}

// conditionValue is a condition's value: policies write times and numbers
// as strings or as JSON numbers.
type conditionValue string

func (v *conditionValue) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*v = conditionValue(s)
		return nil
	}
	var raw json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*v = conditionValue(strings.TrimSpace(string(raw)))
	return nil
}

// explicitDeny says whether an identity policy has a Deny statement that
// applies to action on every resource ("*") with the request's condition
// keys (lower-case), and returns it. A document that does not parse denies
// nothing.
func explicitDeny(doc, action string, keys map[string]string) bool {
	var d struct {
		Statement oneOrMany[identityStatement]
	}
	if err := json.Unmarshal([]byte(doc), &d); err != nil {
		return false
	}
	for _, st := range d.Statement {
		if st.Effect != "Deny" {
			continue
		}
		switch {
		case len(st.Action) > 0 && !anyGlob(st.Action, action, true):
			continue
		case len(st.NotAction) > 0 && anyGlob(st.NotAction, action, true):
			continue
		case len(st.Action) == 0 && len(st.NotAction) == 0:
			continue
		case len(st.NotResource) > 0 || !everyResource(st.Resource):
			continue
		}
		cond := make(map[string]map[string]oneOrMany[string], len(st.Condition))
		for op, byKey := range st.Condition {
			cond[op] = make(map[string]oneOrMany[string], len(byKey))
			for k, vs := range byKey {
				for _, v := range vs {
					cond[op][k] = append(cond[op][k], string(v))
				}
			}
		}
		if conditionsHold(cond, keys) {
			return true
		}
	}
	return false
}

// everyResource says whether a Resource element covers every resource.
func everyResource(patterns []string) bool {
	for _, p := range patterns {
		if strings.Trim(p, "*") == "" {
			return true
		}
	}
	return false
}

// dateCondition evaluates a Date operator (without IfExists) on the
// request's time v against the policy's values; ok is false for an
// operator that is not one.
func dateCondition(op, v string, values []string) (holds, ok bool) {
	cmp := map[string]func(req, pol time.Time) bool{
		"DateEquals":            func(r, p time.Time) bool { return r.Equal(p) },
		"DateNotEquals":         func(r, p time.Time) bool { return r.Equal(p) }, // negated below
		"DateLessThan":          func(r, p time.Time) bool { return r.Before(p) },
		"DateLessThanEquals":    func(r, p time.Time) bool { return !r.After(p) },
		"DateGreaterThan":       func(r, p time.Time) bool { return r.After(p) },
		"DateGreaterThanEquals": func(r, p time.Time) bool { return !r.Before(p) },
	}[op]
	if cmp == nil {
		return false, false
	}
	req, err := policyTime(v)
	if err != nil {
		return false, true
	}
	any := false
	for _, pv := range values {
		if p, err := policyTime(pv); err == nil && cmp(req, p) {
			any = true
		}
	}
	if op == "DateNotEquals" {
		return !any, true
	}
	return any, true
}

// policyTime reads a time as IAM policies write it: ISO 8601 (a date, or a
// date and time with a zone) or epoch seconds.
func policyTime(v string) (time.Time, error) {
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		return time.Unix(n, 0).UTC(), nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04Z07:00", "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, &time.ParseError{Value: v, Message: ": not an ISO 8601 time or epoch seconds"}
}

// iamAction is the IAM action a call is authorized as.
func iamAction(svc, op string) string {
	switch svc {
	case "sso-admin":
		return "sso:" + op
	case "sesv2":
		return "ses:" + op
	case "s3":
		if op == "ListBuckets" {
			return "s3:ListAllMyBuckets"
		}
	}
	return svc + ":" + op
}

// identityPolicy refuses a call made with portal role credentials that their
// permission set's inline policy denies on the sandbox clock (see above).
// Other callers, and sts GetCallerIdentity, are not checked.
func (s *Server) identityPolicy(svc, op, region string, c callerIdentity) *awsproto.Error {
	if c.permissionSetArn == "" || svc == "sts" && op == "GetCallerIdentity" {
		return nil
	}
	action := iamAction(svc, op)
	s.mu.RLock()
	ps, ok := s.st.psByArn[c.permissionSetArn]
	doc := ""
	if ok {
		doc = ps.InlinePolicy
	}
	s.mu.RUnlock()
	why := "with an explicit deny in an identity-based policy"
	if ok {
		now := s.now()
		keys := map[string]string{
			"aws:currenttime": now.Format(time.RFC3339), "aws:epochtime": strconv.FormatInt(now.Unix(), 10),
			"aws:principalarn": c.Principal, "aws:principalaccount": c.Account, "aws:userid": c.UserId,
			"aws:requestedregion": region,
		}
		if doc == "" || !explicitDeny(doc, action, keys) {
			return nil
		}
	} else {
		why = "because no identity-based policy allows the " + action + " action"
	}
	msg := "User: " + c.Arn + " is not authorized to perform: " + action + " " + why
	switch svc {
	case "sts", "iam", "s3":
		return awsproto.Err(403, "AccessDenied", "%s", msg)
	case "sesv2", "scheduler":
		return awsproto.Err(403, "AccessDeniedException", "%s", msg)
	}
	return awsproto.Err(400, "AccessDeniedException", "%s", msg)
}
