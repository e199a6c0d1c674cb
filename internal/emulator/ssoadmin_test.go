package emulator_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/ssoctl/ssoctl/internal/emulator"
)

// ssoFixture is a sandbox with the small demo organization and the names a
// test needs to find things in it.
type ssoFixture struct {
	c     *ssoadmin.Client
	srv   *emulator.Server
	url   string
	st    *emulator.State
	inst  string
	store string
	ps    map[string]string // permission set name -> ARN
	acct  map[string]string // account name -> id
	user  map[string]string // user name -> id
	group map[string]string // group display name -> id
}

func newSSOFixture(t *testing.T, opts emulator.Options) *ssoFixture {
	t.Helper()
	srv, cfg, url := sandbox(t, opts)
	st := srv.Snapshot()
	f := &ssoFixture{
		c: ssoadmin.NewFromConfig(cfg), srv: srv, url: url, st: st,
		inst: st.Instances[0].InstanceArn, store: st.Instances[0].IdentityStoreId,
		ps: map[string]string{}, acct: map[string]string{}, user: map[string]string{}, group: map[string]string{},
	}
	for _, p := range st.PermissionSets {
		f.ps[p.Name] = p.Arn
	}
	for _, a := range st.Accounts {
		f.acct[a.Name] = a.Id
	}
	for _, u := range st.Users {
		f.user[u.UserName] = u.UserId
	}
	for _, g := range st.Groups {
		f.group[g.DisplayName] = g.GroupId
	}
	return f
}

// person returns the id of the one demo user with the given first name.
func (f *ssoFixture) person(t *testing.T, first string) string {
	t.Helper()
	var ids []string
	for name, id := range f.user {
		if strings.HasPrefix(name, first+".") {
			ids = append(ids, id)
		}
	}
	if len(ids) != 1 {
		t.Fatalf("got %d demo users called %s; want 1", len(ids), first)
	}
	return ids[0]
}

// Well-formed identifiers of nothing.
const (
	ssoNoInstance       = "arn:aws:sso:::instance/ssoins-0000000000000000"
	ssoNoPermSet        = "arn:aws:sso:::permissionSet/ssoins-0000000000000000/ps-0000000000000000"
	ssoNoAccount        = "999999999999"
	ssoNoPrincipal      = "0000000000-00000000-0000-4000-8000-000000000000"
	ssoNoRequestID      = "00000000-0000-4000-8000-000000000000"
	ssoAdminPolicy      = "arn:aws:iam::aws:policy/AdministratorAccess"
	ssoRequestIDPattern = `^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`
)

var ssoIgnore = cmpopts.IgnoreUnexported(
	types.PermissionSet{}, types.InstanceMetadata{}, types.AttachedManagedPolicy{},
	types.CustomerManagedPolicyReference{}, types.PermissionsBoundary{}, types.Tag{},
	types.AccountAssignment{}, types.AccountAssignmentForPrincipal{},
	types.AccountAssignmentOperationStatus{}, types.PermissionSetProvisioningStatus{},
)

// ssoPager is what every generated ssoadmin paginator offers.
type ssoPager[O any] interface {
	HasMorePages() bool
	NextPage(context.Context, ...func(*ssoadmin.Options)) (O, error)
}

// ssoDrain collects every page of p, returning the items and the page count.
func ssoDrain[O any](p ssoPager[O], items func(O) []string) ([]string, int, error) {
	var out []string
	pages := 0
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, pages, err
		}
		pages++
		out = append(out, items(page)...)
	}
	return out, pages, nil
}

func ssoLimit(n int32) *int32 {
	if n == 0 {
		return nil
	}
	return aws.Int32(n)
}

func TestSSOAdminListInstances(t *testing.T) {
	f := newSSOFixture(t, emulator.Options{})
	out, err := f.c.ListInstances(ctx, &ssoadmin.ListInstancesInput{})
	if err != nil {
		t.Fatal(err)
	}
	in := f.st.Instances[0]
	created := in.Created
	want := []types.InstanceMetadata{{
		InstanceArn: aws.String(in.InstanceArn), IdentityStoreId: aws.String(in.IdentityStoreId),
		OwnerAccountId: aws.String(in.OwnerAccountId), Name: aws.String(in.Name),
		Status: types.InstanceStatusActive, CreatedDate: &created,
		PrimaryRegion: aws.String("us-east-1"),
		Regions:       []types.RegionMetadata{{RegionName: aws.String("us-east-1"), Status: types.RegionStatusActive, AddedDate: &created, IsPrimaryRegion: true}},
	}}
	if diff := cmp.Diff(want, out.Instances, ssoIgnore, cmpopts.IgnoreUnexported(types.RegionMetadata{})); diff != "" {
		t.Errorf("ListInstances (-want +got):\n%s", diff)
	}
	if out.NextToken != nil {
		t.Errorf("got NextToken %q; want none", *out.NextToken)
	}
}

func TestSSOAdminPermissionSetLifecycle(t *testing.T) {
	f := newSSOFixture(t, emulator.Options{})
	created, err := f.c.CreatePermissionSet(ctx, &ssoadmin.CreatePermissionSetInput{
		InstanceArn: &f.inst, Name: aws.String("DataScientist"), Description: aws.String("Notebooks and models"),
		RelayState: aws.String("https://console.aws.amazon.com/sagemaker/"),
		Tags:       []types.Tag{{Key: aws.String("team"), Value: aws.String("ml")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	ps := created.PermissionSet
	arnRE := regexp.MustCompile(`^arn:aws:sso:::permissionSet/` + regexp.QuoteMeta(strings.TrimPrefix(f.inst, "arn:aws:sso:::instance/")) + `/ps-[0-9a-f]{16}$`)
	if !arnRE.MatchString(aws.ToString(ps.PermissionSetArn)) {
		t.Errorf("got PermissionSetArn %q; want it to match %s", aws.ToString(ps.PermissionSetArn), arnRE)
	}
	if got := aws.ToString(ps.SessionDuration); got != "PT1H" {
		t.Errorf("got default SessionDuration %q; want PT1H", got)
	}
	if ps.CreatedDate == nil || ps.CreatedDate.IsZero() {
		t.Errorf("got CreatedDate %v; want a time", ps.CreatedDate)
	}
	ref := ssoRefOf(f.inst, aws.ToString(ps.PermissionSetArn))

	desc, err := f.c.DescribePermissionSet(ctx, &ssoadmin.DescribePermissionSetInput{InstanceArn: ref.inst, PermissionSetArn: ref.ps})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(ps, desc.PermissionSet, ssoIgnore); diff != "" {
		t.Errorf("DescribePermissionSet after create (-want +got):\n%s", diff)
	}

	_, err = f.c.UpdatePermissionSet(ctx, &ssoadmin.UpdatePermissionSetInput{
		InstanceArn: ref.inst, PermissionSetArn: ref.ps, SessionDuration: aws.String("PT8H"), Description: aws.String("Updated"),
	})
	if err != nil {
		t.Fatal(err)
	}
	desc, err = f.c.DescribePermissionSet(ctx, &ssoadmin.DescribePermissionSetInput{InstanceArn: ref.inst, PermissionSetArn: ref.ps})
	if err != nil {
		t.Fatal(err)
	}
	want := *ps
	want.SessionDuration, want.Description = aws.String("PT8H"), aws.String("Updated")
	if diff := cmp.Diff(&want, desc.PermissionSet, ssoIgnore); diff != "" {
		t.Errorf("DescribePermissionSet after update (-want +got):\n%s", diff)
	}

	list, err := f.c.ListPermissionSets(ctx, &ssoadmin.ListPermissionSetsInput{InstanceArn: &f.inst})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(list.PermissionSets), len(f.ps)+1; got != want || !slices.Contains(list.PermissionSets, *ref.ps) {
		t.Errorf("got %d permission sets %v; want %d including %s", got, list.PermissionSets, want, *ref.ps)
	}

	if _, err := f.c.DeletePermissionSet(ctx, &ssoadmin.DeletePermissionSetInput{InstanceArn: ref.inst, PermissionSetArn: ref.ps}); err != nil {
		t.Fatal(err)
	}
	_, err = f.c.DescribePermissionSet(ctx, &ssoadmin.DescribePermissionSetInput{InstanceArn: ref.inst, PermissionSetArn: ref.ps})
	wantAPIError(t, err, "ResourceNotFoundException")
	// The name is free again.
	if _, err := f.c.CreatePermissionSet(ctx, &ssoadmin.CreatePermissionSetInput{InstanceArn: &f.inst, Name: aws.String("DataScientist")}); err != nil {
		t.Errorf("recreate after delete: %v", err)
	}
}

type ssoRef struct{ inst, ps *string }

func ssoRefOf(inst, ps string) ssoRef { return ssoRef{aws.String(inst), aws.String(ps)} }

func TestSSOAdminPermissionSetErrors(t *testing.T) {
	f := newSSOFixture(t, emulator.Options{})
	dev := f.ps["Developer"]
	create := func(mod func(*ssoadmin.CreatePermissionSetInput)) error {
		in := &ssoadmin.CreatePermissionSetInput{InstanceArn: aws.String(f.inst), Name: aws.String("Fresh")}
		mod(in)
		_, err := f.c.CreatePermissionSet(ctx, in)
		return err
	}
	tests := []struct {
		name string
		call func() error
		code string
	}{
		{"create duplicate name", func() error {
			return create(func(in *ssoadmin.CreatePermissionSetInput) { in.Name = aws.String("Developer") })
		}, "ConflictException"},
		{"create duplicate name other case", func() error {
			return create(func(in *ssoadmin.CreatePermissionSetInput) { in.Name = aws.String("developer") })
		}, "ConflictException"},
		{"create bad name", func() error {
			return create(func(in *ssoadmin.CreatePermissionSetInput) { in.Name = aws.String("has space") })
		}, "ValidationException"},
		{"create name too long", func() error {
			return create(func(in *ssoadmin.CreatePermissionSetInput) { in.Name = aws.String(strings.Repeat("a", 33)) })
		}, "ValidationException"},
		{"create numeric duration", func() error {
			return create(func(in *ssoadmin.CreatePermissionSetInput) { in.SessionDuration = aws.String("3600") })
		}, "ValidationException"},
		{"create duration over 12h", func() error {
			return create(func(in *ssoadmin.CreatePermissionSetInput) { in.SessionDuration = aws.String("PT13H") })
		}, "ValidationException"},
		{"create bad instance", func() error {
			return create(func(in *ssoadmin.CreatePermissionSetInput) {
				in.InstanceArn = aws.String("arn:aws:sso:::instance/nope")
			})
		}, "ValidationException"},
		{"create unknown instance", func() error {
			return create(func(in *ssoadmin.CreatePermissionSetInput) { in.InstanceArn = aws.String(ssoNoInstance) })
		}, "ResourceNotFoundException"},
		{"create relay state outside the model's pattern", func() error {
			return create(func(in *ssoadmin.CreatePermissionSetInput) { in.RelayState = aws.String("https://example.com/\tpath") })
		}, "ValidationException"},
		{"create with more tags than the model's 75 a request", func() error {
			return create(func(in *ssoadmin.CreatePermissionSetInput) {
				for range 76 {
					in.Tags = append(in.Tags, types.Tag{Key: aws.String("team"), Value: aws.String("a")})
				}
			})
		}, "ValidationException"},
		{"untag more keys than the model's 75 a request", func() error {
			keys := make([]string, 76)
			for i := range keys {
				keys[i] = "team"
			}
			_, err := f.c.UntagResource(ctx, &ssoadmin.UntagResourceInput{InstanceArn: &f.inst, ResourceArn: &dev, TagKeys: keys})
			return err
		}, "ValidationException"},
		{"describe unknown", func() error {
			_, err := f.c.DescribePermissionSet(ctx, &ssoadmin.DescribePermissionSetInput{InstanceArn: &f.inst, PermissionSetArn: aws.String(ssoNoPermSet)})
			return err
		}, "ResourceNotFoundException"},
		{"describe malformed", func() error {
			_, err := f.c.DescribePermissionSet(ctx, &ssoadmin.DescribePermissionSetInput{InstanceArn: &f.inst, PermissionSetArn: aws.String("arn:aws:sso:::instance/ssoins-0000000000000000/ps-0")})
			return err
		}, "ValidationException"},
		{"describe in unknown instance", func() error {
			_, err := f.c.DescribePermissionSet(ctx, &ssoadmin.DescribePermissionSetInput{InstanceArn: aws.String(ssoNoInstance), PermissionSetArn: &dev})
			return err
		}, "ResourceNotFoundException"},
		{"update relay state outside the model's pattern", func() error {
			_, err := f.c.UpdatePermissionSet(ctx, &ssoadmin.UpdatePermissionSetInput{InstanceArn: &f.inst, PermissionSetArn: &dev, RelayState: aws.String("\t")})
			return err
		}, "ValidationException"},
		{"update bad duration", func() error {
			_, err := f.c.UpdatePermissionSet(ctx, &ssoadmin.UpdatePermissionSetInput{InstanceArn: &f.inst, PermissionSetArn: &dev, SessionDuration: aws.String("1 hour")})
			return err
		}, "ValidationException"},
		{"update unknown", func() error {
			_, err := f.c.UpdatePermissionSet(ctx, &ssoadmin.UpdatePermissionSetInput{InstanceArn: &f.inst, PermissionSetArn: aws.String(ssoNoPermSet)})
			return err
		}, "ResourceNotFoundException"},
		{"delete with assignments", func() error {
			_, err := f.c.DeletePermissionSet(ctx, &ssoadmin.DeletePermissionSetInput{InstanceArn: &f.inst, PermissionSetArn: &dev})
			return err
		}, "ConflictException"},
		{"delete unknown", func() error {
			_, err := f.c.DeletePermissionSet(ctx, &ssoadmin.DeletePermissionSetInput{InstanceArn: &f.inst, PermissionSetArn: aws.String(ssoNoPermSet)})
			return err
		}, "ResourceNotFoundException"},
		{"list unknown instance", func() error {
			_, err := f.c.ListPermissionSets(ctx, &ssoadmin.ListPermissionSetsInput{InstanceArn: aws.String(ssoNoInstance)})
			return err
		}, "ResourceNotFoundException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantAPIError(t, tt.call(), tt.code)
		})
	}
}

// ssoErrMessage returns an API error's message.
func ssoErrMessage(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorMessage()
	}
	return ""
}

func TestSSOAdminInlinePolicy(t *testing.T) {
	f := newSSOFixture(t, emulator.Options{})
	ref := ssoRefOf(f.inst, f.ps["Developer"])
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}`

	got, err := f.c.GetInlinePolicyForPermissionSet(ctx, &ssoadmin.GetInlinePolicyForPermissionSetInput{InstanceArn: ref.inst, PermissionSetArn: ref.ps})
	if err != nil {
		t.Fatal(err)
	}
	// None is no member at all: "" breaks the model's minimum length.
	if got.InlinePolicy != nil {
		t.Errorf("got inline policy %q before put; want none", *got.InlinePolicy)
	}
	if _, err := f.c.PutInlinePolicyToPermissionSet(ctx, &ssoadmin.PutInlinePolicyToPermissionSetInput{InstanceArn: ref.inst, PermissionSetArn: ref.ps, InlinePolicy: &policy}); err != nil {
		t.Fatal(err)
	}
	got, err = f.c.GetInlinePolicyForPermissionSet(ctx, &ssoadmin.GetInlinePolicyForPermissionSetInput{InstanceArn: ref.inst, PermissionSetArn: ref.ps})
	if err != nil {
		t.Fatal(err)
	}
	if p := aws.ToString(got.InlinePolicy); p != policy {
		t.Errorf("got inline policy %q; want %q", p, policy)
	}
	// Put leaves every account the set is provisioned to behind.
	outdated := ssoProvisionedAccounts(t, f, *ref.ps, types.ProvisioningStatusLatestPermissionSetNotProvisioned)
	all := ssoProvisionedAccounts(t, f, *ref.ps, "")
	if len(all) == 0 || !cmp.Equal(outdated, all) {
		t.Errorf("got outdated accounts %v after put; want all provisioned accounts %v", outdated, all)
	}

	if _, err := f.c.DeleteInlinePolicyFromPermissionSet(ctx, &ssoadmin.DeleteInlinePolicyFromPermissionSetInput{InstanceArn: ref.inst, PermissionSetArn: ref.ps}); err != nil {
		t.Fatal(err)
	}
	got, err = f.c.GetInlinePolicyForPermissionSet(ctx, &ssoadmin.GetInlinePolicyForPermissionSetInput{InstanceArn: ref.inst, PermissionSetArn: ref.ps})
	if err != nil {
		t.Fatal(err)
	}
	if got.InlinePolicy != nil {
		t.Errorf("got inline policy %q after delete; want none", *got.InlinePolicy)
	}

	tests := []struct {
		name, policy, ps, code string
	}{
		{"too long", `{"Sid":"` + strings.Repeat("x", 10240) + `"}`, *ref.ps, "ValidationException"},
		{"over the model's length", `{"Sid":"x"}` + strings.Repeat(" ", 32768), *ref.ps, "ValidationException"},
		{"outside the model's characters", `{"Sid":"€"}`, *ref.ps, "ValidationException"},
		{"not json", `{"Version":`, *ref.ps, "ValidationException"},
		{"empty", "", *ref.ps, "ValidationException"},
		{"unknown permission set", policy, ssoNoPermSet, "ResourceNotFoundException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.c.PutInlinePolicyToPermissionSet(ctx, &ssoadmin.PutInlinePolicyToPermissionSetInput{InstanceArn: ref.inst, PermissionSetArn: &tt.ps, InlinePolicy: &tt.policy})
			wantAPIError(t, err, tt.code)
		})
	}
	// Whitespace counts toward the model's 32,768 characters only, not
	// toward the quota of 10,240 other characters (the quotas page).
	indented := "{\n" + strings.Repeat(" ", 20000) + `"Version": "2012-10-17", "Statement": []` + "\n}"
	if _, err := f.c.PutInlinePolicyToPermissionSet(ctx, &ssoadmin.PutInlinePolicyToPermissionSetInput{InstanceArn: ref.inst, PermissionSetArn: ref.ps, InlinePolicy: &indented}); err != nil {
		t.Errorf("put a policy of %d characters, 20,000 of them spaces: %v; want it accepted", len(indented), err)
	}
}

func ssoProvisionedAccounts(t *testing.T, f *ssoFixture, ps string, status types.ProvisioningStatus) []string {
	t.Helper()
	out, err := f.c.ListAccountsForProvisionedPermissionSet(ctx, &ssoadmin.ListAccountsForProvisionedPermissionSetInput{
		InstanceArn: &f.inst, PermissionSetArn: &ps, ProvisioningStatus: status,
	})
	if err != nil {
		t.Fatal(err)
	}
	return out.AccountIds
}

func TestSSOAdminManagedPolicies(t *testing.T) {
	f := newSSOFixture(t, emulator.Options{})
	ref := ssoRefOf(f.inst, f.ps["Developer"]) // has PowerUserAccess
	attach := func(arn string) error {
		_, err := f.c.AttachManagedPolicyToPermissionSet(ctx, &ssoadmin.AttachManagedPolicyToPermissionSetInput{InstanceArn: ref.inst, PermissionSetArn: ref.ps, ManagedPolicyArn: &arn})
		return err
	}
	if err := attach("arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"); err != nil {
		t.Fatal(err)
	}
	out, err := f.c.ListManagedPoliciesInPermissionSet(ctx, &ssoadmin.ListManagedPoliciesInPermissionSetInput{InstanceArn: ref.inst, PermissionSetArn: ref.ps})
	if err != nil {
		t.Fatal(err)
	}
	want := []types.AttachedManagedPolicy{
		{Name: aws.String("PowerUserAccess"), Arn: aws.String("arn:aws:iam::aws:policy/PowerUserAccess")},
		{Name: aws.String("ViewOnlyAccess"), Arn: aws.String("arn:aws:iam::aws:policy/job-function/ViewOnlyAccess")},
	}
	if diff := cmp.Diff(want, out.AttachedManagedPolicies, ssoIgnore); diff != "" {
		t.Errorf("ListManagedPoliciesInPermissionSet (-want +got):\n%s", diff)
	}
	if _, err := f.c.DetachManagedPolicyFromPermissionSet(ctx, &ssoadmin.DetachManagedPolicyFromPermissionSetInput{InstanceArn: ref.inst, PermissionSetArn: ref.ps, ManagedPolicyArn: want[1].Arn}); err != nil {
		t.Fatal(err)
	}

	t.Run("duplicate attach", func(t *testing.T) {
		wantAPIError(t, attach("arn:aws:iam::aws:policy/PowerUserAccess"), "ConflictException")
	})
	t.Run("detach unattached", func(t *testing.T) {
		_, err := f.c.DetachManagedPolicyFromPermissionSet(ctx, &ssoadmin.DetachManagedPolicyFromPermissionSetInput{InstanceArn: ref.inst, PermissionSetArn: ref.ps, ManagedPolicyArn: want[1].Arn})
		wantAPIError(t, err, "ResourceNotFoundException")
	})
	t.Run("customer policy ARN", func(t *testing.T) {
		wantAPIError(t, attach("arn:aws:iam::123456789012:policy/Mine"), "ValidationException")
	})
	t.Run("unknown permission set", func(t *testing.T) {
		_, err := f.c.AttachManagedPolicyToPermissionSet(ctx, &ssoadmin.AttachManagedPolicyToPermissionSetInput{InstanceArn: ref.inst, PermissionSetArn: aws.String(ssoNoPermSet), ManagedPolicyArn: aws.String(ssoAdminPolicy)})
		wantAPIError(t, err, "ResourceNotFoundException")
	})
	t.Run("quota", func(t *testing.T) {
		for i := 2; i <= 20; i++ { // PowerUserAccess is the first
			if err := attach(fmt.Sprintf("arn:aws:iam::aws:policy/Policy%02d", i)); err != nil {
				t.Fatalf("attach policy %d: %v", i, err)
			}
		}
		wantAPIError(t, attach("arn:aws:iam::aws:policy/OneTooMany"), "ServiceQuotaExceededException")
	})
}

func TestSSOAdminCustomerManagedPolicies(t *testing.T) {
	f := newSSOFixture(t, emulator.Options{})
	ref := ssoRefOf(f.inst, f.ps["InsightsDeveloper"]) // has insights-data-access
	cmpRef := func(name, path string) *types.CustomerManagedPolicyReference {
		r := &types.CustomerManagedPolicyReference{Name: aws.String(name)}
		if path != "" {
			r.Path = aws.String(path)
		}
		return r
	}
	attach := func(r *types.CustomerManagedPolicyReference) error {
		_, err := f.c.AttachCustomerManagedPolicyReferenceToPermissionSet(ctx, &ssoadmin.AttachCustomerManagedPolicyReferenceToPermissionSetInput{InstanceArn: ref.inst, PermissionSetArn: ref.ps, CustomerManagedPolicyReference: r})
		return err
	}
	detach := func(r *types.CustomerManagedPolicyReference) error {
		_, err := f.c.DetachCustomerManagedPolicyReferenceFromPermissionSet(ctx, &ssoadmin.DetachCustomerManagedPolicyReferenceFromPermissionSetInput{InstanceArn: ref.inst, PermissionSetArn: ref.ps, CustomerManagedPolicyReference: r})
		return err
	}
	if err := attach(cmpRef("glue-jobs", "/analytics/")); err != nil {
		t.Fatal(err)
	}
	out, err := f.c.ListCustomerManagedPolicyReferencesInPermissionSet(ctx, &ssoadmin.ListCustomerManagedPolicyReferencesInPermissionSetInput{InstanceArn: ref.inst, PermissionSetArn: ref.ps})
	if err != nil {
		t.Fatal(err)
	}
	want := []types.CustomerManagedPolicyReference{*cmpRef("insights-data-access", "/"), *cmpRef("glue-jobs", "/analytics/")}
	if diff := cmp.Diff(want, out.CustomerManagedPolicyReferences, ssoIgnore, cmpopts.SortSlices(func(a, b types.CustomerManagedPolicyReference) bool {
		return aws.ToString(a.Name) < aws.ToString(b.Name)
	})); diff != "" {
		t.Errorf("ListCustomerManagedPolicyReferencesInPermissionSet (-want +got):\n%s", diff)
	}
	if err := detach(cmpRef("glue-jobs", "/analytics/")); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name string
		call func() error
		code string
	}{
		{"duplicate (default path)", func() error { return attach(cmpRef("insights-data-access", "")) }, "ConflictException"},
		{"detach unattached", func() error { return detach(cmpRef("glue-jobs", "/analytics/")) }, "ResourceNotFoundException"},
		{"bad name", func() error { return attach(cmpRef("no spaces", "")) }, "ValidationException"},
		{"bad path", func() error { return attach(cmpRef("ok", "no-slashes")) }, "ValidationException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantAPIError(t, tt.call(), tt.code)
		})
	}
}

func TestSSOAdminPermissionsBoundary(t *testing.T) {
	f := newSSOFixture(t, emulator.Options{})
	ref := ssoRefOf(f.inst, f.ps["Developer"])
	get := func() (*types.PermissionsBoundary, error) {
		out, err := f.c.GetPermissionsBoundaryForPermissionSet(ctx, &ssoadmin.GetPermissionsBoundaryForPermissionSetInput{InstanceArn: ref.inst, PermissionSetArn: ref.ps})
		if err != nil {
			return nil, err
		}
		return out.PermissionsBoundary, nil
	}
	put := func(b *types.PermissionsBoundary) error {
		_, err := f.c.PutPermissionsBoundaryToPermissionSet(ctx, &ssoadmin.PutPermissionsBoundaryToPermissionSetInput{InstanceArn: ref.inst, PermissionSetArn: ref.ps, PermissionsBoundary: b})
		return err
	}
	del := func() error {
		_, err := f.c.DeletePermissionsBoundaryFromPermissionSet(ctx, &ssoadmin.DeletePermissionsBoundaryFromPermissionSetInput{InstanceArn: ref.inst, PermissionSetArn: ref.ps})
		return err
	}

	_, err := get()
	wantAPIError(t, err, "ResourceNotFoundException")

	// The demo's ProductionSupport carries a customer managed boundary.
	got, err := f.c.GetPermissionsBoundaryForPermissionSet(ctx, &ssoadmin.GetPermissionsBoundaryForPermissionSetInput{InstanceArn: ref.inst, PermissionSetArn: aws.String(f.ps["ProductionSupport"])})
	if err != nil {
		t.Fatal(err)
	}
	wantDemo := &types.PermissionsBoundary{CustomerManagedPolicyReference: &types.CustomerManagedPolicyReference{Name: aws.String("ProductionSupportBoundary"), Path: aws.String("/")}}
	if diff := cmp.Diff(wantDemo, got.PermissionsBoundary, ssoIgnore); diff != "" {
		t.Errorf("demo boundary (-want +got):\n%s", diff)
	}

	for _, b := range []*types.PermissionsBoundary{
		{ManagedPolicyArn: aws.String("arn:aws:iam::aws:policy/PowerUserAccess")},
		{CustomerManagedPolicyReference: &types.CustomerManagedPolicyReference{Name: aws.String("DevBoundary"), Path: aws.String("/boundaries/")}},
	} {
		if err := put(b); err != nil {
			t.Fatal(err)
		}
		got, err := get()
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(b, got, ssoIgnore); diff != "" {
			t.Errorf("boundary after put (-want +got):\n%s", diff)
		}
	}
	if err := del(); err != nil {
		t.Fatal(err)
	}
	_, err = get()
	wantAPIError(t, err, "ResourceNotFoundException")

	tests := []struct {
		name string
		call func() error
		code string
	}{
		{"delete none", del, "ResourceNotFoundException"},
		{"put both kinds", func() error {
			return put(&types.PermissionsBoundary{ManagedPolicyArn: aws.String(ssoAdminPolicy), CustomerManagedPolicyReference: &types.CustomerManagedPolicyReference{Name: aws.String("x")}})
		}, "ValidationException"},
		{"put neither", func() error { return put(&types.PermissionsBoundary{}) }, "ValidationException"},
		{"put bad managed ARN", func() error {
			return put(&types.PermissionsBoundary{ManagedPolicyArn: aws.String("AdministratorAccess")})
		}, "ValidationException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantAPIError(t, tt.call(), tt.code)
		})
	}
}

func TestSSOAdminTags(t *testing.T) {
	f := newSSOFixture(t, emulator.Options{})
	ps := f.ps["Developer"]
	tag := func(tags ...types.Tag) error {
		_, err := f.c.TagResource(ctx, &ssoadmin.TagResourceInput{InstanceArn: &f.inst, ResourceArn: &ps, Tags: tags})
		return err
	}
	kv := func(k, v string) types.Tag { return types.Tag{Key: aws.String(k), Value: aws.String(v)} }
	if err := tag(kv("owner", "platform"), kv("cost-center", "42")); err != nil {
		t.Fatal(err)
	}
	if err := tag(kv("owner", "payments")); err != nil { // replaces
		t.Fatal(err)
	}
	if _, err := f.c.UntagResource(ctx, &ssoadmin.UntagResourceInput{InstanceArn: &f.inst, ResourceArn: &ps, TagKeys: []string{"cost-center", "absent"}}); err != nil {
		t.Fatal(err)
	}
	got, _, err := ssoDrain(ssoadmin.NewListTagsForResourcePaginator(f.c, &ssoadmin.ListTagsForResourceInput{InstanceArn: &f.inst, ResourceArn: &ps}),
		func(o *ssoadmin.ListTagsForResourceOutput) []string {
			var out []string
			for _, t := range o.Tags {
				out = append(out, aws.ToString(t.Key)+"="+aws.ToString(t.Value))
			}
			return out
		})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"owner=payments"}; !cmp.Equal(got, want) {
		t.Errorf("got tags %v; want %v", got, want)
	}
	// Tags given at creation are listed too, also without InstanceArn (newer SDKs make it optional).
	created, err := f.c.CreatePermissionSet(ctx, &ssoadmin.CreatePermissionSetInput{InstanceArn: &f.inst, Name: aws.String("Tagged"), Tags: []types.Tag{kv("env", "prod")}})
	if err != nil {
		t.Fatal(err)
	}
	lt, err := f.c.ListTagsForResource(ctx, &ssoadmin.ListTagsForResourceInput{ResourceArn: created.PermissionSet.PermissionSetArn})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]types.Tag{kv("env", "prod")}, lt.Tags, ssoIgnore); diff != "" {
		t.Errorf("tags from create (-want +got):\n%s", diff)
	}

	many := make([]types.Tag, 50)
	for i := range many {
		many[i] = kv(fmt.Sprintf("k%02d", i), "v")
	}
	tests := []struct {
		name string
		call func() error
		code string
	}{
		{"too many", func() error { return tag(many...) }, "ServiceQuotaExceededException"},
		{"bad key", func() error { return tag(kv("bad*key", "v")) }, "ValidationException"},
		{"empty tag list", func() error {
			_, err := f.c.TagResource(ctx, &ssoadmin.TagResourceInput{InstanceArn: &f.inst, ResourceArn: &ps, Tags: []types.Tag{}})
			return err
		}, "ValidationException"},
		{"unknown resource", func() error {
			_, err := f.c.TagResource(ctx, &ssoadmin.TagResourceInput{InstanceArn: &f.inst, ResourceArn: aws.String(ssoNoPermSet), Tags: []types.Tag{kv("a", "b")}})
			return err
		}, "ResourceNotFoundException"},
		{"list unknown resource", func() error {
			_, err := f.c.ListTagsForResource(ctx, &ssoadmin.ListTagsForResourceInput{InstanceArn: &f.inst, ResourceArn: aws.String(ssoNoPermSet)})
			return err
		}, "ResourceNotFoundException"},
		{"untag malformed resource", func() error {
			_, err := f.c.UntagResource(ctx, &ssoadmin.UntagResourceInput{InstanceArn: &f.inst, ResourceArn: aws.String("arn:aws:iam::aws:policy/x"), TagKeys: []string{"a"}})
			return err
		}, "ValidationException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantAPIError(t, tt.call(), tt.code)
		})
	}
}

func TestSSOAdminProvisioning(t *testing.T) {
	f := newSSOFixture(t, emulator.Options{PendingPolls: 2, AsyncDelay: time.Minute})
	ps := f.ps["FinanceAdmin"] // provisioned only to the management account
	target := f.acct["payments-dev"]
	provision := func(targetType types.ProvisionTargetType, id *string) (*types.PermissionSetProvisioningStatus, error) {
		out, err := f.c.ProvisionPermissionSet(ctx, &ssoadmin.ProvisionPermissionSetInput{InstanceArn: &f.inst, PermissionSetArn: &ps, TargetType: targetType, TargetId: id})
		if err != nil {
			return nil, err
		}
		return out.PermissionSetProvisioningStatus, nil
	}
	describe := func(id *string) (*types.PermissionSetProvisioningStatus, error) {
		out, err := f.c.DescribePermissionSetProvisioningStatus(ctx, &ssoadmin.DescribePermissionSetProvisioningStatusInput{InstanceArn: &f.inst, ProvisionPermissionSetRequestId: id})
		if err != nil {
			return nil, err
		}
		return out.PermissionSetProvisioningStatus, nil
	}

	st, err := provision(types.ProvisionTargetTypeAwsAccount, &target)
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(ssoRequestIDPattern).MatchString(aws.ToString(st.RequestId)) {
		t.Errorf("got RequestId %q; want a lower-case UUID", aws.ToString(st.RequestId))
	}
	want := &types.PermissionSetProvisioningStatus{Status: types.StatusValuesInProgress, RequestId: st.RequestId, AccountId: &target, PermissionSetArn: &ps, CreatedDate: st.CreatedDate}
	if diff := cmp.Diff(want, st, ssoIgnore); diff != "" {
		t.Errorf("ProvisionPermissionSet (-want +got):\n%s", diff)
	}
	for i, wantStatus := range []types.StatusValues{types.StatusValuesInProgress, types.StatusValuesSucceeded} {
		got, err := describe(st.RequestId)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != wantStatus {
			t.Errorf("describe %d: got status %s; want %s", i+1, got.Status, wantStatus)
		}
	}
	prov, err := f.c.ListPermissionSetsProvisionedToAccount(ctx, &ssoadmin.ListPermissionSetsProvisionedToAccountInput{InstanceArn: &f.inst, AccountId: &target})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(prov.PermissionSets, ps) {
		t.Errorf("got %v provisioned to %s; want it to include %s", prov.PermissionSets, target, ps)
	}

	t.Run("unknown account fails", func(t *testing.T) {
		st, err := provision(types.ProvisionTargetTypeAwsAccount, aws.String(ssoNoAccount))
		if err != nil {
			t.Fatal(err)
		}
		var got *types.PermissionSetProvisioningStatus
		for range 2 {
			if got, err = describe(st.RequestId); err != nil {
				t.Fatal(err)
			}
		}
		if got.Status != types.StatusValuesFailed || !strings.Contains(aws.ToString(got.FailureReason), ssoNoAccount) {
			t.Errorf("got status %s reason %q; want FAILED naming %s", got.Status, aws.ToString(got.FailureReason), ssoNoAccount)
		}
	})

	t.Run("all provisioned accounts brings them up to date", func(t *testing.T) {
		if _, err := f.c.UpdatePermissionSet(ctx, &ssoadmin.UpdatePermissionSetInput{InstanceArn: &f.inst, PermissionSetArn: &ps, Description: aws.String("changed")}); err != nil {
			t.Fatal(err)
		}
		all := ssoProvisionedAccounts(t, f, ps, "")
		if got := ssoProvisionedAccounts(t, f, ps, types.ProvisioningStatusLatestPermissionSetNotProvisioned); !cmp.Equal(got, all) {
			t.Errorf("got outdated %v after update; want %v", got, all)
		}
		if got := ssoProvisionedAccounts(t, f, ps, types.ProvisioningStatusLatestPermissionSetProvisioned); len(got) != 0 {
			t.Errorf("got up to date %v after update; want none", got)
		}
		st, err := provision(types.ProvisionTargetTypeAllProvisionedAccounts, nil)
		if err != nil {
			t.Fatal(err)
		}
		if st.AccountId != nil {
			t.Errorf("got AccountId %q for ALL_PROVISIONED_ACCOUNTS; want none", *st.AccountId)
		}
		for range 2 {
			if _, err := describe(st.RequestId); err != nil {
				t.Fatal(err)
			}
		}
		if got := ssoProvisionedAccounts(t, f, ps, types.ProvisioningStatusLatestPermissionSetProvisioned); !cmp.Equal(got, all) {
			t.Errorf("got up to date %v after provisioning; want %v", got, all)
		}
	})

	t.Run("list status with filter", func(t *testing.T) {
		if _, err := provision(types.ProvisionTargetTypeAwsAccount, &target); err != nil {
			t.Fatal(err)
		}
		out, err := f.c.ListPermissionSetProvisioningStatus(ctx, &ssoadmin.ListPermissionSetProvisioningStatusInput{InstanceArn: &f.inst, Filter: &types.OperationStatusFilter{Status: types.StatusValuesInProgress}})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.PermissionSetsProvisioningStatus) != 1 || out.PermissionSetsProvisioningStatus[0].Status != types.StatusValuesInProgress {
			t.Errorf("got %+v; want the one IN_PROGRESS request", out.PermissionSetsProvisioningStatus)
		}
		out, err = f.c.ListPermissionSetProvisioningStatus(ctx, &ssoadmin.ListPermissionSetProvisioningStatusInput{InstanceArn: &f.inst, Filter: &types.OperationStatusFilter{Status: types.StatusValuesFailed}})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.PermissionSetsProvisioningStatus) != 1 {
			t.Errorf("got %d FAILED requests; want 1", len(out.PermissionSetsProvisioningStatus))
		}
	})

	tests := []struct {
		name string
		call func() error
		code string
	}{
		{"account target without id", func() error { _, err := provision(types.ProvisionTargetTypeAwsAccount, nil); return err }, "ValidationException"},
		{"bad target id", func() error { _, err := provision(types.ProvisionTargetTypeAwsAccount, aws.String("1234")); return err }, "ValidationException"},
		{"bad target type", func() error { _, err := provision("OU", &target); return err }, "ValidationException"},
		{"unknown permission set", func() error {
			_, err := f.c.ProvisionPermissionSet(ctx, &ssoadmin.ProvisionPermissionSetInput{InstanceArn: &f.inst, PermissionSetArn: aws.String(ssoNoPermSet), TargetType: types.ProvisionTargetTypeAwsAccount, TargetId: &target})
			return err
		}, "ResourceNotFoundException"},
		{"describe unknown request", func() error { _, err := describe(aws.String(ssoNoRequestID)); return err }, "ResourceNotFoundException"},
		{"describe malformed request", func() error { _, err := describe(aws.String("NOT-A-UUID")); return err }, "ValidationException"},
		{"list bad filter", func() error {
			_, err := f.c.ListPermissionSetProvisioningStatus(ctx, &ssoadmin.ListPermissionSetProvisioningStatusInput{InstanceArn: &f.inst, Filter: &types.OperationStatusFilter{Status: "DONE"}})
			return err
		}, "ValidationException"},
		{"accounts bad provisioning status", func() error {
			_, err := f.c.ListAccountsForProvisionedPermissionSet(ctx, &ssoadmin.ListAccountsForProvisionedPermissionSetInput{InstanceArn: &f.inst, PermissionSetArn: &ps, ProvisioningStatus: "LATEST"})
			return err
		}, "ValidationException"},
		{"provisioned to bad account", func() error {
			_, err := f.c.ListPermissionSetsProvisionedToAccount(ctx, &ssoadmin.ListPermissionSetsProvisionedToAccountInput{InstanceArn: &f.inst, AccountId: aws.String("12")})
			return err
		}, "ValidationException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantAPIError(t, tt.call(), tt.code)
		})
	}
}

// ssoAssignment is the input of a Create or DeleteAccountAssignment call.
type ssoAssignment struct {
	account, ps string
	ptype       types.PrincipalType
	pid         string
}

func (f *ssoFixture) create(a ssoAssignment) (*types.AccountAssignmentOperationStatus, error) {
	out, err := f.c.CreateAccountAssignment(ctx, &ssoadmin.CreateAccountAssignmentInput{
		InstanceArn: &f.inst, TargetId: &a.account, TargetType: types.TargetTypeAwsAccount,
		PermissionSetArn: &a.ps, PrincipalType: a.ptype, PrincipalId: &a.pid,
	})
	if err != nil {
		return nil, err
	}
	return out.AccountAssignmentCreationStatus, nil
}

func (f *ssoFixture) delete(a ssoAssignment) (*types.AccountAssignmentOperationStatus, error) {
	out, err := f.c.DeleteAccountAssignment(ctx, &ssoadmin.DeleteAccountAssignmentInput{
		InstanceArn: &f.inst, TargetId: &a.account, TargetType: types.TargetTypeAwsAccount,
		PermissionSetArn: &a.ps, PrincipalType: a.ptype, PrincipalId: &a.pid,
	})
	if err != nil {
		return nil, err
	}
	return out.AccountAssignmentDeletionStatus, nil
}

func (f *ssoFixture) describeCreate(t *testing.T, id *string) *types.AccountAssignmentOperationStatus {
	t.Helper()
	out, err := f.c.DescribeAccountAssignmentCreationStatus(ctx, &ssoadmin.DescribeAccountAssignmentCreationStatusInput{InstanceArn: &f.inst, AccountAssignmentCreationRequestId: id})
	if err != nil {
		t.Fatal(err)
	}
	return out.AccountAssignmentCreationStatus
}

func (f *ssoFixture) describeDelete(t *testing.T, id *string) *types.AccountAssignmentOperationStatus {
	t.Helper()
	out, err := f.c.DescribeAccountAssignmentDeletionStatus(ctx, &ssoadmin.DescribeAccountAssignmentDeletionStatusInput{InstanceArn: &f.inst, AccountAssignmentDeletionRequestId: id})
	if err != nil {
		t.Fatal(err)
	}
	return out.AccountAssignmentDeletionStatus
}

// assigned lists the principals assigned a permission set in an account, as TYPE:id.
func (f *ssoFixture) assigned(t *testing.T, account, ps string) []string {
	t.Helper()
	out, err := f.c.ListAccountAssignments(ctx, &ssoadmin.ListAccountAssignmentsInput{InstanceArn: &f.inst, AccountId: &account, PermissionSetArn: &ps})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range out.AccountAssignments {
		got = append(got, string(a.PrincipalType)+":"+aws.ToString(a.PrincipalId))
	}
	return got
}

func TestSSOAdminAccountAssignmentAsync(t *testing.T) {
	f := newSSOFixture(t, emulator.Options{PendingPolls: 2, AsyncDelay: time.Minute})
	a := ssoAssignment{f.acct["network"], f.ps["SecurityAdmin"], types.PrincipalTypeUser, f.person(t, "ingrid")}
	principal := "USER:" + a.pid

	st, err := f.create(a)
	if err != nil {
		t.Fatal(err)
	}
	want := &types.AccountAssignmentOperationStatus{
		Status: types.StatusValuesInProgress, RequestId: st.RequestId, CreatedDate: st.CreatedDate,
		TargetId: &a.account, TargetType: types.TargetTypeAwsAccount, PermissionSetArn: &a.ps,
		PrincipalType: a.ptype, PrincipalId: &a.pid,
	}
	if diff := cmp.Diff(want, st, ssoIgnore); diff != "" {
		t.Errorf("CreateAccountAssignment (-want +got):\n%s", diff)
	}
	if got := f.assigned(t, a.account, a.ps); slices.Contains(got, principal) {
		t.Errorf("got %v listed before the request succeeded; want %s absent", got, principal)
	}
	if got := f.describeCreate(t, st.RequestId); got.Status != types.StatusValuesInProgress {
		t.Errorf("first describe: got %s; want IN_PROGRESS", got.Status)
	}
	if got := f.assigned(t, a.account, a.ps); slices.Contains(got, principal) {
		t.Errorf("got %v listed while IN_PROGRESS; want %s absent", got, principal)
	}
	done := f.describeCreate(t, st.RequestId)
	want.Status = types.StatusValuesSucceeded
	if diff := cmp.Diff(want, done, ssoIgnore); diff != "" {
		t.Errorf("second describe (-want +got):\n%s", diff)
	}
	if got := f.assigned(t, a.account, a.ps); !slices.Contains(got, principal) {
		t.Errorf("got %v after success; want it to include %s", got, principal)
	}
	// Creating it auto-provisions the permission set to the account.
	if got := ssoProvisionedAccounts(t, f, a.ps, ""); !slices.Contains(got, a.account) {
		t.Errorf("got %s provisioned to %v; want it to include %s", a.ps, got, a.account)
	}

	t.Run("create again is idempotent", func(t *testing.T) {
		st, err := f.create(a)
		if err != nil {
			t.Fatal(err)
		}
		f.describeCreate(t, st.RequestId)
		if got := f.describeCreate(t, st.RequestId); got.Status != types.StatusValuesSucceeded {
			t.Errorf("got %s; want SUCCEEDED", got.Status)
		}
		if got := f.assigned(t, a.account, a.ps); len(got) != 1 {
			t.Errorf("got %v; want one assignment", got)
		}
	})

	t.Run("delete", func(t *testing.T) {
		st, err := f.delete(a)
		if err != nil {
			t.Fatal(err)
		}
		if st.Status != types.StatusValuesInProgress {
			t.Errorf("got %s from DeleteAccountAssignment; want IN_PROGRESS", st.Status)
		}
		f.describeDelete(t, st.RequestId)
		if got := f.assigned(t, a.account, a.ps); !slices.Contains(got, principal) {
			t.Errorf("got %v while delete IN_PROGRESS; want %s still listed", got, principal)
		}
		if got := f.describeDelete(t, st.RequestId); got.Status != types.StatusValuesSucceeded {
			t.Errorf("got %s; want SUCCEEDED", got.Status)
		}
		if got := f.assigned(t, a.account, a.ps); slices.Contains(got, principal) {
			t.Errorf("got %v after delete; want %s gone", got, principal)
		}
		// Deleting leaves the provision in place (the sandbox never deprovisions).
		if got := ssoProvisionedAccounts(t, f, a.ps, ""); !slices.Contains(got, a.account) {
			t.Errorf("got %v; want %s still provisioned", got, a.account)
		}
	})

	failing := []struct {
		name   string
		kind   string
		a      ssoAssignment
		reason string // a word the FailureReason must contain
	}{
		{"missing user", "create", ssoAssignment{a.account, a.ps, types.PrincipalTypeUser, ssoNoPrincipal}, ssoNoPrincipal},
		{"group id as user", "create", ssoAssignment{a.account, a.ps, types.PrincipalTypeUser, f.group["developers"]}, f.group["developers"]},
		{"missing group", "create", ssoAssignment{a.account, a.ps, types.PrincipalTypeGroup, ssoNoPrincipal}, ssoNoPrincipal},
		{"unknown account", "create", ssoAssignment{ssoNoAccount, a.ps, types.PrincipalTypeUser, a.pid}, ssoNoAccount},
		{"delete missing assignment", "delete", a, "does not exist"},
	}
	for _, tt := range failing {
		t.Run(tt.name, func(t *testing.T) {
			var got *types.AccountAssignmentOperationStatus
			if tt.kind == "create" {
				st, err := f.create(tt.a)
				if err != nil {
					t.Fatal(err)
				}
				f.describeCreate(t, st.RequestId)
				got = f.describeCreate(t, st.RequestId)
			} else {
				st, err := f.delete(tt.a)
				if err != nil {
					t.Fatal(err)
				}
				f.describeDelete(t, st.RequestId)
				got = f.describeDelete(t, st.RequestId)
			}
			if got.Status != types.StatusValuesFailed || !strings.Contains(aws.ToString(got.FailureReason), tt.reason) {
				t.Errorf("got status %s reason %q; want FAILED with a reason naming %q", got.Status, aws.ToString(got.FailureReason), tt.reason)
			}
			if got := f.assigned(t, tt.a.account, tt.a.ps); slices.Contains(got, string(tt.a.ptype)+":"+tt.a.pid) && tt.kind == "create" {
				t.Errorf("got %v; want the failed assignment absent", got)
			}
		})
	}

	t.Run("delete orphan succeeds", func(t *testing.T) {
		// The demo has an assignment of a user deleted since.
		var orphan *emulator.Assignment
		for i, as := range f.st.Assignments {
			if as.PrincipalType == "USER" && !slices.Contains(ssoValues(f.user), as.PrincipalId) {
				orphan = &f.st.Assignments[i]
			}
		}
		if orphan == nil {
			t.Fatal("demo org has no orphaned assignment")
		}
		st, err := f.delete(ssoAssignment{orphan.AccountId, orphan.PermissionSetArn, types.PrincipalTypeUser, orphan.PrincipalId})
		if err != nil {
			t.Fatal(err)
		}
		f.describeDelete(t, st.RequestId)
		if got := f.describeDelete(t, st.RequestId); got.Status != types.StatusValuesSucceeded {
			t.Errorf("got %s %q; want SUCCEEDED", got.Status, aws.ToString(got.FailureReason))
		}
	})

	t.Run("list status", func(t *testing.T) {
		st, err := f.create(ssoAssignment{a.account, a.ps, types.PrincipalTypeGroup, f.group["security"]})
		if err != nil {
			t.Fatal(err)
		}
		out, err := f.c.ListAccountAssignmentCreationStatus(ctx, &ssoadmin.ListAccountAssignmentCreationStatusInput{InstanceArn: &f.inst, Filter: &types.OperationStatusFilter{Status: types.StatusValuesInProgress}})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.AccountAssignmentsCreationStatus) != 1 || aws.ToString(out.AccountAssignmentsCreationStatus[0].RequestId) != aws.ToString(st.RequestId) {
			t.Fatalf("got %+v; want only request %s IN_PROGRESS", out.AccountAssignmentsCreationStatus, aws.ToString(st.RequestId))
		}
		// That listing counted as a poll: one describe completes it.
		if got := f.describeCreate(t, st.RequestId); got.Status != types.StatusValuesSucceeded {
			t.Errorf("got %s after list + describe; want SUCCEEDED", got.Status)
		}
		del, err := f.c.ListAccountAssignmentDeletionStatus(ctx, &ssoadmin.ListAccountAssignmentDeletionStatusInput{InstanceArn: &f.inst})
		if err != nil {
			t.Fatal(err)
		}
		var statuses []types.StatusValues
		for _, s := range del.AccountAssignmentsDeletionStatus {
			statuses = append(statuses, s.Status)
		}
		if want := []types.StatusValues{"SUCCEEDED", "FAILED", "SUCCEEDED"}; !cmp.Equal(statuses, want) {
			t.Errorf("got deletion statuses %v; want %v (in request order)", statuses, want)
		}
	})
}

func ssoValues(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

func TestSSOAdminAccountAssignmentErrors(t *testing.T) {
	f := newSSOFixture(t, emulator.Options{})
	good := ssoAssignment{f.acct["network"], f.ps["SecurityAdmin"], types.PrincipalTypeUser, f.person(t, "ingrid")}
	tests := []struct {
		name string
		mod  func(*ssoadmin.CreateAccountAssignmentInput)
		code string
	}{
		{"bad instance", func(in *ssoadmin.CreateAccountAssignmentInput) { in.InstanceArn = aws.String("ssoins-1") }, "ValidationException"},
		{"unknown instance", func(in *ssoadmin.CreateAccountAssignmentInput) { in.InstanceArn = aws.String(ssoNoInstance) }, "ResourceNotFoundException"},
		{"short target id", func(in *ssoadmin.CreateAccountAssignmentInput) { in.TargetId = aws.String("12345") }, "ValidationException"},
		{"target type", func(in *ssoadmin.CreateAccountAssignmentInput) { in.TargetType = "ORGANIZATIONAL_UNIT" }, "ValidationException"},
		{"principal type", func(in *ssoadmin.CreateAccountAssignmentInput) { in.PrincipalType = "ROLE" }, "ValidationException"},
		{"principal id", func(in *ssoadmin.CreateAccountAssignmentInput) { in.PrincipalId = aws.String("alice") }, "ValidationException"},
		{"permission set arn", func(in *ssoadmin.CreateAccountAssignmentInput) { in.PermissionSetArn = aws.String("Developer") }, "ValidationException"},
		{"unknown permission set", func(in *ssoadmin.CreateAccountAssignmentInput) { in.PermissionSetArn = aws.String(ssoNoPermSet) }, "ResourceNotFoundException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := &ssoadmin.CreateAccountAssignmentInput{
				InstanceArn: &f.inst, TargetId: &good.account, TargetType: types.TargetTypeAwsAccount,
				PermissionSetArn: &good.ps, PrincipalType: good.ptype, PrincipalId: &good.pid,
			}
			tt.mod(in)
			_, err := f.c.CreateAccountAssignment(ctx, in)
			wantAPIError(t, err, tt.code)
			// DeleteAccountAssignment validates the same way.
			_, err = f.c.DeleteAccountAssignment(ctx, &ssoadmin.DeleteAccountAssignmentInput{
				InstanceArn: in.InstanceArn, TargetId: in.TargetId, TargetType: in.TargetType,
				PermissionSetArn: in.PermissionSetArn, PrincipalType: in.PrincipalType, PrincipalId: in.PrincipalId,
			})
			wantAPIError(t, err, tt.code)
		})
	}

	t.Run("describe", func(t *testing.T) {
		st, err := f.create(good)
		if err != nil {
			t.Fatal(err)
		}
		// A creation request is not a deletion request.
		_, err = f.c.DescribeAccountAssignmentDeletionStatus(ctx, &ssoadmin.DescribeAccountAssignmentDeletionStatusInput{InstanceArn: &f.inst, AccountAssignmentDeletionRequestId: st.RequestId})
		wantAPIError(t, err, "ResourceNotFoundException")
		_, err = f.c.DescribeAccountAssignmentCreationStatus(ctx, &ssoadmin.DescribeAccountAssignmentCreationStatusInput{InstanceArn: &f.inst, AccountAssignmentCreationRequestId: aws.String(ssoNoRequestID)})
		wantAPIError(t, err, "ResourceNotFoundException")
		_, err = f.c.DescribeAccountAssignmentCreationStatus(ctx, &ssoadmin.DescribeAccountAssignmentCreationStatusInput{InstanceArn: &f.inst, AccountAssignmentCreationRequestId: aws.String("x")})
		wantAPIError(t, err, "ValidationException")
	})

	t.Run("list assignments", func(t *testing.T) {
		_, err := f.c.ListAccountAssignments(ctx, &ssoadmin.ListAccountAssignmentsInput{InstanceArn: &f.inst, AccountId: &good.account, PermissionSetArn: aws.String(ssoNoPermSet)})
		wantAPIError(t, err, "ResourceNotFoundException")
		_, err = f.c.ListAccountAssignments(ctx, &ssoadmin.ListAccountAssignmentsInput{InstanceArn: &f.inst, AccountId: aws.String("x"), PermissionSetArn: &good.ps})
		wantAPIError(t, err, "ValidationException")
		_, err = f.c.ListAccountAssignmentsForPrincipal(ctx, &ssoadmin.ListAccountAssignmentsForPrincipalInput{InstanceArn: &f.inst, PrincipalId: aws.String("x"), PrincipalType: types.PrincipalTypeUser})
		wantAPIError(t, err, "ValidationException")
		_, err = f.c.ListAccountAssignmentsForPrincipal(ctx, &ssoadmin.ListAccountAssignmentsForPrincipalInput{InstanceArn: &f.inst, PrincipalId: &good.pid, PrincipalType: types.PrincipalTypeUser, Filter: &types.ListAccountAssignmentsFilter{AccountId: aws.String("1")}})
		wantAPIError(t, err, "ValidationException")
	})
}

func TestSSOAdminOutstandingWrites(t *testing.T) {
	f := newSSOFixture(t, emulator.Options{PendingPolls: 3, AsyncDelay: time.Minute})
	ps := f.ps["ReadOnlyAccess"]
	var accounts []string
	for _, a := range f.st.Accounts {
		accounts = append(accounts, a.Id)
	}
	users := ssoValues(f.user)
	slices.Sort(users)
	var first *string
	for i := range 15 {
		st, err := f.create(ssoAssignment{accounts[i%len(accounts)], ps, types.PrincipalTypeUser, users[i]})
		if err != nil {
			t.Fatalf("write %d: %v", i+1, err)
		}
		if first == nil {
			first = st.RequestId
		}
	}
	_, err := f.create(ssoAssignment{accounts[0], ps, types.PrincipalTypeUser, users[15]})
	wantAPIError(t, err, "ThrottlingException")
	if msg := ssoErrMessage(err); !strings.Contains(msg, "outstanding") {
		t.Errorf("got message %q; want it to mention outstanding requests", msg)
	}
	_, err = f.delete(ssoAssignment{accounts[0], ps, types.PrincipalTypeUser, users[0]})
	wantAPIError(t, err, "ThrottlingException")
	// Reads are not limited.
	if _, err := f.c.ListPermissionSets(ctx, &ssoadmin.ListPermissionSetsInput{InstanceArn: &f.inst}); err != nil {
		t.Errorf("ListPermissionSets with 15 writes outstanding: %v", err)
	}
	// Once one completes there is room again.
	for range 3 {
		f.describeCreate(t, first)
	}
	if _, err := f.create(ssoAssignment{accounts[0], ps, types.PrincipalTypeUser, users[15]}); err != nil {
		t.Errorf("write after one completed: %v", err)
	}
}

func TestSSOAdminAssignmentsForPrincipal(t *testing.T) {
	f := newSSOFixture(t, emulator.Options{})
	group := f.group["platform-admins"]
	var want []string
	for _, a := range f.st.Assignments {
		if a.PrincipalType == "GROUP" && a.PrincipalId == group {
			want = append(want, a.AccountId+"|"+a.PermissionSetArn)
		}
	}
	slices.Sort(want)
	render := func(o *ssoadmin.ListAccountAssignmentsForPrincipalOutput) []string {
		var out []string
		for _, a := range o.AccountAssignments {
			if aws.ToString(a.PrincipalId) != group || a.PrincipalType != types.PrincipalTypeGroup {
				out = append(out, "wrong principal "+aws.ToString(a.PrincipalId))
			}
			out = append(out, aws.ToString(a.AccountId)+"|"+aws.ToString(a.PermissionSetArn))
		}
		return out
	}
	got, _, err := ssoDrain(ssoadmin.NewListAccountAssignmentsForPrincipalPaginator(f.c, &ssoadmin.ListAccountAssignmentsForPrincipalInput{
		InstanceArn: &f.inst, PrincipalId: &group, PrincipalType: types.PrincipalTypeGroup,
	}), render)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(got)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("assignments of platform-admins (-want +got):\n%s", diff)
	}
	mgmt := f.acct["acme-management"]
	got, _, err = ssoDrain(ssoadmin.NewListAccountAssignmentsForPrincipalPaginator(f.c, &ssoadmin.ListAccountAssignmentsForPrincipalInput{
		InstanceArn: &f.inst, PrincipalId: &group, PrincipalType: types.PrincipalTypeGroup,
		Filter: &types.ListAccountAssignmentsFilter{AccountId: &mgmt},
	}), render)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{mgmt + "|" + f.ps["AdministratorAccess"]}; !cmp.Equal(got, want) {
		t.Errorf("got %v filtered to the management account; want %v", got, want)
	}
	// An unknown principal has no assignments; that is not an error.
	out, err := f.c.ListAccountAssignmentsForPrincipal(ctx, &ssoadmin.ListAccountAssignmentsForPrincipalInput{InstanceArn: &f.inst, PrincipalId: aws.String(ssoNoPrincipal), PrincipalType: types.PrincipalTypeUser})
	if err != nil || len(out.AccountAssignments) != 0 {
		t.Errorf("got %v, %v for an unknown principal; want an empty list", out, err)
	}
}

// ssoListCase lists everything one List operation returns, with the SDK's
// paginator, in pages of at most limit (0: the service default).
type ssoListCase struct {
	name string
	list func(limit int32) ([]string, int, error)
	// call makes one call with the given MaxResults and NextToken.
	call func(max *int32, token *string) error
}

// noMax tells the one list that takes no MaxResults.
func (c ssoListCase) noMax() bool { return c.name == "ListTagsForResource" }

func ssoListCases(f *ssoFixture) []ssoListCase {
	admin, insights := f.ps["AdministratorAccess"], f.ps["InsightsDeveloper"]
	mgmt, prod := f.acct["acme-management"], f.acct["payments-prod"]
	group := f.group["platform-admins"]
	arns := func(a []string) []string { return a }
	statusIDs := func(ids ...*string) []string {
		out := make([]string, len(ids))
		for i, id := range ids {
			out[i] = aws.ToString(id)
		}
		return out
	}
	return []ssoListCase{
		{"ListInstances", func(n int32) ([]string, int, error) {
			return ssoDrain(ssoadmin.NewListInstancesPaginator(f.c, &ssoadmin.ListInstancesInput{MaxResults: ssoLimit(n)}),
				func(o *ssoadmin.ListInstancesOutput) []string {
					var out []string
					for _, i := range o.Instances {
						out = append(out, aws.ToString(i.InstanceArn))
					}
					return out
				})
		}, func(m *int32, tok *string) error {
			_, err := f.c.ListInstances(ctx, &ssoadmin.ListInstancesInput{MaxResults: m, NextToken: tok})
			return err
		}},
		{"ListPermissionSets", func(n int32) ([]string, int, error) {
			return ssoDrain(ssoadmin.NewListPermissionSetsPaginator(f.c, &ssoadmin.ListPermissionSetsInput{InstanceArn: &f.inst, MaxResults: ssoLimit(n)}),
				func(o *ssoadmin.ListPermissionSetsOutput) []string { return arns(o.PermissionSets) })
		}, func(m *int32, tok *string) error {
			_, err := f.c.ListPermissionSets(ctx, &ssoadmin.ListPermissionSetsInput{InstanceArn: &f.inst, MaxResults: m, NextToken: tok})
			return err
		}},
		{"ListManagedPoliciesInPermissionSet", func(n int32) ([]string, int, error) {
			return ssoDrain(ssoadmin.NewListManagedPoliciesInPermissionSetPaginator(f.c, &ssoadmin.ListManagedPoliciesInPermissionSetInput{InstanceArn: &f.inst, PermissionSetArn: aws.String(f.ps["SeniorDeveloper"]), MaxResults: ssoLimit(n)}),
				func(o *ssoadmin.ListManagedPoliciesInPermissionSetOutput) []string {
					var out []string
					for _, p := range o.AttachedManagedPolicies {
						out = append(out, aws.ToString(p.Arn))
					}
					return out
				})
		}, func(m *int32, tok *string) error {
			_, err := f.c.ListManagedPoliciesInPermissionSet(ctx, &ssoadmin.ListManagedPoliciesInPermissionSetInput{InstanceArn: &f.inst, PermissionSetArn: aws.String(f.ps["SeniorDeveloper"]), MaxResults: m, NextToken: tok})
			return err
		}},
		{"ListCustomerManagedPolicyReferencesInPermissionSet", func(n int32) ([]string, int, error) {
			return ssoDrain(ssoadmin.NewListCustomerManagedPolicyReferencesInPermissionSetPaginator(f.c, &ssoadmin.ListCustomerManagedPolicyReferencesInPermissionSetInput{InstanceArn: &f.inst, PermissionSetArn: &insights, MaxResults: ssoLimit(n)}),
				func(o *ssoadmin.ListCustomerManagedPolicyReferencesInPermissionSetOutput) []string {
					var out []string
					for _, p := range o.CustomerManagedPolicyReferences {
						out = append(out, aws.ToString(p.Path)+aws.ToString(p.Name))
					}
					return out
				})
		}, func(m *int32, tok *string) error {
			_, err := f.c.ListCustomerManagedPolicyReferencesInPermissionSet(ctx, &ssoadmin.ListCustomerManagedPolicyReferencesInPermissionSetInput{InstanceArn: &f.inst, PermissionSetArn: &insights, MaxResults: m, NextToken: tok})
			return err
		}},
		{"ListAccountAssignments", func(n int32) ([]string, int, error) {
			return ssoDrain(ssoadmin.NewListAccountAssignmentsPaginator(f.c, &ssoadmin.ListAccountAssignmentsInput{InstanceArn: &f.inst, AccountId: &mgmt, PermissionSetArn: &admin, MaxResults: ssoLimit(n)}),
				func(o *ssoadmin.ListAccountAssignmentsOutput) []string {
					var out []string
					for _, a := range o.AccountAssignments {
						out = append(out, aws.ToString(a.AccountId)+"|"+aws.ToString(a.PermissionSetArn)+"|"+string(a.PrincipalType)+"|"+aws.ToString(a.PrincipalId))
					}
					return out
				})
		}, func(m *int32, tok *string) error {
			_, err := f.c.ListAccountAssignments(ctx, &ssoadmin.ListAccountAssignmentsInput{InstanceArn: &f.inst, AccountId: &mgmt, PermissionSetArn: &admin, MaxResults: m, NextToken: tok})
			return err
		}},
		{"ListAccountAssignmentsForPrincipal", func(n int32) ([]string, int, error) {
			return ssoDrain(ssoadmin.NewListAccountAssignmentsForPrincipalPaginator(f.c, &ssoadmin.ListAccountAssignmentsForPrincipalInput{InstanceArn: &f.inst, PrincipalId: &group, PrincipalType: types.PrincipalTypeGroup, MaxResults: ssoLimit(n)}),
				func(o *ssoadmin.ListAccountAssignmentsForPrincipalOutput) []string {
					var out []string
					for _, a := range o.AccountAssignments {
						out = append(out, aws.ToString(a.AccountId)+"|"+aws.ToString(a.PermissionSetArn))
					}
					return out
				})
		}, func(m *int32, tok *string) error {
			_, err := f.c.ListAccountAssignmentsForPrincipal(ctx, &ssoadmin.ListAccountAssignmentsForPrincipalInput{InstanceArn: &f.inst, PrincipalId: &group, PrincipalType: types.PrincipalTypeGroup, MaxResults: m, NextToken: tok})
			return err
		}},
		{"ListAccountsForProvisionedPermissionSet", func(n int32) ([]string, int, error) {
			return ssoDrain(ssoadmin.NewListAccountsForProvisionedPermissionSetPaginator(f.c, &ssoadmin.ListAccountsForProvisionedPermissionSetInput{InstanceArn: &f.inst, PermissionSetArn: &admin, MaxResults: ssoLimit(n)}),
				func(o *ssoadmin.ListAccountsForProvisionedPermissionSetOutput) []string { return o.AccountIds })
		}, func(m *int32, tok *string) error {
			_, err := f.c.ListAccountsForProvisionedPermissionSet(ctx, &ssoadmin.ListAccountsForProvisionedPermissionSetInput{InstanceArn: &f.inst, PermissionSetArn: &admin, MaxResults: m, NextToken: tok})
			return err
		}},
		{"ListPermissionSetsProvisionedToAccount", func(n int32) ([]string, int, error) {
			return ssoDrain(ssoadmin.NewListPermissionSetsProvisionedToAccountPaginator(f.c, &ssoadmin.ListPermissionSetsProvisionedToAccountInput{InstanceArn: &f.inst, AccountId: &prod, MaxResults: ssoLimit(n)}),
				func(o *ssoadmin.ListPermissionSetsProvisionedToAccountOutput) []string { return o.PermissionSets })
		}, func(m *int32, tok *string) error {
			_, err := f.c.ListPermissionSetsProvisionedToAccount(ctx, &ssoadmin.ListPermissionSetsProvisionedToAccountInput{InstanceArn: &f.inst, AccountId: &prod, MaxResults: m, NextToken: tok})
			return err
		}},
		{"ListPermissionSetProvisioningStatus", func(n int32) ([]string, int, error) {
			return ssoDrain(ssoadmin.NewListPermissionSetProvisioningStatusPaginator(f.c, &ssoadmin.ListPermissionSetProvisioningStatusInput{InstanceArn: &f.inst, MaxResults: ssoLimit(n)}),
				func(o *ssoadmin.ListPermissionSetProvisioningStatusOutput) []string {
					var out []string
					for _, s := range o.PermissionSetsProvisioningStatus {
						out = append(out, statusIDs(s.RequestId)...)
					}
					return out
				})
		}, func(m *int32, tok *string) error {
			_, err := f.c.ListPermissionSetProvisioningStatus(ctx, &ssoadmin.ListPermissionSetProvisioningStatusInput{InstanceArn: &f.inst, MaxResults: m, NextToken: tok})
			return err
		}},
		{"ListAccountAssignmentCreationStatus", func(n int32) ([]string, int, error) {
			return ssoDrain(ssoadmin.NewListAccountAssignmentCreationStatusPaginator(f.c, &ssoadmin.ListAccountAssignmentCreationStatusInput{InstanceArn: &f.inst, MaxResults: ssoLimit(n)}),
				func(o *ssoadmin.ListAccountAssignmentCreationStatusOutput) []string {
					var out []string
					for _, s := range o.AccountAssignmentsCreationStatus {
						out = append(out, statusIDs(s.RequestId)...)
					}
					return out
				})
		}, func(m *int32, tok *string) error {
			_, err := f.c.ListAccountAssignmentCreationStatus(ctx, &ssoadmin.ListAccountAssignmentCreationStatusInput{InstanceArn: &f.inst, MaxResults: m, NextToken: tok})
			return err
		}},
		{"ListAccountAssignmentDeletionStatus", func(n int32) ([]string, int, error) {
			return ssoDrain(ssoadmin.NewListAccountAssignmentDeletionStatusPaginator(f.c, &ssoadmin.ListAccountAssignmentDeletionStatusInput{InstanceArn: &f.inst, MaxResults: ssoLimit(n)}),
				func(o *ssoadmin.ListAccountAssignmentDeletionStatusOutput) []string {
					var out []string
					for _, s := range o.AccountAssignmentsDeletionStatus {
						out = append(out, statusIDs(s.RequestId)...)
					}
					return out
				})
		}, func(m *int32, tok *string) error {
			_, err := f.c.ListAccountAssignmentDeletionStatus(ctx, &ssoadmin.ListAccountAssignmentDeletionStatusInput{InstanceArn: &f.inst, MaxResults: m, NextToken: tok})
			return err
		}},
		{"ListTagsForResource", func(int32) ([]string, int, error) {
			return ssoDrain(ssoadmin.NewListTagsForResourcePaginator(f.c, &ssoadmin.ListTagsForResourceInput{InstanceArn: &f.inst, ResourceArn: &admin}),
				func(o *ssoadmin.ListTagsForResourceOutput) []string {
					var out []string
					for _, t := range o.Tags {
						out = append(out, aws.ToString(t.Key))
					}
					return out
				})
		}, func(_ *int32, tok *string) error {
			_, err := f.c.ListTagsForResource(ctx, &ssoadmin.ListTagsForResourceInput{InstanceArn: &f.inst, ResourceArn: &admin, NextToken: tok})
			return err
		}},
	}
}

// ssoSeedLists gives every list at least two entries: async requests of each
// kind, a second customer managed policy, and tags.
func ssoSeedLists(t *testing.T, f *ssoFixture) {
	t.Helper()
	insights, admin := f.ps["InsightsDeveloper"], f.ps["AdministratorAccess"]
	if _, err := f.c.AttachCustomerManagedPolicyReferenceToPermissionSet(ctx, &ssoadmin.AttachCustomerManagedPolicyReferenceToPermissionSetInput{
		InstanceArn: &f.inst, PermissionSetArn: &insights, CustomerManagedPolicyReference: &types.CustomerManagedPolicyReference{Name: aws.String("athena-workgroups")},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.c.TagResource(ctx, &ssoadmin.TagResourceInput{InstanceArn: &f.inst, ResourceArn: &admin, Tags: []types.Tag{
		{Key: aws.String("a"), Value: aws.String("1")}, {Key: aws.String("b"), Value: aws.String("2")},
	}}); err != nil {
		t.Fatal(err)
	}
	for _, acct := range []string{f.acct["network"], f.acct["log-archive"], f.acct["payments-dev"]} {
		if _, err := f.c.ProvisionPermissionSet(ctx, &ssoadmin.ProvisionPermissionSetInput{InstanceArn: &f.inst, PermissionSetArn: &insights, TargetType: types.ProvisionTargetTypeAwsAccount, TargetId: &acct}); err != nil {
			t.Fatal(err)
		}
		a := ssoAssignment{acct, insights, types.PrincipalTypeUser, f.person(t, "olivia")}
		if _, err := f.create(a); err != nil {
			t.Fatal(err)
		}
		if _, err := f.delete(a); err != nil {
			t.Fatal(err)
		}
	}
}

func TestSSOAdminPagination(t *testing.T) {
	f := newSSOFixture(t, emulator.Options{})
	ssoSeedLists(t, f)
	for _, tc := range ssoListCases(f) {
		t.Run(tc.name, func(t *testing.T) {
			all, pages, err := tc.list(0)
			if err != nil {
				t.Fatal(err)
			}
			if pages != 1 {
				t.Errorf("got %d pages at the default page size; want 1", pages)
			}
			if tc.name == "ListTagsForResource" {
				if want := []string{"a", "b"}; !cmp.Equal(all, want) {
					t.Errorf("got %v; want %v", all, want)
				}
				return
			}
			// ListInstances has one instance; every other list has at least two entries.
			if min := 2; tc.name != "ListInstances" && len(all) < min {
				t.Fatalf("got %d items %v; want at least %d to page through", len(all), all, min)
			}
			paged, pages, err := tc.list(1)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(all, paged); diff != "" {
				t.Errorf("pages of one (-whole list +paged):\n%s", diff)
			}
			if pages != len(all) {
				t.Errorf("got %d pages of one for %d items; want %d", pages, len(all), len(all))
			}
		})
	}
}

func TestSSOAdminPaginationErrors(t *testing.T) {
	f := newSSOFixture(t, emulator.Options{})
	ssoSeedLists(t, f)
	// A real token from one list, to hand to the others.
	ps, err := f.c.ListPermissionSets(ctx, &ssoadmin.ListPermissionSetsInput{InstanceArn: &f.inst, MaxResults: aws.Int32(1)})
	if err != nil || ps.NextToken == nil {
		t.Fatalf("ListPermissionSets: %v, token %v", err, ps)
	}
	accts, err := f.c.ListAccountsForProvisionedPermissionSet(ctx, &ssoadmin.ListAccountsForProvisionedPermissionSetInput{InstanceArn: &f.inst, PermissionSetArn: aws.String(f.ps["AdministratorAccess"]), MaxResults: aws.Int32(1)})
	if err != nil || accts.NextToken == nil {
		t.Fatalf("ListAccountsForProvisionedPermissionSet: %v, token %v", err, accts)
	}
	crafted := base64.StdEncoding.EncodeToString([]byte(`{"s":"elsewhere","a":"x"}`))
	for _, tc := range ssoListCases(f) {
		foreign := ps.NextToken
		if tc.name == "ListPermissionSets" {
			foreign = accts.NextToken
		}
		tests := []struct {
			name  string
			max   *int32
			token *string
		}{
			{"MaxResults 0", aws.Int32(0), nil},
			{"MaxResults 101", aws.Int32(101), nil},
			{"MaxResults -1", aws.Int32(-1), nil},
			{"token off pattern", nil, aws.String("not a token!")},
			{"token not ours", nil, aws.String("Zm9v")},
			{"token of another list", nil, foreign},
			{"token of another scope", nil, aws.String(crafted)},
		}
		for _, tt := range tests {
			if tt.max != nil && tc.noMax() {
				continue
			}
			t.Run(tc.name+"/"+tt.name, func(t *testing.T) {
				wantAPIError(t, tc.call(tt.max, tt.token), "ValidationException")
			})
		}
		if !tc.noMax() {
			t.Run(tc.name+"/MaxResults 100", func(t *testing.T) {
				if err := tc.call(aws.Int32(100), nil); err != nil {
					t.Errorf("got %v; want success", err)
				}
			})
		}
	}
}

func TestSSOAdminThrottling(t *testing.T) {
	t.Run("quota", func(t *testing.T) {
		_, cfg, url := sandbox(t, emulator.Options{Quotas: "aws", QuotaScale: 0.05})
		c := ssoadmin.NewFromConfig(cfg) // one attempt: no retries
		throttled := 0
		for range 10 {
			_, err := c.ListInstances(ctx, &ssoadmin.ListInstancesInput{})
			if err != nil {
				wantAPIError(t, err, "ThrottlingException")
				throttled++
			}
		}
		if throttled == 0 {
			t.Fatalf("got no ThrottlingException in a burst of 10 at 1 TPS; want some")
		}
		if got := stats(t, url).Throttled["sso-admin:ListInstances"]; got != throttled {
			t.Errorf("got stats throttled %d; want %d", got, throttled)
		}
	})
	t.Run("throttle rate", func(t *testing.T) {
		_, cfg, url := sandbox(t, emulator.Options{ThrottleRate: 1})
		_, err := ssoadmin.NewFromConfig(cfg).ListInstances(ctx, &ssoadmin.ListInstancesInput{})
		wantAPIError(t, err, "ThrottlingException")
		if got := stats(t, url).Throttled["sso-admin:ListInstances"]; got != 1 {
			t.Errorf("got stats throttled %d; want 1", got)
		}
	})
}

// TestSSOAdminProvisionNeedsPolicies: provisioning (by ProvisionPermissionSet
// or by the first assignment in an account) fails, as AWS's does, when a
// customer managed policy or boundary the set references is not in the
// target account with that name and path; the demo organization's member
// accounts hold team-boundary (/teams/) and dev-boundary (/), its
// management account none.
func TestSSOAdminProvisionNeedsPolicies(t *testing.T) {
	f := newSSOFixture(t, emulator.Options{})
	member, mgmt := f.acct["payments-dev"], f.st.Organization.MasterAccountId
	var policies []string
	for _, p := range f.st.IAMPolicies {
		if p.AccountId == member {
			policies = append(policies, p.Arn())
		}
		if p.AccountId == mgmt {
			t.Errorf("the management account holds %s; want no demo policy there", p.Arn())
		}
	}
	for _, want := range []string{"arn:aws:iam::" + member + ":policy/teams/team-boundary", "arn:aws:iam::" + member + ":policy/dev-boundary"} {
		if !slices.Contains(policies, want) {
			t.Errorf("member account policies %v; want %s among them", policies, want)
		}
	}
	newSet := func(name string, refs []types.CustomerManagedPolicyReference, boundary *types.PermissionsBoundary) string {
		out, err := f.c.CreatePermissionSet(ctx, &ssoadmin.CreatePermissionSetInput{InstanceArn: &f.inst, Name: aws.String(name), SessionDuration: aws.String("PT1H")})
		if err != nil {
			t.Fatal(err)
		}
		ps := out.PermissionSet.PermissionSetArn
		for _, r := range refs {
			if _, err := f.c.AttachCustomerManagedPolicyReferenceToPermissionSet(ctx, &ssoadmin.AttachCustomerManagedPolicyReferenceToPermissionSetInput{InstanceArn: &f.inst, PermissionSetArn: ps, CustomerManagedPolicyReference: &r}); err != nil {
				t.Fatal(err)
			}
		}
		if boundary != nil {
			if _, err := f.c.PutPermissionsBoundaryToPermissionSet(ctx, &ssoadmin.PutPermissionsBoundaryToPermissionSetInput{InstanceArn: &f.inst, PermissionSetArn: ps, PermissionsBoundary: boundary}); err != nil {
				t.Fatal(err)
			}
		}
		return *ps
	}
	provision := func(ps, account string) *types.PermissionSetProvisioningStatus {
		out, err := f.c.ProvisionPermissionSet(ctx, &ssoadmin.ProvisionPermissionSetInput{InstanceArn: &f.inst, PermissionSetArn: &ps, TargetType: types.ProvisionTargetTypeAwsAccount, TargetId: &account})
		if err != nil {
			t.Fatal(err)
		}
		return out.PermissionSetProvisioningStatus
	}
	ref := func(name, path string) types.CustomerManagedPolicyReference {
		return types.CustomerManagedPolicyReference{Name: aws.String(name), Path: aws.String(path)}
	}
	good := newSet("Bounded", []types.CustomerManagedPolicyReference{ref("team-boundary", "/teams/")},
		&types.PermissionsBoundary{CustomerManagedPolicyReference: &types.CustomerManagedPolicyReference{Name: aws.String("dev-boundary")}})
	wrongPath := newSet("WrongPath", []types.CustomerManagedPolicyReference{ref("team-boundary", "/")}, nil)
	noBoundary := newSet("NoBoundary", nil, &types.PermissionsBoundary{CustomerManagedPolicyReference: &types.CustomerManagedPolicyReference{Name: aws.String("absent-boundary"), Path: aws.String("/x/")}})

	tests := []struct {
		name, ps, account, reason string
	}{
		{"policies present", good, member, ""},
		{"policy on another path", wrongPath, member, "Received a 404 status error: Not supported policy arn:aws:iam::" + member + ":policy/team-boundary."},
		{"boundary missing", noBoundary, member, "Received a 404 status error: Not supported policy arn:aws:iam::" + member + ":policy/x/absent-boundary."},
		{"management account holds none", good, mgmt, "Received a 404 status error: Not supported policy arn:aws:iam::" + mgmt + ":policy/teams/team-boundary."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := provision(tt.ps, tt.account)
			want := types.StatusValuesSucceeded
			if tt.reason != "" {
				want = types.StatusValuesFailed
			}
			if st.Status != want || aws.ToString(st.FailureReason) != tt.reason {
				t.Errorf("got %s %q; want %s %q", st.Status, aws.ToString(st.FailureReason), want, tt.reason)
			}
			prov := ssoProvisionedAccounts(t, f, tt.ps, "")
			if got := slices.Contains(prov, tt.account); got != (tt.reason == "") {
				t.Errorf("provisioned to %s: %v; want %v", tt.account, got, tt.reason == "")
			}
		})
	}

	t.Run("an assignment provisions, and fails the same way", func(t *testing.T) {
		user := f.user[f.st.Users[0].UserName]
		out, err := f.c.CreateAccountAssignment(ctx, &ssoadmin.CreateAccountAssignmentInput{InstanceArn: &f.inst, PermissionSetArn: &wrongPath,
			PrincipalType: types.PrincipalTypeUser, PrincipalId: &user, TargetType: types.TargetTypeAwsAccount, TargetId: &member})
		if err != nil {
			t.Fatal(err)
		}
		st := out.AccountAssignmentCreationStatus
		if st.Status != types.StatusValuesFailed || !strings.Contains(aws.ToString(st.FailureReason), "Not supported policy arn:aws:iam::"+member+":policy/team-boundary") {
			t.Errorf("got %s %q; want FAILED for the missing policy", st.Status, aws.ToString(st.FailureReason))
		}
		as, err := f.c.ListAccountAssignments(ctx, &ssoadmin.ListAccountAssignmentsInput{InstanceArn: &f.inst, AccountId: &member, PermissionSetArn: &wrongPath})
		if err != nil {
			t.Fatal(err)
		}
		if len(as.AccountAssignments) != 0 {
			t.Errorf("got %d assignments after the failed creation; want none", len(as.AccountAssignments))
		}
	})

	t.Run("all provisioned accounts: the ones holding the policies are brought up to date", func(t *testing.T) {
		// good is provisioned to member; make it outdated, then take the
		// boundary's policy away from member by referencing another.
		other := f.acct["payments-prod"]
		provision(good, other)
		if _, err := f.c.PutPermissionsBoundaryToPermissionSet(ctx, &ssoadmin.PutPermissionsBoundaryToPermissionSetInput{InstanceArn: &f.inst, PermissionSetArn: &good,
			PermissionsBoundary: &types.PermissionsBoundary{ManagedPolicyArn: aws.String("arn:aws:iam::aws:policy/PowerUserAccess")}}); err != nil {
			t.Fatal(err)
		}
		out, err := f.c.ProvisionPermissionSet(ctx, &ssoadmin.ProvisionPermissionSetInput{InstanceArn: &f.inst, PermissionSetArn: &good, TargetType: types.ProvisionTargetTypeAllProvisionedAccounts})
		if err != nil {
			t.Fatal(err)
		}
		if st := out.PermissionSetProvisioningStatus; st.Status != types.StatusValuesSucceeded {
			t.Errorf("got %s %q; want SUCCEEDED", st.Status, aws.ToString(st.FailureReason))
		}
		if got := ssoProvisionedAccounts(t, f, good, types.ProvisioningStatusLatestPermissionSetNotProvisioned); len(got) != 0 {
			t.Errorf("got outdated %v; want none", got)
		}
	})
}
