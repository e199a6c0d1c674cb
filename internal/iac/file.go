// Package iac is Identity Center as code: one YAML file (or several)
// declaring permission sets, groups and assignments, read with every value
// at its line (File, Parse, Merge); resolved against the live organization
// (Resolve); compared with what is live, reading only what the file touches
// (ReadLive, Compute) into a Plan ordered so that access never breaks, with
// a fingerprint of the live state it read (a saved plan is refused once
// that changed); and the live state written back in this format (Export).
// Permission sets' and groups' own logic is in packages permsets and
// groups; assignments' in the assignments family; every write is the one
// executor's (package execute).
package iac

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/ssoctl/ssoctl/internal/assignments/execute"
	"github.com/ssoctl/ssoctl/internal/assignments/file"
	"github.com/ssoctl/ssoctl/internal/groups"
	"github.com/ssoctl/ssoctl/internal/inventory"
	"github.com/ssoctl/ssoctl/internal/permsets"
)

// Sections of a file.
const (
	SectionPermissionSets = "PermissionSets"
	SectionGroups         = "Groups"
	SectionAssignments    = "Assignments"
	keyInstance           = "Instance"
)

// PermissionSet is one declared permission set: its desired attributes and
// where each was written.
type PermissionSet struct {
	Pos     file.Pos
	Desired permsets.Desired
	// At are the positions of its attributes (by attribute name) and
	// Items those of list entries (by attribute name, in order).
	At    map[string]file.Pos
	Items map[string][]file.Pos
}

// Group is one declared group.
type Group struct {
	Pos         file.Pos
	Name        string
	Description string
	// Members are user names, e-mail addresses or user ids.
	Members []file.Value
	At      map[string]file.Pos
}

// File is a parsed Identity Center file.
type File struct {
	Path     string
	Instance *file.Value
	// Has says which sections the file has (an empty section counts).
	Has            map[string]bool
	PermissionSets []PermissionSet
	Groups         []Group
	// Assignments are the Assignments section's groups, as the
	// assignments family reads them.
	Assignments *file.File
}

// errs collects problems, each at its line.
type errs struct{ es file.Errors }

func (e *errs) add(p file.Pos, format string, args ...any) {
	e.es = append(e.es, &file.Error{Pos: p, Msg: fmt.Sprintf(format, args...)})
}

func (e *errs) err() error {
	if len(e.es) == 0 {
		return nil
	}
	sort.SliceStable(e.es, func(i, j int) bool {
		if e.es[i].File != e.es[j].File {
			return e.es[i].File < e.es[j].File
		}
		return e.es[i].Line < e.es[j].Line
	})
	return e.es
}

func posOf(path string, n *yaml.Node) file.Pos {
	return file.Pos{File: path, Line: n.Line, Col: n.Column}
}

var (
	sectionKeys = []string{SectionPermissionSets, SectionGroups, SectionAssignments, keyInstance}
	psKeys      = []string{permsets.AttrDescription, permsets.AttrSessionDuration, permsets.AttrRelayState, permsets.AttrManagedPolicies,
		permsets.AttrCustomerManagedPolicies, permsets.AttrInlinePolicy, permsets.AttrPermissionsBoundary, permsets.AttrTags}
	groupKeys = []string{"Description", "Members"}
)

// Parse reads one Identity Center file. An inline policy given as a path
// is read relative to the file's folder. Every problem is reported with
// its line (file.Errors); the file is returned with them when it is a
// mapping of sections (what of it could be read).
func Parse(path string, data []byte) (*File, error) {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &file.Error{Pos: file.Pos{File: path}, Msg: "the file is empty; it should have PermissionSets, Groups or Assignments"}
		}
		return nil, yamlError(path, err)
	}
	var more yaml.Node
	if err := dec.Decode(&more); err == nil {
		return nil, &file.Error{Pos: posOf(path, &more), Msg: "a second YAML document: put everything in one"}
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	if root.Kind != yaml.MappingNode {
		return nil, &file.Error{Pos: posOf(path, root), Msg: "the file must be a mapping with PermissionSets, Groups and Assignments"}
	}
	f := &File{Path: path, Has: map[string]bool{}}
	var e errs
	seen := map[string]file.Pos{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		kn, vn := root.Content[i], resolveAlias(root.Content[i+1])
		k := kn.Value
		if prev, dup := seen[k]; dup {
			e.add(posOf(path, kn), "%s is given twice (first at line %d)", k, prev.Line)
			continue
		}
		seen[k] = posOf(path, kn)
		switch k {
		case SectionPermissionSets:
			f.Has[k] = true
			f.PermissionSets = parsePermissionSets(path, vn, &e)
		case SectionGroups:
			f.Has[k] = true
			f.Groups = parseGroups(path, vn, &e)
		case SectionAssignments:
			f.Has[k] = true
			f.Assignments = parseAssignments(path, vn, &e)
		case keyInstance:
			if vn.Kind != yaml.ScalarNode || strings.TrimSpace(vn.Value) == "" {
				e.add(posOf(path, vn), "Instance must be an instance ARN or id, not %s", kindName(vn))
				continue
			}
			f.Instance = &file.Value{Pos: posOf(path, vn), Text: strings.TrimSpace(vn.Value)}
		default:
			e.add(posOf(path, kn), "unknown section %q%s", k, closest(k, sectionKeys, "a file has PermissionSets, Groups, Assignments and Instance"))
		}
	}
	if len(seen) == 0 {
		e.add(posOf(path, root), "the file declares nothing: give it PermissionSets, Groups or Assignments")
	}
	// What could be read is returned with the problems, so that the
	// limits of what was read are checked in the same run.
	return f, e.err()
}

func closest(k string, keys []string, fallback string) string {
	if s := inventory.Closest(k, keys, 2); len(s) > 0 {
		q := make([]string, len(s))
		for i, x := range s {
			q[i] = fmt.Sprintf("%q", x)
		}
		return "; did you mean " + strings.Join(q, " or ") + "?"
	}
	return " (" + fallback + ")"
}

func resolveAlias(n *yaml.Node) *yaml.Node {
	if n.Kind == yaml.AliasNode {
		return n.Alias
	}
	return n
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "empty"
		}
		return fmt.Sprintf("the value %q", n.Value)
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "a mapping"
	}
	return "an alias"
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.Tag == "!!null" }

func yamlError(path string, err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if num, m, ok := strings.Cut(rest, ": "); ok {
			var n int
			if _, err := fmt.Sscanf(num, "%d", &n); err == nil {
				return &file.Error{Pos: file.Pos{File: path, Line: n}, Msg: "not valid YAML: " + m}
			}
		}
	}
	return &file.Error{Pos: file.Pos{File: path}, Msg: "not valid YAML: " + msg}
}

// mapping walks a mapping node's pairs; an empty section (null) has none.
func mapping(path, what string, n *yaml.Node, e *errs) [][2]*yaml.Node {
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		e.add(posOf(path, n), "%s must be a mapping, not %s", what, kindName(n))
		return nil
	}
	var out [][2]*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		out = append(out, [2]*yaml.Node{n.Content[i], resolveAlias(n.Content[i+1])})
	}
	return out
}

func text(path, what string, n *yaml.Node, e *errs) (string, bool) {
	if isNull(n) {
		return "", true
	}
	if n.Kind != yaml.ScalarNode {
		e.add(posOf(path, n), "%s must be text, not %s", what, kindName(n))
		return "", false
	}
	return n.Value, true
}

// list reads a scalar or a list of scalars.
func values(path, what string, n *yaml.Node, e *errs) []file.Value {
	if isNull(n) {
		return nil
	}
	items := []*yaml.Node{n}
	if n.Kind == yaml.SequenceNode {
		items = n.Content
	}
	var out []file.Value
	for _, it := range items {
		it = resolveAlias(it)
		if it.Kind != yaml.ScalarNode || isNull(it) || strings.TrimSpace(it.Value) == "" {
			e.add(posOf(path, it), "an entry of %s must be a name, not %s", what, kindName(it))
			continue
		}
		out = append(out, file.Value{Pos: posOf(path, it), Text: strings.TrimSpace(it.Value)})
	}
	return out
}

func parsePermissionSets(path string, n *yaml.Node, e *errs) []PermissionSet {
	var out []PermissionSet
	for _, kv := range mapping(path, SectionPermissionSets, n, e) {
		kn, vn := kv[0], kv[1]
		ps := PermissionSet{Pos: posOf(path, kn), Desired: permsets.Desired{Name: kn.Value}, At: map[string]file.Pos{"Name": posOf(path, kn)}, Items: map[string][]file.Pos{}}
		d := &ps.Desired
		seen := map[string]bool{}
		for _, akv := range mapping(path, "permission set "+kn.Value, vn, e) {
			ak, av := akv[0], akv[1]
			attr := ak.Value
			if seen[attr] {
				e.add(posOf(path, ak), "%s is given twice", attr)
				continue
			}
			seen[attr] = true
			ps.At[attr] = posOf(path, av)
			switch attr {
			case permsets.AttrDescription:
				d.Description, _ = text(path, attr, av, e)
			case permsets.AttrSessionDuration:
				d.SessionDuration, _ = text(path, attr, av, e)
			case permsets.AttrRelayState:
				d.RelayState, _ = text(path, attr, av, e)
			case permsets.AttrManagedPolicies:
				for _, v := range values(path, attr, av, e) {
					arn := v.Text
					if !strings.HasPrefix(arn, "arn:") {
						// aws-sso-util's shorthand: a name is an AWS managed policy's.
						arn = "arn:aws:iam::aws:policy/" + strings.TrimPrefix(arn, "/")
					}
					d.ManagedPolicies = append(d.ManagedPolicies, arn)
					ps.Items[attr] = append(ps.Items[attr], v.Pos)
				}
			case permsets.AttrCustomerManagedPolicies:
				items := []*yaml.Node{av}
				if av.Kind == yaml.SequenceNode {
					items = av.Content
				}
				if isNull(av) {
					items = nil
				}
				for _, it := range items {
					it = resolveAlias(it)
					if r, ok := policyRef(path, attr, it, e); ok {
						d.CustomerManagedPolicies = append(d.CustomerManagedPolicies, r)
						ps.Items[attr] = append(ps.Items[attr], posOf(path, it))
					}
				}
			case permsets.AttrInlinePolicy:
				d.InlinePolicy = inlinePolicy(path, av, e)
			case permsets.AttrPermissionsBoundary:
				d.PermissionsBoundary = boundary(path, av, e)
			case permsets.AttrTags:
				d.Tags, ps.Items[attr] = tags(path, av, e)
			default:
				e.add(posOf(path, ak), "unknown attribute %q of permission set %s%s", attr, kn.Value, closest(attr, psKeys, "a permission set takes "+strings.Join(psKeys, ", ")))
			}
		}
		out = append(out, ps)
	}
	return out
}

// policyRef reads {Name, Path}, or "name", or "/path/name".
func policyRef(path, what string, n *yaml.Node, e *errs) (execute.PolicyRef, bool) {
	switch n.Kind {
	case yaml.ScalarNode:
		v := strings.TrimSpace(n.Value)
		if v == "" || isNull(n) {
			e.add(posOf(path, n), "an entry of %s must name a policy", what)
			return execute.PolicyRef{}, false
		}
		if i := strings.LastIndex(v, "/"); i >= 0 {
			return execute.PolicyRef{Name: v[i+1:], Path: v[:i+1]}, true
		}
		return execute.PolicyRef{Name: v, Path: "/"}, true
	case yaml.MappingNode:
		var r execute.PolicyRef
		for _, kv := range mapping(path, what, n, e) {
			v, _ := text(path, kv[0].Value, kv[1], e)
			switch kv[0].Value {
			case "Name":
				r.Name = v
			case "Path":
				r.Path = v
			default:
				e.add(posOf(path, kv[0]), "unknown key %q in %s%s", kv[0].Value, what, closest(kv[0].Value, []string{"Name", "Path"}, "a policy reference takes Name and Path"))
			}
		}
		if r.Name == "" {
			e.add(posOf(path, n), "a customer managed policy needs a Name")
			return r, false
		}
		if r.Path == "" {
			r.Path = "/"
		}
		return r, true
	}
	e.add(posOf(path, n), "an entry of %s must be {Name: …, Path: …}, not %s", what, kindName(n))
	return execute.PolicyRef{}, false
}

func boundary(path string, n *yaml.Node, e *errs) *execute.Boundary {
	if isNull(n) {
		return nil
	}
	b := &execute.Boundary{}
	for _, kv := range mapping(path, permsets.AttrPermissionsBoundary, n, e) {
		switch kv[0].Value {
		case "CustomerManagedPolicy", "CustomerManagedPolicyReference":
			if r, ok := policyRef(path, kv[0].Value, kv[1], e); ok {
				b.CustomerManagedPolicy = &r
			}
		case "ManagedPolicyArn":
			v, _ := text(path, kv[0].Value, kv[1], e)
			if v != "" && !strings.HasPrefix(v, "arn:") {
				v = "arn:aws:iam::aws:policy/" + v
			}
			b.ManagedPolicyArn = v
		default:
			e.add(posOf(path, kv[0]), "unknown key %q in PermissionsBoundary%s", kv[0].Value, closest(kv[0].Value, []string{"CustomerManagedPolicy", "ManagedPolicyArn"}, "a boundary takes CustomerManagedPolicy or ManagedPolicyArn"))
		}
	}
	if b.CustomerManagedPolicy == nil && b.ManagedPolicyArn == "" {
		if n.Kind == yaml.MappingNode {
			e.add(posOf(path, n), "a permissions boundary needs CustomerManagedPolicy: {Name, Path} or ManagedPolicyArn")
		}
		return nil
	}
	return b
}

func tags(path string, n *yaml.Node, e *errs) ([]execute.Tag, []file.Pos) {
	if isNull(n) {
		return nil, nil
	}
	var out []execute.Tag
	var at []file.Pos
	switch n.Kind {
	case yaml.MappingNode:
		for _, kv := range mapping(path, "Tags", n, e) {
			v, ok := text(path, "the value of tag "+kv[0].Value, kv[1], e)
			if ok {
				out = append(out, execute.Tag{Key: kv[0].Value, Value: v})
				at = append(at, posOf(path, kv[0]))
			}
		}
	case yaml.SequenceNode:
		// CloudFormation's form: [{Key: …, Value: …}]
		for _, it := range n.Content {
			var t execute.Tag
			for _, kv := range mapping(path, "a tag", resolveAlias(it), e) {
				v, _ := text(path, kv[0].Value, kv[1], e)
				switch kv[0].Value {
				case "Key":
					t.Key = v
				case "Value":
					t.Value = v
				default:
					e.add(posOf(path, kv[0]), "a tag takes Key and Value, not %q", kv[0].Value)
				}
			}
			out = append(out, t)
			at = append(at, posOf(path, it))
		}
	default:
		e.add(posOf(path, n), "Tags must be a mapping (team: platform), not %s", kindName(n))
	}
	return out, at
}

// inlinePolicy reads an inline policy: a YAML mapping (the document), JSON
// text, or a path to a JSON file, relative to the file's folder.
func inlinePolicy(path string, n *yaml.Node, e *errs) string {
	switch {
	case isNull(n):
		return ""
	case n.Kind == yaml.MappingNode:
		b, err := json.Marshal(toJSON(n))
		if err != nil {
			e.add(posOf(path, n), "the inline policy cannot be written as JSON: %v", err)
			return ""
		}
		return string(b)
	case n.Kind != yaml.ScalarNode:
		e.add(posOf(path, n), "InlinePolicy must be a policy document or a path to a JSON file, not %s", kindName(n))
		return ""
	}
	v := strings.TrimSpace(n.Value)
	if strings.HasPrefix(v, "{") {
		if !json.Valid([]byte(v)) {
			e.add(posOf(path, n), "the inline policy is not valid JSON")
			return ""
		}
		return v
	}
	p := v
	if !filepath.IsAbs(p) {
		p = filepath.Join(filepath.Dir(path), p)
	}
	data, err := os.ReadFile(p)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		e.add(posOf(path, n), "cannot read the inline policy %s: %v", v, err)
		return ""
	}
	doc := strings.TrimSpace(string(data))
	if !json.Valid([]byte(doc)) {
		e.add(posOf(path, n), "the inline policy %s is not valid JSON", v)
		return ""
	}
	return doc
}

// toJSON converts a YAML node to the value JSON encodes: scalars typed as
// YAML's core schema has them (so "2012-10-17" stays text).
func toJSON(n *yaml.Node) any {
	n = resolveAlias(n)
	switch n.Kind {
	case yaml.MappingNode:
		m := map[string]any{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			m[n.Content[i].Value] = toJSON(n.Content[i+1])
		}
		return m
	case yaml.SequenceNode:
		out := make([]any, len(n.Content))
		for i, c := range n.Content {
			out[i] = toJSON(c)
		}
		return out
	case yaml.DocumentNode:
		if len(n.Content) == 1 {
			return toJSON(n.Content[0])
		}
	}
	switch n.Tag {
	case "!!null":
		return nil
	case "!!bool":
		var b bool
		if n.Decode(&b) == nil {
			return b
		}
	case "!!int", "!!float":
		return json.Number(n.Value)
	}
	return n.Value
}

func parseGroups(path string, n *yaml.Node, e *errs) []Group {
	var out []Group
	for _, kv := range mapping(path, SectionGroups, n, e) {
		kn, vn := kv[0], kv[1]
		g := Group{Pos: posOf(path, kn), Name: kn.Value, At: map[string]file.Pos{"Name": posOf(path, kn)}}
		for _, akv := range mapping(path, "group "+kn.Value, vn, e) {
			ak, av := akv[0], akv[1]
			g.At[ak.Value] = posOf(path, av)
			switch ak.Value {
			case "Description":
				g.Description, _ = text(path, ak.Value, av, e)
			case "Members":
				g.Members = values(path, "Members", av, e)
			default:
				e.add(posOf(path, ak), "unknown attribute %q of group %s%s", ak.Value, kn.Value, closest(ak.Value, groupKeys, "a group takes Description and Members"))
			}
		}
		out = append(out, g)
	}
	return out
}

func parseAssignments(path string, n *yaml.Node, e *errs) *file.File {
	f := &file.File{Path: path}
	if isNull(n) {
		return f
	}
	if n.Kind != yaml.SequenceNode {
		e.add(posOf(path, n), "Assignments must be a list of assignment groups ({Groups, Users, PermissionSets, Accounts, OUs}), not %s", kindName(n))
		return f
	}
	for _, it := range n.Content {
		it = resolveAlias(it)
		if it.Kind != yaml.MappingNode {
			e.add(posOf(path, it), "an assignment group must be a mapping with Groups/Users, PermissionSets and Accounts/OUs, not %s", kindName(it))
			continue
		}
		g, err := file.ParseGroupNode(path, it)
		if err != nil {
			e.es = append(e.es, file.ErrorList(err)...)
			continue
		}
		f.Groups = append(f.Groups, g)
	}
	return f
}

// Set is every file of one run, merged: each permission set and group
// declared once, the sections any file has.
type Set struct {
	Files          []*File
	Has            map[string]bool
	Instance       *file.Value
	PermissionSets []PermissionSet
	Groups         []Group
	Assignments    []*file.File
}

// Merge joins the files of one run. A permission set or group declared in
// two places, or two instances, is an error at its line.
func Merge(files []*File) (*Set, error) {
	s := &Set{Files: files, Has: map[string]bool{}}
	var e errs
	psAt, gAt := map[string]file.Pos{}, map[string]file.Pos{}
	for _, f := range files {
		for k := range f.Has {
			s.Has[k] = true
		}
		if f.Instance != nil {
			if s.Instance != nil && instanceArn(s.Instance.Text) != instanceArn(f.Instance.Text) {
				e.add(f.Instance.Pos, "instance %s differs from %s (%s); one file set manages one instance", f.Instance.Text, s.Instance.Text, s.Instance.Pos)
			} else {
				s.Instance = f.Instance
			}
		}
		for _, ps := range f.PermissionSets {
			k := strings.ToLower(ps.Desired.Name)
			if prev, dup := psAt[k]; dup {
				e.add(ps.Pos, "permission set %s is declared twice (first at %s)", ps.Desired.Name, prev)
				continue
			}
			psAt[k] = ps.Pos
			s.PermissionSets = append(s.PermissionSets, ps)
		}
		for _, g := range f.Groups {
			k := strings.ToLower(g.Name)
			if prev, dup := gAt[k]; dup {
				e.add(g.Pos, "group %s is declared twice (first at %s)", g.Name, prev)
				continue
			}
			gAt[k] = g.Pos
			s.Groups = append(s.Groups, g)
		}
		if f.Assignments != nil {
			s.Assignments = append(s.Assignments, f.Assignments)
		}
	}
	return s, e.err()
}

// Validate checks every declared permission set and group against AWS's
// limits, each problem at its line; warnings do not stop a plan.
func (s *Set) Validate() (warnings []string, err error) {
	var e errs
	for _, ps := range s.PermissionSets {
		if IsGrant(ps.Desired.Name) {
			e.add(ps.Pos, "permission set %s is a just-in-time grant's (ssoctl-jit-*): grants are managed by ssoctl grant, not declared in a file; remove it", ps.Desired.Name)
			continue
		}
		problems, warn := permsets.Validate(ps.Desired)
		warnings = append(warnings, warn...)
		for _, p := range problems {
			at := ps.Pos
			if items := ps.Items[p.Attribute]; p.Index >= 0 && p.Index < len(items) {
				at = items[p.Index]
			} else if pos, ok := ps.At[p.Attribute]; ok {
				at = pos
			}
			e.add(at, "permission set %s: %s", ps.Desired.Name, p.Msg)
		}
	}
	for _, f := range s.Assignments {
		for _, g := range f.Groups {
			for _, v := range g.PermissionSets {
				if IsGrant(v.Text) {
					e.add(v.Pos, "permission set %s is a just-in-time grant's (ssoctl-jit-*): grants are managed by ssoctl grant, not assigned in a file; remove it", v.Text)
				}
			}
		}
	}
	for _, g := range s.Groups {
		for _, msg := range groups.Validate(groups.Desired{Name: g.Name, Description: g.Description}) {
			at := g.Pos
			if strings.Contains(msg, "description") {
				if pos, ok := g.At["Description"]; ok {
					at = pos
				}
			}
			e.add(at, "group %s: %s", g.Name, msg)
		}
		seen := map[string]file.Pos{}
		for _, m := range g.Members {
			if prev, dup := seen[strings.ToLower(m.Text)]; dup {
				e.add(m.Pos, "group %s: member %s is listed twice (first at line %d)", g.Name, m.Text, prev.Line)
			}
			seen[strings.ToLower(m.Text)] = m.Pos
		}
	}
	return warnings, e.err()
}

func instanceArn(s string) string {
	if strings.HasPrefix(s, "arn:") {
		return s
	}
	return "arn:aws:sso:::instance/" + s
}
