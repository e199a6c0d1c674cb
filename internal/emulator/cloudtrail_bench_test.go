package emulator_test

// Benchmarks of the sandbox's CloudTrail (BENCHMARKS.md, "Issue 28"): how
// long --activity-days takes to seed and how much it holds, and how fast
// LookupEvents pages through the seeded history over loopback.
//
//	go test ./internal/emulator/ -run XXX -bench 'Activity|LookupEvents' -benchtime 3x

import (
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"

	"github.com/ssoctl/ssoctl/internal/emulator"
	"github.com/ssoctl/ssoctl/internal/emulatortest"
)

// BenchmarkActivitySeedMedium: the medium organization without sign-in
// history and with 90 days of it.
func BenchmarkActivitySeedMedium(b *testing.B) {
	st := emulator.Generate("medium", 0)
	for _, days := range []int{0, emulator.MaxActivityDays} {
		b.Run(fmt.Sprintf("days=%d", days), func(b *testing.B) {
			var keep *emulator.Server
			for b.Loop() {
				srv, err := emulator.New(emulator.Options{State: st, ActivityDays: days})
				if err != nil {
					b.Fatal(err)
				}
				keep = srv
			}
			events := 0
			for _, r := range keep.Activity().Roles {
				events += r.Uses
			}
			b.ReportMetric(float64(events), "events")
			reportMemory(b, keep)
		})
	}
}

// BenchmarkLookupEventsMedium pages through one workday of the medium
// organization's seeded sign-ins (EventName=GetRoleCredentials, 50 a page)
// with the SDK, no quotas: the sandbox's own cost per page.
func BenchmarkLookupEventsMedium(b *testing.B) {
	sb := emulatortest.Start(b, emulator.Options{Org: "medium", ActivityDays: emulator.MaxActivityDays})
	c := cloudtrail.NewFromConfig(sb.Config())
	// The last workday seeded.
	day := sb.Activity().To.AddDate(0, 0, -1)
	for day.Weekday() == time.Saturday || day.Weekday() == time.Sunday {
		day = day.AddDate(0, 0, -1)
	}
	in := &cloudtrail.LookupEventsInput{
		LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKeyEventName, AttributeValue: aws.String("GetRoleCredentials")}},
		StartTime:        aws.Time(day), EndTime: aws.Time(day.Add(24*time.Hour - time.Second)),
	}
	pages, events := 0, 0
	for b.Loop() {
		p := cloudtrail.NewLookupEventsPaginator(c, in)
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				b.Fatal(err)
			}
			pages++
			events += len(page.Events)
		}
	}
	b.ReportMetric(float64(pages)/float64(b.N), "pages/op")
	b.ReportMetric(float64(events)/float64(b.N), "events/op")
	b.ReportMetric(b.Elapsed().Seconds()*1000/float64(pages), "ms/page")
}
