package list

// Findings: what can be wrong with an assignment. The audit lists them
// and flags its rows with them; `access user` and `access account` flag
// their rows with the same names.
const (
	FlagOrphaned       = "ORPHANED_PRINCIPAL" // the assigned user or group no longer exists
	FlagDisabledUser   = "DISABLED_USER"      // a DISABLED user still has access
	FlagSuspended      = "SUSPENDED_ACCOUNT"  // the account is suspended or closing, yet assigned
	FlagNotProvisioned = "NOT_PROVISIONED"    // the permission set's latest version is not provisioned there
	FlagUnknownAccount = "UNKNOWN_ACCOUNT"    // the account is not in the organization
	FlagMembersUnknown = "MEMBERS_UNKNOWN"    // the group's members could not be listed
	FlagLegacyIAMUser  = "LEGACY_IAM_USER"    // an IAM user of the same name has a password or active keys
	FlagLegacyDomain   = "LEGACY_DOMAIN"      // the user's e-mail address is in a domain being phased out (org settings)
	FlagGrant          = "GRANT"              // not a finding: the access is a just-in-time grant's (ssoctl grant), which ends by itself
)

// Suspended reports whether an account status means the account is
// suspended or closing.
func Suspended(status string) bool {
	return status == "SUSPENDED" || status == "PENDING_CLOSURE" || status == "CLOSED"
}
