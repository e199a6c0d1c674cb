package sandbox

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ssoctl/ssoctl/internal/emulator"
	"github.com/ssoctl/ssoctl/internal/iostreams"
)

// serve runs the sandbox command's run on listen until the test ends and
// returns the export lines it printed, by name.
func serve(t *testing.T, listen string) map[string]string {
	t.Helper()
	ios, _, _, _ := iostreams.Test()
	pr, pw := io.Pipe()
	ios.Out = pw
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		err := run(ctx, &options{IO: ios, Listen: listen, Emulator: emulator.Options{Org: "small", Quotas: "none"}})
		pw.Close()
		done <- err
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	// The export lines come at once; after the last of them, a moment's
	// silence means there is no more.
	exports := map[string]string{}
	for quiet := time.After(30 * time.Second); ; {
		select {
		case line, ok := <-lines:
			if !ok {
				err := <-done
				done <- err
				t.Fatalf("the sandbox stopped: %v", err)
			}
			k, v, _ := strings.Cut(strings.TrimPrefix(line, "export "), "=")
			exports[k] = v
			if exports["AWS_DEFAULT_SSO_REGION"] != "" {
				quiet = time.After(300 * time.Millisecond)
			}
			continue
		case <-quiet:
		}
		break
	}
	return exports
}

// TestControlTokenBeyondLoopback: listening beyond loopback, the sandbox
// prints export SSOCTL_SANDBOX_TOKEN=… and its /_sandbox endpoints require
// it; on loopback it prints none and they stay open, as the README's curl
// examples use them.
func TestControlTokenBeyondLoopback(t *testing.T) {
	get := func(url, token string) int {
		req, _ := http.NewRequest(http.MethodGet, url+"/_sandbox/state", nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}

	lo := serve(t, "127.0.0.1:0")
	if tok, ok := lo["SSOCTL_SANDBOX_TOKEN"]; ok {
		t.Errorf("on loopback: printed a token %q; want none", tok)
	}
	if got := get(lo["AWS_ENDPOINT_URL"], ""); got != http.StatusOK {
		t.Errorf("on loopback, GET /_sandbox/state without a token: %d; want 200", got)
	}

	any := serve(t, "0.0.0.0:0")
	tok := any["SSOCTL_SANDBOX_TOKEN"]
	if !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(tok) {
		t.Fatalf("beyond loopback: token %q; want 64 hex digits on an export line (exports %v)", tok, any)
	}
	// Reach it through loopback all the same: the token is required of
	// every client once the sandbox listens beyond loopback.
	url := strings.Replace(any["AWS_ENDPOINT_URL"], "0.0.0.0", "127.0.0.1", 1)
	for _, c := range []struct {
		token string
		want  int
	}{{"", 401}, {"0123", 401}, {tok, 200}} {
		if got := get(url, c.token); got != c.want {
			t.Errorf("beyond loopback, GET /_sandbox/state with token %q: %d; want %d", c.token, got, c.want)
		}
	}
}
