package historycmd

import (
	"context"
	"slices"
	"testing"

	"github.com/ssoctl/ssoctl/internal/cli/factory"
	"github.com/ssoctl/ssoctl/internal/iostreams"
)

func TestDiffArgs(t *testing.T) {
	for _, tc := range []struct {
		args    []string
		wantIDs []int64
		wantErr bool
	}{
		{nil, nil, false},
		{[]string{"3"}, []int64{3}, false},
		{[]string{"3", "7"}, []int64{3, 7}, false},
		{[]string{"x"}, nil, true},
		{[]string{"0"}, nil, true},
		{[]string{"1", "2", "3"}, nil, true},
	} {
		ios, _, _, _ := iostreams.Test()
		var got *diffOptions
		db := "h.db"
		cmd := newDiffCmd(factory.New(ios), &db, func(_ context.Context, o *diffOptions) error { got = o; return nil })
		cmd.SetArgs(tc.args)
		cmd.SetOut(ios.ErrOut)
		cmd.SetErr(ios.ErrOut)
		err := cmd.Execute()
		if (err != nil) != tc.wantErr {
			t.Errorf("diff %v: error %v; want error %v", tc.args, err, tc.wantErr)
			continue
		}
		if err == nil && (!slices.Equal(got.IDs, tc.wantIDs) || got.DB != "h.db" || got.Format != "csv") {
			t.Errorf("diff %v: ids %v db %q format %q; want %v h.db csv", tc.args, got.IDs, got.DB, got.Format, tc.wantIDs)
		}
	}
}
