// Package legacyiam retires legacy IAM users: it reads what one user still
// has (password, access keys and their last use, certificates, SSH keys,
// service credentials, MFA devices, policies, groups) and turns IAM's
// deletion checklist into steps, run in the order DeleteUser needs:
//
//  1. login profile   2. access keys   3. signing certificates
//  4. SSH public keys 5. service-specific credentials
//  6. MFA devices (deactivated; virtual ones deleted)
//  7. inline policies 8. attached policies 9. group memberships
//  10. the user.
//
// Before that, the stage the migration e-mail announces: DeactivateSteps
// sets every active access key Inactive (reversible) and optionally deletes
// the console password; User.Stage says where a user stands. It is the one
// reader of IAM users: the audit finds a person's legacy user with Match and
// reads it with Status; offboarding and migration read it whole with
// Inspect.
//
// Something already gone (NoSuchEntity) counts as done, so a run that was
// interrupted can be run again. The package never prints.
package legacyiam

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/smithy-go"

	"github.com/ssoctl/ssoctl/internal/awsclient"
)

// IAM is what the checklist calls, with the SDK's own signatures.
type IAM interface {
	GetUser(context.Context, *iam.GetUserInput, ...func(*iam.Options)) (*iam.GetUserOutput, error)
	GetLoginProfile(context.Context, *iam.GetLoginProfileInput, ...func(*iam.Options)) (*iam.GetLoginProfileOutput, error)
	DeleteLoginProfile(context.Context, *iam.DeleteLoginProfileInput, ...func(*iam.Options)) (*iam.DeleteLoginProfileOutput, error)
	ListAccessKeys(context.Context, *iam.ListAccessKeysInput, ...func(*iam.Options)) (*iam.ListAccessKeysOutput, error)
	GetAccessKeyLastUsed(context.Context, *iam.GetAccessKeyLastUsedInput, ...func(*iam.Options)) (*iam.GetAccessKeyLastUsedOutput, error)
	DeleteAccessKey(context.Context, *iam.DeleteAccessKeyInput, ...func(*iam.Options)) (*iam.DeleteAccessKeyOutput, error)
	UpdateAccessKey(context.Context, *iam.UpdateAccessKeyInput, ...func(*iam.Options)) (*iam.UpdateAccessKeyOutput, error)
	ListSigningCertificates(context.Context, *iam.ListSigningCertificatesInput, ...func(*iam.Options)) (*iam.ListSigningCertificatesOutput, error)
	DeleteSigningCertificate(context.Context, *iam.DeleteSigningCertificateInput, ...func(*iam.Options)) (*iam.DeleteSigningCertificateOutput, error)
	ListSSHPublicKeys(context.Context, *iam.ListSSHPublicKeysInput, ...func(*iam.Options)) (*iam.ListSSHPublicKeysOutput, error)
	DeleteSSHPublicKey(context.Context, *iam.DeleteSSHPublicKeyInput, ...func(*iam.Options)) (*iam.DeleteSSHPublicKeyOutput, error)
	ListServiceSpecificCredentials(context.Context, *iam.ListServiceSpecificCredentialsInput, ...func(*iam.Options)) (*iam.ListServiceSpecificCredentialsOutput, error)
	DeleteServiceSpecificCredential(context.Context, *iam.DeleteServiceSpecificCredentialInput, ...func(*iam.Options)) (*iam.DeleteServiceSpecificCredentialOutput, error)
	ListMFADevices(context.Context, *iam.ListMFADevicesInput, ...func(*iam.Options)) (*iam.ListMFADevicesOutput, error)
	DeactivateMFADevice(context.Context, *iam.DeactivateMFADeviceInput, ...func(*iam.Options)) (*iam.DeactivateMFADeviceOutput, error)
	DeleteVirtualMFADevice(context.Context, *iam.DeleteVirtualMFADeviceInput, ...func(*iam.Options)) (*iam.DeleteVirtualMFADeviceOutput, error)
	ListUserPolicies(context.Context, *iam.ListUserPoliciesInput, ...func(*iam.Options)) (*iam.ListUserPoliciesOutput, error)
	DeleteUserPolicy(context.Context, *iam.DeleteUserPolicyInput, ...func(*iam.Options)) (*iam.DeleteUserPolicyOutput, error)
	ListAttachedUserPolicies(context.Context, *iam.ListAttachedUserPoliciesInput, ...func(*iam.Options)) (*iam.ListAttachedUserPoliciesOutput, error)
	DetachUserPolicy(context.Context, *iam.DetachUserPolicyInput, ...func(*iam.Options)) (*iam.DetachUserPolicyOutput, error)
	ListGroupsForUser(context.Context, *iam.ListGroupsForUserInput, ...func(*iam.Options)) (*iam.ListGroupsForUserOutput, error)
	RemoveUserFromGroup(context.Context, *iam.RemoveUserFromGroupInput, ...func(*iam.Options)) (*iam.RemoveUserFromGroupOutput, error)
	DeleteUser(context.Context, *iam.DeleteUserInput, ...func(*iam.Options)) (*iam.DeleteUserOutput, error)
}

// AccessKey is one access key and its last use.
type AccessKey struct {
	Id       string     `json:"accessKeyId"`
	Status   string     `json:"status"`
	Created  *time.Time `json:"created,omitempty"`
	LastUsed *time.Time `json:"lastUsed,omitempty"`
	Service  string     `json:"lastService,omitempty"`
	Region   string     `json:"lastRegion,omitempty"`
}

// LastUse says when the key was last used, for people.
func (k AccessKey) LastUse() string {
	if k.LastUsed == nil {
		return "never used"
	}
	s := "last used " + k.LastUsed.UTC().Format("2006-01-02")
	if k.Service != "" && k.Service != "N/A" {
		s += " by " + k.Service
		if k.Region != "" && k.Region != "N/A" {
			s += " in " + k.Region
		}
	}
	return s
}

// MFADevice is one MFA device.
type MFADevice struct {
	Serial  string `json:"serialNumber"`
	Virtual bool   `json:"virtual"`
}

// Policy is an attached managed policy.
type Policy struct {
	Name string `json:"name"`
	Arn  string `json:"arn"`
}

// ServiceCredential is a service-specific credential (CodeCommit, Keyspaces, …).
type ServiceCredential struct {
	Id      string `json:"id"`
	Service string `json:"service"`
}

// User is what one IAM user still has.
type User struct {
	Account          string              `json:"account,omitempty"`
	UserName         string              `json:"userName"`
	Exists           bool                `json:"exists"`
	LoginProfile     bool                `json:"loginProfile"`
	AccessKeys       []AccessKey         `json:"accessKeys,omitempty"`
	Certificates     []string            `json:"signingCertificates,omitempty"`
	SSHKeys          []string            `json:"sshPublicKeys,omitempty"`
	ServiceCreds     []ServiceCredential `json:"serviceSpecificCredentials,omitempty"`
	MFADevices       []MFADevice         `json:"mfaDevices,omitempty"`
	InlinePolicies   []string            `json:"inlinePolicies,omitempty"`
	AttachedPolicies []Policy            `json:"attachedPolicies,omitempty"`
	Groups           []string            `json:"groups,omitempty"`
	// MigrationStage is Stage() as read (for JSON documents).
	MigrationStage Stage `json:"migrationStage,omitempty"`
}

// Stage is how far a legacy IAM user's retirement has come. The migration
// runs in stages: first the access keys are deactivated (reversibly; the
// console password may go too), then, on or after the date the migration
// e-mail announced, the user is deleted through the whole checklist.
type Stage string

// The stages of a user that still exists (a deleted one has none).
const (
	// StageActive: an access key still works; nothing was deactivated.
	StageActive Stage = "active"
	// StageKeysDeactivated: no access key works, the console password
	// still does.
	StageKeysDeactivated Stage = "keys-deactivated"
	// StageDeactivated: no access key and no console password works; only
	// the deletion is left.
	StageDeactivated Stage = "deactivated"
)

// Stage is the user's stage, from what it still holds.
func (u User) Stage() Stage {
	for _, k := range u.AccessKeys {
		if k.Status == string(iamtypes.StatusTypeActive) {
			return StageActive
		}
	}
	if u.LoginProfile {
		return StageKeysDeactivated
	}
	return StageDeactivated
}

func isNoSuchEntity(err error) bool {
	var nse *iamtypes.NoSuchEntityException
	if errors.As(err, &nse) {
		return true
	}
	var ae smithy.APIError
	return errors.As(err, &ae) && ae.ErrorCode() == "NoSuchEntity"
}

// Reader is what Status reads, with the SDK's own signatures (the audit's
// IAM client has it too: legacyiam is the one IAM reader).
type Reader interface {
	GetLoginProfile(context.Context, *iam.GetLoginProfileInput, ...func(*iam.Options)) (*iam.GetLoginProfileOutput, error)
	ListAccessKeys(context.Context, *iam.ListAccessKeysInput, ...func(*iam.Options)) (*iam.ListAccessKeysOutput, error)
	GetAccessKeyLastUsed(context.Context, *iam.GetAccessKeyLastUsedInput, ...func(*iam.Options)) (*iam.GetAccessKeyLastUsedOutput, error)
	ListMFADevices(context.Context, *iam.ListMFADevicesInput, ...func(*iam.Options)) (*iam.ListMFADevicesOutput, error)
}

// Lister lists the account's IAM users.
type Lister interface {
	ListUsers(context.Context, *iam.ListUsersInput, ...func(*iam.Options)) (*iam.ListUsersOutput, error)
}

// UserNames lists the names of every IAM user of the account.
func UserNames(ctx context.Context, c Lister) ([]string, error) {
	var names []string
	p := iam.NewListUsersPaginator(c, &iam.ListUsersInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list IAM users: %w", err)
		}
		for _, u := range page.Users {
			names = append(names, aws.ToString(u.UserName))
		}
	}
	return names, nil
}

// Person is someone who may have a legacy IAM user: an identity-store user
// (Key identifies them to the caller) and the names their IAM user may have
// (see Names).
type Person struct {
	Key   string
	Names []string
}

// Names are the IAM user names a person may have had: their user name,
// e-mail address, and the address's local part, in that order.
func Names(userName, email string) []string {
	names := []string{userName, email}
	if i := strings.IndexByte(email, '@'); i > 0 {
		names = append(names, email[:i])
	}
	return names
}

// Match pairs people with the account's IAM users (iamNames, as UserNames
// lists them) named like them, case-insensitively, by the first of their
// Names that an IAM user has: person key -> IAM user name.
func Match(iamNames []string, people []Person) map[string]string {
	byName := make(map[string]string, len(iamNames)) // lower-case IAM name -> IAM name
	for _, n := range iamNames {
		byName[strings.ToLower(n)] = n
	}
	out := map[string]string{}
	for _, p := range people {
		for _, cand := range p.Names {
			if n, ok := byName[strings.ToLower(cand)]; ok && cand != "" {
				out[p.Key] = n
				break
			}
		}
	}
	return out
}

// Status reads how an existing IAM user can still get in — the console
// password, the access keys (each with its last use) and the MFA devices —
// and so the stage of its migration: the few calls an audit makes per
// legacy user.
func Status(ctx context.Context, c Reader, name string) (User, error) {
	u := User{UserName: name, Exists: true}
	_, err := c.GetLoginProfile(ctx, &iam.GetLoginProfileInput{UserName: &name})
	switch {
	case err == nil:
		u.LoginProfile = true
	case !isNoSuchEntity(err):
		return u, fmt.Errorf("get login profile of %s: %w", name, err)
	}
	keys := iam.NewListAccessKeysPaginator(c, &iam.ListAccessKeysInput{UserName: &name})
	for keys.HasMorePages() {
		page, err := keys.NextPage(ctx)
		if err != nil {
			return u, fmt.Errorf("list access keys of %s: %w", name, err)
		}
		for _, k := range page.AccessKeyMetadata {
			key := AccessKey{Id: aws.ToString(k.AccessKeyId), Status: string(k.Status), Created: k.CreateDate}
			lu, err := c.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: k.AccessKeyId})
			if err != nil {
				return u, fmt.Errorf("get last use of access key %s: %w", key.Id, err)
			}
			if l := lu.AccessKeyLastUsed; l != nil {
				key.LastUsed, key.Service, key.Region = l.LastUsedDate, aws.ToString(l.ServiceName), aws.ToString(l.Region)
			}
			u.AccessKeys = append(u.AccessKeys, key)
		}
	}
	mfa := iam.NewListMFADevicesPaginator(c, &iam.ListMFADevicesInput{UserName: &name})
	for mfa.HasMorePages() {
		page, err := mfa.NextPage(ctx)
		if err != nil {
			return u, fmt.Errorf("list MFA devices of %s: %w", name, err)
		}
		for _, x := range page.MFADevices {
			serial := aws.ToString(x.SerialNumber)
			u.MFADevices = append(u.MFADevices, MFADevice{Serial: serial, Virtual: strings.HasPrefix(serial, "arn:") && strings.Contains(serial, ":mfa/")})
		}
	}
	u.MigrationStage = u.Stage()
	return u, nil
}

// Inspect reads everything the checklist removes. A user that does not
// exist comes back with Exists false and no error.
func Inspect(ctx context.Context, c IAM, name string) (User, error) {
	u := User{UserName: name}
	if _, err := c.GetUser(ctx, &iam.GetUserInput{UserName: &name}); err != nil {
		if isNoSuchEntity(err) {
			return u, nil
		}
		return u, fmt.Errorf("get IAM user %s: %w", name, err)
	}
	u, err := Status(ctx, c, name)
	if err != nil {
		return u, err
	}
	certs := iam.NewListSigningCertificatesPaginator(c, &iam.ListSigningCertificatesInput{UserName: &name})
	for certs.HasMorePages() {
		page, err := certs.NextPage(ctx)
		if err != nil {
			return u, fmt.Errorf("list signing certificates of %s: %w", name, err)
		}
		for _, x := range page.Certificates {
			u.Certificates = append(u.Certificates, aws.ToString(x.CertificateId))
		}
	}
	ssh := iam.NewListSSHPublicKeysPaginator(c, &iam.ListSSHPublicKeysInput{UserName: &name})
	for ssh.HasMorePages() {
		page, err := ssh.NextPage(ctx)
		if err != nil {
			return u, fmt.Errorf("list SSH public keys of %s: %w", name, err)
		}
		for _, x := range page.SSHPublicKeys {
			u.SSHKeys = append(u.SSHKeys, aws.ToString(x.SSHPublicKeyId))
		}
	}
	sc, err := c.ListServiceSpecificCredentials(ctx, &iam.ListServiceSpecificCredentialsInput{UserName: &name})
	if err != nil {
		return u, fmt.Errorf("list service-specific credentials of %s: %w", name, err)
	}
	for _, x := range sc.ServiceSpecificCredentials {
		u.ServiceCreds = append(u.ServiceCreds, ServiceCredential{Id: aws.ToString(x.ServiceSpecificCredentialId), Service: aws.ToString(x.ServiceName)})
	}
	inline := iam.NewListUserPoliciesPaginator(c, &iam.ListUserPoliciesInput{UserName: &name})
	for inline.HasMorePages() {
		page, err := inline.NextPage(ctx)
		if err != nil {
			return u, fmt.Errorf("list inline policies of %s: %w", name, err)
		}
		u.InlinePolicies = append(u.InlinePolicies, page.PolicyNames...)
	}
	attached := iam.NewListAttachedUserPoliciesPaginator(c, &iam.ListAttachedUserPoliciesInput{UserName: &name})
	for attached.HasMorePages() {
		page, err := attached.NextPage(ctx)
		if err != nil {
			return u, fmt.Errorf("list attached policies of %s: %w", name, err)
		}
		for _, p := range page.AttachedPolicies {
			u.AttachedPolicies = append(u.AttachedPolicies, Policy{Name: aws.ToString(p.PolicyName), Arn: aws.ToString(p.PolicyArn)})
		}
	}
	groups := iam.NewListGroupsForUserPaginator(c, &iam.ListGroupsForUserInput{UserName: &name})
	for groups.HasMorePages() {
		page, err := groups.NextPage(ctx)
		if err != nil {
			return u, fmt.Errorf("list groups of %s: %w", name, err)
		}
		for _, g := range page.Groups {
			u.Groups = append(u.Groups, aws.ToString(g.GroupName))
		}
	}
	return u, nil
}

// Step is one item of the checklist.
type Step struct {
	// Kind is the checklist item: login-profile, access-key,
	// signing-certificate, ssh-public-key, service-credential, mfa-device,
	// inline-policy, attached-policy, group, user; or deactivate-key (the
	// stage before).
	Kind string `json:"kind"`
	// Target is what it removes (a key id, a policy name, …).
	Target string `json:"target"`
	// Detail adds what people should see first (a key's last use).
	Detail string `json:"detail,omitempty"`

	run func(context.Context, IAM) error
}

// String is the step for people: "delete access key AKIA… (last used …)".
func (s Step) String() string {
	verb := map[string]string{
		"login-profile": "delete the console password (login profile)", "access-key": "delete access key",
		"signing-certificate": "delete signing certificate", "ssh-public-key": "delete SSH public key",
		"service-credential": "delete service-specific credential", "mfa-device": "deactivate MFA device",
		"inline-policy": "delete inline policy", "attached-policy": "detach policy", "group": "remove from group",
		"user": "delete IAM user", "deactivate-key": "deactivate access key",
	}[s.Kind]
	out := verb
	if s.Target != "" && s.Kind != "login-profile" {
		out += " " + s.Target
	}
	if s.Detail != "" {
		out += " (" + s.Detail + ")"
	}
	return out
}

// Steps is the checklist for u, in the order IAM needs.
func Steps(u User) []Step {
	if !u.Exists {
		return nil
	}
	name := u.UserName
	var steps []Step
	add := func(kind, target, detail string, run func(context.Context, IAM) error) {
		steps = append(steps, Step{Kind: kind, Target: target, Detail: detail, run: run})
	}
	if u.LoginProfile {
		add("login-profile", name, "", func(ctx context.Context, c IAM) error {
			_, err := c.DeleteLoginProfile(ctx, &iam.DeleteLoginProfileInput{UserName: &name})
			return err
		})
	}
	for _, k := range u.AccessKeys {
		id := k.Id
		add("access-key", id, strings.ToLower(k.Status)+", "+k.LastUse(), func(ctx context.Context, c IAM) error {
			_, err := c.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: &name, AccessKeyId: &id})
			return err
		})
	}
	for _, id := range u.Certificates {
		add("signing-certificate", id, "", func(ctx context.Context, c IAM) error {
			_, err := c.DeleteSigningCertificate(ctx, &iam.DeleteSigningCertificateInput{UserName: &name, CertificateId: &id})
			return err
		})
	}
	for _, id := range u.SSHKeys {
		add("ssh-public-key", id, "", func(ctx context.Context, c IAM) error {
			_, err := c.DeleteSSHPublicKey(ctx, &iam.DeleteSSHPublicKeyInput{UserName: &name, SSHPublicKeyId: &id})
			return err
		})
	}
	for _, sc := range u.ServiceCreds {
		id := sc.Id
		add("service-credential", id, sc.Service, func(ctx context.Context, c IAM) error {
			_, err := c.DeleteServiceSpecificCredential(ctx, &iam.DeleteServiceSpecificCredentialInput{UserName: &name, ServiceSpecificCredentialId: &id})
			return err
		})
	}
	for _, m := range u.MFADevices {
		serial, virtual := m.Serial, m.Virtual
		detail := "hardware"
		if virtual {
			detail = "virtual: then deleted"
		}
		add("mfa-device", serial, detail, func(ctx context.Context, c IAM) error {
			_, err := c.DeactivateMFADevice(ctx, &iam.DeactivateMFADeviceInput{UserName: &name, SerialNumber: &serial})
			if err != nil && !isNoSuchEntity(err) {
				return err
			}
			if virtual {
				_, err = c.DeleteVirtualMFADevice(ctx, &iam.DeleteVirtualMFADeviceInput{SerialNumber: &serial})
			}
			return err
		})
	}
	for _, p := range u.InlinePolicies {
		add("inline-policy", p, "", func(ctx context.Context, c IAM) error {
			_, err := c.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: &name, PolicyName: &p})
			return err
		})
	}
	for _, p := range u.AttachedPolicies {
		arn := p.Arn
		add("attached-policy", p.Name, arn, func(ctx context.Context, c IAM) error {
			_, err := c.DetachUserPolicy(ctx, &iam.DetachUserPolicyInput{UserName: &name, PolicyArn: &arn})
			return err
		})
	}
	for _, g := range u.Groups {
		add("group", g, "", func(ctx context.Context, c IAM) error {
			_, err := c.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{UserName: &name, GroupName: &g})
			return err
		})
	}
	add("user", name, "", func(ctx context.Context, c IAM) error {
		_, err := c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: &name})
		return err
	})
	return steps
}

// DeactivateSteps is the stage before the deletion: every active access
// key set Inactive (reversible: UpdateAccessKey Active brings it back), and
// with removePassword the console password deleted. Keys already inactive
// and a password already gone are not steps; nothing is deleted but the
// password. An up-to-date user has no steps.
func DeactivateSteps(u User, removePassword bool) []Step {
	if !u.Exists {
		return nil
	}
	name := u.UserName
	var steps []Step
	for _, k := range u.AccessKeys {
		if k.Status != string(iamtypes.StatusTypeActive) {
			continue
		}
		id := k.Id
		steps = append(steps, Step{Kind: "deactivate-key", Target: id, Detail: k.LastUse(), run: func(ctx context.Context, c IAM) error {
			_, err := c.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: &name, AccessKeyId: &id, Status: iamtypes.StatusTypeInactive})
			return err
		}})
	}
	if removePassword && u.LoginProfile {
		steps = append(steps, Step{Kind: "login-profile", Target: name, run: func(ctx context.Context, c IAM) error {
			_, err := c.DeleteLoginProfile(ctx, &iam.DeleteLoginProfileInput{UserName: &name})
			return err
		}})
	}
	return steps
}

// Deadline is the day legacy keys stop working as the migration e-mail
// announced it (YYYY-MM-DD); the zero time when none was announced.
func Deadline(announced string) (time.Time, error) {
	if announced == "" {
		return time.Time{}, nil
	}
	return time.Parse(time.DateOnly, announced)
}

// Due reports whether the deletion stage may run at now: on or after the
// announced day (in UTC), or at any time when no day was announced.
func Due(deadline, now time.Time) bool {
	return deadline.IsZero() || !now.UTC().Before(deadline)
}

// StepResult is the outcome of one step.
type StepResult struct {
	Step
	Done bool `json:"done"`
	// AlreadyGone: IAM said NoSuchEntity (a re-run after an interruption).
	AlreadyGone bool   `json:"alreadyGone,omitempty"`
	Error       string `json:"error,omitempty"`
	Skipped     bool   `json:"skipped,omitempty"`
}

// Run carries the steps out in order and reports each to onStep (may be
// nil). When a step fails the user itself is not deleted (IAM would refuse
// anyway); the other steps still run.
func Run(ctx context.Context, c IAM, steps []Step, onStep func(StepResult)) ([]StepResult, error) {
	var out []StepResult
	failed := false
	for _, s := range steps {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		r := StepResult{Step: s}
		switch {
		case s.Kind == "user" && failed:
			r.Skipped, r.Error = true, "kept: an earlier step failed"
		default:
			err := s.run(ctx, c)
			switch {
			case err == nil:
				r.Done = true
			case isNoSuchEntity(err):
				r.Done, r.AlreadyGone = true, true
			case ctx.Err() != nil:
				return out, ctx.Err()
			default:
				r.Error, failed = apiMessage(err), true
			}
		}
		out = append(out, r)
		if onStep != nil {
			onStep(r)
		}
	}
	return out, nil
}

// OK reports whether every step is done.
func OK(rs []StepResult) bool {
	for _, r := range rs {
		if !r.Done {
			return false
		}
	}
	return true
}

func apiMessage(err error) string { return awsclient.Message(err) }

// DefaultAccessRole is the role an administrator assumes from the
// management account to reach IAM in a member account: the one AWS
// Organizations creates in every account it creates.
const DefaultAccessRole = "OrganizationAccountAccessRole"

// RoleARN is the ARN of the IAM role name in account (partition "aws",
// "aws-us-gov", …; a name may carry a path, "ops/Admin").
func RoleARN(partition, account, name string) string {
	return "arn:" + partition + ":iam::" + account + ":role/" + name
}
