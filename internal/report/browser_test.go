package report_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	idstypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/ssoctl/ssoctl/internal/activity"
	"github.com/ssoctl/ssoctl/internal/assignments/list"
	"github.com/ssoctl/ssoctl/internal/audit"
	"github.com/ssoctl/ssoctl/internal/emulator"
	"github.com/ssoctl/ssoctl/internal/emulatortest"
	"github.com/ssoctl/ssoctl/internal/history"
	"github.com/ssoctl/ssoctl/internal/inventory"
	"github.com/ssoctl/ssoctl/internal/orgconfig"
	"github.com/ssoctl/ssoctl/internal/peertest"
	"github.com/ssoctl/ssoctl/internal/report"
)

const chromiumPath = "/usr/bin/chromium"

var ctx = context.Background()

// sandboxClients serves a sandbox of the given organization and returns
// real SDK clients for it.
func sandboxClients(t testing.TB, org string) (audit.Clients, aws.Config) {
	t.Helper()
	sb := emulatortest.Start(t, emulator.Options{Org: org})
	cfg := peertest.SDKConfig(sb.URL, 3)
	return audit.Clients{Clients: inventory.Clients{
		SSOAdmin: ssoadmin.NewFromConfig(cfg), IdentityStore: identitystore.NewFromConfig(cfg), Organizations: organizations.NewFromConfig(cfg),
	}, Policies: ssoadmin.NewFromConfig(cfg)}, cfg
}

// prodSettings are org settings naming Workloads/Prod (payments-prod and
// insights-prod) production.
func prodSettings(t testing.TB) *orgconfig.Config {
	t.Helper()
	c, err := orgconfig.Parse("org.yaml", []byte("start_url: https://a.awsapps.com/start\nsso_region: us-east-1\nsso_session: a\nproduction:\n  ous: [Workloads/Prod]\n"))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// saveAudit audits the sandbox into a new snapshot.
func saveAudit(t testing.TB, s *history.Store, c audit.Clients) history.Snapshot {
	t.Helper()
	w, err := s.Begin(ctx, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	res, err := audit.Run(ctx, c, audit.Options{Settings: prodSettings(t)}, w.Row)
	if err != nil {
		t.Fatal(err)
	}
	sn, err := w.Finish(history.Result{InstanceArn: res.Instance.Arn, IdentityStoreId: res.Instance.IdentityStoreId, Method: string(res.Method),
		Columns: testColumns, Findings: res.Findings, Errors: res.Errors, Notes: res.Notes, Stats: map[string]any{}, Complete: res.Complete, Review: res.Review})
	if err != nil {
		t.Fatal(err)
	}
	return sn
}

// addHostileGroup creates a group with a name that is markup, puts the
// first user in it and assigns it the first permission set on the first
// account, through the sandbox's API.
func addHostileGroup(t testing.TB, cfg aws.Config, c audit.Clients) {
	t.Helper()
	inst, err := inventory.FindInstance(ctx, c.SSOAdmin, "")
	if err != nil {
		t.Fatal(err)
	}
	ids := identitystore.NewFromConfig(cfg)
	g, err := ids.CreateGroup(ctx, &identitystore.CreateGroupInput{IdentityStoreId: &inst.IdentityStoreId, DisplayName: aws.String(hostile)})
	if err != nil {
		t.Fatal(err)
	}
	users, err := inventory.Users(ctx, c.IdentityStore, inst)
	if err != nil || len(users) == 0 {
		t.Fatalf("users: %v", err)
	}
	if _, err := ids.CreateGroupMembership(ctx, &identitystore.CreateGroupMembershipInput{IdentityStoreId: &inst.IdentityStoreId, GroupId: g.GroupId,
		MemberId: &idstypes.MemberIdMemberUserId{Value: users[0].Id}}); err != nil {
		t.Fatal(err)
	}
	accounts, err := inventory.Accounts(ctx, c.Organizations)
	if err != nil {
		t.Fatal(err)
	}
	arns, err := inventory.PermissionSetArns(ctx, c.SSOAdmin, inst)
	if err != nil {
		t.Fatal(err)
	}
	sso := ssoadmin.NewFromConfig(cfg)
	out, err := sso.CreateAccountAssignment(ctx, &ssoadmin.CreateAccountAssignmentInput{InstanceArn: &inst.Arn, PermissionSetArn: &arns[0],
		PrincipalType: ssotypes.PrincipalTypeGroup, PrincipalId: g.GroupId, TargetType: ssotypes.TargetTypeAwsAccount, TargetId: &accounts[0].Id})
	if err != nil {
		t.Fatal(err)
	}
	for st := out.AccountAssignmentCreationStatus; st.Status == ssotypes.StatusValuesInProgress; {
		d, err := sso.DescribeAccountAssignmentCreationStatus(ctx, &ssoadmin.DescribeAccountAssignmentCreationStatusInput{InstanceArn: &inst.Arn, AccountAssignmentCreationRequestId: st.RequestId})
		if err != nil {
			t.Fatal(err)
		}
		st = d.AccountAssignmentCreationStatus
	}
}

// TestReportInChromium opens the small organization's report in headless
// Chromium and checks what a reader sees.
func TestReportInChromium(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skip("chromium not found at " + chromiumPath + " (apt-get install -y chromium); the browser test needs it")
	}
	dir := t.TempDir()
	c, cfg := sandboxClients(t, "small")
	store, err := history.Open(ctx, filepath.Join(dir, "history.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	saveAudit(t, store, c)
	addHostileGroup(t, cfg, c)
	sn := saveAudit(t, store, c)
	b, info, err := report.FromSnapshot(ctx, store, sn, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(info.Findings) == 0 || info.Diff == nil || info.Diff.Gained == 0 {
		t.Fatalf("the small org's second snapshot should have findings and changes: %d findings, diff %+v", len(info.Findings), info.Diff)
	}
	// Last uses known for every row of a user (as access unused records
	// them): the detail tables gain a Last used column.
	lastUse := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	info.LastUses = map[activity.UseKey]time.Time{}
	if err := store.Rows(ctx, sn.ID, func(r audit.Row) error {
		if r.UserId != "" {
			info.LastUses[activity.UseKey{UserId: r.UserId, AccountId: r.AccountId, RoleName: r.PermissionSet}] = lastUse
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "report.html")
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Write(f, info); err != nil {
		t.Fatal(err)
	}
	f.Close()
	url := "file://" + file

	bctx, requests, dialogs := browser(t)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	eval := func(expr string, v any) {
		t.Helper()
		switch p := v.(type) {
		case *[]string:
			x, err := chromedp.Run(bctx, chromedp.Evaluate[[]string](expr))
			must(err)
			*p = x
		case *[][]string:
			x, err := chromedp.Run(bctx, chromedp.Evaluate[[][]string](expr))
			must(err)
			*p = x
		case *int:
			x, err := chromedp.Run(bctx, chromedp.Evaluate[int](expr))
			must(err)
			*p = x
		case *string:
			x, err := chromedp.Run(bctx, chromedp.Evaluate[string](expr))
			must(err)
			*p = x
		default:
			t.Fatalf("eval into %T", v)
		}
	}
	// waitFor polls a JavaScript condition until it holds.
	waitFor := func(cond string) {
		t.Helper()
		_, err := chromedp.Run(bctx, chromedp.Poll[bool](cond))
		must(err)
	}

	// setMode empties the search box and aggregates the matrix another way.
	setMode := func(mode string) {
		t.Helper()
		eval(`(() => { const q = document.getElementById("q"); q.value = ""; q.dispatchEvent(new Event("input"));
			const m = document.getElementById("mode"); m.value = `+jsString(mode)+`; m.dispatchEvent(new Event("change")); return m.value; })()`, new(string))
	}

	must(chromedp.Do(bctx, chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS(`body[data-ready="1"]`))))
	var (
		findingRows [][]string
		statusRows  string
		summary     string
	)
	eval(`document.getElementById("summary").innerText`, &summary)
	eval(`Array.from(document.querySelectorAll("#findings table.findings tbody tr")).map(tr => Array.from(tr.cells).map(td => td.textContent))`, &findingRows)
	eval(`document.getElementById("mstatus").dataset.rows`, &statusRows)

	// The summary comes first and counts the findings; every finding is
	// listed, in order.
	if want := fmt.Sprintf("%d\nfindings", len(info.Findings)); !strings.Contains(summary, want) {
		t.Errorf("summary %q does not say %q", summary, want)
	}
	// "Who can reach production?" comes first, then the summary.
	var sections []string
	eval(`Array.from(document.querySelectorAll("main > section")).map(s => s.id)`, &sections)
	if len(sections) < 2 || sections[0] != "production" || sections[1] != "summary" {
		t.Errorf("the sections are %q; want production first, then the summary", sections)
	}
	// It lists every privileged access to production, by OU and account,
	// with the path: the platform admins' AdministratorAccess in both
	// production accounts of Workloads/Prod.
	if !info.Production.Set || info.Production.Reached != 2 || info.Production.Users != 2 {
		t.Fatalf("production %+v; want Workloads/Prod's 2 accounts reached by 2 users", info.Production)
	}
	var prodSummary string
	var prodRows [][]string
	eval(`document.getElementById("production-summary").innerText`, &prodSummary)
	eval(`Array.from(document.querySelectorAll("#production table.production tbody tr")).map(tr => Array.from(tr.cells).map(c => c.textContent))`, &prodRows)
	if !strings.Contains(prodSummary, "2 user(s) can reach 2 of the 2 production accounts with a privileged permission set") || !strings.Contains(prodSummary, "Root/Workloads/Prod") {
		t.Errorf("production summary %q", prodSummary)
	}
	wantProd := [][]string{{"OU Root/Workloads/Prod 2 account(s)"}}
	for _, ou := range info.Production.OUs {
		for _, a := range ou.Accounts {
			for i, x := range a.Access {
				acct := ""
				if i == 0 {
					acct = a.AccountName + " " + a.AccountId
				}
				wantProd = append(wantProd, []string{acct, x.UserName + " " + x.UserEmail, x.PermissionSet, x.Reason, x.Path, ""})
			}
		}
	}
	if len(wantProd) != 5 || !slices.EqualFunc(prodRows, wantProd, slices.Equal) {
		t.Errorf("production rows %q; want %q", prodRows, wantProd)
	}

	// Findings by cause: one line each, closed; open, each shows its
	// findings, those the cause's indexes name, in order.
	var causeLines []string
	var openCauses int
	eval(`Array.from(document.querySelectorAll("#findings details.cause > summary")).map(s => s.textContent)`, &causeLines)
	eval(`document.querySelectorAll("#findings details.cause[open]").length`, &openCauses)
	if len(causeLines) != len(info.FindingCauses) || len(causeLines) != 4 || openCauses != 0 {
		t.Fatalf("%d cause lines (%d open); want the %d causes, closed: %q", len(causeLines), openCauses, len(info.FindingCauses), causeLines)
	}
	var visible int
	eval(`Array.from(document.querySelectorAll("#findings table.findings tbody tr")).filter(tr => tr.checkVisibility()).length`, &visible)
	if visible != 0 {
		t.Errorf("%d finding rows visible before a cause is opened; want none", visible)
	}
	if len(findingRows) != len(info.Findings) {
		t.Fatalf("%d findings in the page; want %d", len(findingRows), len(info.Findings))
	}
	n := 0
	for ci, c := range info.FindingCauses {
		if !strings.Contains(causeLines[ci], c.Kind) || !strings.Contains(causeLines[ci], fmt.Sprintf("%d row(s), %d finding(s)", c.Rows, c.Findings)) {
			t.Errorf("cause line %d %q; want %s with %d row(s), %d finding(s)", ci, causeLines[ci], c.Kind, c.Rows, c.Findings)
		}
		for _, i := range c.FindingIndexes {
			fd := info.Findings[i]
			want := []string{fd.Kind, fd.AccountName + " " + fd.AccountId, fd.PermissionSet, fd.PrincipalType + " " + fd.PrincipalId, fd.Name, fd.Detail}
			if got := findingRows[n]; !slices.Equal(got, want) {
				t.Errorf("cause %d, finding %d: got %q; want %q", ci, i, got, want)
			}
			n++
		}
	}
	must(chromedp.Do(bctx, chromedp.Click(chromedp.CSS(`#findings details.cause:first-of-type > summary`))))
	waitFor(`document.querySelector("#findings details.cause").open`)
	eval(`Array.from(document.querySelectorAll("#findings table.findings tbody tr")).filter(tr => tr.checkVisibility()).length`, &visible)
	if visible != info.FindingCauses[0].Findings {
		t.Errorf("opening the first cause shows %d finding rows; want its %d", visible, info.FindingCauses[0].Findings)
	}

	// The matrix keeps only privileged access to production when asked:
	// the 2 platform admins.
	before0 := statusRows
	must(chromedp.Do(bctx, chromedp.Click(chromedp.CSS(`#privprod`))))
	waitFor(`document.getElementById("mstatus").dataset.rows !== ` + jsString(before0))
	var privLabels, prodCols []string
	eval(`Array.from(document.querySelectorAll("#matrix tbody th")).map(th => th.textContent)`, &privLabels)
	eval(`Array.from(document.querySelectorAll("#matrix thead th.prod")).map(th => th.title)`, &prodCols)
	slices.Sort(privLabels)
	if !slices.Equal(privLabels, []string{"alice.johnson", "trent.king"}) || len(prodCols) != 2 || !strings.Contains(prodCols[0], "in Root/Workloads/Prod, production") {
		t.Errorf("only privileged access to production: rows %q, production columns %q; want the 2 platform admins in the 2 Workloads/Prod accounts", privLabels, prodCols)
	}
	must(chromedp.Do(bctx, chromedp.Click(chromedp.CSS(`#privprod`))))
	waitFor(`document.getElementById("mstatus").dataset.rows === ` + jsString(before0))

	// Search narrows the matrix to the users it matches.
	before := statusRows
	user := info.Diff.Rows[0].Row.UserName
	var labels []string
	must(chromedp.Do(bctx, chromedp.SendKeys(chromedp.CSS(`#q`), user)))
	waitFor(`document.getElementById("mstatus").dataset.rows !== ` + jsString(before))
	eval(`document.getElementById("mstatus").dataset.rows`, &statusRows)
	eval(`Array.from(document.querySelectorAll("#matrix tbody th")).map(th => th.textContent)`, &labels)
	if !slices.Contains(labels, user) || len(labels) >= atoi(before) || statusRows != fmt.Sprint(len(labels)) {
		t.Errorf("searching %q: %s rows before, %s after, labels %q", user, before, statusRows, labels)
	}

	// The hostile group name is text everywhere: in the changes (server
	// rendered) and in the matrix by group (script rendered); no element
	// was made of it and no script ran.
	var (
		changes, groupLabels []string
		detailRows, images   int
		alerts               int
	)
	eval(`Array.from(document.querySelectorAll("#changes tr.GAINED td:nth-child(5)")).map(td => td.textContent)`, &changes)
	setMode("groups")
	must(chromedp.Do(bctx, chromedp.SendKeys(chromedp.CSS(`#q`), "onerror")))
	waitFor(`document.getElementById("mstatus").dataset.rows === "1"`)
	eval(`Array.from(document.querySelectorAll("#matrix tbody th")).map(th => th.textContent)`, &groupLabels)
	must(chromedp.Do(bctx, chromedp.Click(chromedp.CSS(`#matrix tbody td:not(.e)`))))
	waitFor(`document.querySelectorAll("#detail-body tbody tr").length > 0`)
	eval(`document.querySelectorAll("#detail-body tbody tr").length`, &detailRows)
	var detailHead []string
	eval(`Array.from(document.querySelectorAll("#detail-body thead th")).map(th => th.textContent)`, &detailHead)
	if !slices.Contains(detailHead, "Last used") {
		t.Errorf("detail table's columns %q; want a Last used column when last uses are known", detailHead)
	}
	eval(`document.querySelectorAll("img").length`, &images)
	eval(`window.__alerts`, &alerts)
	if !slices.Contains(changes, "group "+hostile) {
		t.Errorf("changes' paths %q do not show the group name as text", changes)
	}
	if !slices.Equal(groupLabels, []string{hostile}) {
		t.Errorf("matrix by group, searching onerror: %q; want the hostile name as text", groupLabels)
	}
	if detailRows != 1 {
		t.Errorf("drilling down into the hostile group's cell: %d rows; want 1", detailRows)
	}
	if images != 0 || alerts != 0 || len(dialogs()) != 0 {
		t.Errorf("markup from a name ran: %d img elements, %d alert calls, dialogs %q", images, alerts, dialogs())
	}

	// A screenshot for people to look at: the whole page, matrix by user.
	setMode("users")
	png, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
	must(err)
	shot := filepath.Join(dir, "report.png")
	must(os.WriteFile(shot, png, 0o644))
	t.Logf("screenshot of the small org's report: %s (%d bytes)", shot, len(png))
	if d := os.Getenv("SSOCTL_SCREENSHOT_DIR"); d != "" {
		must(os.WriteFile(filepath.Join(d, "report-small.png"), png, 0o644))
	}

	// No request left the page: the document itself is the only one.
	if got := requests(); !slices.Equal(got, []string{url}) {
		t.Errorf("requests made by the page: %q; want only %q", got, url)
	}
}

// browser starts headless Chromium with a fresh profile and returns its
// context, the URLs of every request it made, and the JavaScript dialogs
// that opened. alert, confirm and prompt are replaced before any page
// script runs, so a name that ran script would count in window.__alerts.
func browser(t testing.TB) (context.Context, func() []string, func() []string) {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(1280, 1000),
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelA)
	bctx, cancelB := chromedp.NewContext(actx)
	t.Cleanup(cancelB)
	var (
		mu      sync.Mutex
		urls    []string
		dialogs []string
	)
	// Start the browser and its tab, then listen before anything loads.
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	err := chromedp.Listen(bctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch e := ev.(type) {
		case *network.EventRequestWillBeSent:
			urls = append(urls, e.Request.URL)
		case *page.EventJavascriptDialogOpening:
			dialogs = append(dialogs, e.Message)
			go chromedp.Call(bctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(bctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(bctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
		Source: `window.__alerts = 0; window.alert = window.confirm = window.prompt = function () { window.__alerts++; };`,
	}); err != nil {
		t.Fatal(err)
	}
	snapshot := func(p *[]string) func() []string {
		return func() []string {
			mu.Lock()
			defer mu.Unlock()
			return append([]string(nil), *p...)
		}
	}
	return bctx, snapshot(&urls), snapshot(&dialogs)
}

func jsString(s string) string { return fmt.Sprintf("%q", s) }

func atoi(s string) int {
	var n int
	fmt.Sscan(s, &n)
	return n
}

var testColumns = []string{"UserEmail", "UserName", "AccountId", "AccountName", "PermissionSet", "PrincipalType", "PrincipalId", "GroupName"}

// TestUnlistedGroupInChromium: in the matrix, a group whose members could
// not be listed never reads as a group with no members; an incomplete
// report says so above everything else in its summary.
func TestUnlistedGroupInChromium(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skip("chromium not found at " + chromiumPath + " (apt-get install -y chromium); the browser test needs it")
	}
	b := report.NewBuilder()
	for _, r := range []audit.Row{
		{AccountId: "111111111111", AccountName: "dev", AccountStatus: "ACTIVE", PermissionSet: "Developer", PermissionSetArn: "arn:ps-1",
			PrincipalType: "GROUP", PrincipalId: "g-empty", GroupName: "empty-group"},
		{AccountId: "111111111111", AccountName: "dev", AccountStatus: "ACTIVE", PermissionSet: "Developer", PermissionSetArn: "arn:ps-1",
			PrincipalType: "GROUP", PrincipalId: "g-unlisted", GroupName: "unlisted-group", Flags: []string{list.FlagMembersUnknown}},
	} {
		if err := b.Row(r); err != nil {
			t.Fatal(err)
		}
	}
	file := filepath.Join(t.TempDir(), "report.html")
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	info := report.Info{Generated: time.Now(), Incomplete: true,
		Causes: []list.Cause{{Cause: "AccessDeniedException: no", Items: 1, Examples: []string{"members of group unlisted-group"}}}}
	if err := b.Write(f, info); err != nil {
		t.Fatal(err)
	}
	f.Close()
	bctx, _, _ := browser(t)
	bctx, cancel := context.WithTimeout(bctx, time.Minute)
	defer cancel()
	if err := chromedp.Do(bctx, chromedp.Navigate("file://"+file), chromedp.WaitVisible(chromedp.CSS(`body[data-ready="1"]`))); err != nil {
		t.Fatal(err)
	}
	labels, err := chromedp.Run(bctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("#matrix tbody th")).map(th => th.textContent)`))
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(labels)
	if want := []string{"(members not listed) group unlisted-group", "(no members) group empty-group"}; !slices.Equal(labels, want) {
		t.Errorf("matrix rows %q; want %q", labels, want)
	}
	first, err := chromedp.Run(bctx, chromedp.Evaluate[string](`document.querySelector("#summary h2 + *").innerText`))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(first, "This report is INCOMPLETE.") || !strings.Contains(first, "AccessDeniedException: no") {
		t.Errorf("the summary starts with %q; want the INCOMPLETE notice and its cause", first)
	}
}
