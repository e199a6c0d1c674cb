package inventory

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestResolve checks the choice between list pages and one Describe per
// item with a fake list of n items, pageSize per page.
func TestResolve(t *testing.T) {
	item := func(i int) string { return fmt.Sprintf("id-%04d", i) }
	tests := []struct {
		name          string
		items, size   int
		want          []string
		wantPages     int
		wantDescribes int
	}{
		{name: "one item: describe it", items: 500, size: 100, want: []string{item(7)}, wantPages: 0, wantDescribes: 1},
		{name: "all in one page", items: 40, size: 100, want: []string{item(1), item(2), item(39)}, wantPages: 1, wantDescribes: 0},
		{name: "found in the first pages", items: 1000, size: 100, want: []string{item(1), item(150), item(151)}, wantPages: 2, wantDescribes: 0},
		// 3 wanted, none in the first pages: at most 3 pages, then describe.
		{name: "far away: stop paging", items: 10000, size: 100, want: []string{item(9001), item(9002), item(9003)}, wantPages: 3, wantDescribes: 3},
		// After two pages one remains: describe it rather than page on.
		{name: "last one described", items: 10000, size: 100, want: []string{item(5), item(150), item(9999)}, wantPages: 2, wantDescribes: 1},
		{name: "missing after the whole list", items: 150, size: 100, want: []string{item(1), "gone-1", "gone-2"}, wantPages: 2, wantDescribes: 0},
		{name: "missing, described", items: 10000, size: 100, want: []string{"gone-1", "gone-2"}, wantPages: 2, wantDescribes: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var describes atomic.Int32
			pages, next := 0, 0
			got, err := resolve(context.Background(), tt.want, 4,
				func(context.Context) ([]string, bool, error) {
					pages++
					var out []string
					for ; next < tt.items && len(out) < tt.size; next++ {
						out = append(out, item(next))
					}
					return out, next < tt.items, nil
				},
				func(s string) string { return s },
				func(_ context.Context, id string) (string, error) {
					describes.Add(1)
					if id < item(tt.items) && id >= item(0) {
						return id, nil
					}
					return "", fmt.Errorf("item %s: %w", id, ErrNotFound)
				})
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for id := range got {
				ids = append(ids, id)
			}
			sort.Strings(ids)
			var want []string
			for _, id := range tt.want {
				if id < item(tt.items) && id >= item(0) {
					want = append(want, id)
				}
			}
			sort.Strings(want)
			if diff := cmp.Diff(want, ids); diff != "" {
				t.Errorf("found (-want +got):\n%s", diff)
			}
			if pages != tt.wantPages || int(describes.Load()) != tt.wantDescribes {
				t.Errorf("got %d pages and %d describes; want %d and %d", pages, describes.Load(), tt.wantPages, tt.wantDescribes)
			}
		})
	}

	t.Run("describe error", func(t *testing.T) {
		boom := errors.New("boom")
		_, err := resolve(context.Background(), []string{"x"}, 1,
			func(context.Context) ([]string, bool, error) { return nil, false, nil },
			func(s string) string { return s },
			func(context.Context, string) (string, error) { return "", boom })
		if !errors.Is(err, boom) {
			t.Errorf("got %v; want boom", err)
		}
	})
}
