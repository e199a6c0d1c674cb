// Package file reads assignments files — the declared side of the
// assignments family: plan compares them with what list reads, cfn turns
// them into CloudFormation — YAML declaring which principals get which
// permission sets on which accounts and OUs. A file is
// a list of assignment groups, each with aws-sso-util's `admin cfn` config
// keys (Groups, Users, PermissionSets, Accounts, OUs, RecursiveOUs and an
// optional Instance); a file holding one mapping is an aws-sso-util config
// file as it is. Every value remembers its file and line, so validation and
// resolution errors point at the line to fix, and unknown names come with
// the closest names that do exist.
package file

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/ssoctl/ssoctl/internal/inventory"
)

// Pos is a place in a file.
type Pos struct {
	File string `json:"file"`
	Line int    `json:"line"`
	Col  int    `json:"col,omitempty"`
}

func (p Pos) String() string {
	if p.Line == 0 {
		return p.File
	}
	return p.File + ":" + strconv.Itoa(p.Line)
}

func posOf(file string, n *yaml.Node) Pos { return Pos{File: file, Line: n.Line, Col: n.Column} }

// Value is one entry of a list: a name or id (Text), or, for CloudFormation
// generation only, raw CloudFormation (Node: an intrinsic function such as
// !Ref or {"Fn::GetAtt": …}) or an inline permission-set definition
// (Inline: the mapping of an AWS::SSO::PermissionSet's properties, or a
// whole resource with Type and Properties).
type Value struct {
	Pos
	Text   string
	Node   *yaml.Node
	Inline *yaml.Node
}

// IsText reports whether the value is a plain name or id.
func (v Value) IsText() bool { return v.Node == nil && v.Inline == nil }

func (v Value) String() string {
	switch {
	case v.Inline != nil:
		return "inline permission set"
	case v.Node != nil:
		return "CloudFormation expression"
	}
	return v.Text
}

// Group is one assignment group: every principal × every permission set ×
// every account (OUs expanded).
type Group struct {
	Pos
	// Name documents the group (aws-sso-util's AssignmentGroupName, or the
	// resource name of a macro's AssignmentGroup).
	Name           string
	Instance       *Value
	Groups         []Value
	Users          []Value
	PermissionSets []Value
	Accounts       []Value
	OUs            []Value
	RecursiveOUs   []Value
	// Settings are aws-sso-util's generation settings (NumChildStacks,
	// MaxAssignmentsAllocation, MaxResourcesPerTemplate,
	// MaxConcurrentAssignments, DefaultSessionDuration) when given.
	Settings Settings
}

// Settings are CloudFormation generation settings a config file may carry.
type Settings struct {
	NumChildStacks           *int
	MaxAssignmentsAllocation *int
	MaxResourcesPerTemplate  *int
	MaxConcurrentAssignments *int
	DefaultSessionDuration   string
}

// File is a parsed assignments file.
type File struct {
	Path   string
	Groups []Group
	// Single is true when the file is one mapping (an aws-sso-util config
	// file) rather than a list of groups.
	Single bool
}

// Error is one problem at one place.
type Error struct {
	Pos
	Msg string
}

func (e *Error) Error() string { return e.Pos.String() + ": " + e.Msg }

// Errors are every problem found, in file order.
type Errors []*Error

func (es Errors) Error() string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.Error()
	}
	return strings.Join(parts, "\n")
}

// ErrorList returns the problems in err (a single Error, Errors, or nil).
func ErrorList(err error) []*Error {
	var es Errors
	if errors.As(err, &es) {
		return es
	}
	var e *Error
	if errors.As(err, &e) {
		return []*Error{e}
	}
	return nil
}

func (es *Errors) add(p Pos, format string, args ...any) {
	*es = append(*es, &Error{Pos: p, Msg: fmt.Sprintf(format, args...)})
}

func (es Errors) err() error {
	if len(es) == 0 {
		return nil
	}
	sort.SliceStable(es, func(i, j int) bool {
		if es[i].File != es[j].File {
			return es[i].File < es[j].File
		}
		return es[i].Line < es[j].Line
	})
	return es
}

// The keys a group takes, with aws-sso-util's aliases.
var (
	keyGroups         = []string{"Groups", "Group"}
	keyUsers          = []string{"Users", "User"}
	keyPermissionSets = []string{"PermissionSets", "PermissionSet", "PermissionSetArn", "PermissionSetArns"}
	keyAccounts       = []string{"Accounts", "Account"}
	keyOUs            = []string{"OUs", "Ous", "OU", "Ou"}
	keyRecursiveOUs   = []string{"RecursiveOUs", "RecursiveOus", "RecursiveOU", "RecursiveOu"}
	keyInstance       = []string{"Instance", "InstanceArn", "InstanceARN"}
	keyName           = []string{"Name", "AssignmentGroupName"}
	keySettingsInt    = []string{"NumChildStacks", "NumChildTemplates", "MaxAssignmentsAllocation", "MaxResourcesPerTemplate", "MaxConcurrentAssignments"}
	keySettingsStr    = []string{"DefaultSessionDuration"}
)

// canonicalKeys are the keys suggested for a misspelt one.
var canonicalKeys = []string{"Groups", "Users", "PermissionSets", "Accounts", "OUs", "RecursiveOUs", "Instance", "Name",
	"NumChildStacks", "MaxAssignmentsAllocation", "MaxResourcesPerTemplate", "MaxConcurrentAssignments", "DefaultSessionDuration"}

// KnownKeys are the keys a group may have, aliases included.
func KnownKeys() []string {
	var out []string
	for _, ks := range [][]string{keyGroups, keyUsers, keyPermissionSets, keyAccounts, keyOUs, keyRecursiveOUs, keyInstance, keyName, keySettingsInt, keySettingsStr} {
		out = append(out, ks...)
	}
	return out
}

// Parse reads an assignments file. Every problem is reported with its line
// (as Errors); an empty file is an error.
func Parse(path string, data []byte) (*File, error) {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &Error{Pos: Pos{File: path}, Msg: "the file is empty; it should list assignment groups"}
		}
		return nil, yamlError(path, err)
	}
	var more yaml.Node
	if err := dec.Decode(&more); err == nil {
		return nil, &Error{Pos: posOf(path, &more), Msg: "a second YAML document: put every group in one list"}
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	f := &File{Path: path}
	var es Errors
	switch root.Kind {
	case yaml.MappingNode:
		f.Single = true
		f.Groups = append(f.Groups, parseGroup(path, root, &es))
	case yaml.SequenceNode:
		if len(root.Content) == 0 {
			es.add(posOf(path, root), "the list of assignment groups is empty")
		}
		for _, item := range root.Content {
			if item.Kind != yaml.MappingNode {
				es.add(posOf(path, item), "an assignment group must be a mapping with Groups/Users, PermissionSets and Accounts/OUs, not %s", kindName(item))
				continue
			}
			f.Groups = append(f.Groups, parseGroup(path, item, &es))
		}
	default:
		es.add(posOf(path, root), "the file must be a list of assignment groups (or one group), not %s", kindName(root))
	}
	if err := es.err(); err != nil {
		return nil, err
	}
	return f, nil
}

// ParseGroupNode reads one group from a mapping node (a macro
// AssignmentGroup's properties converted to config keys use this too).
func ParseGroupNode(path string, n *yaml.Node) (Group, error) {
	var es Errors
	g := parseGroup(path, n, &es)
	return g, es.err()
}

func yamlError(path string, err error) error {
	msg := err.Error()
	msg = strings.TrimPrefix(msg, "yaml: ")
	// yaml.v3 says "line N: …"; move the line into the position.
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if num, m, ok := strings.Cut(rest, ": "); ok {
			if n, err := strconv.Atoi(num); err == nil {
				return &Error{Pos: Pos{File: path, Line: n}, Msg: "not valid YAML: " + m}
			}
		}
	}
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	return &Error{Pos: Pos{File: path}, Msg: "not valid YAML: " + msg}
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
	case yaml.AliasNode:
		return "an alias"
	}
	return "a document"
}

func in(k string, keys []string) bool {
	for _, x := range keys {
		if x == k {
			return true
		}
	}
	return false
}

func parseGroup(path string, n *yaml.Node, es *Errors) Group {
	g := Group{Pos: posOf(path, n)}
	seen := map[string]Pos{}
	unknown := false
	canonical := func(k string) string {
		for _, ks := range [][]string{keyGroups, keyUsers, keyPermissionSets, keyAccounts, keyOUs, keyRecursiveOUs, keyInstance, keyName} {
			if in(k, ks) {
				return ks[0]
			}
		}
		if k == "NumChildTemplates" {
			return "NumChildStacks"
		}
		return k
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		kn, vn := n.Content[i], n.Content[i+1]
		k := kn.Value
		kp := posOf(path, kn)
		c := canonical(k)
		if prev, dup := seen[c]; dup {
			es.add(kp, "%s is given twice (first at line %d)", k, prev.Line)
			continue
		}
		seen[c] = kp
		switch {
		case in(k, keyGroups):
			g.Groups = values(path, k, vn, false, es)
		case in(k, keyUsers):
			g.Users = values(path, k, vn, false, es)
		case in(k, keyPermissionSets):
			g.PermissionSets = values(path, k, vn, true, es)
		case in(k, keyAccounts):
			g.Accounts = values(path, k, vn, false, es)
			for i := range g.Accounts {
				g.Accounts[i].Text = accountID(g.Accounts[i].Text)
			}
		case in(k, keyOUs):
			g.OUs = values(path, k, vn, false, es)
		case in(k, keyRecursiveOUs):
			g.RecursiveOUs = values(path, k, vn, false, es)
		case in(k, keyInstance):
			vs := values(path, k, vn, false, es)
			if len(vs) > 1 {
				es.add(posOf(path, vn), "Instance takes one instance, not a list")
			} else if len(vs) == 1 {
				g.Instance = &vs[0]
			}
		case in(k, keyName):
			if vn.Kind == yaml.ScalarNode {
				g.Name = vn.Value
			} else {
				es.add(posOf(path, vn), "%s must be text, not %s", k, kindName(vn))
			}
		case in(k, keySettingsInt):
			v, err := strconv.Atoi(vn.Value)
			if vn.Kind != yaml.ScalarNode || err != nil || v < 0 {
				es.add(posOf(path, vn), "%s must be a whole number ≥ 0, not %s", k, kindName(vn))
				continue
			}
			switch c {
			case "NumChildStacks":
				g.Settings.NumChildStacks = &v
			case "MaxAssignmentsAllocation":
				g.Settings.MaxAssignmentsAllocation = &v
			case "MaxResourcesPerTemplate":
				g.Settings.MaxResourcesPerTemplate = &v
			case "MaxConcurrentAssignments":
				g.Settings.MaxConcurrentAssignments = &v
			}
		case in(k, keySettingsStr):
			g.Settings.DefaultSessionDuration = vn.Value
		default:
			unknown = true
			msg := fmt.Sprintf("unknown key %q", k)
			if s := inventory.Closest(k, canonicalKeys, 2); len(s) > 0 {
				msg += "; did you mean " + quoteList(s) + "?"
			} else {
				msg += " (a group takes Groups, Users, PermissionSets, Accounts, OUs, RecursiveOUs, Instance)"
			}
			es.add(kp, "%s", msg)
		}
	}
	// A key given with only bad entries was reported already, and a
	// misspelt key is likely the one missing.
	if unknown {
		return g
	}
	_, hasG := seen["Groups"]
	_, hasU := seen["Users"]
	_, hasP := seen["PermissionSets"]
	_, hasA := seen["Accounts"]
	_, hasO := seen["OUs"]
	_, hasR := seen["RecursiveOUs"]
	if len(g.Groups)+len(g.Users) == 0 && !hasG && !hasU {
		es.add(g.Pos, "this group names no principals: add Groups or Users")
	}
	if len(g.PermissionSets) == 0 && !hasP {
		es.add(g.Pos, "this group names no permission sets: add PermissionSets")
	}
	if len(g.Accounts)+len(g.OUs)+len(g.RecursiveOUs) == 0 && !hasA && !hasO && !hasR {
		es.add(g.Pos, "this group names no targets: add Accounts, OUs or RecursiveOUs")
	}
	return g
}

// accountID pads an account id YAML read as a number back to 12 digits
// (as aws-sso-util does); other text is kept.
func accountID(s string) string {
	if s == "" || len(s) >= 12 {
		return s
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return s
		}
	}
	return strings.Repeat("0", 12-len(s)) + s
}

// values reads a scalar or a list of scalars (or, where allowed, inline
// permission-set mappings); CloudFormation intrinsics are kept as nodes.
func values(path, key string, n *yaml.Node, inline bool, es *Errors) []Value {
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if isIntrinsic(n) {
		return []Value{{Pos: posOf(path, n), Node: n}}
	}
	items := []*yaml.Node{n}
	if n.Kind == yaml.SequenceNode {
		items = n.Content
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil
	}
	var out []Value
	for _, it := range items {
		if it.Kind == yaml.AliasNode {
			it = it.Alias
		}
		p := posOf(path, it)
		switch {
		case isIntrinsic(it):
			out = append(out, Value{Pos: p, Node: it})
		case it.Kind == yaml.ScalarNode && it.Tag != "!!null":
			if strings.TrimSpace(it.Value) == "" {
				es.add(p, "an empty entry in %s", key)
				continue
			}
			out = append(out, Value{Pos: p, Text: strings.TrimSpace(it.Value)})
		case it.Kind == yaml.MappingNode && inline:
			out = append(out, Value{Pos: p, Inline: it})
		default:
			es.add(p, "an entry of %s must be a name or id, not %s", key, kindName(it))
		}
	}
	return out
}

// isIntrinsic reports whether n is a CloudFormation intrinsic function:
// a short-form tag (!Ref, !GetAtt, !Sub, …) or a one-key mapping whose key
// is Ref or Fn::….
func isIntrinsic(n *yaml.Node) bool {
	if strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!") {
		return true
	}
	if n.Kind == yaml.MappingNode && len(n.Content) == 2 {
		k := n.Content[0].Value
		return k == "Ref" || strings.HasPrefix(k, "Fn::") || k == "Condition"
	}
	return false
}

func quoteList(s []string) string {
	q := make([]string, len(s))
	for i, x := range s {
		q[i] = strconv.Quote(x)
	}
	if len(q) == 1 {
		return q[0]
	}
	return strings.Join(q[:len(q)-1], ", ") + " or " + q[len(q)-1]
}
