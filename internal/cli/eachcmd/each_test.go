package eachcmd

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ssoctl/ssoctl/internal/peertest"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/google/go-cmp/cmp"

	"github.com/ssoctl/ssoctl/internal/awsclient"
	"github.com/ssoctl/ssoctl/internal/cli/factory"
	"github.com/ssoctl/ssoctl/internal/each"
	"github.com/ssoctl/ssoctl/internal/emulator"
	"github.com/ssoctl/ssoctl/internal/emulatortest"
	"github.com/ssoctl/ssoctl/internal/iostreams"
	"github.com/ssoctl/ssoctl/internal/sso"
)

// The test binary doubles as the command `ssoctl each` runs: with
// EACH_TEST_HELPER set it prints what a run sees and exits.
func TestMain(m *testing.M) {
	if os.Getenv("EACH_TEST_HELPER") == "1" {
		fmt.Println(os.Getenv("SSOCTL_ACCOUNT_NAME"), os.Getenv("SSOCTL_ROLE_NAME"), os.Getenv("AWS_REGION"))
		if os.Getenv("SSOCTL_ACCOUNT_NAME") == os.Getenv("EACH_TEST_FAIL_IN") {
			os.Exit(5)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// helperEnv is the environment that makes the test binary the helper.
func helperEnv(failIn string) func() []string {
	return func() []string { return []string{"EACH_TEST_HELPER=1", "EACH_TEST_FAIL_IN=" + failIn} }
}

// sandbox is a signed-in sandbox (dave.miller of the small organization:
// 10 roles in 7 accounts) and a way to read its call counts.
type sandbox struct {
	source signIn
	url    string
}

func newSandbox(t *testing.T) *sandbox {
	t.Helper()
	sb := emulatortest.Start(t, emulator.Options{SignInAs: "dave.miller"})
	m := &sso.Manager{
		Home: t.TempDir(),
		Clients: func(ctx context.Context, region string) (sso.Clients, error) {
			set, err := awsclient.New(ctx, awsclient.Options{Region: region, EndpointURL: sb.URL, Credentials: aws.AnonymousCredentials{}, Unlimited: true})
			if err != nil {
				return sso.Clients{}, err
			}
			return sso.Clients{OIDC: set.SSOOIDC(), Portal: set.SSO()}, nil
		},
	}
	cfg := sso.Config{StartURL: sb.URL + "/start", Region: "us-east-1"}
	if _, err := m.Login(context.Background(), cfg, sso.LoginOptions{Flow: sso.FlowDevice, Timeout: 10 * time.Second}); err != nil {
		t.Fatal(err)
	}
	return &sandbox{
		source: signIn{
			Target:  func() (sso.Target, error) { return sso.Target{Config: cfg}, nil },
			Manager: func() (*sso.Manager, error) { return m, nil },
		},
		url: sb.URL,
	}
}

// calls is the sandbox's count of one "service:Operation".
func (s *sandbox) calls(t *testing.T, op string) int { return peertest.Stats(t, s.url).Calls[op] }

// exitCode is the exit code ssoctl would exit with.
func exitCode(err error) int { return factory.ExitCode(err) }

func TestThresholdAndCanaryPrompts(t *testing.T) {
	tests := []struct {
		name      string
		tty       bool
		stdin     string
		yes       bool
		threshold int
		canary    int
		wantCode  int
		wantRuns  int    // lines on stdout
		wantAsked string // on stderr
		wantErr   string // on stderr or in the error
	}{
		{name: "no terminal, above the threshold, no --yes", threshold: 3, wantCode: 2,
			wantErr: "this would run `helper` in 7 accounts, more than --threshold 3: pass --yes"},
		{name: "no terminal, --yes", threshold: 3, yes: true, wantRuns: 10},
		{name: "no terminal, at the threshold", threshold: 7, wantRuns: 10},
		{name: "terminal, no", tty: true, stdin: "n\n", threshold: 3, wantCode: 1,
			wantAsked: "Run it in 7 accounts? [y/N] ", wantErr: "Cancelled: nothing was run."},
		{name: "terminal, no answer", tty: true, stdin: "", threshold: 3, wantCode: 1, wantAsked: "Run it in 7 accounts? [y/N] "},
		{name: "terminal, yes", tty: true, stdin: "y\n", threshold: 3, wantRuns: 10, wantAsked: "Run it in 7 accounts? [y/N] "},
		{name: "terminal, --yes asks nothing", tty: true, yes: true, threshold: 3, wantRuns: 10},
		{name: "terminal, below the threshold asks nothing", tty: true, threshold: 10, wantRuns: 10},
		{name: "terminal, canary then no", tty: true, stdin: "y\nno\n", threshold: 3, canary: 2, wantCode: 1, wantRuns: 2,
			wantAsked: "The canary succeeded (2 runs). Run the other 8? [y/N] ", wantErr: "Cancelled: the other 8 runs were not run."},
		{name: "terminal, canary then yes", tty: true, stdin: "yes\ny\n", threshold: 3, canary: 2, wantRuns: 10,
			wantAsked: "The canary succeeded (2 runs). Run the other 8? [y/N] "},
		{name: "no terminal, canary goes on by itself", yes: true, threshold: 3, canary: 2, wantRuns: 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sb := newSandbox(t)
			ios, in, out, errOut := iostreams.Test()
			ios.SetTTY(tt.tty, tt.tty, tt.tty)
			in.WriteString(tt.stdin)
			err := runEach(context.Background(), &eachOptions{
				IO: ios, Prompter: factory.New(ios).Prompter, Source: sb.source, Environ: helperEnv(""), Argv: []string{os.Args[0]},
				Parallel: 4, Threshold: tt.threshold, Canary: tt.canary, Yes: tt.yes,
			})
			if got := exitCode(err); got != tt.wantCode {
				t.Fatalf("exit %d (%v); want %d\nstderr:\n%s", got, err, tt.wantCode, errOut)
			}
			all := errOut.String()
			if err != nil {
				all += err.Error()
			}
			if tt.wantErr != "" && !strings.Contains(strings.ReplaceAll(all, os.Args[0], "helper"), tt.wantErr) {
				t.Errorf("stderr and error %q; want %q in them", all, tt.wantErr)
			}
			if tt.wantAsked != "" && !strings.Contains(errOut.String(), tt.wantAsked) {
				t.Errorf("stderr %q; want the question %q", errOut, tt.wantAsked)
			}
			if tt.wantAsked == "" && strings.Contains(errOut.String(), "[y/N]") {
				t.Errorf("stderr %q: asked; want no question", errOut)
			}
			if got := strings.Count(out.String(), "\n"); got != tt.wantRuns {
				t.Errorf("%d lines on stdout; want %d:\n%s", got, tt.wantRuns, out)
			}
			if got := sb.calls(t, "sso:GetRoleCredentials"); got != tt.wantRuns {
				t.Errorf("%d GetRoleCredentials; want %d (one per run, none before a yes)", got, tt.wantRuns)
			}
		})
	}
}

func TestOutputShapes(t *testing.T) {
	sb := newSandbox(t)
	filter := each.Filter{AccountName: "^payments-(dev|prod)$", Regions: []string{"eu-west-1", "us-east-1"}}
	run := func(tty, json bool) (string, string, error) {
		ios, _, out, errOut := iostreams.Test()
		ios.SetTTY(false, tty, tty)
		err := runEach(context.Background(), &eachOptions{
			IO: ios, Source: sb.source, Filter: filter, Environ: helperEnv("payments-prod"), Argv: []string{os.Args[0]},
			Parallel: 3, Threshold: 10, JSON: json,
		})
		return out.String(), errOut.String(), err
	}

	// Not a terminal: each run's output whole, in order.
	out, errOut, err := run(false, false)
	if exitCode(err) != 3 || err.Error() != "4 of 8 runs failed" {
		t.Errorf("error %v; want exit 3, 4 of 8 runs failed", err)
	}
	want := `payments-dev Developer eu-west-1
payments-dev Developer us-east-1
payments-dev SeniorDeveloper eu-west-1
payments-dev SeniorDeveloper us-east-1
payments-prod ProductionSupport eu-west-1
payments-prod ProductionSupport us-east-1
payments-prod SeniorDeveloper eu-west-1
payments-prod SeniorDeveloper us-east-1
`
	if diff := cmp.Diff(want, out); diff != "" {
		t.Errorf("stdout (-want +got):\n%s", diff)
	}
	for _, w := range []string{"failed: payments-prod/ProductionSupport/eu-west-1: exit status 5\n", "4 ok, 4 failed, "} {
		if !strings.Contains(errOut, w) {
			t.Errorf("stderr %q; want %q in it", errOut, w)
		}
	}
	// Four account roles: four GetRoleCredentials for eight runs.
	if got := sb.calls(t, "sso:GetRoleCredentials"); got != 4 {
		t.Errorf("%d GetRoleCredentials; want 4", got)
	}

	// A terminal: every line after its label, failures marked.
	out, errOut, _ = run(true, false)
	for _, w := range []string{
		"payments-dev/Developer/eu-west-1          | payments-dev Developer eu-west-1\n",
		"payments-prod/SeniorDeveloper/us-east-1   | payments-prod SeniorDeveloper us-east-1\n",
	} {
		if !strings.Contains(out, w) {
			t.Errorf("terminal stdout %q; want %q in it", out, w)
		}
	}
	if w := "payments-prod/ProductionSupport/eu-west-1 | ✗ exit status 5\n"; !strings.Contains(errOut, w) {
		t.Errorf("terminal stderr %q; want %q in it", errOut, w)
	}
	if w := "Running `" + os.Args[0] + "` in 2 accounts (8 runs, 3 at a time).\n"; !strings.Contains(errOut, w) {
		t.Errorf("terminal stderr %q; want %q in it", errOut, w)
	}

	// JSON: one object a line, in order.
	out, _, _ = run(false, true)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 8 {
		t.Fatalf("%d JSON lines; want 8:\n%s", len(lines), out)
	}
	var r struct {
		AccountID   string  `json:"accountId"`
		AccountName string  `json:"accountName"`
		RoleName    string  `json:"roleName"`
		Region      string  `json:"region"`
		ExitCode    int     `json:"exitCode"`
		Stdout      string  `json:"stdout"`
		Stderr      string  `json:"stderr"`
		Seconds     float64 `json:"durationSeconds"`
	}
	if err := json.Unmarshal([]byte(lines[4]), &r); err != nil {
		t.Fatal(err)
	}
	if r.AccountID != "527326230212" || r.AccountName != "payments-prod" || r.RoleName != "ProductionSupport" || r.Region != "eu-west-1" ||
		r.ExitCode != 5 || r.Stdout != "payments-prod ProductionSupport eu-west-1\n" || r.Seconds <= 0 {
		t.Errorf("line 5: %+v", r)
	}
}

func TestDryRunFetchesNoCredentials(t *testing.T) {
	sb := newSandbox(t)
	ios, _, out, errOut := iostreams.Test()
	err := runEach(context.Background(), &eachOptions{
		IO: ios, Source: sb.source, Filter: each.Filter{Role: "Senior.*"}, Argv: []string{"no-such-command-needed"},
		Parallel: 4, Threshold: 1, DryRun: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	want := `ACCOUNTID     ACCOUNTNAME       ROLENAME         REGION
640775136188  payments-dev      SeniorDeveloper  -
527326230212  payments-prod     SeniorDeveloper  -
574749125865  payments-staging  SeniorDeveloper  -
`
	if diff := cmp.Diff(want, out.String()); diff != "" {
		t.Errorf("stdout (-want +got):\n%s", diff)
	}
	if w := "3 runs in 3 accounts; nothing run (--dry-run).\n"; errOut.String() != w {
		t.Errorf("stderr %q; want %q", errOut, w)
	}
	if got := sb.calls(t, "sso:GetRoleCredentials"); got != 0 {
		t.Errorf("%d GetRoleCredentials; want none", got)
	}
}

func TestFlags(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	f := factory.New(ios)
	var got *eachOptions
	cmd := NewCmd(f, func(_ context.Context, o *eachOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"--role", "Dev.*", "--account", "111111111111,222222222222", "--account", "333333333333",
		"--exclude", "^x{1,2}$", "--exclude", "444444444444", "--region", "us-east-1,eu-west-1", "--region", "ap-south-1",
		"--parallel", "5", "--canary", "2", "--threshold", "20", "--yes", "--dry-run", "--",
		"aws", "s3", "ls", "--region", "x"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	want := each.Filter{Role: "Dev.*", Accounts: []string{"111111111111", "222222222222", "333333333333"},
		Exclude: []string{"^x{1,2}$", "444444444444"}, Regions: []string{"us-east-1", "eu-west-1", "ap-south-1"}}
	if diff := cmp.Diff(want, got.Filter); diff != "" {
		t.Errorf("filter (-want +got):\n%s", diff)
	}
	if !cmp.Equal(got.Argv, []string{"aws", "s3", "ls", "--region", "x"}) || got.Parallel != 5 || got.Canary != 2 ||
		got.Threshold != 20 || !got.Yes || !got.DryRun {
		t.Errorf("options %+v", got)
	}

	for args, wantErr := range map[string]string{
		"--parallel 0 -- true": "--parallel must be at least 1",
		"--canary -1 -- true":  "cannot be negative",
		"":                     "requires at least 1 arg",
	} {
		cmd := NewCmd(f, func(context.Context, *eachOptions) error { return nil })
		cmd.SetArgs(strings.Fields(args))
		cmd.SilenceErrors, cmd.SilenceUsage = true, true
		if err := cmd.Execute(); err == nil || !strings.Contains(err.Error(), wantErr) {
			t.Errorf("%q: got %v; want %q", args, err, wantErr)
		}
	}
}

func TestCredentialsExportFile(t *testing.T) {
	sb := newSandbox(t)
	path := filepath.Join(t.TempDir(), "creds.json")
	if err := os.WriteFile(path, []byte("old, world-readable"), 0o644); err != nil {
		t.Fatal(err)
	}
	ios, _, out, errOut := iostreams.Test()
	err := runExport(context.Background(), &exportOptions{IO: ios, Source: sb.source, File: path, Parallel: 4,
		Filter: each.Filter{AccountName: "^payments-"}})
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v; want 0600", fi.Mode().Perm())
	}
	if out.Len() != 0 {
		t.Errorf("stdout %q; want nothing (the file has it)", out)
	}
	if w := "warning: " + path + " holds live credentials for 6 roles in 3 accounts"; !strings.Contains(errOut.String(), w) {
		t.Errorf("stderr %q; want %q", errOut, w)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("%d files beside it; want none (no temporary file left)", len(entries)-1)
	}
	data, _ := os.ReadFile(path)
	var got []struct {
		AccountID    string `json:"accountId"`
		AccountName  string `json:"accountName"`
		EmailAddress string `json:"emailAddress"`
		Roles        map[string]struct {
			AccessKeyID     string `json:"accessKeyId"`
			SecretAccessKey string `json:"secretAccessKey"`
			SessionToken    string `json:"sessionToken"`
			Expiration      int64  `json:"expiration"`
		} `json:"roles"`
	}
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, a := range got {
		for role, c := range a.Roles {
			names = append(names, a.AccountName+"/"+role)
			left := time.Until(time.UnixMilli(c.Expiration))
			if !strings.HasPrefix(c.AccessKeyID, "ASIA") || c.SecretAccessKey == "" || c.SessionToken == "" || left < 50*time.Minute || left > 61*time.Minute {
				t.Errorf("%s/%s: %+v (expires in %s)", a.AccountName, role, c, left)
			}
		}
		if a.EmailAddress != "aws+"+a.AccountName+"@example.com" {
			t.Errorf("%s: email %q", a.AccountName, a.EmailAddress)
		}
	}
	want := []string{"payments-dev/Developer", "payments-dev/SeniorDeveloper", "payments-prod/ProductionSupport", "payments-prod/SeniorDeveloper",
		"payments-staging/Developer", "payments-staging/SeniorDeveloper"}
	sort.Strings(names)
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("roles (-want +got):\n%s", diff)
	}
}

// The domain's filter errors (each.FilterError) are worded as flags here
// (the assertion moved from internal/each's TestSelect).
func TestFilterErrorsNameFlags(t *testing.T) {
	for _, tc := range []struct {
		f    each.Filter
		want string
	}{
		{each.Filter{AccountName: "("}, "--account-name: error parsing regexp"},
		{each.Filter{Role: "("}, "--role: error parsing regexp"},
		{each.Filter{Exclude: []string{"a["}}, "--exclude: error parsing regexp"},
	} {
		_, err := each.Select(nil, tc.f)
		err = filterUsage(err)
		var usage *factory.UsageError
		if !errors.As(err, &usage) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: got %v; want a usage error %q", tc.f, err, tc.want)
		}
	}
}
