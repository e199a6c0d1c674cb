package legacyiam_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/iam"

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
