package emulator_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sso"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/sso/types"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	oidctypes "github.com/aws/aws-sdk-go-v2/service/ssooidc/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/google/go-cmp/cmp"

	"github.com/ssoctl/ssoctl/internal/emulator"
)

const grantDeviceCode = "urn:ietf:params:oauth:grant-type:device_code"

// register registers a public client with the given scopes.
func register(t *testing.T, c *ssooidc.Client, scopes ...string) *ssooidc.RegisterClientOutput {
	t.Helper()
	reg, err := c.RegisterClient(ctx, &ssooidc.RegisterClientInput{
		ClientName: aws.String("signin-test"), ClientType: aws.String("public"), Scopes: scopes,
	})
	if err != nil {
		t.Fatalf("RegisterClient: %v", err)
	}
	return reg
}

// deviceSignIn runs the device flow with a sandbox whose PendingPolls is 0.
func deviceSignIn(t *testing.T, c *ssooidc.Client, url string, scopes ...string) (*ssooidc.RegisterClientOutput, *ssooidc.CreateTokenOutput) {
	t.Helper()
	reg := register(t, c, scopes...)
	da, err := c.StartDeviceAuthorization(ctx, &ssooidc.StartDeviceAuthorizationInput{
		ClientId: reg.ClientId, ClientSecret: reg.ClientSecret, StartUrl: aws.String(url + "/start"),
	})
	if err != nil {
		t.Fatalf("StartDeviceAuthorization: %v", err)
	}
	tok, err := c.CreateToken(ctx, &ssooidc.CreateTokenInput{
		ClientId: reg.ClientId, ClientSecret: reg.ClientSecret,
		GrantType: aws.String(grantDeviceCode), DeviceCode: da.DeviceCode,
	})
	if err != nil {
		t.Fatalf("CreateToken: %v", err)
	}
	return reg, tok
}

func TestSignInDeviceFlow(t *testing.T) {
	_, cfg, url := sandbox(t, emulator.Options{PendingPolls: 2, SignInAs: "dave.miller"})
	c := ssooidc.NewFromConfig(cfg)
	reg := register(t, c, "sso:account:access")
	if got, want := aws.ToString(reg.AuthorizationEndpoint), url+"/authorize"; got != want {
		t.Errorf("authorizationEndpoint: got %s; want %s", got, want)
	}
	if got, want := aws.ToString(reg.TokenEndpoint), url+"/token"; got != want {
		t.Errorf("tokenEndpoint: got %s; want %s", got, want)
	}
	if d := time.Until(time.Unix(reg.ClientSecretExpiresAt, 0)); d < 89*24*time.Hour || d > 91*24*time.Hour {
		t.Errorf("clientSecretExpiresAt: got %v from now; want 90 days", d)
	}
	da, err := c.StartDeviceAuthorization(ctx, &ssooidc.StartDeviceAuthorizationInput{
		ClientId: reg.ClientId, ClientSecret: reg.ClientSecret, StartUrl: aws.String(url + "/start"),
	})
	if err != nil {
		t.Fatalf("StartDeviceAuthorization: %v", err)
	}
	if got, want := aws.ToString(da.VerificationUri), url+"/device"; got != want {
		t.Errorf("verificationUri: got %s; want %s", got, want)
	}
	if !regexp.MustCompile(`^[A-Z]{4}-[A-Z]{4}$`).MatchString(aws.ToString(da.UserCode)) {
		t.Errorf("userCode: got %q; want ABCD-EFGH", aws.ToString(da.UserCode))
	}
	if da.ExpiresIn != 600 || da.Interval != 1 {
		t.Errorf("expiresIn, interval: got %d, %d; want 600, 1", da.ExpiresIn, da.Interval)
	}
	wantPage(t, aws.ToString(da.VerificationUriComplete))
	wantPage(t, url+"/start")

	in := &ssooidc.CreateTokenInput{
		ClientId: reg.ClientId, ClientSecret: reg.ClientSecret,
		GrantType: aws.String(grantDeviceCode), DeviceCode: da.DeviceCode,
	}
	for i := range 2 {
		_, err := c.CreateToken(ctx, in)
		var pending *oidctypes.AuthorizationPendingException
		if !errors.As(err, &pending) {
			t.Fatalf("poll %d: got %v; want AuthorizationPendingException", i+1, err)
		}
		if got := aws.ToString(pending.Error_); got != "authorization_pending" {
			t.Errorf("poll %d: error: got %q; want authorization_pending", i+1, got)
		}
	}
	tok, err := c.CreateToken(ctx, in)
	if err != nil {
		t.Fatalf("poll 3: %v", err)
	}
	if aws.ToString(tok.AccessToken) == "" || aws.ToString(tok.TokenType) != "Bearer" || tok.ExpiresIn != 8*3600 {
		t.Errorf("token: got type %q expiresIn %d; want Bearer, 28800", aws.ToString(tok.TokenType), tok.ExpiresIn)
	}
	if aws.ToString(tok.RefreshToken) == "" {
		t.Errorf("refreshToken: got none; want one for scope sso:account:access")
	}
	_, err = c.CreateToken(ctx, in)
	wantAPIError(t, err, "InvalidGrantException") // a device code signs in once

	bad := *in
	bad.ClientSecret = aws.String("not-the-secret")
	_, err = c.CreateToken(ctx, &bad)
	var invalidClient *oidctypes.InvalidClientException
	if !errors.As(err, &invalidClient) {
		t.Errorf("wrong secret: got %v; want InvalidClientException", err)
	}
	bad = *in
	bad.GrantType = aws.String("password")
	_, err = c.CreateToken(ctx, &bad)
	wantAPIError(t, err, "UnsupportedGrantTypeException")

	if got := stats(t, url).Calls["sso-oidc:CreateToken"]; got != 6 {
		t.Errorf("stats sso-oidc:CreateToken: got %d; want 6", got)
	}
}

// TestOIDCErrorWire checks the raw error shape: the exception in
// x-amzn-ErrorType and OAuth's error/error_description in the body.
func TestOIDCErrorWire(t *testing.T) {
	_, _, url := sandbox(t, emulator.Options{})
	for _, tc := range []struct {
		name, body, wantType, wantError string
		wantStatus                      int
	}{
		{"unknown client", `{"clientId":"x","clientSecret":"y","grantType":"refresh_token","refreshToken":"z"}`,
			"InvalidClientException", "invalid_client", 401},
		{"bad body", `{`, "InvalidRequestException", "invalid_request", 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := http.Post(url+"/token", "application/json", strings.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body map[string]string
			if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tc.wantStatus || resp.Header.Get("x-amzn-ErrorType") != tc.wantType {
				t.Errorf("got %d %s; want %d %s", resp.StatusCode, resp.Header.Get("x-amzn-ErrorType"), tc.wantStatus, tc.wantType)
			}
			if body["error"] != tc.wantError || body["error_description"] == "" {
				t.Errorf("body: got %v; want error %s and a description", body, tc.wantError)
			}
		})
	}
}

func TestSignInPKCE(t *testing.T) {
	_, cfg, endpoint := sandbox(t, emulator.Options{SignInAs: "dave.miller"})
	c := ssooidc.NewFromConfig(cfg)
	reg, err := c.RegisterClient(ctx, &ssooidc.RegisterClientInput{
		ClientName: aws.String("botocore-client-emu"), ClientType: aws.String("public"),
		Scopes:       []string{"sso:account:access"},
		GrantTypes:   []string{"authorization_code", "refresh_token"},
		RedirectUris: []string{"http://127.0.0.1/oauth/callback"},
		IssuerUrl:    aws.String(endpoint + "/start"),
	})
	if err != nil {
		t.Fatalf("RegisterClient: %v", err)
	}
	verifier := strings.Repeat("abcdefghijklmnopqrstuvwxyz-._~AB", 2)
	sum := sha256.Sum256([]byte(verifier))
	challenge := base64.RawURLEncoding.EncodeToString(sum[:])
	redirect := "http://127.0.0.1:43123/oauth/callback"
	authorize := func(q url.Values) *http.Response {
		t.Helper()
		noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := noFollow.Get(aws.ToString(reg.AuthorizationEndpoint) + "?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	q := url.Values{
		"response_type": {"code"}, "client_id": {aws.ToString(reg.ClientId)}, "redirect_uri": {redirect},
		"state": {"st-42"}, "code_challenge_method": {"S256"}, "code_challenge": {challenge},
		"scopes": {"sso:account:access"},
	}
	resp := authorize(q)
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("authorize: got %s; want 302", resp.Status)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	if got := loc.Scheme + "://" + loc.Host + loc.Path; got != redirect {
		t.Errorf("redirect: got %s; want %s", got, redirect)
	}
	if got := loc.Query().Get("state"); got != "st-42" {
		t.Errorf("state: got %q; want st-42", got)
	}
	code := loc.Query().Get("code")
	if code == "" {
		t.Fatalf("redirect %s has no code", loc)
	}

	in := func(verifier, redirectURI string) *ssooidc.CreateTokenInput {
		return &ssooidc.CreateTokenInput{
			ClientId: reg.ClientId, ClientSecret: reg.ClientSecret, GrantType: aws.String("authorization_code"),
			Code: aws.String(code), RedirectUri: aws.String(redirectURI), CodeVerifier: aws.String(verifier),
		}
	}
	var invalidGrant *oidctypes.InvalidGrantException
	if _, err := c.CreateToken(ctx, in(verifier+"x", redirect)); !errors.As(err, &invalidGrant) {
		t.Errorf("wrong verifier: got %v; want InvalidGrantException", err)
	}
	if _, err := c.CreateToken(ctx, in(verifier, "http://127.0.0.1:1/oauth/callback")); !errors.As(err, &invalidGrant) {
		t.Errorf("other redirectUri: got %v; want InvalidGrantException", err)
	}
	tok, err := c.CreateToken(ctx, in(verifier, redirect))
	if err != nil {
		t.Fatalf("CreateToken: %v", err)
	}
	if aws.ToString(tok.AccessToken) == "" || aws.ToString(tok.RefreshToken) == "" {
		t.Errorf("token: got access %q refresh %q; want both", aws.ToString(tok.AccessToken), aws.ToString(tok.RefreshToken))
	}
	if _, err := c.CreateToken(ctx, in(verifier, redirect)); !errors.As(err, &invalidGrant) {
		t.Errorf("reused code: got %v; want InvalidGrantException", err)
	}

	// A redirect URI that was not registered is refused on the spot.
	other := cloneValues(q)
	other.Set("redirect_uri", "http://127.0.0.1:43123/elsewhere")
	if resp := authorize(other); resp.StatusCode != http.StatusBadRequest || resp.Header.Get("x-amzn-ErrorType") != "InvalidRedirectUriException" {
		t.Errorf("unregistered redirect: got %s %s; want 400 InvalidRedirectUriException", resp.Status, resp.Header.Get("x-amzn-ErrorType"))
	}
	// Other faults go back to the client's listener as ?error=.
	plain := cloneValues(q)
	plain.Del("code_challenge")
	resp = authorize(plain)
	loc, _ = url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || loc.Query().Get("error") != "invalid_request" || loc.Query().Get("state") != "st-42" {
		t.Errorf("no code_challenge: got %s %s; want 302 with error=invalid_request and the state", resp.Status, loc)
	}
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = slices.Clone(vs)
	}
	return out
}

func TestSignInRefreshRotates(t *testing.T) {
	_, cfg, url := sandbox(t, emulator.Options{SignInAs: "dave.miller"})
	c, portal := ssooidc.NewFromConfig(cfg), sso.NewFromConfig(cfg)
	reg, tok := deviceSignIn(t, c, url, "sso:account:access")
	refresh := func(rt *string) (*ssooidc.CreateTokenOutput, error) {
		return c.CreateToken(ctx, &ssooidc.CreateTokenInput{
			ClientId: reg.ClientId, ClientSecret: reg.ClientSecret, GrantType: aws.String("refresh_token"), RefreshToken: rt,
		})
	}
	next, err := refresh(tok.RefreshToken)
	if err != nil {
		t.Fatalf("refresh: %v", err)
	}
	if aws.ToString(next.RefreshToken) == "" || aws.ToString(next.RefreshToken) == aws.ToString(tok.RefreshToken) {
		t.Errorf("refresh token: got %q; want a new one", aws.ToString(next.RefreshToken))
	}
	if aws.ToString(next.AccessToken) == aws.ToString(tok.AccessToken) {
		t.Errorf("access token: got the old one; want a new one")
	}
	if _, err := portal.ListAccounts(ctx, &sso.ListAccountsInput{AccessToken: next.AccessToken}); err != nil {
		t.Errorf("ListAccounts with the refreshed token: %v", err)
	}
	_, err = refresh(tok.RefreshToken)
	wantAPIError(t, err, "InvalidGrantException")
	if _, err := refresh(next.RefreshToken); err != nil {
		t.Errorf("refresh with the new token: %v", err)
	}

	// Without sso:account:access there is nothing to refresh with.
	_, plain := deviceSignIn(t, c, url)
	if plain.RefreshToken != nil {
		t.Errorf("refresh token without scopes: got %q; want none", aws.ToString(plain.RefreshToken))
	}
}

// wantRoles is what the demo organization gives a user: role names by
// account id, through direct and group assignments.
func wantRoles(t *testing.T, st *emulator.State, userName string) map[string][]string {
	t.Helper()
	var userID string
	for _, u := range st.Users {
		if u.UserName == userName {
			userID = u.UserId
		}
	}
	if userID == "" {
		t.Fatalf("no user %s in the demo organization", userName)
	}
	principals := map[string]bool{"USER|" + userID: true}
	for _, m := range st.Memberships {
		if m.UserId == userID {
			principals["GROUP|"+m.GroupId] = true
		}
	}
	psName := map[string]string{}
	for _, ps := range st.PermissionSets {
		psName[ps.Arn] = ps.Name
	}
	inOrg := map[string]bool{}
	for _, a := range st.Accounts {
		inOrg[a.Id] = true
	}
	out := map[string][]string{}
	for _, a := range st.Assignments {
		if principals[a.PrincipalType+"|"+a.PrincipalId] && inOrg[a.AccountId] && !slices.Contains(out[a.AccountId], psName[a.PermissionSetArn]) {
			out[a.AccountId] = append(out[a.AccountId], psName[a.PermissionSetArn])
		}
	}
	for _, roles := range out {
		slices.Sort(roles)
	}
	return out
}

func TestPortalAccountsRolesCredentials(t *testing.T) {
	srv, cfg, url := sandbox(t, emulator.Options{SignInAs: "dave.miller"})
	_, tok := deviceSignIn(t, ssooidc.NewFromConfig(cfg), url, "sso:account:access")
	portal := sso.NewFromConfig(cfg)
	want := wantRoles(t, srv.Snapshot(), "dave.miller")
	if len(want) < 2 {
		t.Fatalf("dave.miller reaches %d accounts; the test wants several", len(want))
	}

	got := map[string][]string{}
	accounts := sso.NewListAccountsPaginator(portal, &sso.ListAccountsInput{AccessToken: tok.AccessToken, MaxResults: aws.Int32(1)})
	pages := 0
	for accounts.HasMorePages() {
		page, err := accounts.NextPage(ctx)
		if err != nil {
			t.Fatalf("ListAccounts: %v", err)
		}
		pages++
		for _, a := range page.AccountList {
			if aws.ToString(a.AccountName) == "" || !strings.HasSuffix(aws.ToString(a.EmailAddress), "@example.com") {
				t.Errorf("account %s: got name %q email %q", aws.ToString(a.AccountId), aws.ToString(a.AccountName), aws.ToString(a.EmailAddress))
			}
			roles := sso.NewListAccountRolesPaginator(portal, &sso.ListAccountRolesInput{
				AccessToken: tok.AccessToken, AccountId: a.AccountId, MaxResults: aws.Int32(1),
			})
			for roles.HasMorePages() {
				rp, err := roles.NextPage(ctx)
				if err != nil {
					t.Fatalf("ListAccountRoles: %v", err)
				}
				for _, r := range rp.RoleList {
					got[aws.ToString(r.AccountId)] = append(got[aws.ToString(r.AccountId)], aws.ToString(r.RoleName))
				}
			}
			if _, ok := got[aws.ToString(a.AccountId)]; !ok {
				got[aws.ToString(a.AccountId)] = nil
			}
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("accounts and roles (-want +got):\n%s", diff)
	}
	if pages != len(want) {
		t.Errorf("ListAccounts pages: got %d; want %d (one account each)", pages, len(want))
	}

	var account, role string
	for id, roles := range want {
		if account == "" || id < account {
			account, role = id, roles[0]
		}
	}
	creds := func() *ssotypes.RoleCredentials {
		t.Helper()
		out, err := portal.GetRoleCredentials(ctx, &sso.GetRoleCredentialsInput{
			AccessToken: tok.AccessToken, AccountId: aws.String(account), RoleName: aws.String(role),
		})
		if err != nil {
			t.Fatalf("GetRoleCredentials: %v", err)
		}
		return out.RoleCredentials
	}
	rc := creds()
	if !strings.HasPrefix(aws.ToString(rc.AccessKeyId), "ASIA") || aws.ToString(rc.SessionToken) == "" {
		t.Errorf("credentials: got key %q; want ASIA… and a session token", aws.ToString(rc.AccessKeyId))
	}
	if d := time.Until(time.UnixMilli(rc.Expiration)); d < 59*time.Minute || d > 61*time.Minute {
		t.Errorf("expiration: got %v from now; want an hour (epoch milliseconds)", d)
	}
	whoami := func(rc *ssotypes.RoleCredentials) *sts.GetCallerIdentityOutput {
		t.Helper()
		c := cfg.Copy()
		c.Credentials = credentials.NewStaticCredentialsProvider(aws.ToString(rc.AccessKeyId), aws.ToString(rc.SecretAccessKey), aws.ToString(rc.SessionToken))
		out, err := sts.NewFromConfig(c).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			t.Fatalf("GetCallerIdentity: %v", err)
		}
		return out
	}
	id := whoami(rc)
	wantArn := regexp.MustCompile(`^arn:aws:sts::` + account + `:assumed-role/AWSReservedSSO_` + role + `_[0-9a-f]{16}/dave\.miller$`)
	if !wantArn.MatchString(aws.ToString(id.Arn)) || aws.ToString(id.Account) != account {
		t.Errorf("caller: got %s in %s; want %s", aws.ToString(id.Arn), aws.ToString(id.Account), wantArn)
	}
	if !regexp.MustCompile(`^AROA[A-Z2-7]{17}:dave\.miller$`).MatchString(aws.ToString(id.UserId)) {
		t.Errorf("caller UserId: got %s; want AROA…:dave.miller", aws.ToString(id.UserId))
	}
	if again := whoami(creds()); aws.ToString(again.Arn) != aws.ToString(id.Arn) || aws.ToString(again.UserId) != aws.ToString(id.UserId) {
		t.Errorf("second credentials: got %s %s; want the same role %s %s", aws.ToString(again.Arn), aws.ToString(again.UserId), aws.ToString(id.Arn), aws.ToString(id.UserId))
	}

	_, err := portal.GetRoleCredentials(ctx, &sso.GetRoleCredentialsInput{
		AccessToken: tok.AccessToken, AccountId: aws.String(account), RoleName: aws.String("AdministratorAccess"),
	})
	wantAPIError(t, err, "ForbiddenException")
	_, err = portal.ListAccounts(ctx, &sso.ListAccountsInput{AccessToken: tok.AccessToken, MaxResults: aws.Int32(101)})
	wantAPIError(t, err, "InvalidRequestException")
	_, err = portal.ListAccounts(ctx, &sso.ListAccountsInput{AccessToken: tok.AccessToken, NextToken: aws.String("bm9wZQ==")})
	wantAPIError(t, err, "InvalidRequestException")
}

func TestPortalUnauthorized(t *testing.T) {
	_, cfg, url := sandbox(t, emulator.Options{SignInAs: "dave.miller", TokenTTL: time.Second})
	c, portal := ssooidc.NewFromConfig(cfg), sso.NewFromConfig(cfg)
	wantUnauthorized := func(t *testing.T, err error) {
		t.Helper()
		var ue *ssotypes.UnauthorizedException
		if !errors.As(err, &ue) {
			t.Fatalf("got %v; want UnauthorizedException", err)
		}
		if got := ue.ErrorMessage(); got != "Session token not found or invalid" {
			t.Errorf("message: got %q; want Session token not found or invalid", got)
		}
	}

	t.Run("bad token", func(t *testing.T) {
		_, err := portal.ListAccounts(ctx, &sso.ListAccountsInput{AccessToken: aws.String("not-a-token")})
		wantUnauthorized(t, err)
		_, err = portal.GetRoleCredentials(ctx, &sso.GetRoleCredentialsInput{
			AccessToken: aws.String("not-a-token"), AccountId: aws.String("111111111111"), RoleName: aws.String("Developer"),
		})
		wantUnauthorized(t, err)
	})

	t.Run("logout", func(t *testing.T) {
		reg, tok := deviceSignIn(t, c, url, "sso:account:access")
		if _, err := portal.ListAccounts(ctx, &sso.ListAccountsInput{AccessToken: tok.AccessToken}); err != nil {
			t.Fatalf("ListAccounts before logout: %v", err)
		}
		if _, err := portal.Logout(ctx, &sso.LogoutInput{AccessToken: tok.AccessToken}); err != nil {
			t.Fatalf("Logout: %v", err)
		}
		_, err := portal.ListAccounts(ctx, &sso.ListAccountsInput{AccessToken: tok.AccessToken})
		wantUnauthorized(t, err)
		_, err = c.CreateToken(ctx, &ssooidc.CreateTokenInput{
			ClientId: reg.ClientId, ClientSecret: reg.ClientSecret, GrantType: aws.String("refresh_token"), RefreshToken: tok.RefreshToken,
		})
		wantAPIError(t, err, "InvalidGrantException")
	})

	t.Run("expired", func(t *testing.T) {
		_, tok := deviceSignIn(t, c, url)
		if tok.ExpiresIn != 1 {
			t.Errorf("expiresIn: got %d; want 1", tok.ExpiresIn)
		}
		if _, err := portal.ListAccounts(ctx, &sso.ListAccountsInput{AccessToken: tok.AccessToken}); err != nil {
			t.Fatalf("ListAccounts before expiry: %v", err)
		}
		time.Sleep(1100 * time.Millisecond)
		_, err := portal.ListAccounts(ctx, &sso.ListAccountsInput{AccessToken: tok.AccessToken})
		wantUnauthorized(t, err)
	})
}

func TestSignInWho(t *testing.T) {
	for _, tc := range []struct {
		signInAs, wantUser, wantErr string
	}{
		// Nobody named: the enabled user with an assignment whose name sorts first.
		{"", "alice.johnson", ""},
		{"Dave.Miller", "dave.miller", ""},
		{"mallory.evans", "", "AccessDeniedException"}, // disabled
		{"nobody", "", "AccessDeniedException"},
	} {
		t.Run(tc.signInAs, func(t *testing.T) {
			_, cfg, url := sandbox(t, emulator.Options{SignInAs: tc.signInAs})
			c := ssooidc.NewFromConfig(cfg)
			reg := register(t, c)
			da, err := c.StartDeviceAuthorization(ctx, &ssooidc.StartDeviceAuthorizationInput{
				ClientId: reg.ClientId, ClientSecret: reg.ClientSecret, StartUrl: aws.String(url + "/start"),
			})
			if err != nil {
				t.Fatal(err)
			}
			tok, err := c.CreateToken(ctx, &ssooidc.CreateTokenInput{
				ClientId: reg.ClientId, ClientSecret: reg.ClientSecret, GrantType: aws.String(grantDeviceCode), DeviceCode: da.DeviceCode,
			})
			if tc.wantErr != "" {
				wantAPIError(t, err, tc.wantErr)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			portal := sso.NewFromConfig(cfg)
			accts, err := portal.ListAccounts(ctx, &sso.ListAccountsInput{AccessToken: tok.AccessToken})
			if err != nil || len(accts.AccountList) == 0 {
				t.Fatalf("ListAccounts: got %v, %v; want accounts", accts, err)
			}
			acct := accts.AccountList[0].AccountId
			roles, err := portal.ListAccountRoles(ctx, &sso.ListAccountRolesInput{AccessToken: tok.AccessToken, AccountId: acct})
			if err != nil || len(roles.RoleList) == 0 {
				t.Fatalf("ListAccountRoles: got %v, %v; want roles", roles, err)
			}
			rc, err := portal.GetRoleCredentials(ctx, &sso.GetRoleCredentialsInput{AccessToken: tok.AccessToken, AccountId: acct, RoleName: roles.RoleList[0].RoleName})
			if err != nil {
				t.Fatal(err)
			}
			c2 := cfg.Copy()
			c2.Credentials = credentials.NewStaticCredentialsProvider(aws.ToString(rc.RoleCredentials.AccessKeyId), aws.ToString(rc.RoleCredentials.SecretAccessKey), aws.ToString(rc.RoleCredentials.SessionToken))
			id, err := sts.NewFromConfig(c2).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasSuffix(aws.ToString(id.Arn), "/"+tc.wantUser) {
				t.Errorf("caller: got %s; want a session named %s", aws.ToString(id.Arn), tc.wantUser)
			}
		})
	}
}

// wantPage checks that a browser page answers 200 with HTML.
func wantPage(t *testing.T, u string) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") || !strings.Contains(string(body), "<html") {
		t.Errorf("GET %s: got %s %s; want 200 text/html", u, resp.Status, resp.Header.Get("Content-Type"))
	}
}
