package emulator_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sso"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"

	"github.com/ssoctl/ssoctl/internal/console"
	"github.com/ssoctl/ssoctl/internal/emulator"
)

// noRedirect is a browser that stops at the first redirect, so the test
// sees where the federation endpoint sends it.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// TestFederation: role credentials from the portal → getSigninToken →
// Action=login redirects to the destination; forged, altered or expired
// credentials and tokens are refused.
func TestFederation(t *testing.T) {
	for _, tc := range []struct {
		name    string
		ttl     time.Duration
		wait    time.Duration
		mangle  func(*console.Credentials)
		tokenOK bool
	}{
		{name: "valid", tokenOK: true},
		{name: "wrong secret", mangle: func(c *console.Credentials) { c.SecretAccessKey += "x" }},
		{name: "wrong session token", mangle: func(c *console.Credentials) { c.SessionToken = "forged" }},
		{name: "unknown key", mangle: func(c *console.Credentials) { c.AccessKeyID = "ASIAFORGEDFORGED0000" }},
		{name: "expired credentials", ttl: 50 * time.Millisecond, wait: 100 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, cfg, base := sandbox(t, emulator.Options{SignInAs: "dave.miller", CredentialTTL: tc.ttl})
			_, tok := deviceSignIn(t, ssooidc.NewFromConfig(cfg), base, "sso:account:access")
			out, err := sso.NewFromConfig(cfg).GetRoleCredentials(ctx, &sso.GetRoleCredentialsInput{
				AccessToken: tok.AccessToken, AccountId: aws.String("640775136188"), RoleName: aws.String("Developer"),
			})
			if err != nil {
				t.Fatal(err)
			}
			rc := out.RoleCredentials
			cr := console.Credentials{AccessKeyID: aws.ToString(rc.AccessKeyId), SecretAccessKey: aws.ToString(rc.SecretAccessKey), SessionToken: aws.ToString(rc.SessionToken)}
			if tc.mangle != nil {
				tc.mangle(&cr)
			}
			time.Sleep(tc.wait)
			fed := console.Client{Endpoint: base + "/federation"}
			signin, err := fed.SigninToken(ctx, cr, time.Hour)
			if !tc.tokenOK {
				if err == nil || !strings.Contains(err.Error(), "refused the role's credentials (HTTP 400)") {
					t.Fatalf("got %v; want the credentials refused", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			dest, _ := console.Destination("s3", "eu-west-1")
			resp, err := noRedirect.Get(console.LoginURL(fed.Endpoint, base+"/start", dest, signin))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != dest {
				t.Errorf("login: got %d to %q; want 302 to %s", resp.StatusCode, resp.Header.Get("Location"), dest)
			}

			bad := []string{
				console.LoginURL(fed.Endpoint, "", dest, signin+"x"),                                // altered token
				console.LoginURL(fed.Endpoint, "", dest, "garbage"),                                 // not a token
				console.LoginURL(fed.Endpoint, "", "https://evil.example.com/", signin),             // not a console page
				console.LoginURL(fed.Endpoint, "", "http://console.aws.amazon.com/s3/home", signin), // not https
			}
			for _, u := range bad {
				resp, err := noRedirect.Get(u)
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "<title>Sign-in failed") {
					q, _ := url.ParseQuery(strings.SplitN(u, "?", 2)[1])
					t.Errorf("login with token %.10q… to %s: got %d %q; want 400 and an error page", q.Get("SigninToken"), q.Get("Destination"), resp.StatusCode, body)
				}
			}
		})
	}
}

func TestFederationDuration(t *testing.T) {
	_, _, base := sandbox(t, emulator.Options{})
	for _, d := range []string{"899", "43201", "x"} {
		resp, err := http.PostForm(base+"/federation", url.Values{"Action": {"getSigninToken"}, "SessionDuration": {d}, "Session": {"{}"}})
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "SessionDuration") {
			t.Errorf("SessionDuration=%s: got %d %q; want 400 about SessionDuration", d, resp.StatusCode, body)
		}
	}
}
