package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/spf13/pflag"

	sandboxcmd "github.com/ssoctl/ssoctl/internal/cli/sandbox"
	"github.com/ssoctl/ssoctl/internal/emulator"
	"github.com/ssoctl/ssoctl/internal/emulatortest"
)

var updateScripts = flag.Bool("update", false, "rewrite the expected files of failing cmp commands in testdata/script")

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"ssoctl": recordMain,
		// Programs the scripts (and the commands ssoctl runs) can call.
		"browse":    browse,
		"exitwith":  exitWith,
		"echoenv":   echoEnv,
		"exitif":    exitIf,
		"lsbuckets": lsBuckets,
		"callerid":  callerID,
		"unassign":  unassign,
		"fedfollow": fedFollow,
		"asrole":    asRole,
		"failopen":  failOpen,
		"loopcalls": callerLoop,
	})
}

// failOpen is a browser opener that fails as xdg-open fails without a
// display: it prints its arguments (the URL) on stdout and stderr and
// exits 3.
func failOpen() {
	fmt.Println("failopen: no method available for opening", strings.Join(os.Args[1:], " "))
	fmt.Fprintln(os.Stderr, "failopen: no method available for opening", strings.Join(os.Args[1:], " "))
	os.Exit(3)
}

// browse is a browser for SSOCTL_BROWSER: browse URL GETs the URL and
// follows its redirects, as a browser does when the sign-in page sends it
// back to ssoctl's loopback listener, and prints where it ended and the
// page's title on stderr.
func browse() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: browse URL")
		os.Exit(2)
	}
	resp, err := http.Get(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "browse:", err)
		os.Exit(1)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	title := ""
	if _, rest, ok := strings.Cut(string(body), "<title>"); ok {
		title, _, _ = strings.Cut(rest, "</title>")
	}
	fmt.Fprintf(os.Stderr, "browse: %d %s %s\n", resp.StatusCode, resp.Request.URL.Path, title)
	if resp.StatusCode != http.StatusOK {
		os.Exit(1)
	}
	os.Exit(0)
}

// exitWith exits with the status its argument gives: exitwith N.
func exitWith() {
	n, err := strconv.Atoi(os.Args[len(os.Args)-1])
	if err != nil || len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: exitwith N")
		os.Exit(2)
	}
	os.Exit(n)
}

// TestScript runs testdata/script/*.txtar. Each script gets its own sandbox
// (the small demo organization) served over real HTTP, the export lines of
// `ssoctl sandbox` in its environment, and HOME and AWS_CONFIG_FILE inside
// its work directory.
func TestScript(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		// ssoctl and the helper programs run only as `exec ssoctl …`, so a
		// script reads as the shell commands a user would type; no two files
		// of a script's archive may have the same name.
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		// go test ./cmd/ssoctl -run TestScript/NAME -update rewrites the
		// second file of a failing `cmp` in the script with what was got.
		UpdateScripts: *updateScripts,
		Setup: func(env *testscript.Env) error {
			home := filepath.Join(env.WorkDir, "home")
			if err := os.MkdirAll(filepath.Join(home, ".aws"), 0o700); err != nil {
				return err
			}
			env.Setenv("HOME", home)
			env.Setenv("AWS_CONFIG_FILE", filepath.Join(home, ".aws", "config"))
			env.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(home, ".aws", "credentials"))
			env.Setenv("AWS_EC2_METADATA_DISABLED", "true")
			// The scripts' sandboxes have no quotas; let the client go fast.
			env.Setenv("SSOCTL_RATE_SCALE", "50")
			testdata, err := filepath.Abs("testdata")
			if err != nil {
				return err
			}
			env.Setenv("TESTDATA", testdata)
			if d := os.Getenv("SSOCTL_RECORD"); d != "" {
				env.Setenv("SSOCTL_RECORD", d)
			}
			return startSandbox(env, emulator.Options{})
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"sandbox-restart":    cmdSandboxRestart,
			"sandbox-stats":      cmdSandboxStats,
			"sandbox-outbox":     cmdSandboxOutbox,
			"sandbox-activity":   cmdSandboxActivity,
			"sandbox-clock":      cmdSandboxClock,
			"sandbox-cloudtrail": cmdSandboxCloudTrail,
			"ses-verify":         cmdSESVerify,
			"exitcode":           cmdExitCode,
			"sleep":              cmdSleep,
			"expand":             cmdExpand,
			"sortlines":          cmdSortLines,
			"filemode":           cmdFileMode,
			"waitfile":           cmdWaitFile,
			"waitmatch":          cmdWaitMatch,
			"envfile":            cmdEnvFile,
			"hostile-org":        cmdHostileOrg,
			"sandbox-dies-after": cmdSandboxDiesAfter,
			"setmatch":           cmdSetMatch,
			"nowrites":           cmdNoWrites,
		},
		Condition: func(cond string) (bool, error) {
			if cond == "boto3" {
				return hasBoto3(), nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
	})
}

// startSandbox serves a new sandbox and exports its variables into env.
func startSandbox(env *testscript.Env, opts emulator.Options) error {
	sb, stop, err := emulatortest.Serve(opts)
	if err != nil {
		return err
	}
	env.Defer(stop)
	exportSandbox(sb, env.Setenv)
	return nil
}

// exportSandbox sets the variables of `ssoctl sandbox`'s export lines, and
// SANDBOX_URL.
func exportSandbox(sb *emulatortest.Sandbox, setenv func(k, v string)) {
	for _, kv := range sb.Env() {
		k, v, _ := strings.Cut(kv, "=")
		setenv(k, v)
	}
	setenv("SANDBOX_URL", sb.URL)
}

// cmdSandboxRestart replaces the script's sandbox with one configured by
// NAME=VALUE arguments, the flags of `ssoctl sandbox` without their dashes
// (org=medium, throttle-rate=0.3, deny-account=ID, …; also token-ttl,
// refresh-ttl, registration-ttl and credential-ttl).
func cmdSandboxRestart(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! sandbox-restart")
	}
	sb, stop, err := emulatortest.Serve(sandboxOptions(ts, args))
	ts.Check(err)
	ts.Defer(stop)
	exportSandbox(sb, ts.Setenv)
}

// sandboxOptions reads NAME=VALUE arguments, the flags of `ssoctl
// sandbox` without their dashes.
func sandboxOptions(ts *testscript.TestScript, args []string) emulator.Options {
	var o emulator.Options
	fs := pflag.NewFlagSet("sandbox-restart", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	sandboxcmd.BindFlags(fs, &o)
	flags := make([]string, len(args))
	for i, a := range args {
		flags[i] = "--" + a
	}
	if err := fs.Parse(flags); err != nil {
		ts.Fatalf("sandbox options: %v", err)
	}
	return o
}

// cmdSandboxStats writes the sandbox's /_sandbox/stats to FILE, one
// "kind service:Operation count" line each (kinds: calls, attempts,
// throttled, errors), so scripts can grep it.
func cmdSandboxStats(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: sandbox-stats FILE")
	}
	resp, err := http.Get(ts.Getenv("SANDBOX_URL") + "/_sandbox/stats")
	ts.Check(err)
	defer resp.Body.Close()
	var s emulator.StatsSnapshot
	ts.Check(json.NewDecoder(resp.Body).Decode(&s))
	var b strings.Builder
	for kind, m := range map[string]map[string]int{"calls": s.Calls, "attempts": s.Attempts, "throttled": s.Throttled, "errors": s.Errors} {
		for k, v := range m {
			fmt.Fprintf(&b, "%s %s %d\n", kind, k, v)
		}
	}
	ts.Check(os.WriteFile(ts.MkAbs(args[0]), []byte(b.String()), 0o644))
}

// cmdSandboxOutbox writes the sandbox's /_sandbox/outbox (the e-mails sent
// through sesv2 SendEmail, as JSON) to FILE.
func cmdSandboxOutbox(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: sandbox-outbox FILE")
	}
	resp, err := http.Get(ts.Getenv("SANDBOX_URL") + "/_sandbox/outbox")
	ts.Check(err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	ts.Check(err)
	ts.Check(os.WriteFile(ts.MkAbs(args[0]), body, 0o644))
}

// cmdSandboxActivity writes the sandbox's /_sandbox/activity (every user ×
// account × role with its last use, as JSON) to FILE.
func cmdSandboxActivity(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: sandbox-activity FILE")
	}
	resp, err := http.Get(ts.Getenv("SANDBOX_URL") + "/_sandbox/activity")
	ts.Check(err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	ts.Check(err)
	ts.Check(os.WriteFile(ts.MkAbs(args[0]), body, 0o644))
}

// cmdSandboxClock moves the sandbox clock forward through POST
// /_sandbox/clock and prints its answer on stdout: sandbox-clock advance
// DURATION, or sandbox-clock set RFC3339; sandbox-clock alone prints the
// time.
func cmdSandboxClock(ts *testscript.TestScript, neg bool, args []string) {
	u := ts.Getenv("SANDBOX_URL") + "/_sandbox/clock"
	var resp *http.Response
	var err error
	switch {
	case neg:
		ts.Fatalf("unsupported: ! sandbox-clock")
	case len(args) == 0:
		resp, err = http.Get(u)
	case len(args) == 2 && (args[0] == "advance" || args[0] == "set"):
		body, _ := json.Marshal(map[string]string{args[0]: args[1]})
		resp, err = http.Post(u, "application/json", strings.NewReader(string(body)))
	default:
		ts.Fatalf("usage: sandbox-clock [advance DURATION | set RFC3339]")
	}
	ts.Check(err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	ts.Check(err)
	if resp.StatusCode != http.StatusOK {
		ts.Fatalf("sandbox-clock %s: %s %s", strings.Join(args, " "), resp.Status, body)
	}
	ts.Stdout().Write(body)
}

// cmdSandboxCloudTrail records the CloudTrail event in FILE (a JSON
// record, see POST /_sandbox/cloudtrail) and prints the sandbox's answer
// (its eventId and eventTime) on stdout: sandbox-cloudtrail FILE.
func cmdSandboxCloudTrail(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: sandbox-cloudtrail FILE")
	}
	event, err := os.ReadFile(ts.MkAbs(args[0]))
	ts.Check(err)
	resp, err := http.Post(ts.Getenv("SANDBOX_URL")+"/_sandbox/cloudtrail", "application/json", strings.NewReader(string(event)))
	ts.Check(err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	ts.Check(err)
	if resp.StatusCode != http.StatusOK {
		ts.Fatalf("sandbox-cloudtrail %s: %s %s", args[0], resp.Status, body)
	}
	ts.Stdout().Write(body)
}

// cmdSESVerify verifies an SES identity (an address or a domain) in the
// sandbox, as its owner clicking the verification link would:
// ses-verify IDENTITY.
func cmdSESVerify(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: ses-verify IDENTITY")
	}
	body, err := json.Marshal(map[string]string{"identity": args[0]})
	ts.Check(err)
	resp, err := http.Post(ts.Getenv("SANDBOX_URL")+"/_sandbox/ses/verify", "application/json", strings.NewReader(string(body)))
	ts.Check(err)
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		ts.Fatalf("ses-verify %s: %s", args[0], resp.Status)
	}
}

// cmdExitCode runs a command and checks its exit status:
// exitcode N CMD ARGS... (stdout and stderr are kept for the next checks).
func cmdExitCode(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exitcode N CMD [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("%s: %v", args[1], err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("exit code %d; want %d", got, want)
	}
}

// cmdSleep waits: sleep DURATION.
func cmdSleep(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: sleep DURATION")
	}
	d, err := time.ParseDuration(args[0])
	ts.Check(err)
	time.Sleep(d)
}

// cmdExpand replaces $NAME and ${NAME} in FILE with the script's
// environment: expand FILE (so a config file can name the sandbox's URL).
func cmdExpand(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: expand FILE")
	}
	path := ts.MkAbs(args[0])
	data, err := os.ReadFile(path)
	ts.Check(err)
	ts.Check(os.WriteFile(path, []byte(os.Expand(string(data), ts.Getenv)), 0o600))
}
