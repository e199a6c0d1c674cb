package grants_test

import (
	"context"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/ssoctl/ssoctl/internal/assignments/execute"
	"github.com/ssoctl/ssoctl/internal/emulator"
	"github.com/ssoctl/ssoctl/internal/emulatortest"
	"github.com/ssoctl/ssoctl/internal/grants"
)

// sandboxClients are grants' clients for a sandbox, with retries for the
// first call after a clock advance (refused once for skew, then signed on
// the sandbox's time).
func sandboxClients(sb *emulatortest.Sandbox) grants.Clients {
	cfg := sb.ConfigAttempts(3)
	return grants.Clients{SSOAdmin: ssoadmin.NewFromConfig(cfg), Scheduler: scheduler.NewFromConfig(cfg), STS: sts.NewFromConfig(cfg)}
}

// fast polls the sandbox's asynchronous requests without waiting.
var fast = execute.Options{MinPollInterval: time.Millisecond, MaxPollInterval: 10 * time.Millisecond}

// sandboxView is what the sandbox holds of the grants: each clone (by
// name) with its principal's assignments, and the other assignments.
type sandboxView struct {
	clones    map[string]map[string]bool // clone name -> account ids assigned
	permanent []string
	schedules int
}

func viewOf(st *emulator.State) sandboxView {
	v := sandboxView{clones: map[string]map[string]bool{}}
	names := map[string]string{}
	for _, ps := range st.PermissionSets {
		names[ps.Arn] = ps.Name
		if strings.HasPrefix(ps.Name, grants.NamePrefix) {
			v.clones[ps.Name] = map[string]bool{}
		}
	}
	for _, a := range st.Assignments {
		n := names[a.PermissionSetArn]
		if m, ok := v.clones[n]; ok {
			m[a.AccountId] = true
			continue
		}
		v.permanent = append(v.permanent, a.AccountId+"|"+n+"|"+a.PrincipalType+"|"+a.PrincipalId)
	}
	sort.Strings(v.permanent)
	for _, s := range st.Schedules {
		if s.GroupName == grants.ScheduleGroup {
			v.schedules++
		}
	}
	return v
}

// TestRandomGrants: 100 grants with random principals (users, and one in
// four a group), accounts (one to
// three), durations (1 minute to 4 hours), schedules or none, made while
// the sandbox clock moves on, with `grant expire` run now and then. At
// every check: no grant before its expiry has lost an assignment, a
// scheduled grant past its expiry has none, `grant list` agrees with the
// sandbox's state, permanent assignments are untouched. After the clock
// passes them all and expire: nothing left, and a second expire has
// nothing to do.
func TestRandomGrants(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 27))
	st := emulator.Generate("small", 0)
	inst := st.Instances[0].InstanceArn
	role := "arn:aws:iam::" + st.Organization.MasterAccountId + ":role/" + emulator.SchedulerRole
	var users, accounts, sets []string
	for _, u := range st.Users {
		users = append(users, u.UserId)
	}
	users = users[:min(len(users), 8)]
	var groups []string
	for _, g := range st.Groups {
		groups = append(groups, g.GroupId)
	}
	groups = groups[:min(len(groups), 4)]
	for _, a := range st.Accounts {
		if a.State == "ACTIVE" {
			accounts = append(accounts, a.Id)
		}
	}
	for _, ps := range st.PermissionSets {
		if slices.Contains([]string{"Developer", "ReadOnlyAccess", "SeniorDeveloper", "JuniorDeveloper"}, ps.Name) {
			sets = append(sets, ps.Arn)
		}
	}
	sb := emulatortest.Start(t, emulator.Options{State: st})
	c := sandboxClients(sb)
	permanent := viewOf(sb.Snapshot()).permanent

	type made struct {
		g         grants.Grant
		scheduled bool
		ended     bool
	}
	all := map[string]*made{}
	var lastAdvance time.Time
	premature, checks := 0, 0

	check := func(when string) {
		t.Helper()
		checks++
		live, err := grants.List(ctx, c, inst)
		if err != nil {
			t.Fatalf("%s: list: %v", when, err)
		}
		v := viewOf(sb.Snapshot())
		if !slices.Equal(v.permanent, permanent) {
			t.Fatalf("%s: the permanent assignments changed", when)
		}
		listed := map[string]grants.Grant{}
		for _, g := range live.Grants {
			listed[g.ID] = g
			if all[g.ID] == nil || all[g.ID].ended {
				t.Errorf("%s: grant list shows %s, which is not a live grant", when, g.ID)
			}
		}
		for id, m := range all {
			assigned, inSandbox := v.clones[grants.Name(id)]
			lg, inList := listed[id]
			if m.ended {
				if inSandbox || inList {
					t.Errorf("%s: ended grant %s: in the sandbox %v, listed %v; want neither", when, id, inSandbox, inList)
				}
				continue
			}
			if !inSandbox || !inList {
				t.Errorf("%s: grant %s: in the sandbox %v, listed %v; want both", when, id, inSandbox, inList)
				continue
			}
			var have []string
			for a := range assigned {
				have = append(have, a)
			}
			sort.Strings(have)
			if !slices.Equal(lg.Assigned, have) {
				t.Errorf("%s: grant %s: listed assigned on %v; the sandbox has %v", when, id, lg.Assigned, have)
			}
			wantState := grants.Active
			if !live.Now.Before(m.g.Expires) {
				wantState = grants.Expired
			}
			if lg.State != wantState {
				t.Errorf("%s: grant %s (expires %s, now %s): listed %s; want %s", when, id, m.g.Expires, live.Now, lg.State, wantState)
			}
			var wantAccounts []string
			for _, a := range m.g.Accounts {
				wantAccounts = append(wantAccounts, a.Id)
			}
			sort.Strings(wantAccounts)
			switch {
			case live.Now.Before(m.g.Expires):
				if !slices.Equal(have, wantAccounts) {
					premature++
					t.Errorf("%s: grant %s before its expiry: assigned on %v; want %v", when, id, have, wantAccounts)
				}
			case m.scheduled && m.g.Expires.Before(lastAdvance):
				if len(have) > 0 {
					t.Errorf("%s: scheduled grant %s past its expiry: still assigned on %v", when, id, have)
				}
			case !m.scheduled:
				if !slices.Equal(have, wantAccounts) {
					t.Errorf("%s: unscheduled grant %s: assigned on %v before expire; want %v", when, id, have, wantAccounts)
				}
			}
		}
	}
	expire := func(when string) {
		t.Helper()
		p, err := grants.PlanExpire(ctx, c, inst)
		if err != nil {
			t.Fatalf("%s: plan expire: %v", when, err)
		}
		res, err := grants.End(ctx, c, p, fast)
		if err != nil || !res.OK() {
			t.Fatalf("%s: expire: %v %v", when, err, failures(res.Report))
		}
		for _, g := range p.Grants {
			if g.Expires.After(p.Now) {
				t.Errorf("%s: expire ended %s before its expiry %s (now %s)", when, g.ID, g.Expires, p.Now)
			}
			all[g.ID].ended = true
		}
	}

	for i := range 100 {
		n := 1 + r.IntN(3)
		req := grants.Request{InstanceArn: inst, PermissionSetArn: sets[r.IntN(len(sets))],
			Principal: grants.Principal{Type: "USER", Id: users[r.IntN(len(users))]},
			For:       time.Duration(1+r.IntN(240)) * time.Minute, Reason: "random grant"}
		for _, k := range r.Perm(len(accounts))[:n] {
			req.Accounts = append(req.Accounts, grants.Account{Id: accounts[k]})
		}
		if r.IntN(4) == 0 {
			req.Principal = grants.Principal{Type: "GROUP", Id: groups[r.IntN(len(groups))]}
		}
		if r.IntN(2) == 0 {
			req.SchedulerRoleArn = role
		}
		p, err := grants.PlanCreate(ctx, c, req)
		if err != nil {
			t.Fatalf("grant %d: plan: %v", i, err)
		}
		res, err := grants.Create(ctx, c, p, fast)
		if err != nil || !res.OK() {
			t.Fatalf("grant %d: create: %v %v %v", i, err, failures(res.Report), res.ScheduleErrors)
		}
		all[res.Grant.ID] = &made{g: res.Grant, scheduled: req.SchedulerRoleArn != ""}
		if i%10 == 9 {
			lastAdvance = sb.Advance(t, time.Duration(r.IntN(60))*time.Minute)
			check("after grant " + res.Grant.ID)
		}
		if i%25 == 24 {
			expire("expire after grant " + res.Grant.ID)
			check("after expire")
		}
	}
	lastAdvance = sb.Advance(t, 5*time.Hour)
	check("past every expiry")
	expire("the last expire")
	check("after the last expire")
	v := viewOf(sb.Snapshot())
	if len(v.clones) != 0 || v.schedules != 0 {
		t.Errorf("after the last expire: %d clones and %d schedules left; want none", len(v.clones), v.schedules)
	}
	p, err := grants.PlanExpire(ctx, c, inst)
	if err != nil {
		t.Fatal(err)
	}
	if p.Todo() != 0 {
		t.Errorf("a second expire plans %d writes; want 0", p.Todo())
	}
	if premature != 0 {
		t.Errorf("%d premature revocations; want 0", premature)
	}
	t.Logf("%d grants, %d checks, 0 leftovers", len(all), checks)
}

func failures(rep execute.Report) []string {
	var out []string
	for _, f := range rep.Failures() {
		out = append(out, f.Change.String()+": "+string(f.Status)+" "+f.Reason())
	}
	return out
}
