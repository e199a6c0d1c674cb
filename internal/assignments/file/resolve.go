package file

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/ssoctl/ssoctl/internal/assignments"
	"github.com/ssoctl/ssoctl/internal/awsconfig"
	"github.com/ssoctl/ssoctl/internal/fanout"
	"github.com/ssoctl/ssoctl/internal/inventory"
)

// Principal types.
const (
	PrincipalUser  = assignments.User
	PrincipalGroup = assignments.Group
)

// Principal is a resolved user or group (or, for CloudFormation, a raw
// expression in Raw).
type Principal struct {
	Pos  Pos        `json:"-"`
	Type string     `json:"principalType"`
	Id   string     `json:"principalId"`
	Name string     `json:"principalName"`
	Raw  *yaml.Node `json:"-"`
}

// PermissionSet is a resolved permission set (or, for CloudFormation, a
// raw expression or an inline definition).
type PermissionSet struct {
	Pos    Pos        `json:"-"`
	Arn    string     `json:"permissionSetArn"`
	Name   string     `json:"permissionSetName"`
	Raw    *yaml.Node `json:"-"`
	Inline *yaml.Node `json:"-"`
}

// Target is a resolved account (or, for CloudFormation, a raw expression).
type Target struct {
	Pos         Pos    `json:"-"`
	AccountId   string `json:"accountId"`
	AccountName string `json:"accountName"`
	// SourceOU is the OU path the account was expanded from ("" when the
	// account was listed itself).
	SourceOU string     `json:"sourceOU,omitempty"`
	Raw      *yaml.Node `json:"-"`
}

// ResolvedGroup is a group with every name resolved and OUs expanded.
type ResolvedGroup struct {
	Source         *Group
	Principals     []Principal
	PermissionSets []PermissionSet
	Targets        []Target
}

// Assignment is one declared assignment, with names.
type Assignment struct {
	assignments.Assignment
	AccountName       string `json:"accountName"`
	PermissionSetName string `json:"permissionSetName"`
	PrincipalName     string `json:"principalName"`
	// Pos is where the group declaring it starts (the first, when several do).
	Pos Pos `json:"-"`
}

// Desired is what a file declares, resolved against the organization.
type Desired struct {
	Instance inventory.Instance
	Groups   []ResolvedGroup
	// Warnings are worth telling but not fatal (an explicitly listed
	// suspended account, say).
	Warnings []*Error
}

// Options tune resolution.
type Options struct {
	// CloudFormation allows raw CloudFormation (!Ref and other intrinsic
	// functions) and inline permission sets, which only templates can use.
	CloudFormation bool
}

// Resolve resolves every group of the files against dir. Every problem is
// reported (as Errors), each at its line.
func Resolve(ctx context.Context, files []*File, dir Directory, opts Options) (*Desired, error) {
	r := &resolver{dir: dir, opts: opts}
	inst, err := r.instance(ctx, files)
	if err != nil {
		return nil, err
	}
	d := &Desired{Instance: inst}
	if err := r.principals(ctx, files); err != nil {
		return nil, err
	}
	for _, f := range files {
		for gi := range f.Groups {
			g := &f.Groups[gi]
			rg := ResolvedGroup{Source: g}
			for _, v := range g.Groups {
				rg.Principals = append(rg.Principals, r.principal(PrincipalGroup, v))
			}
			for _, v := range g.Users {
				rg.Principals = append(rg.Principals, r.principal(PrincipalUser, v))
			}
			for _, v := range g.PermissionSets {
				ps, err := r.permissionSet(ctx, inst, v)
				if err != nil {
					return nil, err
				}
				rg.PermissionSets = append(rg.PermissionSets, ps)
			}
			t, err := r.targets(ctx, g)
			if err != nil {
				return nil, err
			}
			rg.Targets = t
			d.Groups = append(d.Groups, rg)
		}
	}
	d.Warnings = r.warns
	if err := r.errs.err(); err != nil {
		return nil, err
	}
	return d, nil
}

type resolver struct {
	dir   Directory
	opts  Options
	errs  Errors
	warns Errors
	// found principals: "USER|name" -> id and id -> name
	ids   map[string]string
	names map[string]string
}

func (r *resolver) raw(v Value, what string) bool {
	if v.Node == nil && v.Inline == nil {
		return false
	}
	if !r.opts.CloudFormation {
		r.errs.add(v.Pos, "%s: CloudFormation expressions and inline definitions are only for `ssoctl assignments cfn`; give a name or id", what)
	}
	return true
}

func instanceArn(s string) string {
	if strings.HasPrefix(s, "arn:") {
		return s
	}
	return "arn:aws:sso:::instance/" + s
}

func (r *resolver) instance(ctx context.Context, files []*File) (inventory.Instance, error) {
	want := ""
	var at Pos
	for _, f := range files {
		for _, g := range f.Groups {
			if g.Instance == nil || !g.Instance.IsText() {
				continue
			}
			arn := instanceArn(g.Instance.Text)
			if want != "" && arn != want {
				return inventory.Instance{}, &Error{Pos: g.Instance.Pos, Msg: fmt.Sprintf("instance %s differs from %s (line %d); one file set manages one instance", arn, want, at.Line)}
			}
			want, at = arn, g.Instance.Pos
		}
	}
	inst, err := r.dir.Instance(ctx, want)
	if err != nil && want != "" && errors.Is(err, inventory.ErrNotFound) || err != nil && want != "" && strings.Contains(err.Error(), "not found") {
		return inst, &Error{Pos: at, Msg: fmt.Sprintf("instance %s not found with these credentials and region", want)}
	}
	return inst, err
}

// principals resolves every principal name and id of the files at once:
// names with one GetUserId/GetGroupId each (concurrently), ids with bulk
// lists or describes, whichever is cheaper.
func (r *resolver) principals(ctx context.Context, files []*File) error {
	r.ids, r.names = map[string]string{}, map[string]string{}
	type ref struct {
		typ  string
		text string
	}
	var names []ref
	var userIDs, groupIDs []string
	seen := map[ref]bool{}
	for _, f := range files {
		for _, g := range f.Groups {
			for _, set := range []struct {
				typ string
				vs  []Value
			}{{PrincipalGroup, g.Groups}, {PrincipalUser, g.Users}} {
				for _, v := range set.vs {
					if !v.IsText() {
						continue
					}
					k := ref{set.typ, v.Text}
					if seen[k] {
						continue
					}
					seen[k] = true
					switch {
					case inventory.IsPrincipalID(v.Text) && set.typ == PrincipalUser:
						userIDs = append(userIDs, v.Text)
					case inventory.IsPrincipalID(v.Text):
						groupIDs = append(groupIDs, v.Text)
					default:
						names = append(names, k)
					}
				}
			}
		}
	}
	res := fanout.Map(ctx, names, 8, func(ctx context.Context, k ref) (string, error) {
		if k.typ == PrincipalUser {
			return r.dir.UserID(ctx, k.text)
		}
		return r.dir.GroupID(ctx, k.text)
	})
	if err := ctx.Err(); err != nil {
		return err
	}
	for i, x := range res {
		switch {
		case x.Err == nil:
			r.ids[names[i].typ+"|"+names[i].text] = x.Value
			r.names[names[i].typ+"|"+x.Value] = names[i].text
		case !errors.Is(x.Err, inventory.ErrNotFound):
			return x.Err
		}
	}
	if len(userIDs) > 0 {
		us, err := r.dir.UsersByID(ctx, userIDs)
		if err != nil {
			return err
		}
		for id, u := range us {
			r.ids[PrincipalUser+"|"+id] = id
			r.names[PrincipalUser+"|"+id] = u.UserName
		}
	}
	if len(groupIDs) > 0 {
		gs, err := r.dir.GroupsByID(ctx, groupIDs)
		if err != nil {
			return err
		}
		for id, g := range gs {
			r.ids[PrincipalGroup+"|"+id] = id
			r.names[PrincipalGroup+"|"+id] = g.Name
		}
	}
	return nil
}

func kindWord(typ string) string {
	if typ == PrincipalUser {
		return "user"
	}
	return "group"
}

func (r *resolver) principal(typ string, v Value) Principal {
	p := Principal{Pos: v.Pos, Type: typ}
	if r.raw(v, kindWord(typ)) {
		p.Raw = v.Node
		return p
	}
	id, ok := r.ids[typ+"|"+v.Text]
	if !ok {
		r.unknownPrincipal(typ, v)
		return p
	}
	p.Id, p.Name = id, r.names[typ+"|"+id]
	return p
}

func (r *resolver) unknownPrincipal(typ string, v Value) {
	ctx := context.Background()
	var cands []string
	if typ == PrincipalUser {
		if us, err := r.dir.Users(ctx); err == nil {
			for _, u := range us {
				cands = append(cands, u.UserName)
			}
		}
	} else if gs, err := r.dir.Groups(ctx); err == nil {
		for _, g := range gs {
			cands = append(cands, g.Name)
		}
	}
	what := kindWord(typ)
	if inventory.IsPrincipalID(v.Text) {
		r.errs.add(v.Pos, "no %s has the id %s", what, v.Text)
		return
	}
	r.errs.add(v.Pos, "no %s is named %q%s", what, v.Text, suggestion(v.Text, cands))
}

func suggestion(name string, cands []string) string { return inventory.Suggest(name, cands) }

func (r *resolver) permissionSet(ctx context.Context, inst inventory.Instance, v Value) (PermissionSet, error) {
	ps := PermissionSet{Pos: v.Pos}
	if r.raw(v, "permission set") {
		ps.Raw, ps.Inline = v.Node, v.Inline
		if v.Inline != nil {
			ps.Name = inlineName(v.Inline)
			if ps.Name == "" {
				r.errs.add(v.Pos, "an inline permission set needs a Name")
			}
		}
		return ps, nil
	}
	sets, err := r.dir.PermissionSets(ctx)
	if err != nil {
		return ps, err
	}
	ref := v.Text
	if strings.HasPrefix(ref, "ps-") {
		ref = strings.TrimPrefix(inst.Arn, "arn:aws:sso:::instance/") + "/" + ref
	}
	var names []string
	for _, s := range sets {
		if s.Name == v.Text || inventory.PermissionSetRefMatches(s.Arn, ref) {
			ps.Arn, ps.Name = s.Arn, s.Name
			return ps, nil
		}
		names = append(names, s.Name)
	}
	if strings.HasPrefix(v.Text, "arn:") || strings.Contains(v.Text, "/ps-") || strings.HasPrefix(v.Text, "ps-") {
		r.errs.add(v.Pos, "no permission set %s in instance %s", v.Text, inst.Arn)
	} else {
		r.errs.add(v.Pos, "no permission set is named %q%s", v.Text, suggestion(v.Text, names))
	}
	return ps, nil
}

// inlineName is the Name of an inline permission set (its properties, or a
// whole resource's Properties).
func inlineName(n *yaml.Node) string {
	var def struct {
		Type       string `yaml:"Type"`
		Name       string `yaml:"Name"`
		Properties struct {
			Name string `yaml:"Name"`
		} `yaml:"Properties"`
	}
	if err := n.Decode(&def); err != nil {
		return ""
	}
	if def.Type != "" {
		return def.Properties.Name
	}
	return def.Name
}

// inactive reports whether an account cannot take assignments from an OU.
func inactive(status string) bool {
	return status == "SUSPENDED" || status == "PENDING_CLOSURE" || status == "CLOSED"
}

func (r *resolver) targets(ctx context.Context, g *Group) ([]Target, error) {
	var out []Target
	seen := map[string]bool{}
	add := func(t Target) {
		if t.Raw == nil {
			if seen[t.AccountId] {
				return
			}
			seen[t.AccountId] = true
		}
		out = append(out, t)
	}
	var mgmt string
	needMgmt := len(g.OUs)+len(g.RecursiveOUs) > 0
	for _, v := range g.Accounts {
		if v.IsText() && !awsconfig.IsAccountID(v.Text) {
			needMgmt = true
		}
	}
	if needMgmt {
		m, err := r.dir.ManagementAccount(ctx)
		if err != nil {
			return nil, err
		}
		mgmt = m
	}
	if len(g.Accounts) > 0 {
		accounts, err := r.dir.Accounts(ctx)
		if err != nil {
			return nil, err
		}
		for _, v := range g.Accounts {
			if r.raw(v, "account") {
				add(Target{Pos: v.Pos, Raw: v.Node})
				continue
			}
			var match []inventory.Account
			var names []string
			for _, a := range accounts {
				if a.Id == v.Text || a.Name == v.Text {
					match = append(match, a)
				}
				names = append(names, a.Name)
			}
			switch {
			case len(match) == 0 && awsconfig.IsAccountID(v.Text):
				r.errs.add(v.Pos, "no account %s in the organization", v.Text)
			case len(match) == 0:
				r.errs.add(v.Pos, "no account is named %q%s", v.Text, suggestion(v.Text, names))
			case len(match) > 1:
				ids := make([]string, len(match))
				for i, a := range match {
					ids[i] = a.Id
				}
				r.errs.add(v.Pos, "%d accounts are named %q (%s); give the id", len(match), v.Text, strings.Join(ids, ", "))
			case match[0].Id == mgmt && v.Text != mgmt:
				r.errs.add(v.Pos, "%s is the management account; list it by id (%s) to assign in it", v.Text, mgmt)
			default:
				a := match[0]
				if inactive(a.Status) {
					r.warns.add(v.Pos, "account %s (%s) is %s", a.Name, a.Id, a.Status)
				}
				add(Target{Pos: v.Pos, AccountId: a.Id, AccountName: a.Name})
			}
		}
	}
	for _, set := range []struct {
		vs        []Value
		recursive bool
	}{{g.OUs, false}, {g.RecursiveOUs, true}} {
		for _, v := range set.vs {
			if r.raw(v, "OU") {
				r.errs.add(v.Pos, "an OU must be an id or a path: its accounts are listed when the template is generated")
				continue
			}
			tree, err := r.dir.OrgTree(ctx)
			if err != nil {
				return nil, err
			}
			ou, err := tree.FindOU(v.Text)
			if err != nil {
				if errors.Is(err, inventory.ErrNotFound) {
					var paths []string
					for _, o := range tree.OUs {
						paths = append(paths, o.Path)
					}
					sort.Strings(paths)
					r.errs.add(v.Pos, "no OU %q%s", v.Text, suggestion(v.Text, paths))
				} else {
					r.errs.add(v.Pos, "%s", err.Error())
				}
				continue
			}
			for _, a := range tree.AccountsUnder(ou.Id, set.recursive) {
				if a.Id == mgmt || inactive(a.Status) {
					continue
				}
				add(Target{Pos: v.Pos, AccountId: a.Id, AccountName: a.Name, SourceOU: ou.Path})
			}
		}
	}
	return out, nil
}

// Assignments expands the groups into assignments (principal × permission
// set × account), each once, sorted by account, permission set, principal.
// Entries that are raw CloudFormation are left out.
func (d *Desired) Assignments() []Assignment {
	seen := map[string]bool{}
	var out []Assignment
	for _, g := range d.Groups {
		for _, p := range g.Principals {
			if p.Id == "" {
				continue
			}
			for _, ps := range g.PermissionSets {
				if ps.Arn == "" {
					continue
				}
				for _, t := range g.Targets {
					if t.AccountId == "" {
						continue
					}
					a := Assignment{Assignment: assignments.Assignment{AccountId: t.AccountId, PermissionSetArn: ps.Arn, PrincipalType: p.Type, PrincipalId: p.Id},
						AccountName: t.AccountName, PermissionSetName: ps.Name, PrincipalName: p.Name, Pos: g.Source.Pos}
					if seen[a.Key()] {
						continue
					}
					seen[a.Key()] = true
					out = append(out, a)
				}
			}
		}
	}
	SortAssignments(out)
	return out
}

// SortAssignments orders by account name and id, permission set name,
// principal type (users first), principal name and id.
func SortAssignments(as []Assignment) {
	sort.Slice(as, func(i, j int) bool {
		a, b := as[i], as[j]
		for _, c := range [][2]string{
			{a.AccountName, b.AccountName}, {a.AccountId, b.AccountId},
			{a.PermissionSetName, b.PermissionSetName}, {a.PermissionSetArn, b.PermissionSetArn},
			{typeRank(a.PrincipalType), typeRank(b.PrincipalType)},
			{a.PrincipalName, b.PrincipalName}, {a.PrincipalId, b.PrincipalId},
		} {
			if c[0] != c[1] {
				return c[0] < c[1]
			}
		}
		return false
	})
}

func typeRank(t string) string {
	if t == PrincipalUser {
		return "0"
	}
	return "1"
}

// PermissionSetArns are the permission sets the file names (resolved).
func (d *Desired) PermissionSetArns() []string {
	seen := map[string]bool{}
	var out []string
	for _, g := range d.Groups {
		for _, ps := range g.PermissionSets {
			if ps.Arn != "" && !seen[ps.Arn] {
				seen[ps.Arn] = true
				out = append(out, ps.Arn)
			}
		}
	}
	sort.Strings(out)
	return out
}
