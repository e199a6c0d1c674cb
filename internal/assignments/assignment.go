package assignments

// Assignment is one account assignment: a principal (user or group) holds
// a permission set in an account. It is the one tuple of the family: the
// lister emits it, the file declares it (with names), plan compares it, the
// executor creates and deletes it.
type Assignment struct {
	AccountId        string `json:"accountId"`
	PermissionSetArn string `json:"permissionSetArn"`
	// PrincipalType is User or Group.
	PrincipalType string `json:"principalType"`
	PrincipalId   string `json:"principalId"`
}

// Key is a stable text form of the assignment, for maps, sorting and
// fingerprints.
func (a Assignment) Key() string {
	return a.AccountId + "|" + a.PermissionSetArn + "|" + a.PrincipalType + "|" + a.PrincipalId
}

// Principal types, as Identity Center writes them.
const (
	User  = "USER"
	Group = "GROUP"
)
