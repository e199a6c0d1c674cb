package emulator

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"
	"unicode"

	"github.com/ssoctl/ssoctl/internal/emulator/awsproto"
)

// Firing schedules. When the sandbox clock passes an enabled one-time
// schedule (on POST /_sandbox/clock, and on the next request as real time
// passes), the sandbox invokes its target as EventBridge Scheduler would:
//
//   - The execution role (Target.RoleArn) must be a role of the schedule's
//     account (iamRoles in the state) whose trust policy lets the service
//     principal scheduler.amazonaws.com assume it (sts:AssumeRole; the
//     String and Arn conditions on aws:SourceAccount and aws:SourceArn are
//     evaluated). The role's own permissions are not: the sandbox keeps no
//     identity policies for IAM roles.
//   - The target must be a universal target of a service the sandbox
//     serves over awsJson (arn:aws:scheduler:::aws-sdk:ssoadmin:<action>,
//     identitystore, organizations), such as
//     aws-sdk:ssoadmin:deleteAccountAssignment. Its Input is the API's
//     request as JSON, with the API's member names (InstanceArn, TargetId,
//     …), and the action is called as the role would call it, in the
//     schedule's Region. Other targets are not run: the invocation fails.
//   - A failed invocation is retried a minute later on the clock when the
//     failure is the service's (throttling, conflict, internal error),
//     until the target's RetryPolicy runs out (AWS's default: 185 attempts
//     within 24 hours); any other failure is final.
//   - Then the schedule has completed: with ActionAfterCompletion DELETE it
//     is deleted; with NONE it stays, and never fires again.
//
// Each invocation is recorded on the schedule (Invocations in the state
// GET /_sandbox/state dumps).

// SchedulerRole is the execution role for EventBridge Scheduler that the
// demo organizations give the management account, trusting
// scheduler.amazonaws.com for schedules of that account.
const SchedulerRole = "SchedulerExecutionRole"

const (
	schedulerPrincipal = "scheduler.amazonaws.com"
	retryDelay         = time.Minute
	maxInvocationsKept = 20
)

// TrustScheduler is a trust policy that lets EventBridge Scheduler assume a
// role for the schedules of an account.
func TrustScheduler(account string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"` + schedulerPrincipal +
		`"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:SourceAccount":"` + account + `"}}}]}`
}

// universalServices maps the service names of universal target ARNs (the
// SDKs' service identifiers) to the sandbox's awsJson services.
var universalServices = map[string]string{
	"ssoadmin":      "sso-admin",
	"identitystore": "identitystore",
	"organizations": "organizations",
}

// fireSchedules invokes the target of every schedule due at now, and
// returns the calls that succeeded for CloudTrail. Call with s.mu held.
func (s *Server) fireSchedules(now time.Time) []call {
	st := s.st.sched
	var calls []call
	for {
		keys := st.due.Keys()
		if len(keys) == 0 {
			break
		}
		sc, _ := st.due.Get(keys[0])
		if sc.due.After(now) {
			break
		}
		st.unfile(sc)
		if c := s.fire(sc, now); c != nil {
			calls = append(calls, *c)
		}
	}
	st.updateNext()
	return calls
}

// fire invokes one schedule's target and then retries it, or completes
// the schedule; it returns the target call when it succeeded and
// CloudTrail records such calls.
func (s *Server) fire(sc *Schedule, now time.Time) *call {
	st := s.st.sched
	var t scheduleTarget
	_ = json.Unmarshal(sc.Target, &t)
	done, err := s.invokeTarget(sc, t)
	inv := ScheduleInvocation{Time: now}
	if err != nil {
		inv.Error = err.Error()
	}
	sc.Invocations = append(sc.Invocations, inv)
	if len(sc.Invocations) > maxInvocationsKept {
		sc.Invocations = sc.Invocations[len(sc.Invocations)-maxInvocationsKept:]
	}
	if err != nil && retryable(err) {
		maxAge, maxRetries := defaultMaxEventAge, 185
		if rp := t.RetryPolicy; rp != nil {
			if rp.MaximumEventAgeInSeconds != nil {
				maxAge = *rp.MaximumEventAgeInSeconds
			}
			if rp.MaximumRetryAttempts != nil {
				maxRetries = *rp.MaximumRetryAttempts
			}
		}
		if sc.left.IsZero() {
			sc.left = sc.due.Add(time.Duration(maxAge) * time.Second)
		}
		sc.tries++
		if sc.tries <= maxRetries && now.Add(retryDelay).Before(sc.left) {
			sc.due = now.Add(retryDelay)
			st.file(sc)
			return nil
		}
	}
	sc.Done, sc.due, sc.left, sc.tries = true, time.Time{}, time.Time{}, 0
	if sc.ActionAfterCompletion == "DELETE" {
		st.remove(sc)
	}
	if done != nil && recorded(done.svc, done.op) {
		return done
	}
	return nil
}

// retryable tells a failure EventBridge Scheduler retries: the target
// service's throttling, conflicts and internal errors.
func retryable(err error) bool {
	ae := awsproto.AsError(err)
	return ae.Status >= 500 || ae.Status == 429 || strings.Contains(ae.Code, "Throttl") ||
		ae.Code == "ConflictException" || ae.Code == "TooManyRequestsException"
}

// invokeTarget calls a schedule's target as its execution role, and
// returns the call as CloudTrail records it. Call with s.mu held.
func (s *Server) invokeTarget(sc *Schedule, t scheduleTarget) (*call, error) {
	caller, err := s.schedulerRole(sc, t.RoleArn)
	if err != nil {
		return nil, err
	}
	m := universalRE().FindStringSubmatch(t.Arn)
	svc := ""
	if m != nil {
		svc = universalServices[m[2]]
	}
	if svc == "" {
		return nil, awsproto.Err(400, "ValidationException", "the sandbox runs universal targets of ssoadmin, identitystore and organizations only, not %s", t.Arn)
	}
	action := m[3]
	op := strings.ToUpper(action[:1]) + action[1:]
	h, ok := s.ops[svc][op]
	if !ok {
		return nil, awsproto.Err(400, "ValidationException", "the universal target %s names no %s action %s", t.Arn, m[2], action)
	}
	body := []byte("{}")
	if t.Input != nil {
		body = []byte(*t.Input)
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(body, &members); err != nil {
		return nil, awsproto.Err(400, "ValidationException", "the Input of %s is not a JSON object: %v", t.Arn, err)
	}
	for k := range members {
		// The request's members by the API's names: Go's decoder would
		// take "instanceArn" for InstanceArn, the service does not.
		if r := []rune(k); len(r) == 0 || !unicode.IsUpper(r[0]) {
			return nil, awsproto.Err(400, "ValidationException", "the Input of %s has an unknown parameter %q: the API's member names start with a capital (InstanceArn, TargetId, …)", t.Arn, k)
		}
	}
	if e := s.denied(svc, body); e != nil {
		return nil, e
	}
	var ids struct{ InstanceArn, IdentityStoreId string }
	_ = json.Unmarshal(body, &ids)
	if (svc == "sso-admin" || svc == "identitystore" && h.write) && s.additionalRegionOf(ids.InstanceArn, ids.IdentityStoreId, sc.Region) {
		return nil, awsproto.Err(400, "AccessDeniedException", "%s is not supported in %s, an additional Region of this IAM Identity Center instance", op, sc.Region)
	}
	var out any
	if h.withReq != nil {
		out, err = h.withReq(reqInfo{Region: sc.Region, Caller: caller}, body)
	} else {
		out, err = h.fn(body)
	}
	if err != nil {
		return nil, err
	}
	// EventBridge Scheduler calls from its own address, as its agent.
	r := &http.Request{Header: http.Header{"User-Agent": {schedulerPrincipal}}, RemoteAddr: schedulerPrincipal}
	return &call{svc: svc, op: op, region: sc.Region, reqID: s.uuid(), caller: caller, r: r,
		params: jsonParams(body), response: jsonResponse(out)}, nil
}

// schedulerRole is who a schedule's target is called as: its execution
// role, which must be in the schedule's account and trust EventBridge
// Scheduler. Call with s.mu held.
func (s *Server) schedulerRole(sc *Schedule, roleArn string) (callerIdentity, error) {
	denied := func(why string) error {
		return awsproto.Err(403, "AccessDeniedException", "EventBridge Scheduler cannot assume the execution role %s: %s", roleArn, why)
	}
	m := roleArnRE().FindStringSubmatch(roleArn)
	if m == nil {
		return callerIdentity{}, denied("not a role ARN")
	}
	account, path, name := m[1], m[2], m[3]
	if account != sc.AccountId {
		return callerIdentity{}, denied("the role is not in the schedule's account " + sc.AccountId)
	}
	role, ok := empty(s.st.iamRoles, account).Get(lower(name))
	if !ok || role.Path != path {
		return callerIdentity{}, denied("no such role")
	}
	keys := map[string]string{"aws:sourceaccount": sc.AccountId, "aws:sourcearn": sc.arn()}
	if !trustsService(role.TrustPolicy, schedulerPrincipal, keys) {
		return callerIdentity{}, denied("its trust policy does not let " + schedulerPrincipal + " assume it")
	}
	session := sc.Name
	return callerIdentity{
		Account:   account,
		Arn:       "arn:aws:sts::" + account + ":assumed-role/" + role.RoleName + "/" + session,
		Principal: "arn:aws:iam::" + account + ":role" + role.Path + role.RoleName,
		UserId:    role.RoleId + ":" + session,
	}, nil
}
