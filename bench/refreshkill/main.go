// Command refreshkill measures how often `ssoctl credential-process`,
// killed with SIGKILL while it refreshes the token, loses the session: the
// sandbox rotates the refresh token on every refresh, so a process killed
// after the request reached the sandbox and before the new token was
// written leaves a refresh token that no longer works (the next call exits
// 4: sign in again).
//
//	go run ./bench/refreshkill -bin ./ssoctl -n 40                    # -mode uniform
//	go run ./bench/refreshkill -bin ./ssoctl -n 40 -mode after-answer
//
// -mode uniform kills at a moment drawn uniformly from the whole call (as
// a person or a supervisor would); -mode after-answer puts a proxy between
// ssoctl and the sandbox and kills at a moment drawn uniformly from the
// -after window once the CreateToken answer has been handed to ssoctl: what
// it does between the answer and the new token on disk.
//
// It starts `ssoctl sandbox` (its -latency added to every call), signs in
// with a fresh HOME, times -calibrate uninterrupted refreshing calls, then
// -n times: makes the token expired (so the call must refresh), empties the
// credential cache, starts credential-process, kills it after a delay drawn
// uniformly from [0, the calibrated median), and asks again (no kill) with
// the token expired, so that only its refresh token can help: exit 4 is a
// lost session (it signs in again and goes on). It prints one
// line: runs, lost, killed before/after the new token was written.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"
)

func main() {
	bin := flag.String("bin", "ssoctl", "the ssoctl binary")
	n := flag.Int("n", 40, "kills")
	calibrate := flag.Int("calibrate", 10, "uninterrupted refreshing calls timed first")
	latency := flag.String("latency", "20ms", "sandbox --latency")
	mode := flag.String("mode", "uniform", "uniform | after-answer")
	after := flag.Duration("after", 10*time.Millisecond, "-mode after-answer: kill within this long after the answer")
	flag.Parse()
	if err := run(*bin, *n, *calibrate, *latency, *mode, *after); err != nil {
		fmt.Fprintln(os.Stderr, "refreshkill:", err)
		os.Exit(1)
	}
}

func run(bin string, n, calibrate int, latency, mode string, after time.Duration) error {
	home, err := os.MkdirTemp("", "refreshkill")
	if err != nil {
		return err
	}
	defer os.RemoveAll(home)
	sb := exec.Command(bin, "sandbox", "--listen", "127.0.0.1:0", "--latency", latency, "--sign-in-as", "dave.miller")
	out, err := sb.StdoutPipe()
	if err != nil {
		return err
	}
	if err := sb.Start(); err != nil {
		return err
	}
	defer func() { _ = sb.Process.Signal(os.Interrupt); _ = sb.Wait() }()
	env := []string{"HOME=" + home, "PATH=" + os.Getenv("PATH"), "AWS_CONFIG_FILE=" + filepath.Join(home, "config")}
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		kv := strings.TrimPrefix(sc.Text(), "export ")
		env = append(env, kv)
		if strings.HasPrefix(kv, "AWS_DEFAULT_SSO_REGION=") {
			break
		}
	}
	go func() {
		_ = sc.Err()
		for sc.Scan() {
		}
	}()
	url := value(env, "AWS_ENDPOINT_URL")
	answered := make(chan struct{}, 16)
	if mode == "after-answer" {
		p := &proxy{upstream: url, answered: answered}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		go func() { _ = http.Serve(ln, p) }()
		for i, kv := range env {
			if strings.HasPrefix(kv, "AWS_ENDPOINT_URL_SSO") {
				k, _, _ := strings.Cut(kv, "=")
				env[i] = k + "=http://" + ln.Addr().String()
			}
		}
	}
	cfg := "[profile emu]\nsso_session = emu\nsso_account_id = 640775136188\nsso_role_name = Developer\n\n[sso-session emu]\nsso_start_url = " + url + "/start\nsso_region = us-east-1\nsso_registration_scopes = sso:account:access\n"
	if err := os.WriteFile(filepath.Join(home, "config"), []byte(cfg), 0o600); err != nil {
		return err
	}
	cmdEnv := func(c *exec.Cmd) *exec.Cmd { c.Env = env; return c }
	login := func() error {
		return cmdEnv(exec.Command(bin, "login", "--sso-session", "emu", "--use-device-code")).Run()
	}
	if err := login(); err != nil {
		return fmt.Errorf("login: %w", err)
	}
	token := filepath.Join(home, ".aws", "sso", "cache", "6551e797240051925b8a62615f4c8baaa4c1698c.json")
	prepare := func() error {
		_ = os.RemoveAll(filepath.Join(home, ".aws", "cli", "cache"))
		data, err := os.ReadFile(token)
		if err != nil {
			return err
		}
		var m map[string]any
		if err := json.Unmarshal(data, &m); err != nil {
			return err
		}
		m["expiresAt"] = time.Now().Add(-time.Minute).UTC().Format("2006-01-02T15:04:05Z") // expired: refresh or sign in
		data, _ = json.Marshal(m)
		return os.WriteFile(token, data, 0o600)
	}
	call := func() (int, error) {
		err := cmdEnv(exec.Command(bin, "credential-process", "--profile", "emu")).Run()
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode(), nil
		}
		return 0, err
	}
	var times []time.Duration
	for range calibrate {
		if err := prepare(); err != nil {
			return err
		}
		start := time.Now()
		if code, err := call(); err != nil || code != 0 {
			return fmt.Errorf("calibration call: exit %d, %v", code, err)
		}
		times = append(times, time.Since(start))
	}
	slices.Sort(times)
	median := times[len(times)/2]
	lost := 0
	for range n {
		if err := prepare(); err != nil {
			return err
		}
		for len(answered) > 0 {
			<-answered
		}
		c := cmdEnv(exec.Command(bin, "credential-process", "--profile", "emu"))
		if err := c.Start(); err != nil {
			return err
		}
		if mode == "after-answer" {
			select {
			case <-answered:
			case <-time.After(10 * time.Second):
				return errors.New("no CreateToken answer seen")
			}
			time.Sleep(time.Duration(rand.Int64N(int64(after))))
		} else {
			time.Sleep(time.Duration(rand.Int64N(int64(median))))
		}
		_ = c.Process.Signal(syscall.SIGKILL)
		_ = c.Wait()
		if err := prepare(); err != nil {
			return err
		}
		code, err := call()
		if err != nil {
			return err
		}
		if code == 4 {
			lost++
			if err := login(); err != nil {
				return fmt.Errorf("login again: %w", err)
			}
		} else if code != 0 {
			return fmt.Errorf("call after a kill: exit %d", code)
		}
	}
	when := fmt.Sprintf("at a uniform moment of a %v refreshing call (median of %d)", median.Round(time.Millisecond), calibrate)
	if mode == "after-answer" {
		when = fmt.Sprintf("at a uniform moment of the %v after the CreateToken answer was handed over", after)
	}
	fmt.Printf("%s: %d kills %s: %d sessions lost\n", bin, n, when, lost)
	return nil
}

// proxy forwards to the sandbox and says on answered when it has written a
// CreateToken (POST /token) answer to ssoctl.
type proxy struct {
	upstream string
	answered chan struct{}
}

func (p *proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	req, err := http.NewRequest(r.Method, p.upstream+r.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	req.Header = r.Header.Clone()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(out)
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
	if r.URL.Path == "/token" {
		p.answered <- struct{}{}
	}
}

func value(env []string, k string) string {
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, k+"="); ok {
			return v
		}
	}
	return ""
}
