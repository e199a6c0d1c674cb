// Package emulator is the sandbox: an http.Handler that emulates, on one
// port, every AWS API ssoctl calls (sso-admin, identitystore, organizations,
// iam, sts, sesv2, s3, cloudtrail, EventBridge Scheduler, and for sign-in
// sso-oidc and the sso portal), over in-memory state and one clock, with
// AWS's wire formats, page caps, quotas and error shapes, and keeps a
// CloudTrail of what it serves (trail.go).
package emulator

import (
	"bytes"
	"crypto/hmac"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/ssoctl/ssoctl/internal/emulator/awsproto"
	"github.com/ssoctl/ssoctl/internal/quota"
)

// Options configures a Server. The zero value is a working sandbox with the
// small demo organization, no quotas and no injected faults.
type Options struct {
	// Org is small, medium, large, or the path of a state JSON file.
	Org string
	// Seed makes generated organizations and new ids deterministic.
	Seed uint64
	// State, when set, is loaded instead of Org.
	State *State
	// Quotas enforces AWS's documented rates ("aws") or none ("none", "").
	Quotas string
	// QuotaScale multiplies every quota rate (and burst); 0 means 1.
	QuotaScale float64
	// Latency is added to every request.
	Latency time.Duration
	// ThrottleRate and ErrorRate are the fractions of requests answered with
	// the service's throttling error or an internal error.
	ThrottleRate, ErrorRate float64
	// PendingPolls is how many status polls an async request answers
	// IN_PROGRESS before it completes (and, for sign-in, how many token polls
	// stay authorization_pending). Unpolled, such a request completes on its
	// own after AsyncDelay (0: two seconds), as AWS's do.
	PendingPolls int
	AsyncDelay   time.Duration
	// SignInAs is the identity-store user name who approves sign-ins.
	SignInAs string
	// TokenTTL, RefreshTTL and RegistrationTTL are the lifetimes of issued
	// access tokens, refresh tokens and client registrations (0: AWS's).
	TokenTTL, RefreshTTL, RegistrationTTL time.Duration
	// CredentialTTL is the lifetime of role credentials (0: one hour).
	CredentialTTL time.Duration
	// SESSandbox keeps every account in the SES sandbox, where SendEmail
	// also refuses recipients that are not verified identities.
	SESSandbox bool
	// AdditionalRegions are Regions every instance is replicated to, besides
	// its primary Region (the sandbox's); see InstanceRegion.
	AdditionalRegions []string
	// DenyAccounts are account ids (or names) for which every sso-admin call naming
	// the account (AccountId or TargetId), and every portal call naming it
	// (ListAccountRoles, GetRoleCredentials), is refused with
	// AccessDeniedException: a fault that retrying does not cure.
	DenyAccounts []string
	// ControlToken, when set, is required (Authorization: Bearer TOKEN)
	// by the sandbox's own /_sandbox/* endpoints: `ssoctl sandbox` sets one
	// when it listens beyond loopback.
	ControlToken string
	// CloudTrailDelay is how long after it happened an event shows in
	// LookupEvents (AWS delivers events minutes late); 0 shows it at once.
	CloudTrailDelay time.Duration
	// ActivityDays seeds that many days (at most MaxActivityDays) of
	// portal sign-in history (GetRoleCredentials events) for the
	// organization the sandbox starts with, up to the start of its first
	// day; GET /_sandbox/activity tells what was seeded.
	ActivityDays int
}

// Server is the sandbox's http.Handler.
type Server struct {
	opts Options

	clock clock // the sandbox's time (clock.go)

	mu sync.RWMutex // guards st
	st *store

	stats *stats

	rngMu sync.Mutex
	rng   *rand.Rand

	limiters quota.Limiters // nil unless quotas are on

	ops   map[string]map[string]opHandler // service -> operation -> handler
	rest  []restRouteEntry
	query map[string]queryService

	credMu sync.RWMutex
	creds  map[string]callerIdentity // issued role credentials by access key id

	signin *signIn // sso-oidc registrations, codes and tokens

	outbox outbox // e-mails accepted by sesv2 SendEmail

	trail *trail // CloudTrail events (trail.go)
}

// queryService is one query-protocol service: its XML namespace and
// operations, those that read and those that change the state.
type queryService struct {
	ns     string
	ops    map[string]queryHandler
	writes map[string]queryHandler
}

// opHandler serves one awsJson operation: it decodes its own input from body.
type opHandler struct {
	fn    func(body []byte) (any, error)
	write bool // needs the write lock
	// withReq, when set, serves instead of fn and is told about the
	// request (reqinfo.go).
	withReq func(req reqInfo, body []byte) (any, error)
}

// New builds a sandbox from opts.
func New(opts Options) (*Server, error) {
	st := opts.State
	if st == nil {
		var err error
		st, err = LoadOrg(opts.Org, opts.Seed)
		if err != nil {
			return nil, err
		}
	}
	if opts.ActivityDays < 0 || opts.ActivityDays > MaxActivityDays {
		return nil, fmt.Errorf("activity days must be between 0 and %d (LookupEvents keeps %d days), not %d", MaxActivityDays, MaxActivityDays, opts.ActivityDays)
	}
	if opts.CloudTrailDelay < 0 {
		return nil, fmt.Errorf("the CloudTrail delay must not be negative, not %s", opts.CloudTrailDelay)
	}
	s := &Server{
		opts:   opts,
		stats:  newStats(),
		rng:    rand.New(rand.NewPCG(opts.Seed, 0x55c0)),
		signin: newSignIn(),
		trail:  newTrail(opts.Seed),
	}
	var err error
	if s.st, err = fromState(st); err != nil {
		return nil, fmt.Errorf("sandbox state: %w", err)
	}
	if err := s.addRegions(opts.AdditionalRegions); err != nil {
		return nil, err
	}
	for i, id := range s.opts.DenyAccounts {
		for _, a := range s.st.accounts.Values() {
			if a.Name == id {
				s.opts.DenyAccounts[i] = a.Id
			}
		}
	}
	if opts.Quotas == "aws" {
		s.limiters = quota.NewLimiters(quota.AWS, opts.QuotaScale)
	}
	s.ops = map[string]map[string]opHandler{
		"sso-admin":     s.ssoAdminOps(),
		"identitystore": s.identityStoreOps(),
		"organizations": s.organizationsOps(),
		"cloudtrail":    s.cloudTrailOps(),
	}
	if opts.ActivityDays > 0 {
		s.trail.act = s.seedActivity(opts.Seed, opts.ActivityDays, s.trailNow())
	}
	s.query = map[string]queryService{
		"sts": {ns: "https://sts.amazonaws.com/doc/2011-06-15/", ops: s.stsOps()},
		"iam": {ns: "https://iam.amazonaws.com/doc/2010-05-08/", ops: s.iamOps(), writes: s.iamWriteOps()},
	}
	s.rest = s.restRoutes()
	s.creds = map[string]callerIdentity{}
	return s, nil
}

// LoadOrg returns the named demo organization (small, medium, large; ""
// is small) or reads a state file.
func LoadOrg(org string, seed uint64) (*State, error) {
	switch org {
	case "", "small", "medium", "large":
		return Generate(org, seed), nil
	}
	f, err := os.Open(org)
	if err != nil {
		return nil, fmt.Errorf("sandbox organization: %w", err)
	}
	defer f.Close()
	return LoadState(f)
}

// Region is the region the sandbox claims to be in.
func (s *Server) Region() string { return s.st.region }

// Exports returns the `export NAME=VALUE` lines a shell needs to use the
// sandbox at baseURL.
func Exports(baseURL, region string) []string {
	return []string{
		"export AWS_ENDPOINT_URL=" + baseURL,
		"export AWS_ENDPOINT_URL_SSO=" + baseURL,
		"export AWS_ENDPOINT_URL_SSO_OIDC=" + baseURL,
		"export AWS_ENDPOINT_URL_SIGNIN=" + baseURL,
		"export AWS_ACCESS_KEY_ID=" + SandboxAccessKeyID,
		"export AWS_SECRET_ACCESS_KEY=" + SandboxSecretAccessKey,
		"export AWS_REGION=" + region,
		"export AWS_DEFAULT_REGION=" + region,
		"export AWS_DEFAULT_SSO_START_URL=" + baseURL + "/start",
		"export AWS_DEFAULT_SSO_REGION=" + region,
	}
}

// Snapshot returns a copy of the whole state.
func (s *Server) Snapshot() *State {
	s.settle()
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.st.toState()
}

// ServeHTTP routes a request to its service: awsJson by X-Amz-Target,
// rest-json by path, query protocol by Action and SigV4 scope.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.settle()
	// AWS dates every answer; clients correct their clock skew by it, and
	// ssoctl judges expiry on it. Go's server keeps a Date already set.
	w.Header().Set("Date", s.Now().Format(http.TimeFormat))
	if strings.HasPrefix(r.URL.Path, "/_sandbox/") {
		s.serveControl(w, r)
		return
	}
	if s.opts.Latency > 0 {
		select {
		case <-time.After(s.opts.Latency):
		case <-r.Context().Done():
			return
		}
	}
	if !s.received(r) {
		return
	}
	reqID := s.uuid()
	if target := r.Header.Get("X-Amz-Target"); target != "" {
		s.serveAWSJSON(w, r, reqID, target)
		return
	}
	if r.Method == http.MethodGet && r.URL.Path == "/" && r.URL.Query().Has("Action") {
		// A query-protocol call as a GET, e.g. a presigned sts
		// GetCallerIdentity.
		s.serveQuery(w, r, reqID)
		return
	}
	if rt := s.restRoute(r); rt != nil {
		s.serveRest(w, r, reqID, rt.service, rt.op, rt.signed, rt.h)
		return
	}
	if r.Method == http.MethodPost && strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		s.serveQuery(w, r, reqID)
		return
	}
	awsproto.WriteRestJSONError(w, reqID, awsproto.Err(404, "UnknownOperationException", "no sandbox operation for %s %s", r.Method, r.URL.Path))
}

// received reads a request's body in full before the request is counted
// or served, when it says how long it is (every SDK's does) and is small
// enough to sign. It is false when the body never arrived in full: the
// client gave up mid-request (its context ended), so no service saw an
// operation, nothing is counted and nobody waits for an answer. Counting
// such a request a call made an interrupted run look as if it had sent a
// CreateAccountAssignment the service never started.
func (s *Server) received(r *http.Request) bool {
	if r.Body == nil || r.ContentLength <= 0 || r.ContentLength > maxSignedBody {
		return true
	}
	body := make([]byte, r.ContentLength)
	if _, err := io.ReadFull(r.Body, body); err != nil {
		return false
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	return true
}

var targetPrefixes = map[string]string{
	"SWBExternalService":        "sso-admin",
	"AWSIdentityStore":          "identitystore",
	"AWSOrganizationsV20161128": "organizations",
	// CloudTrail's target is CloudTrail_20131101 from the Go SDK and the
	// full com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101 from
	// botocore; AWS takes both.
	"CloudTrail_20131101": "cloudtrail",
	"com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101": "cloudtrail",
}

func (s *Server) serveAWSJSON(w http.ResponseWriter, r *http.Request, reqID, target string) {
	// The operation follows the last dot: CloudTrail's prefix has dots of its own.
	i := strings.LastIndex(target, ".")
	if i < 0 {
		i = len(target)
	}
	prefix, op := target[:i], strings.TrimPrefix(target[i:], ".")
	svc := targetPrefixes[prefix]
	h, ok := s.ops[svc][op]
	if !ok {
		awsproto.WriteJSONError(w, reqID, awsproto.Err(400, "UnknownOperationException", "operation %s is not supported by the sandbox", target))
		return
	}
	s.stats.call(r, svc, op)
	r, ae := s.authenticate(r, svc)
	if ae != nil {
		e := ae.as(svc)
		s.stats.fail(svc, op, e)
		awsproto.WriteJSONError(w, reqID, e)
		return
	}
	if e := s.identityPolicy(svc, op, s.requestRegion(r), s.caller(r)); e != nil {
		s.stats.fail(svc, op, e)
		awsproto.WriteJSONError(w, reqID, e)
		return
	}
	if e := s.admit(svc, op); e != nil {
		awsproto.WriteJSONError(w, reqID, e)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		awsproto.WriteJSONError(w, reqID, awsproto.Err(400, "SerializationException", "read body: %v", err))
		return
	}
	if len(body) == 0 {
		body = []byte("{}")
	}
	if e := s.denied(svc, body); e != nil {
		s.stats.fail(svc, op, e)
		awsproto.WriteJSONError(w, reqID, e)
		return
	}
	region := s.requestRegion(r)
	if e := s.primaryOnly(svc, op, h.write, region, body); e != nil {
		s.stats.fail(svc, op, e)
		awsproto.WriteJSONError(w, reqID, e)
		return
	}
	if h.write {
		s.mu.Lock()
	} else {
		s.mu.RLock()
	}
	out, err := s.serveOp(h, r, region, body)
	if h.write {
		s.mu.Unlock()
	} else {
		s.mu.RUnlock()
	}
	if err != nil {
		ae := awsproto.AsError(err)
		s.stats.fail(svc, op, ae)
		awsproto.WriteJSONError(w, reqID, ae)
		return
	}
	if recorded(svc, op) {
		s.record(call{svc: svc, op: op, region: region, reqID: reqID, caller: s.caller(r), r: r,
			params: jsonParams(body), response: jsonResponse(out)})
	}
	awsproto.WriteJSON(w, reqID, "application/x-amz-json-1.1", out)
}

// denied refuses sso-admin calls that name an account in DenyAccounts.
func (s *Server) denied(svc string, body []byte) *awsproto.Error {
	if svc != "sso-admin" || len(s.opts.DenyAccounts) == 0 {
		return nil
	}
	var in struct{ AccountId, TargetId string }
	_ = json.Unmarshal(body, &in)
	for _, id := range s.opts.DenyAccounts {
		if id != "" && (in.AccountId == id || in.TargetId == id) {
			return awsproto.Err(400, "AccessDeniedException", "User is not authorized to perform this action on account %s", id)
		}
	}
	return nil
}

// jsonOp adapts a typed handler to an opHandler.
func jsonOp[I any](write bool, f func(in *I) (any, error)) opHandler {
	return opHandler{write: write, fn: func(body []byte) (any, error) {
		var in I
		if err := json.Unmarshal(body, &in); err != nil {
			return nil, awsproto.Err(400, "SerializationException", "cannot decode request: %v", err)
		}
		return f(&in)
	}}
}

// restHandler serves a rest-json or rest-xml request.
type restHandler func(w http.ResponseWriter, r *http.Request, reqID string) error

// restRoute finds the route of a path-routed request (nil: none).
func (s *Server) restRoute(r *http.Request) *restRouteEntry {
	for i, rt := range s.rest {
		// A scoped route takes a request signed for its service, or an
		// unsigned one (which it refuses as that service does).
		if svc := sigV4Service(r); rt.scope != "" && svc != "" && svc != rt.scope {
			continue
		}
		if rt.method == r.Method && rt.path.MatchString(r.URL.Path) {
			return &s.rest[i]
		}
	}
	return nil
}

type restRouteEntry struct {
	method, service, op string
	scope               string // when set, the SigV4 credential scope's service must match
	signed              bool   // SigV4-signed on AWS (sesv2, s3), unlike sign-in and the portal
	path                *regexp.Regexp
	h                   restHandler
}

func (s *Server) serveRest(w http.ResponseWriter, r *http.Request, reqID, svc, op string, signed bool, h restHandler) {
	s.stats.call(r, svc, op)
	writeErr := awsproto.WriteRestJSONError
	switch svc {
	case "s3":
		writeErr = writeS3Error
	case "scheduler":
		writeErr = writeSchedulerError
	}
	if signed {
		var ae *authError
		if r, ae = s.authenticate(r, svc); ae != nil {
			e := ae.as(svc)
			s.stats.fail(svc, op, e)
			writeErr(w, reqID, e)
			return
		}
		if e := s.identityPolicy(svc, op, s.requestRegion(r), s.caller(r)); e != nil {
			s.stats.fail(svc, op, e)
			writeErr(w, reqID, e)
			return
		}
	}
	if e := s.admit(svc, op); e != nil {
		writeErr(w, reqID, e)
		return
	}
	var cw *captureWriter
	var body []byte
	if recorded(svc, op) {
		// The request body is read here for the record and put back for
		// the handler; the answer is kept as it is written.
		body, _ = io.ReadAll(io.LimitReader(r.Body, maxSignedBody))
		r.Body = io.NopCloser(bytes.NewReader(body))
		cw = &captureWriter{ResponseWriter: w}
		w = cw
	}
	if err := h(w, r, reqID); err != nil {
		ae := awsproto.AsError(err)
		s.stats.fail(svc, op, ae)
		writeErr(w, reqID, ae)
		return
	}
	if cw != nil && cw.status < 300 {
		s.recordRest(r, svc, op, reqID, body, cw.body.Bytes())
	}
}

// captureWriter keeps the status and body a rest handler writes.
type captureWriter struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (c *captureWriter) WriteHeader(code int) {
	if c.status == 0 {
		c.status = code
	}
	c.ResponseWriter.WriteHeader(code)
}

func (c *captureWriter) Write(b []byte) (int, error) {
	if c.status == 0 {
		c.status = http.StatusOK
	}
	c.body.Write(b)
	return c.ResponseWriter.Write(b)
}

// recordRest records a successful rest call: the portal's
// GetRoleCredentials as its own kind of event, others (sesv2) from the
// JSON body and path.
func (s *Server) recordRest(r *http.Request, svc, op, reqID string, body, resp []byte) {
	if svc == "sso" {
		s.recordRoleCredentials(r, reqID)
		return
	}
	params := jsonParams(body)
	if name, ok := strings.CutPrefix(r.URL.Path, "/v2/email/identities/"); ok && svc == "sesv2" {
		// A member in the path, first as AWS lists it.
		id, _ := url.PathUnescape(name)
		o, _ := params.(object)
		params = append(object{{"emailIdentity", id}}, o...)
	}
	s.record(call{svc: svc, op: op, region: s.requestRegion(r), reqID: reqID, caller: s.caller(r), r: r,
		params: params, response: bodyResponse(resp)})
}

// sigV4Service is the service named in a request's SigV4 credential scope
// (the Authorization header's, or a presigned query's).
func sigV4Service(r *http.Request) string {
	cred := ""
	if _, c, ok := strings.Cut(r.Header.Get("Authorization"), "Credential="); ok {
		cred = strings.SplitN(c, ",", 2)[0]
	} else if strings.Contains(r.URL.RawQuery, "X-Amz-Credential=") {
		cred = r.URL.Query().Get("X-Amz-Credential")
	}
	if parts := strings.Split(cred, "/"); len(parts) >= 4 {
		return parts[3]
	}
	return ""
}

// queryService tells a query-protocol request's service from its SigV4
// credential scope, else from the operation name.
func queryServiceName(r *http.Request, action string) string {
	if svc := sigV4Service(r); svc != "" {
		return svc
	}
	if action == "GetCallerIdentity" || strings.HasPrefix(action, "Assume") || action == "GetSessionToken" {
		return "sts"
	}
	return "iam"
}

type queryHandler func(form url.Values, caller callerIdentity) (any, error)

func (s *Server) serveQuery(w http.ResponseWriter, r *http.Request, reqID string) {
	// The form is parsed from a copy of the body, which the signature
	// check reads again.
	body, err := io.ReadAll(io.LimitReader(r.Body, maxSignedBody))
	if err != nil {
		awsproto.WriteQueryError(w, reqID, "", awsproto.Err(400, "MalformedQueryString", "%v", err))
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	if err := r.ParseForm(); err != nil {
		awsproto.WriteQueryError(w, reqID, "", awsproto.Err(400, "MalformedQueryString", "%v", err))
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	form := r.PostForm
	if r.Method == http.MethodGet {
		form = r.Form
	}
	action := form.Get("Action")
	svc := queryServiceName(r, action)
	qs := s.query[svc]
	ns := qs.ns
	h, ok := qs.ops[action]
	write := false
	if !ok {
		h, ok = qs.writes[action]
		write = ok
	}
	if !ok {
		awsproto.WriteQueryError(w, reqID, ns, awsproto.Err(400, "InvalidAction", "The action %s is not valid for this web service.", action))
		return
	}
	s.stats.call(r, svc, action)
	r, ae := s.authenticate(r, svc)
	if ae != nil {
		e := ae.as(svc)
		s.stats.fail(svc, action, e)
		awsproto.WriteQueryError(w, reqID, ns, e)
		return
	}
	if e := s.identityPolicy(svc, action, s.requestRegion(r), s.caller(r)); e != nil {
		s.stats.fail(svc, action, e)
		awsproto.WriteQueryError(w, reqID, ns, e)
		return
	}
	if e := s.admit(svc, action); e != nil {
		awsproto.WriteQueryError(w, reqID, ns, e)
		return
	}
	caller := s.caller(r)
	if write {
		s.mu.Lock()
	} else {
		s.mu.RLock()
	}
	out, err := h(form, caller)
	if write {
		s.mu.Unlock()
	} else {
		s.mu.RUnlock()
	}
	if err != nil {
		ae := awsproto.AsError(err)
		if ae.Code == "InternalServerException" {
			ae.Code = "ServiceFailure"
		}
		s.stats.fail(svc, action, ae)
		awsproto.WriteQueryError(w, reqID, ns, ae)
		return
	}
	if write && recorded(svc, action) {
		s.record(call{svc: svc, op: action, region: s.requestRegion(r), reqID: reqID, caller: caller, r: r,
			params: formParams(form), response: xmlResponse(out), resources: iamResources(form)})
	}
	awsproto.WriteQueryResult(w, reqID, ns, action, out)
}

// callerIdentity is who signed a request: the account whose IAM the request
// sees and the ARN sts reports.
type callerIdentity struct {
	AccessKeyId string
	Account     string
	Arn         string
	UserId      string
	// Principal is the IAM ARN trust policies name: the user, or for a
	// role session the role (with its path), not the session.
	Principal string
	// The rest of issued credentials: the secret, and for temporary ones
	// the session token and when they expire (the signature check and the
	// federation endpoint check them).
	secret, sessionToken string
	expires              time.Time
	// iamUser names the IAM user of an access key iam CreateAccessKey
	// issued, which works while the user has it active.
	iamUser string
	// permissionSetArn is the permission set of portal role credentials,
	// whose inline policy every call made with them is checked against
	// (policy.go).
	permissionSetArn string
	// issued is when temporary credentials were issued, and onBehalfOf
	// the Identity Center user the portal issued them for: what CloudTrail
	// records of a role session.
	issued     time.Time
	onBehalfOf *onBehalfOf
}

// sandboxAdmin is who the exported dummy credentials are: the management
// account's administrator.
func (s *Server) sandboxAdmin() callerIdentity {
	mgmt := s.st.org.MasterAccountId
	arn := "arn:aws:iam::" + mgmt + ":user/sandbox-admin"
	return callerIdentity{AccessKeyId: SandboxAccessKeyID, Account: mgmt, Arn: arn, Principal: arn, UserId: "AIDASANDBOXADMIN0001"}
}

// caller is who signed r, as the verified signature says (authenticate
// put it in the request's context).
func (s *Server) caller(r *http.Request) callerIdentity {
	id, _ := r.Context().Value(callerKey{}).(callerIdentity)
	return id
}

func (s *Server) serveControl(w http.ResponseWriter, r *http.Request) {
	if tok := s.opts.ControlToken; tok != "" {
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || !hmac.Equal([]byte(got), []byte(tok)) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="ssoctl sandbox"`)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			_ = json.NewEncoder(w).Encode(map[string]string{"message": "the sandbox's /_sandbox endpoints need Authorization: Bearer $SSOCTL_SANDBOX_TOKEN (printed at start) when it listens beyond loopback"})
			return
		}
	}
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/_sandbox/stats":
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(s.stats.snapshot())
	case r.Method == http.MethodPost && r.URL.Path == "/_sandbox/stats/reset":
		s.stats.reset()
		w.WriteHeader(http.StatusNoContent)
	case r.Method == http.MethodGet && r.URL.Path == "/_sandbox/outbox":
		s.serveOutbox(w)
	case r.Method == http.MethodGet && r.URL.Path == "/_sandbox/activity":
		s.serveActivity(w)
	case r.Method == http.MethodPost && r.URL.Path == "/_sandbox/cloudtrail":
		s.serveInjectEvent(w, r)
	case r.Method == http.MethodPost && r.URL.Path == "/_sandbox/ses/verify":
		s.serveSESVerify(w, r)
	case (r.Method == http.MethodGet || r.Method == http.MethodPost) && r.URL.Path == "/_sandbox/clock":
		s.serveClock(w, r)
	case r.Method == http.MethodGet && r.URL.Path == "/_sandbox/state":
		w.Header().Set("Content-Type", "application/json")
		enc := json.NewEncoder(w)
		enc.SetIndent("", " ")
		_ = enc.Encode(s.Snapshot())
	default:
		http.NotFound(w, r)
	}
}

// Stats returns the call, throttle and error counts since start or reset.
func (s *Server) Stats() StatsSnapshot { return s.stats.snapshot() }
