//go:build unix

package history_test

import (
	"fmt"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/ssoctl/ssoctl/internal/audit"
	"github.com/ssoctl/ssoctl/internal/history"
)

// largeLikeRows are n rows shaped like the large organization's report:
// blocks of 24 rows per (account, permission set), each three groups of
// eight members; 100,000 users reached through 10,000 groups, a group's
// members in the same order wherever it is assigned.
func largeLikeRows(n int) []audit.Row {
	rows := make([]audit.Row, 0, n)
	for i := 0; i < n; i++ {
		blk, j := i/24, i%24
		acct, ps, g := blk/21%3000, blk%500, (blk*7+j/8)%10000
		u := (g*37 + (j%8)*1009) % 100000
		rows = append(rows, audit.Row{
			UserEmail: fmt.Sprintf("user%06d@example.com", u), UserName: fmt.Sprintf("user%06d", u), UserId: fmt.Sprintf("9067%06d-1e60d52c-4a80-412e-a90f-7247de4ceafc", u),
			UserStatus: "ENABLED", DisplayName: fmt.Sprintf("User %06d", u),
			AccountId: fmt.Sprintf("%012d", 100000000000+acct), AccountName: fmt.Sprintf("account-%04d", acct), AccountStatus: "ACTIVE",
			PermissionSet: fmt.Sprintf("PermissionSet%03d", ps), PermissionSetArn: fmt.Sprintf("arn:aws:sso:::permissionSet/ssoins-4a50bf4c17e91386/ps-%016x", ps),
			PrincipalType: "GROUP", PrincipalId: fmt.Sprintf("cb392a50ec-%08d-4666-4414-ada7-b73f55055ccf", g), GroupName: fmt.Sprintf("group-%05d", g),
		})
	}
	return rows
}

// BenchmarkSave writes 300,000 rows as one snapshot, twice (the second
// snapshot finds every identity interned already). Besides rows per
// second it reports the process's CPU time per row (every goroutine's,
// the garbage collector's included), which a busy machine disturbs less.
//
//	go test ./internal/history -run XXX -bench Save -benchtime 1x
func BenchmarkSave(b *testing.B) {
	rows := largeLikeRows(300000)
	for i := 0; i < b.N; i++ {
		s, err := history.Open(ctx, filepath.Join(b.TempDir(), "h.db"))
		if err != nil {
			b.Fatal(err)
		}
		for snap := 1; snap <= 2; snap++ {
			start, cpu := time.Now(), cpuTime(b)
			w, err := s.Begin(ctx, time.Now())
			if err != nil {
				b.Fatal(err)
			}
			for _, r := range rows {
				if err := w.Row(r); err != nil {
					b.Fatal(err)
				}
			}
			if _, err := w.Finish(history.Result{}); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(len(rows))/time.Since(start).Seconds(), fmt.Sprintf("rows/s-snapshot%d", snap))
			b.ReportMetric(float64(cpuTime(b)-cpu)/float64(len(rows)), fmt.Sprintf("cpu-ns/row-snapshot%d", snap))
		}
		s.Close()
	}
}

// cpuTime is the CPU time (user and system) the process has used.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
