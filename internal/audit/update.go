package audit

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"sync"

	"github.com/ssoctl/ssoctl/internal/assignments"
	"github.com/ssoctl/ssoctl/internal/assignments/list"
	"github.com/ssoctl/ssoctl/internal/fanout"
	"github.com/ssoctl/ssoctl/internal/inventory"
)

// Changes is what an incremental audit lists again, because events since
// its base say it may have changed (activity.Place reads them from
// CloudTrail). Everything else is taken from the base as it was.
type Changes struct {
	// Accounts lists every account again; AccountIds describes some.
	Accounts   bool
	AccountIds []string
	// IdentityStore lists every user and group again, and the members of
	// every assigned group.
	IdentityStore bool
	// Members lists the members of every assigned group again.
	Members bool
	// PermissionSets are described again, with where they are provisioned.
	PermissionSets []string
	// ProvisionedTo are accounts whose provisioned permission sets are
	// read again.
	ProvisionedTo []string
	// Pairs are (account, permission set) pairs whose assignments are
	// listed again.
	Pairs []Pair
	// Users are described again; Groups described again with their
	// members; MembersOf have their members listed again.
	Users     []string
	Groups    []string
	MembersOf []string
	// UserDelta and GroupDelta are the users and groups created minus
	// those deleted, for the counts when the store is not listed again.
	UserDelta, GroupDelta int
}

// Pair is an account and a permission set.
type Pair struct {
	AccountId        string `json:"accountId"`
	PermissionSetArn string `json:"permissionSetArn"`
}

// Empty reports whether nothing needs listing again.
func (c Changes) Empty() bool {
	return !c.Accounts && !c.IdentityStore && !c.Members && len(c.AccountIds)+len(c.PermissionSets)+len(c.ProvisionedTo)+len(c.Pairs)+len(c.Users)+len(c.Groups)+len(c.MembersOf) == 0
}

// Update audits the organization again from base, listing only what ch
// names, and passes every row to emit in the same order, with the same
// findings, as Run would: the rows are rebuilt from base's directory and
// assignments with the fresh listings in place, by the same code that
// builds Run's. Items that fail to list are in Result.Errors (the result
// is then not Complete), as with Run.
func Update(ctx context.Context, c Clients, base *Base, ch Changes, opts Options, emit func(Row) error) (*Result, error) {
	a := &auditor{c: c, opts: opts, res: &Result{Findings: []Finding{}, Errors: []list.ItemError{}, Method: list.ByPermissionSet, Complete: true}, seen: map[string]bool{},
		members: map[string][]inventory.Member{}, memberErr: map[string]bool{}, memberDone: map[string]chan struct{}{}, expanding: map[string]bool{}}
	a.progress("discover", 0, 0)
	dir := inventory.NewDirectory(c.Clients, inventory.DirectoryOptions{InstanceArn: opts.InstanceArn})
	inst, err := dir.Instance(ctx, "")
	if err != nil {
		return nil, err
	}
	if inst != base.Directory.Instance {
		return nil, fmt.Errorf("the base audit is of instance %s, not %s", base.Directory.Instance.Arn, inst.Arn)
	}
	a.inst, a.res.Instance = inst, inst
	u := newUpdater(a, base)
	u.dir = dir
	// The access review is the base's, with the privilege of permission
	// sets that changed read again (below); no policy is read while rows
	// are written.
	a.review = base.Directory.Review
	a.review.OUs = maps.Clone(a.review.OUs)
	a.privileged = maps.Clone(base.Directory.Review.Privileged)
	if a.privileged == nil {
		a.privileged = map[string]Privilege{}
	}
	a.reviewer = NewReviewer(&a.review, a.privilege)
	if err := u.relist(ctx, ch); err != nil {
		return nil, err
	}
	a.iamDone = make(chan struct{})
	if opts.IAM {
		if err := a.legacyIAM(ctx); err != nil {
			a.itemError("legacy IAM users", err)
		}
	}
	close(a.iamDone)
	q := newQueue()
	for _, b := range u.blocks() {
		q.push(b)
	}
	q.close(nil)
	if err := a.write(ctx, q, emit); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	sortFindings(a.res.Findings)
	sort.SliceStable(a.res.Errors, func(i, j int) bool { return a.res.Errors[i].Item < a.res.Errors[j].Item })
	a.res.Causes = list.Causes(a.res.Errors)
	a.res.Complete = len(a.res.Errors) == 0
	a.res.Accounts, a.res.PermissionSets = len(a.accounts), len(a.psets)
	if ch.IdentityStore {
		a.res.Users, a.res.Groups = len(a.users), len(a.groups)
	} else {
		a.res.Users, a.res.Groups = base.Directory.UserCount+ch.UserDelta, base.Directory.GroupCount+ch.GroupDelta
	}
	for _, m := range a.provisioned {
		a.res.Provisioned += len(m)
	}
	a.review.Privileged = a.privileged
	a.res.Review = a.review
	a.res.AccessReview = a.reviewer.Finish(a.res.Findings)
	a.res.Directory = a.directory()
	return a.res, nil
}

// listPair lists the assignments of one (account, permission set) pair
// through the one lister, whether or not the pair is provisioned now (a
// deleted assignment may leave it unprovisioned).
func (u *updater) listPair(ctx context.Context, p Pair) ([]assignments.Assignment, error) {
	var out []assignments.Assignment
	known := list.Known{Accounts: []string{p.AccountId}, PermissionSets: []string{p.PermissionSetArn},
		Provisioned: map[string][]string{p.PermissionSetArn: {p.AccountId}}}
	res, err := list.List(ctx, u.a.c.Clients, u.a.inst, list.Selection{Accounts: known.Accounts, PermissionSets: known.PermissionSets},
		list.Options{Method: list.ByPermissionSet, Known: known}, func(as assignments.Assignment) error {
			out = append(out, as)
			return nil
		})
	if err != nil {
		return nil, err
	}
	if len(res.Errors) > 0 {
		return nil, res.Errors[0].Err
	}
	return out, nil
}

// updater holds an incremental audit's state besides the auditor's maps:
// the assignments per pair, and what this run found gone.
type updater struct {
	a *auditor
	// dir is the org directory every listing and lookup of accounts,
	// users and groups goes through.
	dir    *inventory.Directory
	assign map[Pair][]assignments.Assignment
	// relisted pairs, and principals and groups described in this run
	// (found or found gone), so none is read twice.
	relisted  map[Pair]bool
	described map[string]bool // "USER:id", "GROUP:id"
}

func newUpdater(a *auditor, base *Base) *updater {
	d := base.Directory
	a.accounts = make(map[string]inventory.Account, len(d.Accounts))
	for _, x := range d.Accounts {
		a.accounts[x.Id] = x
	}
	a.psets = make(map[string]inventory.PermissionSet, len(d.PermissionSets))
	a.provisioned = make(map[string]map[string]bool, len(d.PermissionSets))
	for _, p := range d.PermissionSets {
		a.psets[p.Arn] = inventory.PermissionSet{Arn: p.Arn, Name: p.Name}
		m := make(map[string]bool, len(p.Provisioned)+len(p.Outdated))
		for _, acct := range p.Provisioned {
			m[acct] = true
		}
		for _, acct := range p.Outdated {
			m[acct] = false
		}
		a.provisioned[p.Arn] = m
	}
	a.users = make(map[string]inventory.User, len(base.Users))
	for id, x := range base.Users {
		a.users[id] = x
	}
	a.groups = make(map[string]inventory.Group, len(d.AssignedGroups))
	for _, g := range d.AssignedGroups {
		a.groups[g.Id] = inventory.Group{Id: g.Id, Name: g.Name}
		a.members[g.Id] = slices.Clone(g.Members)
	}
	u := &updater{a: a, assign: map[Pair][]assignments.Assignment{}, relisted: map[Pair]bool{}, described: map[string]bool{}}
	for _, as := range base.Assignments {
		p := Pair{as.AccountId, as.PermissionSetArn}
		u.assign[p] = append(u.assign[p], as)
	}
	return u
}

// job is one read of an incremental audit: it runs concurrently with the
// others and returns what to apply, which is applied in job order once
// they have all run.
type job struct {
	item string // what an error is about
	run  func(ctx context.Context) (apply func(), err error)
}

// runJobs runs jobs concurrently and applies their results in order; a
// job that fails is an item error.
func (u *updater) runJobs(ctx context.Context, phase string, jobs []job) error {
	if len(jobs) == 0 {
		return nil
	}
	applies := make([]func(), len(jobs))
	errs := make([]error, len(jobs))
	var (
		mu   sync.Mutex
		done int
	)
	fanout.Each(ctx, len(jobs), u.a.c.Concurrency0(), func(ctx context.Context, i int) {
		applies[i], errs[i] = jobs[i].run(ctx)
		mu.Lock()
		done++
		n := done
		mu.Unlock()
		u.a.progress(phase, n, len(jobs))
	})
	if err := ctx.Err(); err != nil {
		return err
	}
	for i, j := range jobs {
		if errs[i] != nil {
			u.a.itemError(j.item, errs[i])
			continue
		}
		if applies[i] != nil {
			applies[i]()
		}
	}
	return nil
}

// relist reads what ch names, then what those reads turned up: the
// principals, permission sets and accounts of the pairs listed again that
// the base did not know, and the members of groups listed again or newly
// assigned.
func (u *updater) relist(ctx context.Context, ch Changes) error {
	a := u.a
	c := a.c.Clients
	var jobs []job
	if ch.Accounts {
		jobs = append(jobs, job{"accounts", func(ctx context.Context) (func(), error) {
			all, err := u.dir.Accounts(ctx)
			return func() {
				a.accounts = make(map[string]inventory.Account, len(all))
				for _, x := range all {
					a.accounts[x.Id] = x
				}
			}, err
		}})
	} else {
		jobs = append(jobs, u.describeAccounts(ch.AccountIds, true)...)
	}
	if ch.IdentityStore {
		jobs = append(jobs, job{"users", func(ctx context.Context) (func(), error) {
			all, err := u.dir.Users(ctx)
			return func() {
				a.users = make(map[string]inventory.User, len(all))
				for _, x := range all {
					a.users[x.Id] = x
				}
			}, err
		}}, job{"groups", func(ctx context.Context) (func(), error) {
			all, err := u.dir.Groups(ctx)
			return func() {
				a.groups = make(map[string]inventory.Group, len(all))
				for _, x := range all {
					a.groups[x.Id] = x
				}
			}, err
		}})
	} else {
		// Only users and groups the rows show matter now; others the
		// listings below turn up are read then.
		var users, groups []string
		for _, id := range ch.Users {
			if _, ok := a.users[id]; ok {
				users = append(users, id)
			}
		}
		for _, id := range ch.Groups {
			if _, ok := a.groups[id]; ok {
				groups = append(groups, id)
			}
		}
		jobs = append(jobs, u.describeUsers(users)...)
		jobs = append(jobs, u.describeGroups(groups)...)
	}
	for _, arn := range sortedUnique(ch.PermissionSets) {
		jobs = append(jobs, job{"permission set " + arn, func(ctx context.Context) (func(), error) {
			ps, err := inventory.DescribePermissionSet(ctx, c.SSOAdmin, a.inst, arn)
			if errors.Is(err, inventory.ErrNotFound) {
				return func() { delete(a.psets, arn); delete(a.provisioned, arn); delete(a.privileged, arn) }, nil
			}
			if err != nil {
				return nil, err
			}
			all, err := inventory.ProvisionedAccounts(ctx, c.SSOAdmin, a.inst, arn, "")
			if err != nil {
				return nil, err
			}
			stale, err := inventory.ProvisionedAccounts(ctx, c.SSOAdmin, a.inst, arn, "LATEST_PERMISSION_SET_NOT_PROVISIONED")
			if err != nil {
				return nil, err
			}
			// Its privilege, judged again as Run judges it: by name, then
			// by its policies.
			named, err := NamedPrivilege(a.opts.Settings, []inventory.PermissionSet{{Arn: arn, Name: ps.Name}}, false)
			if err != nil {
				return nil, err
			}
			priv := named[arn]
			if a.c.Policies != nil && (a.opts.Settings == nil || a.opts.Settings.Privileged.Policies) {
				rank, reasons, err := ReadPrivilege(ctx, a.c.Policies, a.inst.Arn, arn)
				if err != nil {
					return nil, err
				}
				if rank != RankNone {
					priv.Name = ps.Name
					for _, r := range reasons {
						priv.add(rank, r)
					}
				}
			}
			return func() {
				a.psets[arn] = inventory.PermissionSet{Arn: arn, Name: ps.Name}
				if priv.Rank > RankNone {
					a.privileged[arn] = priv
				} else {
					delete(a.privileged, arn)
				}
				m := make(map[string]bool, len(all))
				for _, acct := range all {
					m[acct] = true
				}
				for _, acct := range stale {
					m[acct] = false
				}
				a.provisioned[arn] = m
			}, err
		}})
	}
	// Provisioning per account is applied after the permission sets'
	// (jobs apply in order), so the later read of a pair wins either way.
	for _, acct := range sortedUnique(ch.ProvisionedTo) {
		jobs = append(jobs, job{"provisioning of account " + acct, func(ctx context.Context) (func(), error) {
			all, err := inventory.ProvisionedToAccount(ctx, c.SSOAdmin, a.inst, acct, "")
			if err != nil {
				return nil, err
			}
			stale, err := inventory.ProvisionedToAccount(ctx, c.SSOAdmin, a.inst, acct, "LATEST_PERMISSION_SET_NOT_PROVISIONED")
			return func() {
				for _, m := range a.provisioned {
					delete(m, acct)
				}
				for _, arn := range all {
					if a.provisioned[arn] == nil {
						a.provisioned[arn] = map[string]bool{}
					}
					a.provisioned[arn][acct] = true
				}
				for _, arn := range stale {
					if a.provisioned[arn] == nil {
						a.provisioned[arn] = map[string]bool{}
					}
					a.provisioned[arn][acct] = false
				}
			}, err
		}})
	}
	pairs := slices.Clone(ch.Pairs)
	slices.SortFunc(pairs, func(x, y Pair) int {
		return cmp.Or(cmp.Compare(x.AccountId, y.AccountId), cmp.Compare(x.PermissionSetArn, y.PermissionSetArn))
	})
	for _, p := range slices.Compact(pairs) {
		jobs = append(jobs, job{fmt.Sprintf("account %s permission set %s", p.AccountId, p.PermissionSetArn), func(ctx context.Context) (func(), error) {
			as, err := u.listPair(ctx, p)
			return func() {
				u.assign[p] = as
				u.relisted[p] = true
			}, err
		}})
	}
	if err := u.runJobs(ctx, "changes", jobs); err != nil {
		return err
	}

	// What the pairs listed again name that the base did not know.
	var users, groups, psets, accounts []string
	for p := range u.relisted {
		if _, ok := a.psets[p.PermissionSetArn]; !ok {
			psets = append(psets, p.PermissionSetArn)
		}
		if _, ok := a.accounts[p.AccountId]; !ok && !ch.Accounts {
			accounts = append(accounts, p.AccountId)
		}
		for _, as := range u.assign[p] {
			switch {
			case as.PrincipalType == list.User && !ch.IdentityStore && !u.described["USER:"+as.PrincipalId]:
				if _, ok := a.users[as.PrincipalId]; !ok {
					users = append(users, as.PrincipalId)
				}
			case as.PrincipalType == list.Group && !ch.IdentityStore && !u.described["GROUP:"+as.PrincipalId]:
				if _, ok := a.groups[as.PrincipalId]; !ok {
					groups = append(groups, as.PrincipalId)
				}
			}
		}
	}
	jobs = append(u.describeUsers(users), u.describeGroups(groups)...)
	for _, arn := range sortedUnique(psets) {
		jobs = append(jobs, job{"permission set " + arn, func(ctx context.Context) (func(), error) {
			ps, err := inventory.DescribePermissionSet(ctx, c.SSOAdmin, a.inst, arn)
			if errors.Is(err, inventory.ErrNotFound) {
				return nil, nil
			}
			return func() { a.psets[arn] = inventory.PermissionSet{Arn: arn, Name: ps.Name} }, err
		}})
	}
	jobs = append(jobs, u.describeAccounts(accounts, false)...)
	if err := u.runJobs(ctx, "changes", jobs); err != nil {
		return err
	}

	// The members of every group that is assigned now and exists: listed
	// again when asked, when the group is newly assigned, or when it was
	// described again.
	assigned := u.assignedGroups()
	membersOf := map[string]bool{}
	for _, g := range ch.MembersOf {
		membersOf[g] = true
	}
	var relist []string
	for _, g := range assigned {
		_, known := a.members[g]
		if ch.IdentityStore || ch.Members || !known || u.described["GROUP:"+g] || membersOf[g] {
			relist = append(relist, g)
		}
	}
	jobs = nil
	for _, g := range relist {
		jobs = append(jobs, job{"members of group " + cmp.Or(a.groups[g].Name, g), func(ctx context.Context) (func(), error) {
			ms, err := inventory.GroupMemberships(ctx, c.IdentityStore, a.inst, g)
			if errors.Is(err, inventory.ErrNotFound) {
				return func() { delete(a.groups, g); delete(a.members, g) }, nil
			}
			if err != nil {
				return func() { a.memberErr[g] = true }, err
			}
			return func() { a.members[g] = ms }, nil
		}})
	}
	if err := u.runJobs(ctx, "members", jobs); err != nil {
		return err
	}
	// Groups no longer assigned are forgotten; assigned ones are the
	// directory's.
	keep := map[string]bool{}
	for _, g := range assigned {
		keep[g] = true
		if _, ok := a.groups[g]; ok {
			a.expanding[g] = true
		}
	}
	for g := range a.members {
		if !keep[g] {
			delete(a.members, g)
		}
	}
	// Members the users map does not know (new members, or every member
	// when the store was listed again, in which case they do not exist).
	if !ch.IdentityStore {
		var unknown []string
		for _, g := range relist {
			for _, m := range a.members[g] {
				if _, ok := a.users[m.UserId]; !ok && !u.described["USER:"+m.UserId] {
					unknown = append(unknown, m.UserId)
				}
			}
		}
		if err := u.runJobs(ctx, "members", u.describeUsers(unknown)); err != nil {
			return err
		}
	}
	return nil
}

// describeUsers reads users again (ListUsers pages or one DescribeUser
// each, whichever inventory finds cheaper): found ones are updated,
// missing ones forgotten.
func (u *updater) describeUsers(ids []string) []job {
	ids = sortedUnique(ids)
	if len(ids) == 0 {
		return nil
	}
	a := u.a
	for _, id := range ids {
		u.described["USER:"+id] = true
	}
	return []job{{"users", func(ctx context.Context) (func(), error) {
		found, err := u.dir.UsersByID(ctx, ids)
		return func() {
			for _, id := range ids {
				if x, ok := found[id]; ok {
					a.users[id] = x
				} else {
					delete(a.users, id)
				}
			}
		}, err
	}}}
}

// describeAccounts reads accounts again through the directory (ListAccounts
// pages or one DescribeAccount each, whichever it finds cheaper): found
// ones are updated; missing ones forgotten when forget is set.
func (u *updater) describeAccounts(ids []string, forget bool) []job {
	ids = sortedUnique(ids)
	if len(ids) == 0 {
		return nil
	}
	a := u.a
	return []job{{"accounts", func(ctx context.Context) (func(), error) {
		found, err := u.dir.AccountsByID(ctx, ids)
		return func() {
			for _, id := range ids {
				if x, ok := found[id]; ok {
					a.accounts[id] = x
				} else if forget {
					delete(a.accounts, id)
				}
			}
		}, err
	}}}
}

// describeGroups reads groups again, as describeUsers reads users; their
// members are then listed again.
func (u *updater) describeGroups(ids []string) []job {
	ids = sortedUnique(ids)
	if len(ids) == 0 {
		return nil
	}
	a := u.a
	for _, id := range ids {
		u.described["GROUP:"+id] = true
	}
	return []job{{"groups", func(ctx context.Context) (func(), error) {
		found, err := u.dir.GroupsByID(ctx, ids)
		return func() {
			for _, id := range ids {
				if x, ok := found[id]; ok {
					a.groups[id] = x
				} else {
					delete(a.groups, id)
					delete(a.members, id)
				}
			}
		}, err
	}}}
}

// assignedGroups are the groups the assignments of provisioned pairs name,
// existing ones only, sorted.
func (u *updater) assignedGroups() []string {
	var out []string
	for p, as := range u.assign {
		if _, ok := u.a.provisioned[p.PermissionSetArn][p.AccountId]; !ok {
			continue
		}
		for _, x := range as {
			if x.PrincipalType == list.Group {
				if _, ok := u.a.groups[x.PrincipalId]; ok {
					out = append(out, x.PrincipalId)
				}
			}
		}
	}
	return sortedUnique(out)
}

// blocks are the assignments of every provisioned pair, a block per pair,
// in the lister's order: account name and id, permission-set name and
// ARN; within a pair, users before groups, by name and id.
func (u *updater) blocks() [][]assignments.Assignment {
	a := u.a
	var pairs []Pair
	for p, as := range u.assign {
		if _, ok := a.provisioned[p.PermissionSetArn][p.AccountId]; ok && len(as) > 0 {
			pairs = append(pairs, p)
		}
	}
	slices.SortFunc(pairs, func(x, y Pair) int {
		return cmp.Or(cmp.Compare(a.accounts[x.AccountId].Name, a.accounts[y.AccountId].Name), cmp.Compare(x.AccountId, y.AccountId),
			cmp.Compare(a.psets[x.PermissionSetArn].Name, a.psets[y.PermissionSetArn].Name), cmp.Compare(x.PermissionSetArn, y.PermissionSetArn))
	})
	name := func(x assignments.Assignment) string {
		if x.PrincipalType == list.Group {
			return a.groups[x.PrincipalId].Name
		}
		return a.users[x.PrincipalId].UserName
	}
	out := make([][]assignments.Assignment, 0, len(pairs))
	for _, p := range pairs {
		b := slices.Clone(u.assign[p])
		slices.SortFunc(b, func(x, y assignments.Assignment) int {
			return cmp.Or(cmp.Compare(list.TypeRank(x.PrincipalType), list.TypeRank(y.PrincipalType)), cmp.Compare(name(x), name(y)), cmp.Compare(x.PrincipalId, y.PrincipalId))
		})
		out = append(out, slices.Compact(b))
	}
	return out
}

func sortedUnique(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return slices.Compact(s)
}
