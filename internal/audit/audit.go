// Package audit computes effective access: every user × account ×
// permission set × path (direct, or through which group), with findings
// (orphaned assignments, disabled users with access, suspended accounts still
// assigned, permission sets not provisioned): a discovery pass, then the
// assignments listed per provisioned (account, permission set) pair — the
// one method that also sees assignments of deleted principals —
// (principal-first only when asked for, and then marked incomplete), names
// from bulk lists, and rows streamed in a deterministic order. Beside the
// rows it answers an access review (Review, AccessReview): which accounts
// are production and where each sits in the OU tree, which permission sets
// are privileged (by name, and by reading the policies of those the
// assignments name), who has privileged access to production, and the
// findings by cause.
package audit

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ssoctl/ssoctl/internal/assignments"
	"github.com/ssoctl/ssoctl/internal/assignments/list"
	"github.com/ssoctl/ssoctl/internal/awsclient"
	"github.com/ssoctl/ssoctl/internal/fanout"
	"github.com/ssoctl/ssoctl/internal/inventory"
	"github.com/ssoctl/ssoctl/internal/orgconfig"
)

// Options controls an audit.
type Options struct {
	InstanceArn string
	// Method is how assignments are listed (list.MethodAuto: the
	// complete permission-set-first; list.ByPrincipal only when asked,
	// and then the Result is not Complete).
	Method list.Method
	// IAM adds the legacy IAM status of each user (in the credentials' account).
	IAM bool
	// LegacyDomains are e-mail domains being phased out (org settings):
	// users still on one are flagged LEGACY_DOMAIN.
	LegacyDomains []string
	// Settings are the org settings whose privileged: and production:
	// sections the review follows (nil: orgconfig.DefaultPrivileged and no
	// production).
	Settings *orgconfig.Config
	// Progress, when set, is told how far the audit has got.
	Progress func(Progress)
}

// Progress is a snapshot of a running audit.
type Progress struct {
	Phase string // discover, assignments, members, iam, write
	Done  int
	Total int
}

// Row is one line of the report.
type Row struct {
	UserEmail        string     `json:"userEmail"`
	UserName         string     `json:"userName"`
	UserId           string     `json:"userId,omitempty"`
	UserStatus       string     `json:"userStatus,omitempty"`
	DisplayName      string     `json:"displayName,omitempty"`
	AccountId        string     `json:"accountId"`
	AccountName      string     `json:"accountName"`
	AccountStatus    string     `json:"accountStatus,omitempty"`
	PermissionSet    string     `json:"permissionSet"`
	PermissionSetArn string     `json:"permissionSetArn"`
	PrincipalType    string     `json:"principalType"`
	PrincipalId      string     `json:"principalId"`
	GroupName        string     `json:"groupName,omitempty"`
	Flags            []string   `json:"flags,omitempty"`
	IAM              *IAMStatus `json:"iam,omitempty"`
	// GrantExpires is when the just-in-time grant this access comes from
	// ends (flag GRANT; the permission set is the grant's own clone,
	// ssoctl-jit-<id>), as its description says; nil for other access.
	GrantExpires *time.Time `json:"grantExpires,omitempty"`
}

// Path says how the row's user has the access: "direct", "group:NAME",
// or for a just-in-time grant "grant" (to the user) or "grant:group:NAME".
func (r Row) Path() string {
	path := "direct"
	if r.PrincipalType == list.Group {
		path = "group:" + cmp.Or(r.GroupName, r.PrincipalId)
	}
	if slices.Contains(r.Flags, list.FlagGrant) {
		if path == "direct" {
			return "grant"
		}
		return "grant:" + path
	}
	return path
}

// Finding is one problem the audit found, once per assignment (and user).
type Finding struct {
	Kind          string `json:"kind"`
	AccountId     string `json:"accountId"`
	AccountName   string `json:"accountName"`
	PermissionSet string `json:"permissionSet"`
	PrincipalType string `json:"principalType"`
	PrincipalId   string `json:"principalId"`
	Name          string `json:"name,omitempty"` // user or group name when known
	Detail        string `json:"detail"`
}

// Result is everything but the rows, which were streamed.
type Result struct {
	Instance inventory.Instance
	Method   list.Method
	// Complete is false when the report may miss access: the method cannot
	// have seen every assignment (principal-first misses those of deleted
	// principals; Notes says so), or items could not be listed (Errors).
	// Causes says why.
	Complete       bool
	Causes         []list.Cause
	Rows           int
	Findings       []Finding
	Errors         []list.ItemError
	Notes          []string
	Accounts       int
	PermissionSets int
	Users          int
	Groups         int
	Provisioned    int // provisioned (account, permission set) pairs
	Assignments    int
	// Review is what the access review knew (OU paths, production,
	// privileged permission sets); AccessReview its answer.
	Review       Review
	AccessReview AccessReview
	// Directory is what the audit knew of the organization beyond its
	// rows, for an incremental audit (Update) to start from.
	Directory *Directory
}

// MethodCause is the Cause of an audit listed principal-first.
const MethodCause = "assignments were listed per principal, which cannot see those of deleted users and groups (--strategy permission-set sees them)"

// Clients are what an audit reads.
type Clients struct {
	inventory.Clients
	IAM IAM // only with Options.IAM
	// Policies reads permission sets' policies for the review's privilege
	// rule (nil: privilege by name only).
	Policies PolicyReader
}

// auditor carries one run's state.
type auditor struct {
	c    Clients
	opts Options
	inst inventory.Instance

	accounts map[string]inventory.Account
	psets    map[string]inventory.PermissionSet
	users    map[string]inventory.User
	groups   map[string]inventory.Group
	// provisioned[ps][account] is true when up to date, false when outdated.
	provisioned map[string]map[string]bool
	members     map[string][]inventory.Member // group id -> its members, with their membership ids
	memberErr   map[string]bool
	memberDone  map[string]chan struct{} // group id -> closed once its members are listed (or failed)
	iam         map[string]*IAMStatus    // identity-store user id -> IAM status; read once iamDone is closed
	iamDone     chan struct{}

	review     Review
	reviewer   *Reviewer
	readPolicy bool                     // whether policies are read (the client is there and the settings want it)
	privileged map[string]Privilege     // permission set ARN -> privilege (only privileged ones); guarded by mu
	policyDone map[string]chan struct{} // permission set ARN -> closed once its policies are read (or failed); guarded by mu

	side        *fanout.Group   // member listings and the IAM check, beside the assignments
	expanding   map[string]bool // groups whose members are listed or being listed
	membersDone int

	mu     sync.Mutex // guards res.Errors, members, memberErr, memberDone, expanding, membersDone, privileged, policyDone
	res    *Result
	seen   map[string]bool // findings already recorded
	totalP int
}

// Run audits the organization and passes every row to emit, in order.
// It returns an error only when the audit as a whole could not run; items
// that failed are in Result.Errors.
func Run(ctx context.Context, c Clients, opts Options, emit func(Row) error) (*Result, error) {
	a := &auditor{c: c, opts: opts, res: &Result{Findings: []Finding{}, Errors: []list.ItemError{}}, seen: map[string]bool{},
		members: map[string][]inventory.Member{}, memberErr: map[string]bool{}, memberDone: map[string]chan struct{}{}, expanding: map[string]bool{},
		policyDone: map[string]chan struct{}{}}
	if err := a.discover(ctx); err != nil {
		return nil, err
	}
	a.reviewer = NewReviewer(&a.review, a.privilege)
	// Members of assigned groups are listed as soon as an assignment names
	// the group, and legacy IAM users are read at the same time: the
	// identity store and IAM have quotas of their own, which would
	// otherwise sit idle while sso-admin lists assignments.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	a.side = fanout.NewGroup(ctx, a.c.Concurrency0())
	a.iamDone = make(chan struct{})
	if opts.IAM {
		a.side.Go(func(ctx context.Context) {
			defer close(a.iamDone)
			if err := a.legacyIAM(ctx); err != nil {
				a.itemError("legacy IAM users", err)
			}
		})
	} else {
		close(a.iamDone)
	}
	// The listing runs on its own goroutine and hands each (account,
	// permission set) block over as soon as it is complete in order; this
	// goroutine turns the blocks into rows as soon as their groups' members
	// are listed, so rows stream to emit while the listing goes on, and a
	// slow emit never holds the listing back.
	q := newQueue()
	listed := make(chan error, 1)
	go func() {
		err := a.list(ctx, q.push)
		q.close(err)
		listed <- err
	}()
	werr := a.write(ctx, q, emit)
	if werr != nil {
		cancel()
	}
	lerr := <-listed
	a.side.Wait()
	if werr != nil {
		return nil, werr
	}
	if lerr != nil {
		return nil, lerr
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	sortFindings(a.res.Findings)
	sort.SliceStable(a.res.Errors, func(i, j int) bool { return a.res.Errors[i].Item < a.res.Errors[j].Item })
	a.review.Privileged = a.privileged
	a.res.Review = a.review
	a.res.AccessReview = a.reviewer.Finish(a.res.Findings)
	if !a.res.Complete {
		a.res.Causes = append(a.res.Causes, list.Cause{Cause: MethodCause})
	}
	a.res.Causes = append(a.res.Causes, list.Causes(a.res.Errors)...)
	a.res.Complete = a.res.Complete && len(a.res.Errors) == 0
	a.res.Directory = a.directory()
	return a.res, nil
}

func (a *auditor) progress(phase string, done, total int) {
	if a.opts.Progress != nil {
		a.opts.Progress(Progress{Phase: phase, Done: done, Total: total})
	}
}

func (a *auditor) itemError(item string, err error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.res.Errors = append(a.res.Errors, list.ItemError{Item: item, Error: awsclient.Explain(err).Error(), Err: err})
}

// discover reads the instance, then, all at once through the org
// directory, the accounts, users and groups, and the permission sets with
// their provisioning (the audit's own read: every set described, and where
// each is provisioned, up to date or not).
func (a *auditor) discover(ctx context.Context) error {
	a.progress("discover", 0, 0)
	dir := inventory.NewDirectory(a.c.Clients, inventory.DirectoryOptions{InstanceArn: a.opts.InstanceArn})
	inst, err := dir.Instance(ctx, "")
	if err != nil {
		return err
	}
	a.inst = inst
	a.res.Instance = inst
	var psets []inventory.PermissionSet
	// The OU tree is where each account sits, for the review (1 + 2 ×
	// (roots + OUs) pages, beside the calls of the other services).
	found, err := dir.Discover(ctx, inventory.ListAccounts|inventory.ListOrgTree|inventory.ListUsers|inventory.ListGroups, func(ctx context.Context) (err error) {
		psets, err = a.discoverPermissionSets(ctx)
		return err
	})
	if err != nil {
		return err
	}
	accounts, users, groups, tree := found.Accounts, found.Users, found.Groups, found.OrgTree
	a.accounts = make(map[string]inventory.Account, len(accounts))
	for _, x := range accounts {
		a.accounts[x.Id] = x
	}
	a.psets = make(map[string]inventory.PermissionSet, len(psets))
	for _, x := range psets {
		a.psets[x.Arn] = x
	}
	a.users = make(map[string]inventory.User, len(users))
	for _, x := range users {
		a.users[x.Id] = x
	}
	a.groups = make(map[string]inventory.Group, len(groups))
	for _, x := range groups {
		a.groups[x.Id] = x
	}
	a.res.Accounts, a.res.PermissionSets, a.res.Users, a.res.Groups = len(accounts), len(psets), len(users), len(groups)
	return a.startReview(accounts, psets, tree)
}

// startReview resolves the settings' production scope and privileged
// names against what discovery read; a name that does not resolve fails
// the audit, naming the settings file and line.
func (a *auditor) startReview(accounts []inventory.Account, psets []inventory.PermissionSet, tree *inventory.OrgTree) error {
	a.review.Settings = SettingsDigest(a.opts.Settings)
	a.review.OUs = make(map[string]string, len(accounts))
	for _, acct := range accounts {
		if ou, ok := tree.OUOf(acct.Id); ok {
			a.review.OUs[acct.Id] = ou.Path
		}
	}
	var scopeErr, namedErr error
	a.review.Scope, a.review.Production, scopeErr = Scope(a.opts.Settings, accounts, tree)
	a.privileged, namedErr = NamedPrivilege(a.opts.Settings, psets, true)
	if err := errors.Join(scopeErr, namedErr); err != nil {
		return err
	}
	a.readPolicy = a.c.Policies != nil && (a.opts.Settings == nil || a.opts.Settings.Privileged.Policies)
	return nil
}

// privilege is a permission set's privilege as known so far.
func (a *auditor) privilege(arn string) Privilege {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.privileged[arn]
}

// readPolicies starts reading the policies of ps once, beside the
// listing; its block of rows waits for it (waitPolicies).
func (a *auditor) readPolicies(ps string) {
	if !a.readPolicy {
		return
	}
	a.mu.Lock()
	if _, ok := a.policyDone[ps]; ok {
		a.mu.Unlock()
		return
	}
	done := make(chan struct{})
	a.policyDone[ps] = done
	a.review.PoliciesRead++
	a.mu.Unlock()
	a.side.Go(func(ctx context.Context) {
		defer close(done)
		rank, reasons, err := ReadPrivilege(ctx, a.c.Policies, a.inst.Arn, ps)
		name := cmp.Or(a.psets[ps].Name, ps)
		a.mu.Lock()
		defer a.mu.Unlock()
		if err != nil {
			a.res.Errors = append(a.res.Errors, list.ItemError{Item: "policies of permission set " + name, Error: awsclient.Explain(err).Error(), Err: err})
			return
		}
		if rank == RankNone {
			return
		}
		p := a.privileged[ps]
		p.Name = a.psets[ps].Name
		for _, r := range reasons {
			p.add(rank, r)
		}
		a.privileged[ps] = p
	})
}

// waitPolicies waits until the policies of ps are read (or failed); false
// when ctx ended first.
func (a *auditor) waitPolicies(ctx context.Context, ps string) bool {
	a.mu.Lock()
	done := a.policyDone[ps]
	a.mu.Unlock()
	if done == nil {
		return true
	}
	select {
	case <-done:
		return true
	case <-ctx.Done():
		return false
	}
}

// discoverPermissionSets lists the permission sets, then for each, at
// once: its name, the accounts it is provisioned to, and those where its
// latest version is not provisioned.
func (a *auditor) discoverPermissionSets(ctx context.Context) ([]inventory.PermissionSet, error) {
	arns, err := inventory.PermissionSetArns(ctx, a.c.SSOAdmin, a.inst)
	if err != nil {
		return nil, err
	}
	n := len(arns)
	sets := make([]inventory.PermissionSet, n)
	all := make([][]string, n)
	stale := make([][]string, n)
	errs := make([]error, 3*n)
	var done atomic.Int32
	fanout.Each(ctx, 3*n, a.c.Concurrency0(), func(ctx context.Context, i int) {
		arn := arns[i/3]
		switch i % 3 {
		case 0:
			var ps []inventory.PermissionSet
			ps, errs[i] = inventory.DescribePermissionSets(ctx, inventory.Clients{SSOAdmin: a.c.SSOAdmin, Concurrency: 1}, a.inst, []string{arn})
			if errs[i] == nil {
				sets[i/3] = ps[0]
			}
		case 1:
			all[i/3], errs[i] = inventory.ProvisionedAccounts(ctx, a.c.SSOAdmin, a.inst, arn, "")
		case 2:
			stale[i/3], errs[i] = inventory.ProvisionedAccounts(ctx, a.c.SSOAdmin, a.inst, arn, "LATEST_PERMISSION_SET_NOT_PROVISIONED")
		}
		a.progress("discover", int(done.Add(1)), 3*n)
	})
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	a.provisioned = make(map[string]map[string]bool, n)
	for i, arn := range arns {
		m := make(map[string]bool, len(all[i]))
		for _, acct := range all[i] {
			m[acct] = true
		}
		for _, acct := range stale[i] {
			m[acct] = false
		}
		a.provisioned[arn] = m
		a.totalP += len(m)
	}
	a.res.Provisioned = a.totalP
	return sets, nil
}

// list lists every assignment through the one lister, with what
// discovery read (provisioning, principals, names), starting each assigned
// group's member listing as soon as its assignment is seen.
func (a *auditor) list(ctx context.Context, push func([]assignments.Assignment)) error {
	known := list.Known{Provisioned: make(map[string][]string, len(a.provisioned))}
	for ps, accts := range a.provisioned {
		for acct := range accts {
			known.Provisioned[ps] = append(known.Provisioned[ps], acct)
		}
	}
	for _, u := range a.users {
		known.Principals = append(known.Principals, list.Principal{Type: list.User, Id: u.Id})
	}
	for _, g := range a.groups {
		known.Principals = append(known.Principals, list.Principal{Type: list.Group, Id: g.Id})
	}
	var block []assignments.Assignment
	res, err := list.List(ctx, a.c.Clients, a.inst, list.Selection{}, list.Options{
		Method: a.opts.Method,
		Known:  known,
		Names: list.Names{
			Account:       func(id string) string { return a.accounts[id].Name },
			PermissionSet: func(arn string) string { return a.psets[arn].Name },
			Principal: func(typ, id string) string {
				if typ == list.Group {
					return a.groups[id].Name
				}
				return a.users[id].UserName
			},
		},
		Listed:   a.expand,
		Progress: a.progress,
	}, func(as assignments.Assignment) error {
		if len(block) > 0 && (as.AccountId != block[0].AccountId || as.PermissionSetArn != block[0].PermissionSetArn) {
			push(block)
			block = nil
		}
		block = append(block, as)
		return nil
	})
	if err != nil {
		return err
	}
	if len(block) > 0 {
		push(block)
	}
	a.res.Method, a.res.Complete = res.Method, res.Complete
	if !res.Complete {
		a.res.Notes = append(a.res.Notes, list.IncompleteNote)
	}
	a.mu.Lock()
	a.res.Errors = append(a.res.Errors, res.Errors...)
	a.mu.Unlock()
	return nil
}

// expand starts listing the members of every existing group these
// assignments name that is not listed yet.
func (a *auditor) expand(listed []assignments.Assignment) {
	for _, as := range listed {
		a.readPolicies(as.PermissionSetArn)
		if as.PrincipalType != "GROUP" {
			continue
		}
		g, ok := a.groups[as.PrincipalId]
		a.mu.Lock()
		start := ok && !a.expanding[g.Id]
		a.expanding[g.Id] = true
		done := make(chan struct{})
		if start {
			a.memberDone[g.Id] = done
		}
		a.mu.Unlock()
		if !start {
			continue
		}
		a.side.Go(func(ctx context.Context) {
			defer close(done)
			members, err := inventory.GroupMemberships(ctx, a.c.IdentityStore, a.inst, g.Id)
			a.mu.Lock()
			if err != nil {
				a.res.Errors = append(a.res.Errors, list.ItemError{Item: "members of group " + g.Name, Error: awsclient.Explain(err).Error(), Err: err})
				a.memberErr[g.Id] = true
			} else {
				a.members[g.Id] = members
			}
			a.membersDone++
			done, total := a.membersDone, len(a.expanding)
			a.mu.Unlock()
			a.progress("members", done, total)
		})
	}
}

// Concurrency0 is the fan-out width (see inventory.Clients.Concurrency).
func (c Clients) Concurrency0() int {
	if c.Concurrency > 0 {
		return c.Concurrency
	}
	return 16
}
