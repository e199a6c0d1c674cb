// IAM writes of a user's policies: inline policies and attached managed ones.

package emulator

import (
	"encoding/json"
	"maps"
	"net/url"
	"slices"
	"strings"
	"unicode"

	"github.com/ssoctl/ssoctl/internal/emulator/awsproto"
)

// checkPolicyDocument accepts what IAM's grammar check would: a JSON object
// with a Statement.
func checkPolicyDocument(doc string) error {
	if len(doc) > 131072 {
		return iamValidation("1 validation error detected: Value at 'policyDocument' failed to satisfy constraint: Member must have length less than or equal to 131072")
	}
	if !reIAMDocChars().MatchString(doc) {
		return iamValidation("1 validation error detected: Value at 'policyDocument' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\u0009\\u000A\\u000D\\u0020-\\u00FF]+")
	}
	var p map[string]json.RawMessage
	if err := json.Unmarshal([]byte(doc), &p); err != nil {
		return awsproto.Err(400, "MalformedPolicyDocument", "Syntax errors in policy.")
	}
	if _, ok := p["Statement"]; !ok {
		return awsproto.Err(400, "MalformedPolicyDocument", "Policy document must contain a Statement.")
	}
	return nil
}

// policySize counts a policy as IAM's size quotas do: without white space.
func policySize(doc string) int {
	n := 0
	for _, r := range doc {
		if !unicode.IsSpace(r) {
			n++
		}
	}
	return n
}

func (s *Server) iamPutUserPolicy(form url.Values, c callerIdentity) (any, error) {
	name, err := iamName(form, "PolicyName", 128)
	if err != nil {
		return nil, err
	}
	doc, err := iamRequired(form, "PolicyDocument")
	if err != nil {
		return nil, err
	}
	u, err := s.iamNamedUser(form, c)
	if err != nil {
		return nil, err
	}
	if err := checkPolicyDocument(doc); err != nil {
		return nil, err
	}
	total := policySize(doc)
	for _, p := range u.InlinePolicies {
		if p != name {
			total += policySize(u.inlineDocument(p))
		}
	}
	if total > iamInlinePolicyBytesPerUser {
		return nil, awsproto.Err(409, "LimitExceeded", "Maximum policy size of %d bytes exceeded for user %s", iamInlinePolicyBytesPerUser, u.UserName)
	}
	if !slices.Contains(u.InlinePolicies, name) {
		u.InlinePolicies = append(u.InlinePolicies, name)
	}
	docs := maps.Clone(u.InlineDocuments)
	if docs == nil {
		docs = map[string]string{}
	}
	docs[name] = doc
	u.InlineDocuments = docs
	return nil, nil
}

// inlineDocument is the document of one of u's inline policies; a policy
// loaded without one reads as a statement that allows nothing.
func (u *IAMUser) inlineDocument(name string) string {
	if d, ok := u.InlineDocuments[name]; ok {
		return d
	}
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}`
}

func (s *Server) iamGetUserPolicy(form url.Values, c callerIdentity) (any, error) {
	name, err := iamName(form, "PolicyName", 128)
	if err != nil {
		return nil, err
	}
	u, err := s.iamNamedUser(form, c)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(u.InlinePolicies, name) {
		return nil, iamNoSuchEntity("The user policy with name %s cannot be found.", name)
	}
	// IAM sends policy documents URL-encoded (RFC 3986).
	doc := strings.ReplaceAll(url.QueryEscape(u.inlineDocument(name)), "+", "%20")
	return struct {
		UserName       string `xml:"UserName"`
		PolicyName     string `xml:"PolicyName"`
		PolicyDocument string `xml:"PolicyDocument"`
	}{u.UserName, name, doc}, nil
}

func (s *Server) iamDeleteUserPolicy(form url.Values, c callerIdentity) (any, error) {
	name, err := iamName(form, "PolicyName", 128)
	if err != nil {
		return nil, err
	}
	u, err := s.iamNamedUser(form, c)
	if err != nil {
		return nil, err
	}
	i := slices.Index(u.InlinePolicies, name)
	if i < 0 {
		return nil, iamNoSuchEntity("The user policy with name %s cannot be found.", name)
	}
	u.InlinePolicies = without(u.InlinePolicies, i)
	if _, ok := u.InlineDocuments[name]; ok {
		u.InlineDocuments = maps.Clone(u.InlineDocuments)
		delete(u.InlineDocuments, name)
	}
	return nil, nil
}

// iamPolicyArn reads PolicyArn: AWS managed policies exist; the sandbox
// keeps no customer managed ones.
func iamPolicyArn(form url.Values) (string, error) {
	arn, err := iamRequired(form, "PolicyArn")
	if err != nil {
		return "", err
	}
	if len(arn) < 20 || !reIAMPolicyArn().MatchString(arn) {
		return "", iamValidation("ARN %s is not valid.", arn)
	}
	if !strings.Contains(arn, ":iam::aws:policy/") {
		return "", iamNoSuchEntity("Policy %s does not exist or is not attachable.", arn)
	}
	return arn, nil
}

func (s *Server) iamAttachUserPolicy(form url.Values, c callerIdentity) (any, error) {
	arn, err := iamPolicyArn(form)
	if err != nil {
		return nil, err
	}
	u, err := s.iamNamedUser(form, c)
	if err != nil {
		return nil, err
	}
	if slices.ContainsFunc(u.AttachedPolicies, func(p ManagedPolicy) bool { return p.Arn == arn }) {
		return nil, nil // attaching again changes nothing
	}
	if len(u.AttachedPolicies) >= iamManagedPoliciesPerUser {
		return nil, iamLimit("PoliciesPerUser", iamManagedPoliciesPerUser)
	}
	u.AttachedPolicies = append(u.AttachedPolicies, ManagedPolicy{Name: arn[strings.LastIndex(arn, "/")+1:], Arn: arn})
	return nil, nil
}

func (s *Server) iamDetachUserPolicy(form url.Values, c callerIdentity) (any, error) {
	arn, err := iamRequired(form, "PolicyArn")
	if err != nil {
		return nil, err
	}
	if !reIAMPolicyArn().MatchString(arn) {
		return nil, iamValidation("ARN %s is not valid.", arn)
	}
	u, err := s.iamNamedUser(form, c)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(u.AttachedPolicies, func(p ManagedPolicy) bool { return p.Arn == arn })
	if i < 0 {
		return nil, iamNoSuchEntity("Policy %s was not found.", arn)
	}
	u.AttachedPolicies = without(u.AttachedPolicies, i)
	return nil, nil
}
