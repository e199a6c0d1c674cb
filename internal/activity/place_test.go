package activity_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"

	"github.com/ssoctl/ssoctl/internal/activity"
	"github.com/ssoctl/ssoctl/internal/audit"
	"github.com/ssoctl/ssoctl/internal/inventory"
)

// record reads a CloudTrail record from a file as LookupEvents gives it.
func record(t *testing.T, path string) activity.Event {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	e, err := activity.Parse(cttypes.Event{CloudTrailEvent: aws.String(string(b))})
	if err != nil {
		t.Fatalf("Parse(%s): %v", path, err)
	}
	return e
}

// event is a write of the sandbox's instance with the given fields.
func event(id, source, name string, params string) activity.Event {
	return activity.Event{ID: id, Source: source, Name: name, Type: "AwsApiCall", Time: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		Actor: activity.Actor{Type: "IAMUser", Arn: "arn:aws:iam::111122223333:user/admin"}, Params: []byte(params)}
}

var known = activity.Known{
	Instance:  inventory.Instance{Arn: "arn:aws:sso:::instance/ssoins-1", IdentityStoreId: "d-0000000000"},
	Directory: &audit.Directory{AssignedGroups: []audit.DirectoryGroup{{Id: "g-1", Members: []inventory.Member{{UserId: "u-1", MembershipId: "m-1"}}}}},
}

func TestPlace(t *testing.T) {
	for _, tc := range []struct {
		name   string
		events []activity.Event
		check  func(t *testing.T, p activity.Plan)
	}{
		{"an sso-admin operation ssoctl does not know makes a full audit", []activity.Event{
			event("e1", activity.SourceSSO, "CreateSomethingNew", `{"instanceArn":"arn:aws:sso:::instance/ssoins-1"}`),
		}, func(t *testing.T, p activity.Plan) {
			if !p.Full || len(p.Reasons) != 1 || !strings.Contains(p.Reasons[0], "CreateSomethingNew (sso.amazonaws.com) at 2026-01-01T00:00:00Z: ssoctl does not know this IAM Identity Center operation") {
				t.Errorf("got full %v, reasons %q; want a full audit naming the event", p.Full, p.Reasons)
			}
		}},
		{"a SCIM change lists every user and group again", []activity.Event{
			record(t, "testdata/scim-create-user.json"),
		}, func(t *testing.T, p activity.Plan) {
			if p.Full || !p.Changes.IdentityStore || len(p.Reasons) != 1 || !strings.Contains(p.Reasons[0], "SCIM") {
				t.Errorf("got full %v, identity store %v, reasons %q; want the identity store listed again because of SCIM", p.Full, p.Changes.IdentityStore, p.Reasons)
			}
		}},
		{"console changes: a group created, a member added", []activity.Event{
			record(t, "testdata/console-create-group.json"), record(t, "testdata/console-add-member.json"),
		}, func(t *testing.T, p activity.Plan) {
			if p.Full || p.Changes.GroupDelta != 1 || len(p.Changes.MembersOf) != 1 || p.Changes.MembersOf[0] != "11111111-1111-1111-1111-111111111111" {
				t.Errorf("got %+v; want one group more and the members of 11111111-… listed again", p.Changes)
			}
			if len(p.Facts) != 1 || p.Facts[0].Kind != activity.Join || p.Facts[0].UserId != "22222222-2222-2222-2222-222222222222" || p.Facts[0].Actor != "arn:aws:iam::111122223333:root" {
				t.Errorf("got facts %+v; want one join by the root user", p.Facts)
			}
		}},
		{"an assignment created, as the sandbox records it", []activity.Event{
			func() activity.Event {
				e := record(t, "../emulator/testdata/cloudtrail/create-account-assignment.json")
				// the sample's instance is not the one audited here
				e.Params = []byte(strings.Replace(string(e.Params), "ssoins-0000000000000000", "ssoins-1", 1))
				return e
			}(),
		}, func(t *testing.T, p activity.Plan) {
			if p.Full || len(p.Changes.Pairs) != 1 || len(p.Facts) != 1 || p.Facts[0].Kind != activity.Assign {
				t.Errorf("got %+v, facts %+v; want one pair listed again and one assign fact", p.Changes, p.Facts)
			}
		}},
		{"a membership of an assigned group deleted, by its id", []activity.Event{
			event("e1", activity.SourceIdentityStore, "DeleteGroupMembership", `{"identityStoreId":"d-0000000000","membershipId":"m-1"}`),
		}, func(t *testing.T, p activity.Plan) {
			if p.Changes.Members || len(p.Changes.MembersOf) != 1 || p.Changes.MembersOf[0] != "g-1" || len(p.Facts) != 1 || p.Facts[0].UserId != "u-1" {
				t.Errorf("got %+v, facts %+v; want g-1's members listed again and u-1 leaving", p.Changes, p.Facts)
			}
		}},
		{"a membership nobody knows: every assigned group's members", []activity.Event{
			event("e1", activity.SourceIdentityStore, "DeleteGroupMembership", `{"identityStoreId":"d-0000000000","membershipId":"m-9"}`),
		}, func(t *testing.T, p activity.Plan) {
			if !p.Changes.Members || len(p.Reasons) != 1 {
				t.Errorf("got %+v, reasons %q; want every assigned group's members, said once", p.Changes, p.Reasons)
			}
		}},
		{"an account moved between OUs: a full audit (the review walks the tree)", []activity.Event{
			event("e1", activity.SourceOrganizations, "MoveAccount", `{"accountId":"123456789012"}`),
		}, func(t *testing.T, p activity.Plan) {
			if !p.Full {
				t.Errorf("got %+v; want a full audit", p)
			}
		}},
		{"reads, failed calls, other instances and portal use change nothing", []activity.Event{
			record(t, "../emulator/testdata/cloudtrail/get-role-credentials.json"),
			{ID: "e2", Source: activity.SourceSSO, Name: "CreateAccountAssignment", ErrorCode: "AccessDenied", Time: time.Now()},
			event("e3", activity.SourceSSO, "CreateAccountAssignment", `{"instanceArn":"arn:aws:sso:::instance/ssoins-2"}`),
			event("e4", activity.SourceSSO, "TagResource", `{"instanceArn":"arn:aws:sso:::instance/ssoins-1"}`),
		}, func(t *testing.T, p activity.Plan) {
			if p.Full || !p.Changes.Empty() || p.Ignored != 4 {
				t.Errorf("got full %v, %+v, %d ignored; want nothing listed again, 4 ignored", p.Full, p.Changes, p.Ignored)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.check(t, activity.Place(tc.events, known)) })
	}
}

func TestPlaceSkipsWhatTheBasePlaced(t *testing.T) {
	k := known
	k.Placed = map[string]bool{"e1": true}
	p := activity.Place([]activity.Event{event("e1", activity.SourceSSO, "CreateSomethingNew", `{}`)}, k)
	if p.Full || p.Repeated != 1 {
		t.Errorf("got full %v, %d repeated; want the event the base placed skipped", p.Full, p.Repeated)
	}
}

func TestUseOf(t *testing.T) {
	e := record(t, filepath.Join("..", "emulator", "testdata", "cloudtrail", "get-role-credentials.json"))
	u, ok := activity.UseOf(e)
	if !ok || u.UserId == "" || u.AccountId == "" || u.RoleName == "" || u.Time.IsZero() {
		t.Errorf("UseOf = %+v, %v; want the user, account, role and time", u, ok)
	}
	if _, ok := activity.UseOf(record(t, "testdata/console-add-member.json")); ok {
		t.Errorf("UseOf(AddMemberToGroup) is a use; want none")
	}
}
