// Package access answers who can reach what in an Identity Center
// organization without an audit's full scan: what one person can reach and
// through which group (ForUser), and who can reach one account and how
// (ForAccount). It lists assignments through the one lister
// (internal/assignments/list), reads names through the org directory
// (inventory.Directory), and never prints.
package access

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
