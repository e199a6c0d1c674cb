package conformance_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ssoctl/ssoctl/internal/emulator"
	"github.com/ssoctl/ssoctl/internal/emulator/conformance"
	"github.com/ssoctl/ssoctl/internal/emulatortest"
	"github.com/ssoctl/ssoctl/internal/peertest"
)

// motoKnown are moto 5.2.1's known deviations from AWS, by call; a
// disagreement on one of these calls is reported with the note.
var motoKnown = map[string]string{
	"sso-admin:DescribePermissionSet":                   "moto's permission set ARN is …:instance/ssoins-…/ps-…, not …:permissionSet/…; its default SessionDuration is the integer 3600 (the set-up passes PT4H)",
	"sso-admin:ListPermissionSets":                      "moto's permission set ARN is …:instance/ssoins-…/ps-…, not …:permissionSet/…",
	"sso-admin:ListPermissionSetsProvisionedToAccount":  "moto provisions only on ProvisionPermissionSet (AWS also on CreateAccountAssignment), to the caller's account",
	"sso-admin:ListAccountsForProvisionedPermissionSet": "moto provisions only on ProvisionPermissionSet (AWS also on CreateAccountAssignment), to the caller's account",
	"iam:ListServiceSpecificCredentials":                "moto has no ListServiceSpecificCredentials",
}

// peerRun is what side_by_side.py printed for one peer.
type peerRun struct {
	Botocore    string     `json:"botocore"`
	SetupErrors []string   `json:"setup_errors"`
	Calls       []peerCall `json:"calls"`
}

type peerCall struct {
	Service    string            `json:"service"`
	Op         string            `json:"op"`
	Error      string            `json:"error"`
	ParseError string            `json:"parse_error"`
	Status     int               `json:"status"`
	Headers    map[string]string `json:"headers"`
	Body       string            `json:"body"`
}

func (c peerCall) response() conformance.Response {
	h := http.Header{}
	for k, v := range c.Headers {
		h.Set(k, v)
	}
	body, _ := base64.StdEncoding.DecodeString(c.Body)
	return conformance.Response{Status: c.Status, Header: h, Body: body}
}

// TestMotoSideBySide runs the same boto3 calls against the sandbox and
// moto_server (set-up writes, then the read operations both serve) and
// checks both raw answers against AWS's model. It lists every call on
// which the two disagree, with the model's verdict on each side, and fails
// when the sandbox's answer breaks the model.
func TestMotoSideBySide(t *testing.T) {
	data, err := conformance.BotocoreData(ctx)
	if err != nil {
		t.Skipf("botocore's API models not found: %v", err)
	}
	python := sideBySidePython(t)
	// moto knows AWS managed policies only when asked to load them.
	motoURL := peertest.Moto(t, "MOTO_IAM_LOAD_MANAGED_POLICIES=true")
	sb := emulatortest.Start(t, emulator.Options{})
	key, secret := "", ""
	for _, kv := range sb.Env() {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "AWS_ACCESS_KEY_ID":
			key = v
		case "AWS_SECRET_ACCESS_KEY":
			secret = v
		}
	}
	sandboxRun := runSideBySide(t, python, sb.URL, key, secret)
	motoRun := runSideBySide(t, python, motoURL, "AKIDEXAMPLE", "secret")
	t.Logf("botocore %s; set-up failures: sandbox %v; moto %v", sandboxRun.Botocore, sandboxRun.SetupErrors, motoRun.SetupErrors)
	if len(sandboxRun.SetupErrors) > 0 {
		t.Errorf("the sandbox refused set-up calls: %v", sandboxRun.SetupErrors)
	}

	served := map[string]bool{}
	for _, op := range sb.Operations() {
		served[op.Service+":"+op.Name] = true
	}
	models := map[string]*conformance.Model{}
	checker := func(service string) *conformance.Checker {
		m := models[service]
		if m == nil {
			if m, err = conformance.Load(data, service); err != nil {
				t.Fatal(err)
			}
			models[service] = m
		}
		c := conformance.NewChecker(m, conformance.SDKClient(service), time.Now())
		c.Allow = beyondModel
		return c
	}
	motoCalls := map[string]peerCall{}
	for _, c := range motoRun.Calls {
		motoCalls[c.Service+":"+c.Op] = c
	}

	var report strings.Builder
	compared, agree, notInMoto, motoContentType := 0, 0, 0, 0
	for _, sc := range sandboxRun.Calls {
		key := sc.Service + ":" + sc.Op
		if !served[key] {
			t.Errorf("%s is in side_by_side.py but the sandbox does not serve it", key)
			continue
		}
		chk := checker(sc.Service)
		m := models[sc.Service]
		sOut := chk.Check(sc.Op, sc.response())
		sandboxWrong := append(slices.Clone(sOut.Violations), parseProblem(sc)...)
		for _, v := range sandboxWrong {
			t.Errorf("%s: the sandbox's answer breaks the model: %s", key, v)
		}
		mc, ok := motoCalls[key]
		if !ok {
			continue
		}
		mOut := chk.Check(mc.Op, mc.response())
		// moto answers operations it lacks with what no model has (HTTP
		// 500 with an HTML page, "NotImplemented" …).
		if mc.Status == 0 || (mc.Status >= 300 && !mOut.Modelled && !slices.Contains(conformance.CommonErrors("json"), mOut.Error) &&
			!slices.Contains(conformance.CommonErrors("query"), mOut.Error)) {
			notInMoto++
			fmt.Fprintf(&report, "- %s: moto does not serve it (HTTP %d %s)%s\n", key, mc.Status, mOut.Error, note(key))
			continue
		}
		compared++
		sSig, mSig := conformance.Signature(m, sc.response()), conformance.Signature(m, mc.response())
		// moto's JSON answers all say Content-Type text/html: reported once.
		motoWrong := slices.DeleteFunc(slices.Clone(mOut.Violations), func(v string) bool { return strings.HasPrefix(v, "Content-Type:") })
		if len(motoWrong) < len(mOut.Violations) {
			motoContentType++
		}
		motoWrong = append(motoWrong, parseProblem(mc)...)
		if slices.Equal(sSig, mSig) && len(motoWrong) == 0 && len(sandboxWrong) == 0 {
			agree++
			continue
		}
		fmt.Fprintf(&report, "- %s%s\n", key, note(key))
		if only := minus(sSig, mSig); len(only) > 0 {
			fmt.Fprintf(&report, "    only the sandbox: %s\n", strings.Join(only, ", "))
		}
		if only := minus(mSig, sSig); len(only) > 0 {
			fmt.Fprintf(&report, "    only moto: %s\n", strings.Join(only, ", "))
		}
		fmt.Fprintf(&report, "    model's verdict: sandbox %s; moto %s\n", verdict(sandboxWrong), verdict(motoWrong))
	}
	t.Logf("side by side: %d read calls both serve compared, %d agree, %d differ; %d not served by moto; "+
		"moto answered %d of them with Content-Type text/html (the protocol's is application/x-amz-json-1.1; clients do not mind)\n%s",
		compared, agree, compared-agree, notInMoto, motoContentType, report.String())
}

func note(key string) string {
	if n, ok := motoKnown[key]; ok {
		return " [known moto deviation: " + n + "]"
	}
	return ""
}

func verdict(violations []string) string {
	if len(violations) == 0 {
		return "conforms"
	}
	if len(violations) > 3 {
		return fmt.Sprintf("breaks it (%s; and %d more)", strings.Join(violations[:3], "; "), len(violations)-3)
	}
	return "breaks it (" + strings.Join(violations, "; ") + ")"
}

// parseProblem is boto3's own failure to parse an answer, if any.
func parseProblem(c peerCall) []string {
	if c.ParseError == "" {
		return nil
	}
	return []string{"boto3 could not parse it: " + c.ParseError}
}

func minus(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

// runSideBySide runs testdata/side_by_side.py against one endpoint with a
// hermetic environment.
func runSideBySide(t *testing.T, python, url, key, secret string) peerRun {
	t.Helper()
	cctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	home := t.TempDir()
	cmd := exec.CommandContext(cctx, python, filepath.Join("testdata", "side_by_side.py"), url, key, secret)
	cmd.Env = []string{"HOME=" + home, "PATH=/usr/bin:/bin", "LANG=C.UTF-8",
		"AWS_CONFIG_FILE=" + filepath.Join(home, "config"), "AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "credentials")}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("side_by_side.py against %s: %v\n%s", url, err, stderr.String())
	}
	var run peerRun
	if err := json.Unmarshal(stdout.Bytes(), &run); err != nil {
		t.Fatalf("side_by_side.py output: %v\n%s", err, stdout.String())
	}
	return run
}

// sideBySidePython is the python3 that imports boto3, resolved past any
// pyenv shim so that it runs with a hermetic environment.
func sideBySidePython(t *testing.T) string {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not found on PATH")
	}
	out, err := exec.CommandContext(ctx, py, "-c", "import sys, boto3; print(sys.executable)").Output()
	if err != nil {
		t.Skipf("python3 cannot import boto3: %v", err)
	}
	exe := strings.TrimSpace(string(out))
	if _, err := os.Stat(exe); err != nil {
		t.Skipf("python3 executable %s: %v", exe, err)
	}
	return exe
}
