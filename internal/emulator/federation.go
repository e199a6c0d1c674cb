package emulator

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// The console's federation endpoint (https://signin.aws.amazon.com/federation):
// Action=getSigninToken exchanges role credentials the portal issued for a
// sign-in token; Action=login with a valid token redirects the browser to
// the Destination console page. Like AWS it answers a bad request with a
// plain error, and a bad login with an error page.

const (
	// signinTokenTTL is how long a sign-in token can be used, as on AWS.
	signinTokenTTL   = 15 * time.Minute
	minFedDuration   = 900
	maxFedDuration   = 43200
	signinTokenBytes = 32
)

// federation serves /federation for GET (query) and form POST.
func (s *Server) federation(w http.ResponseWriter, r *http.Request, _ string) error {
	if err := r.ParseForm(); err != nil {
		return fedError(w, http.StatusBadRequest, "malformed request")
	}
	switch r.Form.Get("Action") {
	case "getSigninToken":
		return s.getSigninToken(w, r.Form)
	case "login":
		return s.federatedLogin(w, r.Form)
	}
	return fedError(w, http.StatusBadRequest, "Action must be getSigninToken or login")
}

// fedError writes the endpoint's plain error answer; the request is not an
// API error (stats count it as a call, not a failure).
func fedError(w http.ResponseWriter, status int, msg string) error {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(msg + "\n"))
	return nil
}

// getSigninToken checks the Session credentials against those the portal
// issued (all three parts, not expired) and answers {"SigninToken": …}.
// The token is stateless: the access key id, its expiry and the session
// duration, signed with the credentials' own secret key.
func (s *Server) getSigninToken(w http.ResponseWriter, form url.Values) error {
	var sess struct{ SessionID, SessionKey, SessionToken string }
	if err := json.Unmarshal([]byte(form.Get("Session")), &struct {
		SessionID    *string `json:"sessionId"`
		SessionKey   *string `json:"sessionKey"`
		SessionToken *string `json:"sessionToken"`
	}{&sess.SessionID, &sess.SessionKey, &sess.SessionToken}); err != nil {
		return fedError(w, http.StatusBadRequest, "Session must be a JSON object with sessionId, sessionKey and sessionToken")
	}
	duration := 0
	if v := form.Get("SessionDuration"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < minFedDuration || n > maxFedDuration {
			return fedError(w, http.StatusBadRequest, "SessionDuration must be between 900 and 43200 seconds")
		}
		duration = n
	}
	s.credMu.RLock()
	id, ok := s.creds[sess.SessionID]
	s.credMu.RUnlock()
	if !ok || id.secret == "" || !hmac.Equal([]byte(id.secret), []byte(sess.SessionKey)) ||
		!hmac.Equal([]byte(id.sessionToken), []byte(sess.SessionToken)) || !s.now().Before(id.expires) {
		return fedError(w, http.StatusBadRequest, "The request signature we calculated does not match the signature you provided, or the credentials have expired.")
	}
	payload := sess.SessionID + "|" + strconv.FormatInt(s.now().Add(signinTokenTTL).Unix(), 10) + "|" + strconv.Itoa(duration)
	tok := base64.RawURLEncoding.EncodeToString([]byte(payload)) + "." + base64.RawURLEncoding.EncodeToString(fedMAC(id.secret, payload))
	w.Header().Set("Content-Type", "application/json")
	return json.NewEncoder(w).Encode(map[string]string{"SigninToken": tok})
}

func fedMAC(secret, payload string) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(payload))
	return m.Sum(nil)
}

// signinIdentity checks a sign-in token: well formed, signed with the
// secret of credentials the portal issued, not expired, those credentials
// not expired either.
func (s *Server) signinIdentity(tok string) (callerIdentity, bool) {
	p64, m64, ok := strings.Cut(tok, ".")
	payload, err1 := base64.RawURLEncoding.DecodeString(p64)
	mac, err2 := base64.RawURLEncoding.DecodeString(m64)
	if !ok || err1 != nil || err2 != nil {
		return callerIdentity{}, false
	}
	parts := strings.Split(string(payload), "|")
	if len(parts) != 3 {
		return callerIdentity{}, false
	}
	s.credMu.RLock()
	id, known := s.creds[parts[0]]
	s.credMu.RUnlock()
	exp, err := strconv.ParseInt(parts[1], 10, 64)
	if !known || id.secret == "" || err != nil || !hmac.Equal(mac, fedMAC(id.secret, string(payload))) ||
		!s.now().Before(time.Unix(exp, 0)) || !s.now().Before(id.expires) {
		return callerIdentity{}, false
	}
	return id, true
}

// federatedLogin: a valid token and a console Destination redirect there
// (302); anything else gets an error page.
func (s *Server) federatedLogin(w http.ResponseWriter, form url.Values) error {
	if _, ok := s.signinIdentity(form.Get("SigninToken")); !ok {
		return fedPage(w, http.StatusBadRequest, "Sign-in failed",
			"The sign-in token is invalid or has expired. Ask for a new sign-in link.")
	}
	dest := form.Get("Destination")
	u, err := url.Parse(dest)
	if err != nil || u.Scheme != "https" || !consoleHost(u.Host) {
		return fedPage(w, http.StatusBadRequest, "Sign-in failed",
			"The Destination is not an AWS console URL.")
	}
	w.Header().Set("Location", dest)
	w.WriteHeader(http.StatusFound)
	return nil
}

// consoleHost reports whether host is an AWS console host of a partition
// (console.aws.amazon.com, a regional one, and the GovCloud and China
// ones).
func consoleHost(host string) bool {
	for _, h := range []string{"console.aws.amazon.com", "console.amazonaws-us-gov.com", "console.amazonaws.cn"} {
		if host == h || strings.HasSuffix(host, "."+h) {
			return true
		}
	}
	return false
}

func fedPage(w http.ResponseWriter, status int, title, msg string) error {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	writePage(w, title, "<p>"+html.EscapeString(msg)+"</p>")
	return nil
}
