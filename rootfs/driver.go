package rootfs

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Driver is a storage driver: how layers and container filesystems are kept.
type Driver interface {
	Name() string
	// Home is the driver's directory under the root (<root>/<name>).
	Home() string
	// Format is how whiteouts are written into this driver's layers.
	Format() Format
	// PrepareLayer creates dir for a new layer on top of parentDiff ("" if none).
	PrepareLayer(dir, parentDiff string) error
	// CreateRW creates container id's writable layer over the image layers
	// (bottom first), with its init layer.
	CreateRW(id string, layers []string, topChain string) error
	// Mount makes container id's root filesystem available and returns it.
	// A volatile mount skips syncing the writable layer (its content is
	// thrown away with the container: run --rm), which makes unmount cheap.
	Mount(id string, layers []string, topChain string, volatile bool) (string, error)
	// Unmount undoes Mount; it is idempotent.
	Unmount(id string) error
	// RemoveRW unmounts and deletes container id's layer; it is idempotent.
	RemoveRW(id string) error
	// Changes are container id's own changes to the image's files (no
	// parents, unsorted: see FinishChanges), read without a mount.
	Changes(id string, layers []string, topChain string) ([]Change, error)
	// DiffRoot is the directory container id's changed entries are read
	// from for commit: overlay's upper dir, vfs's full copy.
	DiffRoot(id string) string
	// Data is GraphDriver.Data for inspect.
	Data(id string, layers []string, topChain string) map[string]string
}

// DefaultDriverName is overlay when the kernel has overlayfs, else vfs.
func DefaultDriverName() string {
	data, err := os.ReadFile("/proc/filesystems")
	if err == nil && strings.Contains(string(data), "\toverlay\n") {
		return "overlay"
	}
	return "vfs"
}

// NewDriver returns the named driver rooted at <root>/<name>.
func NewDriver(root, name string) (Driver, error) {
	if name == "" {
		name = DefaultDriverName()
	}
	home := filepath.Join(root, name)
	switch name {
	case "overlay", "overlay2":
		return &overlayDriver{home: filepath.Join(root, "overlay")}, nil
	case "vfs":
		return &vfsDriver{home: home}, nil
	}
	return nil, fmt.Errorf("unknown storage driver %q: use overlay or vfs", name)
}

// initEntries are what the runtime binds over or mounts on, created empty
// in each container's init layer when the image lacks them (docker's
// setupInitLayer). A value is "dir", "file", or a symlink target.
var initEntries = []struct{ path, kind string }{
	{"/dev/pts", "dir"},
	{"/dev/shm", "dir"},
	{"/dev/mqueue", "dir"},
	{"/proc", "dir"},
	{"/sys", "dir"},
	{"/etc/resolv.conf", "file"},
	{"/etc/hosts", "file"},
	{"/etc/hostname", "file"},
	{"/dev/console", "file"},
	{"/etc/mtab", "/proc/mounts"},
}
