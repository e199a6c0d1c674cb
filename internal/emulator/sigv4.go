package emulator

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ssoctl/ssoctl/internal/emulator/awsproto"
)

// The sandbox verifies Signature Version 4 as AWS does: it recomputes the
// canonical request, the string to sign and the signing key from the secret
// of the access key the request names, and compares. The keys it knows are
// the dummy ones it exports (SandboxAccessKeyID) and those it issued: role
// credentials (portal GetRoleCredentials, sts AssumeRole) and IAM user
// access keys (iam CreateAccessKey). Endpoints AWS does not sign (sso-oidc,
// the portal, the console's /federation, /_sandbox/*) are not checked.

const (
	// SandboxAccessKeyID and SandboxSecretAccessKey are the dummy
	// credentials the sandbox exports and the in-process --sandbox uses:
	// the management account's administrator.
	SandboxAccessKeyID     = "AKIASANDBOXEXAMPLE01"
	SandboxSecretAccessKey = "sandbox-secret-not-real"

	sigV4Algorithm = "AWS4-HMAC-SHA256"
	amzDateFormat  = "20060102T150405Z"
	// maxSkew is how far a request's time may be from the sandbox's clock,
	// as on AWS.
	maxSkew = 15 * time.Minute
	// maxSignedBody caps the body read to check a signature.
	maxSignedBody = 32 << 20
	emptySHA256   = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
)

// authFailure is why a request's signature was refused, before it is put in
// the shape of the service's protocol (authFailure.as).
type authFailure int

const (
	authMissing        authFailure = iota // neither an Authorization header nor a presigned query
	authIncomplete                        // a malformed Authorization header or query
	authUnknownKey                        // an access key id the sandbox never issued
	authBadToken                          // a session token missing, wrong, or on a long-term key
	authExpiredToken                      // temporary credentials past their expiry
	authSignature                         // a signature that does not match
	authSkew                              // a request time more than 15 minutes off
	authPresignExpired                    // a presigned request past X-Amz-Expires
)

// authError is a refused signature: the failure and AWS's message for it.
type authError struct {
	failure authFailure
	msg     string
}

// signingName is the SigV4 service name a service's requests are scoped to.
func signingName(svc string) string {
	switch svc {
	case "sso-admin":
		return "sso"
	case "sesv2":
		return "ses"
	}
	return svc
}

// as renders the failure the way svc answers it: awsJson services (and
// sesv2) with the Coral exception names, the query services sts and iam
// with their codes, s3 with its own.
func (e *authError) as(svc string) *awsproto.Error {
	const (
		invalidToken = "The security token included in the request is invalid."
		expiredToken = "The security token included in the request is expired"
	)
	switch svc {
	case "sts", "iam":
		switch e.failure {
		case authMissing:
			return awsproto.Err(403, "MissingAuthenticationToken", "Request is missing Authentication Token")
		case authIncomplete:
			return awsproto.Err(400, "IncompleteSignature", "%s", e.msg)
		case authUnknownKey, authBadToken:
			return awsproto.Err(403, "InvalidClientTokenId", invalidToken)
		case authExpiredToken:
			return awsproto.Err(403, "ExpiredToken", expiredToken)
		}
		return awsproto.Err(403, "SignatureDoesNotMatch", "%s", e.msg)
	case "s3":
		switch e.failure {
		case authMissing:
			return awsproto.Err(403, "AccessDenied", "Access Denied")
		case authIncomplete:
			return awsproto.Err(400, "AuthorizationHeaderMalformed", "%s", e.msg)
		case authUnknownKey:
			return awsproto.Err(403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.")
		case authBadToken:
			return awsproto.Err(400, "InvalidToken", "The provided token is malformed or otherwise invalid.")
		case authExpiredToken:
			return awsproto.Err(400, "ExpiredToken", "The provided token has expired.")
		case authSkew:
			return awsproto.Err(403, "RequestTimeTooSkewed", "The difference between the request time and the current time is too large.").
				With("MaxAllowedSkewMilliseconds", strconv.Itoa(int(maxSkew/time.Millisecond)))
		case authPresignExpired:
			return awsproto.Err(403, "AccessDenied", "Request has expired")
		}
		return awsproto.Err(403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your key and signing method.")
	}
	status := 400
	if svc == "sesv2" || svc == "scheduler" {
		status = 403
	}
	switch e.failure {
	case authMissing:
		return awsproto.Err(status, "MissingAuthenticationTokenException", "Missing Authentication Token")
	case authIncomplete:
		return awsproto.Err(status, "IncompleteSignatureException", "%s", e.msg)
	case authUnknownKey, authBadToken:
		return awsproto.Err(status, "UnrecognizedClientException", invalidToken)
	case authExpiredToken:
		return awsproto.Err(status, "ExpiredTokenException", expiredToken)
	}
	return awsproto.Err(status, "InvalidSignatureException", "%s", e.msg)
}

const signatureMismatch = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."

// sigV4Request is what a request says about its own signature, from the
// Authorization header or from a presigned query.
type sigV4Request struct {
	accessKey, date, region, service string // the credential and its scope
	signedHeaders                    []string
	signature                        string
	when                             time.Time // X-Amz-Date (or Date)
	token                            string    // X-Amz-Security-Token
	presigned                        bool
	expires                          time.Duration // X-Amz-Expires of a presigned request (0: none)
}

// callerKey carries the verified caller in a request's context.
type callerKey struct{}

// authenticate verifies r's signature for service svc and returns r with
// the caller it identifies, for s.caller. The body is read and put back.
func (s *Server) authenticate(r *http.Request, svc string) (*http.Request, *authError) {
	sr, ae := parseSigV4(r)
	if ae != nil {
		return r, ae
	}
	id, secret, ae := s.credential(sr)
	if ae != nil {
		return r, ae
	}
	if want := signingName(svc); sr.service != want {
		return r, &authError{authSignature, "Credential should be scoped to correct service: '" + want + "'. "}
	}
	if d := sr.when.Format("20060102"); sr.date != d {
		return r, &authError{authSignature, "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '" + sr.date + "' != '" + d + "', from '" + sr.when.Format(amzDateFormat) + "'."}
	}
	if !slices.Contains(sr.signedHeaders, "host") {
		return r, &authError{authIncomplete, "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."}
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxSignedBody))
	if err != nil {
		return r, &authError{authIncomplete, "cannot read the request body: " + err.Error()}
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	payload, ae := payloadHash(r, sr, svc, body)
	if ae != nil {
		return r, ae
	}
	canonical := canonicalRequest(r, sr, svc == "s3", payload)
	scope := sr.date + "/" + sr.region + "/" + sr.service + "/aws4_request"
	sum := sha256.Sum256([]byte(canonical))
	toSign := sigV4Algorithm + "\n" + sr.when.Format(amzDateFormat) + "\n" + scope + "\n" + hex.EncodeToString(sum[:])
	key := hmacSHA256([]byte("AWS4"+secret), sr.date)
	for _, part := range []string{sr.region, sr.service, "aws4_request"} {
		key = hmacSHA256(key, part)
	}
	want := hex.EncodeToString(hmacSHA256(key, toSign))
	if !hmac.Equal([]byte(want), []byte(strings.ToLower(sr.signature))) {
		return r, &authError{authSignature, signatureMismatch}
	}
	if ae := checkTime(sr, s.now()); ae != nil {
		return r, ae
	}
	return r.WithContext(context.WithValue(r.Context(), callerKey{}, id)), nil
}

// checkTime refuses a request signed more than maxSkew away from t, or a
// presigned one used after its X-Amz-Expires (which replaces the 15
// minutes of the past side).
func checkTime(sr sigV4Request, t time.Time) *authError {
	at, now := sr.when.Format(amzDateFormat), t.UTC().Format(amzDateFormat)
	switch {
	case sr.presigned && sr.expires > 0 && t.After(sr.when.Add(sr.expires)):
		return &authError{authPresignExpired, "Signature expired: " + at + " is now earlier than " + t.Add(-sr.expires).UTC().Format(amzDateFormat) + " (" + now + " - " + strconv.Itoa(int(sr.expires/time.Second)) + " sec.)"}
	case sr.expires == 0 && sr.when.Before(t.Add(-maxSkew)):
		return &authError{authSkew, "Signature expired: " + at + " is now earlier than " + t.Add(-maxSkew).UTC().Format(amzDateFormat) + " (" + now + " - 15 min.)"}
	case sr.when.After(t.Add(maxSkew)):
		return &authError{authSkew, "Signature not yet current: " + at + " is still later than " + t.Add(maxSkew).UTC().Format(amzDateFormat) + " (" + now + " + 15 min.)"}
	}
	return nil
}

// parseSigV4 reads the signature's parts from the Authorization header, or
// from the query of a presigned request.
func parseSigV4(r *http.Request) (sigV4Request, *authError) {
	var sr sigV4Request
	var credential, date string
	auth := r.Header.Get("Authorization")
	q := r.URL.Query()
	switch {
	case auth != "":
		alg, rest, _ := strings.Cut(auth, " ")
		if alg != sigV4Algorithm {
			return sr, &authError{authIncomplete, "Unsupported AWS 'algorithm': '" + alg + "'; only " + sigV4Algorithm + " is accepted (Signature Version 4)."}
		}
		params := map[string]string{}
		for _, p := range strings.Split(rest, ",") {
			k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
			params[k] = v
		}
		var missing []string
		for _, k := range []string{"Credential", "Signature", "SignedHeaders"} {
			if params[k] == "" {
				missing = append(missing, "Authorization header requires '"+k+"' parameter.")
			}
		}
		date = r.Header.Get("X-Amz-Date")
		if date == "" {
			date = r.Header.Get("Date")
		}
		if date == "" {
			missing = append(missing, "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
		}
		if len(missing) > 0 {
			return sr, &authError{authIncomplete, strings.Join(missing, " ") + " Authorization=" + auth}
		}
		credential, sr.signature = params["Credential"], params["Signature"]
		sr.signedHeaders = strings.Split(params["SignedHeaders"], ";")
		sr.token = r.Header.Get("X-Amz-Security-Token")
	case q.Has("X-Amz-Algorithm") || q.Has("X-Amz-Signature"):
		sr.presigned = true
		if alg := q.Get("X-Amz-Algorithm"); alg != sigV4Algorithm {
			return sr, &authError{authIncomplete, "X-Amz-Algorithm only supports \"" + sigV4Algorithm + "\", not \"" + alg + "\""}
		}
		var missing []string
		for _, k := range []string{"X-Amz-Credential", "X-Amz-Signature", "X-Amz-SignedHeaders", "X-Amz-Date"} {
			if q.Get(k) == "" {
				missing = append(missing, k)
			}
		}
		if len(missing) > 0 {
			return sr, &authError{authIncomplete, "AWS query-string parameters must include " + strings.Join(missing, ", ") + ". Re-examine the query-string parameters."}
		}
		credential, sr.signature, date = q.Get("X-Amz-Credential"), q.Get("X-Amz-Signature"), q.Get("X-Amz-Date")
		sr.signedHeaders = strings.Split(q.Get("X-Amz-SignedHeaders"), ";")
		sr.token = q.Get("X-Amz-Security-Token")
		if v := q.Get("X-Amz-Expires"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > 7*24*3600 {
				return sr, &authError{authIncomplete, "X-Amz-Expires must be between 1 and 604800 seconds, not " + v + "."}
			}
			sr.expires = time.Duration(n) * time.Second
		}
	default:
		return sr, &authError{authMissing, ""}
	}
	parts := strings.Split(credential, "/")
	if len(parts) != 5 || parts[0] == "" || parts[4] != "aws4_request" {
		return sr, &authError{authIncomplete, "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '" + credential + "'"}
	}
	sr.accessKey, sr.date, sr.region, sr.service = parts[0], parts[1], parts[2], parts[3]
	t, err := time.Parse(amzDateFormat, date)
	if err != nil {
		if t, err = http.ParseTime(date); err != nil {
			return sr, &authError{authIncomplete, "Date must be in ISO-8601 'basic format'. Got '" + date + "'. See http://en.wikipedia.org/wiki/ISO_8601"}
		}
	}
	sr.when = t.UTC()
	return sr, nil
}

// credential finds who holds the request's access key and its secret, and
// checks the session token and expiry of temporary credentials.
func (s *Server) credential(sr sigV4Request) (callerIdentity, string, *authError) {
	if sr.accessKey == SandboxAccessKeyID {
		if sr.token != "" {
			return callerIdentity{}, "", &authError{authBadToken, ""}
		}
		return s.sandboxAdmin(), SandboxSecretAccessKey, nil
	}
	s.credMu.RLock()
	id, ok := s.creds[sr.accessKey]
	s.credMu.RUnlock()
	if !ok {
		return id, "", &authError{authUnknownKey, ""}
	}
	if id.iamUser != "" {
		// An IAM user's access key: long-term, and only while it exists
		// and is active.
		s.mu.RLock()
		active := false
		if u, ok := empty(s.st.iamUsers, id.Account).Get(id.iamUser); ok {
			for _, k := range u.AccessKeys {
				active = active || (k.AccessKeyId == sr.accessKey && k.Status == "Active")
			}
		}
		s.mu.RUnlock()
		switch {
		case !active:
			return id, "", &authError{authUnknownKey, ""}
		case sr.token != "":
			return id, "", &authError{authBadToken, ""}
		}
		return id, id.secret, nil
	}
	if !hmac.Equal([]byte(sr.token), []byte(id.sessionToken)) {
		return id, "", &authError{authBadToken, ""}
	}
	if !s.now().Before(id.expires) {
		return id, "", &authError{authExpiredToken, ""}
	}
	return id, id.secret, nil
}

// payloadHash is the payload line of the canonical request: the
// x-amz-content-sha256 the client sent (s3 requires it, and it may be
// UNSIGNED-PAYLOAD or a streaming marker), else the body's SHA-256; a
// presigned s3 request's payload is unsigned.
func payloadHash(r *http.Request, sr sigV4Request, svc string, body []byte) (string, *authError) {
	sum := sha256.Sum256(body)
	actual := hex.EncodeToString(sum[:])
	claimed := r.Header.Get("X-Amz-Content-Sha256")
	if sr.presigned {
		claimed = r.URL.Query().Get("X-Amz-Content-Sha256")
		if claimed == "" && svc == "s3" {
			claimed = "UNSIGNED-PAYLOAD"
		}
	}
	switch {
	case claimed == "":
		return actual, nil
	case len(claimed) == 64 && strings.Trim(strings.ToLower(claimed), "0123456789abcdef") == "":
		if !strings.EqualFold(claimed, actual) {
			if svc == "s3" {
				return "", &authError{authSignature, "The provided 'x-amz-content-sha256' header does not match what was computed."}
			}
			return "", &authError{authSignature, signatureMismatch}
		}
		return strings.ToLower(claimed), nil
	}
	return claimed, nil
}

// canonicalRequest is SigV4's canonical form of r. s3 signs the path as
// sent; every other service encodes it once more.
func canonicalRequest(r *http.Request, sr sigV4Request, s3 bool, payload string) string {
	path := r.RequestURI
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	if strings.HasPrefix(path, "http://") || strings.HasPrefix(path, "https://") {
		if u, err := url.Parse(path); err == nil {
			path = u.EscapedPath()
		}
	}
	if path == "" {
		path = "/"
	}
	if !s3 {
		path = sigV4Escape(path, false)
	}
	var b strings.Builder
	b.WriteString(r.Method + "\n" + path + "\n" + canonicalQuery(r.URL.RawQuery, sr.presigned) + "\n")
	for _, h := range sr.signedHeaders {
		b.WriteString(h + ":" + headerValue(r, h) + "\n")
	}
	b.WriteString("\n" + strings.Join(sr.signedHeaders, ";") + "\n" + payload)
	return b.String()
}

// headerValue is a signed header's canonical value: every value of the
// header, trimmed, inner runs of spaces made one, joined by commas.
func headerValue(r *http.Request, name string) string {
	var values []string
	switch name {
	case "host":
		values = []string{r.Host}
	case "content-length":
		values = r.Header.Values("Content-Length")
		if len(values) == 0 && r.ContentLength >= 0 {
			values = []string{strconv.FormatInt(r.ContentLength, 10)}
		}
	case "transfer-encoding":
		values = r.TransferEncoding
	default:
		values = r.Header.Values(name)
	}
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = strings.Join(strings.Fields(v), " ")
	}
	return strings.Join(out, ",")
}

// canonicalQuery sorts the query's parameters by name, then value, each
// encoded as SigV4 encodes them; a presigned request leaves out its
// signature.
func canonicalQuery(raw string, presigned bool) string {
	type param struct{ k, v string }
	var ps []param
	for _, kv := range strings.Split(raw, "&") {
		if kv == "" {
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		if uk, err := url.QueryUnescape(k); err == nil {
			k = uk
		}
		if uv, err := url.QueryUnescape(v); err == nil {
			v = uv
		}
		if presigned && k == "X-Amz-Signature" {
			continue
		}
		ps = append(ps, param{sigV4Escape(k, true), sigV4Escape(v, true)})
	}
	slices.SortFunc(ps, func(a, b param) int {
		if c := strings.Compare(a.k, b.k); c != 0 {
			return c
		}
		return strings.Compare(a.v, b.v)
	})
	parts := make([]string, len(ps))
	for i, p := range ps {
		parts[i] = p.k + "=" + p.v
	}
	return strings.Join(parts, "&")
}

// sigV4Escape percent-encodes every byte but the unreserved ones
// (A-Z a-z 0-9 - _ . ~), and '/' unless encodeSlash.
func sigV4Escape(s string, encodeSlash bool) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-', c == '_', c == '.', c == '~':
			b.WriteByte(c)
		case c == '/' && !encodeSlash:
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&15])
		}
	}
	return b.String()
}

func hmacSHA256(key []byte, data string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(data))
	return h.Sum(nil)
}
