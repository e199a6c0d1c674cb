package file

import (
	"context"
	"fmt"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/ssoctl/ssoctl/internal/inventory"
)

// Directory answers what resolution asks of the live organization. Each
// answer is read once, on first use, so a file that names no OU never walks
// the organization tree and one that names users by id never lists users.
type Directory interface {
	Instance(ctx context.Context, arn string) (inventory.Instance, error)
	PermissionSets(ctx context.Context) ([]inventory.PermissionSet, error)
	Accounts(ctx context.Context) ([]inventory.Account, error)
	ManagementAccount(ctx context.Context) (string, error)
	OrgTree(ctx context.Context) (*inventory.OrgTree, error)
	// UserID and GroupID find one principal by name; an unknown name
	// wraps inventory.ErrNotFound.
	UserID(ctx context.Context, name string) (string, error)
	GroupID(ctx context.Context, name string) (string, error)
	// UsersByID and GroupsByID return those of ids that exist.
	UsersByID(ctx context.Context, ids []string) (map[string]inventory.User, error)
	GroupsByID(ctx context.Context, ids []string) (map[string]inventory.Group, error)
	// Users and Groups list every principal (only to suggest names).
	Users(ctx context.Context) ([]inventory.User, error)
	Groups(ctx context.Context) ([]inventory.Group, error)
}

// OrgDescriber is the one organizations call beyond inventory's.
type OrgDescriber interface {
	DescribeOrganization(context.Context, *organizations.DescribeOrganizationInput, ...func(*organizations.Options)) (*organizations.DescribeOrganizationOutput, error)
}

// Live is a Directory over the AWS APIs, reading each answer once.
type Live struct {
	Clients inventory.Clients
	Org     OrgDescriber
	// Names caches permission-set names between runs (may be nil).
	Names *inventory.NameCache

	mu       sync.Mutex
	inst     *inventory.Instance
	sets     []inventory.PermissionSet
	accounts []inventory.Account
	mgmt     *string
	tree     *inventory.OrgTree
	users    []inventory.User
	groups   []inventory.Group
}

// Instance finds the instance (the one arn names, or the only one).
func (l *Live) Instance(ctx context.Context, arn string) (inventory.Instance, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.inst != nil && (arn == "" || arn == l.inst.Arn) {
		return *l.inst, nil
	}
	in, err := inventory.FindInstance(ctx, l.Clients.SSOAdmin, arn)
	if err != nil {
		return in, err
	}
	l.inst = &in
	return in, nil
}

func (l *Live) instance(ctx context.Context) (inventory.Instance, error) {
	l.mu.Lock()
	in := l.inst
	l.mu.Unlock()
	if in != nil {
		return *in, nil
	}
	return l.Instance(ctx, "")
}

// PermissionSets lists the instance's permission sets with their names.
func (l *Live) PermissionSets(ctx context.Context) ([]inventory.PermissionSet, error) {
	inst, err := l.instance(ctx)
	if err != nil {
		return nil, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.sets == nil {
		sets, err := inventory.NamedPermissionSets(ctx, l.Clients, inst, l.Names)
		if err != nil {
			return nil, err
		}
		l.sets = sets
	}
	return l.sets, nil
}

// Accounts lists the organization's accounts.
func (l *Live) Accounts(ctx context.Context) ([]inventory.Account, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.accounts == nil {
		a, err := inventory.Accounts(ctx, l.Clients.Organizations)
		if err != nil {
			return nil, err
		}
		l.accounts = a
	}
	return l.accounts, nil
}

// ManagementAccount is the organization's management account id.
func (l *Live) ManagementAccount(ctx context.Context) (string, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.mgmt == nil {
		out, err := l.Org.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
		if err != nil {
			return "", fmt.Errorf("describe organization: %w", err)
		}
		id := aws.ToString(out.Organization.MasterAccountId)
		l.mgmt = &id
	}
	return *l.mgmt, nil
}

// OrgTree walks the organization's OUs.
func (l *Live) OrgTree(ctx context.Context) (*inventory.OrgTree, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.tree == nil {
		t, err := inventory.WalkOrg(ctx, l.Clients)
		if err != nil {
			return nil, err
		}
		l.tree = t
	}
	return l.tree, nil
}

// UserID finds a user by user name.
func (l *Live) UserID(ctx context.Context, name string) (string, error) {
	inst, err := l.instance(ctx)
	if err != nil {
		return "", err
	}
	return inventory.UserID(ctx, l.Clients.IdentityStore, inst, name)
}

// GroupID finds a group by display name.
func (l *Live) GroupID(ctx context.Context, name string) (string, error) {
	inst, err := l.instance(ctx)
	if err != nil {
		return "", err
	}
	return inventory.GroupID(ctx, l.Clients.IdentityStore, inst, name)
}

// UsersByID returns the users of ids that exist.
func (l *Live) UsersByID(ctx context.Context, ids []string) (map[string]inventory.User, error) {
	inst, err := l.instance(ctx)
	if err != nil {
		return nil, err
	}
	return inventory.UsersByID(ctx, l.Clients, inst, ids)
}

// GroupsByID returns the groups of ids that exist.
func (l *Live) GroupsByID(ctx context.Context, ids []string) (map[string]inventory.Group, error) {
	inst, err := l.instance(ctx)
	if err != nil {
		return nil, err
	}
	return inventory.GroupsByID(ctx, l.Clients, inst, ids)
}

// Users lists every user.
func (l *Live) Users(ctx context.Context) ([]inventory.User, error) {
	inst, err := l.instance(ctx)
	if err != nil {
		return nil, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.users == nil {
		u, err := inventory.Users(ctx, l.Clients.IdentityStore, inst)
		if err != nil {
			return nil, err
		}
		l.users = u
	}
	return l.users, nil
}

// Groups lists every group.
func (l *Live) Groups(ctx context.Context) ([]inventory.Group, error) {
	inst, err := l.instance(ctx)
	if err != nil {
		return nil, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.groups == nil {
		g, err := inventory.Groups(ctx, l.Clients.IdentityStore, inst)
		if err != nil {
			return nil, err
		}
		l.groups = g
	}
	return l.groups, nil
}
