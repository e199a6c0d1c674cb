package cfn

import (
	"bytes"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/ssoctl/ssoctl/internal/assignments/file"
)

// The names aws-sso-util's macro defines.
const (
	Transform              = "AWS-SSO-Util-2020-11-08"
	AssignmentGroupType    = "SSOUtil::SSO::AssignmentGroup"
	MacroPermissionSetType = "SSOUtil::SSO::PermissionSet"
)

// Macro is a template that uses aws-sso-util's macro, taken apart: the
// template without the transform and its AssignmentGroup resources (the
// base the output is layered onto), and each AssignmentGroup as an
// assignments-file group.
type Macro struct {
	Base *yaml.Node
	File *file.File
	// Resources are the AssignmentGroup logical ids, one per group.
	Resources []string
	// Settings are the template's Metadata.SSO generation settings.
	Settings file.Settings
}

// ParseMacro reads a template using SSOUtil::SSO::AssignmentGroup
// resources (Transform: AWS-SSO-Util-2020-11-08), expanding nothing yet:
// principals, permission sets and targets are resolved like a config
// file's, with the same line-numbered errors.
func ParseMacro(path string, data []byte) (*Macro, error) {
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&doc); err != nil {
		return nil, &file.Error{Pos: file.Pos{File: path}, Msg: "not a valid YAML template: " + strings.TrimPrefix(err.Error(), "yaml: ")}
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	at := func(n *yaml.Node) file.Pos { return file.Pos{File: path, Line: n.Line, Col: n.Column} }
	res := get(root, "Resources")
	if root.Kind != yaml.MappingNode || res == nil || res.Kind != yaml.MappingNode {
		return nil, &file.Error{Pos: at(root), Msg: "a template needs a Resources mapping"}
	}
	m := &Macro{File: &file.File{Path: path}}
	var errs file.Errors
	// The transform goes: the output no longer needs the macro.
	if t := get(root, "Transform"); t != nil {
		switch {
		case t.Kind == yaml.ScalarNode && t.Value == Transform:
			del(root, "Transform")
		case t.Kind == yaml.SequenceNode:
			var keep []*yaml.Node
			for _, x := range t.Content {
				if x.Value != Transform {
					keep = append(keep, x)
				}
			}
			if len(keep) == 0 {
				del(root, "Transform")
			} else {
				t.Content = keep
			}
		}
	}
	kept := mapping()
	for i := 0; i+1 < len(res.Content); i += 2 {
		name, r := res.Content[i], res.Content[i+1]
		typ := get(r, "Type")
		if typ == nil || typ.Value != AssignmentGroupType {
			kept.Content = append(kept.Content, name, r)
			continue
		}
		g, err := groupOfResource(path, name.Value, r)
		if err != nil {
			errs = append(errs, file.ErrorList(err)...)
			continue
		}
		m.File.Groups = append(m.File.Groups, g)
		m.Resources = append(m.Resources, name.Value)
	}
	set(root, "Resources", kept)
	if sso := get(get(root, "Metadata"), "SSO"); sso != nil {
		g, _ := file.ParseGroupNode(path, sso)
		m.Settings = g.Settings
	}
	if len(m.File.Groups) == 0 && len(errs) == 0 {
		errs = append(errs, &file.Error{Pos: at(res), Msg: "the template has no " + AssignmentGroupType + " resources"})
	}
	if len(errs) > 0 {
		return nil, errs
	}
	m.Base = root
	return m, nil
}

// groupOfResource turns an AssignmentGroup resource's properties into
// config-file keys (keeping the value nodes, so errors keep their lines)
// and parses them as a group.
func groupOfResource(path, name string, r *yaml.Node) (file.Group, error) {
	props := get(r, "Properties")
	at := file.Pos{File: path, Line: r.Line}
	if props == nil || props.Kind != yaml.MappingNode {
		return file.Group{}, &file.Error{Pos: at, Msg: name + ": an AssignmentGroup needs Properties"}
	}
	lists := map[string]*yaml.Node{}
	add := func(key string, v *yaml.Node) {
		l := lists[key]
		if l == nil {
			l = &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Line: v.Line, Column: v.Column}
			lists[key] = l
		}
		if v.Kind == yaml.SequenceNode {
			l.Content = append(l.Content, v.Content...)
		} else {
			l.Content = append(l.Content, v)
		}
	}
	var errs file.Errors
	cfg := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: r.Line, Column: r.Column}
	items := func(n *yaml.Node) []*yaml.Node {
		if n.Kind == yaml.SequenceNode {
			return n.Content
		}
		return []*yaml.Node{n}
	}
	first := func(n *yaml.Node, ks ...string) *yaml.Node {
		for _, k := range ks {
			if v := get(n, k); v != nil {
				return v
			}
		}
		return nil
	}
	for i := 0; i+1 < len(props.Content); i += 2 {
		k, v := props.Content[i], props.Content[i+1]
		pos := file.Pos{File: path, Line: k.Line, Col: k.Column}
		switch k.Value {
		case "Name":
			if v.Kind == yaml.ScalarNode && v.Tag == "!!str" {
				cfg.Content = append(cfg.Content, str("Name"), v)
			}
		case "Instance", "InstanceArn", "InstanceARN":
			cfg.Content = append(cfg.Content, str("Instance"), v)
		case "UpdateNonce":
		case "Principal", "Principals":
			for _, p := range items(v) {
				typ := first(p, "Type", "PrincipalType")
				ids := first(p, "Id", "PrincipalId", "Ids", "PrincipalIds")
				switch {
				case typ == nil || ids == nil:
					errs = append(errs, &file.Error{Pos: file.Pos{File: path, Line: p.Line}, Msg: name + ": a Principal needs Type and Id"})
				case strings.EqualFold(typ.Value, "GROUP"):
					add("Groups", ids)
				case strings.EqualFold(typ.Value, "USER"):
					add("Users", ids)
				default:
					errs = append(errs, &file.Error{Pos: file.Pos{File: path, Line: typ.Line}, Msg: fmt.Sprintf("%s: principal Type %q must be GROUP or USER", name, typ.Value)})
				}
			}
		case "PermissionSet", "PermissionSets", "PermissionSetArn", "PermissionSetArns":
			add("PermissionSets", v)
		case "Target", "Targets":
			for _, t := range items(v) {
				typ := first(t, "Type", "TargetType")
				ids := first(t, "Id", "TargetId", "Ids", "TargetIds")
				rec := get(t, "Recursive")
				switch {
				case typ == nil || ids == nil:
					errs = append(errs, &file.Error{Pos: file.Pos{File: path, Line: t.Line}, Msg: name + ": a Target needs Type and Id"})
				case strings.EqualFold(typ.Value, "AWS_ACCOUNT"):
					add("Accounts", ids)
				case strings.EqualFold(typ.Value, "AWS_OU") && rec != nil && rec.Value == "true":
					add("RecursiveOUs", ids)
				case strings.EqualFold(typ.Value, "AWS_OU"):
					add("OUs", ids)
				default:
					errs = append(errs, &file.Error{Pos: file.Pos{File: path, Line: typ.Line}, Msg: fmt.Sprintf("%s: target Type %q must be AWS_ACCOUNT or AWS_OU", name, typ.Value)})
				}
			}
		default:
			errs = append(errs, &file.Error{Pos: pos, Msg: fmt.Sprintf("%s: unknown AssignmentGroup property %q (it takes Name, InstanceArn, Principal, PermissionSet, Target, UpdateNonce)", name, k.Value)})
		}
	}
	for _, k := range []string{"Groups", "Users", "PermissionSets", "Accounts", "OUs", "RecursiveOUs"} {
		if l := lists[k]; l != nil {
			cfg.Content = append(cfg.Content, str(k), l)
		}
	}
	g, err := file.ParseGroupNode(path, cfg)
	errs = append(errs, file.ErrorList(err)...)
	if len(errs) > 0 {
		return g, errs
	}
	return g, nil
}
