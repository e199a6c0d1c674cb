package emulator_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/sso"
	"github.com/google/go-cmp/cmp"

	"github.com/ssoctl/ssoctl/internal/emulator"
)

func activityReport(t *testing.T, url string) emulator.ActivityReport {
	t.Helper()
	resp, err := http.Get(url + "/_sandbox/activity")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var rep emulator.ActivityReport
	if err := json.NewDecoder(resp.Body).Decode(&rep); err != nil {
		t.Fatalf("GET /_sandbox/activity: %v", err)
	}
	return rep
}

type useKey struct{ user, account, role string }

type useSeen struct {
	n    int
	last time.Time
}

// uses reads every GetRoleCredentials event through LookupEvents and
// counts them per user × account × role.
func uses(t *testing.T, c *cloudtrail.Client) (map[useKey]useSeen, []cttypes.Event) {
	t.Helper()
	events := lookupAll(t, c, cttypes.LookupAttributeKeyEventName, "GetRoleCredentials")
	out := map[useKey]useSeen{}
	for _, e := range events {
		r := parseRecord(t, e)
		k := useKey{r.UserIdentity.OnBehalfOf.UserId, r.ServiceEventDetails["account_id"], r.ServiceEventDetails["role_name"]}
		u := out[k]
		u.n++
		if at := aws.ToTime(e.EventTime); at.After(u.last) {
			u.last = at
		}
		out[k] = u
	}
	return out, events
}

// TestActivitySeeded: --activity-days seeds sign-in history that
// LookupEvents serves and GET /_sandbox/activity tells truly: the same for
// the same seed, mostly on workdays, with people who never sign in and
// roles nobody uses; a sign-in made now shows in both.
func TestActivitySeeded(t *testing.T) {
	t.Parallel()
	srv, cfg, url := sandbox(t, emulator.Options{ActivityDays: 30, Seed: 7, SignInAs: "dave.miller"})
	rep := activityReport(t, url)
	if rep.Days != 30 || !rep.To.Equal(rep.From.AddDate(0, 0, 30)) || rep.To.After(time.Now()) || time.Since(rep.To) > 24*time.Hour {
		t.Fatalf("report covers %d days, %s to %s; want the 30 days before today", rep.Days, rep.From, rep.To)
	}
	ct := cloudtrail.NewFromConfig(cfg)
	seen, events := uses(t, ct)
	used, unused, total := 0, 0, 0
	signedIn := map[string]bool{} // by user: whether any of their roles was used
	for _, r := range rep.Roles {
		signedIn[r.UserId] = signedIn[r.UserId] || r.Uses > 0
		got := seen[useKey{r.UserId, r.AccountId, r.RoleName}]
		if r.Uses == 0 {
			unused++
			if got.n != 0 {
				t.Errorf("%s %s %s: report says unused; LookupEvents has %d uses", r.UserName, r.AccountId, r.RoleName, got.n)
			}
			continue
		}
		used++
		total += r.Uses
		if got.n != r.Uses || !got.last.Equal(*r.LastUsed) {
			t.Errorf("%s %s %s: report %d uses, last %s; LookupEvents %d, last %s", r.UserName, r.AccountId, r.RoleName, r.Uses, r.LastUsed, got.n, got.last)
		}
		if r.LastUsed.Before(rep.From) || !r.LastUsed.Before(rep.To) {
			t.Errorf("%s last used %s, outside the seeded days", r.UserName, r.LastUsed)
		}
	}
	if total != len(events) {
		t.Errorf("report counts %d uses; LookupEvents has %d events", total, len(events))
	}
	never := 0
	for _, in := range signedIn {
		if !in {
			never++
		}
	}
	if used == 0 || unused == 0 || never == 0 {
		t.Errorf("roles used %d, unused %d, people who never signed in %d; want some of each", used, unused, never)
	}
	weekend, workday := 0, 0
	for _, e := range events {
		if wd := aws.ToTime(e.EventTime).Weekday(); wd == time.Saturday || wd == time.Sunday {
			weekend++
		} else {
			workday++
		}
	}
	if weekend*10 > workday {
		t.Errorf("%d sign-ins at weekends, %d on workdays; want far fewer at weekends", weekend, workday)
	}
	t.Logf("seeded: %d events, %d roles used, %d unused, %d people never signed in", len(events), used, unused, never)

	// The same seed seeds the same history, ids included; another does not.
	_, cfg2, url2 := sandbox(t, emulator.Options{ActivityDays: 30, Seed: 7})
	_, _, url3 := sandbox(t, emulator.Options{ActivityDays: 30, Seed: 8})
	if rep2 := activityReport(t, url2); rep2.To.Equal(rep.To) {
		if diff := cmp.Diff(rep, rep2); diff != "" {
			t.Errorf("the same seed: reports differ (-first +second):\n%s", diff)
		}
		_, events2 := uses(t, cloudtrail.NewFromConfig(cfg2))
		if len(events2) != len(events) || aws.ToString(events2[0].EventId) != aws.ToString(events[0].EventId) ||
			aws.ToString(events2[0].CloudTrailEvent) != aws.ToString(events[0].CloudTrailEvent) {
			t.Errorf("the same seed: %d events, first %s; want %d, first %s", len(events2), aws.ToString(events2[0].EventId), len(events), aws.ToString(events[0].EventId))
		}
	}
	if rep3 := activityReport(t, url3); cmp.Equal(rep.Roles, rep3.Roles) {
		t.Errorf("seeds 7 and 8 seeded the same history")
	}

	// dave.miller fetches credentials for a role he never used: it is used now.
	st := srv.Snapshot()
	var dave string
	for _, u := range st.Users {
		if u.UserName == "dave.miller" {
			dave = u.UserId
		}
	}
	var pick *emulator.ActivityRole
	for i, r := range rep.Roles {
		if r.UserId == dave && r.Assigned && r.Uses == 0 {
			pick = &rep.Roles[i]
			break
		}
	}
	if pick == nil {
		for i, r := range rep.Roles {
			if r.UserId == dave && r.Assigned {
				pick = &rep.Roles[i]
				break
			}
		}
	}
	if pick == nil {
		t.Fatal("dave.miller has no role")
	}
	before := pick.Uses
	tok := signInAs(t, url)
	if _, err := sso.NewFromConfig(cfg).GetRoleCredentials(ctx, &sso.GetRoleCredentialsInput{
		AccessToken: aws.String(tok), AccountId: aws.String(pick.AccountId), RoleName: aws.String(pick.RoleName),
	}); err != nil {
		t.Fatal(err)
	}
	for _, r := range activityReport(t, url).Roles {
		if r.UserId == dave && r.AccountId == pick.AccountId && r.RoleName == pick.RoleName {
			if r.Uses != before+1 || r.LastUsed == nil || time.Since(*r.LastUsed) > time.Minute {
				t.Errorf("after a sign-in now: %d uses, last %v; want %d, just now", r.Uses, r.LastUsed, before+1)
			}
		}
	}
	if got := seenNow(t, ct, dave, pick.AccountId, pick.RoleName); got != before+1 {
		t.Errorf("LookupEvents: %d uses of the role; want %d", got, before+1)
	}
}

func seenNow(t *testing.T, c *cloudtrail.Client, user, account, role string) int {
	t.Helper()
	seen, _ := uses(t, c)
	return seen[useKey{user, account, role}].n
}

// TestActivityOptions: more history than LookupEvents keeps is refused.
func TestActivityOptions(t *testing.T) {
	t.Parallel()
	for _, days := range []int{-1, emulator.MaxActivityDays + 1} {
		if _, err := emulator.New(emulator.Options{ActivityDays: days}); err == nil {
			t.Errorf("ActivityDays %d: got no error; want one", days)
		}
	}
	if _, err := emulator.New(emulator.Options{CloudTrailDelay: -time.Second}); err == nil {
		t.Errorf("CloudTrailDelay -1s: got no error; want one")
	}
}
