package sso

import (
	"strings"
	"testing"
)

// The expected digests were computed with Python, as the AWS CLI computes
// them:
//
//	hashlib.sha1(b"my-sso").hexdigest()
//	hashlib.sha1(json.dumps({"tool": "botocore", "startUrl": …, "region": …,
//	    "scopes": …, "session_name": …}, sort_keys=True).encode()).hexdigest()
//	hashlib.sha1(json.dumps({"accountId": …, "roleName": …, "sessionName": …},
//	    sort_keys=True, separators=(",", ":")).encode()).hexdigest()
func TestCacheKeys(t *testing.T) {
	const url = "https://my-sso-portal.awsapps.com/start"
	tests := []struct {
		name, got, want string
	}{
		{"token, sso-session", TokenCacheKey("my-sso", url), "0ad374308c5a4e22f723adf10145eafad7c4031c"},
		{"token, legacy start URL", TokenCacheKey("", url), "c7aaaf71fcc8777ae2475525ed049d39fe16c484"},
		{"token, emu", TokenCacheKey("emu", ""), "6551e797240051925b8a62615f4c8baaa4c1698c"},
		{"registration, session and scope", RegistrationCacheKey(url, "us-east-1", []string{"sso:account:access"}, "my-sso"), "c5cfae6e3e4f067423a532368c8b514b6a4b0ace"},
		{"registration, legacy (null scopes and session)", RegistrationCacheKey(url, "us-east-1", nil, ""), "0e093f10f65cee6c5c1898a8e240f5726875bf08"},
		{"registration, two scopes", RegistrationCacheKey("https://d-123.awsapps.com/start", "eu-west-1", []string{"sso:account:access", "sso-portal:*"}, "dev"), "12028ebb5205d26835e9cb51a12362e2ef77afd9"},
		{"role, sso-session", RoleCacheKey("123456789012", "ReadOnly", "my-sso", url), "31b260dab331b2af063485cea75f7b8b3cf54c71"},
		{"role, legacy start URL", RoleCacheKey("123456789012", "ReadOnly", "", url), "107af63d78e24f5ce0fbb60ccb8244f20f6e19e6"},
		{"role, payments-dev Developer emu", RoleCacheKey("640775136188", "Developer", "emu", ""), "18d345ca6b5f7f5d66b4e8654bb487919e078285"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %s; want %s", tt.name, tt.got, tt.want)
		}
	}
}

// TestPyString checks the escaping of Python's json.dumps (ensure_ascii):
// json.dumps("é/\n\u2028𝄞\x7f\"\\") == '"\\u00e9/\\n\\u2028\\ud834\\udd1e\\u007f\\"\\\\"'.
func TestPyString(t *testing.T) {
	var b strings.Builder
	pyString(&b, "é/\n\u2028𝄞\x7f\"\\\x01")
	if got, want := b.String(), `"\u00e9/\n\u2028\ud834\udd1e\u007f\"\\\u0001"`; got != want {
		t.Errorf("got %s; want %s", got, want)
	}
}
