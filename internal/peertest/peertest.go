// Package peertest starts the independent peers that tests compare ssoctl
// and its sandbox with. It is imported by tests only.
package peertest

import (
	"encoding/json"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/smithy-go/middleware"
	"github.com/ssoctl/ssoctl/internal/awsclient"
	"github.com/ssoctl/ssoctl/internal/emulator"
)

// Moto runs moto_server on a free loopback port until the test ends and
// returns its URL; it skips the test when moto_server is not on PATH. env
// adds NAME=VALUE settings for moto (MOTO_IAM_LOAD_MANAGED_POLICIES=true,
// say).
func Moto(t testing.TB, env ...string) string {
	t.Helper()
	bin, err := exec.LookPath("moto_server")
	if err != nil {
		t.Skip("moto_server not found on PATH")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	url := "http://127.0.0.1:" + strconv.Itoa(port)

	logPath := filepath.Join(t.TempDir(), "moto.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.Env = append(EnvWithoutAWS(), env...)
	// moto_server is a pyenv shim; a process group lets cleanup end the
	// python process it execs, whatever the shim does.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start moto_server: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-exited
		logFile.Close()
	})

	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := client.Get(url + "/moto-api/")
		if err == nil {
			resp.Body.Close()
			return url
		}
		select {
		case err := <-exited:
			exited <- err
			log, _ := os.ReadFile(logPath)
			t.Fatalf("moto_server exited before answering (%v):\n%s", err, log)
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(logPath)
			t.Fatalf("moto_server did not answer at %s within 30s:\n%s", url, log)
		}
	}
}

// EnvWithoutAWS is the process environment minus AWS_* variables, so a
// developer's AWS settings cannot leak into a peer.
func EnvWithoutAWS() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			env = append(env, kv)
		}
	}
	return env
}

// SDKConfig is a plain SDK configuration for an endpoint: dummy static
// credentials, us-east-1, awsclient.PlainRequestBodies (which keeps the SDK
// from cutting its own responses off), and the given
// number of attempts. With 1, no service error is retried, so error shapes
// are seen as they are; only a broken connection is tried again (up to 3
// times), so a transport hiccup cannot fail a test about something else
// (the sandbox counts such a retry as the same call).
func SDKConfig(url string, attempts int) aws.Config {
	return aws.Config{
		Region:       "us-east-1",
		APIOptions:   []func(*middleware.Stack) error{awsclient.PlainRequestBodies},
		Credentials:  credentials.NewStaticCredentialsProvider(emulator.SandboxAccessKeyID, emulator.SandboxSecretAccessKey, ""),
		BaseEndpoint: aws.String(url),
		Retryer: func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = attempts
				if attempts == 1 {
					o.MaxAttempts = 3
					o.Retryables = []retry.IsErrorRetryable{retry.NoRetryCanceledError{}, retry.RetryableConnectionError{}}
					o.RateLimiter = ratelimit.None
				}
			})
		},
	}
}

// Stats reads the sandbox's GET /_sandbox/stats at url.
func Stats(t testing.TB, url string) emulator.StatsSnapshot {
	t.Helper()
	resp, err := http.Get(url + "/_sandbox/stats")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st emulator.StatsSnapshot
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatal(err)
	}
	return st
}

// WantCalls checks the sandbox's call counts for the operations in want
// ("service:Operation" → count); other operations are not checked.
func WantCalls(t testing.TB, url string, want map[string]int) {
	t.Helper()
	got := Stats(t, url).Calls
	for k, n := range want {
		if got[k] != n {
			t.Errorf("%s called %d times; want %d (all calls: %v)", k, got[k], n, got)
		}
	}
}
