package emulator_test

// Benchmarks of the sandbox itself (BENCHMARKS.md, "Foundation (sandbox)"):
// how long the large organization takes to generate and to index, how much
// memory it holds, and how many pages a second the server answers on
// loopback through the real SDK client.
//
//	go test ./internal/emulator/ -run XXX -bench . -benchtime 3x
//
// Run a memory benchmark on its own (-bench 'GenerateLarge$') for a clean
// peak-RSS figure: peak RSS is the process's, reset before the timed loop.

import (
	"bytes"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/ssoctl/ssoctl/internal/emulator"
)

// resetPeakRSS zeroes the kernel's peak-RSS mark (VmHWM) for this process.
func resetPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// peakRSS is the process's peak resident set size in bytes (0 if unknown).
func peakRSS() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range bytes.Split(b, []byte("\n")) {
		if rest, ok := bytes.CutPrefix(line, []byte("VmHWM:")); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(string(rest)), " kB"), 64)
			return kb * 1024
		}
	}
	return 0
}

// liveHeap is the heap still in use after a full collection.
func liveHeap() float64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return float64(m.HeapAlloc)
}

// reportMemory adds the live heap held by keep and the peak RSS.
func reportMemory(b *testing.B, keep any) {
	b.Helper()
	b.ReportMetric(liveHeap()/(1<<20), "live-MB")
	runtime.KeepAlive(keep)
	b.ReportMetric(peakRSS()/(1<<20), "peakRSS-MB")
}

func BenchmarkGenerateLarge(b *testing.B) {
	b.ReportAllocs()
	runtime.GC()
	resetPeakRSS()
	var st *emulator.State
	for b.Loop() {
		st = emulator.Generate("large", 0)
	}
	b.StopTimer()
	reportMemory(b, st)
	b.ReportMetric(float64(len(st.Users)), "users")
	b.ReportMetric(float64(len(st.Assignments)), "assignments")
}

// BenchmarkNewLarge is what `ssoctl sandbox --org large` does before it
// listens: generate, then build every index.
func BenchmarkNewLarge(b *testing.B) {
	b.ReportAllocs()
	runtime.GC()
	resetPeakRSS()
	var srv *emulator.Server
	for b.Loop() {
		var err error
		if srv, err = emulator.New(emulator.Options{Org: "large"}); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	reportMemory(b, srv)
}

// BenchmarkIndexLarge is New over an already generated state: the indexing
// alone.
func BenchmarkIndexLarge(b *testing.B) {
	st := emulator.Generate("large", 0)
	b.ReportAllocs()
	runtime.GC()
	for b.Loop() {
		if _, err := emulator.New(emulator.Options{State: st}); err != nil {
			b.Fatal(err)
		}
	}
}

// closedConnNote: now and then (about 1 call in 10,000 here) the SDK reads
// a 200 response whose connection net/http's writeLoop has just closed
// ("use of closed network connection"; aws/aws-sdk-go-v2#2737). The SDK
// retries net.ErrClosed, so the benchmarks allow retries; with one attempt
// they would fail at random.

// busiestPair is the (account, permission set) with the most assignments.
func busiestPair(st *emulator.State) (account, ps string, n int) {
	count := map[[2]string]int{}
	for _, a := range st.Assignments {
		k := [2]string{a.AccountId, a.PermissionSetArn}
		count[k]++
		if c := count[k]; c > n || (c == n && k[0]+k[1] < account+ps) {
			account, ps, n = k[0], k[1], c
		}
	}
	return account, ps, n
}

// BenchmarkListAccountAssignmentsPages drives the real ssoadmin client
// against the medium organization (no quotas) from parallel goroutines:
// one op is one ListAccountAssignments page of the busiest provisioned
// pair.
func BenchmarkListAccountAssignmentsPages(b *testing.B) {
	srv, _, url := sandbox(b, emulator.Options{Org: "medium"})
	cfg := sdkConfig(url, 3) // retries: see closedConnNote
	st := srv.Snapshot()
	account, ps, n := busiestPair(st)
	inst := st.Instances[0].InstanceArn
	client := ssoadmin.NewFromConfig(cfg)
	in := &ssoadmin.ListAccountAssignmentsInput{InstanceArn: &inst, AccountId: &account, PermissionSetArn: &ps, MaxResults: aws.Int32(100)}
	out, err := client.ListAccountAssignments(ctx, in)
	if err != nil {
		b.Fatal(err)
	}
	if len(out.AccountAssignments) != n {
		b.Fatalf("got %d assignments; want %d", len(out.AccountAssignments), n)
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := client.ListAccountAssignments(ctx, in); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pages/s")
	b.ReportMetric(float64(n), "assignments/page")
}

// BenchmarkListUsersPageLarge serves one ListUsers page of 100 from the
// large organization's 100,000 users: the first page and the last. A deep
// page must cost what the first one does (a binary search, not a scan).
func BenchmarkListUsersPageLarge(b *testing.B) {
	srv, _, url := sandbox(b, emulator.Options{Org: "large"})
	cfg := sdkConfig(url, 3) // retries: see closedConnNote
	store := srv.Snapshot().Instances[0].IdentityStoreId
	client := identitystore.NewFromConfig(cfg)
	var last *string
	p := identitystore.NewListUsersPaginator(client, &identitystore.ListUsersInput{IdentityStoreId: &store, MaxResults: aws.Int32(100)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if out.NextToken != nil {
			last = out.NextToken
		}
	}
	for _, bc := range []struct {
		name  string
		token *string
	}{{"first", nil}, {"last", last}} {
		b.Run(bc.name, func(b *testing.B) {
			in := &identitystore.ListUsersInput{IdentityStoreId: &store, MaxResults: aws.Int32(100), NextToken: bc.token}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := client.ListUsers(ctx, in); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pages/s")
		})
	}
}

// BenchmarkSignedCalls times one call at a time of the real SDK: sso-admin
// ListInstances (awsJson) and sts GetCallerIdentity (query), the smallest
// answers, so the signature check's share of a call shows (BENCHMARKS.md
// compares the build before it).
func BenchmarkSignedCalls(b *testing.B) {
	_, _, url := sandbox(b, emulator.Options{})
	cfg := sdkConfig(url, 3) // retries: see closedConnNote
	admin, who := ssoadmin.NewFromConfig(cfg), sts.NewFromConfig(cfg)
	for _, bc := range []struct {
		name string
		call func() error
	}{
		{"sso-admin", func() error { _, err := admin.ListInstances(ctx, &ssoadmin.ListInstancesInput{}); return err }},
		{"sts", func() error { _, err := who.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); return err }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := bc.call(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
