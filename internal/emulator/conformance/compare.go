package conformance

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
)

// Signature is what a response carries, independent of its values: "error
// <code>" for an error, else the sorted paths of the members present, with
// list items as [] ("Accounts[].Id"), for comparing two peers' answers to
// the same call.
func Signature(m *Model, r Response) []string {
	if r.Status >= 300 || r.Status == 0 {
		return []string{"error " + errorCode(m, r)}
	}
	var paths []string
	switch m.Metadata.Protocol {
	case "json", "rest-json":
		var doc any
		dec := json.NewDecoder(bytes.NewReader(r.Body))
		dec.UseNumber()
		if dec.Decode(&doc) != nil {
			return []string{"not JSON"}
		}
		jsonPaths("", doc, &paths)
	default:
		root, err := parseXML(r.Body)
		if err != nil {
			return []string{"not XML"}
		}
		for _, c := range root.children {
			if c.name == "ResponseMetadata" {
				continue
			}
			nodes := c.children
			if m.Metadata.Protocol == "rest-xml" {
				nodes = []*xmlNode{c}
			}
			for _, n := range nodes {
				xmlPaths("", n, &paths)
			}
		}
	}
	slices.Sort(paths)
	return slices.Compact(paths)
}

func jsonPaths(prefix string, v any, out *[]string) {
	switch t := v.(type) {
	case map[string]any:
		if len(t) == 0 && prefix != "" {
			*out = append(*out, prefix+"{}")
		}
		for k, e := range t {
			jsonPaths(joinPath(prefix, k), e, out)
		}
	case []any:
		if len(t) == 0 {
			*out = append(*out, prefix+"[] (empty)")
		}
		for _, e := range t {
			jsonPaths(prefix+"[]", e, out)
		}
	default:
		if prefix != "" {
			*out = append(*out, prefix)
		}
	}
}

func xmlPaths(prefix string, n *xmlNode, out *[]string) {
	p := joinPath(prefix, n.name)
	if n.name == "member" {
		p = prefix + "[]"
	}
	if len(n.children) == 0 {
		*out = append(*out, p)
		return
	}
	for _, c := range n.children {
		xmlPaths(p, c, out)
	}
}

// errorCode reads an error response's code, whatever the protocol.
func errorCode(m *Model, r Response) string {
	if h := r.Header.Get("X-Amzn-Errortype"); h != "" {
		return stripCode(h)
	}
	var body map[string]any
	if json.Unmarshal(r.Body, &body) == nil {
		if t, ok := body["__type"].(string); ok {
			return stripCode(t)
		}
	}
	if root, err := parseXML(r.Body); err == nil {
		e := root
		if c := root.child("Error"); c != nil {
			e = c
		}
		if c := e.child("Code"); c != nil {
			return strings.TrimSpace(c.text)
		}
	}
	return "HTTP " + strconv.Itoa(r.Status)
}
