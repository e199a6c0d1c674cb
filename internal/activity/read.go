package activity

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// CloudTrail is the call activity makes, with the SDK's signature.
type CloudTrail interface {
	LookupEvents(context.Context, *cloudtrail.LookupEventsInput, ...func(*cloudtrail.Options)) (*cloudtrail.LookupEventsOutput, error)
}

// Retention is how far back LookupEvents sees: 90 days.
const Retention = 90 * 24 * time.Hour

// Lookup is one LookupEvents query: one lookup attribute (LookupEvents
// takes no more), a time window and a Region.
type Lookup struct {
	Region string // "" is the client's
	Key    cttypes.LookupAttributeKey
	Value  string
	// From and To bound the events' times; a zero To is "until now".
	From, To time.Time
}

func (l Lookup) String() string {
	r := l.Region
	if r == "" {
		r = "the default Region"
	}
	return fmt.Sprintf("%s=%s in %s", l.Key, l.Value, r)
}

// Progress is how far a reading has got: pages and events read, and the
// time of the oldest event read so far (events come newest first, so
// Reached walks back from To to From).
type Progress struct {
	Lookup  Lookup
	Pages   int
	Events  int
	Reached time.Time
}

// ReadResult is what a reading did.
type ReadResult struct {
	// ServerTime is AWS's clock when it answered the first page (its Date
	// header; zero when the answer had none).
	ServerTime time.Time
	Pages      int
	Events     int
}

// Read pages through a lookup, newest event first, and passes each event
// to each. progress, when set, is told after every page.
func Read(ctx context.Context, ct CloudTrail, l Lookup, progress func(Progress), each func(Event) error) (ReadResult, error) {
	in := &cloudtrail.LookupEventsInput{
		LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: l.Key, AttributeValue: aws.String(l.Value)}},
		MaxResults:       aws.Int32(50),
	}
	if !l.From.IsZero() {
		in.StartTime = aws.Time(l.From)
	}
	if !l.To.IsZero() {
		in.EndTime = aws.Time(l.To)
	}
	var opts []func(*cloudtrail.Options)
	if l.Region != "" {
		opts = append(opts, func(o *cloudtrail.Options) { o.Region = l.Region })
	}
	var res ReadResult
	p := cloudtrail.NewLookupEventsPaginator(ct, in)
	prog := Progress{Lookup: l}
	for p.HasMorePages() {
		page, err := p.NextPage(ctx, opts...)
		if err != nil {
			return res, fmt.Errorf("look up CloudTrail events (%s): %w", l, err)
		}
		if res.Pages == 0 {
			res.ServerTime = responseDate(page.ResultMetadata)
		}
		res.Pages++
		for _, e := range page.Events {
			ev, err := Parse(e)
			if err != nil {
				return res, err
			}
			res.Events++
			prog.Reached = ev.Time
			if err := each(ev); err != nil {
				return res, err
			}
		}
		if progress != nil {
			prog.Pages, prog.Events = res.Pages, res.Events
			progress(prog)
		}
	}
	return res, nil
}

// responseDate is the Date header of the answer behind an output's
// metadata (zero when there is none).
func responseDate(md middleware.Metadata) time.Time {
	raw, ok := awsmiddleware.GetRawResponse(md).(*smithyhttp.Response)
	if !ok || raw == nil {
		return time.Time{}
	}
	t, err := http.ParseTime(raw.Header.Get("Date"))
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}
