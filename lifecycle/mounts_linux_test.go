package lifecycle

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/ctr-lite/ctr-lite/rootfs"
	"github.com/ctr-lite/ctr-lite/state"
)

// A hostile image's symlinks at a volume's path resolve inside the
// rootfs: seeding never reads the host's directory they name.
func TestOpenImageDirStaysInRootfs(t *testing.T) {
	root := t.TempDir()
	host := t.TempDir() // stands for a host directory with secrets
	os.WriteFile(filepath.Join(host, "secret"), []byte("x"), 0o600)
	os.MkdirAll(filepath.Join(root, "var", "inside"), 0o755)
	os.WriteFile(filepath.Join(root, "var", "inside", "mine"), nil, 0o644)
	for name, target := range map[string]string{"abs": host, "rel": "../../../../../../.." + host, "in": "/var/inside"} {
		if err := os.Symlink(target, filepath.Join(root, "var", name)); err != nil {
			t.Fatal(err)
		}
	}
	for _, dest := range []string{"/var/abs", "/var/rel"} {
		f, err := openImageDir(root, dest)
		if err != nil || f != nil {
			t.Errorf("%s: got %v, %v; want nothing to seed from (the host directory is outside)", dest, f, err)
		}
	}
	f, err := openImageDir(root, "/var/in")
	if err != nil || f == nil {
		t.Fatalf("/var/in: %v, %v; want the directory inside the rootfs", f, err)
	}
	defer f.Close()
	if names, _ := f.Readdirnames(-1); len(names) != 1 || names[0] != "mine" {
		t.Fatalf("/var/in read %v, want [mine]", names)
	}
	if f, _ := openImageDir(root, "/var/inside/mine"); f != nil {
		t.Fatal("a file is not a directory to seed from")
	}
}

// A volume a failed start made is taken back only if no other container
// names it: one that found it made already may be starting with it.
func TestRemoveCreatedVolumeKeepsOneAnotherContainerUses(t *testing.T) {
	e, err := New(Options{Root: filepath.Join(t.TempDir(), "root"), RunRoot: filepath.Join(t.TempDir(), "run"), StorageDriver: "vfs"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	user := func(name string) string {
		g, err := e.Containers.GlobalLock(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer g.Unlock()
		id, _, err := e.Containers.Reserve(g, name, false)
		if err != nil {
			t.Fatal(err)
		}
		hc := &state.HostConfig{MountPoints: []state.MountPoint{{Type: state.MountVolume, Source: "shared", Destination: "/data"}}}
		if err := e.Containers.SaveHostConfig(id, hc, false); err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.Volumes.Ensure(g, "shared"); err != nil {
			t.Fatal(err)
		}
		return id
	}
	self, other := user("self"), user("other")
	e.removeCreatedVolume(ctx, self, "shared")
	if _, err := e.Volumes.Get("shared"); err != nil {
		t.Fatalf("a volume another container uses was removed: %v", err)
	}
	if err := os.RemoveAll(e.Containers.Dir(other)); err != nil {
		t.Fatal(err)
	}
	e.removeCreatedVolume(ctx, self, "shared")
	if _, err := e.Volumes.Get("shared"); !errors.Is(err, rootfs.ErrVolumeNotFound) {
		t.Fatalf("a volume only the failed container uses was kept: %v", err)
	}
}
