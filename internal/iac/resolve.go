package iac

import (
	"context"
	"errors"
	"sort"
	"strings"

	"github.com/ssoctl/ssoctl/internal/assignments/file"
	"github.com/ssoctl/ssoctl/internal/groups"
	"github.com/ssoctl/ssoctl/internal/inventory"
	"github.com/ssoctl/ssoctl/internal/permsets"
)

// Pending stands for a permission set or group that the file declares and
// the plan creates: assignments name it before it has an ARN or id.
const (
	pendingPermissionSet = "pending:permissionSet/"
	pendingGroup         = "pending:group/"
)

// IsPending reports whether an ARN or id stands for something the plan
// creates.
func IsPending(ref string) bool { return strings.HasPrefix(ref, "pending:") }

// PendingName is the name a pending ARN or id stands for.
func PendingName(ref string) string { return ref[strings.Index(ref, "/")+1:] }

// Resolved is a Set resolved against the organization: members named by
// id, the assignments expanded (OUs to accounts).
type Resolved struct {
	Instance       inventory.Instance
	Set            *Set
	PermissionSets []permsets.Desired
	Groups         []groups.Desired
	// Assignments are the Assignments sections, resolved (nil when no file
	// has one); permission sets and groups the plan creates have pending
	// ARNs and ids.
	Assignments *file.Desired
	Warnings    []string
	// listed: every user and group was listed (many were named), and
	// users are known by id.
	users map[string]inventory.User
}

// Resolve resolves the set against dir. Problems (an unknown member,
// permission set, group, account or OU) are reported at their lines, with
// the closest names that exist.
func Resolve(ctx context.Context, s *Set, dir file.Directory) (*Resolved, error) {
	want := ""
	if s.Instance != nil {
		want = instanceArn(s.Instance.Text)
	}
	inst, err := dir.Instance(ctx, want)
	if err != nil {
		if want != "" && (errors.Is(err, inventory.ErrNotFound) || strings.Contains(err.Error(), "not found")) {
			return nil, &file.Error{Pos: s.Instance.Pos, Msg: "instance " + want + " not found with these credentials and region"}
		}
		return nil, err
	}
	r := &Resolved{Instance: inst, Set: s}
	for _, ps := range s.PermissionSets {
		r.PermissionSets = append(r.PermissionSets, ps.Desired)
	}
	var e errs
	if err := r.members(ctx, dir, &e); err != nil {
		return nil, err
	}
	if len(s.Assignments) > 0 {
		pd := &pendingDir{Directory: dir, sets: map[string]bool{}, groups: map[string]bool{}}
		for _, ps := range s.PermissionSets {
			pd.sets[ps.Desired.Name] = true
		}
		for _, g := range s.Groups {
			pd.groups[g.Name] = true
		}
		var files []*file.File
		for _, f := range s.Assignments {
			if len(f.Groups) > 0 {
				files = append(files, f)
			}
		}
		d := &file.Desired{Instance: inst}
		if len(files) > 0 {
			d, err = file.Resolve(ctx, files, pd, file.Options{})
			if err != nil {
				if es := file.ErrorList(err); len(es) > 0 {
					e.es = append(e.es, es...)
				} else {
					return nil, err
				}
			}
		}
		if d != nil {
			for _, w := range d.Warnings {
				r.Warnings = append(r.Warnings, w.Error())
			}
		}
		r.Assignments = d
	}
	if err := e.err(); err != nil {
		return nil, err
	}
	return r, nil
}

// manyNames is how many names of one kind are looked up one by one before
// a bulk list is cheaper (a list page holds 100).
const manyNames = 100

// members resolves every group's members to user ids.
func (r *Resolved) members(ctx context.Context, dir file.Directory, e *errs) error {
	var names, ids []string
	seen := map[string]bool{}
	for _, g := range r.Set.Groups {
		for _, m := range g.Members {
			if seen[m.Text] {
				continue
			}
			seen[m.Text] = true
			if inventory.IsPrincipalID(m.Text) {
				ids = append(ids, m.Text)
			} else {
				names = append(names, m.Text)
			}
		}
	}
	found := map[string]inventory.User{} // name, e-mail or id -> user
	var all []inventory.User
	if len(names) > manyNames {
		us, err := dir.Users(ctx)
		if err != nil {
			return err
		}
		all = us
		r.users = map[string]inventory.User{}
		for _, u := range us {
			r.users[u.Id] = u
			found[u.UserName] = u
			if u.Email != "" {
				if _, taken := found[u.Email]; !taken {
					found[u.Email] = u
				}
			}
			found[u.Id] = u
		}
	} else {
		for _, n := range names {
			id, err := dir.UserID(ctx, n)
			if errors.Is(err, inventory.ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			found[n] = inventory.User{Id: id, UserName: n}
		}
		if len(ids) > 0 {
			us, err := dir.UsersByID(ctx, ids)
			if err != nil {
				return err
			}
			for id, u := range us {
				found[id] = u
			}
		}
	}
	for _, g := range r.Set.Groups {
		d := groups.Desired{Name: g.Name, Description: g.Description, Members: []groups.Member{}}
		in := map[string]bool{}
		for _, m := range g.Members {
			u, ok := found[m.Text]
			if !ok {
				if inventory.IsPrincipalID(m.Text) {
					e.add(m.Pos, "group %s: no user has the id %s", g.Name, m.Text)
					continue
				}
				if all == nil {
					all, _ = dir.Users(ctx)
				}
				var cands []string
				for _, u := range all {
					cands = append(cands, u.UserName)
				}
				e.add(m.Pos, "group %s: no user is named %q%s (users are made by ssoctl user create)", g.Name, m.Text, inventory.Suggest(m.Text, cands))
				continue
			}
			if in[u.Id] {
				continue
			}
			in[u.Id] = true
			name := u.UserName
			if name == "" {
				name = m.Text
			}
			d.Members = append(d.Members, groups.Member{UserId: u.Id, UserName: name})
		}
		sort.Slice(d.Members, func(i, j int) bool { return d.Members[i].UserId < d.Members[j].UserId })
		r.Groups = append(r.Groups, d)
	}
	return nil
}

// pendingDir is the directory with the permission sets and groups the
// file declares and the organization has not yet: assignments may name
// them.
type pendingDir struct {
	file.Directory
	sets, groups map[string]bool
}

func (p *pendingDir) PermissionSets(ctx context.Context) ([]inventory.PermissionSet, error) {
	live, err := p.Directory.PermissionSets(ctx)
	if err != nil {
		return nil, err
	}
	out := append([]inventory.PermissionSet(nil), live...)
	has := map[string]bool{}
	for _, s := range live {
		has[s.Name] = true
	}
	var names []string
	for n := range p.sets {
		if !has[n] {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		out = append(out, inventory.PermissionSet{Arn: pendingPermissionSet + n, Name: n})
	}
	return out, nil
}

func (p *pendingDir) GroupID(ctx context.Context, name string) (string, error) {
	id, err := p.Directory.GroupID(ctx, name)
	if errors.Is(err, inventory.ErrNotFound) && p.groups[name] {
		return pendingGroup + name, nil
	}
	return id, err
}

func (p *pendingDir) Groups(ctx context.Context) ([]inventory.Group, error) {
	live, err := p.Directory.Groups(ctx)
	if err != nil {
		return nil, err
	}
	out := append([]inventory.Group(nil), live...)
	for n := range p.groups {
		out = append(out, inventory.Group{Id: pendingGroup + n, Name: n})
	}
	return out, nil
}
