package emulator_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/ssoctl/ssoctl/internal/emulator"
)

// TestIAMSmallOrgChecklist walks the deletion checklist over the small
// demo's alice.johnson, who holds one of every attachment: DeleteUser names
// what is still attached at each step, in the checklist's order, and
// succeeds once nothing is.
func TestIAMSmallOrgChecklist(t *testing.T) {
	t.Parallel()
	_, cfg, _ := sandbox(t, emulator.Options{})
	c := iam.NewFromConfig(cfg)
	user := aws.String("alice.johnson")
	conflict := func(want string) {
		t.Helper()
		_, err := c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: user})
		wantAPIError(t, err, "DeleteConflict")
		iamWantStatus(t, err, 409)
		var dc *types.DeleteConflictException
		if !errors.As(err, &dc) || dc.ErrorMessage() != "Cannot delete entity, must "+want+" first." {
			t.Errorf("DeleteUser: got %v; want DeleteConflict, must %s first", err, want)
		}
	}
	must := func(err error, what string) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}

	conflict("delete login profile")
	_, err := c.DeleteLoginProfile(ctx, &iam.DeleteLoginProfileInput{UserName: user})
	must(err, "DeleteLoginProfile")

	conflict("delete access keys")
	keys, err := c.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: user})
	must(err, "ListAccessKeys")
	used := 0
	for _, k := range keys.AccessKeyMetadata {
		lu, err := c.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: k.AccessKeyId})
		must(err, "GetAccessKeyLastUsed")
		if lu.AccessKeyLastUsed.LastUsedDate != nil {
			used++
		}
		_, err = c.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: user, AccessKeyId: k.AccessKeyId})
		must(err, "DeleteAccessKey")
	}
	if len(keys.AccessKeyMetadata) != 2 || used != 1 {
		t.Errorf("alice's keys: %d, %d used; want 2 keys, one with a last-used date", len(keys.AccessKeyMetadata), used)
	}

	conflict("delete signing certificates")
	certs, err := c.ListSigningCertificates(ctx, &iam.ListSigningCertificatesInput{UserName: user})
	must(err, "ListSigningCertificates")
	for _, k := range certs.Certificates {
		_, err = c.DeleteSigningCertificate(ctx, &iam.DeleteSigningCertificateInput{UserName: user, CertificateId: k.CertificateId})
		must(err, "DeleteSigningCertificate")
	}

	conflict("delete SSH public keys")
	ssh, err := c.ListSSHPublicKeys(ctx, &iam.ListSSHPublicKeysInput{UserName: user})
	must(err, "ListSSHPublicKeys")
	for _, k := range ssh.SSHPublicKeys {
		_, err = c.DeleteSSHPublicKey(ctx, &iam.DeleteSSHPublicKeyInput{UserName: user, SSHPublicKeyId: k.SSHPublicKeyId})
		must(err, "DeleteSSHPublicKey")
	}

	conflict("delete service specific credentials")
	creds, err := c.ListServiceSpecificCredentials(ctx, &iam.ListServiceSpecificCredentialsInput{UserName: user})
	must(err, "ListServiceSpecificCredentials")
	for _, k := range creds.ServiceSpecificCredentials {
		_, err = c.DeleteServiceSpecificCredential(ctx, &iam.DeleteServiceSpecificCredentialInput{UserName: user, ServiceSpecificCredentialId: k.ServiceSpecificCredentialId})
		must(err, "DeleteServiceSpecificCredential")
	}

	conflict("delete MFA device")
	mfa, err := c.ListMFADevices(ctx, &iam.ListMFADevicesInput{UserName: user})
	must(err, "ListMFADevices")
	for _, d := range mfa.MFADevices {
		_, err = c.DeleteVirtualMFADevice(ctx, &iam.DeleteVirtualMFADeviceInput{SerialNumber: d.SerialNumber})
		wantAPIError(t, err, "DeleteConflict")
		_, err = c.DeactivateMFADevice(ctx, &iam.DeactivateMFADeviceInput{UserName: user, SerialNumber: d.SerialNumber})
		must(err, "DeactivateMFADevice")
		unassigned, err := c.ListVirtualMFADevices(ctx, &iam.ListVirtualMFADevicesInput{AssignmentStatus: types.AssignmentStatusTypeUnassigned})
		must(err, "ListVirtualMFADevices")
		if !slices.ContainsFunc(unassigned.VirtualMFADevices, func(v types.VirtualMFADevice) bool {
			return aws.ToString(v.SerialNumber) == aws.ToString(d.SerialNumber) && v.User == nil
		}) {
			t.Errorf("after DeactivateMFADevice, %s is not listed unassigned", aws.ToString(d.SerialNumber))
		}
		_, err = c.DeleteVirtualMFADevice(ctx, &iam.DeleteVirtualMFADeviceInput{SerialNumber: d.SerialNumber})
		must(err, "DeleteVirtualMFADevice")
	}

	conflict("delete policies")
	inline, err := c.ListUserPolicies(ctx, &iam.ListUserPoliciesInput{UserName: user})
	must(err, "ListUserPolicies")
	for _, n := range inline.PolicyNames {
		_, err = c.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: user, PolicyName: aws.String(n)})
		must(err, "DeleteUserPolicy")
	}

	conflict("detach all policies")
	attached, err := c.ListAttachedUserPolicies(ctx, &iam.ListAttachedUserPoliciesInput{UserName: user})
	must(err, "ListAttachedUserPolicies")
	for _, p := range attached.AttachedPolicies {
		_, err = c.DetachUserPolicy(ctx, &iam.DetachUserPolicyInput{UserName: user, PolicyArn: p.PolicyArn})
		must(err, "DetachUserPolicy")
	}

	conflict("remove users from group")
	groups, err := c.ListGroupsForUser(ctx, &iam.ListGroupsForUserInput{UserName: user})
	must(err, "ListGroupsForUser")
	for _, g := range groups.Groups {
		_, err = c.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{UserName: user, GroupName: g.GroupName})
		must(err, "RemoveUserFromGroup")
	}

	_, err = c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: user})
	must(err, "DeleteUser")
	_, err = c.GetUser(ctx, &iam.GetUserInput{UserName: user})
	wantAPIError(t, err, "NoSuchEntity")
	// The group outlives its member; mallory.evans is still in it.
	others, err := c.ListGroupsForUser(ctx, &iam.ListGroupsForUserInput{UserName: aws.String("mallory.evans")})
	must(err, "ListGroupsForUser mallory.evans")
	if len(others.Groups) != 1 || aws.ToString(others.Groups[0].GroupId) != aws.ToString(groups.Groups[0].GroupId) {
		t.Errorf("mallory.evans's groups: got %d; want the same legacy-developers group alice was in", len(others.Groups))
	}
}

// TestIAMWriteErrors checks each write's answers to what IAM refuses.
func TestIAMWriteErrors(t *testing.T) {
	t.Parallel()
	_, cfg, _ := sandbox(t, emulator.Options{})
	c := iam.NewFromConfig(cfg)
	bob := aws.String("bob.smith")
	// bob.smith has one inactive key, an inline policy and nothing else.
	tests := []struct {
		name   string
		call   func() error
		code   string
		status int
	}{
		{"CreateUser of a taken name, other case", func() error {
			_, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("BOB.SMITH")})
			return err
		}, "EntityAlreadyExists", 409},
		{"CreateUser with a space in the name", func() error {
			_, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("bob smith")})
			return err
		}, "ValidationError", 400},
		{"CreateUser with a path without a trailing slash", func() error {
			_, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("pathy"), Path: aws.String("/legacy")})
			return err
		}, "ValidationError", 400},
		{"CreateUser with an empty path", func() error {
			_, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("pathy"), Path: aws.String("")})
			return err
		}, "ValidationError", 400},
		{"CreateServiceSpecificCredential for longer than the model's 36600 days", func() error {
			_, err := c.CreateServiceSpecificCredential(ctx, &iam.CreateServiceSpecificCredentialInput{UserName: bob, ServiceName: aws.String("codecommit.amazonaws.com"), CredentialAgeDays: aws.Int32(36601)})
			return err
		}, "ValidationError", 400},
		{"UpdateAccessKey to an unknown status", func() error {
			_, err := c.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: bob, AccessKeyId: aws.String("AKIAIOSFODNN7EXAMPLE"), Status: "Paused"})
			return err
		}, "ValidationError", 400},
		{"UpdateAccessKey of another user's key", func() error {
			_, err := c.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: bob, AccessKeyId: aws.String("AKIAIOSFODNN7EXAMPLE"), Status: types.StatusTypeActive})
			return err
		}, "NoSuchEntity", 404},
		{"DeleteLoginProfile of a user without one", func() error {
			_, err := c.DeleteLoginProfile(ctx, &iam.DeleteLoginProfileInput{UserName: bob})
			return err
		}, "NoSuchEntity", 404},
		{"CreateLoginProfile with a password of one kind of character", func() error {
			_, err := c.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: bob, Password: aws.String("aaaaaaaaaaaa")})
			return err
		}, "PasswordPolicyViolation", 400},
		{"PutUserPolicy without a Statement", func() error {
			_, err := c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: bob, PolicyName: aws.String("p"), PolicyDocument: aws.String(`{"Version":"2012-10-17"}`)})
			return err
		}, "MalformedPolicyDocument", 400},
		{"PutUserPolicy beyond 2048 characters for the user", func() error {
			big := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::` + strings.Repeat("b", 2100) + `/*"}]}`
			_, err := c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: bob, PolicyName: aws.String("big"), PolicyDocument: aws.String(big)})
			return err
		}, "LimitExceeded", 409},
		{"DetachUserPolicy of a policy not attached", func() error {
			_, err := c.DetachUserPolicy(ctx, &iam.DetachUserPolicyInput{UserName: bob, PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")})
			return err
		}, "NoSuchEntity", 404},
		{"AttachUserPolicy of a malformed ARN", func() error {
			_, err := c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: bob, PolicyArn: aws.String("ReadOnlyAccess-not-an-arn")})
			return err
		}, "ValidationError", 400},
		{"RemoveUserFromGroup of a group the user is not in", func() error {
			_, err := c.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{UserName: bob, GroupName: aws.String("legacy-developers")})
			return err
		}, "NoSuchEntity", 404},
		{"EnableMFADevice of a device that does not exist", func() error {
			_, err := c.EnableMFADevice(ctx, &iam.EnableMFADeviceInput{UserName: bob, SerialNumber: aws.String("arn:aws:iam::123456789012:mfa/nothing"),
				AuthenticationCode1: aws.String("123456"), AuthenticationCode2: aws.String("234567")})
			return err
		}, "NoSuchEntity", 404},
		{"EnableMFADevice of alice's device", func() error {
			mfa, err := c.ListMFADevices(ctx, &iam.ListMFADevicesInput{UserName: aws.String("alice.johnson")})
			if err != nil {
				return err
			}
			_, err = c.EnableMFADevice(ctx, &iam.EnableMFADeviceInput{UserName: bob, SerialNumber: mfa.MFADevices[0].SerialNumber,
				AuthenticationCode1: aws.String("123456"), AuthenticationCode2: aws.String("234567")})
			return err
		}, "EntityAlreadyExists", 409},
		{"EnableMFADevice with a five-digit code", func() error {
			_, err := c.EnableMFADevice(ctx, &iam.EnableMFADeviceInput{UserName: bob, SerialNumber: aws.String("arn:aws:iam::123456789012:mfa/nothing"),
				AuthenticationCode1: aws.String("12345"), AuthenticationCode2: aws.String("234567")})
			return err
		}, "ValidationError", 400},
		{"UploadSSHPublicKey of a DSA key", func() error {
			_, err := c.UploadSSHPublicKey(ctx, &iam.UploadSSHPublicKeyInput{UserName: bob, SSHPublicKeyBody: aws.String("ssh-dss AAAAB3NzaC1kc3MAAACBAP== x@y")})
			return err
		}, "UnrecognizedPublicKeyEncoding", 400},
		{"UploadSigningCertificate of a body that is no certificate", func() error {
			_, err := c.UploadSigningCertificate(ctx, &iam.UploadSigningCertificateInput{UserName: bob, CertificateBody: aws.String("-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n")})
			return err
		}, "MalformedCertificate", 400},
		{"CreateServiceSpecificCredential for a service without them", func() error {
			_, err := c.CreateServiceSpecificCredential(ctx, &iam.CreateServiceSpecificCredentialInput{UserName: bob, ServiceName: aws.String("s3.amazonaws.com")})
			return err
		}, "NotSupportedService", 404},
		{"DeleteSigningCertificate of an unknown id", func() error {
			_, err := c.DeleteSigningCertificate(ctx, &iam.DeleteSigningCertificateInput{UserName: bob, CertificateId: aws.String("NOSUCHCERTIFICATE000000000000000")})
			return err
		}, "NoSuchEntity", 404},
		{"DeleteSSHPublicKey of an unknown id", func() error {
			_, err := c.DeleteSSHPublicKey(ctx, &iam.DeleteSSHPublicKeyInput{UserName: bob, SSHPublicKeyId: aws.String("APKANOSUCHKEY0000000")})
			return err
		}, "NoSuchEntity", 404},
		{"a write for a user of another account", func() error {
			_, err := c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("payments-legacy-batch")})
			return err
		}, "NoSuchEntity", 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			wantAPIError(t, err, tt.code)
			iamWantStatus(t, err, tt.status)
		})
	}

	// Limits: a second key is fine, a third is refused; two signing
	// certificates, two credentials per service.
	_, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: bob})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: bob})
	wantAPIError(t, err, "LimitExceeded")
	for i := range 3 {
		_, err = c.UploadSigningCertificate(ctx, &iam.UploadSigningCertificateInput{UserName: bob, CertificateBody: aws.String(testCertificate(t, "bob"))})
		if i < 2 && err != nil {
			t.Fatalf("certificate %d: %v", i+1, err)
		}
	}
	wantAPIError(t, err, "LimitExceeded")
	for i := range 3 {
		_, err = c.CreateServiceSpecificCredential(ctx, &iam.CreateServiceSpecificCredentialInput{UserName: bob, ServiceName: aws.String("cassandra.amazonaws.com")})
		if i < 2 && err != nil {
			t.Fatalf("credential %d: %v", i+1, err)
		}
	}
	wantAPIError(t, err, "LimitExceeded")
	k, err := c.UploadSSHPublicKey(ctx, &iam.UploadSSHPublicKeyInput{UserName: bob, SSHPublicKeyBody: aws.String(testSSHKey())})
	if err != nil {
		t.Fatal(err)
	}
	if fp := aws.ToString(k.SSHPublicKey.Fingerprint); len(fp) != 47 {
		t.Errorf("fingerprint %q; want 16 colon-separated hex bytes", fp)
	}
	_, err = c.UploadSSHPublicKey(ctx, &iam.UploadSSHPublicKeyInput{UserName: bob, SSHPublicKeyBody: aws.String(testSSHKey())})
	wantAPIError(t, err, "DuplicateSSHPublicKey")
}
