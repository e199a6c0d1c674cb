package execute

import (
	"sort"
	"strconv"
)

// PermissionSetWrite is what one permission-set change writes: for a
// create, CreatePermissionSet's attributes (Description, SessionDuration,
// RelayState, Tags) and then Calls; for an update, UpdatePermissionSet
// when any of Description, SessionDuration or RelayState is set, then
// Calls, in order; a delete writes nothing more than DeletePermissionSet.
type PermissionSetWrite struct {
	Description     *string `json:"description,omitempty"`
	SessionDuration *string `json:"sessionDuration,omitempty"`
	RelayState      *string `json:"relayState,omitempty"`
	// Tags are the tags a create sets (an update tags through Calls).
	Tags  []Tag  `json:"tags,omitempty"`
	Calls []Call `json:"calls,omitempty"`
}

// Call is one write to a permission set, besides its creation and its
// description, session duration and relay state.
type Call struct {
	Action Action `json:"action"`
	// ManagedPolicyArn for attach/detachManagedPolicy.
	ManagedPolicyArn string `json:"managedPolicyArn,omitempty"`
	// CustomerManagedPolicy for attach/detachCustomerManagedPolicy.
	CustomerManagedPolicy *PolicyRef `json:"customerManagedPolicy,omitempty"`
	// InlinePolicy for putInlinePolicy: the JSON document.
	InlinePolicy string `json:"inlinePolicy,omitempty"`
	// Boundary for putPermissionsBoundary.
	Boundary *Boundary `json:"boundary,omitempty"`
	// Tags for tag; TagKeys for untag.
	Tags    []Tag    `json:"tags,omitempty"`
	TagKeys []string `json:"tagKeys,omitempty"`
}

// Action is the API call a Call makes.
type Action string

// The calls a permission-set change makes after creating or updating it.
const (
	PutInlinePolicy             Action = "putInlinePolicy"
	DeleteInlinePolicy          Action = "deleteInlinePolicy"
	AttachManagedPolicy         Action = "attachManagedPolicy"
	DetachManagedPolicy         Action = "detachManagedPolicy"
	AttachCustomerManagedPolicy Action = "attachCustomerManagedPolicy"
	DetachCustomerManagedPolicy Action = "detachCustomerManagedPolicy"
	PutPermissionsBoundary      Action = "putPermissionsBoundary"
	DeletePermissionsBoundary   Action = "deletePermissionsBoundary"
	TagPermissionSet            Action = "tag"
	UntagPermissionSet          Action = "untag"
)

// PolicyRef names a customer managed policy by name and path.
type PolicyRef struct {
	Name string `json:"name"`
	Path string `json:"path,omitempty"`
}

// String is the policy's path and name: "/teams/team-boundary".
func (r PolicyRef) String() string {
	p := r.Path
	if p == "" {
		p = "/"
	}
	return p + r.Name
}

// Boundary is a permissions boundary: a customer managed policy, or an
// AWS managed policy by ARN.
type Boundary struct {
	CustomerManagedPolicy *PolicyRef `json:"customerManagedPolicy,omitempty"`
	ManagedPolicyArn      string     `json:"managedPolicyArn,omitempty"`
}

// String names the boundary's policy.
func (b Boundary) String() string {
	if b.CustomerManagedPolicy != nil {
		return b.CustomerManagedPolicy.String()
	}
	return b.ManagedPolicyArn
}

// Tag is a permission set's tag.
type Tag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// SortTags orders tags by key.
func SortTags(t []Tag) { sort.Slice(t, func(i, j int) bool { return t[i].Key < t[j].Key }) }

// ProvisionTarget is where a provision change provisions a permission set:
// every account it is provisioned to (AccountId "": AWS's
// ALL_PROVISIONED_ACCOUNTS), or one account.
type ProvisionTarget struct {
	AccountId   string `json:"accountId,omitempty"`
	AccountName string `json:"accountName,omitempty"`
	// Accounts is how many accounts that is, as read when planned.
	Accounts int `json:"accounts,omitempty"`
}

// String names the target: "all 12 accounts it is provisioned to" or an account.
func (t *ProvisionTarget) String() string {
	if t == nil || t.AccountId == "" {
		if t != nil && t.Accounts > 0 {
			return plural(t.Accounts, "account") + " it is provisioned to"
		}
		return "the accounts it is provisioned to"
	}
	if t.AccountName != "" {
		return t.AccountName + " (" + t.AccountId + ")"
	}
	return t.AccountId
}

// GroupWrite is what a group change writes: a create's or update's
// description (nil: none, or unchanged).
type GroupWrite struct {
	Description *string `json:"description,omitempty"`
}

// Member is the user of a membership change.
type Member struct {
	UserId   string `json:"userId"`
	UserName string `json:"userName,omitempty"`
	// MembershipId is the membership a delete removes (found by
	// GetGroupMembershipId when empty).
	MembershipId string `json:"membershipId,omitempty"`
}

// String names the user.
func (m *Member) String() string {
	if m == nil {
		return "user"
	}
	if m.UserName != "" {
		return "user " + m.UserName
	}
	return "user " + m.UserId
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}
