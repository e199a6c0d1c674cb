package sso

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"strings"
	"unicode/utf16"
)

// The cache file names are SHA-1 hex digests of strings the AWS CLI builds
// with Python's json.dumps; ssoctl builds the same strings byte for byte so
// that it and the CLI and SDKs find each other's files.

// TokenCacheKey is the token file's key: sha1 of the sso-session name, or
// of the start URL for a legacy profile (session == "").
func TokenCacheKey(session, startURL string) string {
	if session != "" {
		return sha1Hex(session)
	}
	return sha1Hex(startURL)
}

// RegistrationCacheKey is the client registration file's key: sha1 of
// json.dumps({"tool":"botocore","startUrl","region","scopes","session_name"},
// sort_keys=True), with null for an absent session or scope list.
func RegistrationCacheKey(startURL, region string, scopes []string, session string) string {
	var b strings.Builder
	b.WriteString(`{"region": `)
	pyString(&b, region)
	b.WriteString(`, "scopes": `)
	if scopes == nil {
		b.WriteString("null")
	} else {
		b.WriteByte('[')
		for i, s := range scopes {
			if i > 0 {
				b.WriteString(", ")
			}
			pyString(&b, s)
		}
		b.WriteByte(']')
	}
	b.WriteString(`, "session_name": `)
	if session == "" {
		b.WriteString("null")
	} else {
		pyString(&b, session)
	}
	b.WriteString(`, "startUrl": `)
	pyString(&b, startURL)
	b.WriteString(`, "tool": "botocore"}`)
	return sha1Hex(b.String())
}

// RoleCacheKey is the role-credential file's key in ~/.aws/cli/cache: sha1
// of json.dumps({"accountId","roleName","sessionName"|"startUrl"},
// sort_keys=True, separators=(',',':')).
func RoleCacheKey(accountID, roleName, session, startURL string) string {
	var b strings.Builder
	b.WriteString(`{"accountId":`)
	pyString(&b, accountID)
	b.WriteString(`,"roleName":`)
	pyString(&b, roleName)
	if session != "" {
		b.WriteString(`,"sessionName":`)
		pyString(&b, session)
	} else {
		b.WriteString(`,"startUrl":`)
		pyString(&b, startURL)
	}
	b.WriteByte('}')
	return sha1Hex(b.String())
}

func sha1Hex(s string) string {
	sum := sha1.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// pyString writes s as Python's json.dumps does with ensure_ascii=True:
// quotes, backslash escapes for " \ and the short control characters,
// \u00XX for other control characters, and \uXXXX (UTF-16 surrogate pairs
// beyond the BMP) for everything outside ASCII.
func pyString(b *strings.Builder, s string) {
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\b':
			b.WriteString(`\b`)
		case r == '\f':
			b.WriteString(`\f`)
		case r < 0x20 || (r >= 0x7f && r <= 0xffff):
			fmt.Fprintf(b, `\u%04x`, r)
		case r > 0xffff:
			r1, r2 := utf16.EncodeRune(r)
			fmt.Fprintf(b, `\u%04x\u%04x`, r1, r2)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
}
