package profiles

import (
	"slices"
	"strings"

	"github.com/ssoctl/ssoctl/internal/awsconfig"
	"github.com/ssoctl/ssoctl/internal/sso"
)

// Action is what a plan does to one profile.
type Action string

// The actions of a plan.
const (
	Added     Action = "added"
	Changed   Action = "changed"
	Removed   Action = "removed"
	Unchanged Action = "unchanged"
)

// Change is one profile's entry in a plan.
type Change struct {
	Action      Action `json:"action"`
	Name        string `json:"name"`
	AccountID   string `json:"accountId,omitempty"`
	AccountName string `json:"accountName,omitempty"`
	RoleName    string `json:"roleName,omitempty"`
	Region      string `json:"region,omitempty"`
}

// Summary counts a plan's changes.
type Summary struct {
	Added     int `json:"added"`
	Changed   int `json:"changed"`
	Removed   int `json:"removed"`
	Unchanged int `json:"unchanged"`
	Problems  int `json:"problems"`
}

// Plan is what writing the desired profiles does to a config file.
type Plan struct {
	// Changes lists every profile concerned, by name.
	Changes []Change
	// Problems are the profiles not written, and why.
	Problems []Problem
	// Session is the [sso-session] section to add (nil: none), when the
	// profiles name a session the file does not have yet.
	Session []awsconfig.KV

	spec    Spec
	desired map[string]Profile
	// unreadable are the headers of marked sections to remove whose
	// names botocore cannot read (see MakePlan).
	unreadable map[string]bool
}

// Summary counts the plan's changes.
func (p *Plan) Summary() Summary {
	s := Summary{Problems: len(p.Problems)}
	for _, c := range p.Changes {
		switch c.Action {
		case Added:
			s.Added++
		case Changed:
			s.Changed++
		case Removed:
			s.Removed++
		default:
			s.Unchanged++
		}
	}
	return s
}

// managedKeys are the keys ssoctl owns in a marked profile: set when
// wanted, removed when not (region only when a region is given; else a
// region the person set is theirs).
var managedKeys = []string{"sso_session", "sso_start_url", "sso_region", "sso_account_id", "sso_role_name", "credential_process", awsconfig.ManagedKey}

// owns reports whether a marked section belongs to the sign-in of spec.
func (s Spec) owns(sec *awsconfig.DocSection) bool {
	if s.Session != "" {
		v, _ := sec.Get("sso_session")
		return v == s.Session
	}
	v, _ := sec.Get("sso_start_url")
	_, hasSession := sec.Get("sso_session")
	return !hasSession && v == s.StartURL
}

// MakePlan compares the desired profiles (and the problems Desired found)
// with the file. Only profiles carrying the marker and belonging to spec's
// sign-in are changed; with prune, such profiles that are not desired are
// removed. Any other section of the desired name is a problem, never
// overwritten.
func MakePlan(doc *awsconfig.Doc, desired []Profile, problems []Problem, spec Spec, prune bool) *Plan {
	p := &Plan{Problems: slices.Clone(problems), spec: spec, desired: map[string]Profile{}, unreadable: map[string]bool{}}
	taken := map[string]bool{}
	for _, pr := range problems {
		taken[pr.Name] = true
	}
	for _, d := range desired {
		taken[d.Name] = true
		secs := doc.Find(awsconfig.KindProfile, d.Name)
		c := Change{Name: d.Name, AccountID: d.AccountID, AccountName: d.AccountName, RoleName: d.RoleName, Region: d.Region}
		problem := func(k ProblemKind) {
			p.Problems = append(p.Problems, Problem{Kind: k, Name: d.Name, Roles: []sso.Role{{AccountID: d.AccountID, AccountName: d.AccountName, RoleName: d.RoleName}}})
		}
		switch {
		case len(secs) == 0:
			c.Action = Added
		case len(secs) > 1:
			problem(Repeated)
			continue
		case !secs[0].Marked():
			problem(NotManaged)
			continue
		case !spec.owns(secs[0]):
			problem(OtherSignIn)
			continue
		case differs(secs[0], d):
			c.Action = Changed
		default:
			c.Action = Unchanged
		}
		p.desired[d.Name] = d
		p.Changes = append(p.Changes, c)
	}
	// Reachable: every role the sign-in lists, written or not.
	written, reachable := map[sso.Role]bool{}, map[sso.Role]bool{}
	for _, d := range desired {
		written[sso.Role{AccountID: d.AccountID, RoleName: d.RoleName}] = true
		reachable[sso.Role{AccountID: d.AccountID, RoleName: d.RoleName}] = true
	}
	for _, pr := range problems {
		for _, r := range pr.Roles {
			reachable[sso.Role{AccountID: r.AccountID, RoleName: r.RoleName}] = true
		}
	}
	// A marked profile an earlier ssoctl wrote under a name botocore
	// cannot read ([profile Log Archive.Developer]: no tool sees it) goes
	// once its role has a profile under a name that can be read; with
	// prune, also when its role is no longer reachable.
	for _, sec := range doc.Sections() {
		name, ok := strings.CutPrefix(sec.Header(), awsconfig.KindProfile)
		if sec.Kind != "" || !ok || !sec.Marked() || !spec.owns(sec) {
			continue
		}
		acct, role, ok := sectionRole(sec)
		gone := prune && !reachable[sso.Role{AccountID: acct, RoleName: role}] && !slices.Contains(spec.Unlisted, acct)
		if !ok || !written[sso.Role{AccountID: acct, RoleName: role}] && !gone {
			continue
		}
		p.unreadable[sec.Header()] = true
		region, _ := sec.Get("region")
		p.Changes = append(p.Changes, Change{Action: Removed, Name: strings.TrimSpace(name), AccountID: acct, RoleName: role, Region: region})
	}
	if prune {
		for _, sec := range doc.Sections() {
			if sec.Kind != awsconfig.KindProfile || taken[sec.Name] || !sec.Marked() || !spec.owns(sec) {
				continue
			}
			// A profile of a role still reachable stays, whatever its name
			// (one `configure profile` wrote, or an earlier --name); so
			// does one whose role cannot be told, and one of an account
			// whose roles could not be listed.
			acct, role, ok := sectionRole(sec)
			if !ok || reachable[sso.Role{AccountID: acct, RoleName: role}] || slices.Contains(spec.Unlisted, acct) {
				continue
			}
			taken[sec.Name] = true
			region, _ := sec.Get("region")
			p.Changes = append(p.Changes, Change{Action: Removed, Name: sec.Name, AccountID: acct, RoleName: role, Region: region})
		}
	}
	if spec.Session != "" && spec.StartURL != "" && len(doc.Find(awsconfig.KindSSOSession, spec.Session)) == 0 {
		p.Session = []awsconfig.KV{
			{Key: "sso_start_url", Value: spec.StartURL},
			{Key: "sso_region", Value: spec.SSORegion},
			{Key: "sso_registration_scopes", Value: "sso:account:access"},
			{Key: awsconfig.ManagedKey, Value: "true"},
		}
	}
	slices.SortStableFunc(p.Changes, func(a, b Change) int { return strings.Compare(a.Name, b.Name) })
	slices.SortStableFunc(p.Problems, func(a, b Problem) int { return strings.Compare(a.Name, b.Name) })
	return p
}

// sectionRole is the account and role a marked profile signs in to: its
// sso_account_id and sso_role_name, or the --account-id and --role-name of
// the credential_process ssoctl wrote (never quoted: account ids and role
// names hold no character that needs it).
func sectionRole(sec *awsconfig.DocSection) (acct, role string, ok bool) {
	acct, _ = sec.Get("sso_account_id")
	role, _ = sec.Get("sso_role_name")
	if acct == "" && role == "" {
		if cp, has := sec.Get("credential_process"); has {
			f := strings.Fields(cp)
			for i := 0; i+1 < len(f); i++ {
				switch f[i] {
				case "--account-id":
					acct = f[i+1]
				case "--role-name":
					role = f[i+1]
				}
			}
		}
	}
	return acct, role, acct != "" && role != ""
}

// edits are the key changes that make a marked section hold d's keys.
func edits(sec *awsconfig.DocSection, d Profile) (set []awsconfig.KV, del []string) {
	want := map[string]bool{}
	for _, kv := range d.Keys {
		want[kv.Key] = true
		if v, ok := sec.Get(kv.Key); !ok || v != kv.Value {
			set = append(set, kv)
		}
	}
	for _, k := range managedKeys {
		if _, ok := sec.Get(k); ok && !want[k] {
			del = append(del, k)
		}
	}
	return set, del
}

func differs(sec *awsconfig.DocSection, d Profile) bool {
	set, del := edits(sec, d)
	return len(set)+len(del) > 0
}

// Apply carries the plan out on doc: new profiles are appended (in name
// order), changed ones edited in place key by key, removed ones deleted.
// Nothing else in the file changes.
func (p *Plan) Apply(doc *awsconfig.Doc) {
	if p.Session != nil {
		doc.Append(awsconfig.KindSSOSession, p.spec.Session, p.Session)
	}
	for _, c := range p.Changes {
		switch c.Action {
		case Added:
			doc.Append(awsconfig.KindProfile, c.Name, p.desired[c.Name].Keys)
		case Changed:
			sec := doc.Find(awsconfig.KindProfile, c.Name)[0]
			set, del := edits(sec, p.desired[c.Name])
			for _, k := range del {
				sec.Delete(k)
			}
			for _, kv := range set {
				sec.Set(kv.Key, kv.Value)
			}
		}
	}
	// Removed last, from the end of the file back, so a removed profile at
	// the end takes the blank line Append put before it.
	gone := map[string]bool{}
	for _, c := range p.Changes {
		if c.Action == Removed {
			gone[c.Name] = true
		}
	}
	secs := doc.Sections()
	for i := len(secs) - 1; i >= 0; i-- {
		if s := secs[i]; s.Kind == awsconfig.KindProfile && gone[s.Name] || s.Kind == "" && p.unreadable[s.Header()] {
			doc.Remove(s)
		}
	}
}
