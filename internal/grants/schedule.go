package grants

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	schedtypes "github.com/aws/aws-sdk-go-v2/service/scheduler/types"
	"github.com/aws/smithy-go"
)

// ScheduleGroup holds every grant's schedules.
const ScheduleGroup = "ssoctl-grants"

// DeleteTarget is EventBridge Scheduler's universal target that deletes an
// account assignment.
const DeleteTarget = "arn:aws:scheduler:::aws-sdk:ssoadmin:deleteAccountAssignment"

// Scheduler is what a grant's schedules call, with the SDK's signatures.
type Scheduler interface {
	GetScheduleGroup(context.Context, *scheduler.GetScheduleGroupInput, ...func(*scheduler.Options)) (*scheduler.GetScheduleGroupOutput, error)
	CreateScheduleGroup(context.Context, *scheduler.CreateScheduleGroupInput, ...func(*scheduler.Options)) (*scheduler.CreateScheduleGroupOutput, error)
	CreateSchedule(context.Context, *scheduler.CreateScheduleInput, ...func(*scheduler.Options)) (*scheduler.CreateScheduleOutput, error)
	DeleteSchedule(context.Context, *scheduler.DeleteScheduleInput, ...func(*scheduler.Options)) (*scheduler.DeleteScheduleOutput, error)
	ListSchedules(context.Context, *scheduler.ListSchedulesInput, ...func(*scheduler.Options)) (*scheduler.ListSchedulesOutput, error)
}

// Schedule is one grant assignment's one-time schedule.
type Schedule struct {
	// Name is ssoctl-jit-<grant id>-<account id> (36 characters; the
	// model's Name allows 64 of [0-9a-zA-Z-_.]).
	Name      string    `json:"name"`
	AccountId string    `json:"accountId"`
	At        time.Time `json:"at"`
}

// ScheduleName is the schedule of grant id's assignment on account.
func ScheduleName(id, account string) string { return Name(id) + "-" + account }

// scheduleGrant is the grant id of a schedule's name ("" for none).
func scheduleGrant(name string) string {
	i := strings.LastIndexByte(name, '-')
	if i < 0 {
		return ""
	}
	return IDOf(name[:i])
}

// AtExpression is EventBridge Scheduler's one-time expression for t, in
// UTC (the schedule's time zone when none is given).
func AtExpression(t time.Time) string { return "at(" + t.UTC().Format("2006-01-02T15:04:05") + ")" }

// deleteInput is the universal target's input: DeleteAccountAssignment's
// request with the API's member names.
func deleteInput(instanceArn, permissionSetArn string, p Principal, account string) string {
	b, _ := json.Marshal(map[string]string{
		"InstanceArn": instanceArn, "TargetId": account, "TargetType": "AWS_ACCOUNT",
		"PermissionSetArn": permissionSetArn, "PrincipalType": p.Type, "PrincipalId": p.Id,
	})
	return string(b)
}

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// ensureGroup creates the schedule group when it is missing.
func ensureGroup(ctx context.Context, c Scheduler) error {
	_, err := c.GetScheduleGroup(ctx, &scheduler.GetScheduleGroupInput{Name: aws.String(ScheduleGroup)})
	if apiCode(err) == "ResourceNotFoundException" {
		_, err = c.CreateScheduleGroup(ctx, &scheduler.CreateScheduleGroupInput{Name: aws.String(ScheduleGroup)})
		if apiCode(err) == "ConflictException" {
			err = nil // made meanwhile
		}
	}
	if err != nil {
		return fmt.Errorf("schedule group %s: %w", ScheduleGroup, err)
	}
	return nil
}

// createSchedule makes one assignment's schedule (an existing one of the
// same name is left as it is: a re-run).
func createSchedule(ctx context.Context, c Scheduler, roleArn, instanceArn string, g Grant, s Schedule) error {
	_, err := c.CreateSchedule(ctx, &scheduler.CreateScheduleInput{
		Name: aws.String(s.Name), GroupName: aws.String(ScheduleGroup),
		ScheduleExpression:         aws.String(AtExpression(s.At)),
		ScheduleExpressionTimezone: aws.String("UTC"),
		FlexibleTimeWindow:         &schedtypes.FlexibleTimeWindow{Mode: schedtypes.FlexibleTimeWindowModeOff},
		ActionAfterCompletion:      schedtypes.ActionAfterCompletionDelete,
		Description:                aws.String(truncate("ssoctl grant "+g.ID+": remove "+g.Principal.String()+"'s "+g.Clone+" on "+s.AccountId+" at its expiry", 512)),
		Target: &schedtypes.Target{Arn: aws.String(DeleteTarget), RoleArn: aws.String(roleArn),
			Input: aws.String(deleteInput(instanceArn, g.CloneArn, g.Principal, s.AccountId))},
	})
	if apiCode(err) == "ConflictException" {
		return nil
	}
	if err != nil {
		return fmt.Errorf("create schedule %s: %w", s.Name, err)
	}
	return nil
}

// deleteSchedule removes a schedule (one already gone is not an error:
// it ran, or a re-run).
func deleteSchedule(ctx context.Context, c Scheduler, name string) error {
	_, err := c.DeleteSchedule(ctx, &scheduler.DeleteScheduleInput{Name: aws.String(name), GroupName: aws.String(ScheduleGroup)})
	if err != nil && apiCode(err) != "ResourceNotFoundException" {
		return fmt.Errorf("delete schedule %s: %w", name, err)
	}
	return nil
}

// schedules lists the grants' schedules still waiting, by grant id (none
// when the group does not exist).
func schedules(ctx context.Context, c Scheduler) (map[string][]string, error) {
	out := map[string][]string{}
	p := scheduler.NewListSchedulesPaginator(c, &scheduler.ListSchedulesInput{GroupName: aws.String(ScheduleGroup), NamePrefix: aws.String(NamePrefix)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if apiCode(err) == "ResourceNotFoundException" {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("list the schedules of group %s: %w", ScheduleGroup, err)
		}
		for _, s := range page.Schedules {
			name := aws.ToString(s.Name)
			if id := scheduleGrant(name); id != "" {
				out[id] = append(out[id], name)
			}
		}
	}
	for _, v := range out {
		sort.Strings(v)
	}
	return out, nil
}
