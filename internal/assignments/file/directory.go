package file

import (
	"context"

	"github.com/ssoctl/ssoctl/internal/inventory"
)

// Directory answers what resolution asks of the live organization: the org
// directory (*inventory.Directory) does. Each answer is read once, on first
// use, so a file that names no OU never walks the organization tree and one
// that names users by id never lists users.
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
