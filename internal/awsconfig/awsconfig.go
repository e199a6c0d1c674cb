// Package awsconfig reads the AWS shared config file (~/.aws/config) the way
// the AWS CLI v2 and the SDKs read it, but only what ssoctl needs: profiles,
// [sso-session] sections and their keys. It is small and fast on purpose:
// `ssoctl credential-process` reads the file on every call and must not pay
// for the SDK's whole configuration chain.
package awsconfig

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Section kinds.
const (
	KindProfile    = "profile"
	KindSSOSession = "sso-session"
	KindServices   = "services"
)

// Section is one [kind name] section: its keys, lower-cased, with values
// trimmed. Nested sub-properties (indented lines under a key with an empty
// value, as in s3 = \n  max_concurrent_requests = 10) are not kept.
type Section struct {
	Kind string
	Name string
	Keys map[string]string
}

// Get returns the value of key ("" when absent).
func (s Section) Get(key string) string { return s.Keys[key] }

// File is a parsed config file.
type File struct {
	Path     string
	sections map[string]*Section // by kind + "\x00" + name
}

// Path is the config file's path: AWS_CONFIG_FILE, else ~/.aws/config.
func Path(getenv func(string) string) (string, error) {
	if p := getenv("AWS_CONFIG_FILE"); p != "" {
		return expandHome(p, getenv)
	}
	home, err := Home(getenv)
	if err != nil {
		return "", err
	}
	return filepath.Join(home, ".aws", "config"), nil
}

// Home is the user's home folder: HOME (USERPROFILE on Windows), else the
// operating system's idea of it.
func Home(getenv func(string) string) (string, error) {
	if h := getenv("HOME"); h != "" {
		return h, nil
	}
	if h := getenv("USERPROFILE"); h != "" {
		return h, nil
	}
	h, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("find the home folder: %w", err)
	}
	return h, nil
}

func expandHome(p string, getenv func(string) string) (string, error) {
	if p != "~" && !strings.HasPrefix(p, "~/") && !strings.HasPrefix(p, `~\`) {
		return p, nil
	}
	home, err := Home(getenv)
	if err != nil {
		return "", err
	}
	return filepath.Join(home, p[1:]), nil
}

// Load reads and parses the file at path. A missing file is an empty File.
// A file botocore would refuse (see Parse) is a *SyntaxError naming the
// file and line.
func Load(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		f, _ := Parse(nil)
		f.Path = path
		return f, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read AWS config: %w", err)
	}
	f, err := Parse(data)
	if err != nil {
		var se *SyntaxError
		if errors.As(err, &se) {
			se.Path = path
		}
		return nil, err
	}
	f.Path = path
	return f, nil
}

// SyntaxError is a line of the config file that botocore (the AWS CLI,
// boto3) refuses to read.
type SyntaxError struct {
	Path string // "" when parsed from bytes
	Line int
	Msg  string
}

func (e *SyntaxError) Error() string {
	where := "AWS config"
	if e.Path != "" {
		where = e.Path
	}
	return fmt.Sprintf("%s:%d: %s (the AWS CLI and boto3 refuse this file too)", where, e.Line, e.Msg)
}

// Parse parses config file text as botocore (Python's configparser under
// it) does: [default], [profile NAME], [sso-session NAME] and
// [services NAME] headers (others are kept by botocore and ignored here;
// names are read as botocore reads them: [profile "my dev"] is "my dev",
// and [profile my dev] no profile at all, see sectionName),
// key = value or key: value lines with case-insensitive keys, # and ;
// comment lines, and indented continuation lines (sub-properties such as
// s3 = then   max_concurrent_requests = 10, which are not kept).
//
// What botocore refuses is an error with its line: a header with the same
// text as an earlier one, a key repeated in a section, a header without
// its closing ], a key before any header, and a line that is neither. Two
// headers of one profile written differently ([default] and
// [profile default], or with other spacing) are not an error in botocore:
// the later section replaces the earlier one whole, as here.
func Parse(data []byte) (*File, error) {
	f := &File{sections: map[string]*Section{}}
	type rawSection struct {
		line int
		keys map[string]int // key -> line
	}
	seen := map[string]*rawSection{} // by header text
	var (
		cur      *Section // nil for a section ssoctl does not keep
		raw      *rawSection
		lastKey  string
		keyLevel int
	)
	fail := func(n int, format string, args ...any) (*File, error) {
		return nil, &SyntaxError{Line: n, Msg: fmt.Sprintf(format, args...)}
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for n := 1; sc.Scan(); n++ {
		text := strings.TrimRight(sc.Text(), "\r")
		line := strings.TrimSpace(text)
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		level := len(text) - len(strings.TrimLeft(text, " \t"))
		if raw != nil && lastKey != "" && level > keyLevel {
			// A continuation of lastKey's value: botocore reads it as a
			// sub-property when the value starts empty. Not kept.
			if cur != nil && cur.Keys[lastKey] != "" {
				cur.Keys[lastKey] += "\n" + line
			}
			continue
		}
		if line[0] == '[' {
			end := strings.LastIndexByte(line, ']')
			if end < 0 {
				return fail(n, "section header %s has no closing ]", line)
			}
			header := line[1:end]
			if header == "" {
				return fail(n, "section header [] has no name")
			}
			if prev, ok := seen[header]; ok {
				return fail(n, "section [%s] is repeated (first at line %d)", header, prev.line)
			}
			raw = &rawSection{line: n, keys: map[string]int{}}
			seen[header] = raw
			cur, lastKey = nil, ""
			kind, name := sectionName(header)
			if kind == "" {
				continue
			}
			// A later header of the same profile replaces the earlier
			// section, as in botocore.
			cur = &Section{Kind: kind, Name: name, Keys: map[string]string{}}
			f.sections[kind+"\x00"+name] = cur
			continue
		}
		i := strings.IndexAny(line, "=:")
		if i < 0 {
			if raw == nil {
				return fail(n, "%q comes before any [section] header", line)
			}
			return fail(n, "%q is not a key = value line", line)
		}
		if raw == nil {
			return fail(n, "key %q comes before any [section] header", strings.TrimSpace(line[:i]))
		}
		key := strings.ToLower(strings.TrimSpace(line[:i]))
		if key == "" {
			return fail(n, "%q has no key before the %c", line, line[i])
		}
		if prev, ok := raw.keys[key]; ok {
			return fail(n, "key %q is repeated in this section (first at line %d)", key, prev)
		}
		raw.keys[key] = n
		lastKey, keyLevel = key, level
		if cur != nil {
			cur.Keys[key] = strings.TrimSpace(line[i+1:])
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read AWS config: %w", err)
	}
	return f, nil
}

// Profile returns the named profile ("default" is [default] or
// [profile default]).
func (f *File) Profile(name string) (Section, bool) {
	s, ok := f.sections[KindProfile+"\x00"+name]
	if !ok {
		return Section{}, false
	}
	return *s, true
}

// SSOSession returns the named [sso-session] section.
func (f *File) SSOSession(name string) (Section, bool) {
	s, ok := f.sections[KindSSOSession+"\x00"+name]
	if !ok {
		return Section{}, false
	}
	return *s, true
}

// Names lists the sections of a kind, sorted.
func (f *File) Names(kind string) []string {
	var out []string
	for _, s := range f.sections {
		if s.Kind == kind {
			out = append(out, s.Name)
		}
	}
	sort.Strings(out)
	return out
}

// SSO is the Identity Center configuration of a profile or an sso-session.
type SSO struct {
	// Profile is the profile it came from ("" for an sso-session alone).
	Profile string
	// Session is the sso-session name; "" for a legacy profile, whose
	// token is keyed by its start URL.
	Session  string
	StartURL string
	// Region is sso_region, where the OIDC service and the portal live.
	Region string
	// Scopes are sso_registration_scopes (nil when not set).
	Scopes    []string
	AccountID string
	RoleName  string
	// ProfileRegion is the profile's own region key.
	ProfileRegion string
}

// ErrNoSSO says a profile exists but has no Identity Center keys.
var ErrNoSSO = errors.New("no Identity Center (sso_session or sso_start_url) configuration")

// ErrNotFound is wrapped by the errors for a profile or sso-session the
// file does not have.
var ErrNotFound = errors.New("not found")

// ProfileSSO resolves a profile's Identity Center configuration, following
// its sso_session. A key set in both the profile and the session with
// different values is an error, as in botocore.
func (f *File) ProfileSSO(name string) (SSO, error) {
	p, ok := f.Profile(name)
	if !ok {
		return SSO{}, fmt.Errorf("profile %q %w in %s", name, ErrNotFound, f.Path)
	}
	out := SSO{
		Profile:       name,
		AccountID:     p.Get("sso_account_id"),
		RoleName:      p.Get("sso_role_name"),
		ProfileRegion: p.Get("region"),
	}
	if id := out.AccountID; id != "" && !IsAccountID(id) {
		return SSO{}, fmt.Errorf("profile %q: sso_account_id %q is not an AWS account id (12 digits)", name, id)
	}
	if sess := p.Get("sso_session"); sess != "" {
		s, err := f.SessionSSO(sess)
		if err != nil {
			return SSO{}, fmt.Errorf("profile %q: %w", name, err)
		}
		for _, k := range []struct{ key, val string }{{"sso_start_url", s.StartURL}, {"sso_region", s.Region}} {
			if v := p.Get(k.key); v != "" && v != k.val {
				return SSO{}, fmt.Errorf("profile %q: %s %q differs from sso-session %q's %q", name, k.key, v, sess, k.val)
			}
		}
		out.Session, out.StartURL, out.Region, out.Scopes = s.Session, s.StartURL, s.Region, s.Scopes
		return out, nil
	}
	out.StartURL, out.Region = p.Get("sso_start_url"), p.Get("sso_region")
	if out.StartURL == "" {
		return SSO{}, fmt.Errorf("profile %q: %w", name, ErrNoSSO)
	}
	if out.Region == "" {
		return SSO{}, fmt.Errorf("profile %q has sso_start_url but no sso_region", name)
	}
	return out, nil
}

// SessionSSO resolves an [sso-session] section.
func (f *File) SessionSSO(name string) (SSO, error) {
	s, ok := f.SSOSession(name)
	if !ok {
		return SSO{}, fmt.Errorf("sso-session %q %w in %s", name, ErrNotFound, f.Path)
	}
	out := SSO{Session: name, StartURL: s.Get("sso_start_url"), Region: s.Get("sso_region"), Scopes: SplitScopes(s.Get("sso_registration_scopes"))}
	switch {
	case out.StartURL == "":
		return SSO{}, fmt.Errorf("sso-session %q has no sso_start_url", name)
	case out.Region == "":
		return SSO{}, fmt.Errorf("sso-session %q has no sso_region", name)
	}
	return out, nil
}

// SplitScopes splits sso_registration_scopes: comma-separated, trimmed,
// empty entries dropped (nil when none).
func SplitScopes(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// IsAccountID reports whether s is an AWS account id: 12 digits.
func IsAccountID(s string) bool { return len(s) == 12 && strings.Trim(s, "0123456789") == "" }
