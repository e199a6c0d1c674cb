package legacyiam_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/ssoctl/ssoctl/internal/emulator"
	"github.com/ssoctl/ssoctl/internal/emulatortest"
	"github.com/ssoctl/ssoctl/internal/legacyiam"
)

func sandboxIAM(t *testing.T) *iam.Client {
	t.Helper()
	return iam.NewFromConfig(emulatortest.Start(t, emulator.Options{}).Config())
}

// TestChecklistOrder: the small org's alice.johnson has one of everything;
// the steps come in the order DeleteUser needs, the user last, and each
// access key shows its last use.
func TestChecklistOrder(t *testing.T) {
	c := sandboxIAM(t)
	u, err := legacyiam.Inspect(context.Background(), c, "alice.johnson")
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, s := range legacyiam.Steps(u) {
		if len(kinds) == 0 || kinds[len(kinds)-1] != s.Kind {
			kinds = append(kinds, s.Kind)
		}
		if s.Kind == "access-key" && !strings.Contains(s.Detail, "used") {
			t.Errorf("%s: no last use shown", s)
		}
	}
	want := "login-profile access-key signing-certificate ssh-public-key service-credential mfa-device inline-policy attached-policy group user"
	if got := strings.Join(kinds, " "); got != want {
		t.Errorf("steps %s; want %s", got, want)
	}
	if !strings.Contains(u.AccessKeys[0].LastUse(), "last used 2024-08-02 by s3 in us-east-1") {
		t.Errorf("last use %q", u.AccessKeys[0].LastUse())
	}
}

func TestMissingUserHasNoSteps(t *testing.T) {
	c := sandboxIAM(t)
	u, err := legacyiam.Inspect(context.Background(), c, "nobody")
	if err != nil {
		t.Fatal(err)
	}
	if u.Exists || len(legacyiam.Steps(u)) != 0 {
		t.Errorf("got %+v", u)
	}
}

// TestRunRetiresUser: the checklist against the sandbox's IAM writes leaves
// no user, and a second run finds nothing to do.
func TestRunRetiresUser(t *testing.T) {
	c := sandboxIAM(t)
	ctx := context.Background()
	u, err := legacyiam.Inspect(ctx, c, "alice.johnson")
	if err != nil {
		t.Fatal(err)
	}
	var seen []string
	rs, err := legacyiam.Run(ctx, c, legacyiam.Steps(u), func(r legacyiam.StepResult) { seen = append(seen, r.Kind) })
	if err != nil {
		t.Fatal(err)
	}
	if !legacyiam.OK(rs) {
		t.Fatalf("results %+v", rs)
	}
	if len(seen) != len(rs) || seen[len(seen)-1] != "user" {
		t.Errorf("reported %v; want every step, the user last", seen)
	}
	again, err := legacyiam.Inspect(ctx, c, "alice.johnson")
	if err != nil || again.Exists {
		t.Errorf("after the run: %+v, %v; want no user", again, err)
	}
	// Steps of a user that went away meanwhile count as done (already gone).
	rs, err = legacyiam.Run(ctx, c, legacyiam.Steps(u), nil)
	if err != nil || !legacyiam.OK(rs) || !rs[0].AlreadyGone {
		t.Errorf("re-run of the old steps: %+v, %v; want all done, already gone", rs, err)
	}
}

// TestDeactivateStage: the stage before the deletion sets only the active
// keys Inactive (UpdateAccessKey, reversible) and, when asked, deletes the
// console password; the user moves from active to keys-deactivated to
// deactivated, keeps everything else, and then has no steps left.
func TestDeactivateStage(t *testing.T) {
	c := sandboxIAM(t)
	ctx := context.Background()
	u, err := legacyiam.Inspect(ctx, c, "alice.johnson")
	if err != nil {
		t.Fatal(err)
	}
	if u.Stage() != legacyiam.StageActive || u.MigrationStage != legacyiam.StageActive {
		t.Fatalf("stage %s (%s); want active", u.Stage(), u.MigrationStage)
	}
	for _, tc := range []struct {
		removePassword bool
		wantSteps      string
		wantStage      legacyiam.Stage
	}{
		{false, "deactivate-key:AKIAI7LZ8UZ499S169EC", legacyiam.StageKeysDeactivated},
		{true, "login-profile:alice.johnson", legacyiam.StageDeactivated},
		{true, "", legacyiam.StageDeactivated},
	} {
		var steps []string
		for _, s := range legacyiam.DeactivateSteps(u, tc.removePassword) {
			steps = append(steps, s.Kind+":"+s.Target)
		}
		if got := strings.Join(steps, " "); got != tc.wantSteps {
			t.Fatalf("steps %q; want %q", got, tc.wantSteps)
		}
		rs, err := legacyiam.Run(ctx, c, legacyiam.DeactivateSteps(u, tc.removePassword), nil)
		if err != nil || !legacyiam.OK(rs) {
			t.Fatalf("run: %+v, %v", rs, err)
		}
		if u, err = legacyiam.Inspect(ctx, c, "alice.johnson"); err != nil {
			t.Fatal(err)
		}
		if u.Stage() != tc.wantStage {
			t.Errorf("after %q: stage %s; want %s", tc.wantSteps, u.Stage(), tc.wantStage)
		}
	}
	if !u.Exists || len(u.AccessKeys) != 2 || len(u.Certificates) == 0 || len(u.Groups) == 0 {
		t.Errorf("after deactivating: %+v; want the user, both keys and the rest kept", u)
	}
	// The way back is one call per key.
	if _, err := c.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("alice.johnson"), AccessKeyId: aws.String("AKIAI7LZ8UZ499S169EC"), Status: iamtypes.StatusTypeActive}); err != nil {
		t.Fatal(err)
	}
	if u, _ = legacyiam.Inspect(ctx, c, "alice.johnson"); u.Stage() != legacyiam.StageActive {
		t.Errorf("after reactivating: stage %s; want active", u.Stage())
	}
}

// TestDue: the deletion is due on or after the announced day (UTC), or at
// any time when none was announced.
func TestDue(t *testing.T) {
	day, err := legacyiam.Deadline("2027-01-31")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		deadline time.Time
		now      string
		want     bool
	}{
		{day, "2027-01-30T23:59:59Z", false},
		{day, "2027-01-31T00:00:00Z", true},
		{day, "2027-01-31T01:00:00+02:00", false}, // still the 30th in UTC
		{time.Time{}, "2020-01-01T00:00:00Z", true},
	} {
		now, _ := time.Parse(time.RFC3339, tc.now)
		if got := legacyiam.Due(tc.deadline, now); got != tc.want {
			t.Errorf("Due(%s, %s) = %v; want %v", tc.deadline.Format(time.DateOnly), tc.now, got, tc.want)
		}
	}
	if _, err := legacyiam.Deadline("31/01/2027"); err == nil {
		t.Error("Deadline accepted 31/01/2027")
	}
}

// TestMatch: a person's legacy IAM user is the first of their names (user
// name, e-mail address, the address's local part) that an IAM user has,
// whatever its case.
func TestMatch(t *testing.T) {
	iamNames := []string{"Alice.Johnson", "bob", "carol@example.com", "dave"}
	people := []legacyiam.Person{
		{Key: "a", Names: legacyiam.Names("alice.johnson", "alice@example.com")},
		{Key: "b", Names: legacyiam.Names("bob.smith", "bob@example.com")},
		{Key: "c", Names: legacyiam.Names("carol", "Carol@Example.com")},
		{Key: "e", Names: legacyiam.Names("erin", "")},
	}
	got := legacyiam.Match(iamNames, people)
	want := map[string]string{"a": "Alice.Johnson", "b": "bob", "c": "carol@example.com"}
	if len(got) != len(want) {
		t.Errorf("got %v; want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("person %s: got %q; want %q", k, got[k], v)
		}
	}
	if n := legacyiam.Names("x", "y@z"); strings.Join(n, ",") != "x,y@z,y" {
		t.Errorf("Names = %v; want x, y@z, y", n)
	}
}
