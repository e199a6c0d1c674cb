package historycmd

import (
	"context"

	"github.com/ssoctl/ssoctl/internal/history"
)

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
