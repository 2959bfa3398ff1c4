package images

import (
	"reflect"
	"testing"
	"time"

	"github.com/ctr-lite/ctr-lite/rootfs"
)

// TestHistoryOf: newest first, layer sizes matched to the steps that
// have a layer, the image's ID on top, a stored image's ID on the step
// it ends, <missing> elsewhere.
func TestHistoryOf(t *testing.T) {
	t1 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	img := &rootfs.Image{ID: "sha256:top"}
	img.Config.RootFS.DiffIDs = []string{"sha256:l1", "sha256:l2"}
	img.Config.History = []rootfs.History{
		{Created: &t1, CreatedBy: "ADD rootfs"},
		{CreatedBy: "CMD sh", EmptyLayer: true},
		{CreatedBy: "touch /f", Comment: "msg"},
	}
	parent := func(diffIDs []string, h []rootfs.History) string {
		if len(diffIDs) == 1 && len(h) == 2 {
			return "sha256:parent"
		}
		return ""
	}
	got := historyOf(img, []int64{100, 7}, parent)
	want := []HistoryEntry{
		{ID: "sha256:top", CreatedBy: "touch /f", Size: 7, Comment: "msg"},
		{ID: "sha256:parent", CreatedBy: "CMD sh"},
		{ID: Missing, Created: t1, CreatedBy: "ADD rootfs", Size: 100},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}

// TestHistoryOfNoHistory: an image whose config has no history lists a
// step per layer, made when the image was.
func TestHistoryOfNoHistory(t *testing.T) {
	img := &rootfs.Image{ID: "sha256:top"}
	img.Config.Created = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	img.Config.RootFS.DiffIDs = []string{"sha256:l1", "sha256:l2"}
	got := historyOf(img, []int64{1, 2}, func([]string, []rootfs.History) string { return "" })
	if len(got) != 2 || got[0].ID != "sha256:top" || got[0].Size != 2 || got[1].ID != Missing || got[1].Size != 1 || !got[1].Created.Equal(img.Config.Created) {
		t.Errorf("got %+v", got)
	}
}

func TestCommitConfigKeepsParentHistoryAndPlatform(t *testing.T) {
	parent := []byte(`{"architecture":"arm64","variant":"v8","os":"linux","created":"2026-01-01T00:00:00Z","config":{"Cmd":["sh"]},` +
		`"rootfs":{"type":"layers","diff_ids":["sha256:` + hex64("a") + `"]},"history":[{"created":"2026-01-01T00:00:00Z","created_by":"ADD x"}],"unknown":1}`)
	now := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	h := rootfs.History{Created: &now, CreatedBy: "touch /f", Author: "me", Comment: "c"}
	raw, err := commitConfig(parent, rootfs.ContainerDefaults{Cmd: []string{"true"}}, h, "sha256:"+hex64("b"), now)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"architecture":"arm64","author":"me","comment":"c","config":{"Cmd":["true"]},"created":"2026-02-01T00:00:00Z",` +
		`"history":[{"created":"2026-01-01T00:00:00Z","created_by":"ADD x"},{"created":"2026-02-01T00:00:00Z","created_by":"touch /f","author":"me","comment":"c"}],` +
		`"os":"linux","rootfs":{"diff_ids":["sha256:` + hex64("a") + `","sha256:` + hex64("b") + `"],"type":"layers"},"variant":"v8"}`
	if string(raw) != want {
		t.Errorf("got  %s\nwant %s", raw, want)
	}
}

func hex64(c string) string {
	out := ""
	for range 64 {
		out += c
	}
	return out
}
