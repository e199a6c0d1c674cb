package historycmd

import (
	"context"
	"fmt"
	"strings"

	"github.com/ssoctl/ssoctl/internal/history"
	"github.com/ssoctl/ssoctl/internal/render"
)

// AllowIncompleteUsage is the help of every --allow-incomplete flag.
const AllowIncompleteUsage = "take a snapshot whose audit could not list everything as it is (what it missed then reads as access lost)"

// Why says in a few words why a snapshot is incomplete ("" when it is
// complete), escaped: its causes, or for snapshots saved before causes
// were kept, its item errors.
func Why(sn history.Snapshot) string {
	if sn.Complete {
		return ""
	}
	var parts []string
	for _, c := range sn.Causes {
		p := c.Cause
		if c.Items > 0 {
			p = fmt.Sprintf("%d item(s): %s", c.Items, c.Cause)
		}
		parts = append(parts, render.Escape(p))
	}
	if len(parts) == 0 && sn.Errors > 0 {
		parts = append(parts, fmt.Sprintf("%d item(s) could not be listed", sn.Errors))
	}
	return strings.Join(parts, "; ")
}

// CheckBase decides whether sn may be read as the organization's access
// at its time, for a diff or a report. A partial snapshot (items could
// not be listed) is refused unless allow, with what to do instead
// (complete names complete snapshots to use, "" when there are none); with
// allow, and for a snapshot incomplete by its method alone, warning is a
// line for stderr.
func CheckBase(sn history.Snapshot, allow bool, instead string) (warning string, err error) {
	if sn.Complete {
		return "", nil
	}
	if sn.Partial() && !allow {
		what := "add --allow-incomplete to use it anyway"
		if instead != "" {
			what = instead + ", or " + what
		}
		return "", fmt.Errorf("snapshot #%d is INCOMPLETE (%s): what its audit could not list would read as access lost; %s", sn.ID, Why(sn), what)
	}
	return fmt.Sprintf("warning: snapshot #%d is INCOMPLETE (%s): access it could not see reads as GAINED or LOST though it may be unchanged", sn.ID, Why(sn)), nil
}

// completeIDs returns the ids of the newest n complete snapshots, oldest
// first.
func completeIDs(ctx context.Context, s *history.Store, n int) ([]int64, error) {
	list, err := s.List(ctx)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for i := len(list) - 1; i >= 0 && len(ids) < n; i-- {
		if list[i].Complete {
			ids = append([]int64{list[i].ID}, ids...)
		}
	}
	return ids, nil
}
