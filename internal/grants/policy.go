package grants

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/ssoctl/ssoctl/internal/permsets"
)

// ExpirySid is the Sid of the statement a grant adds to its permission
// set's inline policy.
const ExpirySid = "SsoctlGrantExpiry"

// DenyStatement denies every action once aws:CurrentTime passes expires.
func DenyStatement(expires time.Time) map[string]any {
	return map[string]any{
		"Sid": ExpirySid, "Effect": "Deny", "Action": "*", "Resource": "*",
		"Condition": map[string]any{"DateGreaterThan": map[string]any{"aws:CurrentTime": expires.UTC().Format(time.RFC3339)}},
	}
}

// ErrPolicyTooLarge is wrapped when the inline policy leaves no room for
// the deny-after-expiry statement.
var ErrPolicyTooLarge = errors.New("inline policy too large for a grant")

// WithDeny is policy (a JSON policy document; "" for none) with the
// deny-after-expiry statement added. The result must stay within AWS's
// limits for an inline policy (32,768 characters, 10,240 of them not white
// space), or the permission set cannot be granted.
func WithDeny(policy string, expires time.Time) (string, error) {
	doc := map[string]any{"Version": "2012-10-17"}
	if strings.TrimSpace(policy) != "" {
		if err := json.Unmarshal([]byte(policy), &doc); err != nil {
			return "", fmt.Errorf("read the inline policy: %w", err)
		}
	}
	var stmts []any
	switch s := doc["Statement"].(type) {
	case nil:
	case []any:
		stmts = s
	case map[string]any:
		stmts = []any{s}
	default:
		return "", errors.New("read the inline policy: its Statement is neither a statement nor a list of them")
	}
	for _, s := range stmts {
		if m, ok := s.(map[string]any); ok && m["Sid"] == ExpirySid {
			return "", fmt.Errorf("the inline policy already has a statement %q (is it a grant's own permission set?)", ExpirySid)
		}
	}
	doc["Statement"] = append(stmts, DenyStatement(expires))
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return "", err
	}
	out := strings.TrimSpace(b.String())
	nonSpace := len(strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, out))
	if len(out) > permsets.MaxInlinePolicyLength || nonSpace > permsets.MaxInlinePolicyNonSpace {
		return "", fmt.Errorf("%w: with the deny-after-expiry statement it has %d characters not white space, over AWS's %d", ErrPolicyTooLarge, nonSpace, permsets.MaxInlinePolicyNonSpace)
	}
	return out, nil
}

var reDuration = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?$`)
})

// ParseSessionDuration reads a permission set's session duration
// (PT1H, PT4H30M, PT12H); "" is AWS's default, an hour.
func ParseSessionDuration(s string) (time.Duration, error) {
	if s == "" {
		return time.Hour, nil
	}
	m := reDuration().FindStringSubmatch(s)
	if m == nil || s == "PT" {
		return 0, fmt.Errorf("session duration %q is not an ISO-8601 duration of hours, minutes and seconds", s)
	}
	var d time.Duration
	for i, unit := range []time.Duration{time.Hour, time.Minute, time.Second} {
		if m[i+1] != "" {
			n, _ := strconv.Atoi(m[i+1])
			d += time.Duration(n) * unit
		}
	}
	return d, nil
}

// SessionDuration is the clone's session duration: the shorter of the
// grant and the permission set's, never under AWS's PT1H (the deny
// statement ends a longer session on time), in whole minutes.
func SessionDuration(grant, ps time.Duration) string {
	d := min(grant, ps)
	d = max(d, time.Duration(permsets.MinSessionDuration)*time.Second)
	d = min(d, time.Duration(permsets.MaxSessionDuration)*time.Second)
	h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
	s := "PT" + strconv.Itoa(h) + "H"
	if m > 0 {
		s += strconv.Itoa(m) + "M"
	}
	return s
}
