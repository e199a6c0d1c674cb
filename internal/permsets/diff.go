package permsets

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/pmezard/go-difflib/difflib"

	"github.com/ssoctl/ssoctl/internal/assignments"
	"github.com/ssoctl/ssoctl/internal/assignments/execute"
)

// The attributes of a permission set, as the file and plans name them.
const (
	AttrDescription             = "Description"
	AttrSessionDuration         = "SessionDuration"
	AttrRelayState              = "RelayState"
	AttrManagedPolicies         = "ManagedPolicies"
	AttrCustomerManagedPolicies = "CustomerManagedPolicies"
	AttrInlinePolicy            = "InlinePolicy"
	AttrPermissionsBoundary     = "PermissionsBoundary"
	AttrTags                    = "Tags"
)

// AttrChange is one attribute's difference between the live and the
// desired permission set.
type AttrChange struct {
	Attribute string `json:"attribute"`
	// Old and New are a single value's (Description, SessionDuration,
	// RelayState, PermissionsBoundary); "" is none.
	Old string `json:"old,omitempty"`
	New string `json:"new,omitempty"`
	// Added and Removed are a list's (policies; tags as key=value).
	Added   []string `json:"added,omitempty"`
	Removed []string `json:"removed,omitempty"`
	// PolicyDiff is the inline policy's change, line by line, each line
	// starting with "+", "-" or " ": both documents indented with their
	// keys sorted, so whitespace and key order never show as changes.
	PolicyDiff []string `json:"policyDiff,omitempty"`
}

// Canonical is a JSON document with its keys sorted and no whitespace,
// which two documents that differ only in those share.
func Canonical(doc string) (string, error) {
	v, err := decode(doc)
	if err != nil {
		return "", err
	}
	b, err := marshal(v, "")
	return string(b), err
}

// Indented is a JSON document with its keys sorted, indented two spaces.
func Indented(doc string) (string, error) {
	v, err := decode(doc)
	if err != nil {
		return "", err
	}
	b, err := marshal(v, "  ")
	return string(b), err
}

func decode(doc string) (any, error) {
	dec := json.NewDecoder(strings.NewReader(doc))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("not a JSON document: %w", err)
	}
	if dec.More() {
		return nil, fmt.Errorf("not a JSON document: text after the document")
	}
	return v, nil
}

// marshal writes v with sorted keys (encoding/json sorts map keys) and
// without escaping <, > and &, which policies use in conditions.
func marshal(v any, indent string) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if indent != "" {
		enc.SetIndent("", indent)
	}
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

// samePolicy reports whether two inline policies are the same document
// ("" is none).
func samePolicy(a, b string) bool {
	if a == "" || b == "" {
		return a == b
	}
	ca, err1 := Canonical(a)
	cb, err2 := Canonical(b)
	if err1 != nil || err2 != nil {
		return a == b
	}
	return ca == cb
}

// PolicyDiff is old → new, line by line, as AttrChange.PolicyDiff has it.
func PolicyDiff(old, new string) []string {
	lines := func(doc string) []string {
		if doc == "" {
			return nil
		}
		s, err := Indented(doc)
		if err != nil {
			s = doc
		}
		return strings.Split(s, "\n")
	}
	a, b := lines(old), lines(new)
	var out []string
	m := difflib.NewMatcher(a, b)
	for _, op := range m.GetOpCodes() {
		switch op.Tag {
		case 'e':
			for _, l := range a[op.I1:op.I2] {
				out = append(out, " "+l)
			}
		case 'd':
			for _, l := range a[op.I1:op.I2] {
				out = append(out, "-"+l)
			}
		case 'i':
			for _, l := range b[op.J1:op.J2] {
				out = append(out, "+"+l)
			}
		case 'r':
			for _, l := range a[op.I1:op.I2] {
				out = append(out, "-"+l)
			}
			for _, l := range b[op.J1:op.J2] {
				out = append(out, "+"+l)
			}
		}
	}
	return out
}

func boundaryText(b *execute.Boundary) string {
	if b == nil {
		return ""
	}
	return b.String()
}

func tagTexts(tags []execute.Tag) []string {
	out := make([]string, len(tags))
	for i, t := range tags {
		out[i] = t.Key + "=" + t.Value
	}
	return out
}

func refTexts(refs []execute.PolicyRef) []string {
	out := make([]string, len(refs))
	for i, r := range refs {
		out[i] = r.String()
	}
	return out
}

// minus is what a has that b has not, in a's order.
func minus(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

// Diff is what changes, attribute by attribute, from have (nil: the set
// does not exist) to want; nothing when they are the same.
func Diff(want Desired, have *Live) []AttrChange {
	w := want.Normalized()
	var h Desired
	if have != nil {
		h = have.Desired.Normalized()
	}
	var out []AttrChange
	single := func(attr, old, new string) {
		if old != new {
			out = append(out, AttrChange{Attribute: attr, Old: old, New: new})
		}
	}
	list := func(attr string, old, new []string) {
		add, rm := minus(new, old), minus(old, new)
		if len(add)+len(rm) > 0 {
			out = append(out, AttrChange{Attribute: attr, Added: add, Removed: rm})
		}
	}
	single(AttrDescription, h.Description, w.Description)
	oldDuration := h.SessionDuration
	if have == nil {
		oldDuration = ""
	}
	single(AttrSessionDuration, oldDuration, w.SessionDuration)
	single(AttrRelayState, h.RelayState, w.RelayState)
	list(AttrManagedPolicies, h.ManagedPolicies, w.ManagedPolicies)
	list(AttrCustomerManagedPolicies, refTexts(h.CustomerManagedPolicies), refTexts(w.CustomerManagedPolicies))
	if !samePolicy(h.InlinePolicy, w.InlinePolicy) {
		out = append(out, AttrChange{Attribute: AttrInlinePolicy, PolicyDiff: PolicyDiff(h.InlinePolicy, w.InlinePolicy)})
	}
	single(AttrPermissionsBoundary, boundaryText(h.PermissionsBoundary), boundaryText(w.PermissionsBoundary))
	list(AttrTags, tagTexts(h.Tags), tagTexts(w.Tags))
	return out
}

// MaxPolicies is how many AWS managed and customer managed policies a
// permission set may have together (the IAM Identity Center quotas page:
// "Number of AWS managed and customer managed policies per permission
// set: 20", not adjustable).
const MaxPolicies = 20

// Provisioning is where a live permission set is provisioned, as read when
// planning.
type Provisioning struct {
	// Accounts is how many accounts it is provisioned to; Outdated how
	// many of them do not have its latest version.
	Accounts int `json:"accounts"`
	Outdated int `json:"outdated"`
}

// Plan is what makes a live permission set (have; nil when it does not
// exist) the desired one: the executor's changes — the permission-set
// change, then, when the set's role changes and it is provisioned
// somewhere, a provision to every account it is provisioned to (which
// also brings accounts left behind by an earlier change up to date) — the
// differences, and warnings: what the API cannot do (remove a description
// or relay state), accounts behind the set's latest version. Being behind
// is not itself a change the file declares, so it is told, not planned.
type Plan struct {
	Changes  []execute.Change `json:"changes"`
	Diff     []AttrChange     `json:"diff"`
	Warnings []string         `json:"warnings,omitempty"`
}

// Changes plans want against have, provisioned as prov says.
func Changes(want Desired, have *Live, prov Provisioning) Plan {
	w := want.Normalized()
	var p Plan
	diff := Diff(want, have)
	if have == nil {
		p.Diff = diff
		wr := &execute.PermissionSetWrite{SessionDuration: &w.SessionDuration}
		if w.Description != "" {
			wr.Description = &w.Description
		}
		if w.RelayState != "" {
			wr.RelayState = &w.RelayState
		}
		wr.Tags = w.Tags
		wr.Calls = calls(w, Desired{}, 0, true)
		p.Changes = append(p.Changes, execute.Change{Kind: execute.KindPermissionSet, Op: execute.Create, PermissionSetName: w.Name, PermissionSet: wr})
		return p
	}
	h := have.Desired.Normalized()
	wr := &execute.PermissionSetWrite{}
	roleChanges := false
	for _, d := range diff {
		switch d.Attribute {
		case AttrDescription:
			if d.New == "" {
				p.Warnings = append(p.Warnings, fmt.Sprintf("permission set %s: its description cannot be removed through the API (UpdatePermissionSet takes no empty one); it stays %q", w.Name, d.Old))
				continue
			}
			wr.Description = &w.Description
		case AttrSessionDuration:
			wr.SessionDuration = &w.SessionDuration
			roleChanges = true
		case AttrRelayState:
			if d.New == "" {
				p.Warnings = append(p.Warnings, fmt.Sprintf("permission set %s: its relay state cannot be removed through the API (UpdatePermissionSet takes no empty one); it stays %q", w.Name, d.Old))
				continue
			}
			wr.RelayState = &w.RelayState
		case AttrTags:
		default:
			roleChanges = true
		}
		p.Diff = append(p.Diff, d)
	}
	wr.Calls = calls(w, h, len(h.ManagedPolicies)+len(h.CustomerManagedPolicies), false)
	if wr.Description != nil || wr.SessionDuration != nil || wr.RelayState != nil || len(wr.Calls) > 0 {
		p.Changes = append(p.Changes, execute.Change{Kind: execute.KindPermissionSet, Op: execute.Update,
			Assignment: assignments.Assignment{PermissionSetArn: have.Arn}, PermissionSetName: w.Name, PermissionSet: wr})
	}
	if prov.Outdated > 0 && !roleChanges {
		p.Warnings = append(p.Warnings, fmt.Sprintf("permission set %s: %d of the %d accounts it is provisioned to do not have its latest version (it was changed and not re-provisioned); the next change applied to it re-provisions them", w.Name, prov.Outdated, prov.Accounts))
	}
	if prov.Accounts > 0 && roleChanges {
		p.Changes = append(p.Changes, execute.Change{Kind: execute.KindProvision, Op: execute.Provision,
			Assignment: assignments.Assignment{PermissionSetArn: have.Arn}, PermissionSetName: w.Name,
			Provision: &execute.ProvisionTarget{Accounts: prov.Accounts}})
	}
	return p
}

// calls are the writes from h to w after the set exists (created: it is
// new, h is empty and CreatePermissionSet sets its tags): attachments
// before detachments, so no moment has less access than both — unless
// attaching first would pass the 20 policies a set may have (attached
// counts h's) — then the inline policy, the boundary and the tags.
func calls(w, h Desired, attached int, created bool) []execute.Call {
	var attach, detach []execute.Call
	for _, arn := range minus(w.ManagedPolicies, h.ManagedPolicies) {
		attach = append(attach, execute.Call{Action: execute.AttachManagedPolicy, ManagedPolicyArn: arn})
	}
	for _, arn := range minus(h.ManagedPolicies, w.ManagedPolicies) {
		detach = append(detach, execute.Call{Action: execute.DetachManagedPolicy, ManagedPolicyArn: arn})
	}
	wantRefs, haveRefs := refTexts(w.CustomerManagedPolicies), refTexts(h.CustomerManagedPolicies)
	for i, r := range w.CustomerManagedPolicies {
		if !slices.Contains(haveRefs, wantRefs[i]) {
			attach = append(attach, execute.Call{Action: execute.AttachCustomerManagedPolicy, CustomerManagedPolicy: &r})
		}
	}
	for i, r := range h.CustomerManagedPolicies {
		if !slices.Contains(wantRefs, haveRefs[i]) {
			detach = append(detach, execute.Call{Action: execute.DetachCustomerManagedPolicy, CustomerManagedPolicy: &r})
		}
	}
	var out []execute.Call
	if attached+len(attach) > MaxPolicies {
		out = append(append(out, detach...), attach...)
	} else {
		out = append(append(out, attach...), detach...)
	}
	if !samePolicy(h.InlinePolicy, w.InlinePolicy) {
		if w.InlinePolicy == "" {
			out = append(out, execute.Call{Action: execute.DeleteInlinePolicy})
		} else {
			out = append(out, execute.Call{Action: execute.PutInlinePolicy, InlinePolicy: w.InlinePolicy})
		}
	}
	if boundaryText(h.PermissionsBoundary) != boundaryText(w.PermissionsBoundary) {
		if w.PermissionsBoundary == nil {
			out = append(out, execute.Call{Action: execute.DeletePermissionsBoundary})
		} else {
			out = append(out, execute.Call{Action: execute.PutPermissionsBoundary, Boundary: w.PermissionsBoundary})
		}
	}
	if !created {
		var set []execute.Tag
		var unset []string
		haveTags := map[string]string{}
		for _, t := range h.Tags {
			haveTags[t.Key] = t.Value
		}
		wantTags := map[string]bool{}
		for _, t := range w.Tags {
			wantTags[t.Key] = true
			if v, ok := haveTags[t.Key]; !ok || v != t.Value {
				set = append(set, t)
			}
		}
		for _, t := range h.Tags {
			if !wantTags[t.Key] {
				unset = append(unset, t.Key)
			}
		}
		if len(set) > 0 {
			out = append(out, execute.Call{Action: execute.TagPermissionSet, Tags: set})
		}
		if len(unset) > 0 {
			out = append(out, execute.Call{Action: execute.UntagPermissionSet, TagKeys: unset})
		}
	}
	return out
}
