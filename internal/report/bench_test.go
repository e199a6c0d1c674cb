package report_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ssoctl/ssoctl/internal/audit"
	"github.com/ssoctl/ssoctl/internal/report"
)

// BenchmarkReportMediumLoad writes the medium organization's report and
// opens it in headless Chromium: the time from navigation to the matrix
// drawn (body[data-ready]), the file's size, and the time to write it.
//
//	go test ./internal/report -run XXX -bench ReportMediumLoad -benchtime 5x
func BenchmarkReportMediumLoad(b *testing.B) {
	if _, err := os.Stat(chromiumPath); err != nil {
		b.Skip("chromium not found at " + chromiumPath)
	}
	c, _ := sandboxClients(b, "medium")
	rb := report.NewBuilder()
	res, err := audit.Run(ctx, c, audit.Options{}, rb.Row)
	if err != nil {
		b.Fatal(err)
	}
	var html bytes.Buffer
	start := time.Now()
	if err := rb.Write(&html, report.Info{Generated: time.Now(), InstanceArn: res.Instance.Arn, Findings: res.Findings, Errors: res.Errors}); err != nil {
		b.Fatal(err)
	}
	write := time.Since(start)
	file := filepath.Join(b.TempDir(), "medium.html")
	if err := os.WriteFile(file, html.Bytes(), 0o600); err != nil {
		b.Fatal(err)
	}
	bctx, requests, _ := browser(b)
	// One load to start the renderer; it is not counted.
	if err := chromedp.Do(bctx, chromedp.Navigate("about:blank")); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	var total time.Duration
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		if err := chromedp.Do(bctx, chromedp.Navigate("file://"+file), chromedp.WaitVisible(chromedp.CSS(`body[data-ready="1"]`))); err != nil {
			b.Fatal(err)
		}
		total += time.Since(t0)
		if i == 0 {
			t, err := chromedp.Run(bctx, chromedp.Evaluate[string](`JSON.stringify({parse: document.body.dataset.parseMs, render: document.body.dataset.renderMs, ready: document.body.dataset.readyMs, nav: ((n) => [n.responseEnd, n.domInteractive, n.domContentLoadedEventStart, n.domComplete, n.loadEventEnd].map(Math.round))(performance.getEntriesByType("navigation")[0])})`))
			if err != nil {
				b.Fatal(err)
			}
			b.Logf("in the page: %s", t)
		}
		if err := chromedp.Do(bctx, chromedp.Navigate("about:blank")); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	for _, u := range requests() {
		if u != "file://"+file && u != "about:blank" {
			b.Errorf("the page requested %s", u)
		}
	}
	b.ReportMetric(total.Seconds()/float64(b.N), "s/load")
	b.ReportMetric(float64(html.Len())/1e6, "MB")
	b.ReportMetric(float64(rb.Rows()), "rows")
	b.ReportMetric(write.Seconds(), "s/write")
}
