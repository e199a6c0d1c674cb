package conformance

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// Generator builds requests from a model: valid ones from known values and
// the model's constraints, and invalid ones derived from a valid one.
type Generator struct {
	Model *Model
	// Values are known good values by member name, at any depth (the demo
	// organization's real ids).
	Values Input
	// IDs are the member names whose values name something that exists;
	// an unknown-id request changes such a value to a well-formed one that
	// names nothing.
	IDs []string

	pats *patterns
}

// NewGenerator returns a Generator for m.
func NewGenerator(m *Model, values Input, ids []string) *Generator {
	return &Generator{Model: m, Values: values, IDs: ids, pats: newPatterns()}
}

// Valid builds op's input: the members in fixed, then every other required
// member from Values or, failing that, generated from the model.
func (g *Generator) Valid(op string, fixed Input) Input {
	o := g.Model.Operations[op]
	in := fixed.Clone()
	if o.Input == nil {
		return in
	}
	s := g.Model.Shapes[o.Input.Shape]
	for _, name := range s.Required {
		if _, ok := in[name]; ok {
			continue
		}
		in[name] = g.value(name, s.Members[name], 0)
	}
	return in
}

func (g *Generator) value(name string, ref *Ref, depth int) any {
	if v, ok := g.Values[name]; ok {
		return cloneValue(v)
	}
	s := g.Model.Shapes[ref.Shape]
	switch s.Type {
	case "structure":
		out := map[string]any{}
		if depth > 8 {
			return out
		}
		if s.Union {
			names := make([]string, 0, len(s.Members))
			for n := range s.Members {
				names = append(names, n)
			}
			sort.Strings(names)
			out[names[0]] = g.value(names[0], s.Members[names[0]], depth+1)
			return out
		}
		for _, m := range s.Required {
			out[m] = g.value(m, s.Members[m], depth+1)
		}
		return out
	case "list":
		return []any{g.value(name, s.Member, depth+1)}
	case "map":
		return map[string]any{"conformance": g.value(name, s.Value, depth+1)}
	case "integer", "long":
		n := 1
		if s.Min != nil && int(*s.Min) > n {
			n = int(*s.Min)
		}
		if s.Max != nil && int(*s.Max) < n {
			n = int(*s.Max)
		}
		return n
	case "float", "double":
		return 1.0
	case "boolean":
		return false
	case "timestamp":
		return time.Now().UTC().Truncate(time.Second)
	case "blob":
		return "Y29uZm9ybWFuY2U="
	}
	// string
	if len(s.Enum) > 0 {
		return s.Enum[0]
	}
	if s.Pattern != "" {
		if v, ok := g.pats.sample(s.Pattern); ok && fits(v, s) {
			return v
		}
	}
	v := "conformance"
	if s.Min != nil {
		for utf8.RuneCountInString(v) < int(*s.Min) {
			v += "x"
		}
	}
	if s.Max != nil && len(v) > int(*s.Max) {
		v = v[:int(*s.Max)]
	}
	return v
}

func fits(v string, s *Shape) bool {
	n := utf8.RuneCountInString(v)
	return (s.Min == nil || float64(n) >= *s.Min) && (s.Max == nil || float64(n) <= *s.Max)
}

// Variant is one invalid request derived from a valid one.
type Variant struct {
	// Kind is missing, pattern, length, enum, range, size or unknown-id.
	Kind string
	// Member is the path of the member changed.
	Member string
	Input  Input
}

// Invalid derives invalid requests from valid: each required member left
// out; each member's value made to break its pattern, length, enum or
// range; an optional integer member's range broken; and each id made to
// name nothing.
func (g *Generator) Invalid(op string, valid Input) []Variant {
	o := g.Model.Operations[op]
	if o.Input == nil {
		return nil
	}
	s := g.Model.Shapes[o.Input.Shape]
	var out []Variant
	names := make([]string, 0, len(s.Members))
	for n := range s.Members {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		ref := s.Members[name]
		ms := g.Model.Shapes[ref.Shape]
		val, present := valid[name]
		if slices.Contains(s.Required, name) && ref.Location != "uri" {
			in := valid.Clone()
			delete(in, name)
			out = append(out, Variant{Kind: "missing", Member: name, Input: in})
		}
		if !present {
			// An optional number with limits (MaxResults …) is sent out of range.
			if (ms.Type == "integer" || ms.Type == "long") && ms.Max != nil && ref.Location != "uri" {
				in := valid.Clone()
				in[name] = int(*ms.Max) + 1
				out = append(out, Variant{Kind: "range", Member: name, Input: in})
			}
			continue
		}
		for _, bad := range g.breaks(ms, val, ref.Location) {
			in := valid.Clone()
			in[name] = bad.value
			out = append(out, Variant{Kind: bad.kind, Member: name, Input: in})
		}
	}
	// Unknown ids, at any depth.
	g.walkIDs(valid, nil, func(path []string, v string, shape *Shape) {
		bad, ok := g.unknown(v, shape)
		if !ok {
			return
		}
		in := valid.Clone()
		setPath(in, path, bad)
		out = append(out, Variant{Kind: "unknown-id", Member: strings.Join(path, "."), Input: in})
	}, s)
	return out
}

type broken struct {
	kind  string
	value any
}

// breaks lists values of the shape that the model rejects, one per
// constraint it has.
func (g *Generator) breaks(s *Shape, val any, location string) []broken {
	var out []broken
	switch s.Type {
	case "string":
		if len(s.Enum) > 0 {
			out = append(out, broken{"enum", "NOT_ONE_OF_THE_MODEL_VALUES"})
			return out
		}
		if s.Pattern != "" {
			if v, ok := g.breakPattern(s); ok {
				out = append(out, broken{"pattern", v})
			}
		}
		if s.Max != nil && *s.Max < 100000 {
			out = append(out, broken{"length", strings.Repeat("a", int(*s.Max)+1)})
		}
		if s.Min != nil && *s.Min > 1 && location != "uri" {
			out = append(out, broken{"length", strings.Repeat("a", int(*s.Min)-1)})
		} else if s.Min != nil && *s.Min == 1 && location == "" {
			out = append(out, broken{"length", ""})
		}
	case "integer", "long":
		if s.Max != nil {
			out = append(out, broken{"range", int(*s.Max) + 1})
		}
		if s.Min != nil && *s.Min > -1e9 {
			out = append(out, broken{"range", int(*s.Min) - 1})
		}
	case "list":
		if location != "" {
			break
		}
		if s.Min != nil && *s.Min >= 1 {
			out = append(out, broken{"size", []any{}})
		}
		if s.Max != nil && *s.Max < 1000 {
			if list, ok := val.([]any); ok && len(list) > 0 {
				long := make([]any, int(*s.Max)+1)
				for i := range long {
					long[i] = cloneValue(list[0])
				}
				out = append(out, broken{"size", long})
			}
		}
	}
	return out
}

// breakPattern finds a value within the shape's length limits that its
// pattern does not match.
func (g *Generator) breakPattern(s *Shape) (string, bool) {
	re := g.pats.get(s.Pattern)
	if re == nil {
		return "", false
	}
	for _, c := range []string{"!!", "not a valid value!", "\t", "..", "é", "//", "0", "a"} {
		v := c
		for s.Min != nil && float64(utf8.RuneCountInString(v)) < *s.Min {
			v += c
		}
		if !fits(v, s) {
			continue
		}
		if !re.MatchString(v) {
			return v, true
		}
	}
	return "", false
}

// walkIDs calls f for every string under a member named in IDs.
func (g *Generator) walkIDs(v any, path []string, f func([]string, string, *Shape), s *Shape) {
	m, ok := v.(map[string]any)
	if !ok {
		if in, isIn := v.(Input); isIn {
			m = in
		} else {
			return
		}
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		p := append(slices.Clone(path), k)
		var ms *Shape
		if s != nil && s.Members != nil {
			if ref := s.Members[k]; ref != nil {
				ms = g.Model.Shapes[ref.Shape]
			}
		}
		switch e := m[k].(type) {
		case string:
			if slices.Contains(g.IDs, k) {
				f(p, e, ms)
			}
		case map[string]any:
			g.walkIDs(e, p, f, ms)
		case []any:
			if len(e) > 0 {
				var es *Shape
				if ms != nil && ms.Member != nil {
					es = g.Model.Shapes[ms.Member.Shape]
				}
				if str, isStr := e[0].(string); isStr && slices.Contains(g.IDs, k) {
					f(append(p, "0"), str, es)
				} else {
					g.walkIDs(e[0], append(p, "0"), f, es)
				}
			}
		}
	}
}

// unknown changes one letter or digit of an id, from the end, so that the
// result still matches the shape's pattern but names nothing.
func (g *Generator) unknown(v string, s *Shape) (string, bool) {
	r := []rune(v)
	for i := len(r) - 1; i >= 0; i-- {
		orig := r[i]
		var repl rune
		switch {
		case orig >= '0' && orig <= '8':
			repl = orig + 1
		case orig == '9':
			repl = '8'
		case orig >= 'b' && orig <= 'z', orig >= 'B' && orig <= 'Z':
			repl = orig - 1
		case orig == 'a' || orig == 'A':
			repl = orig + 1
		default:
			continue
		}
		r[i] = repl
		cand := string(r)
		r[i] = orig
		if s == nil || s.Pattern == "" {
			return cand, true
		}
		if re := g.pats.get(s.Pattern); re == nil || re.MatchString(cand) {
			return cand, true
		}
	}
	return "", false
}

// setPath sets the value at a path of map keys and list indexes ("0").
func setPath(in Input, path []string, v any) {
	var cur any = map[string]any(in)
	for i, k := range path {
		last := i == len(path)-1
		switch c := cur.(type) {
		case map[string]any:
			if last {
				c[k] = v
				return
			}
			cur = c[k]
		case []any:
			var idx int
			fmt.Sscan(k, &idx)
			if last {
				c[idx] = v
				return
			}
			cur = c[idx]
		}
	}
}
