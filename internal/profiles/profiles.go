// Package profiles turns the accounts and roles a person can reach into the
// ~/.aws/config profiles that `ssoctl configure populate` and `configure
// profile` keep: names from a template, the keys each profile holds, and a
// plan against the config file's lossless model (added, changed, removed,
// unchanged, and the names it refuses to touch). It is pure: no network,
// no file access; the command reads and writes the file.
package profiles

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"text/template"
	"unicode"

	"github.com/ssoctl/ssoctl/internal/awsconfig"
	"github.com/ssoctl/ssoctl/internal/sso"
)

// DefaultTemplate names a profile after its account and role; with more
// than one region, DefaultRegionTemplate.
const (
	DefaultTemplate       = "{{.AccountName}}.{{.RoleName}}"
	DefaultRegionTemplate = "{{.AccountName}}.{{.RoleName}}.{{.Region}}"
)

// Naming says how profile names are made.
type Naming struct {
	// Template is a text/template over NameData ("" is DefaultTemplate,
	// or DefaultRegionTemplate with more than one region).
	Template string
	// TrimAccount, when set, is removed (every match) from account names,
	// then surrounding spaces, before the template sees them (e.g. a
	// company prefix).
	TrimAccount *regexp.Regexp
	// Lower lower-cases the whole name.
	Lower bool
	// SpaceReplace, when set, replaces every space in the name (in the
	// account name first, before the characters botocore cannot read are
	// replaced there).
	SpaceReplace string
}

// NameData is what a name template sees.
type NameData struct {
	AccountName, AccountId, RoleName, Region, SSOSession string //nolint:revive // the template's field names
}

// Spec says which profiles to make.
type Spec struct {
	Naming
	// Regions: one profile per region (none: one profile without a
	// region key).
	Regions []string
	// Session is the sso-session the profiles use; with no session,
	// StartURL and SSORegion are written into each profile (a legacy
	// profile).
	Session, StartURL, SSORegion string
	// CredentialProcess writes credential_process (Command's
	// credential-process for the account and role) instead of the keys
	// that make SDKs use Identity Center natively.
	CredentialProcess bool
	// Command is the ssoctl command credential_process runs ("ssoctl"
	// when empty).
	Command string
	// Unlisted are accounts whose roles could not be listed this time:
	// what roles they have is unknown, so prune leaves their profiles.
	Unlisted []string
}

// Profile is one profile to write.
type Profile struct {
	Name                             string
	AccountID, AccountName, RoleName string
	Region                           string
	// Keys are the section's keys in the order they are written.
	Keys []awsconfig.KV
}

// ProblemKind says why a profile is not written.
type ProblemKind string

// The problems populate reports instead of overwriting anything.
const (
	// SameName: more than one account and role make the same name (two
	// accounts with the same name, say).
	SameName ProblemKind = "same-name"
	// NotManaged: a profile of that name exists without ssoctl's marker.
	NotManaged ProblemKind = "not-managed"
	// OtherSignIn: a marked profile of that name belongs to another
	// sso-session or start URL.
	OtherSignIn ProblemKind = "other-sign-in"
	// Repeated: the file has more than one section of that name.
	Repeated ProblemKind = "repeated"
	// BadName: the name cannot be written as a section header that
	// botocore (the AWS CLI, boto3) reads back as that name.
	BadName ProblemKind = "bad-name"
)

// Problem is a profile that is not written, and why.
type Problem struct {
	Kind ProblemKind `json:"kind"`
	Name string      `json:"name"`
	// Roles are the account roles that wanted the name.
	Roles []sso.Role `json:"roles"`
	// Reason says why a BadName cannot be written.
	Reason string `json:"reason,omitempty"`
}

// MarshalJSON writes a problem as populate's JSON has always shown it: each
// role as its AccountID, AccountName and RoleName under those names (the
// document predates sso.Role's camelCase tags, and keeps its shape).
func (p Problem) MarshalJSON() ([]byte, error) {
	type role struct{ AccountID, AccountName, RoleName string }
	var roles []role
	if p.Roles != nil {
		roles = make([]role, len(p.Roles))
		for i, r := range p.Roles {
			roles[i] = role{r.AccountID, r.AccountName, r.RoleName}
		}
	}
	return json.Marshal(struct {
		Kind   ProblemKind `json:"kind"`
		Name   string      `json:"name"`
		Roles  []role      `json:"roles"`
		Reason string      `json:"reason,omitempty"`
	}{p.Kind, p.Name, roles, p.Reason})
}

// Message explains the problem in a sentence.
func (p Problem) Message() string {
	var who []string
	for _, r := range p.Roles {
		if s := fmt.Sprintf("%s in %q (%s)", r.RoleName, r.AccountName, r.AccountID); !slices.Contains(who, s) {
			who = append(who, s) // once, though wanted for several regions
		}
	}
	w := strings.Join(who, ", ")
	switch p.Kind {
	case SameName:
		return fmt.Sprintf("profile %q: the name is made more than once (for %s); none of them is written — add %s to --name", p.Name, w, p.tellApart())
	case NotManaged:
		return fmt.Sprintf("profile %q already exists and was not written by ssoctl (no %s = true); left as it is, not written for %s — rename one of them", p.Name, awsconfig.ManagedKey, w)
	case OtherSignIn:
		return fmt.Sprintf("profile %q is managed by ssoctl for another sso-session or start URL; left as it is, not written for %s", p.Name, w)
	case Repeated:
		return fmt.Sprintf("profile %q appears more than once in the config file; left as it is, not written for %s", p.Name, w)
	default:
		return fmt.Sprintf("profile name %q (for %s) not written: %s, so the AWS CLI and boto3 could not use it; change --name", p.Name, w, p.Reason)
	}
}

// tellApart is what a name template needs to tell apart the roles of a
// SameName problem: the account id when the roles are in accounts of the
// same name, the role name when they are roles of one account, the region
// when they are one role in several regions.
func (p Problem) tellApart() string {
	accounts, roles := map[string]bool{}, map[string]bool{}
	for _, r := range p.Roles {
		accounts[r.AccountID], roles[r.RoleName] = true, true
	}
	switch {
	case len(accounts) > 1 && len(roles) > 1:
		return "{{.AccountId}} and {{.RoleName}}"
	case len(accounts) > 1:
		return "{{.AccountId}}"
	case len(roles) > 1:
		return "{{.RoleName}}"
	}
	return "{{.Region}}"
}

// Template parses the naming template (the default one for the number of
// regions when empty), so a bad one is reported before any work.
func (n Naming) template(regions int) (*template.Template, error) {
	src := n.Template
	if src == "" {
		src = DefaultTemplate
		if regions > 1 {
			src = DefaultRegionTemplate
		}
	}
	t, err := template.New("name").Option("missingkey=error").Parse(src)
	if err != nil {
		return nil, fmt.Errorf("name template: %w", err)
	}
	return t, nil
}

// Check parses the naming template and runs it once on sample data.
func (n Naming) Check(regions int) error {
	t, err := n.template(regions)
	if err != nil {
		return err
	}
	if err := t.Execute(&bytes.Buffer{}, NameData{AccountName: "a", AccountId: "111122223333", RoleName: "r", Region: "us-east-1", SSOSession: "s"}); err != nil {
		return fmt.Errorf("name template: %w", err)
	}
	return nil
}

// Name makes the profile name of a role in a region.
func (n Naming) name(t *template.Template, r sso.Role, region, session string) (string, error) {
	acct := r.AccountName
	if n.TrimAccount != nil {
		acct = strings.TrimSpace(n.TrimAccount.ReplaceAllString(acct, ""))
	}
	if n.SpaceReplace != "" {
		acct = strings.ReplaceAll(acct, " ", n.SpaceReplace)
	}
	acct = SafeAccountName(acct)
	var b strings.Builder
	if err := t.Execute(&b, NameData{AccountName: acct, AccountId: r.AccountID, RoleName: r.RoleName, Region: region, SSOSession: session}); err != nil {
		return "", fmt.Errorf("name template: %w", err)
	}
	name := b.String()
	if n.Lower {
		name = strings.ToLower(name)
	}
	if n.SpaceReplace != "" {
		name = strings.ReplaceAll(name, " ", n.SpaceReplace)
	}
	return name, nil
}

// SafeAccountName is an account name as profile names use it: each run of
// characters that botocore cannot read in an unquoted section header
// (white space, quotes, backslashes, brackets, control characters) becomes
// one "-", so Control Tower's "Log Archive" gives Log-Archive.Developer, as
// aws-sso-util names it, and not [profile Log Archive.Developer], a section
// the AWS CLI and boto3 ignore. Other characters (letters of any script,
// digits, + = , . @ - _ and the like) stay.
func SafeAccountName(name string) string {
	unsafe := func(c rune) bool {
		return unicode.IsSpace(c) || unicode.IsControl(c) || strings.ContainsRune(`"'\[]`, c)
	}
	var b strings.Builder
	run := false
	for _, c := range name {
		if unsafe(c) {
			if !run {
				b.WriteByte('-')
			}
			run = true
			continue
		}
		run = false
		b.WriteRune(c)
	}
	return b.String()
}

// nameProblem is why a profile name cannot be written ("" when it can).
func nameProblem(name string) string {
	if err := awsconfig.CheckName(awsconfig.KindProfile, name); err != nil {
		return err.Error()
	}
	return ""
}

// One makes the profile of one role in a region under the given name
// (`configure profile NAME`).
func One(name string, r sso.Role, region string, spec Spec) (Profile, []Problem) {
	p := Profile{Name: name, AccountID: r.AccountID, AccountName: r.AccountName, RoleName: r.RoleName, Region: region, Keys: spec.keys(r, region)}
	if why := nameProblem(name); why != "" {
		return p, []Problem{{Kind: BadName, Name: name, Roles: []sso.Role{r}, Reason: why}}
	}
	return p, nil
}

// Desired makes the profiles for roles (each × every region), sorted by
// name. Names made more than once, and names that cannot be used, become
// problems and are left out.
func Desired(roles []sso.Role, spec Spec) ([]Profile, []Problem, error) {
	t, err := spec.template(len(spec.Regions))
	if err != nil {
		return nil, nil, err
	}
	regions := spec.Regions
	if len(regions) == 0 {
		regions = []string{""}
	}
	byName := map[string][]Profile{}
	var names []string
	for _, r := range roles {
		for _, region := range regions {
			name, err := spec.name(t, r, region, spec.Session)
			if err != nil {
				return nil, nil, err
			}
			if _, ok := byName[name]; !ok {
				names = append(names, name)
			}
			byName[name] = append(byName[name], Profile{
				Name: name, AccountID: r.AccountID, AccountName: r.AccountName, RoleName: r.RoleName, Region: region,
				Keys: spec.keys(r, region),
			})
		}
	}
	slices.Sort(names)
	var out []Profile
	var problems []Problem
	for _, name := range names {
		ps := byName[name]
		switch why := nameProblem(name); {
		case why != "":
			problems = append(problems, Problem{Kind: BadName, Name: name, Roles: rolesOf(ps), Reason: why})
		case len(ps) > 1:
			problems = append(problems, Problem{Kind: SameName, Name: name, Roles: rolesOf(ps)})
		default:
			out = append(out, ps[0])
		}
	}
	return out, problems, nil
}

func rolesOf(ps []Profile) []sso.Role {
	out := make([]sso.Role, 0, len(ps))
	for _, p := range ps {
		out = append(out, sso.Role{AccountID: p.AccountID, AccountName: p.AccountName, RoleName: p.RoleName})
	}
	return out
}

// keys are a profile's keys: the sign-in (sso_session, or legacy
// sso_start_url and sso_region), then either the account and role for the
// SDKs' native Identity Center support or credential_process, the region
// when one is given, and the marker.
//
// A credential_process profile names the account and role on the command
// line rather than in sso_account_id and sso_role_name: with those keys the
// SDKs (botocore's SSO provider comes before the process provider) would
// use Identity Center themselves and never run the process.
func (s Spec) keys(r sso.Role, region string) []awsconfig.KV {
	var kv []awsconfig.KV
	if s.Session != "" {
		kv = append(kv, awsconfig.KV{Key: "sso_session", Value: s.Session})
	} else {
		kv = append(kv, awsconfig.KV{Key: "sso_start_url", Value: s.StartURL}, awsconfig.KV{Key: "sso_region", Value: s.SSORegion})
	}
	if s.CredentialProcess {
		cmd := s.Command
		if cmd == "" {
			cmd = "ssoctl"
		}
		args := []string{cmd, "credential-process"}
		if s.Session != "" {
			args = append(args, "--sso-session", s.Session)
		} else {
			args = append(args, "--start-url", s.StartURL, "--sso-region", s.SSORegion)
		}
		args = append(args, "--account-id", r.AccountID, "--role-name", r.RoleName)
		for i, a := range args {
			args[i] = shellQuote(a)
		}
		kv = append(kv, awsconfig.KV{Key: "credential_process", Value: strings.Join(args, " ")})
	} else {
		kv = append(kv, awsconfig.KV{Key: "sso_account_id", Value: r.AccountID}, awsconfig.KV{Key: "sso_role_name", Value: r.RoleName})
	}
	if region != "" {
		kv = append(kv, awsconfig.KV{Key: "region", Value: region})
	}
	return append(kv, awsconfig.KV{Key: awsconfig.ManagedKey, Value: "true"})
}

// shellQuote quotes a word for the POSIX-style splitting botocore applies
// to credential_process (shlex), only when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(c rune) bool {
		return !(c == '-' || c == '_' || c == '.' || c == '/' || c == ':' || c == '=' || c == '@' || c == '+' || c == ',' ||
			c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9')
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
