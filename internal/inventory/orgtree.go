package inventory

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/ssoctl/ssoctl/internal/fanout"
)

// OU is an organizational unit, or a root, of the organization tree.
type OU struct {
	Id       string `json:"id"`
	Name     string `json:"name"`
	ParentId string `json:"parentId,omitempty"`
	// Path is the names from the root down, "Root/Workloads/Prod".
	Path string `json:"path"`
}

// OrgTree is the organization's roots and OUs and the accounts directly
// under each.
type OrgTree struct {
	Roots []string
	// OUs holds every OU and root by id.
	OUs map[string]OU
	// Children are the child OU ids of each parent, sorted by name.
	Children map[string][]string
	// Accounts are the accounts directly under each parent, sorted by id.
	Accounts map[string][]Account
	// ParentOf is the parent id of each account.
	ParentOf map[string]string
}

// WalkOrg reads the whole organization tree: ListRoots, then, one level at
// a time and concurrently, ListOrganizationalUnitsForParent and
// ListAccountsForParent for every parent. Nesting is at most five OUs deep,
// so there are at most six rounds; the calls are 1 + 2 × (roots + OUs)
// pages.
func WalkOrg(ctx context.Context, c Clients) (*OrgTree, error) {
	t := &OrgTree{OUs: map[string]OU{}, Children: map[string][]string{}, Accounts: map[string][]Account{}, ParentOf: map[string]string{}}
	p := organizations.NewListRootsPaginator(c.Organizations, &organizations.ListRootsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list organization roots: %w", err)
		}
		for _, r := range page.Roots {
			id := aws.ToString(r.Id)
			name := aws.ToString(r.Name)
			t.Roots = append(t.Roots, id)
			t.OUs[id] = OU{Id: id, Name: name, Path: name}
		}
	}
	sort.Strings(t.Roots)
	level := t.Roots
	for len(level) > 0 {
		type found struct {
			ous      []OU
			accounts []Account
		}
		// Two items per parent: its OUs, then its accounts.
		res := fanout.Map(ctx, twice(level), c.limit(), func(ctx context.Context, item parentItem) (found, error) {
			if item.accounts {
				a, err := accountsForParent(ctx, c.Organizations, item.parent)
				return found{accounts: a}, err
			}
			o, err := ousForParent(ctx, c.Organizations, item.parent)
			return found{ous: o}, err
		})
		var next []string
		for i, r := range res {
			if r.Err != nil {
				return nil, r.Err
			}
			parent := level[i/2]
			for _, a := range r.Value.accounts {
				t.Accounts[parent] = append(t.Accounts[parent], a)
				t.ParentOf[a.Id] = parent
			}
			for _, o := range r.Value.ous {
				o.ParentId = parent
				o.Path = t.OUs[parent].Path + "/" + o.Name
				t.OUs[o.Id] = o
				t.Children[parent] = append(t.Children[parent], o.Id)
				next = append(next, o.Id)
			}
		}
		for _, parent := range level {
			kids := t.Children[parent]
			sort.Slice(kids, func(i, j int) bool { return t.OUs[kids[i]].Name < t.OUs[kids[j]].Name })
			accts := t.Accounts[parent]
			sort.Slice(accts, func(i, j int) bool { return accts[i].Id < accts[j].Id })
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		level = next
	}
	return t, nil
}

type parentItem struct {
	parent   string
	accounts bool
}

func twice(parents []string) []parentItem {
	out := make([]parentItem, 0, 2*len(parents))
	for _, p := range parents {
		out = append(out, parentItem{p, false}, parentItem{p, true})
	}
	return out
}

func ousForParent(ctx context.Context, c Organizations, parent string) ([]OU, error) {
	var out []OU
	p := organizations.NewListOrganizationalUnitsForParentPaginator(c, &organizations.ListOrganizationalUnitsForParentInput{ParentId: &parent})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list OUs under %s: %w", parent, err)
		}
		for _, o := range page.OrganizationalUnits {
			out = append(out, OU{Id: aws.ToString(o.Id), Name: aws.ToString(o.Name)})
		}
	}
	return out, nil
}

func accountsForParent(ctx context.Context, c Organizations, parent string) ([]Account, error) {
	var out []Account
	p := organizations.NewListAccountsForParentPaginator(c, &organizations.ListAccountsForParentInput{ParentId: &parent})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list accounts under %s: %w", parent, err)
		}
		for _, a := range page.Accounts {
			out = append(out, accountOf(a))
		}
	}
	return out, nil
}

// AllAccounts returns every account in the tree, sorted by id.
func (t *OrgTree) AllAccounts() []Account {
	var out []Account
	for _, accts := range t.Accounts {
		out = append(out, accts...)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Id < out[j].Id })
	return out
}

// AccountsUnder returns the accounts directly under parent, or, when
// recursive, anywhere beneath it; sorted by id.
func (t *OrgTree) AccountsUnder(parent string, recursive bool) []Account {
	out := append([]Account(nil), t.Accounts[parent]...)
	if recursive {
		for _, kid := range t.Children[parent] {
			out = append(out, t.AccountsUnder(kid, true)...)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Id < out[j].Id })
	return out
}

// OUOf returns the OU (or root) an account sits directly under.
func (t *OrgTree) OUOf(accountID string) (OU, bool) {
	parent, ok := t.ParentOf[accountID]
	if !ok {
		return OU{}, false
	}
	return t.OUs[parent], true
}

// FindOU resolves an OU or root given by id (ou-…, r-…), by path from the
// root ("Root/Workloads/Prod", or without the root's name: "Workloads/Prod"),
// or by name when only one OU has it.
func (t *OrgTree) FindOU(ref string) (OU, error) {
	if o, ok := t.OUs[ref]; ok {
		return o, nil
	}
	ref = strings.Trim(ref, "/")
	var byPath, byName []OU
	for _, o := range t.OUs {
		_, rel, _ := strings.Cut(o.Path, "/")
		switch {
		case strings.EqualFold(o.Path, ref) || (rel != "" && strings.EqualFold(rel, ref)):
			byPath = append(byPath, o)
		case strings.EqualFold(o.Name, ref):
			byName = append(byName, o)
		}
	}
	switch {
	case len(byPath) == 1:
		return byPath[0], nil
	case len(byPath) == 0 && len(byName) == 1:
		return byName[0], nil
	case len(byPath)+len(byName) == 0:
		return OU{}, fmt.Errorf("OU %q %w", ref, ErrNotFound)
	}
	paths := make([]string, 0, len(byPath)+len(byName))
	for _, o := range append(byPath, byName...) {
		paths = append(paths, o.Path+" ("+o.Id+")")
	}
	sort.Strings(paths)
	return OU{}, fmt.Errorf("OU %q is ambiguous: %s; give its id or path", ref, strings.Join(paths, ", "))
}

// OUsOf finds the OU (or root) directly above each account from the
// bottom up, without walking the whole tree: ListParents per account, then
// per OU on the way up DescribeOrganizationalUnit and ListParents, each OU
// once, and ListRoots once for the roots' names. For a few accounts that
// is far fewer calls than WalkOrg. Accounts the organization does not
// have are absent from the result.
func OUsOf(ctx context.Context, c Clients, accountIDs []string) (map[string]OU, error) {
	parentOf := func(ctx context.Context, child string) (string, error) {
		out, err := c.Organizations.ListParents(ctx, &organizations.ListParentsInput{ChildId: &child})
		if err != nil {
			return "", err
		}
		if len(out.Parents) == 0 {
			return "", nil
		}
		return aws.ToString(out.Parents[0].Id), nil
	}
	var roots map[string]OU
	var rootsErr error
	parents := make([]string, len(accountIDs))
	errs := make([]error, len(accountIDs)+1)
	fanout.Each(ctx, len(accountIDs)+1, c.limit(), func(ctx context.Context, i int) {
		if i == len(accountIDs) {
			roots, rootsErr = listRoots(ctx, c.Organizations)
			return
		}
		parents[i], errs[i] = parentOf(ctx, accountIDs[i])
	})
	errs[len(accountIDs)] = rootsErr
	var nf *orgtypes.ChildNotFoundException
	for i, err := range errs {
		if err != nil && !errors.As(err, &nf) {
			if i < len(accountIDs) {
				return nil, fmt.Errorf("list parents of account %s: %w", accountIDs[i], err)
			}
			return nil, err
		}
	}
	// Climb level by level: every OU not yet known is described and its
	// parent listed, concurrently.
	ous := maps.Clone(roots)
	type node struct{ name, parent string }
	nodes := map[string]node{}
	pending := slices.Compact(slices.Sorted(slices.Values(parents)))
	for len(pending) > 0 {
		var todo []string
		for _, id := range pending {
			if _, ok := ous[id]; id != "" && !ok {
				if _, ok := nodes[id]; !ok {
					todo = append(todo, id)
				}
			}
		}
		res := fanout.Map(ctx, todo, c.limit(), func(ctx context.Context, id string) (node, error) {
			out, err := c.Organizations.DescribeOrganizationalUnit(ctx, &organizations.DescribeOrganizationalUnitInput{OrganizationalUnitId: &id})
			if err != nil {
				return node{}, fmt.Errorf("describe OU %s: %w", id, err)
			}
			parent, err := parentOf(ctx, id)
			if err != nil {
				return node{}, fmt.Errorf("list parents of OU %s: %w", id, err)
			}
			return node{aws.ToString(out.OrganizationalUnit.Name), parent}, nil
		})
		pending = nil
		for i, r := range res {
			if r.Err != nil {
				return nil, r.Err
			}
			nodes[todo[i]] = r.Value
			pending = append(pending, r.Value.parent)
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
	var path func(id string, depth int) string
	path = func(id string, depth int) string {
		if r, ok := ous[id]; ok {
			return r.Path
		}
		n, ok := nodes[id]
		if !ok || depth > 10 {
			return ""
		}
		p := path(n.parent, depth+1) + "/" + n.name
		ous[id] = OU{Id: id, Name: n.name, ParentId: n.parent, Path: p}
		return p
	}
	out := make(map[string]OU, len(accountIDs))
	for i, id := range accountIDs {
		if parents[i] == "" {
			continue
		}
		path(parents[i], 0)
		if ou, ok := ous[parents[i]]; ok {
			out[id] = ou
		}
	}
	return out, nil
}

// listRoots reads the organization's roots, by id.
func listRoots(ctx context.Context, c Organizations) (map[string]OU, error) {
	roots := map[string]OU{}
	p := organizations.NewListRootsPaginator(c, &organizations.ListRootsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list organization roots: %w", err)
		}
		for _, r := range page.Roots {
			id, name := aws.ToString(r.Id), aws.ToString(r.Name)
			roots[id] = OU{Id: id, Name: name, Path: name}
		}
	}
	return roots, nil
}
