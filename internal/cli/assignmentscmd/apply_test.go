package assignmentscmd

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/ssoctl/ssoctl/internal/awsclient"
	"github.com/ssoctl/ssoctl/internal/emulator"
	"github.com/ssoctl/ssoctl/internal/emulatortest"
	"github.com/ssoctl/ssoctl/internal/iostreams"
	"github.com/ssoctl/ssoctl/internal/peertest"
)

// TestApplyAsksAtATerminal: without --yes, apply asks on a terminal; "n"
// (or anything but yes) changes nothing, "y" carries the plan out.
func TestApplyAsksAtATerminal(t *testing.T) {
	sb := emulatortest.Start(t, emulator.Options{})
	set, err := awsclient.New(context.Background(), awsclient.Options{EndpointURL: sb.URL, Region: sb.Region(), Unlimited: true,
		Credentials: credentials.NewStaticCredentialsProvider(emulator.SandboxAccessKeyID, emulator.SandboxSecretAccessKey, "")})
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "a.yaml")
	if err := os.WriteFile(file, []byte("Groups: [developers]\nPermissionSets: [ReadOnlyAccess]\nAccounts: [payments-dev, network]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		answer  string
		creates int
		says    string
	}{
		{"n\n", 0, "Cancelled: nothing was changed."},
		{"\n", 0, "Cancelled: nothing was changed."},
		{"yes\n", 2, "apply: 2 created, 0 deleted"},
	} {
		ios, in, out, errOut := iostreams.Test()
		ios.SetTTY(true, true, true)
		in.WriteString(tc.answer)
		opts := &applyOptions{common: common{IO: ios, Clients: func(context.Context) (*awsclient.Set, error) { return set, nil }, Format: "table"}, Files: []string{file}}
		before := peertest.Stats(t, sb.URL).Calls["sso-admin:CreateAccountAssignment"]
		if err := runApply(context.Background(), opts); err != nil {
			t.Fatalf("answer %q: %v\n%s", tc.answer, err, errOut)
		}
		if got := peertest.Stats(t, sb.URL).Calls["sso-admin:CreateAccountAssignment"] - before; got != tc.creates {
			t.Errorf("answer %q: %d creates; want %d", tc.answer, got, tc.creates)
		}
		if !strings.Contains(errOut.String(), "Make these 2 changes? [y/N] ") || !strings.Contains(errOut.String(), tc.says) {
			t.Errorf("answer %q: stderr %q; want the question and %q", tc.answer, errOut, tc.says)
		}
		if !strings.Contains(out.String(), "Plan: 2 to create, 0 to delete, 0 unchanged.") {
			t.Errorf("answer %q: stdout %q; want the plan", tc.answer, out)
		}
	}
}
