package awsconfig

import (
	"bytes"
	"strings"
)

// Doc is a lossless model of an AWS config file, for editing it: every byte
// of the text it was parsed from is kept (comments, blank lines, CRLF or LF
// line endings, odd spacing, sections of any kind, key order), so Bytes
// returns exactly that text until an edit is made, and an edit changes only
// the lines it is about. Sections are recognised as Parse recognises them.
type Doc struct {
	head []string // raw lines (each with its line ending) before the first header
	secs []*DocSection
	nl   string // the file's line ending: "\r\n" when its first line ends so
	// byName indexes sections by kind and name, in file order.
	byName map[string][]*DocSection
}

func docKey(kind, name string) string { return kind + "\x00" + name }

func (d *Doc) add(s *DocSection) {
	s.pos = len(d.secs)
	d.secs = append(d.secs, s)
	k := docKey(s.Kind, s.Name)
	d.byName[k] = append(d.byName[k], s)
}

// DocSection is one section of a Doc: its header line and the lines up to
// the next header.
type DocSection struct {
	// Kind and Name are the section's kind (KindProfile, KindSSOSession,
	// KindServices) and name; Kind is "" for a header Parse ignores.
	Kind, Name string
	header     string
	body       []string
	removed    bool
	doc        *Doc
	pos        int // index in doc.secs
}

// Header is the text of the section's header, between [ and the last ]
// ("profile Log Archive.Developer"), as written.
func (s *DocSection) Header() string {
	h, _ := headerText(strings.TrimSpace(s.header))
	return h
}

// KV is one key and its value.
type KV struct{ Key, Value string }

// ParseDoc parses config file text. It never fails: a line it cannot read
// is kept as it is.
func ParseDoc(data []byte) *Doc {
	d := &Doc{nl: "\n", byName: map[string][]*DocSection{}}
	var cur *DocSection
	first := true
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n')
		var raw string
		if i < 0 {
			raw, data = string(data), nil
		} else {
			raw, data = string(data[:i+1]), data[i+1:]
		}
		if first {
			first = false
			if strings.HasSuffix(raw, "\r\n") {
				d.nl = "\r\n"
			}
		}
		if kind, name, ok := headerOf(raw); ok {
			cur = &DocSection{Kind: kind, Name: name, header: raw, doc: d}
			d.add(cur)
			continue
		}
		if cur == nil {
			d.head = append(d.head, raw)
		} else {
			cur.body = append(cur.body, raw)
		}
	}
	return d
}

// headerOf reports whether a raw line is a section header, and its kind
// and name ("" for a header of a kind the SDKs ignore).
func headerOf(raw string) (kind, name string, ok bool) {
	h, ok := headerText(strings.TrimSpace(raw))
	if !ok {
		return "", "", false
	}
	kind, name = sectionName(h)
	return kind, name, true
}

// Bytes renders the document.
func (d *Doc) Bytes() []byte {
	n := 0
	for _, l := range d.head {
		n += len(l)
	}
	for _, s := range d.secs {
		if s.removed {
			continue
		}
		n += len(s.header)
		for _, l := range s.body {
			n += len(l)
		}
	}
	var b bytes.Buffer
	b.Grow(n)
	for _, l := range d.head {
		b.WriteString(l)
	}
	for _, s := range d.secs {
		if s.removed {
			continue
		}
		b.WriteString(s.header)
		for _, l := range s.body {
			b.WriteString(l)
		}
	}
	return b.Bytes()
}

// Sections returns the document's sections in file order.
func (d *Doc) Sections() []*DocSection {
	out := make([]*DocSection, 0, len(d.secs))
	for _, s := range d.secs {
		if !s.removed {
			out = append(out, s)
		}
	}
	return out
}

// Find returns every section of that kind and name, in file order (more
// than one when the file repeats a header).
func (d *Doc) Find(kind, name string) []*DocSection {
	var out []*DocSection
	for _, s := range d.byName[docKey(kind, name)] {
		if !s.removed {
			out = append(out, s)
		}
	}
	return out
}

// HeaderText is the header line of a section of that kind and name, as
// ssoctl writes it: [default] for the default profile, [profile NAME] for
// other profiles, [KIND NAME] else.
func HeaderText(kind, name string) string {
	if kind == KindProfile && name == "default" {
		return "[default]"
	}
	return "[" + kind + " " + name + "]"
}

// lastLine is the document's last line (nil when empty), so an append can
// end it first.
func (d *Doc) lastLine() *string {
	for i := len(d.secs) - 1; i >= 0; i-- {
		s := d.secs[i]
		if s.removed {
			continue
		}
		if len(s.body) > 0 {
			return &s.body[len(s.body)-1]
		}
		return &s.header
	}
	if len(d.head) > 0 {
		return &d.head[len(d.head)-1]
	}
	return nil
}

// Append adds a section at the end of the file, with the file's line
// ending, after one blank line (none in an empty file); Remove undoes it.
func (d *Doc) Append(kind, name string, keys []KV) *DocSection {
	if last := d.lastLine(); last != nil {
		if !strings.HasSuffix(*last, "\n") {
			*last += d.nl
		}
		d.appendLine(d.nl)
	}
	s := &DocSection{Kind: kind, Name: name, header: HeaderText(kind, name) + d.nl, doc: d}
	for _, kv := range keys {
		s.body = append(s.body, kv.Key+" = "+kv.Value+d.nl)
	}
	d.add(s)
	return s
}

// appendLine adds a raw line at the end of the document.
func (d *Doc) appendLine(raw string) {
	for i := len(d.secs) - 1; i >= 0; i-- {
		if s := d.secs[i]; !s.removed {
			s.body = append(s.body, raw)
			return
		}
	}
	d.head = append(d.head, raw)
}

// Remove deletes a section: its header, its keys and the blank lines among
// them. Comment lines in it are kept (a comment above the next header
// belongs to that section as people read the file). A section at the end
// of the file takes the blank line before it along, undoing Append.
func (d *Doc) Remove(s *DocSection) {
	var kept []string
	for _, l := range s.body {
		if isComment(l) {
			kept = append(kept, l)
		}
	}
	if len(kept) > 0 {
		// The comments stay where they were: on the previous section.
		if p := d.before(s); p != nil {
			p.body = append(p.body, kept...)
		} else {
			d.head = append(d.head, kept...)
		}
	}
	s.removed = true
	if !d.hasAfter(s) {
		if last := d.lastLine(); last != nil && strings.TrimSpace(*last) == "" {
			d.dropLast()
		}
	}
}

func isComment(raw string) bool {
	t := strings.TrimSpace(raw)
	return t != "" && (t[0] == '#' || t[0] == ';')
}

// before is the live section before s (nil when s is the first).
func (d *Doc) before(s *DocSection) *DocSection {
	for i := s.pos - 1; i >= 0; i-- {
		if !d.secs[i].removed {
			return d.secs[i]
		}
	}
	return nil
}

// hasAfter reports whether a live section follows s.
func (d *Doc) hasAfter(s *DocSection) bool {
	for _, x := range d.secs[s.pos+1:] {
		if !x.removed {
			return true
		}
	}
	return false
}

// dropLast removes the document's last line (a live section's header is
// never the last line dropped: callers only drop blank lines).
func (d *Doc) dropLast() {
	for i := len(d.secs) - 1; i >= 0; i-- {
		s := d.secs[i]
		if s.removed {
			continue
		}
		if len(s.body) > 0 {
			s.body = s.body[:len(s.body)-1]
		}
		return
	}
	if len(d.head) > 0 {
		d.head = d.head[:len(d.head)-1]
	}
}

// keyLine splits a raw body line into key and value when it is a key line
// (not a comment, not indented; "key = value").
func keyLine(raw string) (key, value string, ok bool) {
	if raw == "" || raw[0] == ' ' || raw[0] == '\t' || isComment(raw) {
		return "", "", false
	}
	k, v, ok := strings.Cut(strings.TrimRight(raw, "\r\n"), "=")
	if !ok {
		return "", "", false
	}
	return strings.ToLower(strings.TrimSpace(k)), strings.TrimSpace(v), true
}

// Keys returns the section's top-level keys (lower-cased) and values, in
// file order.
func (s *DocSection) Keys() []KV {
	var out []KV
	for _, l := range s.body {
		if k, v, ok := keyLine(l); ok {
			out = append(out, KV{k, v})
		}
	}
	return out
}

// Get returns a key's value (the first, when repeated).
func (s *DocSection) Get(key string) (string, bool) {
	for _, l := range s.body {
		if k, v, ok := keyLine(l); ok && k == key {
			return v, true
		}
	}
	return "", false
}

// nl is the section's line ending: its header's, else the file's.
func (s *DocSection) nl() string {
	if strings.HasSuffix(s.header, "\r\n") {
		return "\r\n"
	}
	if strings.HasSuffix(s.header, "\n") {
		return "\n"
	}
	return s.doc.nl
}

// Set gives a key a value: its line is rewritten as "key = value" (keeping
// its line ending) when the value differs, or a line is added after the
// section's last key. Lines of other keys are not touched.
func (s *DocSection) Set(key, value string) {
	for i, l := range s.body {
		if k, v, ok := keyLine(l); ok && k == key {
			if v != value {
				s.body[i] = key + " = " + value + l[len(strings.TrimRight(l, "\r\n")):]
			}
			return
		}
	}
	line := key + " = " + value + s.nl()
	at := 0 // after the last key (or its sub-properties)
	for i, l := range s.body {
		if _, _, ok := keyLine(l); ok || (l != "" && (l[0] == ' ' || l[0] == '\t') && strings.TrimSpace(l) != "") {
			at = i + 1
		}
	}
	if at == 0 {
		if !strings.HasSuffix(s.header, "\n") {
			s.header += s.doc.nl
		}
	} else if !strings.HasSuffix(s.body[at-1], "\n") {
		s.body[at-1] += s.nl()
	}
	s.body = append(s.body[:at], append([]string{line}, s.body[at:]...)...)
}

// Delete removes a key's lines (every repeat, and their indented
// sub-properties).
func (s *DocSection) Delete(key string) {
	out := s.body[:0:0]
	skipping := false
	for _, l := range s.body {
		if k, _, ok := keyLine(l); ok {
			skipping = k == key
		} else if skipping && !(l != "" && (l[0] == ' ' || l[0] == '\t') && strings.TrimSpace(l) != "") {
			skipping = false
		}
		if !skipping {
			out = append(out, l)
		}
	}
	s.body = out
}

// ManagedKey is the marker ssoctl puts in every profile it writes; it
// only ever changes or removes sections that carry it.
const ManagedKey = "ssoctl_managed"

// Marked reports whether the section carries ssoctl's marker
// (ssoctl_managed = true).
func (s *DocSection) Marked() bool {
	v, _ := s.Get(ManagedKey)
	return strings.EqualFold(v, "true")
}
