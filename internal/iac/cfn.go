package iac

import (
	"strings"
	"unicode"

	"go.yaml.in/yaml/v3"

	"github.com/ssoctl/ssoctl/internal/assignments/cfn"
	"github.com/ssoctl/ssoctl/internal/assignments/file"
	"github.com/ssoctl/ssoctl/internal/permsets"
)

// Identity Center files as CloudFormation (`ssoctl assignments cfn`): each
// declared permission set an AWS::SSO::PermissionSet resource, and the
// Assignments section's groups assignments that refer to those resources
// (Fn::GetAtt …PermissionSetArn) where they name a declared set. Property
// names are those of cfn-lint's schema for AWS::SSO::PermissionSet.

// IsFile reports whether data looks like an Identity Center file rather
// than an assignments file: a mapping with an Assignments section, or
// whose PermissionSets or Groups is a mapping (an aws-sso-util config file
// lists them).
func IsFile(data []byte) bool {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil || len(doc.Content) != 1 {
		return false
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return false
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i].Value, resolveAlias(root.Content[i+1])
		switch {
		case k == SectionAssignments:
			return true
		case (k == SectionPermissionSets || k == SectionGroups) && v.Kind == yaml.MappingNode:
			return true
		}
	}
	return false
}

// CloudFormation is f as CloudFormation: a resource per declared
// permission set, and the assignment groups, in which a declared set is
// referred to by its resource. Groups the file declares are not made by
// the template (they must exist).
func (f *File) CloudFormation() ([]cfn.Resource, *file.File, error) {
	ids := map[string]string{}
	byID := map[string]string{}
	var res []cfn.Resource
	var e errs
	for _, ps := range f.PermissionSets {
		id := "PermSet" + logicalName(ps.Desired.Name)
		if other, taken := byID[id]; taken {
			e.add(ps.Pos, "permission sets %s and %s would both be the resource %s (a logical id keeps only letters and digits): rename one", other, ps.Desired.Name, id)
			continue
		}
		byID[id] = ps.Desired.Name
		ids[ps.Desired.Name] = id
		res = append(res, cfn.Resource{LogicalId: id, Node: permissionSetResource(ps.Desired)})
	}
	out := &file.File{Path: f.Path}
	if f.Assignments != nil {
		out.Single = f.Assignments.Single
		for _, g := range f.Assignments.Groups {
			sets := make([]file.Value, len(g.PermissionSets))
			for i, v := range g.PermissionSets {
				if id, ok := ids[v.Text]; ok && v.IsText() {
					v = file.Value{Pos: v.Pos, Node: cmap("Fn::GetAtt", cseq(cstr(id), cstr("PermissionSetArn")))}
				}
				sets[i] = v
			}
			g.PermissionSets = sets
			out.Groups = append(out.Groups, g)
		}
	}
	if err := e.err(); err != nil {
		return nil, nil, err
	}
	return res, out, nil
}

// permissionSetResource is d as an AWS::SSO::PermissionSet (the instance
// is filled in by the generator).
func permissionSetResource(d permsets.Desired) *yaml.Node {
	props := cmap("Name", cstr(d.Name))
	add := func(k string, v *yaml.Node) { cmapAdd(props, k, v) }
	if d.Description != "" {
		add("Description", cstr(d.Description))
	}
	if d.SessionDuration != "" {
		add("SessionDuration", cstr(d.SessionDuration))
	}
	if d.RelayState != "" {
		add("RelayStateType", cstr(d.RelayState))
	}
	if len(d.ManagedPolicies) > 0 {
		l := cseq()
		for _, a := range d.ManagedPolicies {
			l.Content = append(l.Content, cstr(a))
		}
		add("ManagedPolicies", l)
	}
	if len(d.CustomerManagedPolicies) > 0 {
		l := cseq()
		for _, r := range d.CustomerManagedPolicies {
			l.Content = append(l.Content, cfnPolicyRef(r.Name, r.Path))
		}
		add("CustomerManagedPolicyReferences", l)
	}
	if d.InlinePolicy != "" {
		add("InlinePolicy", cstr(d.InlinePolicy))
	}
	if b := d.PermissionsBoundary; b != nil {
		switch {
		case b.CustomerManagedPolicy != nil:
			add("PermissionsBoundary", cmap("CustomerManagedPolicyReference", cfnPolicyRef(b.CustomerManagedPolicy.Name, b.CustomerManagedPolicy.Path)))
		case b.ManagedPolicyArn != "":
			add("PermissionsBoundary", cmap("ManagedPolicyArn", cstr(b.ManagedPolicyArn)))
		}
	}
	if len(d.Tags) > 0 {
		l := cseq()
		for _, t := range d.Tags {
			l.Content = append(l.Content, cmapAdd(cmap("Key", cstr(t.Key)), "Value", cstr(t.Value)))
		}
		add("Tags", l)
	}
	return cmapAdd(cmap("Type", cstr("AWS::SSO::PermissionSet")), "Properties", props)
}

func cfnPolicyRef(name, path string) *yaml.Node {
	n := cmap("Name", cstr(name))
	if path != "" {
		cmapAdd(n, "Path", cstr(path))
	}
	return n
}

// logicalName is name with what a logical id may not hold (anything but
// letters and digits) left out, as the generator names inline sets.
func logicalName(name string) string {
	var b strings.Builder
	for _, r := range name {
		if r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func cstr(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s} }

func cseq(items ...*yaml.Node) *yaml.Node {
	return &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Content: items}
}

// cmap is a mapping of one key to a value; cmapAdd adds more.
func cmap(key string, value *yaml.Node) *yaml.Node {
	return cmapAdd(&yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}, key, value)
}

func cmapAdd(n *yaml.Node, key string, value *yaml.Node) *yaml.Node {
	n.Content = append(n.Content, cstr(key), value)
	return n
}
