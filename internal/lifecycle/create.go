package lifecycle

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	istypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"

	"github.com/ssoctl/ssoctl/internal/assignments"
	"github.com/ssoctl/ssoctl/internal/assignments/execute"
	"github.com/ssoctl/ssoctl/internal/assignments/list"
	"github.com/ssoctl/ssoctl/internal/awsclient"
	"github.com/ssoctl/ssoctl/internal/fanout"
	"github.com/ssoctl/ssoctl/internal/inventory"
	"github.com/ssoctl/ssoctl/internal/orgconfig"
)

// Creating people scales to a whole company's file: every row is checked
// first without calling AWS (fields, domain, bundle names, duplicates),
// each access bundle is resolved once, the directory is read once (one
// ListUsers listing rather than a lookup per row), and the writes go out
// together — the users at the identity store's rate, then every assignment
// through one executor run (15 outstanding within Identity Center's 20 TPS).

// Row is one person of a people file (or of the command line): the
// person, or why the row is unusable.
type Row struct {
	// Line is the row's line in the file (0 for the command line).
	Line int     `json:"line"`
	User NewUser `json:"user"`
	Err  error   `json:"-"`
}

// peopleColumns are the columns a people file may have; the first three are
// required.
var peopleColumns = []string{"username", "given_name", "family_name", "email", "access", "display_name"}

// ReadPeople reads a CSV (named name in errors) with the header username,given_name,family_name
// and optionally email, access, display_name (in any order). A row that
// cannot be read (a broken quote, more fields than the header) is returned
// with its error and the others go on; a header with an unknown or
// repeated column is an error of the whole file, since every row would be
// read wrong.
func ReadPeople(name string, r io.Reader) ([]Row, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: read the CSV header: %w", name, err)
	}
	header = append([]string(nil), header...)
	col := map[string]int{}
	for i, h := range header {
		c := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		known := false
		for _, k := range peopleColumns {
			known = known || k == c
		}
		switch _, dup := col[c]; {
		case !known:
			return nil, fmt.Errorf("%s:1: unknown column %q%s (the columns are %s)", name, h, inventory.Suggest(c, peopleColumns), strings.Join(peopleColumns, ","))
		case dup:
			return nil, fmt.Errorf("%s:1: column %s appears twice", name, c)
		}
		col[c] = i
	}
	for _, need := range peopleColumns[:3] {
		if _, ok := col[need]; !ok {
			return nil, fmt.Errorf("%s:1: the CSV header needs the columns username,given_name,family_name (and optionally email,access,display_name); it has %s", name, strings.Join(header, ","))
		}
	}
	get := func(rec []string, column string) string {
		i, ok := col[column]
		if !ok || i >= len(rec) {
			return ""
		}
		return strings.TrimSpace(rec[i])
	}
	var rows []Row
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if !errors.As(err, &pe) {
				return rows, fmt.Errorf("read %s: %w", name, err)
			}
			rows = append(rows, Row{Line: pe.StartLine, Err: fmt.Errorf("not valid CSV: %v", pe.Err)})
			continue
		}
		line, _ := cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		row := Row{Line: line, User: NewUser{
			UserName: get(rec, "username"), GivenName: get(rec, "given_name"), FamilyName: get(rec, "family_name"),
			Email: get(rec, "email"), Access: get(rec, "access"), DisplayName: get(rec, "display_name"),
		}}
		if len(rec) > len(header) {
			row.Err = fmt.Errorf("%d fields; the header has %d (a comma too many, or a value that needs quotes)", len(rec), len(header))
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// CheckPeople checks every row without calling AWS — the fields and the
// e-mail domain (Normalize, which also fills the defaults), that the
// access bundle is in the org settings, and that no user name or e-mail
// address is given twice — and sets the Err of each row that fails.
func CheckPeople(cfg *orgconfig.Config, rows []Row, force bool) {
	byName, byEmail := map[string]int{}, map[string]int{}
	for i := range rows {
		r := &rows[i]
		if r.Err != nil {
			continue
		}
		if err := r.User.Normalize(cfg, force); err != nil {
			r.Err = err
			continue
		}
		if r.User.Access != "" {
			if _, err := Bundle(cfg, r.User.Access); err != nil {
				r.Err = err
				continue
			}
		}
		name, email := strings.ToLower(r.User.UserName), strings.ToLower(r.User.Email)
		if first, ok := byName[name]; ok {
			r.Err = fmt.Errorf("user %s is already on line %d", r.User.UserName, first)
			continue
		}
		if first, ok := byEmail[email]; ok {
			r.Err = fmt.Errorf("user %s: the e-mail address %s is already on line %d", r.User.UserName, r.User.Email, first)
			continue
		}
		byName[name], byEmail[email] = r.Line, r.Line
	}
}

// CreatePlan is what `user create` will do for one person.
type CreatePlan struct {
	User NewUser `json:"user"`
	// Exists: a user of that name is already there (its id); only the
	// access (and a welcome e-mail never sent) is planned, so a re-run
	// after an interruption finishes.
	Exists string     `json:"existingUserId,omitempty"`
	Access AccessPlan `json:"access"`
	// Welcome: the welcome e-mail is to be sent — to a new user with
	// --notify, or to one whose welcome e-mail was never sent.
	Welcome bool `json:"welcome,omitempty"`
	// WelcomePending is the record of that unsent e-mail (a membership of
	// WelcomeGroup), when the user exists.
	WelcomePending string `json:"welcomePendingMembershipId,omitempty"`
}

// Todo reports whether the plan changes anything.
func (p CreatePlan) Todo() bool {
	return p.Exists == "" || len(p.Access.Plan.Changes) > 0 || p.Welcome
}

// CreateOptions choose what PlanCreates plans.
type CreateOptions struct {
	// Force accepts e-mail addresses outside the org's domain.
	Force bool
	// Notify makes the welcome e-mail part of the plan.
	Notify bool
}

// PlanCreates checks every row (CheckPeople), then plans the good ones:
// each access bundle resolved once, the identity store read once, the
// existing users' assignments read once. It returns one plan per row (nil
// where the row has an Err). The error is for the run as a whole.
func (d *Directory) PlanCreates(ctx context.Context, cfg *orgconfig.Config, rows []Row, opts CreateOptions) ([]*CreatePlan, error) {
	CheckPeople(cfg, rows, opts.Force)
	type resolved struct {
		targets []Target
		skipped []Skipped
		err     error
	}
	bundles := map[string]*resolved{}
	for i := range rows {
		r := &rows[i]
		if r.Err != nil || r.User.Access == "" {
			continue
		}
		b, ok := bundles[r.User.Access]
		if !ok {
			bundle, err := Bundle(cfg, r.User.Access)
			b = &resolved{err: err}
			if err == nil {
				b.targets, b.skipped, b.err = d.BundleTargets(ctx, bundle)
			}
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			bundles[r.User.Access] = b
		}
		if b.err != nil {
			r.Err = b.err
		}
	}
	var names []string
	for _, r := range rows {
		if r.Err == nil {
			names = append(names, r.User.UserName)
		}
	}
	plans := make([]*CreatePlan, len(rows))
	if len(names) == 0 {
		return plans, nil
	}
	existing, err := d.existingUsers(ctx, names)
	if err != nil {
		return nil, err
	}
	// The existing users' assignments, for the targets their bundles name.
	var ids []string
	seenTarget := map[string]bool{}
	var targets []Target
	for _, r := range rows {
		id := existing[strings.ToLower(r.User.UserName)]
		if r.Err != nil || id == "" || r.User.Access == "" {
			continue
		}
		ids = append(ids, id)
		for _, t := range bundles[r.User.Access].targets {
			if k := t.PermissionSet.Arn + "|" + t.Account.Id; !seenTarget[k] {
				seenTarget[k] = true
				targets = append(targets, t)
			}
		}
	}
	have, err := d.assignedAmong(ctx, ids, targets)
	if err != nil {
		return nil, err
	}
	var pending map[string]string
	if opts.Notify {
		if pending, err = d.PendingWelcomes(ctx); err != nil {
			return nil, err
		}
	}
	for i, r := range rows {
		if r.Err != nil {
			continue
		}
		p := &CreatePlan{User: r.User}
		u := inventory.User{UserName: r.User.UserName, DisplayName: r.User.DisplayName, Email: r.User.Email}
		p.Exists = existing[strings.ToLower(r.User.UserName)]
		u.Id = p.Exists
		var b resolved
		if r.User.Access != "" {
			b = *bundles[r.User.Access]
		}
		p.Access = d.planAccess(u, have[u.Id], b.targets, nil)
		p.Access.Skipped = b.skipped
		switch m, ok := pending[p.Exists]; {
		case !opts.Notify:
		case p.Exists == "":
			p.Welcome = true
		case ok:
			p.Welcome, p.WelcomePending = true, m
		}
		plans[i] = p
	}
	return plans, nil
}

// existingUsers maps the lower-case user names (and, for names that are
// e-mail addresses, the address) of those users that exist to their ids
// (the directory's UserIDsByName).
func (d *Directory) existingUsers(ctx context.Context, names []string) (map[string]string, error) {
	return d.UserIDsByName(ctx, names)
}

// assignedAmong reads which of targets the users (ids) are directly
// assigned: user id -> "permission set ARN|account id". It asks the one
// lister per user (ListAccountAssignmentsForPrincipal) or per target
// (ListAccountAssignments), whichever is fewer listings.
func (d *Directory) assignedAmong(ctx context.Context, ids []string, targets []Target) (map[string]map[string]bool, error) {
	have := map[string]map[string]bool{}
	if len(ids) == 0 || len(targets) == 0 {
		return have, nil
	}
	mark := func(a assignments.Assignment) {
		if have[a.PrincipalId] == nil {
			have[a.PrincipalId] = map[string]bool{}
		}
		have[a.PrincipalId][a.PermissionSetArn+"|"+a.AccountId] = true
	}
	if len(ids) <= len(targets) {
		sel := list.Selection{Principals: make([]list.Principal, len(ids))}
		for i, id := range ids {
			sel.Principals[i] = list.Principal{Type: list.User, Id: id}
		}
		as, err := list.All(ctx, d.c.inventory(), d.inst, sel, list.ByPrincipal)
		if err != nil {
			return nil, err
		}
		for _, a := range as {
			mark(a)
		}
		return have, nil
	}
	want := map[string]bool{}
	for _, id := range ids {
		want[id] = true
	}
	// The targets are the pairs to list: those not provisioned have no
	// assignments to find.
	pairs := map[string][]string{}
	for _, t := range targets {
		pairs[t.PermissionSet.Arn] = append(pairs[t.PermissionSet.Arn], t.Account.Id)
	}
	as, err := list.AllWith(ctx, d.c.inventory(), d.inst, list.Selection{}, list.Options{Method: list.ByPermissionSet, Known: list.Known{Provisioned: pairs}})
	if err != nil {
		return nil, err
	}
	for _, a := range as {
		if a.PrincipalType == list.User && want[a.PrincipalId] {
			mark(a)
		}
	}
	return have, nil
}

// concurrency is the calls a bulk step keeps in flight; the clients' token
// buckets hold the rate to AWS's quotas.
func (d *Directory) concurrency() int { return 16 }

// PlanCreate plans creating one person and giving them their bundle.
func (d *Directory) PlanCreate(ctx context.Context, cfg *orgconfig.Config, n NewUser, force bool) (CreatePlan, error) {
	rows := []Row{{User: n}}
	plans, err := d.PlanCreates(ctx, cfg, rows, CreateOptions{Force: force})
	if err != nil {
		return CreatePlan{}, err
	}
	if rows[0].Err != nil {
		return CreatePlan{}, rows[0].Err
	}
	return *plans[0], nil
}

// CreateResult is the outcome of one CreatePlan.
type CreateResult struct {
	User    inventory.User `json:"user"`
	Created bool           `json:"created"`
	Access  execute.Report `json:"access"`
	// WelcomePending is the record of the welcome e-mail still to send (a
	// membership of WelcomeGroup; "" when none).
	WelcomePending string `json:"welcomePendingMembershipId,omitempty"`
	// WelcomeRecordError says why the unsent e-mail could not be recorded.
	WelcomeRecordError string `json:"welcomeRecordError,omitempty"`
	// Error is why the user could not be created.
	Error string `json:"error,omitempty"`
}

// ApplyCreates carries the plans out (nil plans are skipped): the users
// that do not exist are created (several calls in flight, at the identity
// store's rate; a user whose welcome e-mail is planned is recorded in
// WelcomeGroup at once), and every user's assignments are made by the
// executor. The users go in batches, and while one batch is created the
// executor makes the assignments of the batch before: the identity store
// and Identity Center have quotas of their own, so a large file takes
// about the longer of the two, not their sum. onCreate (may be nil) gets
// each user's outcome as it comes (the plan's index, and how many of how
// many are done), from one goroutine at a time. The results follow the plans; the report is the
// executor's, all batches together. The error is for the run as a whole
// (ctx ended).
func (d *Directory) ApplyCreates(ctx context.Context, plans []*CreatePlan, opts execute.Options, onCreate func(i int, res CreateResult, done, total int)) ([]CreateResult, execute.Report, error) {
	results := make([]CreateResult, len(plans))
	var todo []int
	fresh, changes := 0, 0
	for i, p := range plans {
		if p == nil {
			continue
		}
		results[i] = CreateResult{User: inventory.User{Id: p.Exists, UserName: p.User.UserName, DisplayName: p.User.DisplayName, Email: p.User.Email, Status: "ENABLED"},
			WelcomePending: p.WelcomePending}
		todo = append(todo, i)
		changes += len(p.Access.Plan.Changes)
		if p.Exists == "" {
			fresh++
		}
	}
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ready := make(chan []int, 1)
	go func() {
		defer close(ready)
		done := 0
		for batch := range slices.Chunk(todo, createBatch(len(todo))) {
			var mk []int
			for _, i := range batch {
				if plans[i].Exists == "" {
					mk = append(mk, i)
				}
			}
			fanout.Stream(cctx, mk, d.concurrency(), func(ctx context.Context, i int) (CreateResult, error) {
				return d.createOne(ctx, plans[i], results[i])
			}, func(i int, res CreateResult, err error) {
				if err != nil && res.Error == "" { // never started: ctx ended
					res = results[i]
					res.Error = err.Error()
				}
				results[i] = res
				done++
				if onCreate != nil {
					onCreate(i, res, done, fresh)
				}
			})
			select {
			case ready <- batch:
			case <-cctx.Done():
				return
			}
		}
	}()
	var parts []execute.Report
	var runErr error
	sent := 0
	for batch := range ready {
		plan := execute.Plan{InstanceArn: d.inst.Arn}
		for _, i := range batch {
			if results[i].User.Id == "" {
				continue
			}
			for _, ch := range plans[i].Access.Plan.Changes {
				ch.PrincipalId = results[i].User.Id
				plan.Changes = append(plan.Changes, ch)
			}
		}
		if runErr != nil || len(plan.Changes) == 0 {
			continue
		}
		o := opts
		if opts.OnProgress != nil { // one count over all batches
			base := sent
			o.OnProgress = func(p execute.Progress) {
				p.Done, p.Total = base+p.Done, changes
				opts.OnProgress(p)
			}
		}
		rep, err := execute.Apply(cctx, d.c.SSOAdmin, plan, o)
		parts = append(parts, rep)
		sent += len(plan.Changes)
		if err != nil {
			runErr = err
			cancel()
		}
	}
	if runErr == nil {
		runErr = ctx.Err()
	}
	rep := execute.Merge(d.inst.Arn, parts...)
	byUser := rep.ByPrincipal()
	for i := range results {
		if part, ok := byUser[results[i].User.Id]; ok && results[i].User.Id != "" {
			results[i].Access = part
		}
	}
	return results, rep, runErr
}

// createBatch is how many users ApplyCreates creates before their
// assignments start: a tenth of the file, at least 100 (small files go in
// one batch) and at most 5,000 (each executor run ends with a tail of its
// last requests finishing).
func createBatch(n int) int {
	return min(max(n/10, 100), 5000)
}

// createOne creates one user (and records their pending welcome e-mail).
func (d *Directory) createOne(ctx context.Context, p *CreatePlan, res CreateResult) (CreateResult, error) {
	id, err := d.createUser(ctx, p.User)
	if err != nil {
		res.Error = err.Error()
		return res, err
	}
	res.User.Id, res.Created = id, true
	if p.Welcome {
		m, err := d.recordWelcome(ctx, id)
		if err != nil {
			res.WelcomeRecordError = err.Error()
		}
		res.WelcomePending = m
	}
	return res, nil
}

// createUser creates one identity-store user and returns its id.
func (d *Directory) createUser(ctx context.Context, n NewUser) (string, error) {
	out, err := d.c.IdentityStore.CreateUser(ctx, &identitystore.CreateUserInput{
		IdentityStoreId: &d.inst.IdentityStoreId,
		UserName:        aws.String(n.UserName),
		DisplayName:     aws.String(n.DisplayName),
		Name:            &istypes.Name{GivenName: aws.String(n.GivenName), FamilyName: aws.String(n.FamilyName), Formatted: aws.String(n.DisplayName)},
		Emails:          []istypes.Email{{Value: aws.String(n.Email), Type: aws.String("work"), Primary: true}},
	})
	if err != nil {
		return "", fmt.Errorf("create user %s: %s", n.UserName, apiMessage(err))
	}
	return aws.ToString(out.UserId), nil
}

// ApplyCreate creates one user (unless they exist) and their access.
func (d *Directory) ApplyCreate(ctx context.Context, p CreatePlan, opts execute.Options) (CreateResult, error) {
	results, _, err := d.ApplyCreates(ctx, []*CreatePlan{&p}, opts, nil)
	if err == nil && results[0].Error != "" {
		err = errors.New(results[0].Error)
	}
	return results[0], err
}

// apiMessage is an API error's code and message without the SDK's wrapping.
func apiMessage(err error) string { return awsclient.Message(err) }
