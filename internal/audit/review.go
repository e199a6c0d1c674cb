package audit

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/ssoctl/ssoctl/internal/assignments/list"
	"github.com/ssoctl/ssoctl/internal/inventory"
	"github.com/ssoctl/ssoctl/internal/orgconfig"
)

// Review is what an access review needs besides the audit's rows and
// findings: where each account sits in the OU tree, which accounts are
// production, and which permission sets are privileged and why. A snapshot
// keeps it, so that its report can be made again (NewReviewer).
type Review struct {
	// OUs is each account's OU path ("Root/Workloads/Prod"), by account id.
	OUs map[string]string `json:"ous,omitempty"`
	// Scope is what the org settings name as production, resolved; empty
	// when they name none.
	Scope []ScopeEntry `json:"scope,omitempty"`
	// Production are the production accounts' ids, sorted.
	Production []string `json:"production,omitempty"`
	// Privileged are the privileged permission sets, by ARN.
	Privileged map[string]Privilege `json:"privileged,omitempty"`
	// PoliciesRead is how many permission sets' policies were read (two
	// calls each): those the audit's assignments name, unless the settings
	// say privileged.policies: false.
	PoliciesRead int `json:"policiesRead"`
	// Settings is SettingsDigest of the org settings the review was made
	// with: an incremental audit carries the review forward only while
	// it is the same ("" in snapshots of an earlier ssoctl).
	Settings string `json:"settings,omitempty"`
}

// SettingsDigest is a digest of what of the org settings the review
// depends on: the privileged: section (the defaults when there is none,
// or no file) and the production: OUs and accounts, by value (their lines
// do not matter).
func SettingsDigest(settings *orgconfig.Config) string {
	priv, prod := orgconfig.DefaultPrivileged(), orgconfig.Production{}
	if settings != nil {
		priv, prod = settings.Privileged, settings.Production
	}
	values := func(refs []orgconfig.Ref) []string {
		out := make([]string, len(refs))
		for i, r := range refs {
			out[i] = r.Value
		}
		return out
	}
	b, _ := json.Marshal(struct {
		Privileged []string
		Policies   bool
		OUs        []string
		Accounts   []string
	}{values(priv.PermissionSets), priv.Policies, values(prod.OUs), values(prod.Accounts)})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16])
}

// ScopeEntry is one production OU or account of the org settings.
type ScopeEntry struct {
	Kind string `json:"kind"` // "ou" or "account"
	Ref  string `json:"ref"`  // as the settings give it
	Id   string `json:"id"`
	Name string `json:"name"` // the OU's path, the account's name
	// Accounts is how many accounts it makes production.
	Accounts int `json:"accounts"`
}

// Scope resolves the settings' production OUs and accounts against the
// organization: an OU by id, path or unique name (every account beneath
// it), an account by id or name. What does not resolve is an error naming
// the settings file and line, with the closest names.
func Scope(settings *orgconfig.Config, accounts []inventory.Account, tree *inventory.OrgTree) ([]ScopeEntry, []string, error) {
	if settings == nil || !settings.Production.Set() {
		return nil, nil, nil
	}
	var (
		entries []ScopeEntry
		errs    []string
		ids     = map[string]bool{}
	)
	names := make([]string, 0, len(accounts))
	for _, a := range accounts {
		names = append(names, a.Name)
	}
	for _, ref := range settings.Production.OUs {
		ou, err := tree.FindOU(ref.Value)
		if err != nil {
			hint := ""
			if errors.Is(err, inventory.ErrNotFound) {
				hint = inventory.Suggest(ref.Value, ouNames(tree))
			}
			errs = append(errs, fmt.Sprintf("%sproduction.ous: %v%s", settings.Where(ref), err, hint))
			continue
		}
		under := tree.AccountsUnder(ou.Id, true)
		for _, a := range under {
			ids[a.Id] = true
		}
		entries = append(entries, ScopeEntry{Kind: "ou", Ref: ref.Value, Id: ou.Id, Name: ou.Path, Accounts: len(under)})
	}
	for _, ref := range settings.Production.Accounts {
		var found []inventory.Account
		for _, a := range accounts {
			if a.Id == ref.Value || a.Name == ref.Value {
				found = append(found, a)
			}
		}
		switch len(found) {
		case 0:
			errs = append(errs, fmt.Sprintf("%sproduction.accounts: account %q is not in the organization%s", settings.Where(ref), ref.Value, inventory.Suggest(ref.Value, names)))
			continue
		case 1:
		default:
			errs = append(errs, fmt.Sprintf("%sproduction.accounts: %d accounts are named %q: give the id", settings.Where(ref), len(found), ref.Value))
			continue
		}
		ids[found[0].Id] = true
		entries = append(entries, ScopeEntry{Kind: "account", Ref: ref.Value, Id: found[0].Id, Name: found[0].Name, Accounts: 1})
	}
	if len(errs) > 0 {
		return nil, nil, errors.New(strings.Join(errs, "; "))
	}
	prod := make([]string, 0, len(ids))
	for id := range ids {
		prod = append(prod, id)
	}
	sort.Strings(prod)
	return entries, prod, nil
}

// ouNames are the OUs' paths (without the root's name) and names, the
// candidates of a suggestion.
func ouNames(t *inventory.OrgTree) []string {
	var out []string
	for _, o := range t.OUs {
		if _, rel, ok := strings.Cut(o.Path, "/"); ok {
			out = append(out, rel)
		}
		out = append(out, o.Name)
	}
	sort.Strings(out)
	return out
}

// NamedPrivilege applies the settings' privileged.permission_sets (by
// name, ARN or ps- id) to the permission sets: AdministratorAccess by name
// is RankAdmin, IAMFullAccess RankIAM, any other name RankNamed. When
// psets are all the instance has (all), a name the settings file gives
// that matches none is an error with the closest names; the default
// names (AdministratorAccess, IAMFullAccess) may match none, listed in the
// file or not.
func NamedPrivilege(settings *orgconfig.Config, psets []inventory.PermissionSet, all bool) (map[string]Privilege, error) {
	priv := orgconfig.DefaultPrivileged()
	if settings != nil {
		priv = settings.Privileged
	}
	out := map[string]Privilege{}
	var errs []string
	names := make([]string, 0, len(psets))
	for _, ps := range psets {
		names = append(names, ps.Name)
	}
	for _, ref := range priv.PermissionSets {
		matched := false
		for _, ps := range psets {
			if ps.Name != ref.Value && !inventory.PermissionSetRefMatches(ps.Arn, ref.Value) {
				continue
			}
			matched = true
			p := out[ps.Arn]
			p.Name = ps.Name
			switch {
			case ref.Line == 0:
				p.add(namedRank(ps.Name), "named "+ps.Name+" (privileged by default)")
			default:
				p.add(max(RankNamed, namedRank(ps.Name)), "named in the org settings' privileged.permission_sets")
			}
			out[ps.Arn] = p
		}
		if !matched && ref.Line > 0 && all && namedRank(ref.Value) == RankNamed {
			errs = append(errs, fmt.Sprintf("%sprivileged.permission_sets: permission set %q is not in the instance%s", settings.Where(ref), ref.Value, inventory.Suggest(ref.Value, names)))
		}
	}
	if len(errs) > 0 {
		return nil, errors.New(strings.Join(errs, "; "))
	}
	return out, nil
}

func namedRank(name string) int {
	switch name {
	case "AdministratorAccess":
		return RankAdmin
	case "IAMFullAccess":
		return RankIAM
	}
	return RankNamed
}

// AccessReview answers an access review's questions from the audit: who
// has privileged access to production (by OU and account), and the
// findings by cause.
type AccessReview struct {
	Production Production `json:"production"`
	// Causes are the findings by cause: one per finding kind and subject
	// (a user, a principal, an account or a permission set), its rows
	// among the audit's.
	Causes []Cause `json:"causes"`
}

// Production is the privileged access to production accounts.
type Production struct {
	// Set is false when the org settings name no production OU or account.
	Set   bool         `json:"set"`
	Scope []ScopeEntry `json:"scope"`
	// Accounts is how many production accounts there are; Reached how many
	// of them someone can reach with a privileged permission set.
	Accounts int `json:"accounts"`
	Reached  int `json:"reached"`
	// Users is how many users have privileged access to production.
	Users int `json:"users"`
	// OUs are the production accounts with privileged access, by OU path.
	OUs []ProductionOU `json:"ous"`
}

// ProductionOU is the production accounts of one OU with privileged access.
type ProductionOU struct {
	Path     string              `json:"ou"`
	Accounts []ProductionAccount `json:"accounts"`
}

// ProductionAccount is the privileged access to one production account.
type ProductionAccount struct {
	AccountId   string             `json:"accountId"`
	AccountName string             `json:"accountName"`
	Access      []PrivilegedAccess `json:"access"`
}

// PrivilegedAccess is one audit row of privileged access to production:
// who, with which permission set and why it is privileged, and the path.
type PrivilegedAccess struct {
	UserName         string   `json:"userName"` // "" when the row names no user
	UserId           string   `json:"userId,omitempty"`
	UserEmail        string   `json:"userEmail,omitempty"`
	PermissionSet    string   `json:"permissionSet"`
	PermissionSetArn string   `json:"permissionSetArn"`
	Reason           string   `json:"reason"`
	PrincipalType    string   `json:"principalType"`
	PrincipalId      string   `json:"principalId"`
	Path             string   `json:"path"` // "direct", "group:NAME", "grant" or "grant:group:NAME" (Row.Path)
	Flags            []string `json:"flags,omitempty"`
}

// Cause is the findings of one kind about one subject: a disabled user's
// access everywhere, a suspended account's assignments, a deleted
// principal's assignments, a permission set not provisioned.
type Cause struct {
	Kind string `json:"kind"`
	// Subject is what the findings are about: "user" (DISABLED_USER,
	// LEGACY_DOMAIN), "principal" (ORPHANED_PRINCIPAL), "account"
	// (SUSPENDED_ACCOUNT, UNKNOWN_ACCOUNT) or "permissionSet"
	// (NOT_PROVISIONED); Id and Name say which (a user's name is its id).
	Subject string `json:"subject"`
	Id      string `json:"id"`
	Name    string `json:"name"`
	// Findings is how many findings it is; Rows how many rows of the
	// audit carry its flag for its subject (a suspended account's group
	// assignment is one finding and a row per member).
	Findings int `json:"findings"`
	Rows     int `json:"rows"`
	// Accounts are the accounts its findings are in, by name.
	Accounts []CauseAccount `json:"accounts"`
	// ProductionAccounts is how many of them are production.
	ProductionAccounts int `json:"productionAccounts"`
	// MostPrivileged is its most privileged permission set (Privilege.More),
	// and Privileged whether that one is privileged.
	MostPrivileged string `json:"mostPrivileged"`
	Privileged     bool   `json:"privileged"`
	// FindingIndexes are the indexes of its findings in the audit's
	// findings, in their order: the drill-down.
	FindingIndexes []int `json:"findingIndexes"`
}

// CauseAccount is one account of a cause.
type CauseAccount struct {
	Id   string `json:"accountId"`
	Name string `json:"accountName"`
}

// causeKey is what a cause is about.
type causeKey struct{ kind, subject, id string }

// keyOfFinding and keyOfRow key a finding and a row's flag by cause, in
// the same way, so that rows count towards their finding's cause.
func keyOfFinding(f Finding) causeKey {
	switch f.Kind {
	case list.FlagDisabledUser, list.FlagLegacyDomain:
		return causeKey{f.Kind, "user", f.Name}
	case list.FlagSuspended, list.FlagUnknownAccount:
		return causeKey{f.Kind, "account", f.AccountId}
	case list.FlagNotProvisioned:
		return causeKey{f.Kind, "permissionSet", f.PermissionSet}
	}
	return causeKey{f.Kind, "principal", f.PrincipalId}
}

func keyOfRow(flag string, r Row) causeKey {
	switch flag {
	case list.FlagDisabledUser, list.FlagLegacyDomain:
		return causeKey{flag, "user", r.UserName}
	case list.FlagSuspended, list.FlagUnknownAccount:
		return causeKey{flag, "account", r.AccountId}
	case list.FlagNotProvisioned:
		return causeKey{flag, "permissionSet", r.PermissionSet}
	}
	return causeKey{flag, "principal", r.PrincipalId}
}

// causeFlags are the flags that findings are made of.
var causeFlags = []string{list.FlagOrphaned, list.FlagDisabledUser, list.FlagSuspended,
	list.FlagNotProvisioned, list.FlagUnknownAccount, list.FlagLegacyDomain}

// Reviewer builds an AccessReview from the audit's rows as they stream,
// keeping only the rows of privileged access to production and a count per
// cause.
type Reviewer struct {
	review     *Review
	privilege  func(arn string) Privilege
	production map[string]bool
	access     map[string][]PrivilegedAccess // by account id
	accounts   map[string]string             // production account id -> name
	rows       map[causeKey]int
	best       map[causeKey]Privilege
}

// NewReviewer starts a review; privilege tells a permission set's
// privilege (nil: from review.Privileged). Row must not be called before
// the privilege of the row's permission set is known.
func NewReviewer(review *Review, privilege func(arn string) Privilege) *Reviewer {
	if privilege == nil {
		privilege = func(arn string) Privilege { return review.Privileged[arn] }
	}
	v := &Reviewer{review: review, privilege: privilege, production: make(map[string]bool, len(review.Production)),
		access: map[string][]PrivilegedAccess{}, accounts: map[string]string{}, rows: map[causeKey]int{}, best: map[causeKey]Privilege{}}
	for _, id := range review.Production {
		v.production[id] = true
	}
	return v
}

// Row takes one row of the audit.
func (v *Reviewer) Row(r Row) {
	if v.production[r.AccountId] {
		v.accounts[r.AccountId] = r.AccountName
		if p := v.privilege(r.PermissionSetArn); p.Privileged() {
			path := r.Path()
			v.access[r.AccountId] = append(v.access[r.AccountId], PrivilegedAccess{
				UserName: r.UserName, UserId: r.UserId, UserEmail: r.UserEmail, PermissionSet: r.PermissionSet, PermissionSetArn: r.PermissionSetArn,
				Reason: p.Reason(), PrincipalType: r.PrincipalType, PrincipalId: r.PrincipalId, Path: path, Flags: slices.Clone(r.Flags),
			})
		}
	}
	for _, f := range r.Flags {
		if !slices.Contains(causeFlags, f) {
			continue
		}
		k := keyOfRow(f, r)
		v.rows[k]++
		p := v.privilege(r.PermissionSetArn)
		p.Name = r.PermissionSet
		if b, ok := v.best[k]; !ok || p.More(b) {
			v.best[k] = p
		}
	}
}

// Finish returns the review, with the audit's findings in their order.
func (v *Reviewer) Finish(findings []Finding) AccessReview {
	return AccessReview{Production: v.productionAccess(), Causes: v.causes(findings)}
}

func (v *Reviewer) productionAccess() Production {
	p := Production{Set: len(v.review.Scope) > 0, Scope: nonNilSlice(v.review.Scope), Accounts: len(v.review.Production), OUs: []ProductionOU{}}
	byOU := map[string][]ProductionAccount{}
	users := map[string]bool{}
	for id, access := range v.access {
		slices.SortFunc(access, func(x, y PrivilegedAccess) int {
			return cmp.Or(cmp.Compare(x.UserName, y.UserName), cmp.Compare(x.UserId, y.UserId), cmp.Compare(x.PermissionSet, y.PermissionSet),
				cmp.Compare(x.PermissionSetArn, y.PermissionSetArn), cmp.Compare(x.Path, y.Path), cmp.Compare(x.PrincipalId, y.PrincipalId))
		})
		for _, a := range access {
			if a.UserId != "" {
				users[a.UserId] = true
			}
		}
		ou := v.review.OUs[id]
		byOU[ou] = append(byOU[ou], ProductionAccount{AccountId: id, AccountName: v.accounts[id], Access: access})
	}
	for ou, accts := range byOU {
		slices.SortFunc(accts, func(x, y ProductionAccount) int {
			return cmp.Or(cmp.Compare(x.AccountName, y.AccountName), cmp.Compare(x.AccountId, y.AccountId))
		})
		p.OUs = append(p.OUs, ProductionOU{Path: ou, Accounts: accts})
		p.Reached += len(accts)
	}
	slices.SortFunc(p.OUs, func(x, y ProductionOU) int { return cmp.Compare(x.Path, y.Path) })
	p.Users = len(users)
	return p
}

func (v *Reviewer) causes(findings []Finding) []Cause {
	at := map[causeKey]int{}
	out := []Cause{}
	accounts := map[causeKey]map[string]string{}
	for i, f := range findings {
		k := keyOfFinding(f)
		j, ok := at[k]
		if !ok {
			j = len(out)
			at[k] = j
			c := Cause{Kind: k.kind, Subject: k.subject, Id: k.id, Name: k.id, Rows: v.rows[k]}
			switch k.subject {
			case "account":
				c.Name = f.AccountName
			case "principal":
				c.Name = cmp.Or(f.Name, "deleted "+strings.ToLower(f.PrincipalType))
			}
			out = append(out, c)
			accounts[k] = map[string]string{}
		}
		c := &out[j]
		c.Findings++
		c.FindingIndexes = append(c.FindingIndexes, i)
		accounts[k][f.AccountId] = f.AccountName
		p := v.privilege(v.arnOf(f))
		p.Name = f.PermissionSet
		if b, ok := v.best[k]; !ok || p.More(b) {
			v.best[k] = p
		}
	}
	for i := range out {
		c := &out[i]
		k := causeKey{c.Kind, c.Subject, c.Id}
		for id, name := range accounts[k] {
			c.Accounts = append(c.Accounts, CauseAccount{Id: id, Name: name})
			if slices.Contains(v.review.Production, id) {
				c.ProductionAccounts++
			}
		}
		slices.SortFunc(c.Accounts, func(x, y CauseAccount) int { return cmp.Or(cmp.Compare(x.Name, y.Name), cmp.Compare(x.Id, y.Id)) })
		b := v.best[k]
		c.MostPrivileged, c.Privileged = b.Name, b.Privileged()
	}
	// Privileged access to production first, then privileged access, then
	// by kind and the most rows.
	slices.SortStableFunc(out, func(x, y Cause) int {
		return cmp.Or(
			-cmp.Compare(rankOf(x.Privileged && x.ProductionAccounts > 0), rankOf(y.Privileged && y.ProductionAccounts > 0)),
			-cmp.Compare(rankOf(x.Privileged), rankOf(y.Privileged)),
			cmp.Compare(x.Kind, y.Kind), -cmp.Compare(x.Rows, y.Rows), -cmp.Compare(x.Findings, y.Findings),
			cmp.Compare(x.Name, y.Name), cmp.Compare(x.Id, y.Id))
	})
	return out
}

func rankOf(b bool) int {
	if b {
		return 1
	}
	return 0
}

// arnOf finds the ARN of a finding's permission set among the privileged
// ones (a finding has the name only); "" when none has that name.
func (v *Reviewer) arnOf(f Finding) string {
	for arn, p := range v.review.Privileged {
		if p.Name == f.PermissionSet || arn == f.PermissionSet {
			return arn
		}
	}
	return ""
}

func nonNilSlice[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
