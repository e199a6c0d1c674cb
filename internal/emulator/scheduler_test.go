package emulator_test

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	schedtypes "github.com/aws/aws-sdk-go-v2/service/scheduler/types"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	ssoadmintypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"

	"github.com/ssoctl/ssoctl/internal/emulator"
	"github.com/ssoctl/ssoctl/internal/emulatortest"
)

// universalDelete is the universal target that deletes an account
// assignment.
const universalDelete = "arn:aws:scheduler:::aws-sdk:ssoadmin:deleteAccountAssignment"

// directAssignment is a direct user assignment of the demo organization.
func directAssignment(t *testing.T, st *emulator.State) emulator.Assignment {
	t.Helper()
	for _, a := range st.Assignments {
		if a.PrincipalType == "USER" {
			return a
		}
	}
	t.Fatal("the demo organization has no direct user assignment")
	return emulator.Assignment{}
}

// deleteInput is the universal target's Input that deletes a.
func deleteInput(a emulator.Assignment, inst string) string {
	b, _ := json.Marshal(map[string]string{
		"InstanceArn": inst, "TargetId": a.AccountId, "TargetType": "AWS_ACCOUNT",
		"PermissionSetArn": a.PermissionSetArn, "PrincipalType": a.PrincipalType, "PrincipalId": a.PrincipalId,
	})
	return string(b)
}

// hasAssignment says whether a is live.
func hasAssignment(t *testing.T, c *ssoadmin.Client, inst string, a emulator.Assignment) bool {
	t.Helper()
	p := ssoadmin.NewListAccountAssignmentsPaginator(c, &ssoadmin.ListAccountAssignmentsInput{
		InstanceArn: aws.String(inst), AccountId: aws.String(a.AccountId), PermissionSetArn: aws.String(a.PermissionSetArn)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatalf("ListAccountAssignments: %v", err)
		}
		for _, x := range page.AccountAssignments {
			if aws.ToString(x.PrincipalId) == a.PrincipalId && string(x.PrincipalType) == a.PrincipalType {
				return true
			}
		}
	}
	return false
}

func schedulerRoleArn(st *emulator.State) string {
	return "arn:aws:iam::" + st.Organization.MasterAccountId + ":role/" + emulator.SchedulerRole
}

// atExpr is a one-time schedule expression for t (UTC).
func atExpr(t time.Time) string { return "at(" + t.UTC().Format("2006-01-02T15:04:05") + ")" }

// TestSchedulerGroups: the default group exists and cannot be deleted;
// groups are created, found, listed by prefix a page at a time, and
// deleted with their schedules; AWS's errors for the rest.
func TestSchedulerGroups(t *testing.T) {
	t.Parallel()
	st := emulator.Generate("small", 0)
	sb := emulatortest.Start(t, emulator.Options{State: st})
	c := scheduler.NewFromConfig(sb.Config())
	mgmt := st.Organization.MasterAccountId

	def, err := c.GetScheduleGroup(ctx, &scheduler.GetScheduleGroupInput{Name: aws.String("default")})
	if err != nil {
		t.Fatalf("GetScheduleGroup default: %v", err)
	}
	if want := "arn:aws:scheduler:us-east-1:" + mgmt + ":schedule-group/default"; aws.ToString(def.Arn) != want || def.State != schedtypes.ScheduleGroupStateActive {
		t.Errorf("default group: got %s %s; want %s ACTIVE", aws.ToString(def.Arn), def.State, want)
	}
	out, err := c.CreateScheduleGroup(ctx, &scheduler.CreateScheduleGroupInput{Name: aws.String("ssoctl-grants"),
		Tags: []schedtypes.Tag{{Key: aws.String("team"), Value: aws.String("platform")}}})
	if err != nil {
		t.Fatalf("CreateScheduleGroup: %v", err)
	}
	if want := "arn:aws:scheduler:us-east-1:" + mgmt + ":schedule-group/ssoctl-grants"; aws.ToString(out.ScheduleGroupArn) != want {
		t.Errorf("group ARN: got %s; want %s", aws.ToString(out.ScheduleGroupArn), want)
	}
	_, err = c.CreateScheduleGroup(ctx, &scheduler.CreateScheduleGroupInput{Name: aws.String("ssoctl-grants")})
	wantAPIError(t, err, "ConflictException")
	wantStatus(t, err, 409)
	for _, name := range []string{"ssoctl-other", "team-a"} {
		if _, err := c.CreateScheduleGroup(ctx, &scheduler.CreateScheduleGroupInput{Name: aws.String(name)}); err != nil {
			t.Fatalf("CreateScheduleGroup %s: %v", name, err)
		}
	}
	var names []string
	p := scheduler.NewListScheduleGroupsPaginator(c, &scheduler.ListScheduleGroupsInput{MaxResults: aws.Int32(1)})
	pages := 0
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatalf("ListScheduleGroups: %v", err)
		}
		pages++
		for _, g := range page.ScheduleGroups {
			names = append(names, aws.ToString(g.Name))
		}
	}
	if got := strings.Join(names, ","); got != "default,ssoctl-grants,ssoctl-other,team-a" || pages != 4 {
		t.Errorf("groups: got %s in %d pages; want default,ssoctl-grants,ssoctl-other,team-a one a page", got, pages)
	}
	prefixed, err := c.ListScheduleGroups(ctx, &scheduler.ListScheduleGroupsInput{NamePrefix: aws.String("ssoctl-")})
	if err != nil || len(prefixed.ScheduleGroups) != 2 {
		t.Errorf("ListScheduleGroups ssoctl-: got %v, %v; want two groups", prefixed, err)
	}

	_, err = c.GetScheduleGroup(ctx, &scheduler.GetScheduleGroupInput{Name: aws.String("nope")})
	wantAPIError(t, err, "ResourceNotFoundException")
	wantStatus(t, err, 404)
	_, err = c.DeleteScheduleGroup(ctx, &scheduler.DeleteScheduleGroupInput{Name: aws.String("default")})
	wantAPIError(t, err, "ValidationException")
	_, err = c.CreateScheduleGroup(ctx, &scheduler.CreateScheduleGroupInput{Name: aws.String("not valid!")})
	wantAPIError(t, err, "ValidationException")

	// Deleting a group deletes its schedules.
	_, err = c.CreateSchedule(ctx, &scheduler.CreateScheduleInput{Name: aws.String("in-group"), GroupName: aws.String("team-a"),
		ScheduleExpression: aws.String(atExpr(time.Now().Add(time.Hour))), FlexibleTimeWindow: &schedtypes.FlexibleTimeWindow{Mode: schedtypes.FlexibleTimeWindowModeOff},
		Target: &schedtypes.Target{Arn: aws.String(universalDelete), RoleArn: aws.String(schedulerRoleArn(st)), Input: aws.String("{}")}})
	if err != nil {
		t.Fatalf("CreateSchedule in team-a: %v", err)
	}
	if _, err := c.DeleteScheduleGroup(ctx, &scheduler.DeleteScheduleGroupInput{Name: aws.String("team-a")}); err != nil {
		t.Fatalf("DeleteScheduleGroup: %v", err)
	}
	_, err = c.GetSchedule(ctx, &scheduler.GetScheduleInput{Name: aws.String("in-group"), GroupName: aws.String("team-a")})
	wantAPIError(t, err, "ResourceNotFoundException")
	_, err = c.DeleteScheduleGroup(ctx, &scheduler.DeleteScheduleGroupInput{Name: aws.String("team-a")})
	wantAPIError(t, err, "ResourceNotFoundException")
}

// TestSchedulerSchedules: a schedule is created, read back as AWS answers
// it (the default RetryPolicy, UTC), listed by group, name prefix and
// state a page at a time, updated, and deleted; invalid requests get
// AWS's errors.
func TestSchedulerSchedules(t *testing.T) {
	t.Parallel()
	st := emulator.Generate("small", 0)
	sb := emulatortest.Start(t, emulator.Options{State: st})
	c := scheduler.NewFromConfig(sb.Config())
	mgmt := st.Organization.MasterAccountId
	role := schedulerRoleArn(st)
	if _, err := c.CreateScheduleGroup(ctx, &scheduler.CreateScheduleGroupInput{Name: aws.String("ssoctl-grants")}); err != nil {
		t.Fatal(err)
	}
	at := time.Now().Add(2 * time.Hour).UTC().Truncate(time.Second)
	input := func(name, group, expr string, state schedtypes.ScheduleState) *scheduler.CreateScheduleInput {
		in := &scheduler.CreateScheduleInput{Name: aws.String(name), ScheduleExpression: aws.String(expr), State: state,
			FlexibleTimeWindow:    &schedtypes.FlexibleTimeWindow{Mode: schedtypes.FlexibleTimeWindowModeOff},
			ActionAfterCompletion: schedtypes.ActionAfterCompletionDelete, Description: aws.String("grant abc for alice"),
			Target: &schedtypes.Target{Arn: aws.String(universalDelete), RoleArn: aws.String(role), Input: aws.String(`{"InstanceArn":"x"}`)}}
		if group != "" {
			in.GroupName = aws.String(group)
		}
		return in
	}
	for _, in := range []*scheduler.CreateScheduleInput{
		input("ssoctl-grant-1", "ssoctl-grants", atExpr(at), ""),
		input("ssoctl-grant-2", "ssoctl-grants", atExpr(at), schedtypes.ScheduleStateDisabled),
		input("other-1", "ssoctl-grants", "rate(1 hour)", ""),
		input("ssoctl-grant-3", "", "cron(0 12 * * ? *)", ""),
	} {
		if _, err := c.CreateSchedule(ctx, in); err != nil {
			t.Fatalf("CreateSchedule %s: %v", aws.ToString(in.Name), err)
		}
	}
	got, err := c.GetSchedule(ctx, &scheduler.GetScheduleInput{Name: aws.String("ssoctl-grant-1"), GroupName: aws.String("ssoctl-grants")})
	if err != nil {
		t.Fatalf("GetSchedule: %v", err)
	}
	if want := "arn:aws:scheduler:us-east-1:" + mgmt + ":schedule/ssoctl-grants/ssoctl-grant-1"; aws.ToString(got.Arn) != want {
		t.Errorf("Arn: got %s; want %s", aws.ToString(got.Arn), want)
	}
	if aws.ToString(got.ScheduleExpression) != atExpr(at) || got.State != schedtypes.ScheduleStateEnabled || aws.ToString(got.ScheduleExpressionTimezone) != "UTC" ||
		got.ActionAfterCompletion != schedtypes.ActionAfterCompletionDelete || aws.ToString(got.Description) != "grant abc for alice" {
		t.Errorf("GetSchedule: got %s %s %s %s %q", aws.ToString(got.ScheduleExpression), got.State, aws.ToString(got.ScheduleExpressionTimezone), got.ActionAfterCompletion, aws.ToString(got.Description))
	}
	if tg := got.Target; aws.ToString(tg.Arn) != universalDelete || aws.ToString(tg.RoleArn) != role || aws.ToString(tg.Input) != `{"InstanceArn":"x"}` ||
		tg.RetryPolicy == nil || aws.ToInt32(tg.RetryPolicy.MaximumRetryAttempts) != 185 || aws.ToInt32(tg.RetryPolicy.MaximumEventAgeInSeconds) != 86400 {
		t.Errorf("Target: got %+v; want the one given with AWS's default RetryPolicy", tg)
	}
	if got.CreationDate == nil || !near(*got.CreationDate, time.Now()) {
		t.Errorf("CreationDate: got %v; want about now", got.CreationDate)
	}

	list := func(in *scheduler.ListSchedulesInput) []string {
		t.Helper()
		in.MaxResults = aws.Int32(1)
		var names []string
		p := scheduler.NewListSchedulesPaginator(c, in)
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				t.Fatalf("ListSchedules: %v", err)
			}
			if len(page.Schedules) > 1 {
				t.Errorf("ListSchedules page of %d; want at most 1", len(page.Schedules))
			}
			for _, s := range page.Schedules {
				if aws.ToString(s.Target.Arn) != universalDelete {
					t.Errorf("summary target %s; want %s", aws.ToString(s.Target.Arn), universalDelete)
				}
				names = append(names, aws.ToString(s.GroupName)+"/"+aws.ToString(s.Name))
			}
		}
		return names
	}
	for _, c := range []struct {
		name string
		in   *scheduler.ListSchedulesInput
		want string
	}{
		{"all", &scheduler.ListSchedulesInput{}, "default/ssoctl-grant-3,ssoctl-grants/other-1,ssoctl-grants/ssoctl-grant-1,ssoctl-grants/ssoctl-grant-2"},
		{"group", &scheduler.ListSchedulesInput{GroupName: aws.String("ssoctl-grants")}, "ssoctl-grants/other-1,ssoctl-grants/ssoctl-grant-1,ssoctl-grants/ssoctl-grant-2"},
		{"prefix", &scheduler.ListSchedulesInput{NamePrefix: aws.String("ssoctl-grant-")}, "default/ssoctl-grant-3,ssoctl-grants/ssoctl-grant-1,ssoctl-grants/ssoctl-grant-2"},
		{"state", &scheduler.ListSchedulesInput{State: schedtypes.ScheduleStateDisabled}, "ssoctl-grants/ssoctl-grant-2"},
		{"group, prefix, state", &scheduler.ListSchedulesInput{GroupName: aws.String("ssoctl-grants"), NamePrefix: aws.String("ssoctl"), State: schedtypes.ScheduleStateEnabled}, "ssoctl-grants/ssoctl-grant-1"},
	} {
		if got := strings.Join(list(c.in), ","); got != c.want {
			t.Errorf("ListSchedules %s: got %s; want %s", c.name, got, c.want)
		}
	}
	_, err = c.ListSchedules(ctx, &scheduler.ListSchedulesInput{GroupName: aws.String("nope")})
	wantAPIError(t, err, "ResourceNotFoundException")

	upd := input("ssoctl-grant-1", "ssoctl-grants", atExpr(at.Add(time.Hour)), schedtypes.ScheduleStateEnabled)
	if _, err := c.UpdateSchedule(ctx, &scheduler.UpdateScheduleInput{Name: upd.Name, GroupName: upd.GroupName, ScheduleExpression: upd.ScheduleExpression,
		FlexibleTimeWindow: &schedtypes.FlexibleTimeWindow{Mode: schedtypes.FlexibleTimeWindowModeFlexible, MaximumWindowInMinutes: aws.Int32(15)},
		Target:             upd.Target}); err != nil {
		t.Fatalf("UpdateSchedule: %v", err)
	}
	got, err = c.GetSchedule(ctx, &scheduler.GetScheduleInput{Name: aws.String("ssoctl-grant-1"), GroupName: aws.String("ssoctl-grants")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(got.ScheduleExpression) != atExpr(at.Add(time.Hour)) || got.ActionAfterCompletion != schedtypes.ActionAfterCompletionNone ||
		got.FlexibleTimeWindow.Mode != schedtypes.FlexibleTimeWindowModeFlexible || aws.ToString(got.Description) != "" {
		t.Errorf("after UpdateSchedule: got %s %s %s %q; want every attribute replaced", aws.ToString(got.ScheduleExpression), got.ActionAfterCompletion, got.FlexibleTimeWindow.Mode, aws.ToString(got.Description))
	}
	_, err = c.UpdateSchedule(ctx, &scheduler.UpdateScheduleInput{Name: aws.String("nope"), ScheduleExpression: upd.ScheduleExpression, FlexibleTimeWindow: upd.FlexibleTimeWindow, Target: upd.Target})
	wantAPIError(t, err, "ResourceNotFoundException")

	for _, c2 := range []struct {
		name string
		in   *scheduler.CreateScheduleInput
		code string
	}{
		{"a duplicate", input("ssoctl-grant-1", "ssoctl-grants", atExpr(at), ""), "ConflictException"},
		{"a missing group", input("x", "nope", atExpr(at), ""), "ResourceNotFoundException"},
		{"a bad expression", input("x", "", "at(2026-13-01T00:00:00)", ""), "ValidationException"},
		{"a bad at", input("x", "", "at(2026-12-01 10:00)", ""), "ValidationException"},
		{"a bad rate", input("x", "", "rate(1 hours)", ""), "ValidationException"},
		{"a bad name", input("no spaces", "", atExpr(at), ""), "ValidationException"},
	} {
		_, err := c.CreateSchedule(ctx, c2.in)
		wantAPIErrorIn(t, c2.name, err, c2.code)
	}
	// A retry of a create (the same ClientToken) gets the first answer.
	retried := input("retried", "", atExpr(at), "")
	retried.ClientToken = aws.String("token-1")
	first, err := c.CreateSchedule(ctx, retried)
	if err != nil {
		t.Fatal(err)
	}
	again, err := c.CreateSchedule(ctx, retried)
	if err != nil || aws.ToString(again.ScheduleArn) != aws.ToString(first.ScheduleArn) {
		t.Errorf("CreateSchedule retried with its ClientToken: got %v, %v; want %s", again, err, aws.ToString(first.ScheduleArn))
	}
	retried.ClientToken = aws.String("token-2")
	_, err = c.CreateSchedule(ctx, retried)
	wantAPIErrorIn(t, "another create of the same name", err, "ConflictException")
	flexible := input("x", "", atExpr(at), "")
	flexible.FlexibleTimeWindow = &schedtypes.FlexibleTimeWindow{Mode: schedtypes.FlexibleTimeWindowModeFlexible}
	_, err = c.CreateSchedule(ctx, flexible)
	wantAPIErrorIn(t, "FLEXIBLE without a window", err, "ValidationException")
	badRole := input("x", "", atExpr(at), "")
	badRole.Target.RoleArn = aws.String("not-a-role")
	_, err = c.CreateSchedule(ctx, badRole)
	wantAPIErrorIn(t, "a bad role ARN", err, "ValidationException")
	readOnly := input("x", "", atExpr(at), "")
	readOnly.Target.Arn = aws.String("arn:aws:scheduler:::aws-sdk:ssoadmin:listInstances")
	_, err = c.CreateSchedule(ctx, readOnly)
	wantAPIErrorIn(t, "a read-only universal target", err, "ValidationException")
	tz := input("in-paris", "", "at(2030-01-01T09:00:00)", "")
	tz.ScheduleExpressionTimezone = aws.String("Europe/Paris")
	if _, err := c.CreateSchedule(ctx, tz); err != nil {
		t.Errorf("CreateSchedule in Europe/Paris: %v", err)
	}

	if _, err := c.DeleteSchedule(ctx, &scheduler.DeleteScheduleInput{Name: aws.String("ssoctl-grant-1"), GroupName: aws.String("ssoctl-grants")}); err != nil {
		t.Fatalf("DeleteSchedule: %v", err)
	}
	_, err = c.DeleteSchedule(ctx, &scheduler.DeleteScheduleInput{Name: aws.String("ssoctl-grant-1"), GroupName: aws.String("ssoctl-grants")})
	wantAPIError(t, err, "ResourceNotFoundException")
	_, err = c.GetSchedule(ctx, &scheduler.GetScheduleInput{Name: aws.String("ssoctl-grant-3"), GroupName: aws.String("ssoctl-grants")})
	wantAPIErrorIn(t, "a schedule of another group", err, "ResourceNotFoundException")
	if _, err := c.GetSchedule(ctx, &scheduler.GetScheduleInput{Name: aws.String("ssoctl-grant-3")}); err != nil {
		t.Errorf("GetSchedule in the default group: %v", err)
	}
}

// TestSchedulerUniversalTargetDeletesAssignment: a one-time schedule with
// the universal target deleteAccountAssignment deletes the assignment
// when the sandbox clock passes its time, as its execution role, and with
// ActionAfterCompletion DELETE is deleted itself; with NONE it stays,
// done, and never fires again.
func TestSchedulerUniversalTargetDeletesAssignment(t *testing.T) {
	t.Parallel()
	st := emulator.Generate("small", 0)
	inst := st.Instances[0].InstanceArn
	a := directAssignment(t, st)
	var other emulator.Assignment
	for _, x := range st.Assignments {
		if x.PrincipalType == "USER" && x != a {
			other = x
			break
		}
	}
	sb := emulatortest.Start(t, emulator.Options{State: st})
	cfg := sb.ConfigAttempts(3)
	c := scheduler.NewFromConfig(cfg)
	admin := ssoadmin.NewFromConfig(cfg)
	expiry := time.Now().Add(time.Hour)
	create := func(name string, asg emulator.Assignment, after schedtypes.ActionAfterCompletion) {
		t.Helper()
		if _, err := c.CreateSchedule(ctx, &scheduler.CreateScheduleInput{Name: aws.String(name), ScheduleExpression: aws.String(atExpr(expiry)),
			FlexibleTimeWindow: &schedtypes.FlexibleTimeWindow{Mode: schedtypes.FlexibleTimeWindowModeOff}, ActionAfterCompletion: after,
			Target: &schedtypes.Target{Arn: aws.String(universalDelete), RoleArn: aws.String(schedulerRoleArn(st)), Input: aws.String(deleteInput(asg, inst))}}); err != nil {
			t.Fatalf("CreateSchedule %s: %v", name, err)
		}
	}
	create("expire-a", a, schedtypes.ActionAfterCompletionDelete)
	create("expire-other", other, schedtypes.ActionAfterCompletionNone)

	sb.Advance(t, 58*time.Minute)
	if !hasAssignment(t, admin, inst, a) || !hasAssignment(t, admin, inst, other) {
		t.Fatal("an assignment is gone before its schedule's time")
	}
	sb.Advance(t, 3*time.Minute)
	if hasAssignment(t, admin, inst, a) {
		t.Error("the assignment is still there after its schedule's time")
	}
	if hasAssignment(t, admin, inst, other) {
		t.Error("the other assignment is still there after its schedule's time")
	}
	_, err := c.GetSchedule(ctx, &scheduler.GetScheduleInput{Name: aws.String("expire-a")})
	wantAPIErrorIn(t, "the completed schedule with DELETE", err, "ResourceNotFoundException")
	kept, err := c.GetSchedule(ctx, &scheduler.GetScheduleInput{Name: aws.String("expire-other")})
	if err != nil {
		t.Fatalf("GetSchedule of the completed schedule with NONE: %v", err)
	}
	if kept.State != schedtypes.ScheduleStateEnabled {
		t.Errorf("completed schedule state %s", kept.State)
	}
	var invocations []emulator.ScheduleInvocation
	for _, sc := range sb.Snapshot().Schedules {
		if sc.Name == "expire-other" {
			invocations = sc.Invocations
			if !sc.Done {
				t.Error("the completed schedule is not done")
			}
		}
	}
	if len(invocations) != 1 || invocations[0].Error != "" {
		t.Errorf("invocations: got %+v; want one that succeeded", invocations)
	}
	// CloudTrail has the deletion, made by the execution role from
	// EventBridge Scheduler's address.
	events, err := cloudtrail.NewFromConfig(cfg).LookupEvents(ctx, &cloudtrail.LookupEventsInput{
		LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKeyEventName, AttributeValue: aws.String("DeleteAccountAssignment")}}})
	if err != nil {
		t.Fatalf("LookupEvents: %v", err)
	}
	byRole := 0
	for _, e := range events.Events {
		var rec struct {
			UserIdentity    struct{ Arn string } `json:"userIdentity"`
			SourceIPAddress string               `json:"sourceIPAddress"`
		}
		_ = json.Unmarshal([]byte(aws.ToString(e.CloudTrailEvent)), &rec)
		if strings.Contains(rec.UserIdentity.Arn, ":assumed-role/"+emulator.SchedulerRole+"/expire-") && rec.SourceIPAddress == "scheduler.amazonaws.com" {
			byRole++
		}
	}
	if byRole != 2 {
		t.Errorf("CloudTrail DeleteAccountAssignment events by %s from scheduler.amazonaws.com: got %d of %d; want 2", emulator.SchedulerRole, byRole, len(events.Events))
	}
	// It never fires again.
	sb.Advance(t, 48*time.Hour)
	for _, sc := range sb.Snapshot().Schedules {
		if sc.Name == "expire-other" && len(sc.Invocations) != 1 {
			t.Errorf("the completed schedule fired again: %+v", sc.Invocations)
		}
	}
}

// TestSchedulerInvocationFailures: a target is not run when EventBridge
// Scheduler could not run it either: an execution role that is missing or
// does not trust scheduler.amazonaws.com, an Input in the wrong casing, a
// disabled schedule; the failures are recorded and final.
func TestSchedulerInvocationFailures(t *testing.T) {
	t.Parallel()
	st := emulator.Generate("small", 0)
	mgmt := st.Organization.MasterAccountId
	inst := st.Instances[0].InstanceArn
	a := directAssignment(t, st)
	st.IAMRoles = append(emulator.DemoRoles(st), emulator.IAMRole{AccountId: mgmt, RoleName: "TrustsTheAccount", RoleId: "AROATRUSTSACCOUNT001", Path: "/", TrustPolicy: emulator.TrustAccount(mgmt)})
	sb := emulatortest.Start(t, emulator.Options{State: st})
	cfg := sb.ConfigAttempts(3)
	c := scheduler.NewFromConfig(cfg)
	admin := ssoadmin.NewFromConfig(cfg)
	at := atExpr(time.Now().Add(time.Hour))
	camel := strings.ReplaceAll(deleteInput(a, inst), `"InstanceArn"`, `"instanceArn"`)
	for _, c2 := range []struct {
		name, role, input string
		state             schedtypes.ScheduleState
		wantErr           string
	}{
		{"no-such-role", "arn:aws:iam::" + mgmt + ":role/Nobody", deleteInput(a, inst), "", "no such role"},
		{"untrusting-role", "arn:aws:iam::" + mgmt + ":role/TrustsTheAccount", deleteInput(a, inst), "", "does not let scheduler.amazonaws.com"},
		{"other-account-role", "arn:aws:iam::" + accountID(t, st, "payments-dev") + ":role/DeployRole", deleteInput(a, inst), "", "not in the schedule's account"},
		{"camel-case", schedulerRoleArn(st), camel, "", `unknown parameter "instanceArn"`},
		{"disabled", schedulerRoleArn(st), deleteInput(a, inst), schedtypes.ScheduleStateDisabled, ""},
	} {
		if _, err := c.CreateSchedule(ctx, &scheduler.CreateScheduleInput{Name: aws.String(c2.name), ScheduleExpression: aws.String(at), State: c2.state,
			FlexibleTimeWindow: &schedtypes.FlexibleTimeWindow{Mode: schedtypes.FlexibleTimeWindowModeOff},
			Target:             &schedtypes.Target{Arn: aws.String(universalDelete), RoleArn: aws.String(c2.role), Input: aws.String(c2.input)}}); err != nil {
			t.Fatalf("CreateSchedule %s: %v", c2.name, err)
		}
		defer func(name, wantErr string) {
			for _, sc := range sb.Snapshot().Schedules {
				if sc.Name != name {
					continue
				}
				switch {
				case wantErr == "" && len(sc.Invocations) != 0:
					t.Errorf("%s: invoked %+v; want never", name, sc.Invocations)
				case wantErr != "" && (len(sc.Invocations) != 1 || !strings.Contains(sc.Invocations[0].Error, wantErr) || !sc.Done):
					t.Errorf("%s: invocations %+v (done %v); want one failed with %q, and done", name, sc.Invocations, sc.Done, wantErr)
				}
			}
		}(c2.name, c2.wantErr)
	}
	sb.Advance(t, 2*time.Hour)
	if !hasAssignment(t, admin, inst, a) {
		t.Error("the assignment was deleted by a schedule that could not run")
	}
}

// TestGrantOnTheSandboxClock: a just-in-time grant's life on the sandbox,
// as ssoctl grant makes one: a permission set whose inline policy denies
// everything once aws:CurrentTime passes the expiry, assigned, and a
// one-time schedule a minute after the expiry that deletes the assignment
// and then itself. Credentials issued before the expiry work until it and
// are refused after it, with nothing changed in AWS; a minute later the
// schedule has removed the assignment.
func TestGrantOnTheSandboxClock(t *testing.T) {
	t.Parallel()
	st := emulator.Generate("small", 0)
	dev := accountID(t, st, "payments-dev")
	inst := st.Instances[0].InstanceArn
	var dave string
	for _, u := range st.Users {
		if u.UserName == "dave.miller" {
			dave = u.UserId
		}
	}
	sb := emulatortest.Start(t, emulator.Options{State: st, SignInAs: "dave.miller"})
	cfg := sb.ConfigAttempts(3)
	admin := ssoadmin.NewFromConfig(cfg)
	sched := scheduler.NewFromConfig(cfg)
	expiry := sb.Now().Add(2 * time.Hour).Truncate(time.Second)
	const name = "ssoctl-jit-abcdefghijkl"
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},` +
		`{"Sid":"SsoctlGrantExpiry","Effect":"Deny","Action":"*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"` + expiry.Format(time.RFC3339) + `"}}}]}`
	ps, err := admin.CreatePermissionSet(ctx, &ssoadmin.CreatePermissionSetInput{InstanceArn: aws.String(inst), Name: aws.String(name), SessionDuration: aws.String("PT2H")})
	if err != nil {
		t.Fatal(err)
	}
	psArn := aws.ToString(ps.PermissionSet.PermissionSetArn)
	if _, err := admin.PutInlinePolicyToPermissionSet(ctx, &ssoadmin.PutInlinePolicyToPermissionSetInput{InstanceArn: aws.String(inst), PermissionSetArn: aws.String(psArn), InlinePolicy: aws.String(policy)}); err != nil {
		t.Fatal(err)
	}
	asg := emulator.Assignment{AccountId: dev, PermissionSetArn: psArn, PrincipalType: "USER", PrincipalId: dave}
	if _, err := admin.CreateAccountAssignment(ctx, &ssoadmin.CreateAccountAssignmentInput{InstanceArn: aws.String(inst), PermissionSetArn: aws.String(psArn),
		TargetId: aws.String(dev), TargetType: ssoadmintypes.TargetTypeAwsAccount, PrincipalType: ssoadmintypes.PrincipalTypeUser, PrincipalId: aws.String(dave)}); err != nil {
		t.Fatal(err)
	}
	if _, err := sched.CreateScheduleGroup(ctx, &scheduler.CreateScheduleGroupInput{Name: aws.String("ssoctl-grants")}); err != nil {
		t.Fatal(err)
	}
	if _, err := sched.CreateSchedule(ctx, &scheduler.CreateScheduleInput{Name: aws.String(name), GroupName: aws.String("ssoctl-grants"),
		ScheduleExpression: aws.String(atExpr(expiry.Add(time.Minute))), FlexibleTimeWindow: &schedtypes.FlexibleTimeWindow{Mode: schedtypes.FlexibleTimeWindowModeOff},
		ActionAfterCompletion: schedtypes.ActionAfterCompletionDelete,
		Target:                &schedtypes.Target{Arn: aws.String(universalDelete), RoleArn: aws.String(schedulerRoleArn(st)), Input: aws.String(deleteInput(asg, inst))}}); err != nil {
		t.Fatal(err)
	}

	// Credentials fetched half an hour before the expiry (valid an hour).
	sb.Advance(t, 90*time.Minute)
	role := roleConfig(t, cfg, dev, name)
	role.RetryMaxAttempts = 3
	if _, err := s3Client(role).ListBuckets(ctx, &s3.ListBucketsInput{}); err != nil {
		t.Fatalf("ListBuckets before the expiry: %v", err)
	}
	sb.Advance(t, 30*time.Minute+30*time.Second)
	_, err = s3Client(role).ListBuckets(ctx, &s3.ListBucketsInput{})
	wantAPIErrorIn(t, "ListBuckets just after the expiry", err, "AccessDenied")
	if !hasAssignment(t, admin, inst, asg) {
		t.Fatal("the assignment is gone before the schedule's time")
	}
	sb.Advance(t, time.Minute)
	if hasAssignment(t, admin, inst, asg) {
		t.Error("the assignment is still there after the schedule's time")
	}
	_, err = sched.GetSchedule(ctx, &scheduler.GetScheduleInput{Name: aws.String(name), GroupName: aws.String("ssoctl-grants")})
	wantAPIErrorIn(t, "the grant's schedule after it ran", err, "ResourceNotFoundException")
	_, err = s3Client(role).ListBuckets(ctx, &s3.ListBucketsInput{})
	wantAPIErrorIn(t, "ListBuckets after the schedule ran", err, "AccessDenied")
}

// TestSchedulerQuotas: with AWS's quotas, CreateScheduleGroup is held to
// its 10 a second, with the model's ThrottlingException (429).
func TestSchedulerQuotas(t *testing.T) {
	t.Parallel()
	sb := emulatortest.Start(t, emulator.Options{Quotas: "aws"})
	c := scheduler.NewFromConfig(sb.Config())
	throttled := 0
	for i := range 15 {
		_, err := c.CreateScheduleGroup(ctx, &scheduler.CreateScheduleGroupInput{Name: aws.String("group-" + strconv.Itoa(i))})
		if err != nil {
			wantAPIError(t, err, "ThrottlingException")
			wantStatus(t, err, 429)
			throttled++
		}
	}
	if throttled == 0 || throttled > 5 {
		t.Errorf("throttled %d of 15 CreateScheduleGroup calls made at once; want those past the burst of 10", throttled)
	}
	if got := sb.Stats(t).Throttled["scheduler:CreateScheduleGroup"]; got != throttled {
		t.Errorf("stats throttled scheduler:CreateScheduleGroup %d; want %d", got, throttled)
	}
}

// TestSchedulerState: schedules and groups are in the state the sandbox
// dumps, and a sandbox started from it serves and fires them; a schedule
// of a group the state lacks is refused.
func TestSchedulerState(t *testing.T) {
	t.Parallel()
	st := emulator.Generate("small", 0)
	inst := st.Instances[0].InstanceArn
	a := directAssignment(t, st)
	first := emulatortest.Start(t, emulator.Options{State: st})
	c := scheduler.NewFromConfig(first.Config())
	if _, err := c.CreateScheduleGroup(ctx, &scheduler.CreateScheduleGroupInput{Name: aws.String("ssoctl-grants")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateSchedule(ctx, &scheduler.CreateScheduleInput{Name: aws.String("expire"), GroupName: aws.String("ssoctl-grants"),
		ScheduleExpression: aws.String(atExpr(time.Now().Add(time.Hour))), FlexibleTimeWindow: &schedtypes.FlexibleTimeWindow{Mode: schedtypes.FlexibleTimeWindowModeOff},
		ActionAfterCompletion: schedtypes.ActionAfterCompletionDelete,
		Target:                &schedtypes.Target{Arn: aws.String(universalDelete), RoleArn: aws.String(schedulerRoleArn(st)), Input: aws.String(deleteInput(a, inst))}}); err != nil {
		t.Fatal(err)
	}
	dump := first.Snapshot()
	if len(dump.ScheduleGroups) != 1 || len(dump.Schedules) != 1 {
		t.Fatalf("state: %d groups, %d schedules; want 1 and 1", len(dump.ScheduleGroups), len(dump.Schedules))
	}
	second := emulatortest.Start(t, emulator.Options{State: dump})
	cfg := second.ConfigAttempts(3)
	if _, err := scheduler.NewFromConfig(cfg).GetSchedule(ctx, &scheduler.GetScheduleInput{Name: aws.String("expire"), GroupName: aws.String("ssoctl-grants")}); err != nil {
		t.Fatalf("GetSchedule from the loaded state: %v", err)
	}
	second.Advance(t, 2*time.Hour)
	if hasAssignment(t, ssoadmin.NewFromConfig(cfg), inst, a) {
		t.Error("the loaded schedule did not fire")
	}

	bad := first.Snapshot()
	bad.ScheduleGroups = nil
	if _, err := emulator.New(emulator.Options{State: bad}); err == nil || !strings.Contains(err.Error(), "schedules[0]") {
		t.Errorf("a schedule of a missing group: got %v; want an error naming schedules[0]", err)
	}
}
