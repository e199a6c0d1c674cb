package emulator

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
)

// State is the whole emulated world in the form `--state` loads and
// GET /_sandbox/state dumps. The server keeps it in indexed form (store);
// State is only the interchange format.
type State struct {
	Region         string          `json:"region"`
	Organization   Organization    `json:"organization"`
	Roots          []OrgUnit       `json:"roots"`
	OUs            []OrgUnit       `json:"organizationalUnits"`
	Accounts       []Account       `json:"accounts"`
	Instances      []Instance      `json:"instances"`
	PermissionSets []PermissionSet `json:"permissionSets"`
	// Provisioned lists (permission set, account) pairs. Outdated is set when
	// the permission set changed after it was last provisioned there.
	Provisioned []Provision  `json:"provisioned"`
	Assignments []Assignment `json:"assignments"`
	Users       []User       `json:"users"`
	Groups      []Group      `json:"groups"`
	Memberships []Membership `json:"memberships"`
	IAMUsers    []IAMUser    `json:"iamUsers"`
	// IAMGroups are the accounts' IAM groups; a group a user is in but
	// not listed here exists all the same.
	IAMGroups []IAMGroup `json:"iamGroups,omitempty"`
	// IAMVirtualMFADevices are the virtual MFA devices enabled for nobody;
	// those enabled for a user are in the user's MFADevices.
	IAMVirtualMFADevices []VirtualMFADevice `json:"iamVirtualMFADevices,omitempty"`
	// IAMRoles are the accounts' IAM roles that sts AssumeRole can assume,
	// each with its trust policy. Absent (null), every member account has
	// the demo organizations' roles (DemoRoles); [] means no role at all.
	IAMRoles []IAMRole `json:"iamRoles"`
	// IAMPolicies are the accounts' customer managed IAM policies, which
	// permission sets reference by name and path. Absent (null), every
	// member account has the demo organizations' policies (DemoPolicies);
	// [] means none at all.
	IAMPolicies []IAMPolicy `json:"iamPolicies"`
	Buckets     []Bucket    `json:"buckets,omitempty"`
	// SES holds each account's SES settings; an account without any is a
	// new one: in the SES sandbox, with no verified identity.
	SES []SESAccount `json:"ses,omitempty"`
	// ScheduleGroups and Schedules are EventBridge Scheduler's; every
	// account also has the default group, which is not listed.
	ScheduleGroups []ScheduleGroup `json:"scheduleGroups,omitempty"`
	Schedules      []Schedule      `json:"schedules,omitempty"`
}

// Organization is the AWS Organizations organization.
type Organization struct {
	Id                 string `json:"id"`
	Arn                string `json:"arn"`
	FeatureSet         string `json:"featureSet"`
	MasterAccountId    string `json:"masterAccountId"`
	MasterAccountEmail string `json:"masterAccountEmail"`
}

// OrgUnit is a root or an organizational unit.
type OrgUnit struct {
	Id       string `json:"id"`
	Arn      string `json:"arn"`
	Name     string `json:"name"`
	ParentId string `json:"parentId,omitempty"`
}

// Account is a member account of the organization.
type Account struct {
	Id    string `json:"id"`
	Arn   string `json:"arn"`
	Name  string `json:"name"`
	Email string `json:"email"`
	// State is the account's Organizations state: ACTIVE, SUSPENDED,
	// PENDING_CLOSURE, PENDING_ACTIVATION or CLOSED. The sandbox answers
	// it as State only: AWS retired the account's Status on 2026-09-09.
	State string `json:"state"`
	// LegacyStatus is "status", the name of State in state files written
	// before; it is read as State and never written.
	LegacyStatus string    `json:"status,omitempty"`
	JoinedMethod string    `json:"joinedMethod"`
	Joined       time.Time `json:"joinedTimestamp"`
	ParentId     string    `json:"parentId"`
}

// Instance is an IAM Identity Center instance and its identity store. Its
// primary Region is the sandbox's Region (State.Region).
type Instance struct {
	InstanceArn     string    `json:"instanceArn"`
	IdentityStoreId string    `json:"identityStoreId"`
	OwnerAccountId  string    `json:"ownerAccountId"`
	Name            string    `json:"name,omitempty"`
	Created         time.Time `json:"createdDate"`
	// AdditionalRegions are the Regions the instance is replicated to
	// (multi-Region replication): sign-in, identity-store reads and
	// instance reads work there; permission-set and assignment calls and
	// identity-store writes only in the primary Region.
	AdditionalRegions []InstanceRegion `json:"additionalRegions,omitempty"`
}

// InstanceRegion is an additional Region of an instance.
type InstanceRegion struct {
	Name  string    `json:"name"`
	Added time.Time `json:"addedDate"`
}

// PermissionSet is a permission set with every policy attached to it.
type PermissionSet struct {
	InstanceArn             string               `json:"instanceArn"`
	Arn                     string               `json:"permissionSetArn"`
	Name                    string               `json:"name"`
	Description             string               `json:"description,omitempty"`
	SessionDuration         string               `json:"sessionDuration,omitempty"`
	RelayState              string               `json:"relayState,omitempty"`
	Created                 time.Time            `json:"createdDate"`
	ManagedPolicies         []ManagedPolicy      `json:"managedPolicies,omitempty"`
	CustomerManagedPolicies []CustomerPolicyRef  `json:"customerManagedPolicies,omitempty"`
	InlinePolicy            string               `json:"inlinePolicy,omitempty"`
	PermissionsBoundary     *PermissionsBoundary `json:"permissionsBoundary,omitempty"`
	Tags                    []Tag                `json:"tags,omitempty"`
}

// ManagedPolicy is an AWS managed policy attached to a permission set.
type ManagedPolicy struct {
	Name string `json:"Name"`
	Arn  string `json:"Arn"`
}

// CustomerPolicyRef names a customer managed policy by name and path.
type CustomerPolicyRef struct {
	Name string `json:"Name"`
	Path string `json:"Path,omitempty"`
}

// PermissionsBoundary is either a customer managed policy reference or an
// AWS managed policy ARN.
type PermissionsBoundary struct {
	CustomerManagedPolicyReference *CustomerPolicyRef `json:"CustomerManagedPolicyReference,omitempty"`
	ManagedPolicyArn               string             `json:"ManagedPolicyArn,omitempty"`
}

// Tag is a key/value tag.
type Tag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

// Provision records that a permission set is provisioned to an account.
type Provision struct {
	PermissionSetArn string `json:"permissionSetArn"`
	AccountId        string `json:"accountId"`
	Outdated         bool   `json:"outdated,omitempty"`
}

// Assignment is an account assignment.
type Assignment struct {
	InstanceArn      string `json:"instanceArn"`
	AccountId        string `json:"accountId"`
	PermissionSetArn string `json:"permissionSetArn"`
	PrincipalType    string `json:"principalType"` // USER | GROUP
	PrincipalId      string `json:"principalId"`
}

// User is an identity-store user.
type User struct {
	IdentityStoreId string       `json:"identityStoreId"`
	UserId          string       `json:"userId"`
	UserName        string       `json:"userName"`
	DisplayName     string       `json:"displayName,omitempty"`
	Name            *UserName    `json:"name,omitempty"`
	Emails          []Email      `json:"emails,omitempty"`
	Title           string       `json:"title,omitempty"`
	UserType        string       `json:"userType,omitempty"`
	NickName        string       `json:"nickName,omitempty"`
	Locale          string       `json:"locale,omitempty"`
	Timezone        string       `json:"timezone,omitempty"`
	UserStatus      string       `json:"userStatus"` // ENABLED | DISABLED
	ExternalIds     []ExternalId `json:"externalIds,omitempty"`
	Created         time.Time    `json:"createdAt"`
	Updated         time.Time    `json:"updatedAt"`
	// CreatedBy and UpdatedBy are the ARN of whoever made the last change.
	CreatedBy string `json:"createdBy,omitempty"`
	UpdatedBy string `json:"updatedBy,omitempty"`
}

// UserName is a user's structured name.
type UserName struct {
	Formatted       string `json:"Formatted,omitempty"`
	FamilyName      string `json:"FamilyName,omitempty"`
	GivenName       string `json:"GivenName,omitempty"`
	MiddleName      string `json:"MiddleName,omitempty"`
	HonorificPrefix string `json:"HonorificPrefix,omitempty"`
	HonorificSuffix string `json:"HonorificSuffix,omitempty"`
}

// Email is one of a user's e-mail addresses.
type Email struct {
	Value   string `json:"Value,omitempty"`
	Type    string `json:"Type,omitempty"`
	Primary bool   `json:"Primary,omitempty"`
}

// ExternalId links an identity to an external identity provider.
type ExternalId struct {
	Issuer string `json:"Issuer"`
	Id     string `json:"Id"`
}

// Group is an identity-store group.
type Group struct {
	IdentityStoreId string       `json:"identityStoreId"`
	GroupId         string       `json:"groupId"`
	DisplayName     string       `json:"displayName"`
	Description     string       `json:"description,omitempty"`
	ExternalIds     []ExternalId `json:"externalIds,omitempty"`
	Created         time.Time    `json:"createdAt"`
	Updated         time.Time    `json:"updatedAt,omitzero"`
	CreatedBy       string       `json:"createdBy,omitempty"`
	UpdatedBy       string       `json:"updatedBy,omitempty"`
}

// Membership puts a user in a group.
type Membership struct {
	IdentityStoreId string    `json:"identityStoreId"`
	MembershipId    string    `json:"membershipId"`
	GroupId         string    `json:"groupId"`
	UserId          string    `json:"userId"`
	Created         time.Time `json:"createdAt,omitzero"`
	Updated         time.Time `json:"updatedAt,omitzero"`
	CreatedBy       string    `json:"createdBy,omitempty"`
	UpdatedBy       string    `json:"updatedBy,omitempty"`
}

// IAMUser is a legacy IAM user in one account, with everything that must go
// before it can be deleted.
type IAMUser struct {
	AccountId        string        `json:"accountId"`
	UserName         string        `json:"userName"`
	UserId           string        `json:"userId"`
	Path             string        `json:"path"`
	Created          time.Time     `json:"createDate"`
	PasswordLastUsed *time.Time    `json:"passwordLastUsed,omitempty"`
	LoginProfile     *LoginProfile `json:"loginProfile,omitempty"`
	AccessKeys       []AccessKey   `json:"accessKeys,omitempty"`
	MFADevices       []MFADevice   `json:"mfaDevices,omitempty"`
	Groups           []string      `json:"groups,omitempty"`
	InlinePolicies   []string      `json:"inlinePolicies,omitempty"`
	// InlineDocuments holds the documents of inline policies put through
	// the API, by name; one without a document reads as a deny-all.
	InlineDocuments     map[string]string `json:"inlinePolicyDocuments,omitempty"`
	AttachedPolicies    []ManagedPolicy   `json:"attachedPolicies,omitempty"`
	SigningCertificates []IAMCredential   `json:"signingCertificates,omitempty"`
	SSHPublicKeys       []IAMCredential   `json:"sshPublicKeys,omitempty"`
	ServiceCredentials  []IAMCredential   `json:"serviceSpecificCredentials,omitempty"`
	Tags                []Tag             `json:"tags,omitempty"`
}

// IAMGroup is an IAM group in one account.
type IAMGroup struct {
	AccountId string    `json:"accountId"`
	GroupName string    `json:"groupName"`
	GroupId   string    `json:"groupId"`
	Path      string    `json:"path"`
	Created   time.Time `json:"createDate"`
}

// IAMRole is an IAM role in one account.
type IAMRole struct {
	AccountId string `json:"accountId"`
	RoleName  string `json:"roleName"`
	RoleId    string `json:"roleId"`
	Path      string `json:"path"`
	// TrustPolicy is the role's trust policy (AssumeRolePolicyDocument), a
	// JSON policy document.
	TrustPolicy string `json:"assumeRolePolicyDocument"`
	// MaxSessionDuration is in seconds; 0 means IAM's default, 3600.
	MaxSessionDuration int       `json:"maxSessionDuration,omitempty"`
	Created            time.Time `json:"createDate"`
}

// IAMPolicy is a customer managed IAM policy in one account.
type IAMPolicy struct {
	AccountId  string `json:"accountId"`
	PolicyName string `json:"policyName"`
	PolicyId   string `json:"policyId"`
	// Path is the policy's path, "/" or "/a/b/".
	Path     string    `json:"path"`
	Document string    `json:"document"`
	Created  time.Time `json:"createDate"`
}

// Arn is the policy's ARN: arn:aws:iam::<account>:policy<path><name>.
func (p IAMPolicy) Arn() string {
	return "arn:aws:iam::" + p.AccountId + ":policy" + p.Path + p.PolicyName
}

// VirtualMFADevice is a virtual MFA device of one account that is not
// enabled for any user.
type VirtualMFADevice struct {
	AccountId    string `json:"accountId"`
	SerialNumber string `json:"serialNumber"`
}

// LoginProfile is an IAM user's console password (its existence, not the password).
type LoginProfile struct {
	Created               time.Time `json:"createDate"`
	PasswordResetRequired bool      `json:"passwordResetRequired,omitempty"`
}

// AccessKey is an IAM access key (the id only; the sandbox keeps no secret).
type AccessKey struct {
	AccessKeyId string       `json:"accessKeyId"`
	Status      string       `json:"status"` // Active | Inactive
	Created     time.Time    `json:"createDate"`
	LastUsed    *KeyLastUsed `json:"lastUsed,omitempty"`
}

// KeyLastUsed is what GetAccessKeyLastUsed reports.
type KeyLastUsed struct {
	Date        time.Time `json:"date"`
	ServiceName string    `json:"serviceName"`
	Region      string    `json:"region"`
}

// MFADevice is an MFA device enabled for an IAM user.
type MFADevice struct {
	SerialNumber string    `json:"serialNumber"`
	EnableDate   time.Time `json:"enableDate"`
}

// IAMCredential is a signing certificate, SSH public key or service-specific
// credential: an id, a status and when it was made.
type IAMCredential struct {
	Id          string    `json:"id"`
	Status      string    `json:"status"`
	Created     time.Time `json:"created"`
	ServiceName string    `json:"serviceName,omitempty"`
	// Body is an uploaded certificate or SSH public key, when the API
	// uploaded one.
	Body string `json:"body,omitempty"`
}

// SESAccount is one account's SES settings.
type SESAccount struct {
	AccountId string `json:"accountId"`
	// ProductionAccess is true once the account left the SES sandbox, where
	// recipients must be verified identities too.
	ProductionAccess bool            `json:"productionAccess"`
	Identities       []EmailIdentity `json:"identities,omitempty"`
}

// EmailIdentity is an SES identity: a domain or an e-mail address.
type EmailIdentity struct {
	Name     string `json:"name"`
	Type     string `json:"type"` // DOMAIN | EMAIL_ADDRESS
	Verified bool   `json:"verified"`
}

// Bucket is an S3 bucket in one account.
type Bucket struct {
	AccountId string    `json:"accountId"`
	Name      string    `json:"name"`
	Created   time.Time `json:"creationDate"`
}

// LoadState reads a state document and checks it (State.Check); what is
// wrong in it is a *StateError.
func LoadState(r io.Reader) (*State, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var s State
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("decode sandbox state: %w", err)
	}
	for i := range s.Accounts {
		a := &s.Accounts[i]
		if a.LegacyStatus == "" {
			continue
		}
		if a.State != "" && a.State != a.LegacyStatus {
			return nil, &StateError{Path: fmt.Sprintf("accounts[%d].status", i),
				Msg: fmt.Sprintf("%q disagrees with state %q (status is the old name of state; give one)", a.LegacyStatus, a.State)}
		}
		a.State, a.LegacyStatus = a.LegacyStatus, ""
	}
	if err := s.Check(); err != nil {
		return nil, err
	}
	return &s, nil
}

func lower(s string) string { return strings.ToLower(s) }
