package lifecycle

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/moby/sys/mountinfo"
	"golang.org/x/sys/unix"

	"github.com/ctr-lite/ctr-lite/state"
)

// ipcShareable is the --ipc mode whose /dev/shm lives on the host, so a
// container:NAME joiner can bind it too.
const ipcShareable = "shareable"

// defaultShmSize is docker's /dev/shm size without --shm-size.
const defaultShmSize = 64 << 20

// shmDir is where a shareable container's /dev/shm is mounted on the host
// (docker's containers/ID/mounts/shm).
func (e *Engine) shmDir(id string) string {
	return filepath.Join(e.Containers.Dir(id), "mounts", "shm")
}

// mountShm mounts a shareable container's /dev/shm, a tmpfs of
// --shm-size, on the host; other modes have none there. An existing
// mount (a start after a crash) is kept.
func (e *Engine) mountShm(c *state.Container, hc *state.HostConfig) error {
	if hc.IpcMode != ipcShareable {
		return nil
	}
	dir := e.shmDir(c.ID)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create /dev/shm of container %q: %w", c.Name, err)
	}
	if mounted, err := mountinfo.Mounted(dir); err == nil && mounted {
		return nil
	}
	size := hc.ShmSize
	if size <= 0 {
		size = defaultShmSize
	}
	if err := unix.Mount("shm", dir, "tmpfs", unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, fmt.Sprintf("mode=1777,size=%d", size)); err != nil {
		return fmt.Errorf("mount /dev/shm of container %q at %q: %w", c.Name, dir, err)
	}
	return nil
}

// unmountShm undoes mountShm; it is idempotent, and detaches: a joiner
// still running keeps its copy of the mount (as with docker).
func (e *Engine) unmountShm(id string) error {
	dir := e.shmDir(id)
	for {
		err := unix.Unmount(dir, unix.MNT_DETACH|unix.UMOUNT_NOFOLLOW)
		switch {
		case err == nil: // a start racing a crash may have stacked two
		case errors.Is(err, unix.EINVAL), errors.Is(err, unix.ENOENT):
			return nil
		default:
			return fmt.Errorf("unmount /dev/shm %q: %w", dir, err)
		}
	}
}
