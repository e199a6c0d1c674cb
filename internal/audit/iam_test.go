package audit_test

import (
	"testing"

	"github.com/ssoctl/ssoctl/internal/audit"
	"github.com/ssoctl/ssoctl/internal/emulator"
)

// TestIAMStage: the audit's IAM status (read through legacyiam) says which
// stage of its retirement each legacy user is in: alice.johnson has an
// active key (active), mallory.evans only a console password
// (keys-deactivated), bob.smith only an inactive key (deactivated).
func TestIAMStage(t *testing.T) {
	_, url := sandbox(t, emulator.Options{})
	rows, res := run(t, clientsFor(sdkConfig(url)), audit.Options{IAM: true})
	if len(res.Errors) != 0 {
		t.Fatalf("got errors %v; want none", res.Errors)
	}
	want := map[string]string{"alice.johnson": "active", "mallory.evans": "keys-deactivated", "bob.smith": "deactivated"}
	seen := map[string]bool{}
	for _, r := range rows {
		stage, ok := want[r.UserName]
		if !ok {
			continue
		}
		seen[r.UserName] = true
		if r.IAM == nil || r.IAM.Stage != stage {
			t.Errorf("%s on %s: IAM status %+v; want stage %s", r.UserName, r.AccountName, r.IAM, stage)
		}
	}
	if len(seen) != len(want) {
		t.Errorf("rows for %v; want all of %v", seen, want)
	}
}
