// Package orgconfig reads the organization's settings for the user
// lifecycle: where people sign in, the sso-session name they are told to
// use, the e-mail domain (and legacy domains being phased out), who e-mail
// comes from, and the named access bundles; and for access reviews, which
// permission sets are privileged and which OUs and accounts are production.
// Nothing of one company is hard-coded in ssoctl: it all comes from this one
// YAML file.
//
// Errors name the file and line ("org.yaml:12: …"). The file's path is
// resolved by the command line and passed in.
package orgconfig

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"go.yaml.in/yaml/v3"
)

// Config is the org settings file.
type Config struct {
	// Path is the file the settings were read from.
	Path string `yaml:"-"`

	StartURL      string    `yaml:"start_url"`
	SSORegion     string    `yaml:"sso_region"`
	SSOSession    string    `yaml:"sso_session"`
	Domain        string    `yaml:"domain"`
	LegacyDomains []string  `yaml:"legacy_domains"`
	Email         Email     `yaml:"email"`
	Migration     Migration `yaml:"migration"`
	// Access holds the named bundles, in file order.
	Access []Bundle `yaml:"-"`
	// Privileged says which permission sets are privileged: the file's
	// privileged: section, else DefaultPrivileged.
	Privileged Privileged `yaml:"-"`
	// Production names the production OUs and accounts (none when the
	// file has no production: section).
	Production Production `yaml:"-"`
}

// Privileged names the permission sets an access review treats as
// privileged: those named, and (with Policies) those whose policies amount
// to administrator or IAM administrator access.
type Privileged struct {
	// PermissionSets are permission set names, ARNs or ps- ids.
	PermissionSets []Ref
	// Policies also makes privileged every permission set whose inline
	// policy allows "*" or "iam:*", or that has the AWS managed policy
	// AdministratorAccess or IAMFullAccess attached. Reading the policies
	// costs two calls per permission set.
	Policies bool
	// Line is where the section is (0: the defaults).
	Line int
}

// DefaultPrivileged is the privileged: setting of a file without one (and
// of no file): AdministratorAccess and IAMFullAccess by name, and the
// policies rule.
func DefaultPrivileged() Privileged {
	return Privileged{PermissionSets: []Ref{{Value: "AdministratorAccess"}, {Value: "IAMFullAccess"}}, Policies: true}
}

// Production names the production part of the organization: OUs (by id,
// path or name; every account beneath them) and accounts (by id or name).
type Production struct {
	OUs      []Ref
	Accounts []Ref
	// Line is where the section is (0: the file has none).
	Line int
}

// Set reports whether the settings name any production OU or account.
func (p Production) Set() bool { return len(p.OUs)+len(p.Accounts) > 0 }

// Ref is one name, path or id as the file gives it, with its line (0 for
// a default), so that a reference that does not resolve can be reported
// at its line.
type Ref struct {
	Value string
	Line  int
}

// Where is "PATH:LINE: " for a reference from the file, "" for a default.
func (c *Config) Where(r Ref) string {
	if c == nil || r.Line == 0 {
		return ""
	}
	return fmt.Sprintf("%s:%d: ", c.Path, r.Line)
}

// Email says how ssoctl sends e-mail (SESv2).
type Email struct {
	From string   `yaml:"from"`
	CC   []string `yaml:"cc"`
	// Region is the SES region (else the SSO region).
	Region string `yaml:"region"`
	// Templates is a folder with welcome.txt, welcome.html, migration.txt,
	// migration.html overriding the built-in ones (relative to the file).
	Templates string `yaml:"templates"`
}

// Migration holds what the migration e-mail tells people.
type Migration struct {
	// IAMKeysStop is the date legacy IAM access keys stop working.
	IAMKeysStop string `yaml:"iam_keys_stop"`
}

// Bundle is a named set of grants: `user create --access NAME`.
type Bundle struct {
	Name   string
	Grants []Grant
	Line   int
}

// Grant is one permission set on accounts (by id or name) and OUs (by id,
// path or name).
type Grant struct {
	PermissionSet string   `yaml:"permission_set"`
	Accounts      []string `yaml:"accounts"`
	OUs           []string `yaml:"ous"`
	Line          int      `yaml:"-"`
}

// Bundle returns the named bundle.
func (c *Config) Bundle(name string) (Bundle, error) {
	var names []string
	for _, b := range c.Access {
		if b.Name == name {
			return b, nil
		}
		names = append(names, b.Name)
	}
	if len(names) == 0 {
		return Bundle{}, fmt.Errorf("access bundle %q: %s defines no bundles (add them under access:)", name, c.Path)
	}
	return Bundle{}, fmt.Errorf("access bundle %q is not in %s (it has: %s)", name, c.Path, strings.Join(names, ", "))
}

// EmailRegion is the SES region: email.region, else the SSO region.
func (c *Config) EmailRegion() string {
	if c.Email.Region != "" {
		return c.Email.Region
	}
	return c.SSORegion
}

// TemplatesDir is email.templates resolved against the file's folder ("" if unset).
func (c *Config) TemplatesDir() string {
	t := c.Email.Templates
	if t == "" || filepath.IsAbs(t) {
		return t
	}
	return filepath.Join(filepath.Dir(c.Path), t)
}

// DomainOf is the domain of an e-mail address, lower-cased.
func DomainOf(addr string) string {
	_, d, ok := strings.Cut(addr, "@")
	if !ok {
		return ""
	}
	return strings.ToLower(d)
}

// InDomain reports whether addr is in the current domain (true when no
// domain is set).
func (c *Config) InDomain(addr string) bool {
	return c.Domain == "" || DomainOf(addr) == strings.ToLower(c.Domain)
}

// IsLegacy reports whether addr is in one of the legacy domains.
func (c *Config) IsLegacy(addr string) bool {
	d := DomainOf(addr)
	for _, l := range c.LegacyDomains {
		if d == strings.ToLower(l) {
			return true
		}
	}
	return false
}

// ErrNotFound is returned by Load when the file does not exist.
var ErrNotFound = errors.New("org settings file not found")

// Load reads and validates the file at path.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%s: %w", path, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("read org settings: %w", err)
	}
	return Parse(path, data)
}

var (
	reRegion = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$`) })
	reDomain = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^(?i)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$`)
	})
	reSession = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9_.-]+$`) })
	reYAMLErr = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`) })
)

// Parse validates data read from path. Every problem is reported, one per
// line, each as "path:line: message".
func Parse(path string, data []byte) (*Config, error) {
	c := &Config{Path: path}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, yamlError(path, err)
	}
	if len(doc.Content) == 0 {
		return nil, fmt.Errorf("%s: empty org settings file (see examples/org.yaml)", path)
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s:%d: the org settings must be a mapping (start_url:, sso_region:, …)", path, root.Line)
	}
	v := &validator{path: path}
	// Everything but access: decoded strictly, so unknown keys are errors.
	var rest yaml.Node = *root
	rest.Content = nil
	// access:, privileged: and production: are read from the nodes, so
	// that each entry keeps its line.
	var access, privileged, production *yaml.Node
	var privilegedLine, productionLine int
	for i := 0; i+1 < len(root.Content); i += 2 {
		switch root.Content[i].Value {
		case "access":
			access = root.Content[i+1]
			continue
		case "privileged":
			privileged, privilegedLine = root.Content[i+1], root.Content[i].Line
			continue
		case "production":
			production, productionLine = root.Content[i+1], root.Content[i].Line
			continue
		}
		rest.Content = append(rest.Content, root.Content[i], root.Content[i+1])
	}
	out, err := yaml.Marshal(&rest)
	if err == nil {
		dec := yaml.NewDecoder(bytes.NewReader(out))
		dec.KnownFields(true)
		if err := dec.Decode(c); err != nil && !errors.Is(err, io.EOF) {
			// The re-marshalled text has other line numbers: find the key.
			v.decodeErrors(root, err)
		}
	}
	c.Path = path
	v.check(c, root)
	if access != nil {
		c.Access = v.bundles(access)
	}
	c.Privileged = DefaultPrivileged()
	if privileged != nil {
		c.Privileged = v.privileged(privileged, privilegedLine)
	}
	if production != nil {
		c.Production = v.production(production, productionLine)
	}
	if len(v.errs) > 0 {
		return nil, errors.New(strings.Join(v.errs, "\n"))
	}
	return c, nil
}

func yamlError(path string, err error) error {
	var lines []string
	for _, l := range strings.Split(err.Error(), "\n") {
		l = strings.TrimSpace(strings.TrimPrefix(l, "yaml: unmarshal errors:"))
		if l == "" {
			continue
		}
		if m := reYAMLErr().FindStringSubmatch(l); m != nil {
			lines = append(lines, fmt.Sprintf("%s:%s: %s", path, m[1], m[2]))
		} else {
			lines = append(lines, path+": "+strings.TrimPrefix(l, "yaml: "))
		}
	}
	return errors.New(strings.Join(lines, "\n"))
}

type validator struct {
	path string
	errs []string
}

func (v *validator) errf(line int, format string, args ...any) {
	v.errs = append(v.errs, fmt.Sprintf("%s:%d: %s", v.path, line, fmt.Sprintf(format, args...)))
}

// find returns the value node at a key path (and the key's line).
func find(n *yaml.Node, keys ...string) (*yaml.Node, int) {
	line := n.Line
	for _, k := range keys {
		if n == nil || n.Kind != yaml.MappingNode {
			return nil, line
		}
		var next *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == k {
				next, line = n.Content[i+1], n.Content[i].Line
			}
		}
		n = next
	}
	return n, line
}

// decodeErrors reports strict-decoding errors at the lines of the
// original file: unknown keys and values of the wrong type.
func (v *validator) decodeErrors(root *yaml.Node, err error) {
	known := map[string][]string{
		"":          {"start_url", "sso_region", "sso_session", "domain", "legacy_domains", "email", "migration", "access", "privileged", "production"},
		"email":     {"from", "cc", "region", "templates"},
		"migration": {"iam_keys_stop"},
	}
	found := false
	for section, keys := range known {
		n := root
		if section != "" {
			n, _ = find(root, section)
			if n == nil || n.Kind != yaml.MappingNode {
				continue
			}
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if !contains(keys, k.Value) {
				where := k.Value
				if section != "" {
					where = section + "." + k.Value
				}
				v.errf(k.Line, "unknown setting %q (known: %s)", where, strings.Join(keys, ", "))
				found = true
			}
		}
	}
	if found {
		return
	}
	// A type error: name the setting by its key.
	msg := err.Error()
	for _, l := range strings.Split(msg, "\n") {
		m := reYAMLErr().FindStringSubmatch(strings.TrimSpace(l))
		if m == nil {
			continue
		}
		v.errs = append(v.errs, fmt.Sprintf("%s: %s", v.path, m[2]))
		found = true
	}
	if !found {
		v.errs = append(v.errs, v.path+": "+msg)
	}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if x == y {
			return true
		}
	}
	return false
}

func (v *validator) check(c *Config, root *yaml.Node) {
	line := func(keys ...string) int { _, l := find(root, keys...); return l }
	switch {
	case c.StartURL == "":
		v.errf(root.Line, "start_url is required (the AWS access portal URL people sign in to, e.g. https://example.awsapps.com/start)")
	default:
		if err := CheckStartURL(c.StartURL); err != nil {
			v.errf(line("start_url"), "start_url: %v", err)
		}
	}
	switch {
	case c.SSORegion == "":
		v.errf(root.Line, "sso_region is required (the region of your IAM Identity Center instance)")
	case !reRegion().MatchString(c.SSORegion):
		v.errf(line("sso_region"), "sso_region %q is not an AWS region (like eu-west-1)", c.SSORegion)
	}
	switch {
	case c.SSOSession == "":
		v.errf(root.Line, "sso_session is required (the [sso-session NAME] people use in ~/.aws/config)")
	case !reSession().MatchString(c.SSOSession):
		v.errf(line("sso_session"), "sso_session %q: use letters, digits, '.', '_' and '-' only", c.SSOSession)
	}
	if c.Domain != "" && !reDomain().MatchString(c.Domain) {
		v.errf(line("domain"), "domain %q is not a domain name (like example.com)", c.Domain)
	}
	if n, _ := find(root, "legacy_domains"); n != nil {
		for i, d := range c.LegacyDomains {
			l := n.Line
			if i < len(n.Content) {
				l = n.Content[i].Line
			}
			switch {
			case !reDomain().MatchString(d):
				v.errf(l, "legacy_domains: %q is not a domain name", d)
			case strings.EqualFold(d, c.Domain):
				v.errf(l, "legacy_domains: %q is also the current domain", d)
			}
		}
	}
	if c.Email.From != "" {
		if _, err := mail.ParseAddress(c.Email.From); err != nil {
			v.errf(line("email", "from"), "email.from %q is not an e-mail address", c.Email.From)
		}
	}
	if n, _ := find(root, "email", "cc"); n != nil {
		for i, a := range c.Email.CC {
			if _, err := mail.ParseAddress(a); err != nil {
				l := n.Line
				if i < len(n.Content) {
					l = n.Content[i].Line
				}
				v.errf(l, "email.cc: %q is not an e-mail address", a)
			}
		}
	}
	if c.Email.Region != "" && !reRegion().MatchString(c.Email.Region) {
		v.errf(line("email", "region"), "email.region %q is not an AWS region", c.Email.Region)
	}
	if c.Migration.IAMKeysStop != "" {
		if _, err := time.Parse(time.DateOnly, c.Migration.IAMKeysStop); err != nil {
			v.errf(line("migration", "iam_keys_stop"), "migration.iam_keys_stop %q: write the date as YYYY-MM-DD", c.Migration.IAMKeysStop)
		}
	}
}

// CheckStartURL accepts an https URL, or http on a loopback host (the sandbox).
func CheckStartURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return fmt.Errorf("%q is not a URL", s)
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		host := u.Hostname()
		if ip := net.ParseIP(host); (ip != nil && ip.IsLoopback()) || host == "localhost" {
			return nil
		}
	}
	return fmt.Errorf("%q must be an https URL", s)
}

func (v *validator) bundles(n *yaml.Node) []Bundle {
	if n.Kind != yaml.MappingNode {
		v.errf(n.Line, "access must map bundle names to lists of {permission_set, accounts, ous}")
		return nil
	}
	var out []Bundle
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		b := Bundle{Name: k.Value, Line: k.Line}
		if seen[b.Name] {
			v.errf(k.Line, "access bundle %q is defined twice", b.Name)
		}
		seen[b.Name] = true
		if val.Kind != yaml.SequenceNode || len(val.Content) == 0 {
			v.errf(k.Line, "access bundle %q must be a non-empty list of {permission_set, accounts, ous}", b.Name)
			continue
		}
		for _, g := range val.Content {
			var gr Grant
			if g.Kind != yaml.MappingNode {
				v.errf(g.Line, "access bundle %q: each entry is {permission_set: NAME, accounts: [...], ous: [...]}", b.Name)
				continue
			}
			for j := 0; j+1 < len(g.Content); j += 2 {
				if key := g.Content[j].Value; !contains([]string{"permission_set", "accounts", "ous"}, key) {
					v.errf(g.Content[j].Line, "access bundle %q: unknown key %q (known: permission_set, accounts, ous)", b.Name, key)
				}
			}
			if err := g.Decode(&gr); err != nil {
				v.errf(g.Line, "access bundle %q: %s", b.Name, strings.TrimPrefix(err.Error(), "yaml: unmarshal errors:\n  "))
				continue
			}
			gr.Line = g.Line
			if gr.PermissionSet == "" {
				v.errf(g.Line, "access bundle %q: permission_set is required", b.Name)
			}
			if len(gr.Accounts)+len(gr.OUs) == 0 {
				v.errf(g.Line, "access bundle %q: give accounts or ous for %s", b.Name, gr.PermissionSet)
			}
			b.Grants = append(b.Grants, gr)
		}
		out = append(out, b)
	}
	return out
}

// privileged reads the privileged: section: {permission_sets: [...],
// policies: true|false}; what it leaves out keeps its default.
func (v *validator) privileged(n *yaml.Node, line int) Privileged {
	p := DefaultPrivileged()
	p.Line = line
	if n.Kind != yaml.MappingNode {
		v.errf(line, "privileged must be a mapping: {permission_sets: [NAME, ...], policies: true|false}")
		return p
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		switch k.Value {
		case "permission_sets":
			p.PermissionSets = v.refs("privileged.permission_sets", val)
		case "policies":
			var b bool
			if val.Kind != yaml.ScalarNode || val.Decode(&b) != nil {
				v.errf(val.Line, "privileged.policies must be true or false, not %q", val.Value)
				continue
			}
			p.Policies = b
		default:
			v.errf(k.Line, "unknown setting %q (known: privileged.permission_sets, privileged.policies)", "privileged."+k.Value)
		}
	}
	return p
}

// production reads the production: section: {ous: [...], accounts: [...]}.
func (v *validator) production(n *yaml.Node, line int) Production {
	p := Production{Line: line}
	errs := len(v.errs)
	if n.Kind != yaml.MappingNode {
		v.errf(line, "production must be a mapping: {ous: [OU, ...], accounts: [ACCOUNT, ...]}")
		return p
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		switch k.Value {
		case "ous":
			p.OUs = v.refs("production.ous", val)
		case "accounts":
			p.Accounts = v.refs("production.accounts", val)
		default:
			v.errf(k.Line, "unknown setting %q (known: production.ous, production.accounts)", "production."+k.Value)
		}
	}
	if !p.Set() && len(v.errs) == errs {
		v.errf(line, "production names no OU and no account: give production.ous or production.accounts (names, paths or ids)")
	}
	return p
}

// refs reads a list of names, paths or ids (a single scalar is a list of
// one), each with its line; duplicates and empty entries are errors.
func (v *validator) refs(what string, n *yaml.Node) []Ref {
	items := []*yaml.Node{n}
	switch {
	case n.Kind == yaml.SequenceNode:
		items = n.Content
	case n.Tag == "!!null":
		items = nil // "key:" with nothing: an empty list
	}
	var out []Ref
	seen := map[string]bool{}
	for _, it := range items {
		if it.Kind != yaml.ScalarNode || it.Tag == "!!null" || strings.TrimSpace(it.Value) == "" {
			v.errf(it.Line, "%s: each entry is a name, path or id", what)
			continue
		}
		val := strings.TrimSpace(it.Value)
		if seen[val] {
			v.errf(it.Line, "%s: %q is listed twice", what, val)
			continue
		}
		seen[val] = true
		out = append(out, Ref{Value: val, Line: it.Line})
	}
	return out
}
