package iac

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/ssoctl/ssoctl/internal/assignments"
	"github.com/ssoctl/ssoctl/internal/assignments/file"
	"github.com/ssoctl/ssoctl/internal/assignments/list"
	"github.com/ssoctl/ssoctl/internal/fanout"
	"github.com/ssoctl/ssoctl/internal/groups"
	"github.com/ssoctl/ssoctl/internal/inventory"
	"github.com/ssoctl/ssoctl/internal/permsets"
)

// Export is the live state in the file's format.
type Export struct {
	Instance       inventory.Instance `json:"instance"`
	PermissionSets []*permsets.Live   `json:"permissionSets"`
	Groups         []*groups.Live     `json:"groups"`
	Assignments    []file.ExportGroup `json:"assignments"`
	Counts         ExportCounts       `json:"counts"`
	// userRef names a user in the file: the user name, or the id when
	// the name is shared or unknown.
	userRef map[string]string
}

// ExportCounts sum an export up.
type ExportCounts struct {
	PermissionSets int `json:"permissionSets"`
	Groups         int `json:"groups"`
	Members        int `json:"members"`
	Assignments    int `json:"assignments"`
	// Orphans are assignments of deleted users or groups, left out (they
	// cannot be declared; prune removes them).
	Orphans int `json:"orphans"`
	// Grants are just-in-time grants' permission sets (ssoctl-jit-*),
	// left out with their assignments: ssoctl grant manages them, not the
	// file.
	Grants           int `json:"grants"`
	GrantAssignments int `json:"grantAssignments"`
}

// ReadExport reads the whole live state: every permission set with every
// attribute (five calls each, six for one the directory did not describe), every group (a ListGroups page per 100) with
// its members (a call each), every user's name (a ListUsers page per 100),
// and every assignment through the one lister.
func ReadExport(ctx context.Context, c Clients, dir Directory, instanceArn string, progress func(string, int, int)) (*Export, error) {
	step := func(what string) {
		if progress != nil {
			progress(what, 0, 0)
		}
	}
	inst, err := dir.Instance(ctx, instanceArn)
	if err != nil {
		return nil, err
	}
	ex := &Export{Instance: inst, userRef: map[string]string{}}
	step("reading permission sets")
	sets, err := dir.PermissionSets(ctx)
	if err != nil {
		return nil, err
	}
	var arns []string
	grantArns := map[string]bool{}
	for _, s := range sets {
		if IsGrant(s.Name) {
			grantArns[s.Arn] = true
			ex.Counts.Grants++
			continue
		}
		arns = append(arns, s.Arn)
	}
	if ex.PermissionSets, err = readPermissionSets(ctx, c.SSOAdmin, dir, inst.Arn, arns); err != nil {
		return nil, err
	}
	sort.Slice(ex.PermissionSets, func(i, j int) bool { return ex.PermissionSets[i].Name < ex.PermissionSets[j].Name })
	step("reading groups")
	if ex.Groups, err = groups.List(ctx, dir); err != nil {
		return nil, err
	}
	res := fanout.Map(ctx, ex.Groups, readLimit, func(ctx context.Context, g *groups.Live) (struct{}, error) {
		return struct{}{}, groups.ReadMembers(ctx, c.IdentityStore, inst.IdentityStoreId, g)
	})
	for _, r := range res {
		if r.Err != nil {
			return nil, r.Err
		}
	}
	step("reading users")
	users, err := dir.Users(ctx)
	if err != nil {
		return nil, err
	}
	nameCount := map[string]int{}
	for _, u := range users {
		nameCount[u.UserName]++
	}
	userNames := map[string]string{}
	for _, u := range users {
		userNames[u.Id] = u.UserName
		if nameCount[u.UserName] == 1 && u.UserName != "" {
			ex.userRef[u.Id] = u.UserName
		} else {
			ex.userRef[u.Id] = u.Id
		}
	}
	for _, g := range ex.Groups {
		for i, m := range g.Members {
			g.Members[i].UserName = userNames[m.UserId]
			ex.Counts.Members++
		}
	}
	var live []assignments.Assignment
	lr, err := list.List(ctx, c.Inventory(), inst, list.Selection{}, list.Options{Method: list.ByPermissionSet, Progress: progress},
		func(a assignments.Assignment) error {
			if grantArns[a.PermissionSetArn] {
				ex.Counts.GrantAssignments++
				return nil
			}
			live = append(live, a)
			return nil
		})
	if err != nil {
		return nil, err
	}
	if len(lr.Errors) > 0 {
		items := make([]string, 0, len(lr.Errors))
		for _, e := range lr.Errors {
			items = append(items, e.Item+": "+e.Error)
		}
		return nil, fmt.Errorf("%s could not be listed (%s): an export missing them would be wrong", plural(len(lr.Errors), "item"), strings.Join(items, "; "))
	}
	names := file.ExportNames{PermissionSets: map[string]string{}, Users: userNames, Groups: map[string]string{}}
	for _, s := range sets {
		names.PermissionSets[s.Arn] = s.Name
	}
	for _, g := range ex.Groups {
		names.Groups[g.Id] = g.Name
	}
	if names.Accounts, err = dir.Accounts(ctx); err != nil {
		return nil, err
	}
	if names.ManagementAccount, err = dir.ManagementAccount(ctx); err != nil {
		return nil, err
	}
	ae := file.MakeExport(live, names)
	ex.Assignments = ae.Groups
	if ex.Assignments == nil {
		ex.Assignments = []file.ExportGroup{}
	}
	ex.Counts.PermissionSets, ex.Counts.Groups = len(ex.PermissionSets), len(ex.Groups)
	ex.Counts.Assignments, ex.Counts.Orphans = ae.Assignments, ae.Orphans
	return ex, nil
}

// Encode writes the export as an Identity Center file, with a header
// comment: planned right after, it shows no changes.
func (ex *Export) Encode(header string) ([]byte, error) {
	root := &yaml.Node{Kind: yaml.MappingNode}
	sets := &yaml.Node{Kind: yaml.MappingNode}
	for _, ps := range ex.PermissionSets {
		sets.Content = append(sets.Content, str(ps.Name), permissionSetNode(ps.Desired))
	}
	gs := &yaml.Node{Kind: yaml.MappingNode}
	groupCount := map[string]int{}
	for _, g := range ex.Groups {
		groupCount[g.Name]++
	}
	for _, g := range ex.Groups {
		n := &yaml.Node{Kind: yaml.MappingNode}
		if g.Description != "" {
			n.Content = append(n.Content, str("Description"), str(g.Description))
		}
		members := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
		var refs []string
		for _, m := range g.Members {
			ref := ex.userRef[m.UserId]
			if ref == "" {
				ref = m.UserId
			}
			refs = append(refs, ref)
		}
		sort.Strings(refs)
		for _, r := range refs {
			members.Content = append(members.Content, str(r))
		}
		if len(refs) > 8 {
			members.Style = 0
		}
		n.Content = append(n.Content, str("Members"), members)
		gs.Content = append(gs.Content, str(g.Name), n)
	}
	var asg yaml.Node
	if err := asg.Encode(ex.Assignments); err != nil {
		return nil, fmt.Errorf("encode the export: %w", err)
	}
	for _, g := range asg.Content {
		for i := 1; i < len(g.Content); i += 2 {
			if len(g.Content[i].Content) <= 6 {
				g.Content[i].Style = yaml.FlowStyle
			}
		}
	}
	if len(ex.Assignments) == 0 {
		asg = yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Style: yaml.FlowStyle}
	}
	root.Content = append(root.Content,
		str(SectionPermissionSets), orEmpty(sets),
		str(SectionGroups), orEmpty(gs),
		str(SectionAssignments), &asg)
	var b strings.Builder
	for _, line := range strings.Split(strings.TrimRight(header, "\n"), "\n") {
		b.WriteString("# " + line + "\n")
	}
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(root); err != nil {
		return nil, fmt.Errorf("encode the export: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return []byte(b.String()), nil
}

// orEmpty writes an empty mapping as {} (an empty section still counts).
func orEmpty(n *yaml.Node) *yaml.Node {
	if len(n.Content) == 0 {
		n.Style = yaml.FlowStyle
	}
	return n
}

func str(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s} }

// permissionSetNode is a permission set's attributes as the file writes
// them.
func permissionSetNode(d permsets.Desired) *yaml.Node {
	n := &yaml.Node{Kind: yaml.MappingNode}
	add := func(k string, v *yaml.Node) { n.Content = append(n.Content, str(k), v) }
	if d.Description != "" {
		add(permsets.AttrDescription, str(d.Description))
	}
	add(permsets.AttrSessionDuration, str(d.SessionDuration))
	if d.RelayState != "" {
		add(permsets.AttrRelayState, str(d.RelayState))
	}
	if len(d.ManagedPolicies) > 0 {
		l := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
		for _, a := range d.ManagedPolicies {
			l.Content = append(l.Content, str(a))
		}
		add(permsets.AttrManagedPolicies, l)
	}
	ref := func(r *permsetsRef) *yaml.Node {
		path := r.Path
		if path == "" {
			path = "/"
		}
		return &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle, Content: []*yaml.Node{str("Name"), str(r.Name), str("Path"), str(path)}}
	}
	if len(d.CustomerManagedPolicies) > 0 {
		l := &yaml.Node{Kind: yaml.SequenceNode}
		for _, r := range d.CustomerManagedPolicies {
			l.Content = append(l.Content, ref(&permsetsRef{r.Name, r.Path}))
		}
		add(permsets.AttrCustomerManagedPolicies, l)
	}
	if d.InlinePolicy != "" {
		if v, err := decodeJSON(d.InlinePolicy); err == nil {
			add(permsets.AttrInlinePolicy, v)
		} else {
			add(permsets.AttrInlinePolicy, str(d.InlinePolicy))
		}
	}
	if b := d.PermissionsBoundary; b != nil {
		bn := &yaml.Node{Kind: yaml.MappingNode}
		if b.CustomerManagedPolicy != nil {
			bn.Content = append(bn.Content, str("CustomerManagedPolicy"), ref(&permsetsRef{b.CustomerManagedPolicy.Name, b.CustomerManagedPolicy.Path}))
		} else {
			bn.Content = append(bn.Content, str("ManagedPolicyArn"), str(b.ManagedPolicyArn))
		}
		add(permsets.AttrPermissionsBoundary, bn)
	}
	if len(d.Tags) > 0 {
		tn := &yaml.Node{Kind: yaml.MappingNode}
		for _, t := range d.Tags {
			tn.Content = append(tn.Content, str(t.Key), str(t.Value))
		}
		add(permsets.AttrTags, tn)
	}
	return n
}

type permsetsRef struct{ Name, Path string }

// decodeJSON reads a JSON document as a YAML node, keys in the document's
// order.
func decodeJSON(doc string) (*yaml.Node, error) {
	dec := json.NewDecoder(strings.NewReader(doc))
	dec.UseNumber()
	n, err := jsonValue(dec)
	if err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("text after the document")
	}
	return n, nil
}

func jsonValue(dec *json.Decoder) (*yaml.Node, error) {
	t, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch v := t.(type) {
	case json.Delim:
		switch v {
		case '{':
			n := &yaml.Node{Kind: yaml.MappingNode}
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return nil, err
				}
				key, _ := k.(string)
				val, err := jsonValue(dec)
				if err != nil {
					return nil, err
				}
				n.Content = append(n.Content, str(key), val)
			}
			_, err := dec.Token()
			return n, err
		case '[':
			n := &yaml.Node{Kind: yaml.SequenceNode}
			for dec.More() {
				val, err := jsonValue(dec)
				if err != nil {
					return nil, err
				}
				n.Content = append(n.Content, val)
			}
			if len(n.Content) > 0 && len(n.Content) <= 4 && allScalars(n.Content) {
				n.Style = yaml.FlowStyle
			}
			_, err := dec.Token()
			return n, err
		}
	case string:
		return str(v), nil
	case json.Number:
		tag := "!!int"
		if strings.ContainsAny(v.String(), ".eE") {
			tag = "!!float"
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: v.String()}, nil
	case bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: fmt.Sprint(v)}, nil
	case nil:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}, nil
	}
	return nil, fmt.Errorf("unexpected %v", t)
}

func allScalars(ns []*yaml.Node) bool {
	for _, n := range ns {
		if n.Kind != yaml.ScalarNode {
			return false
		}
	}
	return true
}
