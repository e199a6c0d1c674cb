package cfn

import (
	"encoding/json"
	"regexp"
	"sort"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
)

// Small builders for yaml.v3 nodes: templates are built as node trees so
// key order is the order written, and short-form tags (!Ref, !GetAtt) in
// the inputs are kept as they were.

func str(s string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
}

func intNode(n int) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: itoa(n)}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

type kv struct {
	k string
	v *yaml.Node
}

func mapping(pairs ...kv) *yaml.Node {
	m := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	for _, p := range pairs {
		if p.v == nil {
			continue
		}
		m.Content = append(m.Content, str(p.k), p.v)
	}
	return m
}

func seq(items ...*yaml.Node) *yaml.Node {
	return &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Content: items}
}

func ref(name string) *yaml.Node { return mapping(kv{"Ref", str(name)}) }

func getAtt(res, attr string) *yaml.Node {
	return mapping(kv{"Fn::GetAtt", seq(str(res), str(attr))})
}

func get(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// set replaces key's value in mapping m, or appends the pair.
func set(m *yaml.Node, key string, v *yaml.Node) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content[i+1] = v
			return
		}
	}
	m.Content = append(m.Content, str(key), v)
}

func del(m *yaml.Node, key string) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content = append(m.Content[:i], m.Content[i+2:]...)
			return
		}
	}
}

func keys(m *yaml.Node) []string {
	var out []string
	if m == nil {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		out = append(out, m.Content[i].Value)
	}
	return out
}

// clone deep-copies a node (aliases resolved) and drops line numbers, so
// the encoder lays it out afresh.
func clone(n *yaml.Node) *yaml.Node {
	if n == nil {
		return nil
	}
	if n.Kind == yaml.AliasNode {
		return clone(n.Alias)
	}
	if n.Kind == yaml.DocumentNode && len(n.Content) == 1 {
		return clone(n.Content[0])
	}
	c := &yaml.Node{Kind: n.Kind, Tag: n.Tag, Value: n.Value, Style: n.Style &^ yaml.FlowStyle}
	for _, x := range n.Content {
		c.Content = append(c.Content, clone(x))
	}
	return c
}

// toJSON converts a node to plain data with short-form tags spelt out
// ({"Ref": x}, {"Fn::GetAtt": [a, b]}), for hashing and for the CSV.
func toJSON(n *yaml.Node) any {
	if n == nil {
		return nil
	}
	if n.Kind == yaml.AliasNode {
		return toJSON(n.Alias)
	}
	if fn, ok := shortTag(n); ok {
		inner := *n
		inner.Tag = ""
		switch n.Kind {
		case yaml.ScalarNode:
			if fn == "Fn::GetAtt" {
				a, b, _ := strings.Cut(n.Value, ".")
				return map[string]any{fn: []any{a, b}}
			}
			return map[string]any{fn: n.Value}
		default:
			return map[string]any{fn: toJSON(&inner)}
		}
	}
	switch n.Kind {
	case yaml.ScalarNode:
		var v any
		if n.Tag == "!!str" || n.Tag == "" {
			return n.Value
		}
		if err := n.Decode(&v); err != nil {
			return n.Value
		}
		return v
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			out = append(out, toJSON(c))
		}
		return out
	case yaml.MappingNode:
		out := map[string]any{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			out[n.Content[i].Value] = toJSON(n.Content[i+1])
		}
		return out
	}
	return nil
}

// shortTag maps !Ref, !GetAtt, !Sub … to their long names.
func shortTag(n *yaml.Node) (string, bool) {
	if !strings.HasPrefix(n.Tag, "!") || strings.HasPrefix(n.Tag, "!!") {
		return "", false
	}
	t := strings.TrimPrefix(n.Tag, "!")
	if t == "Ref" || t == "Condition" {
		return t, true
	}
	return "Fn::" + t, true
}

// canonical is a node's canonical JSON text: the same expression always
// gives the same text.
func canonical(n *yaml.Node) string {
	b, _ := json.Marshal(toJSON(n)) // maps marshal with sorted keys
	return string(b)
}

var subRef = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\$\{([A-Za-z0-9:]+)(\.[A-Za-z0-9.]+)?\}`) })

// references are the logical names an expression refers to (Ref, GetAtt,
// ${X} in Sub), pseudo parameters (AWS::…) left out.
func references(n *yaml.Node) []string {
	set := map[string]bool{}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if len(x) == 1 {
				for k, inner := range x {
					switch k {
					case "Ref":
						if s, ok := inner.(string); ok {
							set[strings.SplitN(s, ".", 2)[0]] = true
							return
						}
					case "Fn::GetAtt":
						switch y := inner.(type) {
						case string:
							set[strings.SplitN(y, ".", 2)[0]] = true
							return
						case []any:
							if len(y) > 0 {
								if s, ok := y[0].(string); ok {
									set[s] = true
								}
							}
							return
						}
					case "Fn::Sub":
						s, _ := inner.(string)
						if l, ok := inner.([]any); ok && len(l) > 0 {
							s, _ = l[0].(string)
							if len(l) > 1 {
								walk(l[1])
							}
						}
						for _, m := range subRef().FindAllStringSubmatch(s, -1) {
							set[m[1]] = true
						}
						return
					}
				}
			}
			for _, y := range x {
				walk(y)
			}
		case []any:
			for _, y := range x {
				walk(y)
			}
		}
	}
	walk(toJSON(n))
	var out []string
	for k := range set {
		if !strings.HasPrefix(k, "AWS::") {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

var nonAlnum = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[^A-Za-z0-9]`) })

// logicalName makes s a valid logical id part (letters and digits only).
func logicalName(s string) string { return nonAlnum().ReplaceAllString(s, "") }
