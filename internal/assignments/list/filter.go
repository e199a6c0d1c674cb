package list

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"sync"

	"github.com/ssoctl/ssoctl/internal/awsconfig"
	"github.com/ssoctl/ssoctl/internal/inventory"
)

// FilterSpec is the filters of an assignment listing, as given on the
// command line. Values of one field are alternatives (OR); different
// fields must all hold (AND) — except Users and Groups, which are one
// choice of principal: an assignment's principal is a user or a group, so
// --user and --group together select the assignments of either.
type FilterSpec struct {
	Accounts       []string // 12-digit account ids
	AccountNames   []string // regular expressions, searched in the account name
	OUs            []string // OU or root ids, paths or names
	OURecursive    bool     // OUs include the accounts of their child OUs
	PermissionSets []string // ARN, ssoins-…/ps-…, ps-…, or a regular expression searched in the name
	Users          []string // user id, or a regular expression searched in the user name
	Groups         []string // group id, or a regular expression searched in the group name
}

// Filter is a checked FilterSpec.
type Filter struct {
	spec         FilterSpec
	accountNames []*regexp.Regexp
	psRefs       []string
	psNames      []*regexp.Regexp
	psNameSpecs  []string
	users        []principalMatcher
	groups       []principalMatcher
}

type principalMatcher struct {
	id string
	re *regexp.Regexp
}

// lazyRegexp compiles on first use, not in every ssoctl process at start-up.
func lazyRegexp(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}

var rePermissionSetRef = lazyRegexp(`^(arn:aws[a-z-]*:sso:::permissionSet/)?((sso)?ins-[0-9a-f]+/)?ps-[0-9a-f]+$`)

// FilterField names one field of a FilterSpec.
type FilterField string

// The fields of a FilterSpec, as FilterError names them.
const (
	FieldAccount       FilterField = "account"
	FieldAccountName   FilterField = "account name"
	FieldPermissionSet FilterField = "permission set"
	FieldUser          FilterField = "user"
	FieldGroup         FilterField = "group"
)

// FilterError is a FilterSpec value that cannot be used: an account that is
// not a 12-digit id (Err nil), or a regular expression that does not
// compile (Err the regexp package's error). It speaks of fields, not
// flags; the command line words it as its flags.
type FilterError struct {
	Field FilterField
	Value string
	Err   error
}

func (e *FilterError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("%s %q is not a 12-digit account id", e.Field, e.Value)
	}
	return fmt.Sprintf("%s %q is not a valid regular expression: %v", e.Field, e.Value, e.Err)
}

func (e *FilterError) Unwrap() error { return e.Err }

// CompileFilter checks a FilterSpec: account ids must have 12 digits and
// every regular expression must compile.
func CompileFilter(s FilterSpec) (*Filter, error) {
	f := &Filter{spec: s}
	for _, a := range s.Accounts {
		if !awsconfig.IsAccountID(a) {
			return nil, &FilterError{Field: FieldAccount, Value: a}
		}
	}
	for _, v := range s.AccountNames {
		re, err := compile(FieldAccountName, v)
		if err != nil {
			return nil, err
		}
		f.accountNames = append(f.accountNames, re)
	}
	for _, v := range s.PermissionSets {
		if rePermissionSetRef().MatchString(v) {
			f.psRefs = append(f.psRefs, v)
			continue
		}
		re, err := compile(FieldPermissionSet, v)
		if err != nil {
			return nil, err
		}
		f.psNames = append(f.psNames, re)
		f.psNameSpecs = append(f.psNameSpecs, v)
	}
	var err error
	if f.users, err = principalMatchers(FieldUser, s.Users); err != nil {
		return nil, err
	}
	if f.groups, err = principalMatchers(FieldGroup, s.Groups); err != nil {
		return nil, err
	}
	return f, nil
}

func compile(field FilterField, v string) (*regexp.Regexp, error) {
	re, err := regexp.Compile(v)
	if err != nil {
		return nil, &FilterError{Field: field, Value: v, Err: err}
	}
	return re, nil
}

func principalMatchers(field FilterField, values []string) ([]principalMatcher, error) {
	var out []principalMatcher
	for _, v := range values {
		m := principalMatcher{id: v}
		if !inventory.IsPrincipalID(v) {
			re, err := compile(field, v)
			if err != nil {
				return nil, err
			}
			m.re = re
		}
		out = append(out, m)
	}
	return out, nil
}

// HasTarget reports whether accounts are filtered.
func (f *Filter) HasTarget() bool {
	return len(f.spec.Accounts) > 0 || len(f.accountNames) > 0 || len(f.spec.OUs) > 0
}

// HasPermissionSet reports whether permission sets are filtered.
func (f *Filter) HasPermissionSet() bool { return len(f.psRefs) > 0 || len(f.psNames) > 0 }

// HasPrincipal reports whether principals are filtered.
func (f *Filter) HasPrincipal() bool { return len(f.users) > 0 || len(f.groups) > 0 }

// SelectAccounts returns the accounts of the tree the target filters
// select, sorted by id, and the --account ids the organization does not
// have. An OU that cannot be resolved is an error.
func (f *Filter) SelectAccounts(tree *inventory.OrgTree) (selected []inventory.Account, unknown []string, err error) {
	var inOU map[string]bool
	if len(f.spec.OUs) > 0 {
		inOU = map[string]bool{}
		for _, ref := range f.spec.OUs {
			ou, err := tree.FindOU(ref)
			if err != nil {
				return nil, nil, err
			}
			for _, a := range tree.AccountsUnder(ou.Id, f.spec.OURecursive) {
				inOU[a.Id] = true
			}
		}
	}
	known := map[string]bool{}
	for _, a := range tree.AllAccounts() {
		known[a.Id] = true
		if f.accountMatches(a, inOU) {
			selected = append(selected, a)
		}
	}
	for _, id := range f.spec.Accounts {
		if !known[id] {
			unknown = append(unknown, id)
		}
	}
	sort.Strings(unknown)
	return selected, unknown, nil
}

// accountMatches applies the target filters; inOU is nil without --ou.
func (f *Filter) accountMatches(a inventory.Account, inOU map[string]bool) bool {
	if len(f.spec.Accounts) > 0 && !contains(f.spec.Accounts, a.Id) {
		return false
	}
	if len(f.accountNames) > 0 && !anySearch(f.accountNames, a.Name) {
		return false
	}
	if inOU != nil && !inOU[a.Id] {
		return false
	}
	return true
}

// PermissionSetMatches applies the permission-set filter. A set whose
// name is unknown ("") matches only by ARN or id.
func (f *Filter) PermissionSetMatches(ps inventory.PermissionSet) bool {
	if !f.HasPermissionSet() {
		return true
	}
	for _, ref := range f.psRefs {
		if inventory.PermissionSetRefMatches(ps.Arn, ref) {
			return true
		}
	}
	return ps.Name != "" && anySearch(f.psNames, ps.Name)
}

// PrincipalMatches applies the principal filters to a principal of type
// USER or GROUP. A principal whose name could not be resolved (deleted
// since it was assigned) has name "" and matches only by id: a regular
// expression never matches a missing name.
func (f *Filter) PrincipalMatches(ptype, id, name string) bool {
	if !f.HasPrincipal() {
		return true
	}
	ms := f.users
	if ptype == Group {
		ms = f.groups
	}
	for _, m := range ms {
		if m.id == id || (m.re != nil && name != "" && m.re.MatchString(name)) {
			return true
		}
	}
	return false
}

// principals are the principals the filter selects: users and groups
// whose id or name matches, and id values the identity store no longer
// has (their assignments may still exist). Never nil.
func (f *Filter) principals(users []inventory.User, groups []inventory.Group) []Principal {
	out := []Principal{}
	seen := map[Principal]bool{}
	add := func(p Principal) {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	for _, u := range users {
		if f.PrincipalMatches(User, u.Id, u.UserName) {
			add(Principal{User, u.Id})
		}
	}
	for _, g := range groups {
		if f.PrincipalMatches(Group, g.Id, g.Name) {
			add(Principal{Group, g.Id})
		}
	}
	for _, m := range f.users {
		if m.re == nil {
			add(Principal{User, m.id})
		}
	}
	for _, m := range f.groups {
		if m.re == nil {
			add(Principal{Group, m.id})
		}
	}
	return out
}

// unmatchedPermissionSets are the name patterns (not ARNs or ids) of the
// permission-set filter that match no permission set.
func (f *Filter) unmatchedPermissionSets(sets []inventory.PermissionSet) []string {
	var out []string
	for i, re := range f.psNames {
		if !slices.ContainsFunc(sets, func(ps inventory.PermissionSet) bool { return ps.Name != "" && re.MatchString(ps.Name) }) {
			out = append(out, f.psNameSpecs[i])
		}
	}
	return out
}

// unmatchedAccountNames are the account-name patterns that match no
// account of the organization.
func (f *Filter) unmatchedAccountNames(tree *inventory.OrgTree) []string {
	var out []string
	all := tree.AllAccounts()
	for i, re := range f.accountNames {
		if !slices.ContainsFunc(all, func(a inventory.Account) bool { return re.MatchString(a.Name) }) {
			out = append(out, f.spec.AccountNames[i])
		}
	}
	return out
}

// unmatchedPrincipals are the name patterns of --user (ptype User, given
// users) or --group (given groups) that match no principal. Ids are not
// checked: a deleted principal's assignments may still exist.
func (f *Filter) unmatchedPrincipals(ptype string, users []inventory.User, groups []inventory.Group) []string {
	ms := f.users
	if ptype == Group {
		ms = f.groups
	}
	var out []string
	for _, m := range ms {
		if m.re == nil {
			continue
		}
		hit := slices.ContainsFunc(users, func(u inventory.User) bool { return u.UserName != "" && m.re.MatchString(u.UserName) }) ||
			slices.ContainsFunc(groups, func(g inventory.Group) bool { return g.Name != "" && m.re.MatchString(g.Name) })
		if !hit {
			out = append(out, m.id)
		}
	}
	return out
}

func (f *Filter) wants(ptype string) bool {
	if ptype == Group {
		return len(f.groups) > 0
	}
	return len(f.users) > 0
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func anySearch(res []*regexp.Regexp, s string) bool {
	for _, re := range res {
		if re.MatchString(s) {
			return true
		}
	}
	return false
}
