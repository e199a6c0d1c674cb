package activity

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/ssoctl/ssoctl/internal/audit"
	"github.com/ssoctl/ssoctl/internal/inventory"
)

// Fact kinds: what an event did to access, as a diff explains its rows.
const (
	Assign      = "assign"       // an assignment created: rows of (account, permission set, principal) gained
	Unassign    = "unassign"     // an assignment deleted: those rows lost
	Join        = "join"         // a user added to a group: the user's rows through the group gained
	Leave       = "leave"        // a user removed from a group: those rows lost
	DeleteUser  = "delete-user"  // a user deleted: every row naming the user lost
	DeleteGroup = "delete-group" // a group deleted: its members' rows lost
)

// Fact is what one event did to access, kept so that `history diff` can
// say who made each change and when without reading CloudTrail again.
type Fact struct {
	EventID string    `json:"eventId"`
	Time    time.Time `json:"eventTime"`
	Name    string    `json:"eventName"`
	Actor   string    `json:"actor"`
	Kind    string    `json:"kind"`
	// What it touched: an assignment's account, permission set and
	// principal; a membership's group and user; a deleted user or group.
	AccountId        string `json:"accountId,omitempty"`
	PermissionSetArn string `json:"permissionSetArn,omitempty"`
	PrincipalType    string `json:"principalType,omitempty"`
	PrincipalId      string `json:"principalId,omitempty"`
	GroupId          string `json:"groupId,omitempty"`
	UserId           string `json:"userId,omitempty"`
}

// Known is what placing events needs of the audit they follow.
type Known struct {
	Instance inventory.Instance
	// Directory is the base audit's: the members of its assigned groups
	// (DeleteGroupMembership names only the membership's id, and a
	// deleted user leaves every group it was in).
	Directory *audit.Directory
	// Placed are the events the base audit placed already (its window
	// and this one overlap): their effect is in the base.
	Placed map[string]bool
}

// Plan is what the events since a base audit mean for an incremental one.
type Plan struct {
	// Full is set when an event cannot be placed: the audit is made in
	// full; Reasons says which events and why.
	Full bool
	// Changes is what to list again (when not Full).
	Changes audit.Changes
	// Reasons say where the listing was widened beyond what the events
	// name, or why a full audit is needed.
	Reasons []string
	// Facts are the changes to access the events made, oldest first.
	Facts []Fact
	// Placed counts the events that changed what the audit lists, by
	// name; Ignored those that change nothing it shows (reads, failed
	// calls, other instances, other services, settings).
	Placed  map[string]int
	Ignored int
	// Repeated counts the events the base placed already; PlacedIDs are
	// the ids of the events placed now.
	Repeated  int
	PlacedIDs []string
}

// PlacedTotal is how many events were placed.
func (p *Plan) PlacedTotal() int {
	n := 0
	for _, v := range p.Placed {
		n += v
	}
	return n
}

// PlacedSummary is "2 CreateAccountAssignment, 1 DeleteUser", by name.
func (p *Plan) PlacedSummary() string {
	names := make([]string, 0, len(p.Placed))
	for k := range p.Placed {
		names = append(names, k)
	}
	sort.Strings(names)
	parts := make([]string, len(names))
	for i, k := range names {
		parts[i] = fmt.Sprintf("%d %s", p.Placed[k], k)
	}
	return strings.Join(parts, ", ")
}

// Operations ssoctl knows to change nothing an audit shows: sso-admin's
// applications, trusted token issuers, attribute-based access settings,
// tags, instances other than the one audited and Region replication
// (permission sets and assignments stay in the primary Region);
// Organizations' policies, OUs, tags and service settings; account
// contacts and Regions. Names are the APIs' (botocore's models).
var noEffect = map[string]map[string]bool{
	SourceSSO: set("TagResource", "UntagResource",
		"CreateApplication", "UpdateApplication", "DeleteApplication", "CreateApplicationAssignment", "DeleteApplicationAssignment",
		"PutApplicationAccessScope", "DeleteApplicationAccessScope", "PutApplicationAssignmentConfiguration",
		"PutApplicationAuthenticationMethod", "DeleteApplicationAuthenticationMethod", "PutApplicationGrant", "DeleteApplicationGrant",
		"PutApplicationSessionConfiguration", "CreateTrustedTokenIssuer", "UpdateTrustedTokenIssuer", "DeleteTrustedTokenIssuer",
		"CreateInstanceAccessControlAttributeConfiguration", "UpdateInstanceAccessControlAttributeConfiguration",
		"DeleteInstanceAccessControlAttributeConfiguration", "CreateInstance", "UpdateInstance", "AddRegion", "RemoveRegion"),
	SourceOrganizations: set("AttachPolicy", "DetachPolicy", "CreatePolicy", "UpdatePolicy", "DeletePolicy", "EnablePolicyType", "DisablePolicyType",
		"TagResource", "UntagResource",
		"RegisterDelegatedAdministrator", "DeregisterDelegatedAdministrator", "EnableAWSServiceAccess", "DisableAWSServiceAccess",
		"PutResourcePolicy", "DeleteResourcePolicy", "CancelHandshake", "DeclineHandshake", "EnableAllFeatures",
		"InviteOrganizationToTransferResponsibility", "TerminateResponsibilityTransfer", "UpdateResponsibilityTransfer"),
	SourceAccount: set("AcceptPrimaryEmailUpdate", "DeleteAlternateContact", "DisableRegion", "EnableRegion", "PutAlternateContact",
		"PutContactInformation", "StartPrimaryEmailUpdate"),
}

// permissionSetChanges change a permission set's content (or create,
// delete or provision it): where it is provisioned, and whether with its
// latest version, is read again.
var permissionSetChanges = set("CreatePermissionSet", "UpdatePermissionSet", "DeletePermissionSet", "ProvisionPermissionSet",
	"PutInlinePolicyToPermissionSet", "DeleteInlinePolicyFromPermissionSet",
	"AttachManagedPolicyToPermissionSet", "DetachManagedPolicyFromPermissionSet",
	"AttachCustomerManagedPolicyReferenceToPermissionSet", "DetachCustomerManagedPolicyReferenceFromPermissionSet",
	"PutPermissionsBoundaryToPermissionSet", "DeletePermissionsBoundaryFromPermissionSet")

// directoryNoEffect are console (sso-directory) operations on sign-in
// factors and provisioning set-up, which change no user, group or
// membership: their names contain one of these.
var directoryNoEffect = []string{"Mfa", "WebAuthn", "Password", "BearerToken", "Alias", "ExternalIdP", "ProvisioningTenant"}

func set(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// placer carries one Place call.
type placer struct {
	k    Known
	p    *Plan
	ch   *audit.Changes
	memb map[string][2]string // membership id -> group, user
	// joined are the groups each user joined within the window (a user
	// deleted afterwards leaves them too).
	joined map[string][]string
	// widened remembers the scopes already widened, so each is said once.
	widened map[string]bool
}

// Place reads events (oldest first, as Sort leaves them) since a base
// audit and says what an incremental audit must list again: the pairs,
// groups, users, accounts and permission sets they name; a whole scope
// (every account; the identity store) when an event of that scope cannot
// be placed more narrowly; a full audit when an event could change
// anything (an sso-admin operation ssoctl does not know). Reads, failed
// calls and events of other instances, other identity stores and other
// services change nothing the audit shows and are ignored.
func Place(events []Event, k Known) Plan {
	p := Plan{Placed: map[string]int{}}
	pl := &placer{k: k, p: &p, ch: &p.Changes, memb: map[string][2]string{}, joined: map[string][]string{}, widened: map[string]bool{}}
	if k.Directory != nil {
		for _, g := range k.Directory.AssignedGroups {
			for _, m := range g.Members {
				if m.MembershipId != "" {
					pl.memb[m.MembershipId] = [2]string{g.Id, m.UserId}
				}
			}
		}
	}
	for _, e := range events {
		pl.place(e)
	}
	return p
}

// Sort puts events in time order, oldest first (LookupEvents answers
// newest first; events of the same second keep their reverse order).
func Sort(events []Event) {
	slices.Reverse(events)
	slices.SortStableFunc(events, func(a, b Event) int { return a.Time.Compare(b.Time) })
}

func (pl *placer) place(e Event) {
	if pl.k.Placed[e.ID] {
		pl.p.Repeated++
		return
	}
	if e.ErrorCode != "" || e.ReadOnly {
		pl.p.Ignored++
		return
	}
	if inst := str(e.Params, "instanceArn"); inst != "" && inst != pl.k.Instance.Arn {
		pl.p.Ignored++
		return
	}
	if store := str(e.Params, "identityStoreId"); store != "" && store != pl.k.Instance.IdentityStoreId {
		pl.p.Ignored++
		return
	}
	switch e.Source {
	case SourceSSO:
		pl.sso(e)
	case SourceIdentityStore:
		pl.identity(e, false)
	case SourceDirectory:
		pl.directory(e)
	case SourceSCIM:
		pl.widenIdentityStore(e, "a SCIM request names users and groups only in its path and hides their values")
	case SourceOrganizations:
		pl.organizations(e)
	case SourceAccount:
		pl.account(e)
	default:
		pl.p.Ignored++
	}
}

func (pl *placer) placed(e Event) {
	pl.p.Placed[e.Name]++
	pl.p.PlacedIDs = append(pl.p.PlacedIDs, e.ID)
}

func (pl *placer) fact(e Event, f Fact) {
	f.EventID, f.Time, f.Name, f.Actor = e.ID, e.Time, e.Name, e.Actor.String()
	pl.p.Facts = append(pl.p.Facts, f)
}

func when(e Event) string { return e.Time.UTC().Format(time.RFC3339) }

// full gives up on placing: the audit is made in full.
func (pl *placer) full(e Event, why string) {
	pl.p.Full = true
	pl.p.Reasons = append(pl.p.Reasons, fmt.Sprintf("%s (%s) at %s: %s: a full audit", e.Name, e.Source, when(e), why))
}

func (pl *placer) widenIdentityStore(e Event, why string) {
	pl.ch.IdentityStore = true
	pl.placed(e)
	if key := "ids|" + e.Source + "|" + e.Name; !pl.widened[key] {
		pl.widened[key] = true
		pl.p.Reasons = append(pl.p.Reasons, fmt.Sprintf("%s (%s) at %s: %s: every user and group, and the members of every assigned group, are listed again", e.Name, e.Source, when(e), why))
	}
}

func (pl *placer) widenAccounts(e Event, why string) {
	pl.ch.Accounts = true
	pl.placed(e)
	if key := "acct|" + e.Source + "|" + e.Name; !pl.widened[key] {
		pl.widened[key] = true
		pl.p.Reasons = append(pl.p.Reasons, fmt.Sprintf("%s (%s) at %s: %s: every account is listed again", e.Name, e.Source, when(e), why))
	}
}

func (pl *placer) sso(e Event) {
	switch {
	case e.Name == "CreateAccountAssignment" || e.Name == "DeleteAccountAssignment":
		acct, ps := str(e.Params, "targetId"), str(e.Params, "permissionSetArn")
		ptype, pid := str(e.Params, "principalType"), str(e.Params, "principalId")
		if tt := str(e.Params, "targetType"); acct == "" || ps == "" || ptype == "" || pid == "" || (tt != "" && tt != "AWS_ACCOUNT") {
			pl.full(e, "its request does not name one account, permission set and principal")
			return
		}
		pl.placed(e)
		pl.ch.Pairs = append(pl.ch.Pairs, audit.Pair{AccountId: acct, PermissionSetArn: ps})
		pl.ch.ProvisionedTo = append(pl.ch.ProvisionedTo, acct)
		kind := Assign
		if e.Name == "DeleteAccountAssignment" {
			kind = Unassign
		}
		pl.fact(e, Fact{Kind: kind, AccountId: acct, PermissionSetArn: ps, PrincipalType: ptype, PrincipalId: pid})
	case permissionSetChanges[e.Name]:
		ps := str(e.Params, "permissionSetArn")
		if ps == "" {
			ps = str(e.Response, "permissionSet", "permissionSetArn") // CreatePermissionSet
		}
		if ps == "" {
			pl.full(e, "its record names no permission set")
			return
		}
		pl.placed(e)
		pl.ch.PermissionSets = append(pl.ch.PermissionSets, ps)
	case noEffect[SourceSSO][e.Name]:
		pl.p.Ignored++
	case e.Actor.Type == "IdentityCenterUser" || e.Type == "AwsServiceEvent":
		// The portal and sign-in: a person using access, not changing it.
		pl.p.Ignored++
	default:
		pl.full(e, "ssoctl does not know this IAM Identity Center operation, so it cannot tell what it changed")
	}
}

// identity places an Identity Store API event, or a console
// (sso-directory) event of the same name and shape when console is set.
func (pl *placer) identity(e Event, console bool) {
	widen := func(why string) { pl.widenIdentityStore(e, why) }
	user, group := str(e.Params, "userId"), str(e.Params, "groupId")
	switch e.Name {
	case "CreateUser":
		pl.placed(e)
		pl.ch.UserDelta++
	case "CreateGroup":
		pl.placed(e)
		pl.ch.GroupDelta++
	case "UpdateUser", "EnableUser", "DisableUser", "UpdateUserName":
		if user == "" {
			widen("its request names no user")
			return
		}
		pl.placed(e)
		pl.ch.Users = append(pl.ch.Users, user)
	case "DeleteUser":
		if user == "" {
			widen("its request names no user")
			return
		}
		pl.placed(e)
		pl.ch.Users = append(pl.ch.Users, user)
		pl.ch.UserDelta--
		// The user leaves every group it was in.
		if pl.k.Directory != nil {
			pl.ch.MembersOf = append(pl.ch.MembersOf, pl.k.Directory.MemberOf(user)...)
		}
		pl.ch.MembersOf = append(pl.ch.MembersOf, pl.joined[user]...)
		pl.fact(e, Fact{Kind: DeleteUser, UserId: user})
	case "UpdateGroup", "UpdateGroupDisplayName":
		if group == "" {
			widen("its request names no group")
			return
		}
		pl.placed(e)
		pl.ch.Groups = append(pl.ch.Groups, group)
	case "DeleteGroup":
		if group == "" {
			widen("its request names no group")
			return
		}
		pl.placed(e)
		pl.ch.Groups = append(pl.ch.Groups, group)
		pl.ch.GroupDelta--
		pl.fact(e, Fact{Kind: DeleteGroup, GroupId: group, PrincipalType: "GROUP", PrincipalId: group})
	case "CreateGroupMembership", "AddMemberToGroup", "RemoveMemberFromGroup":
		// CreateGroupMembership: memberId.userId (the Identity Store API);
		// the console's: member.memberId.
		member := str(e.Params, "memberId", "userId")
		if console {
			member = str(e.Params, "member", "memberId")
		}
		if group == "" || member == "" {
			widen("its request does not name the group and the user")
			return
		}
		pl.placed(e)
		pl.ch.MembersOf = append(pl.ch.MembersOf, group)
		kind := Join
		if e.Name == "RemoveMemberFromGroup" {
			kind = Leave
		} else {
			pl.joined[member] = append(pl.joined[member], group)
			if id := str(e.Response, "membershipId"); id != "" {
				pl.memb[id] = [2]string{group, member}
			}
		}
		pl.fact(e, Fact{Kind: kind, GroupId: group, UserId: member, PrincipalType: "GROUP", PrincipalId: group})
	case "DeleteGroupMembership":
		id := str(e.Params, "membershipId")
		gu, ok := pl.memb[id]
		pl.placed(e)
		if !ok {
			// Not a membership of an assigned group when the base was
			// taken, nor one made since: which group it was is unknown.
			pl.ch.Members = true
			if !pl.widened["members"] {
				pl.widened["members"] = true
				pl.p.Reasons = append(pl.p.Reasons, fmt.Sprintf("%s (%s) at %s: membership %s is not one the base audit or the events since name: the members of every assigned group are listed again", e.Name, e.Source, when(e), id))
			}
			return
		}
		pl.ch.MembersOf = append(pl.ch.MembersOf, gu[0])
		pl.fact(e, Fact{Kind: Leave, GroupId: gu[0], UserId: gu[1], PrincipalType: "GROUP", PrincipalId: gu[0]})
	default:
		widen("ssoctl does not know this identity-store operation")
	}
}

// directory places a console event (sso-directory.amazonaws.com): the
// users, groups and memberships an administrator changed in the console.
func (pl *placer) directory(e Event) {
	for _, s := range directoryNoEffect {
		if strings.Contains(e.Name, s) {
			pl.p.Ignored++
			return
		}
	}
	pl.identity(e, true)
}

func (pl *placer) organizations(e Event) {
	switch e.Name {
	case "CloseAccount", "RemoveAccountFromOrganization":
		acct := str(e.Params, "accountId")
		if acct == "" {
			pl.widenAccounts(e, "its request names no account")
			return
		}
		pl.placed(e)
		pl.ch.AccountIds = append(pl.ch.AccountIds, acct)
	case "CreateAccount", "CreateGovCloudAccount", "InviteAccountToOrganization", "AcceptHandshake", "LeaveOrganization",
		"CreateOrganizationalUnit", "UpdateOrganizationalUnit", "DeleteOrganizationalUnit", "MoveAccount":
		// The access review places every account in the OU tree, which
		// only a full audit walks.
		pl.full(e, "the organization's accounts or OU tree changed, which the access review reads")
	case "CreateOrganization", "DeleteOrganization":
		pl.full(e, "the organization itself changed")
	default:
		if noEffect[SourceOrganizations][e.Name] {
			pl.p.Ignored++
			return
		}
		pl.widenAccounts(e, "ssoctl does not know this Organizations operation")
	}
}

func (pl *placer) account(e Event) {
	switch {
	case e.Name == "PutAccountName":
		acct := str(e.Params, "accountId")
		if acct == "" {
			acct = e.Account // without AccountId it names the caller's own account
		}
		pl.placed(e)
		pl.ch.AccountIds = append(pl.ch.AccountIds, acct)
	case noEffect[SourceAccount][e.Name]:
		pl.p.Ignored++
	default:
		pl.widenAccounts(e, "ssoctl does not know this account-management operation")
	}
}
