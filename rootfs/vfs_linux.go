package rootfs

import (
	"fmt"
	"os"
	"path/filepath"
)

// vfsDriver keeps every layer as a full snapshot and gives each container a
// full copy: slow and large, but it works on any filesystem.
type vfsDriver struct{ home string }

func (d *vfsDriver) Name() string   { return "vfs" }
func (d *vfsDriver) Home() string   { return d.home }
func (d *vfsDriver) Format() Format { return FormatVFS }

func (d *vfsDriver) PrepareLayer(dir, parentDiff string) error {
	if parentDiff == "" {
		return mkdirAll(dir, 0o755)
	}
	return copyTree(parentDiff, dir)
}

func (d *vfsDriver) ctrDir(id string) string { return filepath.Join(d.home, "containers", id) }

func (d *vfsDriver) rootfs(id string) string { return filepath.Join(d.ctrDir(id), "rootfs") }

func (d *vfsDriver) CreateRW(id string, layers []string, topChain string) (retErr error) {
	if err := os.MkdirAll(d.ctrDir(id), 0o700); err != nil {
		return fmt.Errorf("create container layer: %w", err)
	}
	defer func() {
		if retErr != nil {
			os.RemoveAll(d.ctrDir(id))
		}
	}()
	if topChain == "" {
		if err := mkdirAll(d.rootfs(id), 0o755); err != nil {
			return fmt.Errorf("create container layer: %w", err)
		}
	} else {
		h, _ := digestHex(topChain)
		if err := copyTree(filepath.Join(d.home, "layers", h, "diff"), d.rootfs(id)); err != nil {
			return fmt.Errorf("copy image into container layer: %w", err)
		}
		// "/" is 0755 root, whatever mode the layer's root was made with
		if err := takeRootAttrs(d.rootfs(id)); err != nil {
			return fmt.Errorf("create container layer: %w", err)
		}
	}
	return setupInitLayer(d.rootfs(id))
}

func (d *vfsDriver) Mount(id string, _ []string, _ string, _ bool) (string, error) {
	return d.rootfs(id), nil
}

func (d *vfsDriver) Unmount(string) error { return nil }

func (d *vfsDriver) RemoveRW(id string) error {
	if err := os.RemoveAll(d.ctrDir(id)); err != nil {
		return fmt.Errorf("remove container layer: %w", err)
	}
	return nil
}

func (d *vfsDriver) DiffRoot(id string) string { return d.rootfs(id) }

func (d *vfsDriver) Data(id string, _ []string, _ string) map[string]string {
	return map[string]string{"Dir": d.rootfs(id)}
}
