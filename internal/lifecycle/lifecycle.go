// Package lifecycle is the user lifecycle of IAM Identity Center: create a
// person (one, or many from a CSV), give and take access (a permission set
// on accounts and OUs, or a named bundle from the org settings), move them
// from one bundle to another without a moment without access, and offboard
// them (every assignment and group membership removed and confirmed before
// the user is deleted or disabled).
//
// Every operation is a plan first (Plan… functions, read-only) and is
// carried out by Apply… functions only when the command line has its
// confirmation. Names and listings come from the org directory
// (inventory.Directory), assignments are read through the one lister
// (internal/assignments/list) and created and deleted by the one executor
// (internal/assignments/execute). The package never prints.
package lifecycle

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"

	"github.com/ssoctl/ssoctl/internal/assignments"
	"github.com/ssoctl/ssoctl/internal/assignments/execute"
	"github.com/ssoctl/ssoctl/internal/assignments/list"
	"github.com/ssoctl/ssoctl/internal/inventory"
	"github.com/ssoctl/ssoctl/internal/orgconfig"
)

// SSOAdmin is what the lifecycle reads and the executor writes.
type SSOAdmin interface {
	inventory.SSOAdmin
	execute.SSOAdmin
}

// IdentityStore is the identity store, reads and the user writes.
type IdentityStore interface {
	inventory.IdentityStore
	CreateUser(context.Context, *identitystore.CreateUserInput, ...func(*identitystore.Options)) (*identitystore.CreateUserOutput, error)
	UpdateUser(context.Context, *identitystore.UpdateUserInput, ...func(*identitystore.Options)) (*identitystore.UpdateUserOutput, error)
	DeleteUser(context.Context, *identitystore.DeleteUserInput, ...func(*identitystore.Options)) (*identitystore.DeleteUserOutput, error)
	DeleteGroupMembership(context.Context, *identitystore.DeleteGroupMembershipInput, ...func(*identitystore.Options)) (*identitystore.DeleteGroupMembershipOutput, error)
	CreateGroup(context.Context, *identitystore.CreateGroupInput, ...func(*identitystore.Options)) (*identitystore.CreateGroupOutput, error)
	CreateGroupMembership(context.Context, *identitystore.CreateGroupMembershipInput, ...func(*identitystore.Options)) (*identitystore.CreateGroupMembershipOutput, error)
	GetGroupMembershipId(context.Context, *identitystore.GetGroupMembershipIdInput, ...func(*identitystore.Options)) (*identitystore.GetGroupMembershipIdOutput, error)
}

// Clients are the services the lifecycle calls.
type Clients struct {
	SSOAdmin      SSOAdmin
	IdentityStore IdentityStore
	Organizations inventory.Organizations
}

func (c Clients) inventory() inventory.Clients {
	return inventory.Clients{SSOAdmin: c.SSOAdmin, IdentityStore: c.IdentityStore, Organizations: c.Organizations}
}

// Directory is the user lifecycle over one instance: the org directory
// (inventory.Directory, embedded: users, permission sets, accounts and OUs
// by name, each listing read once) and the clients that write. Assignments
// are read through the one lister and written through the one executor.
type Directory struct {
	*inventory.Directory
	c    Clients
	inst inventory.Instance

	welcomeGroup string // WelcomeGroup's id, once known
}

// Open finds the instance (instanceArn "" means the only one) and returns
// a Directory for it.
func Open(ctx context.Context, c Clients, instanceArn string) (*Directory, error) {
	dir := inventory.NewDirectory(c.inventory(), inventory.DirectoryOptions{InstanceArn: instanceArn})
	inst, err := dir.Instance(ctx, "")
	if err != nil {
		return nil, err
	}
	return &Directory{Directory: dir, c: c, inst: inst}, nil
}

// UseNameCache makes permission-set names come from cache where it knows
// them (one DescribePermissionSet per set otherwise); new names are put in
// it, and saving it is the caller's. Call it before names are asked for.
func (d *Directory) UseNameCache(cache *inventory.NameCache) { d.Directory.UseNameCache(cache) }

// Instance is the Identity Center instance.
func (d *Directory) Instance() inventory.Instance { return d.inst }

// Clients are the directory's clients.
func (d *Directory) Clients() Clients { return d.c }

// Target is one permission set on one account.
type Target struct {
	PermissionSet inventory.PermissionSet
	Account       inventory.Account
	// Via is the OU the account was reached through ("" when named).
	Via string
}

// Skipped is an account left out of a plan, and why.
type Skipped struct {
	Account inventory.Account `json:"account"`
	Reason  string            `json:"reason"`
}

// Targets resolves a permission set on accounts (id or name) and OUs (id,
// path or name; every account below them). Suspended accounts are skipped
// (and reported); an account reached twice counts once.
func (d *Directory) Targets(ctx context.Context, permissionSet string, accounts, ous []string) ([]Target, []Skipped, error) {
	ps, err := d.PermissionSet(ctx, permissionSet)
	if err != nil {
		return nil, nil, err
	}
	if _, err := d.Accounts(ctx); err != nil {
		return nil, nil, err
	}
	var out []Target
	var skipped []Skipped
	seen := map[string]bool{}
	add := func(a inventory.Account, via string) {
		if seen[a.Id] {
			return
		}
		seen[a.Id] = true
		if a.Status != "" && a.Status != "ACTIVE" {
			skipped = append(skipped, Skipped{Account: a, Reason: "account is " + strings.ToLower(a.Status)})
			return
		}
		out = append(out, Target{PermissionSet: ps, Account: a, Via: via})
	}
	for _, ref := range accounts {
		a, err := d.Account(ctx, ref)
		if err != nil {
			return nil, nil, err
		}
		add(a, "")
	}
	for _, ref := range ous {
		ou, err := d.OU(ctx, ref)
		if err != nil {
			return nil, nil, err
		}
		tree, err := d.OrgTree(ctx)
		if err != nil {
			return nil, nil, err
		}
		for _, a := range tree.AccountsUnder(ou.Id, true) {
			add(a, ou.Path)
		}
	}
	return out, skipped, nil
}

// Bundle is the named access bundle of the org settings; a name that is not
// there is reported with the closest ones (or all of them when none is close).
func Bundle(cfg *orgconfig.Config, name string) (orgconfig.Bundle, error) {
	if cfg == nil {
		return orgconfig.Bundle{}, fmt.Errorf("access bundle %q: no org settings file", name)
	}
	b, err := cfg.Bundle(name)
	if err == nil {
		return b, nil
	}
	names := make([]string, 0, len(cfg.Access))
	for _, b := range cfg.Access {
		names = append(names, b.Name)
	}
	if hint := inventory.Suggest(name, names); hint != "" {
		return b, fmt.Errorf("access bundle %q is not in %s%s", name, cfg.Path, hint)
	}
	return b, err
}

// BundleTargets resolves every grant of a bundle.
func (d *Directory) BundleTargets(ctx context.Context, b orgconfig.Bundle) ([]Target, []Skipped, error) {
	var out []Target
	var skipped []Skipped
	seen := map[string]bool{}
	for _, g := range b.Grants {
		ts, sk, err := d.Targets(ctx, g.PermissionSet, g.Accounts, g.OUs)
		if err != nil {
			return nil, nil, fmt.Errorf("access bundle %s: %w", b.Name, err)
		}
		for _, t := range ts {
			k := t.PermissionSet.Arn + "|" + t.Account.Id
			if !seen[k] {
				seen[k] = true
				out = append(out, t)
			}
		}
		skipped = append(skipped, sk...)
	}
	return out, skipped, nil
}

// change is the executor change giving (or taking) a target to a user.
func change(op execute.Op, u inventory.User, t Target) execute.Change {
	return execute.Change{Op: op,
		Assignment:  assignments.Assignment{AccountId: t.Account.Id, PermissionSetArn: t.PermissionSet.Arn, PrincipalType: "USER", PrincipalId: u.Id},
		AccountName: t.Account.Name, PermissionSetName: t.PermissionSet.Name, PrincipalName: u.UserName}
}

// AccessPlan is what assign / unassign / change-access will do for one user.
type AccessPlan struct {
	User inventory.User `json:"user"`
	Plan execute.Plan   `json:"plan"`
	// Unchanged are changes already as wanted (assigned, or not there).
	Unchanged []execute.Change `json:"unchanged,omitempty"`
	Skipped   []Skipped        `json:"skipped,omitempty"`
}

// Direct lists the user's direct assignments (through the one lister).
func (d *Directory) Direct(ctx context.Context, u inventory.User) ([]assignments.Assignment, error) {
	return list.All(ctx, d.c.inventory(), d.inst, list.Selection{Principals: []list.Principal{{Type: list.User, Id: u.Id}}}, list.ByPrincipal)
}

// PlanAccess plans giving (add) and taking (remove) targets to a user:
// what is already assigned is not created again, what is not assigned is
// not deleted, and a target in both lists is kept.
func (d *Directory) PlanAccess(ctx context.Context, u inventory.User, add, remove []Target) (AccessPlan, error) {
	have := map[string]bool{}
	if u.Id != "" {
		direct, err := d.Direct(ctx, u)
		if err != nil {
			return AccessPlan{}, err
		}
		for _, a := range direct {
			have[a.PermissionSetArn+"|"+a.AccountId] = true
		}
	}
	return d.planAccess(u, have, add, remove), nil
}

// planAccess is PlanAccess once the user's direct assignments are known
// (have: "permission set ARN|account id").
func (d *Directory) planAccess(u inventory.User, have map[string]bool, add, remove []Target) AccessPlan {
	p := AccessPlan{User: u, Plan: execute.Plan{InstanceArn: d.inst.Arn}}
	keep := map[string]bool{}
	for _, t := range add {
		k := t.PermissionSet.Arn + "|" + t.Account.Id
		keep[k] = true
		if have[k] {
			p.Unchanged = append(p.Unchanged, change(execute.Create, u, t))
		} else {
			p.Plan.Changes = append(p.Plan.Changes, change(execute.Create, u, t))
		}
	}
	for _, t := range remove {
		k := t.PermissionSet.Arn + "|" + t.Account.Id
		switch {
		case keep[k]:
		case have[k]:
			p.Plan.Changes = append(p.Plan.Changes, change(execute.Delete, u, t))
		default:
			p.Unchanged = append(p.Unchanged, change(execute.Delete, u, t))
		}
	}
	return p
}

// GivenName reads a user's given name (the inventory's User has none).
func (d *Directory) GivenName(ctx context.Context, userID string) (string, error) {
	out, err := d.c.IdentityStore.DescribeUser(ctx, &identitystore.DescribeUserInput{IdentityStoreId: &d.inst.IdentityStoreId, UserId: &userID})
	if err != nil {
		return "", err
	}
	if out.Name == nil {
		return "", nil
	}
	return aws.ToString(out.Name.GivenName), nil
}

// HasAccess reports whether an enabled user can reach at least one account
// through Identity Center: a direct assignment, or one of a group they are
// in — what `access user` lists, by the same route (list.Reach). It is the
// check before a legacy IAM user is retired. The user's own assignments are
// asked first: most people have one, and then one call answers; their
// groups are listed only when they have none.
func (d *Directory) HasAccess(ctx context.Context, u inventory.User) (bool, error) {
	if u.Status == "DISABLED" {
		return false, nil
	}
	own, err := list.Reach(ctx, d.c.inventory(), d.inst, u.Id, nil)
	if err != nil || len(own) > 0 {
		return len(own) > 0, err
	}
	ms, err := inventory.MembershipsOf(ctx, d.c.IdentityStore, d.inst, u.Id)
	if err != nil || len(ms) == 0 {
		return false, err
	}
	groups := make([]string, len(ms))
	for i, m := range ms {
		groups[i] = m.GroupId
	}
	reached, err := list.Reach(ctx, d.c.inventory(), d.inst, u.Id, groups)
	return len(reached) > 0, err
}
