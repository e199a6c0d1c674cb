// Package grants is just-in-time access with no server to deploy: a grant
// gives a user or group a permission set on some accounts until a time, and
// everything it needs lives in AWS.
//
// A grant clones the permission set into its own permission set,
// ssoctl-jit-<id>, whose inline policy gains a statement denying every
// action once aws:CurrentTime passes the expiry (so credentials already
// issued stop working on time), assigns the clone through the one executor,
// and records the grant as tags on the clone. With a scheduler role in the
// org settings, an EventBridge Scheduler one-time schedule per assignment
// deletes it at the expiry; Expire removes what remains (assignments, then
// the clone). Each grant has its own clone, so grants never share an
// assignment with each other or with permanent access: ending one cannot
// take another away.
//
// Expiry is judged on AWS's clock (the Date header of its answers), never
// the local one.
package grants

import (
	"crypto/rand"
	"encoding/base32"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/ssoctl/ssoctl/internal/assignments/execute"
)

// NamePrefix starts the name of every grant's permission set.
const NamePrefix = "ssoctl-jit-"

// IDLength is a grant id's length: 12 lower-case base32 characters (60
// random bits), so NamePrefix and the id fit the 32 characters AWS's
// model allows a permission set's name (PermissionSetName, 1–32).
const IDLength = 12

// The tags recorded on a grant's permission set.
const (
	TagGrantID   = "ssoctl:grant-id"
	TagPrincipal = "ssoctl:principal"
	TagExpires   = "ssoctl:expires"
	TagGrantedBy = "ssoctl:granted-by"
	TagReason    = "ssoctl:reason"
	TagTicket    = "ssoctl:ticket"
)

// MaxTagValue is the longest tag value AWS takes (sso-admin's TagValue,
// 0–256 characters).
const MaxTagValue = 256

// MaxDescription is the longest permission-set description AWS takes
// (PermissionSetDescription, 1–700).
const MaxDescription = 700

// NewID is a new grant id: 12 characters of a-z and 2-7.
func NewID() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go ≥ 1.24)
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))[:IDLength]
}

var reID = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z2-7]{12}$`) })

// ValidID reports whether id is a grant id.
func ValidID(id string) bool { return reID().MatchString(id) }

// Name is the name of grant id's permission set.
func Name(id string) string { return NamePrefix + id }

// IDOf is the grant id of a permission set's name ("" when it is not a
// grant's).
func IDOf(name string) string {
	id, ok := strings.CutPrefix(name, NamePrefix)
	if !ok || !ValidID(id) {
		return ""
	}
	return id
}

// Principal is who a grant is for.
type Principal struct {
	// Type is USER or GROUP.
	Type string `json:"type"`
	Id   string `json:"id"`
	Name string `json:"name,omitempty"`
}

// String is the tag's form: USER:<id> or GROUP:<id>.
func (p Principal) String() string { return p.Type + ":" + p.Id }

// Label names the principal for people: "user alice" or "group ops".
func (p Principal) Label() string {
	n := p.Name
	if n == "" {
		n = p.Id
	}
	return strings.ToLower(p.Type) + " " + n
}

// ParsePrincipal reads a principal tag.
func ParsePrincipal(s string) (Principal, bool) {
	t, id, ok := strings.Cut(s, ":")
	if !ok || (t != "USER" && t != "GROUP") || id == "" {
		return Principal{}, false
	}
	return Principal{Type: t, Id: id}, true
}

// Account is an account of a grant.
type Account struct {
	Id   string `json:"accountId"`
	Name string `json:"accountName,omitempty"`
}

// State is where a grant stands.
type State string

// The states of a grant.
const (
	// Active: before its expiry.
	Active State = "active"
	// Expired: past its expiry, with its permission set (and perhaps
	// assignments) still to be removed by Expire.
	Expired State = "expired"
	// Ended: nothing of it is left in AWS (known from the history
	// database).
	Ended State = "ended"
)

// Grant is one just-in-time grant.
type Grant struct {
	ID string `json:"grantId"`
	// PermissionSet is the permission set the grant was cloned from.
	PermissionSet string `json:"permissionSet,omitempty"`
	// Clone and CloneArn are the grant's own permission set.
	Clone     string    `json:"clone"`
	CloneArn  string    `json:"cloneArn,omitempty"`
	Principal Principal `json:"principal"`
	Accounts  []Account `json:"accounts"`
	// Assigned are the accounts whose assignment is live (as listed).
	Assigned  []string  `json:"assigned"`
	Expires   time.Time `json:"expires"`
	GrantedBy string    `json:"grantedBy,omitempty"`
	Reason    string    `json:"reason,omitempty"`
	Ticket    string    `json:"ticket,omitempty"`
	State     State     `json:"state"`
	// Ended is when Expire or Revoke removed it (ended grants only), and
	// How says which.
	Ended *time.Time `json:"ended,omitempty"`
	How   string     `json:"how,omitempty"`
}

// Tags are the grant's tags on its permission set, in key order.
func (g Grant) Tags() []execute.Tag {
	tags := []execute.Tag{
		{Key: TagExpires, Value: g.Expires.UTC().Format(time.RFC3339)},
		{Key: TagGrantID, Value: g.ID},
		{Key: TagGrantedBy, Value: TagValue(g.GrantedBy)},
		{Key: TagPrincipal, Value: g.Principal.String()},
	}
	if v := TagValue(g.Reason); v != "" {
		tags = append(tags, execute.Tag{Key: TagReason, Value: v})
	}
	if v := TagValue(g.Ticket); v != "" {
		tags = append(tags, execute.Tag{Key: TagTicket, Value: v})
	}
	execute.SortTags(tags)
	return tags
}

// FromTags rebuilds a grant from its permission set's name, description
// and tags; ok is false when they are not a grant's (a set named like one
// without the tags, or with tags that do not read).
func FromTags(name, description string, tags []execute.Tag) (g Grant, ok bool) {
	id := IDOf(name)
	if id == "" {
		return g, false
	}
	m := map[string]string{}
	for _, t := range tags {
		m[t.Key] = t.Value
	}
	if m[TagGrantID] != id {
		return g, false
	}
	p, ok := ParsePrincipal(m[TagPrincipal])
	if !ok {
		return g, false
	}
	exp, err := time.Parse(time.RFC3339, m[TagExpires])
	if err != nil {
		return g, false
	}
	g = Grant{ID: id, Clone: name, Principal: p, Expires: exp.UTC(), GrantedBy: m[TagGrantedBy], Reason: m[TagReason], Ticket: m[TagTicket]}
	if s := reDescription().FindStringSubmatch(description); s != nil {
		g.PermissionSet = s[1]
		if s[3] != "" {
			g.Reason = s[3] // the full reason, as far as the description could hold it
		}
	}
	return g, true
}

// TagValue is s reduced to what AWS allows in a tag value (letters,
// digits, white space and _ . : / = + - @; sso-admin's TagValue pattern):
// every other character becomes a space, runs of white space one space,
// and the result is cut to 256 characters.
func TagValue(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		ok := unicode.IsLetter(r) || unicode.IsNumber(r) || strings.ContainsRune("_.:/=+-@", r)
		if !ok || unicode.IsSpace(r) || unicode.In(r, unicode.Zs) {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return truncate(b.String(), MaxTagValue)
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return strings.TrimSpace(string(r[:n]))
}

var reDescription = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^Just-in-time grant of (\S+) until (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)(?:\. Reason: (.*))?$`)
})

// ParseDescription reads what a grant's permission set's description
// says: the permission set it clones and the expiry (ok false when it is
// not a grant's description).
func ParseDescription(description string) (permissionSet string, expires time.Time, ok bool) {
	m := reDescription().FindStringSubmatch(description)
	if m == nil {
		return "", time.Time{}, false
	}
	exp, err := time.Parse(time.RFC3339, m[2])
	if err != nil {
		return "", time.Time{}, false
	}
	return m[1], exp.UTC(), true
}

// Description is the grant's permission set's description: the permission
// set it clones, the expiry and the full reason — as far as AWS's
// PermissionSetDescription holds it (700 characters of tab, newline and
// Latin-1; others become '?').
func (g Grant) Description() string {
	s := fmt.Sprintf("Just-in-time grant of %s until %s", g.PermissionSet, g.Expires.UTC().Format(time.RFC3339))
	if r := strings.TrimSpace(g.Reason); r != "" {
		s += ". Reason: " + strings.Map(func(r rune) rune {
			switch {
			case r == '\n' || r == '\r' || r == '\t':
				return ' '
			case r >= 0x20 && r <= 0x7e, r >= 0xa1 && r <= 0xff:
				return r
			}
			return '?'
		}, r)
	}
	return truncate(s, MaxDescription)
}
