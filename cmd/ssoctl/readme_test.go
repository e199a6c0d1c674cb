package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// readmeBlocks returns README.md's fenced blocks of language lang, by the
// "## " heading they stand under.
func readmeBlocks(t *testing.T, lang string) map[string][]string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	blocks := map[string][]string{}
	var heading string
	var block *strings.Builder
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := sc.Text()
		switch {
		case block != nil && line == "```":
			blocks[heading] = append(blocks[heading], block.String())
			block = nil
		case block != nil:
			block.WriteString(line + "\n")
		case line == "```"+lang:
			block = &strings.Builder{}
		case strings.HasPrefix(line, "## "):
			heading = strings.TrimPrefix(line, "## ")
		}
	}
	return blocks
}

// TestREADMEExamples pastes README.md's examples into bash against the
// sandbox, as a new user would: the sandbox block, its CloudTrail block, its
// signatures and trust policies block, the sign-in try-out
// (login with the device code, roles, exec, export, check) and every line
// of "Profiles and the console", "One command in every account", "Role
// chains and long-running programs", "History and the HTML report" (its
// activity block too), "Who
// can reach production?" (under "The audit"),
// "Assignments as code", "The user lifecycle" and "Identity Center as
// code", in
// one session, with Debian's AWS CLI v2 (/usr/bin/aws) as `aws` — except in
// "Profiles and the console", whose `aws` uses a profile natively and so
// needs an AWS CLI that reads AWS_ENDPOINT_URL_SSO (python3's AWS CLI, v1.29
// or later). SSOCTL_BROWSER is a script that fetches the
// console sign-in URL. The only change made to the blocks: /tmp/ is a
// folder of the test's. The sample ~/.aws/config is read by ssoctl and by
// the AWS CLI.
func TestREADMEExamples(t *testing.T) {
	if _, err := os.Stat(debianCLI); err != nil {
		t.Skip(debianCLI + " (AWS CLI v2) not found")
	}
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash not found")
	}
	sh := readmeBlocks(t, "sh")
	pick := func(heading, holding string) string {
		t.Helper()
		for _, b := range sh[heading] {
			if strings.Contains(b, holding) {
				return b
			}
		}
		t.Fatalf("README.md: no sh block holding %q under %q", holding, heading)
		return ""
	}
	sandboxBlock := pick("The sandbox", "ssoctl sandbox")
	trustBlock := pick("The sandbox", "assume-role")
	sandboxOrgBlock := pick("The sandbox", "--sandbox-org")
	trailBlock := pick("The sandbox", "--activity-days")
	globalBlock := pick("Global flags", "--debug")
	signInBlock := pick("Signing in (people who use AWS)", "--sign-in-as")
	profilesBlock := pick("Profiles and the console", "ssoctl configure populate")
	consoleBlock := pick("Profiles and the console", "ssoctl console")
	// Without their tools, the profiles and console blocks are left out
	// (and the rest runs).
	nativeCLI, why := modernAWSCLI(t.TempDir())
	curl, err := exec.LookPath("curl")
	if err != nil {
		why = "curl (the test's browser) not found"
	}
	withProfiles := nativeCLI != "" && curl != ""
	if !withProfiles {
		t.Log("left out the README's profiles and console blocks: " + why)
	}
	eachBlock := pick("One command in every account", "ssoctl each")
	chainBlock := pick("Role chains and long-running programs", "--assume-role")
	serveBlock := pick("Role chains and long-running programs", "serve-credentials")
	historyBlock := pick("History and the HTML report", "ssoctl history")
	activityBlock := pick("History and the HTML report", "--since last")
	reviewBlock := pick("The audit", "--org-config examples/org.yaml")
	assignmentsBlock := pick("Assignments as code (administrators)", "ssoctl assignments")
	userBlock := pick("The user lifecycle (administrators)", "ssoctl user")
	iacBlock := pick("Identity Center as code (administrators)", "ssoctl iac")

	bin := buildSSOCTL(t)
	work := t.TempDir()
	tmp := filepath.Join(work, "tmp")
	home := filepath.Join(work, "home")
	for _, d := range []string{tmp, home} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	// The ./cleanup.sh the each example runs.
	// The files the user lifecycle block names: the repository's
	// examples/org.yaml and a people.csv of one new hire.
	orgYAML, err := os.ReadFile("../../examples/org.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(work, "examples"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(work, "examples", "org.yaml"), orgYAML, 0o644); err != nil {
		t.Fatal(err)
	}
	// The Identity Center file the iac block merges with its export.
	oncall, err := os.ReadFile("../../examples/oncall.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(work, "examples", "oncall.yaml"), oncall, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(work, "people.csv"), []byte("username,given_name,family_name,email,access\nsam.lee,Sam,Lee,sam.lee@example.com,Developer\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(work, "cleanup.sh"), []byte("#!/bin/sh\necho \"cleaned up $SSOCTL_ACCOUNT_NAME as $SSOCTL_ROLE_NAME\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	// The browser: fetches the console sign-in URL and says where it went
	// (not the URL's query, which holds the sign-in token) in browser.log,
	// printed after the console block: ssoctl discards what an opener
	// prints (a failing one prints the URL).
	browser := filepath.Join(work, "bin", "browser")
	if err := os.MkdirAll(filepath.Dir(browser), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(browser, []byte("#!/bin/sh\n"+curl+` -sS -o /dev/null -w 'browser: %{http_code} %{url_effective}\n' "$1" | sed 's/?.*//' >>`+filepath.Join(work, "browser.log")+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	paste := func(block string) string { return strings.ReplaceAll(block, "/tmp/", tmp+"/") }
	// The profiles block runs with the AWS CLI that reads the sandbox's
	// endpoint variables first on PATH, then the rest with Debian's.
	withCLI := func(dir, block string) string {
		return "PATH=" + dir + ":$PATH\n" + paste(block) + "PATH=${PATH#" + dir + ":}\n"
	}
	profiles := ""
	if withProfiles {
		profiles = withCLI(nativeCLI, profilesBlock) + paste(consoleBlock) + "cat browser.log\n"
	}
	script := "set -euo pipefail\ntrap 'kill $(jobs -p) 2>/dev/null || true' EXIT\nset -x\n" +
		paste(sandboxBlock) + paste(trustBlock) + paste(sandboxOrgBlock) + paste(trailBlock) +
		"grep -c '\"lastUsed\"' " + filepath.Join(tmp, "activity.json") + " | sed 's/^/activity roles used: /'\n" +
		// the first sandbox, used as "Pointing AWS tools" says
		"aws sso-admin list-instances --endpoint-url \"$AWS_ENDPOINT_URL\" --query 'Instances[0].InstanceArn' --output text\n" +
		paste(signInBlock) + paste(globalBlock) + profiles + paste(eachBlock) + paste(chainBlock) + paste(serveBlock) + paste(historyBlock) + paste(activityBlock) + paste(reviewBlock) + paste(assignmentsBlock) + paste(userBlock) + paste(iacBlock) +
		"stat -c 'creds.json mode %a' creds.json\n" +
		"cmp first.csv aws_sso_access_report_*.csv && echo 'first.csv is the first report'\n"

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bash, "-c", script)
	cmd.Dir = work
	cmd.Env = []string{"HOME=" + home, "PATH=" + filepath.Dir(bin) + ":/usr/bin:/bin", "LANG=C.UTF-8"}
	if withProfiles {
		cmd.Env = append(cmd.Env, "SSOCTL_BROWSER="+browser)
	}
	cmd.WaitDelay = 10 * time.Second
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the README's examples failed: %v\n%s", err, out)
	}
	want := []string{
		// signatures and trust policies
		`An error occurred \(SignatureDoesNotMatch\) when calling the GetCallerIdentity operation: The request signature we calculated does not match`,
		`(?m)^arn:aws:sts::640775136188:assumed-role/OrganizationAccountAccessRole/demo$`,
		`An error occurred \(AccessDenied\) when calling the AssumeRole operation: User: arn:aws:iam::\d{12}:user/sandbox-admin is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::640775136188:role/DeployRole`,
		// the first sandbox, reached by the AWS CLI
		`^arn:aws:sso:::instance/ssoins-`,
		// --sandbox-org
		`(?m)^account,workload-0499,\d{12}$`,
		// CloudTrail: a seeded sign-in, and the truth about them
		`(?m)^\{"eventVersion":"1\.11","userIdentity":\{"type":"IdentityCenterUser",.*"eventName":"GetRoleCredentials",.*"serviceEventDetails":\{"role_name":"\w+","account_id":"\d{12}"\}`,
		`(?m)^activity roles used: [1-9]\d*$`,
		// global flags: --version, the formats topic, --debug
		`(?m)^ssoctl \S+`,
		`(?m)^  roles +table, json, csv$`,
		`(?m)^debug: sso ListAccounts attempt 1 to http://127\.0\.0\.1:\d+: HTTP 200 in `,
		// sign-in try-out
		`(?m)^Signed in to http://127\.0\.0\.1:\d+/start with device code`,
		`(?m)^640775136188,payments-dev,SeniorDeveloper$`,
		`"Arn": "arn:aws:sts::640775136188:assumed-role/AWSReservedSSO_Developer_[0-9a-f]{16}/dave\.miller"`,
		`(?m)^export AWS_ACCESS_KEY_ID=ASIA[A-Z0-9]{16}$`,
		`(?m)^ok +role +Developer in account 640775136188 \(payments-dev\)`,
		// each
		`(?m)^5 runs in 5 accounts; nothing run \(--dry-run\)\.$`,
		`"Arn": "arn:aws:sts::574749125865:assumed-role/AWSReservedSSO_Developer_[0-9a-f]{16}/dave\.miller"`,
		`(?m)^5 ok, 0 failed, `,
		`(?m) payments-staging-logs-574749125865$`,
		`(?m)^12 ok, 0 failed, `,
		`(?m)^cleaned up payments-staging as SeniorDeveloper$`,
		`(?m)^7 ok, 0 failed, `,
		`(?m)^warning: creds\.json holds live credentials for 5 roles in 5 accounts`,
		`(?m)^creds\.json mode 600$`,
		// role chains and the credentials endpoint
		`"Arn": "arn:aws:sts::640775136188:assumed-role/DeployRole/botocore-session-\d+"`,
		`"Arn": "arn:aws:sts::574749125865:assumed-role/DeployRole/botocore-session-\d+"`,
		`(?m)^2 ok, 0 failed, `,
		`^arn:aws:sts::640775136188:assumed-role/DeployRole/botocore-session-\d+$`,
		`(?m)^Serving the credentials of DeployRole in account 640775136188 at http://127\.0\.0\.1:\d+/ \(Ctrl-C to stop\)\.$`,
		// history: two snapshots, nothing changed between them
		`(?m)^audit: saved snapshot #2 \(137 rows\) to `,
		`(?m)^first\.csv is the first report$`,
		`(?m)^history diff 1 → 2: 0 gained, 0 lost; findings: 0 appeared, 0 resolved$`,
		`(?m)^report html: snapshot #2, 137 rows, 4 findings; wrote access\.html$`,
		// who can reach production, with examples/org.yaml
		`(?m)^production: 3 of 3 production accounts \(Root/Workloads/Prod, acme-management\) reached with a privileged permission set, by 2 users$`,
		`(?m)^finding: SUSPENDED_ACCOUNT account legacy-app \d{12}: 10 rows \(1 finding\); most privileged Developer\n  legacy-app `,
		`(?m)^AdministratorAccess,GROUP,[0-9a-f-]+,platform-admins,alice\.johnson,group:platform-admins,PRIVILEGED$`,
		`(?m)^note: payments-prod \(\d{12}\) is in Root/Workloads/Prod, PRODUCTION \(by OU Workloads/Prod\); 2 users reach it`,
		// assignments as code: export, then plan shows nothing; --prune
		// removes the orphaned assignment through the saved plan
		`(?m)^No changes: Identity Center has the 46 assignments the file declares\.$`,
		`(?m)^plan: 46 assignments declared, 47 assignments live in scope, 0 to create, 1 to delete; `,
		`(?m)^apply: 0 created, 1 deleted, 0 already as planned, 0 failed, 0 not started$`,
		`(?m)^templates/access\.yaml\tparent template, 46 resources, 46 assignments$`,
		// the user lifecycle, with examples/org.yaml and a people.csv
		`(?m)^Nothing was changed: run again with --yes to carry this plan out\.$`,
		`(?m)^Created user jane\.doe \(id [0-9a-f-]+\)\.$`,
		`(?m)^Created user sam\.lee \(id [0-9a-f-]+\)\.$`,
		`(?m)^Assignments: 0 created, 1 deleted, 0 unchanged, 0 failed, 0 not started\.$`,
		`(?m)^Assignments: 4 created, 2 deleted, 0 unchanged, 0 failed, 0 not started\.$`,
		`(?m)^Subject: Your AWS access is ready$`,
		`(?m)^Deleted user jane\.doe; every assignment and group membership was removed first\.$`,
		`(?m)^Nothing to change: no user "jane\.doe" in the identity store \(already offboarded\?\)`,
		`(?m)^Deactivated IAM user alice\.johnson in account \d{12}; `,
		`(?m)^alice\.johnson,alice\.johnson,keys-deactivated$`,
		`(?m)^Retired IAM user alice\.johnson in account \d{12}\.$`,
		`(?m)^No IAM user alice\.johnson in account \d{12} \(developer-sandbox\): nothing to retire\.$`,
		// Identity Center as code: export, then plan shows nothing; a
		// saved plan of the export and examples/oncall.yaml applied; the
		// last command, without --yes and with no terminal, changes nothing
		`(?m)^No changes: Identity Center has the \d+ permission sets, \d+ groups and \d+ assignments the files declare\.$`,
		`(?m)^Saved to ic\.plan: carry it out with ssoctl iac apply ic\.plan$`,
		`(?m)^apply: 6 created, 0 updated, 0 re-provisioned, 0 deleted, 0 already as planned, 0 failed, 0 not started$`,
		`(?m)^  \+ group oncall: OnCall on payments-prod \(\d{12}\)$`,
	}
	if withProfiles {
		want = append(want,
			// profiles and the console
			`(?m)^Wrote \S+/\.aws/config: 10 added, 0 changed, 0 removed, 0 unchanged, 0 not written\.$`,
			`(?m)^Would write \S+/\.aws/config: 10 added, 0 changed, 0 removed, 0 unchanged, 0 not written\.$`,
			`(?m)^\+\[profile payments-dev-developer\]$`,
			`(?m)^Wrote \S+/\.aws/config: 0 added, 10 changed, 0 removed, 0 unchanged, 0 not written\.$`,
			`(?m)^added +dev +640775136188 +payments-dev +Developer +eu-west-1$`,
			`(?m) payments-dev-artifacts-640775136188$`,
			`(?m)^Opening the AWS console as Developer in account 640775136188\.$`,
			`(?m)^browser: 302 http://127\.0\.0\.1:\d+/federation$`,
			`(?m)^http://127\.0\.0\.1:\d+/federation\?Action=login&`,
			`(?m)^\+ token=ssoctl-console-1\.`,
		)
	}
	for _, want := range want {
		if !regexp.MustCompile(strings.Replace(want, "^arn", "(?m)^arn", 1)).Match(out) {
			t.Errorf("output lacks %s", want)
		}
	}
	for _, bad := range []string{"could not be found", "failed: "} {
		if bytes.Contains(out, []byte(bad)) {
			t.Errorf("output holds %q", bad)
		}
	}
	if t.Failed() {
		t.Logf("output:\n%s", out)
	}
	if d := os.Getenv("SSOCTL_RECORD"); d != "" { // bench/compare_outputs.sh
		if err := os.WriteFile(filepath.Join(d, "README.out"), out, 0o644); err != nil {
			t.Error(err)
		}
	}

	// The sample config: ssoctl and the AWS CLI read it; ssoctl says how
	// to sign in (nothing is reached: the start URL is an example).
	ini := readmeBlocks(t, "ini")["Signing in (people who use AWS)"]
	if len(ini) != 1 {
		t.Fatalf("README.md: %d ini blocks under Signing in; want the sample config", len(ini))
	}
	if err := os.WriteFile(filepath.Join(home, ".aws", "config"), []byte(ini[0]), 0o600); err != nil {
		t.Fatal(err)
	}
	env := []string{"HOME=" + home, "PATH=/usr/bin:/bin", "AWS_EC2_METADATA_DISABLED=true"}
	e := &signInEnv{home: home}
	if out, stderr, code := e.run(t, env, debianCLI, "configure", "list-profiles"); code != 0 || strings.TrimSpace(out) != "dev" {
		t.Errorf("aws configure list-profiles: exit %d, %q; want dev\n%s", code, out, stderr)
	}
	_, stderr, code := e.run(t, env, bin, "roles", "--profile", "dev")
	if code != 4 || !strings.Contains(stderr, "`ssoctl login --profile dev`") {
		t.Errorf("ssoctl roles --profile dev with the sample config: exit %d\n%s\nwant 4 and the login to run", code, stderr)
	}
}

// modernAWSCLI writes into dir an `aws` that runs python3's AWS CLI and
// returns dir, when that CLI reads the service endpoint variables (v1.29
// and v2.13 on); else "" and why not.
func modernAWSCLI(dir string) (string, string) {
	out, err := python3("import sys, awscli; print(sys.executable); print(awscli.__version__)")
	if err != nil {
		return "", fmt.Sprintf("python3 has no AWS CLI (pip install awscli): %v", err)
	}
	f := strings.Fields(out)
	if len(f) != 2 {
		return "", "python3 said " + out
	}
	var major, minor int
	if _, err := fmt.Sscanf(f[1], "%d.%d", &major, &minor); err != nil || major < 1 || major == 1 && minor < 29 || major == 2 && minor < 13 {
		return "", "python3's AWS CLI " + f[1] + " does not read AWS_ENDPOINT_URL_SSO (v1.29 or v2.13 needed)"
	}
	script := "#!/bin/sh\nexec " + f[0] + " -m awscli \"$@\"\n"
	if err := os.WriteFile(filepath.Join(dir, "aws"), []byte(script), 0o755); err != nil {
		return "", err.Error()
	}
	return dir, ""
}

// TestREADMEFreshMachine runs "On a fresh machine"'s main command as
// written, from the repository's root: the audit of the built-in sandbox
// writes its CSV report there (removed afterwards) and its summary on
// stderr.
func TestREADMEFreshMachine(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go run; skipped with -short")
	}
	block := ""
	for _, b := range readmeBlocks(t, "sh")["On a fresh machine"] {
		if strings.Contains(b, "audit --sandbox") {
			block = b
		}
	}
	if block == "" {
		t.Fatal(`README.md: no sh block holding "audit --sandbox" under "On a fresh machine"`)
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	const pattern = "aws_sso_access_report_*.csv"
	before, _ := filepath.Glob(filepath.Join(root, pattern))
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-euo", "pipefail", "-c", block)
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	runErr := cmd.Run()
	after, _ := filepath.Glob(filepath.Join(root, pattern))
	var written []string
	for _, f := range after {
		if !slices.Contains(before, f) {
			written = append(written, f)
			t.Cleanup(func() { os.Remove(f) })
		}
	}
	if runErr != nil {
		t.Fatalf("%s: %v\n%s", strings.TrimSpace(block), runErr, stderr.String())
	}
	if want := regexp.MustCompile(`(?m)^audit: 137 rows, 4 findings \(.*\), 0 errors; \d+ API calls, 0 throttled retries, .*; wrote aws_sso_access_report_\d{8}_\d{6}\.csv$`); !want.Match(stderr.Bytes()) {
		t.Errorf("stderr lacks the audit's summary (%s):\n%s", want, stderr.String())
	}
	if len(written) != 1 {
		t.Fatalf("wrote %d reports %v; want one", len(written), written)
	}
	data, err := os.ReadFile(written[0])
	if err != nil {
		t.Fatal(err)
	}
	if lines := strings.Count(string(data), "\n"); lines != 138 {
		t.Errorf("%s has %d lines; want a header and 137 rows", filepath.Base(written[0]), lines)
	}
}

// TestREADMESandboxClock runs the sandbox's clock and Scheduler example
// against a sandbox of its own, as the sandbox block starts one, with
// Debian's AWS CLI v2 (/usr/bin/aws) as `aws`: the schedule made, the
// direct assignment still there, the clock moved two hours, the
// assignment gone.
func TestREADMESandboxClock(t *testing.T) {
	if _, err := os.Stat(debianCLI); err != nil {
		t.Skip(debianCLI + " (AWS CLI v2) not found")
	}
	for _, tool := range []string{"bash", "curl", "jq"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skip(tool + " not found")
		}
	}
	block := ""
	for _, b := range readmeBlocks(t, "sh")["The sandbox"] {
		if strings.Contains(b, "_sandbox/clock") {
			block = b
		}
	}
	if block == "" {
		t.Fatal(`README.md: no sh block holding "_sandbox/clock" under "The sandbox"`)
	}
	bin := buildSSOCTL(t)
	work := t.TempDir()
	awsDir := filepath.Join(work, "bin")
	if err := os.MkdirAll(awsDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(debianCLI, filepath.Join(awsDir, "aws")); err != nil {
		t.Fatal(err)
	}
	script := "set -euo pipefail\ntrap 'kill $(jobs -p) 2>/dev/null || true' EXIT\n" +
		"ssoctl sandbox --listen 127.0.0.1:0 > sandbox.env &\n" +
		"until grep -qs AWS_DEFAULT_SSO_REGION sandbox.env; do sleep 0.1; done; eval \"$(cat sandbox.env)\"\n" +
		"set -x\n" + block
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-c", script)
	cmd.Dir = work
	cmd.Env = []string{"HOME=" + work, "PATH=" + awsDir + ":" + filepath.Dir(bin) + ":/usr/bin:/bin", "LANG=C.UTF-8"}
	cmd.WaitDelay = 10 * time.Second
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the README's clock example failed: %v\n%s", err, out)
	}
	for _, want := range []string{
		`"ScheduleArn": "arn:aws:scheduler:us-east-1:489264326637:schedule/default/expire-bob"`,
		`(?m)^1$`,
		`(?m)^\{"now":"\d{4}-\d\d-\d\dT[\d:.]+Z","offset":"2h0m0s"\}$`,
		`(?m)^0$`,
	} {
		if !regexp.MustCompile(want).Match(out) {
			t.Errorf("output lacks %s", want)
		}
	}
	if t.Failed() {
		t.Logf("output:\n%s", out)
	}
}
