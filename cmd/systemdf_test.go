package cmd

import (
	"testing"
	"time"

	"github.com/ctr-lite/ctr-lite/rootfs"
)

func TestDfCountRow(t *testing.T) {
	for _, tc := range []struct {
		n             dfCount
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

func TestSystemPruneWarning(t *testing.T) {
	got := systemPruneWarning(systemPruneOptions{})
	want := "WARNING! This will remove:\n  - all stopped containers\n  - all networks not used by at least one container\n  - all dangling images\n  - unused build cache\n"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	got = systemPruneWarning(systemPruneOptions{all: true, volumes: true, filters: []string{"label=tmp"}})
	want = "WARNING! This will remove:\n  - all stopped containers\n  - all networks not used by at least one container\n" +
		"  - all anonymous volumes not used by at least one container\n  - all images without at least one container associated to them\n" +
		"  - all build cache\n\n  Items to be pruned will be filtered with:\n  - label=tmp\n"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestDfSharedLayers(t *testing.T) {
	a := &rootfs.Image{ID: "a", Size: 30, RepoTags: []string{"a:1"}}
	b := &rootfs.Image{ID: "b", Size: 50, RepoTags: []string{"b:1"}}
	layers := map[string]map[string]int64{"a": {"base": 10, "x": 20}, "b": {"base": 10, "y": 40}}
	du := &diskUsage{}
	du.addImages([]*rootfs.Image{a, b}, func(i *rootfs.Image) map[string]int64 { return layers[i.ID] }, map[string]int{"a": 1}, time.Now())
	if got := du.images.row("Images"); got.Size != "70B" || got.Reclaimable != "50B (71%)" || got.Active != 1 {
		t.Errorf("summary %+v", got)
	}
	if r := du.imageRows[1]; r.SharedSize != "10B" || r.UniqueSize != "40B" || r.Containers != 0 {
		t.Errorf("row %+v", r)
	}
}
