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

	"github.com/ssoctl/ssoctl/internal/assignments/list"
	"github.com/ssoctl/ssoctl/internal/audit"
	"github.com/ssoctl/ssoctl/internal/emulator"
	"github.com/ssoctl/ssoctl/internal/emulatortest"
	"github.com/ssoctl/ssoctl/internal/history"
	"github.com/ssoctl/ssoctl/internal/inventory"
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
	}}, cfg
}

// saveAudit audits the sandbox into a new snapshot.
func saveAudit(t testing.TB, s *history.Store, c audit.Clients) history.Snapshot {
	t.Helper()
	w, err := s.Begin(ctx, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	res, err := audit.Run(ctx, c, audit.Options{}, w.Row)
	if err != nil {
		t.Fatal(err)
	}
	sn, err := w.Finish(history.Result{InstanceArn: res.Instance.Arn, IdentityStoreId: res.Instance.IdentityStoreId, Method: string(res.Method),
		Columns: testColumns, Findings: res.Findings, Errors: res.Errors, Notes: res.Notes, Stats: map[string]any{}, Complete: res.Complete})
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
	eval(`Array.from(document.querySelectorAll("#findings tbody tr")).map(tr => Array.from(tr.cells).map(td => td.textContent))`, &findingRows)
	eval(`document.getElementById("mstatus").dataset.rows`, &statusRows)

	// The summary comes first and counts the findings; every finding is
	// listed, in order.
	if want := fmt.Sprintf("%d\nfindings", len(info.Findings)); !strings.Contains(summary, want) {
		t.Errorf("summary %q does not say %q", summary, want)
	}
	var first string
	eval(`document.querySelector("main > section").id`, &first)
	if first != "summary" {
		t.Errorf("the first section is %q; want the summary", first)
	}
	if len(findingRows) != len(info.Findings) {
		t.Fatalf("%d findings in the page; want %d", len(findingRows), len(info.Findings))
	}
	for i, fd := range info.Findings {
		got := findingRows[i]
		want := []string{fd.Kind, fd.AccountName + " " + fd.AccountId, fd.PermissionSet, fd.PrincipalType + " " + fd.PrincipalId, fd.Name, fd.Detail}
		if !slices.Equal(got, want) {
			t.Errorf("finding %d: got %q; want %q", i, got, want)
		}
	}

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
	eval(`Array.from(document.querySelectorAll("#changes tr.GAINED td:last-child")).map(td => td.textContent)`, &changes)
	setMode("groups")
	must(chromedp.Do(bctx, chromedp.SendKeys(chromedp.CSS(`#q`), "onerror")))
	waitFor(`document.getElementById("mstatus").dataset.rows === "1"`)
	eval(`Array.from(document.querySelectorAll("#matrix tbody th")).map(th => th.textContent)`, &groupLabels)
	must(chromedp.Do(bctx, chromedp.Click(chromedp.CSS(`#matrix tbody td:not(.e)`))))
	waitFor(`document.querySelectorAll("#detail-body tbody tr").length > 0`)
	eval(`document.querySelectorAll("#detail-body tbody tr").length`, &detailRows)
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
