package grants

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"

	"github.com/ssoctl/ssoctl/internal/assignments"
	"github.com/ssoctl/ssoctl/internal/assignments/execute"
	"github.com/ssoctl/ssoctl/internal/permsets"
)

// SSOAdmin is what grants call in Identity Center: reading permission
// sets, and the executor's writes.
type SSOAdmin interface {
	permsets.Reader
	execute.SSOAdmin
	execute.PermissionSetAdmin
	ListPermissionSets(context.Context, *ssoadmin.ListPermissionSetsInput, ...func(*ssoadmin.Options)) (*ssoadmin.ListPermissionSetsOutput, error)
}

// Clients are the services grants use. Scheduler may be nil when no
// scheduler role is set (no schedules are made, and none are looked for).
type Clients struct {
	SSOAdmin  SSOAdmin
	Scheduler Scheduler
	STS       STS
}

func (c Clients) exec() execute.Clients {
	return execute.Clients{SSOAdmin: c.SSOAdmin, PermissionSets: c.SSOAdmin}
}

// Request is a grant asked for, resolved against the organization.
type Request struct {
	InstanceArn string
	// PermissionSetArn is the permission set to clone.
	PermissionSetArn string
	Principal        Principal
	Accounts         []Account
	For              time.Duration
	Reason, Ticket   string
	// SchedulerRoleArn is the org settings' grants.scheduler_role_arn
	// ("": no schedules).
	SchedulerRoleArn string
}

// CreatePlan is a grant to make: the grant, its permission set, the
// executor's plan (the clone created with every attribute, then an
// assignment on each account: creating an assignment provisions the set to
// the account), and the schedules that delete the assignments at the
// expiry.
type CreatePlan struct {
	Grant Grant `json:"grant"`
	// Now is AWS's clock when the plan was made.
	Now              time.Time        `json:"now"`
	Clone            permsets.Desired `json:"clone"`
	Plan             execute.Plan     `json:"plan"`
	Schedules        []Schedule       `json:"schedules,omitempty"`
	SchedulerRoleArn string           `json:"schedulerRoleArn,omitempty"`
	Warnings         []string         `json:"warnings,omitempty"`
}

// Todo is how many writes the plan makes.
func (p CreatePlan) Todo() int { return len(p.Plan.Changes) + len(p.Schedules) }

// PlanCreate plans a grant: AWS's time and the caller (one
// sts:GetCallerIdentity), the permission set to clone read whole
// (permsets.Read), the clone's attributes checked against AWS's limits.
// A permission set whose inline policy leaves no room for the
// deny-after-expiry statement is refused (ErrPolicyTooLarge).
func PlanCreate(ctx context.Context, c Clients, req Request) (CreatePlan, error) {
	if req.For <= 0 {
		return CreatePlan{}, errors.New("a grant needs a duration above zero")
	}
	if len(req.Accounts) == 0 {
		return CreatePlan{}, errors.New("a grant needs at least one account")
	}
	who, err := WhoAndWhen(ctx, c.STS)
	if err != nil {
		return CreatePlan{}, err
	}
	src, err := permsets.Read(ctx, c.SSOAdmin, req.InstanceArn, req.PermissionSetArn)
	if err != nil {
		return CreatePlan{}, err
	}
	if IDOf(src.Name) != "" {
		return CreatePlan{}, fmt.Errorf("permission set %s is a grant's own: grant the permission set it was cloned from", src.Name)
	}
	id := NewID()
	g := Grant{ID: id, PermissionSet: src.Name, Clone: Name(id), Principal: req.Principal, Accounts: req.Accounts,
		Expires: who.Now.Add(req.For).Truncate(time.Second), GrantedBy: who.Arn, Reason: req.Reason, Ticket: req.Ticket, State: Active}
	psDur, err := ParseSessionDuration(src.SessionDuration)
	if err != nil {
		return CreatePlan{}, fmt.Errorf("permission set %s: %w", src.Name, err)
	}
	inline, err := WithDeny(src.InlinePolicy, g.Expires)
	if err != nil {
		return CreatePlan{}, fmt.Errorf("permission set %s cannot be granted: %w", src.Name, err)
	}
	want := permsets.Desired{
		Name: g.Clone, Description: g.Description(), SessionDuration: SessionDuration(req.For, psDur),
		RelayState: src.RelayState, ManagedPolicies: src.ManagedPolicies, CustomerManagedPolicies: src.CustomerManagedPolicies,
		InlinePolicy: inline, PermissionsBoundary: src.PermissionsBoundary, Tags: g.Tags(),
	}.Normalized()
	if problems, _ := permsets.Validate(want); len(problems) > 0 {
		var msgs []string
		for _, p := range problems {
			msgs = append(msgs, p.Attribute+": "+p.Msg)
		}
		return CreatePlan{}, fmt.Errorf("the clone of %s breaks AWS's limits: %s", src.Name, strings.Join(msgs, "; "))
	}
	p := CreatePlan{Grant: g, Now: who.Now, Clone: want, SchedulerRoleArn: req.SchedulerRoleArn}
	pp := permsets.Changes(want, nil, permsets.Provisioning{})
	p.Warnings = pp.Warnings
	p.Plan = execute.Plan{InstanceArn: req.InstanceArn, Changes: pp.Changes}
	for _, a := range req.Accounts {
		p.Plan.Changes = append(p.Plan.Changes, execute.Change{Op: execute.Create,
			Assignment:  assignments.Assignment{AccountId: a.Id, PrincipalType: g.Principal.Type, PrincipalId: g.Principal.Id},
			AccountName: a.Name, PermissionSetName: g.Clone, PrincipalName: g.Principal.Name})
		if req.SchedulerRoleArn != "" {
			p.Schedules = append(p.Schedules, Schedule{Name: ScheduleName(id, a.Id), AccountId: a.Id, At: g.Expires})
		}
	}
	return p, nil
}

// CreateResult is what making a grant came to.
type CreateResult struct {
	Grant  Grant          `json:"grant"`
	Report execute.Report `json:"report"`
	// SchedulesMade counts the schedules made; ScheduleErrors says why
	// others were not (`grant expire` still ends the grant).
	SchedulesMade  int      `json:"schedulesMade"`
	ScheduleErrors []string `json:"scheduleErrors,omitempty"`
}

// OK reports whether everything was made.
func (r CreateResult) OK() bool { return r.Report.OK() && len(r.ScheduleErrors) == 0 }

// Create carries a plan out: the executor creates the clone and the
// assignments; then, when the clone exists, the schedules are made (the
// group first, when missing).
func Create(ctx context.Context, c Clients, p CreatePlan, opts execute.Options) (CreateResult, error) {
	rep, err := execute.Run(ctx, c.exec(), p.Plan, opts)
	res := CreateResult{Grant: p.Grant, Report: rep}
	for _, r := range rep.Results {
		if r.Kind == execute.KindPermissionSet && r.PermissionSetArn != "" {
			res.Grant.CloneArn = r.PermissionSetArn
		}
	}
	if err != nil {
		return res, err
	}
	if len(p.Schedules) == 0 || res.Grant.CloneArn == "" {
		return res, nil
	}
	if c.Scheduler == nil {
		res.ScheduleErrors = append(res.ScheduleErrors, "no EventBridge Scheduler client")
		return res, nil
	}
	if err := ensureGroup(ctx, c.Scheduler); err != nil {
		res.ScheduleErrors = append(res.ScheduleErrors, err.Error())
		return res, nil
	}
	for _, s := range p.Schedules {
		if err := createSchedule(ctx, c.Scheduler, p.SchedulerRoleArn, p.Plan.InstanceArn, res.Grant, s); err != nil {
			res.ScheduleErrors = append(res.ScheduleErrors, err.Error())
			continue
		}
		res.SchedulesMade++
	}
	return res, nil
}
