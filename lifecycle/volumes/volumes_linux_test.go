package volumes

import (
	"context"
	"github.com/ctr-lite/ctr-lite/rootfs"
	"path/filepath"
	"testing"

	"github.com/ctr-lite/ctr-lite/lifecycle"
	"github.com/ctr-lite/ctr-lite/state"
)

// volume rm reads its users under the global lock and counts a create
// that has written its host config but not yet its record.
func TestVolumeRemoveSeesACreateInProgress(t *testing.T) {
	le, err := lifecycle.New(lifecycle.Options{Root: filepath.Join(t.TempDir(), "root"), RunRoot: filepath.Join(t.TempDir(), "run"), StorageDriver: "vfs"})
	if err != nil {
		t.Fatal(err)
	}
	e := Of(le)
	ctx := context.Background()
	if _, err := e.CreateVolume(ctx, "vr", nil, nil); err != nil {
		t.Fatal(err)
	}
	g, err := e.Containers.GlobalLock(ctx)
	if err != nil {
		t.Fatal(err)
	}
	id, _, err := e.Containers.Reserve(g, "creating", false)
	g.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Containers.SaveHostConfig(id, &state.HostConfig{Binds: []string{"vr:/data"}}, false); err != nil {
		t.Fatal(err)
	}
	if err := e.RemoveVolume(ctx, "vr"); err == nil {
		t.Fatal("volume rm removed a volume a container being created names")
	}
	if removed, _, err := e.PruneVolumes(ctx, true, func(*rootfs.Volume) int64 { return 0 }); err != nil || len(removed) != 0 {
		t.Fatalf("volume prune: %v %v", removed, err)
	}
}
