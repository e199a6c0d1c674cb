package grants

import (
	"context"
	"fmt"
	"sort"
	"time"

	satypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"

	"github.com/ssoctl/ssoctl/internal/assignments"
	"github.com/ssoctl/ssoctl/internal/assignments/execute"
)

type ssoadminAssignment = satypes.AccountAssignment

// EndPlan is what ending grants removes: their live assignments, then
// their permission sets (the executor's order: assignments are deleted
// before permission sets), then their schedules still waiting.
type EndPlan struct {
	// Now is AWS's clock when the plan was made.
	Now    time.Time    `json:"now"`
	Grants []Grant      `json:"grants"`
	Plan   execute.Plan `json:"plan"`
	// Schedules are the schedules to delete (of the grants ended, and any
	// left by grants already gone).
	Schedules []string `json:"schedules,omitempty"`
	// Active counts the grants left alone (not expired yet).
	Active   int      `json:"active"`
	Warnings []string `json:"warnings,omitempty"`
}

// Todo is how many writes the plan makes.
func (p EndPlan) Todo() int { return len(p.Plan.Changes) + len(p.Schedules) }

// PlanExpire plans ending every grant past its expiry on AWS's clock (and
// removing schedules whose grant is gone). A grant not yet expired is left
// alone, and so is every assignment that is not a grant's: each grant has
// its own permission set, so nothing of another grant, or of permanent
// access, is touched.
func PlanExpire(ctx context.Context, c Clients, instanceArn string) (EndPlan, error) {
	return planEnd(ctx, c, instanceArn, "")
}

// PlanRevoke plans ending grant id now, expired or not.
func PlanRevoke(ctx context.Context, c Clients, instanceArn, id string) (EndPlan, error) {
	if !ValidID(id) {
		return EndPlan{}, fmt.Errorf("%q is not a grant id (12 characters of a-z and 2-7; see ssoctl grant list)", id)
	}
	return planEnd(ctx, c, instanceArn, id)
}

// ErrNoGrant is wrapped when the grant to revoke is not live.
var ErrNoGrant = fmt.Errorf("no such live grant")

func planEnd(ctx context.Context, c Clients, instanceArn, revoke string) (EndPlan, error) {
	live, err := List(ctx, c, instanceArn)
	if err != nil {
		return EndPlan{}, err
	}
	p := EndPlan{Now: live.Now, Plan: execute.Plan{InstanceArn: instanceArn}, Warnings: live.Warnings}
	known := map[string]bool{}
	for _, g := range live.Grants {
		known[g.ID] = true
		end := g.ID == revoke || revoke == "" && g.State == Expired
		if !end {
			if g.State == Active {
				p.Active++
			}
			continue
		}
		p.Grants = append(p.Grants, g)
		for _, a := range g.Assigned {
			p.Plan.Changes = append(p.Plan.Changes, execute.Change{Op: execute.Delete,
				Assignment:        assignments.Assignment{AccountId: a, PermissionSetArn: g.CloneArn, PrincipalType: g.Principal.Type, PrincipalId: g.Principal.Id},
				PermissionSetName: g.Clone, PrincipalName: g.Principal.Name})
		}
		p.Plan.Changes = append(p.Plan.Changes, execute.Change{Kind: execute.KindPermissionSet, Op: execute.Delete,
			Assignment: assignments.Assignment{PermissionSetArn: g.CloneArn}, PermissionSetName: g.Clone})
		p.Schedules = append(p.Schedules, live.Schedules[g.ID]...)
	}
	if revoke != "" && len(p.Grants) == 0 {
		return p, fmt.Errorf("grant %s: %w (ssoctl grant list shows the live ones)", revoke, ErrNoGrant)
	}
	if revoke == "" {
		for id, names := range live.Schedules {
			if !known[id] {
				p.Schedules = append(p.Schedules, names...)
			}
		}
	}
	sort.Strings(p.Schedules)
	return p, nil
}

// EndResult is what ending grants came to.
type EndResult struct {
	Report           execute.Report `json:"report"`
	SchedulesDeleted int            `json:"schedulesDeleted"`
	ScheduleErrors   []string       `json:"scheduleErrors,omitempty"`
	// Ended are the grants whose permission set is gone.
	Ended []string `json:"ended"`
}

// OK reports whether everything was removed.
func (r EndResult) OK() bool { return r.Report.OK() && len(r.ScheduleErrors) == 0 }

// End carries an end plan out: the executor deletes the assignments and
// then the permission sets; then the schedules are deleted. Run again, it
// finds nothing more to do.
func End(ctx context.Context, c Clients, p EndPlan, opts execute.Options) (EndResult, error) {
	rep, err := execute.Run(ctx, c.exec(), p.Plan, opts)
	res := EndResult{Report: rep, Ended: []string{}}
	gone := map[string]bool{}
	for _, r := range rep.Results {
		if r.Kind == execute.KindPermissionSet && r.OK() {
			gone[r.PermissionSetArn] = true
		}
	}
	for _, g := range p.Grants {
		if gone[g.CloneArn] {
			res.Ended = append(res.Ended, g.ID)
		}
	}
	if err != nil {
		return res, err
	}
	for _, s := range p.Schedules {
		if c.Scheduler == nil {
			break
		}
		if err := deleteSchedule(ctx, c.Scheduler, s); err != nil {
			res.ScheduleErrors = append(res.ScheduleErrors, err.Error())
			continue
		}
		res.SchedulesDeleted++
	}
	return res, nil
}
