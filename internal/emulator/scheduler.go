package emulator

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/ssoctl/ssoctl/internal/emulator/awsproto"
)

// EventBridge Scheduler (rest-json, signing name "scheduler", API
// 2021-06-30): schedules and schedule groups, per account and Region,
// validated as the service's model says; every account has the "default"
// group. One-time schedules (at(...)) fire when the sandbox clock passes
// them (schedulerfire.go); rate() and cron() schedules are kept and served
// but never fire.

// ScheduleGroup is a schedule group of one account in one Region. The
// "default" group of every account is implicit: it is never stored.
type ScheduleGroup struct {
	AccountId string    `json:"accountId"`
	Region    string    `json:"region"`
	Name      string    `json:"name"`
	Created   time.Time `json:"creationDate"`
	Modified  time.Time `json:"lastModificationDate"`
	Tags      []Tag     `json:"tags,omitempty"`

	token string // the ClientToken it was created with
}

// Schedule is an EventBridge Scheduler schedule.
type Schedule struct {
	AccountId                  string             `json:"accountId"`
	Region                     string             `json:"region"`
	GroupName                  string             `json:"groupName"`
	Name                       string             `json:"name"`
	Description                string             `json:"description,omitempty"`
	ScheduleExpression         string             `json:"scheduleExpression"`
	ScheduleExpressionTimezone string             `json:"scheduleExpressionTimezone,omitempty"`
	StartDate                  *time.Time         `json:"startDate,omitempty"`
	EndDate                    *time.Time         `json:"endDate,omitempty"`
	State                      string             `json:"state"`
	FlexibleTimeWindow         FlexibleTimeWindow `json:"flexibleTimeWindow"`
	// Target is the target as the API takes and answers it (Arn, RoleArn,
	// Input, RetryPolicy, …).
	Target                json.RawMessage `json:"target"`
	ActionAfterCompletion string          `json:"actionAfterCompletion"`
	KmsKeyArn             string          `json:"kmsKeyArn,omitempty"`
	Created               time.Time       `json:"creationDate"`
	Modified              time.Time       `json:"lastModificationDate"`
	// Invocations are the sandbox's record of what the schedule did when
	// it fell due (not part of AWS's API); Done is set once a one-time
	// schedule has completed, so it never fires again.
	Invocations []ScheduleInvocation `json:"invocations,omitempty"`
	Done        bool                 `json:"done,omitempty"`

	due   time.Time // when it next fires (zero: never)
	left  time.Time // the last moment a failed invocation is retried
	tries int       // failed invocations so far
	token string    // the ClientToken it was created with
}

// FlexibleTimeWindow is a schedule's FlexibleTimeWindow.
type FlexibleTimeWindow struct {
	Mode                   string `json:"Mode"`
	MaximumWindowInMinutes *int   `json:"MaximumWindowInMinutes,omitempty"`
}

// ScheduleInvocation is one invocation of a schedule's target.
type ScheduleInvocation struct {
	Time  time.Time `json:"time"`
	Error string    `json:"error,omitempty"` // "" when the target call succeeded
}

// scheduleTarget is what the sandbox reads of a Target.
type scheduleTarget struct {
	Arn         string
	RoleArn     string
	Input       *string
	RetryPolicy *struct {
		MaximumEventAgeInSeconds *int
		MaximumRetryAttempts     *int
	}
	DeadLetterConfig *struct{ Arn string }
}

const (
	defaultScheduleGroup = "default"
	// maxScheduleGroups is AWS's quota of schedule groups per account and
	// Region, the default group included.
	maxScheduleGroups = 500
	schedulerPageMax  = 100
	// defaultMaxEventAge is how long a failed invocation is retried when
	// the target's RetryPolicy does not say (AWS's default, 24 hours).
	defaultMaxEventAge = 86400
)

// schedulerStore holds the schedules and groups; guarded by Server.mu but
// for nextDue.
type schedulerStore struct {
	groups    map[string]*awsproto.Index[*ScheduleGroup] // account|region -> by name
	schedules map[string]*awsproto.Index[*Schedule]      // account|region -> by group|name
	// due holds the schedules that will fire, by due time then ARN.
	due *awsproto.Index[*Schedule]
	// nextDue is the first due time in Unix nanoseconds (0: none), read
	// without the lock on every request.
	nextDue atomic.Int64
}

func newSchedulerStore() *schedulerStore {
	return &schedulerStore{groups: map[string]*awsproto.Index[*ScheduleGroup]{}, schedules: map[string]*awsproto.Index[*Schedule]{}, due: awsproto.NewIndex[*Schedule]()}
}

func (sc *Schedule) arn() string {
	return "arn:aws:scheduler:" + sc.Region + ":" + sc.AccountId + ":schedule/" + sc.GroupName + "/" + sc.Name
}

func (g *ScheduleGroup) arn() string {
	return "arn:aws:scheduler:" + g.Region + ":" + g.AccountId + ":schedule-group/" + g.Name
}

func dueKey(sc *Schedule) string {
	return sc.due.UTC().Format("20060102T150405.000000000") + "|" + sc.arn()
}

// put stores a schedule (new or replacing one of the same name) and files
// it by due time.
func (st *schedulerStore) put(sc *Schedule) {
	k := key(sc.AccountId, sc.Region)
	if old, ok := empty(st.schedules, k).Get(key(sc.GroupName, sc.Name)); ok {
		st.unfile(old)
	}
	sub(st.schedules, k).Put(key(sc.GroupName, sc.Name), sc)
	st.file(sc)
}

func (st *schedulerStore) remove(sc *Schedule) {
	st.unfile(sc)
	empty(st.schedules, key(sc.AccountId, sc.Region)).Del(key(sc.GroupName, sc.Name))
}

func (st *schedulerStore) file(sc *Schedule) {
	if !sc.due.IsZero() {
		st.due.Put(dueKey(sc), sc)
	}
	st.updateNext()
}

func (st *schedulerStore) unfile(sc *Schedule) {
	if !sc.due.IsZero() {
		st.due.Del(dueKey(sc))
	}
	st.updateNext()
}

func (st *schedulerStore) updateNext() {
	if keys := st.due.Keys(); len(keys) > 0 {
		first, _ := st.due.Get(keys[0])
		st.nextDue.Store(first.due.UnixNano())
		return
	}
	st.nextDue.Store(0)
}

// schedule finds a schedule.
func (st *schedulerStore) schedule(account, region, group, name string) (*Schedule, bool) {
	return empty(st.schedules, key(account, region)).Get(key(group, name))
}

// group finds a schedule group; the default group always exists.
func (s *Server) scheduleGroup(account, region, name string) (*ScheduleGroup, bool) {
	if name == defaultScheduleGroup {
		return s.defaultGroup(account, region), true
	}
	return empty(s.st.sched.groups, key(account, region)).Get(name)
}

// defaultGroup is the implicit default group, dated when the account
// joined the organization.
func (s *Server) defaultGroup(account, region string) *ScheduleGroup {
	t := time.Unix(0, 0).UTC()
	if a, ok := s.st.accounts.Get(account); ok && !a.Joined.IsZero() {
		t = a.Joined
	}
	return &ScheduleGroup{AccountId: account, Region: region, Name: defaultScheduleGroup, Created: t, Modified: t}
}

// loadScheduler files a state's schedule groups and schedules; a schedule
// of a group the state does not have is an error.
func (s *store) loadScheduler(st *State) error {
	for i := range st.ScheduleGroups {
		g := st.ScheduleGroups[i]
		if g.Name == defaultScheduleGroup {
			return fmt.Errorf("scheduleGroups[%d]: the default group is implicit: leave it out", i)
		}
		sub(s.sched.groups, key(g.AccountId, cmp.Or(g.Region, s.region))).Put(g.Name, &g)
	}
	for i := range st.Schedules {
		sc := st.Schedules[i]
		sc.Region = cmp.Or(sc.Region, s.region)
		if sc.GroupName != defaultScheduleGroup && !empty(s.sched.groups, key(sc.AccountId, sc.Region)).Has(sc.GroupName) {
			return fmt.Errorf("schedules[%d]: schedule %s is in group %s, which is not in scheduleGroups", i, sc.Name, sc.GroupName)
		}
		arm(&sc)
		s.sched.put(&sc)
	}
	return nil
}

// dumpScheduler adds the schedule groups and schedules to a state dump.
func (s *store) dumpScheduler(st *State) {
	for _, k := range sortedKeys(s.sched.groups) {
		for _, g := range s.sched.groups[k].Values() {
			st.ScheduleGroups = append(st.ScheduleGroups, *g)
		}
	}
	for _, k := range sortedKeys(s.sched.schedules) {
		for _, sc := range s.sched.schedules[k].Values() {
			st.Schedules = append(st.Schedules, *sc)
		}
	}
}

// ---- validation ----

var (
	schedNameRE    = awsproto.LazyRegexp(`^[0-9a-zA-Z-_.]+$`)
	clientTokenRE  = awsproto.LazyRegexp(`^[a-zA-Z0-9-_]+$`)
	kmsKeyArnRE    = awsproto.LazyRegexp(`^arn:aws(-[a-z]+)?:kms:[a-z0-9\-]+:\d{12}:(key|alias)\/[0-9a-zA-Z-_]*$`)
	schedRoleArnRE = awsproto.LazyRegexp(`^arn:aws(-[a-z]+)?:iam::\d{12}:role\/[\w+=,.@\/-]+$`)
	dlqArnRE       = awsproto.LazyRegexp(`^arn:aws(-[a-z]+)?:sqs:[a-z0-9\-]+:\d{12}:[a-zA-Z0-9\-_]+$`)
	atExprRE       = awsproto.LazyRegexp(`^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$`)
	rateExprRE     = awsproto.LazyRegexp(`^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$`)
	cronExprRE     = awsproto.LazyRegexp(`^cron\(\S+ \S+ \S+ \S+ \S+ \S+\)$`)
	universalRE    = awsproto.LazyRegexp(`^arn:aws(-[a-z]+)?:scheduler:::aws-sdk:([a-z0-9]+):([a-zA-Z0-9]+)$`)
)

// readOnlyPrefixes are the action prefixes EventBridge Scheduler refuses
// as universal targets (its guide: read-only API actions).
var readOnlyPrefixes = []string{"get", "describe", "list", "poll", "receive", "search", "scan", "query", "select",
	"read", "lookup", "discover", "validate", "batchGet", "batchDescribe", "batchRead", "transactGet",
	"adminGet", "adminList", "testMigration", "retrieve", "testConnection", "translateDocument", "isAuthorized", "invokeModel"}

func schedValidation(format string, args ...any) *awsproto.Error {
	return awsproto.Err(400, "ValidationException", format, args...)
}

func schedNotFound(format string, args ...any) *awsproto.Error {
	return awsproto.Err(404, "ResourceNotFoundException", format, args...)
}

func schedConflict(format string, args ...any) *awsproto.Error {
	return awsproto.Err(409, "ConflictException", format, args...)
}

// checkString validates a string member's length and pattern (nil: none).
func checkString(member, v string, lo, hi int, re func() *regexp.Regexp) error {
	n := len([]rune(v))
	if n < lo || (hi > 0 && n > hi) {
		if hi > 0 {
			return schedValidation("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must have length between %d and %d", v, member, lo, hi)
		}
		return schedValidation("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must have length greater than or equal to %d", v, member, lo)
	}
	if re != nil && !re().MatchString(v) {
		return schedValidation("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: %s", v, member, re().String())
	}
	return nil
}

func schedEnum(member, v string, allowed ...string) error {
	for _, a := range allowed {
		if v == a {
			return nil
		}
	}
	return schedValidation("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must satisfy enum value set: [%s]", v, member, strings.Join(allowed, ", "))
}

func checkRange(member string, v *int, lo, hi int) error {
	if v != nil && (*v < lo || *v > hi) {
		return schedValidation("1 validation error detected: Value '%d' at '%s' failed to satisfy constraint: Member must have value between %d and %d", *v, member, lo, hi)
	}
	return nil
}

// scheduleName validates a name taken from the path.
func scheduleName(member, v string) error {
	return checkString(member, v, 1, 64, schedNameRE)
}

// scheduleInput is the body of CreateSchedule and UpdateSchedule.
type scheduleInput struct {
	ActionAfterCompletion      *string
	ClientToken                *string
	Description                *string
	EndDate                    *json.Number
	FlexibleTimeWindow         *FlexibleTimeWindow
	GroupName                  *string
	KmsKeyArn                  *string
	ScheduleExpression         *string
	ScheduleExpressionTimezone *string
	StartDate                  *json.Number
	State                      *string
	Target                     json.RawMessage
}

// epoch reads a rest-json timestamp (epoch seconds, fractions allowed).
func epoch(member string, n *json.Number) (*time.Time, error) {
	if n == nil {
		return nil, nil
	}
	f, err := strconv.ParseFloat(n.String(), 64)
	if err != nil {
		return nil, schedValidation("%s: %q is not a timestamp (epoch seconds)", member, n.String())
	}
	t := time.UnixMilli(int64(f * 1000)).UTC()
	return &t, nil
}

// schedule validates a CreateSchedule or UpdateSchedule request and
// returns the schedule it describes (without its times).
func (s *Server) parseSchedule(in *scheduleInput, name string) (*Schedule, error) {
	if err := scheduleName("name", name); err != nil {
		return nil, err
	}
	for _, req := range []struct {
		member string
		set    bool
	}{{"flexibleTimeWindow", in.FlexibleTimeWindow != nil}, {"scheduleExpression", in.ScheduleExpression != nil}, {"target", len(in.Target) > 0 && string(in.Target) != "null"}} {
		if !req.set {
			return nil, schedValidation("1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", req.member)
		}
	}
	sc := &Schedule{Name: name, GroupName: defaultScheduleGroup, State: "ENABLED", ActionAfterCompletion: "NONE"}
	if in.ClientToken != nil {
		if err := checkString("clientToken", *in.ClientToken, 1, 64, clientTokenRE); err != nil {
			return nil, err
		}
	}
	if in.GroupName != nil {
		if err := checkString("groupName", *in.GroupName, 1, 64, schedNameRE); err != nil {
			return nil, err
		}
		sc.GroupName = *in.GroupName
	}
	if in.Description != nil {
		if err := checkString("description", *in.Description, 0, 512, nil); err != nil {
			return nil, err
		}
		sc.Description = *in.Description
	}
	if in.KmsKeyArn != nil {
		if err := checkString("kmsKeyArn", *in.KmsKeyArn, 1, 2048, kmsKeyArnRE); err != nil {
			return nil, err
		}
		sc.KmsKeyArn = *in.KmsKeyArn
	}
	if in.State != nil {
		if err := schedEnum("state", *in.State, "ENABLED", "DISABLED"); err != nil {
			return nil, err
		}
		sc.State = *in.State
	}
	if in.ActionAfterCompletion != nil {
		if err := schedEnum("actionAfterCompletion", *in.ActionAfterCompletion, "NONE", "DELETE"); err != nil {
			return nil, err
		}
		sc.ActionAfterCompletion = *in.ActionAfterCompletion
	}
	ftw := *in.FlexibleTimeWindow
	if err := schedEnum("flexibleTimeWindow.mode", ftw.Mode, "OFF", "FLEXIBLE"); err != nil {
		return nil, err
	}
	if err := checkRange("flexibleTimeWindow.maximumWindowInMinutes", ftw.MaximumWindowInMinutes, 1, 1440); err != nil {
		return nil, err
	}
	switch {
	case ftw.Mode == "FLEXIBLE" && ftw.MaximumWindowInMinutes == nil:
		return nil, schedValidation("MaximumWindowInMinutes is required when the FlexibleTimeWindow mode is FLEXIBLE.")
	case ftw.Mode == "OFF" && ftw.MaximumWindowInMinutes != nil:
		return nil, schedValidation("MaximumWindowInMinutes must not be set when the FlexibleTimeWindow mode is OFF.")
	}
	sc.FlexibleTimeWindow = ftw
	var err error
	if sc.StartDate, err = epoch("startDate", in.StartDate); err != nil {
		return nil, err
	}
	if sc.EndDate, err = epoch("endDate", in.EndDate); err != nil {
		return nil, err
	}
	if sc.StartDate != nil && sc.EndDate != nil && !sc.EndDate.After(*sc.StartDate) {
		return nil, schedValidation("The EndDate must be after the StartDate.")
	}
	if in.ScheduleExpressionTimezone != nil {
		tz := *in.ScheduleExpressionTimezone
		if err := checkString("scheduleExpressionTimezone", tz, 1, 50, nil); err != nil {
			return nil, err
		}
		if _, err := time.LoadLocation(tz); err != nil {
			return nil, schedValidation("Invalid time zone: %s.", tz)
		}
		sc.ScheduleExpressionTimezone = tz
	}
	expr := *in.ScheduleExpression
	if err := checkString("scheduleExpression", expr, 1, 256, nil); err != nil {
		return nil, err
	}
	if _, err := atTime(expr, sc.ScheduleExpressionTimezone); err != nil {
		return nil, err
	}
	sc.ScheduleExpression = expr
	target, err := parseTarget(in.Target)
	if err != nil {
		return nil, err
	}
	sc.Target = target
	return sc, nil
}

// atTime is when an at() expression falls due (zero for rate() and
// cron(), which the sandbox does not fire); an expression of none of the
// three forms is a ValidationException.
func atTime(expr, tz string) (time.Time, error) {
	invalid := schedValidation("Invalid Schedule Expression %s.", expr)
	if m := atExprRE().FindStringSubmatch(expr); m != nil {
		loc := time.UTC
		if tz != "" {
			var err error
			if loc, err = time.LoadLocation(tz); err != nil {
				return time.Time{}, schedValidation("Invalid time zone: %s.", tz)
			}
		}
		t, err := time.ParseInLocation("2006-01-02T15:04:05", m[1], loc)
		if err != nil {
			return time.Time{}, invalid
		}
		return t.UTC(), nil
	}
	if m := rateExprRE().FindStringSubmatch(expr); m != nil {
		if n, _ := strconv.Atoi(m[1]); n < 1 || (n == 1) != !strings.HasSuffix(m[2], "s") {
			return time.Time{}, invalid
		}
		return time.Time{}, nil
	}
	if cronExprRE().MatchString(expr) {
		return time.Time{}, nil
	}
	return time.Time{}, invalid
}

// parseTarget validates a Target and returns it as the API answers it:
// the members of the model, with AWS's default RetryPolicy when none is
// given.
func parseTarget(raw json.RawMessage) (json.RawMessage, error) {
	var t scheduleTarget
	if err := json.Unmarshal(raw, &t); err != nil {
		return nil, schedValidation("target: %v", err)
	}
	if t.Arn == "" {
		return nil, schedValidation("1 validation error detected: Value null at 'target.arn' failed to satisfy constraint: Member must not be null")
	}
	if t.RoleArn == "" {
		return nil, schedValidation("1 validation error detected: Value null at 'target.roleArn' failed to satisfy constraint: Member must not be null")
	}
	if err := checkString("target.arn", t.Arn, 1, 1600, nil); err != nil {
		return nil, err
	}
	if err := checkString("target.roleArn", t.RoleArn, 1, 1600, schedRoleArnRE); err != nil {
		return nil, err
	}
	if t.Input != nil {
		if err := checkString("target.input", *t.Input, 1, 0, nil); err != nil {
			return nil, err
		}
	}
	if t.DeadLetterConfig != nil && t.DeadLetterConfig.Arn != "" {
		if err := checkString("target.deadLetterConfig.arn", t.DeadLetterConfig.Arn, 1, 1600, dlqArnRE); err != nil {
			return nil, err
		}
	}
	if rp := t.RetryPolicy; rp != nil {
		if err := checkRange("target.retryPolicy.maximumEventAgeInSeconds", rp.MaximumEventAgeInSeconds, 60, 86400); err != nil {
			return nil, err
		}
		if err := checkRange("target.retryPolicy.maximumRetryAttempts", rp.MaximumRetryAttempts, 0, 185); err != nil {
			return nil, err
		}
	}
	if strings.Contains(t.Arn, ":aws-sdk:") {
		m := universalRE().FindStringSubmatch(t.Arn)
		if m == nil {
			return nil, schedValidation("Invalid universal target ARN %s: want arn:aws:scheduler:::aws-sdk:<service>:<apiAction>.", t.Arn)
		}
		for _, p := range readOnlyPrefixes {
			if strings.HasPrefix(m[3], p) {
				return nil, schedValidation("The universal target action %s is read-only; EventBridge Scheduler does not support read-only API actions.", m[3])
			}
		}
		if t.Input != nil && !json.Valid([]byte(*t.Input)) {
			return nil, schedValidation("The Input of a universal target must be a JSON object of the request parameters of %s.", m[3])
		}
	}
	// Keep the model's members only, as the API does.
	var members map[string]json.RawMessage
	if err := json.Unmarshal(raw, &members); err != nil {
		return nil, schedValidation("target: %v", err)
	}
	out := map[string]json.RawMessage{}
	for _, k := range []string{"Arn", "DeadLetterConfig", "EcsParameters", "EventBridgeParameters", "Input", "KinesisParameters",
		"RetryPolicy", "RoleArn", "SageMakerPipelineParameters", "SqsParameters"} {
		if v, ok := members[k]; ok && string(v) != "null" {
			out[k] = v
		}
	}
	if _, ok := out["RetryPolicy"]; !ok {
		out["RetryPolicy"] = json.RawMessage(`{"MaximumEventAgeInSeconds":86400,"MaximumRetryAttempts":185}`)
	}
	b, err := json.Marshal(out)
	if err != nil {
		return nil, err
	}
	return b, nil
}

// ---- handlers ----

// schedulerReq is what every scheduler handler starts from: the caller's
// account and the request's Region, and the name in the path.
func (s *Server) schedulerReq(r *http.Request, prefix string) (account, region, name string) {
	return s.caller(r).Account, s.requestRegion(r), strings.TrimPrefix(r.URL.Path, prefix)
}

func decodeSchedulerBody(r *http.Request, v any) error {
	b, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return schedValidation("read the request body: %v", err)
	}
	if len(b) == 0 {
		b = []byte("{}")
	}
	if err := json.Unmarshal(b, v); err != nil {
		return schedValidation("cannot decode the request body: %v", err)
	}
	return nil
}

// CreateSchedule: POST /schedules/{Name}.
func (s *Server) createSchedule(w http.ResponseWriter, r *http.Request, reqID string) error {
	account, region, name := s.schedulerReq(r, "/schedules/")
	var in scheduleInput
	if err := decodeSchedulerBody(r, &in); err != nil {
		return err
	}
	sc, err := s.parseSchedule(&in, name)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.scheduleGroup(account, region, sc.GroupName); !ok {
		return schedNotFound("Schedule group %s does not exist.", sc.GroupName)
	}
	if old, ok := s.st.sched.schedule(account, region, sc.GroupName, name); ok {
		// A retry of the same request (the SDKs send one ClientToken
		// for all the attempts of a call) gets the first one's answer.
		if in.ClientToken != nil && *in.ClientToken == old.token {
			awsproto.WriteJSON(w, reqID, "application/json", map[string]string{"ScheduleArn": old.arn()})
			return nil
		}
		return schedConflict("Schedule %s already exists.", name)
	}
	sc.AccountId, sc.Region = account, region
	if in.ClientToken != nil {
		sc.token = *in.ClientToken
	}
	sc.Created = s.now()
	sc.Modified = sc.Created
	arm(sc)
	s.st.sched.put(sc)
	awsproto.WriteJSON(w, reqID, "application/json", map[string]string{"ScheduleArn": sc.arn()})
	return nil
}

// UpdateSchedule: PUT /schedules/{Name} replaces every attribute.
func (s *Server) updateSchedule(w http.ResponseWriter, r *http.Request, reqID string) error {
	account, region, name := s.schedulerReq(r, "/schedules/")
	var in scheduleInput
	if err := decodeSchedulerBody(r, &in); err != nil {
		return err
	}
	sc, err := s.parseSchedule(&in, name)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old, ok := s.st.sched.schedule(account, region, sc.GroupName, name)
	if !ok {
		return schedNotFound("Schedule %s does not exist.", name)
	}
	sc.AccountId, sc.Region = account, region
	sc.Created, sc.Modified = old.Created, s.now()
	sc.Invocations = old.Invocations
	arm(sc)
	s.st.sched.put(sc)
	awsproto.WriteJSON(w, reqID, "application/json", map[string]string{"ScheduleArn": sc.arn()})
	return nil
}

// arm sets when a schedule fires: an enabled one-time schedule at its
// time (within its flexible window, at the window's start); others never.
func arm(sc *Schedule) {
	sc.due, sc.left = time.Time{}, time.Time{}
	if sc.State != "ENABLED" || sc.Done {
		return
	}
	t, _ := atTime(sc.ScheduleExpression, sc.ScheduleExpressionTimezone)
	sc.due = t
}

// GetSchedule: GET /schedules/{Name}?groupName=.
func (s *Server) getSchedule(w http.ResponseWriter, r *http.Request, reqID string) error {
	account, region, name := s.schedulerReq(r, "/schedules/")
	if err := scheduleName("name", name); err != nil {
		return err
	}
	group, err := groupParam(r, "groupName")
	if err != nil {
		return err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	sc, ok := s.st.sched.schedule(account, region, group, name)
	if !ok {
		return schedNotFound("Schedule %s does not exist.", name)
	}
	out := map[string]any{
		"Arn": sc.arn(), "Name": sc.Name, "GroupName": sc.GroupName, "State": sc.State,
		"ScheduleExpression": sc.ScheduleExpression, "FlexibleTimeWindow": sc.FlexibleTimeWindow,
		"Target": sc.Target, "ActionAfterCompletion": sc.ActionAfterCompletion,
		"CreationDate": awsproto.Epoch(sc.Created), "LastModificationDate": awsproto.Epoch(sc.Modified),
		"ScheduleExpressionTimezone": cmp.Or(sc.ScheduleExpressionTimezone, "UTC"),
	}
	if sc.Description != "" {
		out["Description"] = sc.Description
	}
	if sc.KmsKeyArn != "" {
		out["KmsKeyArn"] = sc.KmsKeyArn
	}
	if sc.StartDate != nil {
		out["StartDate"] = awsproto.Epoch(*sc.StartDate)
	}
	if sc.EndDate != nil {
		out["EndDate"] = awsproto.Epoch(*sc.EndDate)
	}
	awsproto.WriteJSON(w, reqID, "application/json", out)
	return nil
}

// groupParam reads an optional group name from the query (default: the
// default group).
func groupParam(r *http.Request, param string) (string, error) {
	q := r.URL.Query()
	if !q.Has(param) {
		return defaultScheduleGroup, nil
	}
	g := q.Get(param)
	return g, checkString(param, g, 1, 64, schedNameRE)
}

// DeleteSchedule: DELETE /schedules/{Name}?groupName=.
func (s *Server) deleteSchedule(w http.ResponseWriter, r *http.Request, reqID string) error {
	account, region, name := s.schedulerReq(r, "/schedules/")
	if err := scheduleName("name", name); err != nil {
		return err
	}
	group, err := groupParam(r, "groupName")
	if err != nil {
		return err
	}
	if tok := r.URL.Query(); tok.Has("clientToken") {
		if err := checkString("clientToken", tok.Get("clientToken"), 1, 64, clientTokenRE); err != nil {
			return err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sc, ok := s.st.sched.schedule(account, region, group, name)
	if !ok {
		return schedNotFound("Schedule %s does not exist.", name)
	}
	s.st.sched.remove(sc)
	awsproto.WriteJSON(w, reqID, "application/json", struct{}{})
	return nil
}

// maxResultsParam reads MaxResults (1–100) from the query.
func maxResultsParam(r *http.Request) (int, error) {
	v := r.URL.Query().Get("MaxResults")
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > schedulerPageMax {
		return 0, schedValidation("1 validation error detected: Value '%s' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and %d", v, schedulerPageMax)
	}
	return n, nil
}

// ListSchedules: GET /schedules?ScheduleGroup=&NamePrefix=&State=.
func (s *Server) listSchedules(w http.ResponseWriter, r *http.Request, reqID string) error {
	account, region, _ := s.schedulerReq(r, "")
	q := r.URL.Query()
	n, err := maxResultsParam(r)
	if err != nil {
		return err
	}
	group, prefix, state := q.Get("ScheduleGroup"), q.Get("NamePrefix"), q.Get("State")
	if q.Has("ScheduleGroup") {
		if err := checkString("groupName", group, 1, 64, schedNameRE); err != nil {
			return err
		}
	}
	if q.Has("NamePrefix") {
		if err := checkString("namePrefix", prefix, 1, 64, schedNameRE); err != nil {
			return err
		}
	}
	if q.Has("State") {
		if err := schedEnum("state", state, "ENABLED", "DISABLED"); err != nil {
			return err
		}
	}
	if tok := q.Get("NextToken"); q.Has("NextToken") && (tok == "" || len(tok) > 2048) {
		return schedValidation("1 validation error detected: Value at 'nextToken' failed to satisfy constraint: Member must have length between 1 and 2048")
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if group != "" {
		if _, ok := s.scheduleGroup(account, region, group); !ok {
			return schedNotFound("Schedule group %s does not exist.", group)
		}
	}
	x := awsproto.NewIndex[*Schedule]()
	all := empty(s.st.sched.schedules, key(account, region))
	for _, k := range all.Keys() {
		sc, _ := all.Get(k)
		if (group == "" || sc.GroupName == group) && strings.HasPrefix(sc.Name, prefix) && (state == "" || sc.State == state) {
			x.Put(k, sc)
		}
	}
	page, next, err := awsproto.Paginate(x, awsproto.ScopeHash("scheduler:ListSchedules", account, region, group, prefix, state), q.Get("NextToken"), n, schedulerPageMax, schedulerPageMax)
	if err != nil {
		return schedValidation("The NextToken is invalid or expired.")
	}
	list := make([]map[string]any, 0, len(page))
	for _, sc := range page {
		var t struct{ Arn string }
		_ = json.Unmarshal(sc.Target, &t)
		list = append(list, map[string]any{
			"Arn": sc.arn(), "Name": sc.Name, "GroupName": sc.GroupName, "State": sc.State,
			"CreationDate": awsproto.Epoch(sc.Created), "LastModificationDate": awsproto.Epoch(sc.Modified),
			"Target": map[string]string{"Arn": t.Arn},
		})
	}
	out := map[string]any{"Schedules": list}
	if next != "" {
		out["NextToken"] = next
	}
	awsproto.WriteJSON(w, reqID, "application/json", out)
	return nil
}

// CreateScheduleGroup: POST /schedule-groups/{Name}.
func (s *Server) createScheduleGroup(w http.ResponseWriter, r *http.Request, reqID string) error {
	account, region, name := s.schedulerReq(r, "/schedule-groups/")
	if err := scheduleName("name", name); err != nil {
		return err
	}
	var in struct {
		ClientToken *string
		Tags        []*Tag
	}
	if err := decodeSchedulerBody(r, &in); err != nil {
		return err
	}
	if in.ClientToken != nil {
		if err := checkString("clientToken", *in.ClientToken, 1, 64, clientTokenRE); err != nil {
			return err
		}
	}
	if len(in.Tags) > 200 {
		return schedValidation("1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 200")
	}
	var tags []Tag
	for i, t := range in.Tags {
		if t == nil {
			return schedValidation("tags.%d: a tag must not be null", i+1)
		}
		if err := checkString("tags."+strconv.Itoa(i+1)+".member.key", t.Key, 1, 128, nil); err != nil {
			return err
		}
		if err := checkString("tags."+strconv.Itoa(i+1)+".member.value", t.Value, 1, 256, nil); err != nil {
			return err
		}
		tags = append(tags, *t)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.scheduleGroup(account, region, name); ok {
		if in.ClientToken != nil && *in.ClientToken == old.token && name != defaultScheduleGroup {
			awsproto.WriteJSON(w, reqID, "application/json", map[string]string{"ScheduleGroupArn": old.arn()})
			return nil
		}
		return schedConflict("Schedule group %s already exists.", name)
	}
	groups := sub(s.st.sched.groups, key(account, region))
	if groups.Len()+1 >= maxScheduleGroups {
		return awsproto.Err(402, "ServiceQuotaExceededException", "The quota of %d schedule groups per account and Region is reached.", maxScheduleGroups)
	}
	t := s.now()
	g := &ScheduleGroup{AccountId: account, Region: region, Name: name, Created: t, Modified: t, Tags: tags}
	if in.ClientToken != nil {
		g.token = *in.ClientToken
	}
	groups.Put(name, g)
	awsproto.WriteJSON(w, reqID, "application/json", map[string]string{"ScheduleGroupArn": g.arn()})
	return nil
}

// GetScheduleGroup: GET /schedule-groups/{Name}.
func (s *Server) getScheduleGroup(w http.ResponseWriter, r *http.Request, reqID string) error {
	account, region, name := s.schedulerReq(r, "/schedule-groups/")
	if err := scheduleName("name", name); err != nil {
		return err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	g, ok := s.scheduleGroup(account, region, name)
	if !ok {
		return schedNotFound("Schedule group %s does not exist.", name)
	}
	awsproto.WriteJSON(w, reqID, "application/json", groupSummary(g))
	return nil
}

func groupSummary(g *ScheduleGroup) map[string]any {
	return map[string]any{"Arn": g.arn(), "Name": g.Name, "State": "ACTIVE",
		"CreationDate": awsproto.Epoch(g.Created), "LastModificationDate": awsproto.Epoch(g.Modified)}
}

// DeleteScheduleGroup: DELETE /schedule-groups/{Name} deletes the group
// and every schedule in it (AWS does it in the background; the sandbox at
// once). The default group cannot be deleted.
func (s *Server) deleteScheduleGroup(w http.ResponseWriter, r *http.Request, reqID string) error {
	account, region, name := s.schedulerReq(r, "/schedule-groups/")
	if err := scheduleName("name", name); err != nil {
		return err
	}
	if tok := r.URL.Query(); tok.Has("clientToken") {
		if err := checkString("clientToken", tok.Get("clientToken"), 1, 64, clientTokenRE); err != nil {
			return err
		}
	}
	if name == defaultScheduleGroup {
		return schedValidation("The default schedule group cannot be deleted.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	groups := empty(s.st.sched.groups, key(account, region))
	if !groups.Has(name) {
		return schedNotFound("Schedule group %s does not exist.", name)
	}
	for _, sc := range empty(s.st.sched.schedules, key(account, region)).Values() {
		if sc.GroupName == name {
			s.st.sched.remove(sc)
		}
	}
	groups.Del(name)
	awsproto.WriteJSON(w, reqID, "application/json", struct{}{})
	return nil
}

// ListScheduleGroups: GET /schedule-groups?NamePrefix=.
func (s *Server) listScheduleGroups(w http.ResponseWriter, r *http.Request, reqID string) error {
	account, region, _ := s.schedulerReq(r, "")
	q := r.URL.Query()
	n, err := maxResultsParam(r)
	if err != nil {
		return err
	}
	prefix := q.Get("NamePrefix")
	if q.Has("NamePrefix") {
		if err := checkString("namePrefix", prefix, 1, 64, schedNameRE); err != nil {
			return err
		}
	}
	if tok := q.Get("NextToken"); q.Has("NextToken") && (tok == "" || len(tok) > 2048) {
		return schedValidation("1 validation error detected: Value at 'nextToken' failed to satisfy constraint: Member must have length between 1 and 2048")
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	x := awsproto.NewIndex[*ScheduleGroup]()
	if strings.HasPrefix(defaultScheduleGroup, prefix) {
		x.Put(defaultScheduleGroup, s.defaultGroup(account, region))
	}
	for _, g := range empty(s.st.sched.groups, key(account, region)).Values() {
		if strings.HasPrefix(g.Name, prefix) {
			x.Put(g.Name, g)
		}
	}
	page, next, err := awsproto.Paginate(x, awsproto.ScopeHash("scheduler:ListScheduleGroups", account, region, prefix), q.Get("NextToken"), n, schedulerPageMax, schedulerPageMax)
	if err != nil {
		return schedValidation("The NextToken is invalid or expired.")
	}
	list := make([]map[string]any, 0, len(page))
	for _, g := range page {
		list = append(list, groupSummary(g))
	}
	out := map[string]any{"ScheduleGroups": list}
	if next != "" {
		out["NextToken"] = next
	}
	awsproto.WriteJSON(w, reqID, "application/json", out)
	return nil
}

// writeSchedulerError writes a Scheduler error: the header names the
// exception, the body carries Message, as the model's error shapes do.
func writeSchedulerError(w http.ResponseWriter, reqID string, e *awsproto.Error) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("x-amzn-ErrorType", e.Code)
	w.Header().Set("x-amzn-RequestId", reqID)
	w.WriteHeader(e.Status)
	_ = json.NewEncoder(w).Encode(map[string]string{"Message": e.Message})
}

// schedulerRoutes are the Scheduler's operations.
func (s *Server) schedulerRoutes() []restRouteEntry {
	const one = `^/schedules/[^/]+$`
	const group = `^/schedule-groups/[^/]+$`
	route := func(method, op, pattern string, h restHandler) restRouteEntry {
		return signed(scoped("scheduler", restPattern(method, "scheduler", op, pattern, h)))
	}
	return []restRouteEntry{
		route(http.MethodPost, "CreateSchedule", one, s.createSchedule),
		route(http.MethodGet, "GetSchedule", one, s.getSchedule),
		route(http.MethodPut, "UpdateSchedule", one, s.updateSchedule),
		route(http.MethodDelete, "DeleteSchedule", one, s.deleteSchedule),
		route(http.MethodGet, "ListSchedules", `^/schedules/?$`, s.listSchedules),
		route(http.MethodPost, "CreateScheduleGroup", group, s.createScheduleGroup),
		route(http.MethodGet, "GetScheduleGroup", group, s.getScheduleGroup),
		route(http.MethodDelete, "DeleteScheduleGroup", group, s.deleteScheduleGroup),
		route(http.MethodGet, "ListScheduleGroups", `^/schedule-groups/?$`, s.listScheduleGroups),
	}
}
