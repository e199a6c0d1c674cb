// Package access answers who can reach what in an Identity Center
// organization without an audit's full scan: every raw assignment,
// filtered (List, behind `ssoctl admin assignments`), what one person can
// reach and through which group (ForUser), and who can reach one account
// and how (ForAccount). It reads through inventory and makes its
// concurrent calls through fanout; it never prints.
package access

import (
	"regexp"
	"strings"
)

// Flags on rows, named as the audit names its findings.
const (
	FlagDisabledUser   = "DISABLED_USER"      // a DISABLED user still has access
	FlagSuspended      = "SUSPENDED_ACCOUNT"  // the account is suspended or closing
	FlagOrphaned       = "ORPHANED_PRINCIPAL" // the assigned user or group no longer exists
	FlagUnknownAccount = "UNKNOWN_ACCOUNT"    // the account is not in the organization
)

// Paths of access.
const (
	PathDirect      = "direct"
	GroupPathPrefix = "group:"
)

// ItemError is one item that kept failing; the rest of the result stands.
type ItemError struct {
	Item  string `json:"item"`
	Error string `json:"error"`
}

// rePrincipalID is the identity-store id format.
var rePrincipalID = regexp.MustCompile(`^([0-9a-f]{10}-|)[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{12}$`)

// IsPrincipalID reports whether s has the form of a user or group id.
func IsPrincipalID(s string) bool { return rePrincipalID.MatchString(s) }

var reAccountID = regexp.MustCompile(`^\d{12}$`)

// IsAccountID reports whether s is a 12-digit account id.
func IsAccountID(s string) bool { return reAccountID.MatchString(s) }

func suspended(status string) bool {
	return status == "SUSPENDED" || status == "PENDING_CLOSURE" || status == "CLOSED"
}

func groupPath(name, id string) string {
	if name == "" {
		name = id
	}
	return GroupPathPrefix + name
}

func typeRank(t string) int {
	if t == "USER" {
		return 0
	}
	return 1
}

func lower(t string) string { return strings.ToLower(t) }
