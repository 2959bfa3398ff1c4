package cmd

import "testing"

func TestDfCountRow(t *testing.T) {
	for _, tc := range []struct {
		n              dfCount
		size, reclaim string
	}{
		{dfCount{}, "0B", "0B"},
		{dfCount{total: 3, active: 1, size: 1000, unused: 420}, "1kB", "420B (42%)"},
		{dfCount{total: 2, size: 16430000, unused: 16430000}, "16.43MB", "16.43MB (100%)"},
	} {
		r := tc.n.row("Images")
		if r.Size != tc.size || r.Reclaimable != tc.reclaim {
			t.Errorf("%+v: got %q %q, want %q %q", tc.n, r.Size, r.Reclaimable, tc.size, tc.reclaim)
		}
	}
}
