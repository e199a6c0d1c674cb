package iac

import "github.com/ssoctl/ssoctl/internal/grants"

// IsGrant reports whether a permission set's name is a just-in-time
// grant's (ssoctl-jit-<id>, as internal/grants names and recognises
// them). ssoctl grant makes and ends those; iac never declares, exports,
// creates, updates or prunes one, nor prunes its assignments.
func IsGrant(name string) bool { return grants.IDOf(name) != "" }
