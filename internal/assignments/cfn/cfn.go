// Package cfn generates CloudFormation templates of IAM Identity Center
// assignments from resolved assignment groups: one AWS::SSO::Assignment
// per principal × permission set × account, with a logical id that is a
// hash of what the assignment is, and — when they do not fit in one
// template — child stacks chosen by that same hash, so an assignment never
// moves between stacks as others come and go. It takes what aws-sso-util's
// `admin cfn` takes (config files, or templates using its
// SSOUtil::SSO::AssignmentGroup macro resource), and generates without
// calling AWS: names are resolved by the caller (package file, the same
// declared file that plan compares with the live assignments). Build and
// Generation.Write lay a whole generation out in its output folder: the
// previous generation's number of child stacks kept, stale child
// templates removed.
package cfn

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/ssoctl/ssoctl/internal/assignments/file"
)

// Defaults.
const (
	// MaxResourcesPerTemplate is CloudFormation's limit of resources in
	// one template.
	MaxResourcesPerTemplate = 500
	// MaxConcurrentAssignments is how many assignments CloudFormation
	// creates at once (DependsOn chains the rest): Identity Center allows
	// 15 outstanding assignment requests, a limit that cannot be raised.
	MaxConcurrentAssignments = 15
)

// Settings tune generation; zero values are the defaults.
type Settings struct {
	// NumChildStacks fixes the number of child stacks (0: none). nil
	// chooses: none when everything fits in one template, else room for
	// twice today's assignments. Keep the number once chosen: it decides
	// which stack holds each assignment.
	NumChildStacks *int
	// MaxAssignmentsAllocation sets NumChildStacks to
	// ⌈MaxAssignmentsAllocation / MaxResourcesPerTemplate⌉ (the larger of
	// the two wins when both are set).
	MaxAssignmentsAllocation *int
	MaxResourcesPerTemplate  int
	MaxConcurrentAssignments int
	// DefaultSessionDuration is set on permission sets that have none.
	DefaultSessionDuration string
}

// Merge returns s with the unset fields taken from file settings (so
// command-line values win over a config file's).
func (s Settings) Merge(f file.Settings) Settings {
	if s.NumChildStacks == nil {
		s.NumChildStacks = f.NumChildStacks
	}
	if s.MaxAssignmentsAllocation == nil {
		s.MaxAssignmentsAllocation = f.MaxAssignmentsAllocation
	}
	if s.MaxResourcesPerTemplate == 0 && f.MaxResourcesPerTemplate != nil {
		s.MaxResourcesPerTemplate = *f.MaxResourcesPerTemplate
	}
	if s.MaxConcurrentAssignments == 0 && f.MaxConcurrentAssignments != nil {
		s.MaxConcurrentAssignments = *f.MaxConcurrentAssignments
	}
	if s.DefaultSessionDuration == "" {
		s.DefaultSessionDuration = f.DefaultSessionDuration
	}
	return s
}

func (s Settings) maxResources() int {
	if s.MaxResourcesPerTemplate > 0 {
		return s.MaxResourcesPerTemplate
	}
	return MaxResourcesPerTemplate
}

func (s Settings) maxConcurrent() int {
	if s.MaxConcurrentAssignments > 0 {
		return s.MaxConcurrentAssignments
	}
	return MaxConcurrentAssignments
}

// childStacks is the number of child stacks the settings fix (nil: none fixed).
func (s Settings) childStacks() *int {
	var n *int
	if s.MaxAssignmentsAllocation != nil && *s.MaxAssignmentsAllocation > 0 {
		k := (*s.MaxAssignmentsAllocation + s.maxResources() - 1) / s.maxResources()
		n = &k
	}
	if s.NumChildStacks != nil && (n == nil || *s.NumChildStacks > *n) {
		n = s.NumChildStacks
	}
	return n
}

// Input is one stack to generate: the groups of one config file or macro
// template.
type Input struct {
	// Stem names the output: <stem>.yaml, and child templates
	// <stem>/<stem>-000.yaml …
	Stem        string
	InstanceArn string
	Groups      []file.ResolvedGroup
	// GroupResources are, for a macro template, the logical id of the
	// AssignmentGroup each group came from ("" for config files).
	GroupResources []string
	// Base is the template (a mapping) the output is layered onto: a
	// --base-template-file, or a macro template with its AssignmentGroups
	// taken out. nil starts empty.
	Base     *yaml.Node
	Settings Settings
}

// Template is one generated template and its path relative to the output
// folder.
type Template struct {
	Path string
	Node *yaml.Node
}

// Row is one generated assignment, in aws-sso-util's assignments CSV
// columns plus the OU it came from.
type Row struct {
	InstanceArn       string
	PrincipalType     string
	PrincipalId       string
	PrincipalName     string
	PermissionSetArn  string
	PermissionSetName string
	TargetType        string
	TargetId          string
	TargetName        string
	SourceOU          string
	LogicalId         string
	// Stack is the child stack's index (-1: the parent template).
	Stack int
}

// CSVHeader are the columns of Row, as aws-sso-util's --assignments-csv
// writes them (plus source_ou).
var CSVHeader = []string{"instance_arn", "principal_type", "principal_id", "principal_name", "permission_set_arn", "permission_set_name", "target_type", "target_id", "target_name", "source_ou"}

// Record is the row as CSV fields in CSVHeader's order.
func (r Row) Record() []string {
	return []string{r.InstanceArn, r.PrincipalType, r.PrincipalId, r.PrincipalName, r.PermissionSetArn, r.PermissionSetName, r.TargetType, r.TargetId, r.TargetName, r.SourceOU}
}

// Output is the generated parent template, its children and the rows.
type Output struct {
	Parent   Template
	Children []Template
	Rows     []Row
	// NumChildStacks is the number of child stacks placement uses (some
	// may be empty and not written); Automatic says it was chosen here.
	NumChildStacks int
	Automatic      bool
}

// MetadataKey is the parent template's Metadata key under which the number
// of child stacks is recorded, so a later run can keep it.
const MetadataKey = "SSOCTL"

// RecordedChildStacks reads the number of child stacks a previous
// generation recorded in its parent template (false when none is).
func RecordedChildStacks(parent *yaml.Node) (int, bool) {
	root := parent
	if root != nil && root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	n := get(get(get(root, "Metadata"), MetadataKey), "NumChildStacks")
	if n == nil {
		return 0, false
	}
	var v int
	if err := n.Decode(&v); err != nil || v < 0 {
		return 0, false
	}
	return v, true
}

// entry is one assignment to generate.
type entry struct {
	hash      [32]byte
	id        string
	principal file.Principal
	ps        file.PermissionSet
	psRes     string // logical id of an inline permission set
	target    file.Target
	group     *file.Group
	groupRes  string
}

// expression is a raw value in a child template: the parameter standing for
// it there, and what the parent passes.
type expression struct {
	param string
	value *yaml.Node
}

// Generate builds the templates for in.
func Generate(in Input) (*Output, error) {
	s := in.Settings
	if in.InstanceArn == "" {
		return nil, fmt.Errorf("no Identity Center instance to generate for")
	}
	base := clone(in.Base)
	if base == nil {
		base = mapping()
	}
	if base.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("the base template must be a mapping")
	}
	baseRes := get(base, "Resources")
	nameTaken := func(name string) bool {
		for _, sec := range []string{"Parameters", "Resources", "Conditions"} {
			if get(get(base, sec), name) != nil {
				return true
			}
		}
		return false
	}

	// Inline permission sets become resources of the parent.
	type psResource struct {
		name string
		node *yaml.Node
	}
	var psResources []psResource
	psResNames := map[string]bool{}
	inlineRes := map[*yaml.Node]string{}
	for _, g := range in.Groups {
		for _, ps := range g.PermissionSets {
			if ps.Inline == nil {
				continue
			}
			if _, done := inlineRes[ps.Inline]; done {
				continue
			}
			name := "PermSet" + logicalName(ps.Name)
			if psResNames[name] || nameTaken(name) {
				return nil, fmt.Errorf("%s: permission set %q is defined twice (as resource %s)", ps.Pos, ps.Name, name)
			}
			psResNames[name] = true
			inlineRes[ps.Inline] = name
			psResources = append(psResources, psResource{name, inlinePermissionSet(ps.Inline, in.InstanceArn)})
		}
	}

	// Every assignment once; the first group declaring it wins.
	var entries []entry
	seen := map[[32]byte]bool{}
	for gi, g := range in.Groups {
		groupRes := ""
		if gi < len(in.GroupResources) {
			groupRes = in.GroupResources[gi]
		}
		for _, p := range g.Principals {
			for _, ps := range g.PermissionSets {
				for _, t := range g.Targets {
					e := entry{principal: p, ps: ps, target: t, group: g.Source, groupRes: groupRes}
					if ps.Inline != nil {
						e.psRes = inlineRes[ps.Inline]
					}
					if ps.Raw != nil && ps.Name == "" {
						// A reference to a permission set the template
						// defines: name it in the metadata.
						if rs := references(ps.Raw); len(rs) == 1 {
							if nm := get(get(get(baseRes, rs[0]), "Properties"), "Name"); nm != nil && nm.Kind == yaml.ScalarNode && nm.Tag == "!!str" {
								e.ps.Name = nm.Value
							}
						}
					}
					e.hash = hashOf(in.InstanceArn, e)
					if seen[e.hash] {
						continue
					}
					seen[e.hash] = true
					e.id = "Assignment" + strings.ToUpper(hex.EncodeToString(e.hash[:8]))
					entries = append(entries, e)
				}
			}
		}
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].id < entries[j].id })
	for i := 1; i < len(entries); i++ {
		if entries[i].id == entries[i-1].id {
			return nil, fmt.Errorf("two assignments hash to the same logical id %s", entries[i].id)
		}
	}

	max := s.maxResources()
	baseCount := len(keys(baseRes))
	out := &Output{}
	n := s.childStacks()
	if n == nil {
		k := 0
		if baseCount+len(psResources)+len(entries) > max {
			k = (2*len(entries) + max - 1) / max
			out.Automatic = true
		}
		n = &k
	}
	out.NumChildStacks = *n
	buckets := make([][]entry, *n)
	var parentEntries []entry
	if *n == 0 {
		if total := baseCount + len(psResources) + len(entries); total > max {
			return nil, fmt.Errorf("%d resources do not fit in one template (at most %d); set NumChildStacks (or --num-child-stacks)", total, max)
		}
		parentEntries = entries
	} else {
		for _, e := range entries {
			i := binary.BigEndian.Uint64(e.hash[8:16]) % uint64(*n)
			buckets[i] = append(buckets[i], e)
		}
		for i, b := range buckets {
			if len(b) > max {
				return nil, fmt.Errorf("child stack %d would hold %d assignments (at most %d); raise NumChildStacks (this moves assignments between stacks)", i, len(b), max)
			}
		}
		if total := baseCount + len(psResources) + *n; total > max {
			return nil, fmt.Errorf("the parent template would hold %d resources (at most %d)", total, max)
		}
	}

	// The parent: version, parameters, the base's sections, resources.
	parent := mapping(kv{"AWSTemplateFormatVersion", str("2010-09-09")})
	if v := get(base, "AWSTemplateFormatVersion"); v != nil {
		set(parent, "AWSTemplateFormatVersion", v)
	}
	params := mapping()
	for _, k := range keys(get(base, "Parameters")) {
		params.Content = append(params.Content, str(k), get(get(base, "Parameters"), k))
	}
	refs := map[string]bool{}
	for _, e := range entries {
		for _, r := range e.references() {
			refs[r] = true
		}
	}
	for _, p := range psResources {
		for _, r := range references(p.node) {
			refs[r] = true
		}
	}
	var missing []string
	for r := range refs {
		if !nameTaken(r) && !psResNames[r] {
			missing = append(missing, r)
		}
	}
	sort.Strings(missing)
	for _, r := range missing {
		params.Content = append(params.Content, str(r), mapping(kv{"Type", str("String")}))
	}
	if len(params.Content) > 0 {
		parent.Content = append(parent.Content, str("Parameters"), params)
	}
	for _, k := range keys(base) {
		if k == "AWSTemplateFormatVersion" || k == "Parameters" || k == "Resources" {
			continue
		}
		parent.Content = append(parent.Content, str(k), get(base, k))
	}
	if *n > 0 {
		md := get(parent, "Metadata")
		if md == nil {
			md = mapping()
			set(parent, "Metadata", md)
		}
		set(md, MetadataKey, mapping(kv{"NumChildStacks", intNode(*n)}))
	}
	resources := mapping()
	for _, k := range keys(baseRes) {
		resources.Content = append(resources.Content, str(k), get(baseRes, k))
	}
	for _, p := range psResources {
		resources.Content = append(resources.Content, str(p.name), p.node)
	}
	for _, k := range keys(resources) {
		r := get(resources, k)
		if t := get(r, "Type"); t != nil && (t.Value == "AWS::SSO::PermissionSet" || t.Value == "SSOUtil::SSO::PermissionSet") {
			t.Value = "AWS::SSO::PermissionSet"
			processPermissionSet(r, in.InstanceArn, s.DefaultSessionDuration)
		}
	}
	addAssignments(resources, parentEntries, in.InstanceArn, s.maxConcurrent(), nil)
	for _, e := range parentEntries {
		out.Rows = append(out.Rows, e.row(in.InstanceArn, -1))
	}

	prevStack := ""
	for i, b := range buckets {
		if len(b) == 0 {
			continue
		}
		stem := fmt.Sprintf("%s-%03d", in.Stem, i)
		rel := path.Join(in.Stem, stem+".yaml")
		exprs := map[string]*expression{}
		child := mapping(kv{"AWSTemplateFormatVersion", str("2010-09-09")})
		res := mapping()
		addAssignments(res, b, in.InstanceArn, s.maxConcurrent(), exprs)
		stackParams := mapping()
		if len(exprs) > 0 {
			names := make([]string, 0, len(exprs))
			for k := range exprs {
				names = append(names, k)
			}
			sort.Strings(names)
			cp := mapping()
			for _, k := range names {
				cp.Content = append(cp.Content, str(k), mapping(kv{"Type", str("String")}))
				stackParams.Content = append(stackParams.Content, str(k), exprs[k].value)
			}
			child.Content = append(child.Content, str("Parameters"), cp)
		}
		child.Content = append(child.Content, str("Resources"), res)
		out.Children = append(out.Children, Template{Path: rel, Node: child})
		for _, e := range b {
			out.Rows = append(out.Rows, e.row(in.InstanceArn, i))
		}
		name := logicalName(stem)
		stack := mapping(kv{"Type", str("AWS::CloudFormation::Stack")})
		if prevStack != "" {
			stack.Content = append(stack.Content, str("DependsOn"), str(prevStack))
		}
		props := mapping(kv{"TemplateURL", str("./" + rel)})
		if len(stackParams.Content) > 0 {
			props.Content = append(props.Content, str("Parameters"), stackParams)
		}
		stack.Content = append(stack.Content, str("Properties"), props)
		resources.Content = append(resources.Content, str(name), stack)
		prevStack = name
	}
	parent.Content = append(parent.Content, str("Resources"), resources)
	if outs := get(base, "Outputs"); outs != nil {
		del(parent, "Outputs")
		parent.Content = append(parent.Content, str("Outputs"), outs)
	}
	out.Parent = Template{Path: in.Stem + ".yaml", Node: parent}
	sort.SliceStable(out.Rows, func(i, j int) bool { return out.Rows[i].LogicalId < out.Rows[j].LogicalId })
	return out, nil
}

func hashOf(instance string, e entry) [32]byte {
	pk := e.principal.Id
	if e.principal.Raw != nil {
		pk = canonical(e.principal.Raw)
	}
	psk := e.ps.Arn
	switch {
	case e.psRes != "":
		psk = "resource:" + e.psRes
	case e.ps.Raw != nil:
		psk = canonical(e.ps.Raw)
	}
	tk := e.target.AccountId
	if e.target.Raw != nil {
		tk = canonical(e.target.Raw)
	}
	return sha256.Sum256([]byte(instance + "\x00" + e.principal.Type + ":" + pk + "\x00" + psk + "\x00AWS_ACCOUNT:" + tk))
}

func (e entry) references() []string {
	var out []string
	for _, n := range []*yaml.Node{e.principal.Raw, e.ps.Raw, e.target.Raw} {
		if n != nil {
			out = append(out, references(n)...)
		}
	}
	return out
}

// value is a raw expression as written in the parent, or, in a child
// (exprs non-nil), a Ref to the parameter standing for it.
func value(raw *yaml.Node, exprs map[string]*expression) *yaml.Node {
	if exprs == nil {
		return clone(raw)
	}
	j := toJSON(raw)
	name := ""
	if m, ok := j.(map[string]any); ok && len(m) == 1 {
		if r, ok := m["Ref"].(string); ok && !strings.Contains(r, ".") {
			name = r
		}
	}
	if name == "" {
		h := sha256.Sum256([]byte(canonical(raw)))
		name = "Expr" + strings.ToUpper(hex.EncodeToString(h[:4]))
	}
	exprs[name] = &expression{param: name, value: clone(raw)}
	return ref(name)
}

// addAssignments appends the entries' resources to the Resources mapping
// res; in a child template (exprs non-nil) raw values become parameters.
func addAssignments(res *yaml.Node, entries []entry, instance string, maxConcurrent int, exprs map[string]*expression) {
	for i, e := range entries {
		r := mapping(kv{"Type", str("AWS::SSO::Assignment")})
		md := mapping()
		if e.group != nil && e.group.Name != "" {
			md.Content = append(md.Content, str("AssignmentGroupName"), str(e.group.Name))
		}
		if e.groupRes != "" {
			md.Content = append(md.Content, str("AssignmentGroupResourceName"), str(e.groupRes))
		}
		if e.target.SourceOU != "" {
			md.Content = append(md.Content, str("AccountSourceOU"), str(e.target.SourceOU))
		}
		if e.principal.Name != "" {
			md.Content = append(md.Content, str("PrincipalName"), str(e.principal.Name))
		}
		if e.ps.Name != "" {
			md.Content = append(md.Content, str("PermissionSetName"), str(e.ps.Name))
		}
		if e.target.AccountName != "" {
			md.Content = append(md.Content, str("TargetName"), str(e.target.AccountName))
		}
		if len(md.Content) > 0 {
			r.Content = append(r.Content, str("Metadata"), mapping(kv{"SSO", md}))
		}
		if maxConcurrent > 0 && i >= maxConcurrent {
			r.Content = append(r.Content, str("DependsOn"), str(entries[i-maxConcurrent].id))
		}
		var pid, psArn, tid *yaml.Node
		if e.principal.Raw != nil {
			pid = value(e.principal.Raw, exprs)
		} else {
			pid = str(e.principal.Id)
		}
		switch {
		case e.psRes != "" && exprs == nil:
			psArn = getAtt(e.psRes, "PermissionSetArn")
		case e.psRes != "":
			exprs[e.psRes] = &expression{param: e.psRes, value: getAtt(e.psRes, "PermissionSetArn")}
			psArn = ref(e.psRes)
		case e.ps.Raw != nil:
			psArn = value(e.ps.Raw, exprs)
		default:
			psArn = str(e.ps.Arn)
		}
		if e.target.Raw != nil {
			tid = value(e.target.Raw, exprs)
		} else {
			tid = str(e.target.AccountId)
		}
		r.Content = append(r.Content, str("Properties"), mapping(
			kv{"InstanceArn", str(instance)},
			kv{"PrincipalType", str(e.principal.Type)},
			kv{"PrincipalId", pid},
			kv{"PermissionSetArn", psArn},
			kv{"TargetType", str("AWS_ACCOUNT")},
			kv{"TargetId", tid},
		))
		res.Content = append(res.Content, str(e.id), r)
	}
}

func (e entry) row(instance string, stack int) Row {
	r := Row{InstanceArn: instance, PrincipalType: e.principal.Type, PrincipalId: e.principal.Id, PrincipalName: e.principal.Name,
		PermissionSetArn: e.ps.Arn, PermissionSetName: e.ps.Name, TargetType: "AWS_ACCOUNT", TargetId: e.target.AccountId,
		TargetName: e.target.AccountName, SourceOU: e.target.SourceOU, LogicalId: e.id, Stack: stack}
	if e.principal.Raw != nil {
		r.PrincipalId = strings.Join(references(e.principal.Raw), " ")
	}
	switch {
	case e.psRes != "":
		r.PermissionSetArn = e.psRes
	case e.ps.Raw != nil:
		r.PermissionSetArn = strings.Join(references(e.ps.Raw), " ")
	}
	if e.target.Raw != nil {
		r.TargetId = strings.Join(references(e.target.Raw), " ")
	}
	return r
}

// inlinePermissionSet makes an AWS::SSO::PermissionSet resource of an
// inline definition (its properties, or a whole resource).
func inlinePermissionSet(def *yaml.Node, instance string) *yaml.Node {
	d := clone(def)
	if get(d, "Type") != nil && get(d, "Properties") != nil {
		return d
	}
	props := mapping()
	if get(d, "InstanceArn") == nil {
		props.Content = append(props.Content, str("InstanceArn"), str(instance))
	}
	props.Content = append(props.Content, d.Content...)
	return mapping(kv{"Type", str("AWS::SSO::PermissionSet")}, kv{"Properties", props})
}

// processPermissionSet fills in what aws-sso-util fills in: the instance,
// a default session duration, an InlinePolicy given as YAML turned into the
// JSON text CloudFormation wants, and AWS managed policies given by name
// turned into ARNs.
func processPermissionSet(r *yaml.Node, instance, sessionDuration string) {
	props := get(r, "Properties")
	if props == nil {
		props = mapping()
		set(r, "Properties", props)
	}
	if get(props, "InstanceArn") == nil {
		props.Content = append([]*yaml.Node{str("InstanceArn"), str(instance)}, props.Content...)
	}
	if sessionDuration != "" && get(props, "SessionDuration") == nil {
		set(props, "SessionDuration", str(sessionDuration))
	}
	if p := get(props, "InlinePolicy"); p != nil && (p.Kind == yaml.MappingNode || p.Kind == yaml.SequenceNode) && len(references(p)) == 0 {
		if _, intrinsic := shortTag(p); !intrinsic {
			b, err := json.Marshal(toJSON(p))
			if err == nil {
				set(props, "InlinePolicy", str(string(b)))
			}
		}
	}
	if mp := get(props, "ManagedPolicies"); mp != nil {
		items := []*yaml.Node{mp}
		if mp.Kind == yaml.SequenceNode {
			items = mp.Content
		}
		list := seq()
		for _, it := range items {
			_, intrinsic := shortTag(it)
			if it.Kind == yaml.ScalarNode && !intrinsic && it.Tag != "!!null" && !strings.HasPrefix(it.Value, "arn:") {
				list.Content = append(list.Content, str("arn:aws:iam::aws:policy/"+it.Value))
				continue
			}
			list.Content = append(list.Content, it)
		}
		set(props, "ManagedPolicies", list)
	}
}

// Encode writes a template as YAML.
func Encode(t *yaml.Node) ([]byte, error) {
	var b strings.Builder
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(t); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return []byte(b.String()), nil
}
