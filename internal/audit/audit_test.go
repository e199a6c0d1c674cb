package audit_test

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	gocmp "github.com/google/go-cmp/cmp"

	"github.com/ssoctl/ssoctl/internal/assignments/list"
	"github.com/ssoctl/ssoctl/internal/audit"
	"github.com/ssoctl/ssoctl/internal/awsclient"
	"github.com/ssoctl/ssoctl/internal/emulator"
	"github.com/ssoctl/ssoctl/internal/emulatortest"
	"github.com/ssoctl/ssoctl/internal/inventory"
)

var ctx = context.Background()

// sdkConfig is a plain SDK configuration for an endpoint: dummy static
// credentials, us-east-1, the standard retryer.
func sdkConfig(url string) aws.Config {
	return aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider(emulator.SandboxAccessKeyID, emulator.SandboxSecretAccessKey, ""),
		BaseEndpoint: aws.String(url),
		Retryer:      func() aws.Retryer { return retry.NewStandard() },
	}
}

// clientsFor builds real SDK clients for every service the audit reads.
func clientsFor(cfg aws.Config) audit.Clients {
	return audit.Clients{
		Clients: inventory.Clients{
			SSOAdmin:      ssoadmin.NewFromConfig(cfg),
			IdentityStore: identitystore.NewFromConfig(cfg),
			Organizations: organizations.NewFromConfig(cfg),
		},
		IAM: iam.NewFromConfig(cfg),
	}
}

// sandbox serves the emulator over a real loopback HTTP server.
func sandbox(t testing.TB, opts emulator.Options) (*emulator.Server, string) {
	t.Helper()
	sb := emulatortest.Start(t, opts)
	return sb.Server, sb.URL
}

// run audits and returns the rows in the order they were emitted.
func run(t testing.TB, c audit.Clients, opts audit.Options) ([]audit.Row, *audit.Result) {
	t.Helper()
	var rows []audit.Row
	res, err := audit.Run(ctx, c, opts, func(r audit.Row) error {
		rows = append(rows, r)
		return nil
	})
	if err != nil {
		t.Fatalf("audit.Run: %v", err)
	}
	if res.Rows != len(rows) {
		t.Errorf("got Result.Rows %d; want the %d rows emitted", res.Rows, len(rows))
	}
	return rows, res
}

// access is one row reduced to who reaches what, and how.
type access struct {
	Account, PermissionSet, PrincipalType, PrincipalId, UserId string
}

func accessOf(rows []audit.Row) []access {
	out := make([]access, 0, len(rows))
	for _, r := range rows {
		out = append(out, access{r.AccountId, r.PermissionSetArn, r.PrincipalType, r.PrincipalId, r.UserId})
	}
	slices.SortFunc(out, compareAccess)
	return out
}

func compareAccess(x, y access) int {
	return cmp.Or(cmp.Compare(x.Account, y.Account), cmp.Compare(x.PermissionSet, y.PermissionSet),
		cmp.Compare(x.PrincipalType, y.PrincipalType), cmp.Compare(x.PrincipalId, y.PrincipalId), cmp.Compare(x.UserId, y.UserId))
}

// expectedAccess is the effective access in st, worked out from the state
// itself: an assignment the strategy can see gives one row for a user, one
// per member for a group, and one with no user for a group without members
// or a principal that no longer exists. Permission-set-first sees the
// assignments of provisioned pairs; principal-first those of principals
// that exist.
func expectedAccess(st *emulator.State, strategy list.Method) []access {
	users, groups := map[string]bool{}, map[string]bool{}
	for _, u := range st.Users {
		users[u.UserId] = true
	}
	for _, g := range st.Groups {
		groups[g.GroupId] = true
	}
	members := map[string][]string{}
	for _, m := range st.Memberships {
		members[m.GroupId] = append(members[m.GroupId], m.UserId)
	}
	provisioned := map[[2]string]bool{}
	for _, p := range st.Provisioned {
		provisioned[[2]string{p.AccountId, p.PermissionSetArn}] = true
	}
	var out []access
	for _, a := range st.Assignments {
		exists := (a.PrincipalType == "USER" && users[a.PrincipalId]) || (a.PrincipalType == "GROUP" && groups[a.PrincipalId])
		switch strategy {
		case list.ByPermissionSet:
			if !provisioned[[2]string{a.AccountId, a.PermissionSetArn}] {
				continue
			}
		case list.ByPrincipal:
			if !exists {
				continue
			}
		}
		row := access{a.AccountId, a.PermissionSetArn, a.PrincipalType, a.PrincipalId, ""}
		switch {
		case a.PrincipalType == "USER" && exists:
			row.UserId = a.PrincipalId
			out = append(out, row)
		case a.PrincipalType == "GROUP" && exists && len(members[a.PrincipalId]) > 0:
			for _, u := range members[a.PrincipalId] {
				row.UserId = u
				out = append(out, row)
			}
		default:
			out = append(out, row)
		}
	}
	slices.SortFunc(out, compareAccess)
	return out
}

// rowOrder is the report's documented order: account name, account id,
// permission set name and ARN; then direct assignments before group ones,
// group name, principal id, user name, user id.
func rowOrder(x, y audit.Row) int {
	rank := func(t string) int {
		if t == "USER" {
			return 0
		}
		return 1
	}
	return cmp.Or(
		cmp.Compare(x.AccountName, y.AccountName), cmp.Compare(x.AccountId, y.AccountId),
		cmp.Compare(x.PermissionSet, y.PermissionSet), cmp.Compare(x.PermissionSetArn, y.PermissionSetArn),
		cmp.Compare(rank(x.PrincipalType), rank(y.PrincipalType)), cmp.Compare(x.GroupName, y.GroupName),
		cmp.Compare(x.PrincipalId, y.PrincipalId), cmp.Compare(x.UserName, y.UserName), cmp.Compare(x.UserId, y.UserId),
	)
}

func findingKinds(res *audit.Result) map[string]int {
	kinds := map[string]int{}
	for _, f := range res.Findings {
		kinds[f.Kind]++
	}
	return kinds
}

func hasFlag(r audit.Row, flag string) bool { return slices.Contains(r.Flags, flag) }

func TestRunSmall(t *testing.T) {
	srv, url := sandbox(t, emulator.Options{})
	st := srv.Snapshot()
	c := clientsFor(sdkConfig(url))
	for _, tc := range []struct {
		name                   string
		strategy, wantStrategy list.Method
		wantKinds              map[string]int
		wantNote               bool
	}{
		{"auto", list.MethodAuto, list.ByPermissionSet,
			map[string]int{list.FlagDisabledUser: 1, list.FlagNotProvisioned: 1, list.FlagOrphaned: 1, list.FlagSuspended: 1}, false},
		{"permission-set", list.ByPermissionSet, list.ByPermissionSet,
			map[string]int{list.FlagDisabledUser: 1, list.FlagNotProvisioned: 1, list.FlagOrphaned: 1, list.FlagSuspended: 1}, false},
		{"principal", list.ByPrincipal, list.ByPrincipal,
			map[string]int{list.FlagDisabledUser: 1, list.FlagNotProvisioned: 1, list.FlagSuspended: 1}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rows, res := run(t, c, audit.Options{Method: tc.strategy})
			if res.Method != tc.wantStrategy {
				t.Errorf("got strategy %s; want %s", res.Method, tc.wantStrategy)
			}
			if diff := gocmp.Diff(tc.wantKinds, findingKinds(res)); diff != "" {
				t.Errorf("finding kinds (-want +got):\n%s", diff)
			}
			if len(res.Errors) != 0 {
				t.Errorf("got errors %v; want none", res.Errors)
			}
			if got := len(res.Notes) > 0; got != tc.wantNote {
				t.Errorf("got notes %q; want a note: %v", res.Notes, tc.wantNote)
			}
			want := expectedAccess(st, tc.wantStrategy)
			if len(want) < 100 {
				t.Fatalf("the small organization gives %d rows of access; want over 100", len(want))
			}
			if diff := gocmp.Diff(want, accessOf(rows)); diff != "" {
				t.Errorf("effective access (-want +got):\n%s", diff)
			}
			for i := 1; i < len(rows); i++ {
				if rowOrder(rows[i-1], rows[i]) > 0 {
					t.Errorf("row %d (%s %s %s) comes before row %d (%s %s %s); want the report's order",
						i-1, rows[i-1].AccountName, rows[i-1].PermissionSet, rows[i-1].UserName,
						i, rows[i].AccountName, rows[i].PermissionSet, rows[i].UserName)
					break
				}
			}
			// Each finding's row carries its flag.
			for _, f := range res.Findings {
				if !slices.ContainsFunc(rows, func(r audit.Row) bool {
					return r.AccountId == f.AccountId && r.PrincipalId == f.PrincipalId && hasFlag(r, f.Kind)
				}) {
					t.Errorf("finding %s on %s/%s %s: no row flagged with it", f.Kind, f.AccountName, f.PermissionSet, f.Name)
				}
			}
		})
	}
}

func TestStrategiesAgreeExceptOrphans(t *testing.T) {
	_, url := sandbox(t, emulator.Options{})
	c := clientsFor(sdkConfig(url))
	byPS, _ := run(t, c, audit.Options{Method: list.ByPermissionSet})
	byPrincipal, _ := run(t, c, audit.Options{Method: list.ByPrincipal})
	withoutOrphans := slices.DeleteFunc(slices.Clone(byPS), func(r audit.Row) bool { return hasFlag(r, list.FlagOrphaned) })
	if len(withoutOrphans) == len(byPS) {
		t.Fatalf("permission-set-first found no orphaned assignment; the small organization has one")
	}
	if diff := gocmp.Diff(withoutOrphans, byPrincipal); diff != "" {
		t.Errorf("rows (-permission-set-first without orphans +principal-first):\n%s", diff)
	}
}

func TestRunIsDeterministic(t *testing.T) {
	_, url := sandbox(t, emulator.Options{})
	c := clientsFor(sdkConfig(url))
	first, _ := run(t, c, audit.Options{})
	c.Concurrency = 3
	second, _ := run(t, c, audit.Options{})
	if diff := gocmp.Diff(first, second); diff != "" {
		t.Errorf("a second run (concurrency 3) differs (-first +second):\n%s", diff)
	}
}

func TestGroupWithoutMembersGivesOneEmptyRow(t *testing.T) {
	srv, url := sandbox(t, emulator.Options{})
	st := srv.Snapshot()
	auditors := ""
	for _, g := range st.Groups {
		if g.DisplayName == "auditors" {
			auditors = g.GroupId
		}
	}
	want := 0
	for _, a := range st.Assignments {
		if a.PrincipalId == auditors {
			want++
		}
	}
	if auditors == "" || want == 0 {
		t.Fatalf("the small organization has no assigned group auditors")
	}
	for _, strategy := range []list.Method{list.ByPermissionSet, list.ByPrincipal} {
		t.Run(string(strategy), func(t *testing.T) {
			rows, _ := run(t, clientsFor(sdkConfig(url)), audit.Options{Method: strategy})
			got := 0
			for _, r := range rows {
				if r.PrincipalId != auditors {
					continue
				}
				got++
				wantRow := audit.Row{
					AccountId: r.AccountId, AccountName: r.AccountName, AccountStatus: "ACTIVE",
					PermissionSet: "ReadOnlyAccess", PermissionSetArn: r.PermissionSetArn,
					PrincipalType: "GROUP", PrincipalId: auditors, GroupName: "auditors",
				}
				if diff := gocmp.Diff(wantRow, r); diff != "" {
					t.Errorf("row of the empty group (-want +got):\n%s", diff)
				}
			}
			if got != want {
				t.Errorf("got %d rows for group auditors; want %d (one per assignment)", got, want)
			}
		})
	}
}

func TestLegacyIAMUsers(t *testing.T) {
	_, url := sandbox(t, emulator.Options{})
	rows, res := run(t, clientsFor(sdkConfig(url)), audit.Options{IAM: true})
	if len(res.Errors) != 0 {
		t.Fatalf("got errors %v; want none", res.Errors)
	}
	// alice.johnson has a console password and an active key; bob.smith
	// only an inactive key.
	for _, tc := range []struct {
		user       string
		wantLegacy bool
	}{{"alice.johnson", true}, {"bob.smith", false}} {
		n := 0
		for _, r := range rows {
			if r.UserName != tc.user {
				continue
			}
			n++
			if r.IAM == nil || r.IAM.UserName != tc.user {
				t.Errorf("%s on %s: got IAM status %+v; want the IAM user of that name", tc.user, r.AccountName, r.IAM)
			}
			if got := hasFlag(r, list.FlagLegacyIAMUser); got != tc.wantLegacy {
				t.Errorf("%s on %s: got %s flag %v; want %v", tc.user, r.AccountName, list.FlagLegacyIAMUser, got, tc.wantLegacy)
			}
		}
		if n == 0 {
			t.Errorf("no rows for %s", tc.user)
		}
	}
}

// BenchmarkAuditMedium audits the medium organization with AWS's quotas
// scaled by SSOCTL_BENCH_SCALE (default 8) on both the sandbox and the
// client (awsclient's token buckets and retry), with each strategy and
// fan-out width.
//
//	go test ./internal/audit/ -run XXX -bench AuditMedium -benchtime 1x
func BenchmarkAuditMedium(b *testing.B) {
	scale := benchScale(b, 8)
	for _, strategy := range []list.Method{list.ByPrincipal, list.ByPermissionSet} {
		for _, conc := range []int{4, 8, 16, 32} {
			b.Run(fmt.Sprintf("%s/concurrency=%d", strategy, conc), func(b *testing.B) {
				benchmarkAudit(b, "medium", scale, strategy, conc)
			})
		}
	}
}

// BenchmarkAuditLarge is the large organization at SSOCTL_BENCH_SCALE
// (default 50) times AWS's quotas, the strategy the audit picks.
//
//	go test ./internal/audit/ -run XXX -bench AuditLarge -benchtime 1x
func BenchmarkAuditLarge(b *testing.B) {
	benchmarkAudit(b, "large", benchScale(b, 50), list.MethodAuto, 0)
}

func benchScale(b *testing.B, def float64) float64 {
	v := os.Getenv("SSOCTL_BENCH_SCALE")
	if v == "" {
		return def
	}
	scale, err := strconv.ParseFloat(v, 64)
	if err != nil {
		b.Fatal(err)
	}
	return scale
}

// benchmarkAudit reports the calls, the wall time, how close it comes to
// the sso-admin quota bound ((calls - burst) / rate), and how long each
// phase took (from the audit's progress reports).
func benchmarkAudit(b *testing.B, org string, scale float64, strategy list.Method, conc int) {
	for b.Loop() {
		b.StopTimer()
		_, url := sandbox(b, emulator.Options{Org: org, Quotas: "aws", QuotaScale: scale})
		set, err := awsclient.New(ctx, awsclient.Options{
			EndpointURL: url, Region: "us-east-1", RateScale: scale,
			Credentials: credentials.NewStaticCredentialsProvider(emulator.SandboxAccessKeyID, emulator.SandboxSecretAccessKey, ""),
		})
		if err != nil {
			b.Fatal(err)
		}
		c := audit.Clients{Clients: inventory.Clients{
			SSOAdmin: set.SSOAdmin(), IdentityStore: set.IdentityStore(), Organizations: set.Organizations(),
			Concurrency: conc,
		}}
		var (
			mu     sync.Mutex
			phases []string
			starts = map[string]time.Time{}
		)
		progress := func(p audit.Progress) {
			mu.Lock()
			defer mu.Unlock()
			if _, ok := starts[p.Phase]; !ok {
				starts[p.Phase] = time.Now()
				phases = append(phases, p.Phase)
			}
		}
		b.StartTimer()
		start := time.Now()
		res, err := audit.Run(ctx, c, audit.Options{Method: strategy, Progress: progress}, func(audit.Row) error { return nil })
		if err != nil {
			b.Fatal(err)
		}
		end := time.Now()
		wall := end.Sub(start).Seconds()
		stats := set.Stats()
		sso := 0
		for op, n := range stats.Calls {
			if strings.HasPrefix(op, "sso-admin:") {
				sso += n
			}
		}
		bound := max(0, float64(sso)-20*scale) / (20 * scale)
		b.ReportMetric(float64(stats.Total()), "calls")
		b.ReportMetric(float64(stats.TotalThrottled()), "throttled")
		b.ReportMetric(wall, "wall-s")
		b.ReportMetric(wall/bound, "wall/sso-bound")
		b.ReportMetric(float64(res.Rows), "rows")
		for i, ph := range phases {
			next := end
			if i+1 < len(phases) {
				next = starts[phases[i+1]]
			}
			b.ReportMetric(next.Sub(starts[ph]).Seconds(), ph+"-s")
		}
	}
}
