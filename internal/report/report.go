// Package report writes the self-contained HTML access report: one file
// with inline CSS and JavaScript and no network fetches, readable in any
// browser and on paper.
//
// "Who can reach production?" comes first: privileged access to the
// production accounts, by OU and account, with the path. The summary, the
// findings (one line per cause, expanding to its findings) and the changes
// since the previous snapshot are rendered on the server by html/template. Effective access (a user ×
// account matrix that can be aggregated by group or permission set,
// filtered, searched and drilled down to rows) is rendered in the browser
// from a JSON island: compact tables of names and one array of integers per
// row. Every name reaches the page escaped — by html/template, or as JSON
// with <, > and & escaped, inserted by the script with textContent — and a
// Content-Security-Policy allows only the page's own script (by hash), no
// connection, no image or frame from anywhere.
package report

import (
	"bufio"
	"cmp"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ssoctl/ssoctl/internal/activity"
	"github.com/ssoctl/ssoctl/internal/assignments/list"
	"github.com/ssoctl/ssoctl/internal/audit"
	"github.com/ssoctl/ssoctl/internal/render"
)

//go:embed report.js
var script string

//go:embed report.css
var style string

//go:embed report.html.tmpl
var pageTemplate string

// Info says what the report is of.
type Info struct {
	Generated       time.Time
	Snapshot        int64 // 0 when the audit was not saved
	Taken           time.Time
	InstanceArn     string
	IdentityStoreId string
	Method          string
	Notes           []string
	Findings        []audit.Finding
	Errors          []list.ItemError
	// Incomplete is set when the audit could not list the whole
	// organization; Causes says why. The page then says so first, and
	// shows no changes (what it missed would read as access lost).
	Incomplete bool
	Causes     []list.Cause
	Diff       *Diff // nil when there is no earlier complete snapshot
	// Review is what the audit's review knew (OU paths, production,
	// privileged permission sets); Production and FindingCauses are its
	// answer: who has privileged access to production, and the findings
	// by cause (each with the indexes of its findings in Findings).
	Review        audit.Review
	Production    audit.Production
	FindingCauses []audit.Cause
	// LastUses are when each user last fetched credentials for each
	// account and role, as ssoctl access unused has read them (nil: none
	// known); the detail tables then show a Last used column.
	LastUses map[activity.UseKey]time.Time
}

// Diff is the change since the previous snapshot.
type Diff struct {
	From, To int64
	// Skipped are the incomplete snapshots between From and To, passed
	// over as the base (newest first).
	Skipped            []int64
	FromTaken, ToTaken time.Time
	Gained, Lost       int
	// Rows are the first changed rows (up to MaxDiffRows), in report order.
	Rows           []DiffRow
	Appeared       []audit.Finding
	Resolved       []audit.Finding
	Accounts       []Count
	PermissionSets []Count
}

// DiffRow is one changed row.
type DiffRow struct {
	Change string
	Row    audit.Row
	// Actor and EventTime say who made the change and when, where an
	// event explains it.
	Actor     string
	EventTime time.Time
}

// Count is how much one account or permission set gained and lost.
type Count struct {
	Id, Name     string
	Gained, Lost int
}

// MaxDiffRows bounds the changed rows a report lists; the counts cover
// them all.
const MaxDiffRows = 2000

// Builder collects the rows of a report as they stream: names once each,
// and five integers a row.
type Builder struct {
	accounts idx[[3]string] // id, name, status
	psets    idx[[2]string] // name, arn
	users    idx[[5]string] // id, user name, email, display name, status
	princs   idx[[3]string] // type, id, group name
	flags    idx[string]
	rows     []int32
}

type idx[K comparable] struct {
	m    map[K]int32
	list []K
}

func (x *idx[K]) of(k K) int32 {
	if x.m == nil {
		x.m = map[K]int32{}
	}
	if i, ok := x.m[k]; ok {
		return i
	}
	i := int32(len(x.list))
	x.m[k] = i
	x.list = append(x.list, k)
	return i
}

// NewBuilder returns an empty report.
func NewBuilder() *Builder {
	b := &Builder{}
	b.flags.of("")
	return b
}

// Row adds one row of the audit. Its names are escaped first (see clean).
func (b *Builder) Row(r audit.Row) error {
	r = cleanRow(r)
	u := int32(-1)
	if r.UserId != "" || r.UserName != "" {
		u = b.users.of([5]string{r.UserId, r.UserName, r.UserEmail, r.DisplayName, r.UserStatus})
	}
	b.rows = append(b.rows,
		u,
		b.accounts.of([3]string{r.AccountId, r.AccountName, r.AccountStatus}),
		b.psets.of([2]string{r.PermissionSet, r.PermissionSetArn}),
		b.princs.of([3]string{r.PrincipalType, r.PrincipalId, r.GroupName}),
		b.flags.of(strings.Join(r.Flags, " ")),
	)
	return nil
}

// Rows is how many rows were added.
func (b *Builder) Rows() int { return len(b.rows) / 5 }

type kindCount struct {
	Kind  string
	Count int
}

type page struct {
	Info
	Rows, Users, Accounts, PermissionSets, Groups int
	Kinds                                         []kindCount
	// Privileged are the privileged permission sets, most privileged
	// first; ByCause the findings by cause, each with its findings.
	Privileged []audit.Privilege
	ByCause    []causeView
	// Reviewed is false for a snapshot saved before audits kept their
	// review (no OU paths, production or privilege recorded).
	Reviewed   bool
	DiffCapped bool
	Script     template.JS
	Style      template.CSS
	CSP        string
	Data       template.JS
}

// Write renders the report.
func (b *Builder) Write(w io.Writer, info Info) error {
	if info.FindingCauses == nil && len(info.Findings) > 0 {
		// Findings without their causes: each finding's cause, without
		// the rows' counts.
		info.FindingCauses = audit.NewReviewer(&info.Review, nil).Finish(info.Findings).Causes
	}
	info = cleanInfo(info)
	p := page{Info: info, Rows: b.Rows(), Users: len(b.users.list), Accounts: len(b.accounts.list), PermissionSets: len(b.psets.list)}
	for _, pr := range b.princs.list {
		if pr[0] == "GROUP" {
			p.Groups++
		}
	}
	kinds := map[string]int{}
	for _, f := range info.Findings {
		kinds[f.Kind]++
	}
	for _, pr := range info.Review.Privileged {
		p.Privileged = append(p.Privileged, pr)
	}
	slices.SortFunc(p.Privileged, audit.ComparePrivilege)
	p.ByCause = causeViews(info.FindingCauses, info.Findings)
	p.Reviewed = len(info.Review.OUs) > 0 || info.Production.Set || len(info.Review.Privileged) > 0
	for k, n := range kinds {
		p.Kinds = append(p.Kinds, kindCount{k, n})
	}
	slices.SortFunc(p.Kinds, func(a, b kindCount) int { return cmp.Or(-cmp.Compare(a.Count, b.Count), cmp.Compare(a.Kind, b.Kind)) })
	if info.Diff != nil {
		p.DiffCapped = len(info.Diff.Rows) < info.Diff.Gained+info.Diff.Lost
	}
	sum := sha256.Sum256([]byte(script))
	p.Script, p.Style = template.JS(script), template.CSS(style)
	p.CSP = "default-src 'none'; script-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"

	// The data island is JSON whose strings escape <, > and &, so it can
	// neither close its script element nor start markup.
	var data strings.Builder
	if err := b.writeData(&data, info); err != nil {
		return err
	}
	p.Data = template.JS(data.String())
	t, err := template.New("report").Funcs(template.FuncMap{
		"when": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.UTC().Format("2006-01-02 15:04:05 UTC")
		},
		"join": strings.Join,
	}).Parse(pageTemplate)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	if err := t.Execute(bw, p); err != nil {
		return err
	}
	return bw.Flush()
}

// writeData writes the JSON island: names as arrays of strings, rows as
// one flat array of integers (user, account, permission set, principal,
// flags; user -1 when the row names no user); per account its OU path and
// whether it is production, per permission set its privilege rank.
func (b *Builder) writeData(w *strings.Builder, info Info) error {
	ous, prod := make([]string, len(b.accounts.list)), make([]int, len(b.accounts.list))
	production := map[string]bool{}
	for _, id := range info.Review.Production {
		production[clean(id)] = true
	}
	for i, a := range b.accounts.list {
		ous[i] = clean(info.Review.OUs[a[0]])
		if production[a[0]] {
			prod[i] = 1
		}
	}
	rank := make([]int, len(b.psets.list))
	for i, ps := range b.psets.list {
		for arn, p := range info.Review.Privileged {
			if clean(arn) == ps[1] {
				rank[i] = p.Rank
			}
		}
	}
	w.WriteString(`{"ous":`)
	if err := writeList(w, ous); err != nil {
		return err
	}
	w.WriteString(`,"production":`)
	if err := writeList(w, prod); err != nil {
		return err
	}
	w.WriteString(`,"rank":`)
	if err := writeList(w, rank); err != nil {
		return err
	}
	w.WriteString(`,`)
	w.WriteString(`"accounts":`)
	if err := writeList(w, b.accounts.list); err != nil {
		return err
	}
	w.WriteString(`,"psets":`)
	if err := writeList(w, b.psets.list); err != nil {
		return err
	}
	w.WriteString(`,"users":`)
	if err := writeList(w, b.users.list); err != nil {
		return err
	}
	w.WriteString(`,"principals":`)
	if err := writeList(w, b.princs.list); err != nil {
		return err
	}
	w.WriteString(`,"flags":`)
	if err := writeList(w, b.flags.list); err != nil {
		return err
	}
	w.WriteString(`,"lastUsed":`)
	if err := writeList(w, b.lastUsed(info.LastUses)); err != nil {
		return err
	}
	w.WriteString(`,"rows":[`)
	var buf []byte
	for i, v := range b.rows {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = strconv.AppendInt(buf, int64(v), 10)
		if len(buf) > 1<<15 {
			w.Write(buf)
			buf = buf[:0]
		}
	}
	w.Write(buf)
	w.WriteString("]}")
	return nil
}

// lastUsed is each known last use of a user, account and permission set
// of the report: [user, account, permission set, "RFC 3339 time"], by the
// names' indexes.
func (b *Builder) lastUsed(uses map[activity.UseKey]time.Time) [][4]any {
	if len(uses) == 0 {
		return nil
	}
	users, accounts, psets := map[string]int{}, map[string]int{}, map[string]int{}
	for i, u := range b.users.list {
		if _, ok := users[u[0]]; !ok {
			users[u[0]] = i
		}
	}
	for i, a := range b.accounts.list {
		accounts[a[0]] = i
	}
	for i, p := range b.psets.list {
		psets[p[0]] = i
	}
	var out [][4]any
	for k, t := range uses {
		u, ok1 := users[clean(k.UserId)]
		a, ok2 := accounts[clean(k.AccountId)]
		p, ok3 := psets[clean(k.RoleName)]
		if ok1 && ok2 && ok3 {
			out = append(out, [4]any{u, a, p, t.UTC().Format(time.RFC3339)})
		}
	}
	slices.SortFunc(out, func(x, y [4]any) int {
		return cmp.Or(cmp.Compare(x[0].(int), y[0].(int)), cmp.Compare(x[1].(int), y[1].(int)), cmp.Compare(x[2].(int), y[2].(int)))
	})
	return out
}

// writeList writes a list of names as a JSON array, [] when empty (the
// script maps over every list: null would stop it).
func writeList[K any](w io.Writer, list []K) error {
	if len(list) == 0 {
		_, err := io.WriteString(w, "[]")
		return err
	}
	return writeJSON(w, list)
}

func writeJSON(w io.Writer, v any) error {
	b, err := json.Marshal(v) // escapes <, >, &, U+2028 and U+2029
	if err != nil {
		return fmt.Errorf("report data: %w", err)
	}
	_, err = w.Write(b)
	return err
}

// clean makes a name from AWS safe to show in the page: html/template and
// the JSON island keep it from being markup, and render.Escape writes its
// control and bidirectional characters as visible escapes, so that U+202E
// cannot reverse what a reader sees ("exe.txt" shown for "txt.exe") nor a
// line separator split a cell.
func clean(s string) string { return render.Escape(s) }

func cleanRow(r audit.Row) audit.Row {
	for _, p := range []*string{&r.UserEmail, &r.UserName, &r.UserId, &r.UserStatus, &r.DisplayName, &r.AccountId, &r.AccountName,
		&r.AccountStatus, &r.PermissionSet, &r.PermissionSetArn, &r.PrincipalType, &r.PrincipalId, &r.GroupName} {
		*p = clean(*p)
	}
	return r
}

func cleanFindings(fs []audit.Finding) []audit.Finding {
	out := make([]audit.Finding, len(fs))
	for i, f := range fs {
		for _, p := range []*string{&f.Kind, &f.AccountId, &f.AccountName, &f.PermissionSet, &f.PrincipalType, &f.PrincipalId, &f.Name, &f.Detail} {
			*p = clean(*p)
		}
		out[i] = f
	}
	return out
}

func cleanStrings(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = clean(s)
	}
	return out
}

// cleanInfo is info with every name cleaned (the slices copied).
func cleanInfo(info Info) Info {
	info.InstanceArn, info.IdentityStoreId, info.Method = clean(info.InstanceArn), clean(info.IdentityStoreId), clean(info.Method)
	info.Notes = cleanStrings(info.Notes)
	info.Findings = cleanFindings(info.Findings)
	errs := make([]list.ItemError, len(info.Errors))
	for i, e := range info.Errors {
		errs[i] = list.ItemError{Item: clean(e.Item), Error: clean(e.Error)}
	}
	info.Errors = errs
	causes := make([]list.Cause, len(info.Causes))
	for i, c := range info.Causes {
		causes[i] = list.Cause{Cause: clean(c.Cause), Items: c.Items, Examples: cleanStrings(c.Examples)}
	}
	info.Causes = causes
	info.Review = cleanReview(info.Review)
	info.Production = cleanProduction(info.Production)
	fc := make([]audit.Cause, len(info.FindingCauses))
	for i, c := range info.FindingCauses {
		c.Id, c.Name, c.MostPrivileged = clean(c.Id), clean(c.Name), clean(c.MostPrivileged)
		accts := make([]audit.CauseAccount, len(c.Accounts))
		for j, a := range c.Accounts {
			accts[j] = audit.CauseAccount{Id: clean(a.Id), Name: clean(a.Name)}
		}
		c.Accounts = accts
		fc[i] = c
	}
	info.FindingCauses = fc
	if info.Diff != nil {
		d := *info.Diff
		d.Appeared, d.Resolved = cleanFindings(d.Appeared), cleanFindings(d.Resolved)
		d.Rows = make([]DiffRow, len(info.Diff.Rows))
		for i, r := range info.Diff.Rows {
			d.Rows[i] = DiffRow{Change: r.Change, Row: cleanRow(r.Row), Actor: clean(r.Actor), EventTime: r.EventTime}
		}
		for _, cs := range []*[]Count{&d.Accounts, &d.PermissionSets} {
			c := make([]Count, len(*cs))
			for i, x := range *cs {
				c[i] = Count{Id: clean(x.Id), Name: clean(x.Name), Gained: x.Gained, Lost: x.Lost}
			}
			*cs = c
		}
		info.Diff = &d
	}
	return info
}

// cleanReview is r with its names cleaned (what the page shows of it: the
// privileged permission sets; the OU paths go through writeData).
func cleanReview(r audit.Review) audit.Review {
	priv := make(map[string]audit.Privilege, len(r.Privileged))
	for arn, p := range r.Privileged {
		p.Name, p.Reasons = clean(p.Name), cleanStrings(p.Reasons)
		priv[arn] = p
	}
	r.Privileged = priv
	return r
}

// cleanProduction is p with every name cleaned (the slices copied).
func cleanProduction(p audit.Production) audit.Production {
	scope := make([]audit.ScopeEntry, len(p.Scope))
	for i, e := range p.Scope {
		e.Ref, e.Id, e.Name = clean(e.Ref), clean(e.Id), clean(e.Name)
		scope[i] = e
	}
	p.Scope = scope
	ous := make([]audit.ProductionOU, len(p.OUs))
	for i, ou := range p.OUs {
		accts := make([]audit.ProductionAccount, len(ou.Accounts))
		for j, a := range ou.Accounts {
			access := make([]audit.PrivilegedAccess, len(a.Access))
			for k, x := range a.Access {
				for _, s := range []*string{&x.UserName, &x.UserId, &x.UserEmail, &x.PermissionSet, &x.PermissionSetArn, &x.Reason, &x.PrincipalType, &x.PrincipalId, &x.Path} {
					*s = clean(*s)
				}
				x.Flags = cleanStrings(x.Flags)
				access[k] = x
			}
			accts[j] = audit.ProductionAccount{AccountId: clean(a.AccountId), AccountName: clean(a.AccountName), Access: access}
		}
		ous[i] = audit.ProductionOU{Path: clean(ou.Path), Accounts: accts}
	}
	p.OUs = ous
	return p
}

// causeView is one cause as the page shows it: one line, and its
// findings behind it.
type causeView struct {
	audit.Cause
	What, Where string
	Items       []audit.Finding
}

// causeViews pairs each cause with its findings (already cleaned).
func causeViews(causes []audit.Cause, findings []audit.Finding) []causeView {
	out := make([]causeView, 0, len(causes))
	for _, c := range causes {
		v := causeView{Cause: c}
		switch c.Subject {
		case "user":
			v.What = "user " + c.Name
		case "account":
			v.What = "account " + c.Name + " (" + c.Id + ")"
		case "permissionSet":
			v.What = "permission set " + c.Name
		default:
			v.What = c.Name + " " + c.Id
		}
		switch {
		case c.Subject == "account" || len(c.Accounts) == 0:
		case len(c.Accounts) == 1:
			v.Where = "in " + c.Accounts[0].Name
		default:
			v.Where = fmt.Sprintf("in %d accounts", len(c.Accounts))
		}
		for _, i := range c.FindingIndexes {
			if i >= 0 && i < len(findings) {
				v.Items = append(v.Items, findings[i])
			}
		}
		out = append(out, v)
	}
	return out
}
