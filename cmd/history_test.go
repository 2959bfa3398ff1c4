package cmd

import (
	"reflect"
	"testing"
	"time"

	"github.com/ctr-lite/ctr-lite/lifecycle/images"
)

func TestHistoryRows(t *testing.T) {
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	long := "/bin/sh -c apt-get update && apt-get install -y\tnginx curl && rm -rf /var/lib/apt"
	entries := []images.HistoryEntry{
		{ID: "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", Created: now.Add(-2 * time.Hour),
			CreatedBy: long, Size: 1234567, Comment: "m"},
		{ID: images.Missing, Created: now.AddDate(0, -3, 0), CreatedBy: "CMD sh"},
	}
	got := historyRows(entries, now, true, true)
	want := []historyRow{
		{ID: "0123456789ab", CreatedSince: "2 hours ago", CreatedAt: now.Add(-2 * time.Hour).Local().Format(time.RFC3339),
			CreatedBy: "/bin/sh -c apt-get update && apt-get install…", Size: "1.23MB", Comment: "m"},
		{ID: "<missing>", CreatedSince: "3 months ago", CreatedAt: now.AddDate(0, -3, 0).Local().Format(time.RFC3339),
			CreatedBy: "CMD sh", Size: "0B"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	plain := historyRows(entries, now, false, false)
	if plain[0].ID != entries[0].ID || plain[0].Size != "1234567" || plain[0].CreatedSince != plain[0].CreatedAt ||
		plain[0].CreatedBy != "/bin/sh -c apt-get update && apt-get install -y nginx curl && rm -rf /var/lib/apt" {
		t.Errorf("untruncated, not human: %+v", plain[0])
	}
}

func TestEllipsis(t *testing.T) {
	for in, want := range map[string]string{"short": "short", "exactly10!": "exactly10!", "eleven char": "eleven ch…", "ünïcödé ünïcödé": "ünïcödé ü…"} {
		if got := ellipsis(in, 10); got != want {
			t.Errorf("ellipsis(%q) = %q, want %q", in, got, want)
		}
	}
}
