// Package plan compares the assignments a file declares (package file)
// with the live ones (read through package list) and says what to change:
// the assignments to create, and with prune the undeclared ones to delete —
// only ever of permission sets the file names. A plan can be saved and
// carried out later, by package execute, exactly as reviewed: it records
// what it read (its scope) and a fingerprint of the live assignments it was
// made against, and refuses when they changed since.
package plan

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/ssoctl/ssoctl/internal/assignments"
	"github.com/ssoctl/ssoctl/internal/assignments/execute"
	"github.com/ssoctl/ssoctl/internal/assignments/file"
	"github.com/ssoctl/ssoctl/internal/assignments/list"
	"github.com/ssoctl/ssoctl/internal/inventory"
)

// Version is the saved plan format's version.
const Version = 1

// Scope is what a plan reads of the live state: the assignments of these
// permission sets, in these accounts (nil: every account, as prune needs).
type Scope struct {
	InstanceArn    string   `json:"instanceArn"`
	PermissionSets []string `json:"permissionSets"`
	Accounts       []string `json:"accounts"`
	Prune          bool     `json:"prune"`
	// Principals, when not nil (never with prune), narrows the read to
	// these users' and groups' assignments — all that a plan without
	// prune compares (it only asks which declared ones exist) — so the
	// lister may read per principal when that is cheaper than per
	// (account, permission set) pair. Principals that do not exist yet are
	// left out: they have no assignment.
	Principals []list.Principal `json:"principals,omitempty"`
}

// Selection is the scope as the lister's selection.
func (s Scope) Selection() list.Selection {
	sel := list.Selection{PermissionSets: s.PermissionSets}
	if sel.PermissionSets == nil {
		sel.PermissionSets = []string{}
	}
	if !s.Prune {
		sel.Accounts = s.Accounts
		if sel.Accounts == nil {
			sel.Accounts = []string{}
		}
		sel.Principals = s.Principals
	}
	return sel
}

// ScopeOf is the scope a plan of desired reads: the permission sets the
// file names, in the accounts it declares assignments in (every account
// with prune, to find undeclared assignments anywhere).
func ScopeOf(d *file.Desired, prune bool) Scope {
	s := Scope{InstanceArn: d.Instance.Arn, PermissionSets: d.PermissionSetArns(), Prune: prune}
	if s.PermissionSets == nil {
		s.PermissionSets = []string{}
	}
	if !prune {
		seen := map[string]bool{}
		s.Accounts = []string{}
		for _, a := range d.Assignments() {
			if !seen[a.AccountId] {
				seen[a.AccountId] = true
				s.Accounts = append(s.Accounts, a.AccountId)
			}
		}
		sort.Strings(s.Accounts)
	}
	return s
}

// Live is what a plan read of the live state.
type Live struct {
	Assignments []assignments.Assignment
	// Pairs is how many provisioned (account, permission set) pairs the
	// lister read.
	Pairs int
}

// ErrIncomplete is wrapped when some of the scope could not be read: no
// plan is made from part of the truth.
var ErrIncomplete = errors.New("the live assignments could not all be read")

// ReadLive lists the live assignments in scope through the one lister
// (per provisioned pair: it also sees the assignments of deleted
// principals, which prune must be able to remove; when the scope names its
// principals, the cheaper of per pair and per principal).
func ReadLive(ctx context.Context, c inventory.Clients, scope Scope, progress func(string, int, int)) (*Live, error) {
	inst := inventory.Instance{Arn: scope.InstanceArn}
	live := &Live{}
	sel := scope.Selection()
	method := list.ByPermissionSet
	if sel.Principals != nil {
		method = list.MethodAuto
	}
	res, err := list.List(ctx, c, inst, sel, list.Options{Method: method, Progress: progress},
		func(a assignments.Assignment) error {
			live.Assignments = append(live.Assignments, a)
			return nil
		})
	if err != nil {
		return nil, err
	}
	if len(res.Errors) > 0 {
		items := make([]string, 0, len(res.Errors))
		for _, e := range res.Errors {
			items = append(items, e.Item+": "+e.Error)
		}
		return nil, fmt.Errorf("%w (%s); nothing was planned, run again", ErrIncomplete, strings.Join(items, "; "))
	}
	live.Pairs = res.Pairs
	return live, nil
}

// Fingerprint is a digest of a set of live assignments (order does not
// matter).
func Fingerprint(as []assignments.Assignment) string {
	keys := make([]string, len(as))
	for i, a := range as {
		keys[i] = a.Key()
	}
	sort.Strings(keys)
	h := sha256.New()
	for _, k := range keys {
		h.Write([]byte(k + "\n"))
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

// Names name the live assignments a file does not declare (the deletes).
type Names struct {
	Account       func(id string) string
	PermissionSet func(arn string) string
	Principal     func(typ, id string) string
}

// Plan is what to change, and what it was made against.
type Plan struct {
	Version   int       `json:"version"`
	CreatedAt time.Time `json:"createdAt"`
	// Files are the assignments files the plan was made from.
	Files []string `json:"files"`
	Scope Scope    `json:"scope"`
	// Fingerprint is of the live assignments in Scope when planned.
	Fingerprint string `json:"fingerprint"`
	// Declared counts the assignments the files declare; Live those read
	// in scope; Unchanged those declared and live.
	Declared  int              `json:"declared"`
	Live      int              `json:"live"`
	Unchanged int              `json:"unchanged"`
	Creates   int              `json:"creates"`
	Deletes   int              `json:"deletes"`
	Changes   []execute.Change `json:"changes"`
	Warnings  []string         `json:"warnings"`
}

// HasChanges reports whether the plan changes anything.
func (p *Plan) HasChanges() bool { return len(p.Changes) > 0 }

// Executor is the plan as the executor takes it.
func (p *Plan) Executor() execute.Plan {
	return execute.Plan{InstanceArn: p.Scope.InstanceArn, Changes: p.Changes}
}

// Compute compares the declared assignments with the live ones read in
// scope: every declared assignment not live is created; with prune, every
// live one not declared is deleted (the scope holds only permission sets
// the file names). Creates come first, then deletes, each in the order of
// account, permission set and principal names.
func Compute(declared []file.Assignment, live *Live, scope Scope, names Names) *Plan {
	p := &Plan{Version: Version, Scope: scope, Fingerprint: Fingerprint(live.Assignments), Declared: len(declared), Live: len(live.Assignments), Warnings: []string{}}
	have := make(map[string]bool, len(live.Assignments))
	for _, a := range live.Assignments {
		have[a.Key()] = true
	}
	want := make(map[string]bool, len(declared))
	var creates, deletes []file.Assignment
	for _, a := range declared {
		want[a.Key()] = true
		if have[a.Key()] {
			p.Unchanged++
			continue
		}
		creates = append(creates, a)
	}
	if scope.Prune {
		for _, a := range live.Assignments {
			if want[a.Key()] {
				continue
			}
			deletes = append(deletes, file.Assignment{Assignment: a,
				AccountName:       call(names.Account, a.AccountId),
				PermissionSetName: call(names.PermissionSet, a.PermissionSetArn),
				PrincipalName:     call2(names.Principal, a.PrincipalType, a.PrincipalId),
			})
		}
	}
	file.SortAssignments(creates)
	file.SortAssignments(deletes)
	p.Changes = []execute.Change{}
	for _, a := range creates {
		p.Changes = append(p.Changes, change(execute.Create, a))
	}
	for _, a := range deletes {
		p.Changes = append(p.Changes, change(execute.Delete, a))
	}
	p.Creates, p.Deletes = len(creates), len(deletes)
	return p
}

func call(f func(string) string, s string) string {
	if f == nil {
		return ""
	}
	return f(s)
}

func call2(f func(string, string) string, a, b string) string {
	if f == nil {
		return ""
	}
	return f(a, b)
}

func change(op execute.Op, a file.Assignment) execute.Change {
	return execute.Change{Op: op, Assignment: a.Assignment,
		AccountName: a.AccountName, PermissionSetName: a.PermissionSetName, PrincipalName: a.PrincipalName,
	}
}

// Marshal is the saved plan's bytes.
func (p *Plan) Marshal() ([]byte, error) {
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// Unmarshal reads a saved plan.
func Unmarshal(b []byte) (*Plan, error) {
	var p Plan
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("not a saved plan: %w", err)
	}
	if p.Version != Version {
		return nil, fmt.Errorf("a saved plan of version %d; this ssoctl reads version %d: make the plan again", p.Version, Version)
	}
	if p.Scope.InstanceArn == "" || p.Fingerprint == "" {
		return nil, errors.New("not a saved plan: no instance or fingerprint")
	}
	for _, c := range p.Changes {
		if c.Op != execute.Create && c.Op != execute.Delete {
			return nil, fmt.Errorf("not a saved plan: unknown change %q", c.Op)
		}
		if c.Op == execute.Delete && !contains(p.Scope.PermissionSets, c.PermissionSetArn) {
			return nil, fmt.Errorf("a saved plan that deletes an assignment of a permission set outside its scope (%s)", c.PermissionSetArn)
		}
	}
	return &p, nil
}

func contains(s []string, x string) bool {
	for _, y := range s {
		if y == x {
			return true
		}
	}
	return false
}

// ErrStale is wrapped when the live state changed since a saved plan was
// made.
var ErrStale = errors.New("the live assignments changed since the plan was made")

// Check re-reads a saved plan's scope and refuses (ErrStale) when the live
// assignments differ from those it was made against.
func Check(p *Plan, live *Live) error {
	if fp := Fingerprint(live.Assignments); fp != p.Fingerprint {
		return fmt.Errorf("%w (%d assignments in its scope then, %d now): make the plan again and review it", ErrStale, p.Live, len(live.Assignments))
	}
	return nil
}
