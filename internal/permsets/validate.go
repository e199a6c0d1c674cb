package permsets

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// Problem is one way a desired permission set breaks AWS's limits.
// Attribute names the attribute (see the Attr constants; "Name" for the
// name) and Index the entry of a list (-1 for the attribute as a whole).
type Problem struct {
	Attribute string
	Index     int
	Msg       string
}

// The limits, with where each comes from. "model" is botocore's sso-admin
// model (service-2.json, 2020-07-20), the shapes named; "quotas" is the IAM
// Identity Center user guide's quotas page (limits.html); "CloudFormation"
// is the AWS::SSO::PermissionSet schema cfn-lint ships.
const (
	// MaxNameLength: model PermissionSetName, length 1–32.
	MaxNameLength = 32
	// MaxDescriptionLength: model PermissionSetDescription, length 1–700.
	MaxDescriptionLength = 700
	// MaxRelayStateLength: model RelayState, length 1–240.
	MaxRelayStateLength = 240
	// MaxInlinePolicyLength: model PermissionSetPolicyDocument, length
	// 1–32,768 (quotas: "32,768 bytes").
	MaxInlinePolicyLength = 32768
	// MaxInlinePolicyNonSpace: quotas, "Maximum size of non-whitespace
	// characters in the inline policy per permission set is 10,240 bytes".
	MaxInlinePolicyNonSpace = 10240
	// MaxTags: 50 a resource (CloudFormation's Tags maxItems; the model
	// lets one TagResource carry 75).
	MaxTags = 50
	// MaxPolicyNameLength and MaxPolicyPathLength: model ManagedPolicyName
	// (1–128) and ManagedPolicyPath (1–512).
	MaxPolicyNameLength = 128
	MaxPolicyPathLength = 512
	// MinSessionDuration and MaxSessionDuration bound the session duration
	// (the console and the CreatePermissionSet reference: 1 to 12 hours),
	// in seconds.
	MinSessionDuration = 3600
	MaxSessionDuration = 12 * 3600
	// IAMDefaultManagedPolicies is IAM's default quota of managed policies
	// a role may have (quotas, footnote: raise it in every account where
	// the set is provisioned to use more, up to 20).
	IAMDefaultManagedPolicies = 10
)

// The model's patterns, anchored. Go's \w is the model's (Java's)
// [a-zA-Z0-9_].
var (
	reName        = lazy(`^[\w+=,.@-]+$`)
	reDescription = lazy(`^[\x{0009}\x{000A}\x{000D}\x{0020}-\x{007E}\x{00A1}-\x{00FF}]*$`)
	reRelayState  = lazy(`^[a-zA-Z0-9&$@#\\/%?=~\-_'"|!:,.;*+\[\] (){}]+$`)
	rePolicyDoc   = lazy(`^[\x{0009}\x{000A}\x{000D}\x{0020}-\x{00FF}]+$`)
	// reDuration is the model's Duration pattern (ISO-8601, with the
	// lookahead written out: something must follow P and T).
	reDuration   = lazy(`^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)([DW]))?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$`)
	reManagedArn = lazy(`^arn:aws(-[a-z]{1,5}){0,3}:iam::aws:policy((/[A-Za-z0-9\.,\+@=_-]+)*)/([A-Za-z0-9\.,\+=@_-]+)$`)
	rePolicyName = lazy(`^[\w+=,.@-]+$`)
	rePolicyPath = lazy(`^((/[A-Za-z0-9\.,\+@=_-]+)*)/$`)
	reTag        = lazy(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)
)

func lazy(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}

// Validate checks d against AWS's limits (model lengths and patterns, the
// quotas page) before any call. warn are notes that do not stop a plan
// (more than IAM's default 10 managed policies a role may have).
func Validate(d Desired) (problems []Problem, warn []string) {
	add := func(attr string, i int, format string, args ...any) {
		problems = append(problems, Problem{Attribute: attr, Index: i, Msg: fmt.Sprintf(format, args...)})
	}
	switch n := utf8.RuneCountInString(d.Name); {
	case n == 0:
		add("Name", -1, "a permission set needs a name")
	case n > MaxNameLength:
		add("Name", -1, "the name %q has %d characters; AWS allows at most %d", d.Name, n, MaxNameLength)
	case !reName().MatchString(d.Name):
		add("Name", -1, "the name %q may hold only letters, digits and + = , . @ _ -", d.Name)
	}
	if d.Description != "" {
		if n := utf8.RuneCountInString(d.Description); n > MaxDescriptionLength {
			add(AttrDescription, -1, "the description has %d characters; AWS allows at most %d", n, MaxDescriptionLength)
		} else if !reDescription().MatchString(d.Description) {
			add(AttrDescription, -1, "the description may hold only Latin-1 characters (tab, new line and printable ones up to U+00FF)")
		}
	}
	if d.SessionDuration != "" {
		if msg := checkDuration(d.SessionDuration); msg != "" {
			add(AttrSessionDuration, -1, "%s", msg)
		}
	}
	if d.RelayState != "" {
		if n := utf8.RuneCountInString(d.RelayState); n > MaxRelayStateLength {
			add(AttrRelayState, -1, "the relay state has %d characters; AWS allows at most %d", n, MaxRelayStateLength)
		} else if !reRelayState().MatchString(d.RelayState) {
			add(AttrRelayState, -1, "the relay state %q has characters AWS does not take (a URL's letters, digits and &$@#\\/%%?=~-_'\"|!:,.;*+[] (){})", d.RelayState)
		}
	}
	seen := map[string]bool{}
	for i, arn := range d.ManagedPolicies {
		switch {
		case seen[arn]:
			add(AttrManagedPolicies, i, "%s is listed twice", arn)
		case len(arn) < 20 || len(arn) > 2048 || !reManagedArn().MatchString(arn):
			add(AttrManagedPolicies, i, "%q is not an AWS managed policy ARN (arn:aws:iam::aws:policy/NAME); customer managed policies go under CustomerManagedPolicies", arn)
		}
		seen[arn] = true
	}
	for i, r := range d.CustomerManagedPolicies {
		if msg := checkRef(r.Name, r.Path); msg != "" {
			add(AttrCustomerManagedPolicies, i, "%s", msg)
		}
		k := r.String()
		if r.Path == "" {
			k = "/" + r.Name
		}
		if seen["cmp:"+k] {
			add(AttrCustomerManagedPolicies, i, "%s is listed twice", k)
		}
		seen["cmp:"+k] = true
	}
	if n := len(d.ManagedPolicies) + len(d.CustomerManagedPolicies); n > MaxPolicies {
		add(AttrManagedPolicies, -1, "%d managed and customer managed policies; a permission set may have at most %d together (IAM Identity Center quotas)", n, MaxPolicies)
	} else if n > IAMDefaultManagedPolicies {
		warn = append(warn, fmt.Sprintf("permission set %s has %d managed and customer managed policies: IAM lets a role have %d unless its quota is raised in every account the set is provisioned to", d.Name, n, IAMDefaultManagedPolicies))
	}
	if d.InlinePolicy != "" {
		switch n := utf8.RuneCountInString(d.InlinePolicy); {
		case n > MaxInlinePolicyLength:
			add(AttrInlinePolicy, -1, "the inline policy has %d characters; AWS allows at most %d", n, MaxInlinePolicyLength)
		case !rePolicyDoc().MatchString(d.InlinePolicy):
			add(AttrInlinePolicy, -1, "the inline policy has characters beyond U+00FF, which AWS does not take")
		default:
			if k := nonSpace(d.InlinePolicy); k > MaxInlinePolicyNonSpace {
				add(AttrInlinePolicy, -1, "the inline policy has %d characters other than whitespace; AWS allows at most %d (IAM Identity Center quotas)", k, MaxInlinePolicyNonSpace)
			}
			if _, err := Canonical(d.InlinePolicy); err != nil {
				add(AttrInlinePolicy, -1, "the inline policy is %v", err)
			}
		}
	}
	if b := d.PermissionsBoundary; b != nil {
		switch {
		case b.CustomerManagedPolicy != nil && b.ManagedPolicyArn != "":
			add(AttrPermissionsBoundary, -1, "a boundary is a customer managed policy or a managed policy ARN, not both")
		case b.CustomerManagedPolicy != nil:
			if msg := checkRef(b.CustomerManagedPolicy.Name, b.CustomerManagedPolicy.Path); msg != "" {
				add(AttrPermissionsBoundary, -1, "%s", msg)
			}
		case !reManagedArn().MatchString(b.ManagedPolicyArn):
			add(AttrPermissionsBoundary, -1, "%q is not an AWS managed policy ARN", b.ManagedPolicyArn)
		}
	}
	if len(d.Tags) > MaxTags {
		add(AttrTags, -1, "%d tags; a permission set may have at most %d", len(d.Tags), MaxTags)
	}
	keys := map[string]bool{}
	for i, t := range d.Tags {
		switch k := utf8.RuneCountInString(t.Key); {
		case k == 0 || k > 128:
			add(AttrTags, i, "a tag key has 1 to 128 characters")
		case !reTag().MatchString(t.Key):
			add(AttrTags, i, "the tag key %q may hold only letters, digits, spaces and _ . : / = + - @", t.Key)
		case strings.HasPrefix(strings.ToLower(t.Key), "aws:"):
			add(AttrTags, i, "the tag key %q: keys starting aws: are AWS's", t.Key)
		case keys[t.Key]:
			add(AttrTags, i, "the tag key %q is given twice", t.Key)
		}
		keys[t.Key] = true
		if v := utf8.RuneCountInString(t.Value); v > 256 {
			add(AttrTags, i, "the value of tag %q has %d characters; AWS allows at most 256", t.Key, v)
		} else if !reTag().MatchString(t.Value) {
			add(AttrTags, i, "the value of tag %q may hold only letters, digits, spaces and _ . : / = + - @", t.Key)
		}
	}
	return problems, warn
}

func checkRef(name, path string) string {
	switch {
	case name == "":
		return "a customer managed policy needs a Name"
	case utf8.RuneCountInString(name) > MaxPolicyNameLength:
		return fmt.Sprintf("the policy name %q has more than %d characters", name, MaxPolicyNameLength)
	case !rePolicyName().MatchString(name):
		return fmt.Sprintf("the policy name %q may hold only letters, digits and + = , . @ _ -", name)
	case path != "" && (len(path) > MaxPolicyPathLength || !rePolicyPath().MatchString(path)):
		return fmt.Sprintf("the policy path %q must start and end with / (/ or /teams/, say)", path)
	}
	return ""
}

// checkDuration checks an ISO-8601 duration against the model's pattern
// and AWS's range of 1 to 12 hours.
func checkDuration(v string) string {
	m := reDuration().FindStringSubmatch(v)
	if m == nil || v == "P" || strings.HasSuffix(v, "T") {
		return fmt.Sprintf("the session duration %q is not an ISO-8601 duration (PT8H, PT90M)", v)
	}
	num := func(s string) float64 {
		f, _ := strconv.ParseFloat(s, 64)
		return f
	}
	secs := num(m[1])*365*86400 + num(m[2])*30*86400 + num(m[5])*3600 + num(m[6])*60 + num(m[7])
	if m[4] == "W" {
		secs += num(m[3]) * 7 * 86400
	} else {
		secs += num(m[3]) * 86400
	}
	if secs < MinSessionDuration || secs > MaxSessionDuration {
		return fmt.Sprintf("the session duration %s is outside AWS's range of PT1H to PT12H", v)
	}
	return ""
}

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
