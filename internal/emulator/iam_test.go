package emulator_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/ssoctl/ssoctl/internal/emulator"
)

// iamState is the small demo with more of everything on alice.johnson, so
// that every one of her lists has more than one page at MaxItems 1.
func iamState() *emulator.State {
	st := emulator.Generate("small", 0)
	day := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	for i := range st.IAMUsers {
		u := &st.IAMUsers[i]
		if u.UserName != "alice.johnson" {
			continue
		}
		u.MFADevices = append(u.MFADevices, emulator.MFADevice{SerialNumber: "arn:aws:iam::" + u.AccountId + ":mfa/alice-backup", EnableDate: day})
		u.Groups = append(u.Groups, "legacy-admins")
		u.InlinePolicies = append(u.InlinePolicies, "alice-s3", "alice-ec2")
		u.AttachedPolicies = append(u.AttachedPolicies, emulator.ManagedPolicy{Name: "ViewOnlyAccess", Arn: "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"})
		u.SigningCertificates = append(u.SigningCertificates, emulator.IAMCredential{Id: "CERT2ALICEJOHNSON0000000000000002", Status: "Inactive", Created: day})
		u.SSHPublicKeys = append(u.SSHPublicKeys, emulator.IAMCredential{Id: "APKAALICEJOHNSON0002", Status: "Inactive", Created: day})
		u.ServiceCredentials = append(u.ServiceCredentials, emulator.IAMCredential{Id: "ACCAALICEJOHNSON00002", Status: "Active", Created: day, ServiceName: "cassandra.amazonaws.com"})
		u.Tags = []emulator.Tag{{Key: "team", Value: "platform"}}
	}
	return st
}

func iamSandbox(t *testing.T, st *emulator.State) (*iam.Client, *emulator.State) {
	t.Helper()
	_, cfg, _ := sandbox(t, emulator.Options{State: st})
	return iam.NewFromConfig(cfg), st
}

// iamUsersIn returns the state's IAM users of one account, by name.
func iamUsersIn(st *emulator.State, account string) map[string]emulator.IAMUser {
	out := map[string]emulator.IAMUser{}
	for _, u := range st.IAMUsers {
		if u.AccountId == account {
			out[u.UserName] = u
		}
	}
	return out
}

func iamWantStatus(t *testing.T, err error, status int) {
	t.Helper()
	var re *awshttp.ResponseError
	if !errors.As(err, &re) {
		t.Fatalf("got error %v; want an HTTP response error", err)
	}
	if re.HTTPStatusCode() != status {
		t.Errorf("got HTTP status %d; want %d", re.HTTPStatusCode(), status)
	}
}

var iamIgnore = cmpopts.IgnoreUnexported(types.User{}, types.Tag{}, types.AccessKeyMetadata{}, types.Group{},
	types.AttachedPolicy{}, types.ServiceSpecificCredentialMetadata{}, types.MFADevice{}, types.SSHPublicKeyMetadata{},
	types.SigningCertificate{}, types.AccessKeyLastUsed{}, types.LoginProfile{})

func TestIAMGetUser(t *testing.T) {
	c, st := iamSandbox(t, iamState())
	mgmt := st.Organization.MasterAccountId
	alice := iamUsersIn(st, mgmt)["alice.johnson"]
	got, err := c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("alice.johnson")})
	if err != nil {
		t.Fatalf("GetUser: %v", err)
	}
	want := &types.User{
		Path: aws.String("/"), UserName: aws.String("alice.johnson"), UserId: aws.String(alice.UserId),
		Arn: aws.String("arn:aws:iam::" + mgmt + ":user/alice.johnson"), CreateDate: aws.Time(alice.Created),
		PasswordLastUsed: alice.PasswordLastUsed,
		Tags:             []types.Tag{{Key: aws.String("team"), Value: aws.String("platform")}},
	}
	if diff := cmp.Diff(want, got.User, iamIgnore); diff != "" {
		t.Errorf("GetUser (-want +got):\n%s", diff)
	}

	self, err := c.GetUser(ctx, &iam.GetUserInput{})
	if err != nil {
		t.Fatalf("GetUser of the caller: %v", err)
	}
	if got, want := aws.ToString(self.User.Arn), "arn:aws:iam::"+mgmt+":user/sandbox-admin"; got != want {
		t.Errorf("got caller Arn %s; want %s", got, want)
	}

	tests := []struct {
		name, user, code string
		status           int
	}{
		{"unknown user", "nobody", "NoSuchEntity", 404},
		{"user of another account", "payments-legacy-batch", "NoSuchEntity", 404},
		{"name out of pattern", "alice johnson", "ValidationError", 400},
		// Sent but empty is not absent: the model's minimum length is 1.
		{"empty name", "", "ValidationError", 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String(tt.user)})
			wantAPIError(t, err, tt.code)
			iamWantStatus(t, err, tt.status)
			var nse *types.NoSuchEntityException
			if tt.code == "NoSuchEntity" && (!errors.As(err, &nse) || nse.ErrorMessage() != "The user with name "+tt.user+" cannot be found.") {
				t.Errorf("got %v; want NoSuchEntityException naming %s", err, tt.user)
			}
		})
	}
}

func TestIAMListUsers(t *testing.T) {
	c, st := iamSandbox(t, iamState())
	mgmt := st.Organization.MasterAccountId
	byName := iamUsersIn(st, mgmt)
	full, err := c.ListUsers(ctx, &iam.ListUsersInput{})
	if err != nil {
		t.Fatalf("ListUsers: %v", err)
	}
	var names []string
	for _, u := range full.Users {
		names = append(names, aws.ToString(u.UserName))
		want, ok := byName[aws.ToString(u.UserName)]
		if !ok {
			t.Errorf("ListUsers lists %s, not a user of the management account", aws.ToString(u.UserName))
			continue
		}
		if aws.ToString(u.UserId) != want.UserId || !u.CreateDate.Equal(want.Created) || u.Tags != nil {
			t.Errorf("got user %s (%s, %v, tags %v); want %s, %v, no tags", want.UserName, aws.ToString(u.UserId), u.CreateDate, u.Tags, want.UserId, want.Created)
		}
	}
	if want := []string{"alice.johnson", "bob.smith", "ci-deploy", "mallory.evans"}; !slices.Equal(slices.Sorted(slices.Values(names)), want) {
		t.Errorf("got users %v; want %v", names, want)
	}
	if full.IsTruncated || full.Marker != nil {
		t.Errorf("got IsTruncated %v, Marker %v on a one-page list", full.IsTruncated, full.Marker)
	}

	var paged []types.User
	pages := 0
	p := iam.NewListUsersPaginator(c, &iam.ListUsersInput{MaxItems: aws.Int32(1)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatalf("page %d: %v", pages, err)
		}
		paged = append(paged, page.Users...)
		pages++
	}
	if diff := cmp.Diff(full.Users, paged, iamIgnore); diff != "" {
		t.Errorf("paged users differ (-full +paged):\n%s", diff)
	}
	if pages != len(full.Users) {
		t.Errorf("got %d pages; want %d", pages, len(full.Users))
	}

	none, err := c.ListUsers(ctx, &iam.ListUsersInput{PathPrefix: aws.String("/contractors/")})
	if err != nil {
		t.Fatalf("ListUsers with PathPrefix: %v", err)
	}
	if len(none.Users) != 0 {
		t.Errorf("got %d users under /contractors/; want none", len(none.Users))
	}

	other, err := c.ListUsers(ctx, &iam.ListUsersInput{MaxItems: aws.Int32(1)})
	if err != nil {
		t.Fatal(err)
	}
	keys, err := c.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("alice.johnson"), MaxItems: aws.Int32(1)})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		in   iam.ListUsersInput
	}{
		{"MaxItems 0", iam.ListUsersInput{MaxItems: aws.Int32(0)}},
		{"MaxItems 1001", iam.ListUsersInput{MaxItems: aws.Int32(1001)}},
		{"garbage Marker", iam.ListUsersInput{Marker: aws.String("garbage")}},
		{"Marker of another list", iam.ListUsersInput{Marker: keys.Marker}},
		{"Marker with another PathPrefix", iam.ListUsersInput{Marker: other.Marker, PathPrefix: aws.String("/x/")}},
		{"PathPrefix without a slash", iam.ListUsersInput{PathPrefix: aws.String("x")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.ListUsers(ctx, &tt.in)
			wantAPIError(t, err, "ValidationError")
			iamWantStatus(t, err, 400)
		})
	}
}

// iamLister lists one kind of a user's items through the SDK's paginator
// (or a Marker loop where the SDK has none), returning the items' ids and
// the number of pages.
type iamLister func(c *iam.Client, user string, maxItems *int32) ([]string, int, error)

func iamPagesOf[O any](next func(marker *string) (O, []string, *string, error)) ([]string, int, error) {
	var ids []string
	var marker *string
	pages := 0
	for {
		_, page, m, err := next(marker)
		if err != nil {
			return nil, pages, err
		}
		ids = append(ids, page...)
		pages++
		if m == nil {
			return ids, pages, nil
		}
		marker = m
	}
}

var iamListers = map[string]iamLister{
	"ListAccessKeys": func(c *iam.Client, user string, n *int32) ([]string, int, error) {
		var ids []string
		pages := 0
		p := iam.NewListAccessKeysPaginator(c, &iam.ListAccessKeysInput{UserName: &user, MaxItems: n})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return nil, pages, err
			}
			pages++
			for _, k := range page.AccessKeyMetadata {
				ids = append(ids, aws.ToString(k.AccessKeyId))
			}
		}
		return ids, pages, nil
	},
	"ListMFADevices": func(c *iam.Client, user string, n *int32) ([]string, int, error) {
		var ids []string
		pages := 0
		p := iam.NewListMFADevicesPaginator(c, &iam.ListMFADevicesInput{UserName: &user, MaxItems: n})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return nil, pages, err
			}
			pages++
			for _, d := range page.MFADevices {
				ids = append(ids, aws.ToString(d.SerialNumber))
			}
		}
		return ids, pages, nil
	},
	"ListGroupsForUser": func(c *iam.Client, user string, n *int32) ([]string, int, error) {
		var ids []string
		pages := 0
		p := iam.NewListGroupsForUserPaginator(c, &iam.ListGroupsForUserInput{UserName: &user, MaxItems: n})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return nil, pages, err
			}
			pages++
			for _, g := range page.Groups {
				ids = append(ids, aws.ToString(g.GroupName))
			}
		}
		return ids, pages, nil
	},
	"ListUserPolicies": func(c *iam.Client, user string, n *int32) ([]string, int, error) {
		var ids []string
		pages := 0
		p := iam.NewListUserPoliciesPaginator(c, &iam.ListUserPoliciesInput{UserName: &user, MaxItems: n})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return nil, pages, err
			}
			pages++
			ids = append(ids, page.PolicyNames...)
		}
		return ids, pages, nil
	},
	"ListAttachedUserPolicies": func(c *iam.Client, user string, n *int32) ([]string, int, error) {
		var ids []string
		pages := 0
		p := iam.NewListAttachedUserPoliciesPaginator(c, &iam.ListAttachedUserPoliciesInput{UserName: &user, MaxItems: n})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return nil, pages, err
			}
			pages++
			for _, a := range page.AttachedPolicies {
				ids = append(ids, aws.ToString(a.PolicyArn))
			}
		}
		return ids, pages, nil
	},
	"ListSigningCertificates": func(c *iam.Client, user string, n *int32) ([]string, int, error) {
		var ids []string
		pages := 0
		p := iam.NewListSigningCertificatesPaginator(c, &iam.ListSigningCertificatesInput{UserName: &user, MaxItems: n})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return nil, pages, err
			}
			pages++
			for _, k := range page.Certificates {
				ids = append(ids, aws.ToString(k.CertificateId))
			}
		}
		return ids, pages, nil
	},
	"ListSSHPublicKeys": func(c *iam.Client, user string, n *int32) ([]string, int, error) {
		var ids []string
		pages := 0
		p := iam.NewListSSHPublicKeysPaginator(c, &iam.ListSSHPublicKeysInput{UserName: &user, MaxItems: n})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return nil, pages, err
			}
			pages++
			for _, k := range page.SSHPublicKeys {
				ids = append(ids, aws.ToString(k.SSHPublicKeyId))
			}
		}
		return ids, pages, nil
	},
	// The SDK generates no paginator for ListServiceSpecificCredentials.
	"ListServiceSpecificCredentials": func(c *iam.Client, user string, n *int32) ([]string, int, error) {
		return iamPagesOf(func(marker *string) (*iam.ListServiceSpecificCredentialsOutput, []string, *string, error) {
			out, err := c.ListServiceSpecificCredentials(ctx, &iam.ListServiceSpecificCredentialsInput{UserName: &user, MaxItems: n, Marker: marker})
			if err != nil {
				return nil, nil, nil, err
			}
			var ids []string
			for _, k := range out.ServiceSpecificCredentials {
				ids = append(ids, aws.ToString(k.ServiceSpecificCredentialId))
			}
			if !out.IsTruncated {
				return out, ids, nil, nil
			}
			return out, ids, out.Marker, nil
		})
	},
}

func iamCredIDs(cs []emulator.IAMCredential) []string {
	var ids []string
	for _, c := range cs {
		ids = append(ids, c.Id)
	}
	return ids
}

func TestIAMUserLists(t *testing.T) {
	c, st := iamSandbox(t, iamState())
	alice := iamUsersIn(st, st.Organization.MasterAccountId)["alice.johnson"]
	var keys, mfa, attached []string
	for _, k := range alice.AccessKeys {
		keys = append(keys, k.AccessKeyId)
	}
	for _, d := range alice.MFADevices {
		mfa = append(mfa, d.SerialNumber)
	}
	for _, p := range alice.AttachedPolicies {
		attached = append(attached, p.Arn)
	}
	want := map[string][]string{
		"ListAccessKeys":                 keys,
		"ListMFADevices":                 mfa,
		"ListGroupsForUser":              alice.Groups,
		"ListUserPolicies":               alice.InlinePolicies,
		"ListAttachedUserPolicies":       attached,
		"ListSigningCertificates":        iamCredIDs(alice.SigningCertificates),
		"ListSSHPublicKeys":              iamCredIDs(alice.SSHPublicKeys),
		"ListServiceSpecificCredentials": iamCredIDs(alice.ServiceCredentials),
	}
	for op, list := range iamListers {
		t.Run(op, func(t *testing.T) {
			if len(want[op]) < 2 {
				t.Fatalf("alice.johnson has %d items for %s; the test needs at least 2", len(want[op]), op)
			}
			full, pages, err := list(c, "alice.johnson", nil)
			if err != nil {
				t.Fatalf("%s: %v", op, err)
			}
			if diff := cmp.Diff(want[op], full); diff != "" || pages != 1 {
				t.Errorf("%s in %d pages (-want +got):\n%s", op, pages, diff)
			}
			paged, pages, err := list(c, "alice.johnson", aws.Int32(1))
			if err != nil {
				t.Fatalf("%s with MaxItems 1: %v", op, err)
			}
			if diff := cmp.Diff(full, paged); diff != "" || pages != len(full) {
				t.Errorf("%s with MaxItems 1: %d pages; want %d (-full +paged):\n%s", op, pages, len(full), diff)
			}

			_, _, err = list(c, "nobody", nil)
			wantAPIError(t, err, "NoSuchEntity")
			iamWantStatus(t, err, 404)
			_, _, err = list(c, "payments-legacy-batch", nil)
			wantAPIError(t, err, "NoSuchEntity")
			_, _, err = list(c, "alice johnson", nil)
			wantAPIError(t, err, "ValidationError")
			// (The paginators drop MaxItems 0; TestIAMListUsers sends it.)
			_, _, err = list(c, "alice.johnson", aws.Int32(1001))
			wantAPIError(t, err, "ValidationError")
		})
	}
}

func TestIAMUserListDetails(t *testing.T) {
	c, st := iamSandbox(t, iamState())
	mgmt := st.Organization.MasterAccountId
	alice := iamUsersIn(st, mgmt)["alice.johnson"]
	user := aws.String("alice.johnson")

	keys, err := c.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: user})
	if err != nil {
		t.Fatal(err)
	}
	var wantKeys []types.AccessKeyMetadata
	for _, k := range alice.AccessKeys {
		wantKeys = append(wantKeys, types.AccessKeyMetadata{UserName: user, AccessKeyId: aws.String(k.AccessKeyId),
			Status: types.StatusType(k.Status), CreateDate: aws.Time(k.Created)})
	}
	if diff := cmp.Diff(wantKeys, keys.AccessKeyMetadata, iamIgnore); diff != "" {
		t.Errorf("ListAccessKeys (-want +got):\n%s", diff)
	}

	groups, err := c.ListGroupsForUser(ctx, &iam.ListGroupsForUserInput{UserName: user})
	if err != nil {
		t.Fatal(err)
	}
	g := groups.Groups[0]
	if aws.ToString(g.Arn) != "arn:aws:iam::"+mgmt+":group/legacy-developers" || aws.ToString(g.Path) != "/" || len(aws.ToString(g.GroupId)) != 21 || g.CreateDate == nil {
		t.Errorf("got group %s %s %s %v; want legacy-developers's ARN, path /, a 21-character id and a date", aws.ToString(g.Arn), aws.ToString(g.Path), aws.ToString(g.GroupId), g.CreateDate)
	}
	again, err := c.ListGroupsForUser(ctx, &iam.ListGroupsForUserInput{UserName: user})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(again.Groups[0].GroupId) != aws.ToString(g.GroupId) {
		t.Errorf("got GroupId %s then %s; want the same id each time", aws.ToString(g.GroupId), aws.ToString(again.Groups[0].GroupId))
	}

	attached, err := c.ListAttachedUserPolicies(ctx, &iam.ListAttachedUserPoliciesInput{UserName: user, PathPrefix: aws.String("/job-function/")})
	if err != nil {
		t.Fatal(err)
	}
	wantAttached := []types.AttachedPolicy{{PolicyName: aws.String("ViewOnlyAccess"), PolicyArn: aws.String("arn:aws:iam::aws:policy/job-function/ViewOnlyAccess")}}
	if diff := cmp.Diff(wantAttached, attached.AttachedPolicies, iamIgnore); diff != "" {
		t.Errorf("ListAttachedUserPolicies under /job-function/ (-want +got):\n%s", diff)
	}

	creds, err := c.ListServiceSpecificCredentials(ctx, &iam.ListServiceSpecificCredentialsInput{UserName: user, ServiceName: aws.String("codecommit.amazonaws.com")})
	if err != nil {
		t.Fatal(err)
	}
	if len(creds.ServiceSpecificCredentials) != 1 || aws.ToString(creds.ServiceSpecificCredentials[0].ServiceUserName) != "alice.johnson-at-"+mgmt {
		t.Errorf("got %d codecommit credentials; want one for service user alice.johnson-at-%s", len(creds.ServiceSpecificCredentials), mgmt)
	}
	all, err := c.ListServiceSpecificCredentials(ctx, &iam.ListServiceSpecificCredentialsInput{AllUsers: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	if len(all.ServiceSpecificCredentials) != len(alice.ServiceCredentials) {
		t.Errorf("got %d credentials for all users; want %d", len(all.ServiceSpecificCredentials), len(alice.ServiceCredentials))
	}

	certs, err := c.ListSigningCertificates(ctx, &iam.ListSigningCertificatesInput{UserName: user})
	if err != nil {
		t.Fatal(err)
	}
	if c := certs.Certificates[0]; aws.ToString(c.CertificateBody) == "" || c.Status != types.StatusTypeActive || c.UploadDate == nil {
		t.Errorf("got certificate %+v; want a body, Active and an upload date", c)
	}

	// Without UserName the lists are the caller's: the sandbox administrator has none.
	mine, err := c.ListAccessKeys(ctx, &iam.ListAccessKeysInput{})
	if err != nil {
		t.Fatalf("ListAccessKeys of the caller: %v", err)
	}
	if len(mine.AccessKeyMetadata) != 0 {
		t.Errorf("got %d keys for the sandbox administrator; want none", len(mine.AccessKeyMetadata))
	}
	// UserName is required where the model says so.
	_, err = c.ListUserPolicies(ctx, &iam.ListUserPoliciesInput{UserName: aws.String("")})
	wantAPIError(t, err, "ValidationError")
}

func TestIAMGetAccessKeyLastUsed(t *testing.T) {
	c, st := iamSandbox(t, iamState())
	alice := iamUsersIn(st, st.Organization.MasterAccountId)["alice.johnson"]
	var used, unused emulator.AccessKey
	for _, k := range alice.AccessKeys {
		if k.LastUsed != nil {
			used = k
		} else {
			unused = k
		}
	}
	tests := []struct {
		name string
		key  string
		want *types.AccessKeyLastUsed
		code string
	}{
		{"used key", used.AccessKeyId, &types.AccessKeyLastUsed{LastUsedDate: aws.Time(used.LastUsed.Date), ServiceName: aws.String("s3"), Region: aws.String("us-east-1")}, ""},
		{"never used key", unused.AccessKeyId, &types.AccessKeyLastUsed{ServiceName: aws.String("N/A"), Region: aws.String("N/A")}, ""},
		{"unknown key", "AKIAUNKNOWNKEY000000", nil, "NoSuchEntity"},
		{"key too short", "AKIA1", nil, "ValidationError"},
		{"key out of pattern", "AKIA-NOT-A-KEY-00000", nil, "ValidationError"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := c.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: aws.String(tt.key)})
			if tt.code != "" {
				wantAPIError(t, err, tt.code)
				return
			}
			if err != nil {
				t.Fatalf("GetAccessKeyLastUsed: %v", err)
			}
			if aws.ToString(out.UserName) != "alice.johnson" {
				t.Errorf("got UserName %s; want alice.johnson", aws.ToString(out.UserName))
			}
			if diff := cmp.Diff(tt.want, out.AccessKeyLastUsed, iamIgnore); diff != "" {
				t.Errorf("AccessKeyLastUsed (-want +got):\n%s", diff)
			}
		})
	}
}

func TestIAMGetLoginProfile(t *testing.T) {
	c, st := iamSandbox(t, iamState())
	alice := iamUsersIn(st, st.Organization.MasterAccountId)["alice.johnson"]
	out, err := c.GetLoginProfile(ctx, &iam.GetLoginProfileInput{UserName: aws.String("alice.johnson")})
	if err != nil {
		t.Fatalf("GetLoginProfile: %v", err)
	}
	want := &types.LoginProfile{UserName: aws.String("alice.johnson"), CreateDate: aws.Time(alice.LoginProfile.Created)}
	if diff := cmp.Diff(want, out.LoginProfile, iamIgnore); diff != "" {
		t.Errorf("GetLoginProfile (-want +got):\n%s", diff)
	}
	tests := []struct {
		name string
		user *string
		code string
	}{
		{"user without a password", aws.String("bob.smith"), "NoSuchEntity"},
		{"unknown user", aws.String("nobody"), "NoSuchEntity"},
		{"the caller, who has no password", nil, "NoSuchEntity"},
		{"name out of pattern", aws.String("bob smith"), "ValidationError"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.GetLoginProfile(ctx, &iam.GetLoginProfileInput{UserName: tt.user})
			wantAPIError(t, err, tt.code)
			if tt.code == "NoSuchEntity" {
				iamWantStatus(t, err, 404)
			}
		})
	}
}

func TestIAMThrottling(t *testing.T) {
	_, cfg, url := sandbox(t, emulator.Options{Quotas: "aws", QuotaScale: 0.05})
	c := iam.NewFromConfig(cfg)
	throttled := 0
	for range 8 {
		_, err := c.ListUsers(ctx, &iam.ListUsersInput{})
		if err != nil {
			wantAPIError(t, err, "Throttling")
			throttled++
		}
	}
	if throttled == 0 {
		t.Fatal("got no Throttling from 8 calls at 1 TPS with burst 2; want some")
	}
	if got := stats(t, url).Throttled["iam:ListUsers"]; got != throttled {
		t.Errorf("got stats throttled %d; want %d", got, throttled)
	}
}
