// Package access answers who can reach what in an Identity Center
// organization without an audit's full scan: what one person can reach and
// through which group (ForUser), and who can reach one account and how
// (ForAccount). It lists assignments through the one lister
// (internal/assignments), reads names through inventory, and never prints.
package access

import (
	"context"

	"github.com/ssoctl/ssoctl/internal/assignments/list"
	"github.com/ssoctl/ssoctl/internal/inventory"
)

// Paths of access.
const (
	PathDirect      = "direct"
	GroupPathPrefix = "group:"
)

func groupPath(name, id string) string {
	if name == "" {
		name = id
	}
	return GroupPathPrefix + name
}

// listAll lists the selected assignments with method m; an item that
// failed fails the question, which is small enough to ask again.
func listAll(ctx context.Context, c inventory.Clients, inst inventory.Instance, sel list.Selection, m list.Method) ([]inventory.Assignment, error) {
	var all []inventory.Assignment
	res, err := list.List(ctx, c, inst, sel, list.Options{Method: m}, func(a inventory.Assignment) error {
		all = append(all, a)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(res.Errors) > 0 {
		return nil, res.Errors[0].Err
	}
	return all, nil
}
