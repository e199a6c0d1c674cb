package emulator_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/sso"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	"github.com/google/go-cmp/cmp"

	"github.com/ssoctl/ssoctl/internal/emulator"
	"github.com/ssoctl/ssoctl/internal/emulatortest"
)

// ctRecord is the part of a CloudTrail record the tests read.
type ctRecord struct {
	EventVersion string `json:"eventVersion"`
	UserIdentity struct {
		Type           string `json:"type"`
		PrincipalId    string `json:"principalId"`
		Arn            string `json:"arn"`
		AccountId      string `json:"accountId"`
		AccessKeyId    string `json:"accessKeyId"`
		UserName       string `json:"userName"`
		SessionContext *struct {
			SessionIssuer struct {
				Type, Arn, UserName string
			} `json:"sessionIssuer"`
			Attributes struct {
				CreationDate string `json:"creationDate"`
			} `json:"attributes"`
		} `json:"sessionContext"`
		OnBehalfOf *struct {
			UserId           string `json:"userId"`
			IdentityStoreArn string `json:"identityStoreArn"`
		} `json:"onBehalfOf"`
		CredentialId string `json:"credentialId"`
	} `json:"userIdentity"`
	EventTime           string            `json:"eventTime"`
	EventSource         string            `json:"eventSource"`
	EventName           string            `json:"eventName"`
	AwsRegion           string            `json:"awsRegion"`
	RequestParameters   json.RawMessage   `json:"requestParameters"`
	ResponseElements    json.RawMessage   `json:"responseElements"`
	RequestID           string            `json:"requestID"`
	EventID             string            `json:"eventID"`
	ReadOnly            bool              `json:"readOnly"`
	EventType           string            `json:"eventType"`
	ManagementEvent     bool              `json:"managementEvent"`
	RecipientAccountId  string            `json:"recipientAccountId"`
	ServiceEventDetails map[string]string `json:"serviceEventDetails"`
	EventCategory       string            `json:"eventCategory"`
}

func parseRecord(t *testing.T, e cttypes.Event) ctRecord {
	t.Helper()
	var r ctRecord
	if err := json.Unmarshal([]byte(aws.ToString(e.CloudTrailEvent)), &r); err != nil {
		t.Fatalf("CloudTrailEvent is not JSON: %v\n%s", err, aws.ToString(e.CloudTrailEvent))
	}
	return r
}

// lookupAll pages through LookupEvents for one attribute (key "" for none)
// and returns every event, newest first.
func lookupAll(t *testing.T, c *cloudtrail.Client, key cttypes.LookupAttributeKey, value string) []cttypes.Event {
	t.Helper()
	in := &cloudtrail.LookupEventsInput{}
	if key != "" {
		in.LookupAttributes = []cttypes.LookupAttribute{{AttributeKey: key, AttributeValue: aws.String(value)}}
	}
	var out []cttypes.Event
	p := cloudtrail.NewLookupEventsPaginator(c, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatalf("LookupEvents %s=%s: %v", key, value, err)
		}
		out = append(out, page.Events...)
	}
	return out
}

// TestCloudTrailAssignmentEvents: CreateAccountAssignment and
// DeleteAccountAssignment made with the sandbox's credentials are found by
// LookupEvents by name, in AWS's record format: the IAM user who called,
// the full assignment tuple in requestParameters, the time of the call.
func TestCloudTrailAssignmentEvents(t *testing.T) {
	t.Parallel()
	f := newSSOFixture(t, emulator.Options{})
	cfg := sdkConfig(f.url, 1)
	ct := cloudtrail.NewFromConfig(cfg)
	mgmt := f.acct["acme-management"]
	target, ps, user := f.acct["network"], f.ps["SecurityAdmin"], f.person(t, "ingrid")
	in := &ssoadmin.CreateAccountAssignmentInput{
		InstanceArn: aws.String(f.inst), TargetId: aws.String(target), TargetType: types.TargetTypeAwsAccount,
		PermissionSetArn: aws.String(ps), PrincipalType: types.PrincipalTypeUser, PrincipalId: aws.String(user),
	}
	before := time.Now().UTC().Truncate(time.Second)
	created, err := f.c.CreateAccountAssignment(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	after := time.Now().UTC()
	if _, err := f.c.DeleteAccountAssignment(ctx, &ssoadmin.DeleteAccountAssignmentInput{
		InstanceArn: in.InstanceArn, TargetId: in.TargetId, TargetType: in.TargetType,
		PermissionSetArn: in.PermissionSetArn, PrincipalType: in.PrincipalType, PrincipalId: in.PrincipalId,
	}); err != nil {
		t.Fatal(err)
	}

	events := lookupAll(t, ct, cttypes.LookupAttributeKeyEventName, "CreateAccountAssignment")
	if len(events) != 1 {
		t.Fatalf("LookupEvents EventName=CreateAccountAssignment: got %d events; want 1", len(events))
	}
	e := events[0]
	rec := parseRecord(t, e)
	when, err := time.Parse(time.RFC3339, rec.EventTime)
	if err != nil || when.Before(before) || when.After(after) {
		t.Errorf("eventTime %q: want between %s and %s", rec.EventTime, before.Format(time.RFC3339), after.Format(time.RFC3339))
	}
	if !aws.ToTime(e.EventTime).Equal(when) {
		t.Errorf("EventTime %s; want the record's %s", aws.ToTime(e.EventTime), when)
	}
	wantUser := "arn:aws:iam::" + mgmt + ":user/sandbox-admin"
	got := []string{aws.ToString(e.EventName), aws.ToString(e.EventSource), aws.ToString(e.ReadOnly), aws.ToString(e.Username), aws.ToString(e.AccessKeyId),
		rec.EventVersion, rec.UserIdentity.Type, rec.UserIdentity.Arn, rec.UserIdentity.AccountId, rec.UserIdentity.AccessKeyId, rec.UserIdentity.UserName,
		rec.EventSource, rec.EventName, rec.AwsRegion, rec.EventType, rec.RecipientAccountId, rec.EventCategory, rec.EventID}
	want := []string{"CreateAccountAssignment", "sso.amazonaws.com", "false", "sandbox-admin", emulator.SandboxAccessKeyID,
		"1.11", "IAMUser", wantUser, mgmt, emulator.SandboxAccessKeyID, "sandbox-admin",
		"sso.amazonaws.com", "CreateAccountAssignment", "us-east-1", "AwsApiCall", mgmt, "Management", aws.ToString(e.EventId)}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("event (-want +got):\n%s", diff)
	}
	if rec.ReadOnly || !rec.ManagementEvent || rec.RequestID == "" {
		t.Errorf("readOnly %v managementEvent %v requestID %q; want false, true and an id", rec.ReadOnly, rec.ManagementEvent, rec.RequestID)
	}
	var params map[string]string
	if err := json.Unmarshal(rec.RequestParameters, &params); err != nil {
		t.Fatalf("requestParameters: %v", err)
	}
	wantParams := map[string]string{"instanceArn": f.inst, "targetId": target, "targetType": "AWS_ACCOUNT",
		"permissionSetArn": ps, "principalType": "USER", "principalId": user}
	if diff := cmp.Diff(wantParams, params); diff != "" {
		t.Errorf("requestParameters (-want +got):\n%s", diff)
	}
	var resp struct {
		AccountAssignmentCreationStatus struct{ Status, RequestId, PrincipalId, CreatedDate string } `json:"accountAssignmentCreationStatus"`
	}
	if err := json.Unmarshal(rec.ResponseElements, &resp); err != nil {
		t.Fatalf("responseElements: %v", err)
	}
	st := resp.AccountAssignmentCreationStatus
	if st.RequestId != aws.ToString(created.AccountAssignmentCreationStatus.RequestId) || st.PrincipalId != user {
		t.Errorf("responseElements %s; want the creation status the call answered", rec.ResponseElements)
	}
	if _, err := time.Parse("Jan 2, 2006, 3:04:05 PM", st.CreatedDate); err != nil {
		t.Errorf("responseElements createdDate %q: want AWS's record date format: %v", st.CreatedDate, err)
	}

	deleted := lookupAll(t, ct, cttypes.LookupAttributeKeyEventName, "DeleteAccountAssignment")
	if len(deleted) != 1 || !strings.Contains(aws.ToString(deleted[0].CloudTrailEvent), `"principalId":"`+user+`"`) {
		t.Errorf("DeleteAccountAssignment events: got %d; want 1 naming %s", len(deleted), user)
	}
	// Newest first, reads not recorded.
	all := lookupAll(t, ct, "", "")
	var names []string
	for _, e := range all {
		names = append(names, aws.ToString(e.EventName))
	}
	if diff := cmp.Diff([]string{"DeleteAccountAssignment", "CreateAccountAssignment"}, names); diff != "" {
		t.Errorf("all events (-want +got):\n%s", diff)
	}
	if writes := lookupAll(t, ct, cttypes.LookupAttributeKeyReadOnly, "false"); len(writes) != 2 {
		t.Errorf("ReadOnly=false: got %d events; want 2", len(writes))
	}
}

// signInAs signs a demo user in through the device flow and returns the
// access token.
func signInAs(t *testing.T, url string) string {
	t.Helper()
	_, tok := deviceSignIn(t, ssooidc.NewFromConfig(sdkConfig(url, 1)), url, "sso:account:access")
	return aws.ToString(tok.AccessToken)
}

// TestCloudTrailRoleCredentials: a portal GetRoleCredentials is an
// AwsServiceEvent of the Identity Center user (onBehalfOf.userId, the
// identity store) with the account and role in serviceEventDetails; a
// write made with those credentials is the role session's, in the member
// account's own history, and names the user too.
func TestCloudTrailRoleCredentials(t *testing.T) {
	t.Parallel()
	srv, cfg, url := sandbox(t, emulator.Options{SignInAs: "dave.miller"})
	st := srv.Snapshot()
	userID, store := "", st.Instances[0].IdentityStoreId
	for _, u := range st.Users {
		if u.UserName == "dave.miller" {
			userID = u.UserId
		}
	}
	mgmt := st.Organization.MasterAccountId
	roles := wantRoles(t, st, "dave.miller")
	var account, role string
	for id, rs := range roles {
		if id != mgmt && (account == "" || id < account) {
			account, role = id, rs[0]
		}
	}
	tok := signInAs(t, url)
	rc, err := sso.NewFromConfig(cfg).GetRoleCredentials(ctx, &sso.GetRoleCredentialsInput{
		AccessToken: aws.String(tok), AccountId: aws.String(account), RoleName: aws.String(role),
	})
	if err != nil {
		t.Fatal(err)
	}
	ct := cloudtrail.NewFromConfig(cfg)
	events := lookupAll(t, ct, cttypes.LookupAttributeKeyEventName, "GetRoleCredentials")
	if len(events) != 1 {
		t.Fatalf("GetRoleCredentials events: got %d; want 1", len(events))
	}
	rec := parseRecord(t, events[0])
	storeArn := "arn:aws:identitystore::" + mgmt + ":identitystore/" + store
	if rec.UserIdentity.Type != "IdentityCenterUser" || rec.UserIdentity.OnBehalfOf == nil ||
		rec.UserIdentity.OnBehalfOf.UserId != userID || rec.UserIdentity.OnBehalfOf.IdentityStoreArn != storeArn ||
		rec.UserIdentity.AccountId != mgmt || rec.UserIdentity.CredentialId == "" {
		t.Errorf("userIdentity of GetRoleCredentials: %+v; want IdentityCenterUser on behalf of %s in %s", rec.UserIdentity, userID, storeArn)
	}
	if strings.Contains(aws.ToString(events[0].CloudTrailEvent), tok) {
		t.Errorf("the record carries the access token")
	}
	if diff := cmp.Diff(map[string]string{"role_name": role, "account_id": account}, rec.ServiceEventDetails); diff != "" {
		t.Errorf("serviceEventDetails (-want +got):\n%s", diff)
	}
	if rec.EventType != "AwsServiceEvent" || !rec.ReadOnly || rec.EventSource != "sso.amazonaws.com" || rec.RecipientAccountId != mgmt ||
		string(rec.RequestParameters) != "null" || string(rec.ResponseElements) != "null" {
		t.Errorf("GetRoleCredentials record: type %s readOnly %v source %s recipient %s params %s response %s; want AwsServiceEvent, true, sso.amazonaws.com, %s, null, null",
			rec.EventType, rec.ReadOnly, rec.EventSource, rec.RecipientAccountId, rec.RequestParameters, rec.ResponseElements, mgmt)
	}
	if got := aws.ToString(events[0].Username); got != userID {
		t.Errorf("Username %q; want the user id %s", got, userID)
	}
	if byUser := lookupAll(t, ct, cttypes.LookupAttributeKeyUsername, userID); len(byUser) != 1 {
		t.Errorf("Username=%s: got %d events; want 1", userID, len(byUser))
	}

	// A write with the role credentials: an IAM user in the member account.
	roleCfg := cfg.Copy()
	c := rc.RoleCredentials
	roleCfg.Credentials = credentials.NewStaticCredentialsProvider(aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken))
	if _, err := iam.NewFromConfig(roleCfg).CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("cloudtrail-test")}); err != nil {
		t.Fatal(err)
	}
	if n := len(lookupAll(t, ct, cttypes.LookupAttributeKeyEventName, "CreateUser")); n != 0 {
		t.Errorf("the management account's history shows %d CreateUser of the member account; want 0", n)
	}
	member := lookupAll(t, cloudtrail.NewFromConfig(roleCfg), cttypes.LookupAttributeKeyEventName, "CreateUser")
	if len(member) != 1 {
		t.Fatalf("the member account's CreateUser events: got %d; want 1", len(member))
	}
	mr := parseRecord(t, member[0])
	ui := mr.UserIdentity
	if ui.Type != "AssumedRole" || !strings.HasPrefix(ui.Arn, "arn:aws:sts::"+account+":assumed-role/AWSReservedSSO_"+role+"_") ||
		ui.SessionContext == nil || ui.SessionContext.SessionIssuer.Type != "Role" || ui.SessionContext.Attributes.CreationDate == "" ||
		ui.OnBehalfOf == nil || ui.OnBehalfOf.UserId != userID || ui.AccessKeyId != aws.ToString(c.AccessKeyId) {
		t.Errorf("userIdentity of a role session's write: %+v", ui)
	}
	if mr.AwsRegion != "us-east-1" || mr.EventSource != "iam.amazonaws.com" || mr.RecipientAccountId != account ||
		!strings.Contains(string(mr.RequestParameters), `"userName":"cloudtrail-test"`) {
		t.Errorf("CreateUser record: region %s source %s recipient %s params %s", mr.AwsRegion, mr.EventSource, mr.RecipientAccountId, mr.RequestParameters)
	}
	if res := member[0].Resources; len(res) != 1 || aws.ToString(res[0].ResourceType) != "AWS::IAM::User" || aws.ToString(res[0].ResourceName) != "cloudtrail-test" {
		t.Errorf("Resources %+v; want the IAM user", res)
	}
}

// TestCloudTrailSecretsHidden: a password and a new key's secret never
// reach a record; what AWS hides is written as it writes it.
func TestCloudTrailSecretsHidden(t *testing.T) {
	t.Parallel()
	_, cfg, _ := sandbox(t, emulator.Options{})
	c := iam.NewFromConfig(cfg)
	const password = "Sandbox-Pa55word-Secret!"
	if _, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("leaver")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String("leaver"), Password: aws.String(password), PasswordResetRequired: true}); err != nil {
		t.Fatal(err)
	}
	key, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("leaver")})
	if err != nil {
		t.Fatal(err)
	}
	events := lookupAll(t, cloudtrail.NewFromConfig(cfg), cttypes.LookupAttributeKeyEventSource, "iam.amazonaws.com")
	if len(events) != 3 {
		t.Fatalf("iam events: got %d; want 3", len(events))
	}
	byName := map[string]ctRecord{}
	for _, e := range events {
		raw := aws.ToString(e.CloudTrailEvent)
		if strings.Contains(raw, password) || strings.Contains(raw, aws.ToString(key.AccessKey.SecretAccessKey)) {
			t.Errorf("%s record carries a secret: %s", aws.ToString(e.EventName), raw)
		}
		byName[aws.ToString(e.EventName)] = parseRecord(t, e)
	}
	if got := string(byName["CreateLoginProfile"].RequestParameters); got != `{"passwordResetRequired":true,"userName":"leaver"}` {
		t.Errorf("CreateLoginProfile requestParameters %s; want userName and passwordResetRequired only", got)
	}
	var ak struct {
		AccessKey map[string]any `json:"accessKey"`
	}
	if err := json.Unmarshal(byName["CreateAccessKey"].ResponseElements, &ak); err != nil {
		t.Fatal(err)
	}
	if ak.AccessKey["accessKeyId"] != aws.ToString(key.AccessKey.AccessKeyId) || ak.AccessKey["status"] != "Active" || ak.AccessKey["userName"] != "leaver" {
		t.Errorf("CreateAccessKey responseElements %s", byName["CreateAccessKey"].ResponseElements)
	}
	if _, ok := ak.AccessKey["secretAccessKey"]; ok {
		t.Errorf("CreateAccessKey responseElements has secretAccessKey; AWS leaves it out")
	}
}

// TestCloudTrailDelay: an event shows in LookupEvents only once
// CloudTrailDelay has passed on the sandbox clock since the call, as AWS
// delivers events late, and then with the time of the call.
func TestCloudTrailDelay(t *testing.T) {
	t.Parallel()
	const delay = 5 * time.Minute
	sb := emulatortest.Start(t, emulator.Options{CloudTrailDelay: delay})
	cfg := sb.Config()
	ids := identitystore.NewFromConfig(cfg)
	ct := cloudtrail.NewFromConfig(cfg)
	store := firstStore(t, cfg)
	called := sb.Now().Truncate(time.Second)
	if _, err := ids.CreateGroup(ctx, &identitystore.CreateGroupInput{IdentityStoreId: aws.String(store), DisplayName: aws.String("late-group")}); err != nil {
		t.Fatal(err)
	}
	count := func() []cttypes.Event {
		t.Helper()
		return lookupAll(t, ct, cttypes.LookupAttributeKeyEventName, "CreateGroup")
	}
	if n := len(count()); n != 0 {
		t.Fatalf("CreateGroup shows at once; want it hidden for %s", delay)
	}
	sb.Advance(t, delay-time.Minute)
	if n := len(count()); n != 0 {
		t.Fatalf("CreateGroup shows %s after the call; want it hidden for %s", delay-time.Minute, delay)
	}
	sb.Advance(t, 2*time.Minute)
	events := count()
	if len(events) != 1 {
		t.Fatalf("CreateGroup events %s after the call: got %d; want 1", delay+time.Minute, len(events))
	}
	if at := aws.ToTime(events[0].EventTime); at.Before(called) || at.After(called.Add(time.Minute)) {
		t.Errorf("EventTime %s; want the call's time, %s", at, called)
	}
}

// firstStore is the demo organization's identity store.
func firstStore(t *testing.T, cfg aws.Config) string {
	t.Helper()
	out, err := ssoadmin.NewFromConfig(cfg).ListInstances(ctx, &ssoadmin.ListInstancesInput{})
	if err != nil || len(out.Instances) == 0 {
		t.Fatalf("ListInstances: %v", err)
	}
	return aws.ToString(out.Instances[0].IdentityStoreId)
}

// TestCloudTrailPaging: 50 events a page at most, newest first, a token
// that works only with the parameters it was issued for, and AWS's
// errors for what the API refuses.
func TestCloudTrailPaging(t *testing.T) {
	t.Parallel()
	_, cfg, _ := sandbox(t, emulator.Options{})
	ids := identitystore.NewFromConfig(cfg)
	ct := cloudtrail.NewFromConfig(cfg)
	store := firstStore(t, cfg)
	const n = 120
	for i := range n {
		if _, err := ids.CreateGroup(ctx, &identitystore.CreateGroupInput{IdentityStoreId: aws.String(store), DisplayName: aws.String(fmt.Sprintf("paged-%03d", i))}); err != nil {
			t.Fatal(err)
		}
	}
	in := &cloudtrail.LookupEventsInput{LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKeyEventName, AttributeValue: aws.String("CreateGroup")}}}
	var sizes []int
	var names []string
	var last time.Time
	p := cloudtrail.NewLookupEventsPaginator(ct, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		sizes = append(sizes, len(page.Events))
		for _, e := range page.Events {
			if at := aws.ToTime(e.EventTime); !last.IsZero() && at.After(last) {
				t.Errorf("event at %s after one at %s: want newest first", at, last)
			}
			last = aws.ToTime(e.EventTime)
			var r struct {
				RequestParameters struct{ DisplayName string } `json:"requestParameters"`
			}
			_ = json.Unmarshal([]byte(aws.ToString(e.CloudTrailEvent)), &r)
			names = append(names, r.RequestParameters.DisplayName)
		}
	}
	if diff := cmp.Diff([]int{50, 50, 20}, sizes); diff != "" {
		t.Errorf("page sizes (-want +got):\n%s", diff)
	}
	for i, name := range names {
		if want := fmt.Sprintf("paged-%03d", n-1-i); name != want {
			t.Fatalf("event %d is %s; want %s (newest first)", i, name, want)
		}
	}

	first, err := ct.LookupEvents(ctx, in)
	if err != nil || first.NextToken == nil {
		t.Fatalf("first page: %v, token %v", err, first.NextToken)
	}
	_, err = ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{NextToken: first.NextToken})
	wantAPIError(t, err, "InvalidNextTokenException")
	_, err = ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{MaxResults: aws.Int32(51)})
	wantAPIError(t, err, "InvalidMaxResultsException")
	_, err = ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{LookupAttributes: []cttypes.LookupAttribute{
		{AttributeKey: cttypes.LookupAttributeKeyEventName, AttributeValue: aws.String("CreateGroup")},
		{AttributeKey: cttypes.LookupAttributeKeyReadOnly, AttributeValue: aws.String("false")},
	}})
	wantAPIError(t, err, "InvalidLookupAttributesException")
	_, err = ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{LookupAttributes: []cttypes.LookupAttribute{
		{AttributeKey: "Colour", AttributeValue: aws.String("red")},
	}})
	wantAPIError(t, err, "InvalidLookupAttributesException")
	now := time.Now()
	_, err = ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{StartTime: aws.Time(now), EndTime: aws.Time(now.Add(-time.Hour))})
	wantAPIError(t, err, "InvalidTimeRangeException")
	_, err = ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{EventCategory: "data"})
	wantAPIError(t, err, "InvalidEventCategoryException")

	// A time window: none before the calls, none after; older than 90 days
	// is simply empty.
	old, err := ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{StartTime: aws.Time(now.AddDate(0, 0, -200)), EndTime: aws.Time(now.AddDate(0, 0, -100))})
	if err != nil || len(old.Events) != 0 {
		t.Errorf("100 to 200 days ago: got %v, %d events; want none", err, len(old.Events))
	}
	window, err := ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{StartTime: aws.Time(now.AddDate(0, 0, -200)), EndTime: aws.Time(now.Add(time.Minute)), MaxResults: aws.Int32(5)})
	if err != nil || len(window.Events) != 5 || window.NextToken == nil {
		t.Errorf("the last 200 days, 5 a page: got %v, %d events, token %v; want 5 and a token", err, len(window.Events), window.NextToken)
	}
}

// TestCloudTrailRegions: LookupEvents answers the events of the Region it
// is called in; IAM's and Organizations' are all in us-east-1.
func TestCloudTrailRegions(t *testing.T) {
	t.Parallel()
	_, cfg, _ := sandbox(t, emulator.Options{})
	if _, err := iam.NewFromConfig(cfg).CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("global-user")}); err != nil {
		t.Fatal(err)
	}
	eu := cfg.Copy()
	eu.Region = "eu-west-1"
	if got := lookupAll(t, cloudtrail.NewFromConfig(eu), "", ""); len(got) != 0 {
		t.Errorf("eu-west-1 sees %d events; want none (IAM records in us-east-1)", len(got))
	}
	got := lookupAll(t, cloudtrail.NewFromConfig(cfg), "", "")
	if len(got) != 1 || parseRecord(t, got[0]).AwsRegion != "us-east-1" {
		t.Errorf("us-east-1: got %d events; want the CreateUser", len(got))
	}
}

// TestCloudTrailQuota: with AWS's quotas LookupEvents takes 2 requests a
// second; more are refused with ThrottlingException.
func TestCloudTrailQuota(t *testing.T) {
	t.Parallel()
	_, cfg, url := sandbox(t, emulator.Options{Quotas: "aws"})
	ct := cloudtrail.NewFromConfig(cfg)
	throttled := 0
	for range 6 {
		_, err := ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{})
		if err != nil {
			wantAPIError(t, err, "ThrottlingException")
			throttled++
		}
	}
	if throttled < 3 {
		t.Errorf("6 calls at once: %d throttled; want at least 3 (2 a second, burst 2)", throttled)
	}
	if got := stats(t, url).Throttled["cloudtrail:LookupEvents"]; got != throttled {
		t.Errorf("stats throttled %d; want %d", got, throttled)
	}
}

// injectEvent records an event through POST /_sandbox/cloudtrail and
// returns the HTTP status and body.
func injectEvent(t *testing.T, url, body string) (int, string) {
	t.Helper()
	resp, err := http.Post(url+"/_sandbox/cloudtrail", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestCloudTrailInjectedEvents: POST /_sandbox/cloudtrail records an
// event the sandbox does not serve (an unknown sso-admin operation, a
// SCIM request) that LookupEvents then finds by its event source, in the
// record format of recorded ones, delivered after --cloudtrail-delay like
// them; a malformed one is refused with a message saying what to send.
func TestCloudTrailInjectedEvents(t *testing.T) {
	t.Parallel()
	const delay = 2 * time.Minute
	sb := emulatortest.Start(t, emulator.Options{CloudTrailDelay: delay})
	ct := cloudtrail.NewFromConfig(sb.Config())
	code, body := injectEvent(t, sb.URL, `{"eventSource":"sso.amazonaws.com","eventName":"FrobnicatePermissionSet","requestParameters":{"instanceArn":"arn:aws:sso:::instance/ssoins-x"}}`)
	if code != 200 || !strings.Contains(body, `"eventId"`) {
		t.Fatalf("inject an sso-admin event: %d %s", code, body)
	}
	scimAt := sb.Now().Add(-time.Hour).UTC().Truncate(time.Second)
	code, body = injectEvent(t, sb.URL, `{"eventSource":"identitystore-scim.amazonaws.com","eventName":"PatchGroup","eventTime":"`+scimAt.Format(time.RFC3339)+`",
		"userIdentity":{"type":"Unknown","accountId":"","userName":"scim"}}`)
	if code != 200 {
		t.Fatalf("inject a SCIM event: %d %s", code, body)
	}
	if got := lookupAll(t, ct, cttypes.LookupAttributeKeyEventSource, "sso.amazonaws.com"); len(got) != 0 {
		t.Fatalf("the injected sso-admin event shows at once; want it delivered %s late like the others", delay)
	}
	scim := lookupAll(t, ct, cttypes.LookupAttributeKeyEventSource, "identitystore-scim.amazonaws.com")
	if len(scim) != 1 || aws.ToString(scim[0].EventName) != "PatchGroup" || !aws.ToTime(scim[0].EventTime).Equal(scimAt) || aws.ToString(scim[0].Username) != "scim" {
		t.Fatalf("SCIM events: %+v; want one PatchGroup at %s by scim", scim, scimAt)
	}
	sb.Advance(t, delay+time.Second)
	got := lookupAll(t, ct, cttypes.LookupAttributeKeyEventSource, "sso.amazonaws.com")
	if len(got) != 1 {
		t.Fatalf("sso-admin events after the delay: %d; want 1", len(got))
	}
	r := parseRecord(t, got[0])
	if r.EventName != "FrobnicatePermissionSet" || r.EventSource != "sso.amazonaws.com" || r.EventType != "AwsApiCall" || r.ReadOnly ||
		!strings.HasSuffix(r.UserIdentity.Arn, ":user/sandbox-admin") || r.AwsRegion == "" || r.RecipientAccountId == "" ||
		string(r.RequestParameters) != `{"instanceArn":"arn:aws:sso:::instance/ssoins-x"}` || r.EventID != aws.ToString(got[0].EventId) {
		t.Errorf("record: %+v", r)
	}
	for _, bad := range []string{`{"eventName":"X"}`, `{"eventSource":"sso.amazonaws.com"}`, `{"eventSource":"sso.amazonaws.com","eventName":"X","nope":1}`,
		`{"eventSource":"sso.amazonaws.com","eventName":"X","eventTime":"yesterday"}`, `{"eventSource":"sso.amazonaws.com","eventName":"X","requestParameters":[1]}`,
		`{"eventSource":"sso.amazonaws.com","eventName":"X","eventTime":"2999-01-01T00:00:00Z"}`} {
		if code, body := injectEvent(t, sb.URL, bad); code != 400 || !strings.Contains(body, "message") {
			t.Errorf("inject %s: %d %s; want 400 with a message", bad, code, body)
		}
	}
}
