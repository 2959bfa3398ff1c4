package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	pathrs "github.com/cyphar/filepath-securejoin/pathrs-lite"
	"golang.org/x/sys/unix"

	"github.com/ctr-lite/ctr-lite/rootfs"
	"github.com/ctr-lite/ctr-lite/state"
)

// volumePath returns the volume's directory, creating the volume on first
// use. At the container's first start (docker does it at create, when
// ctr-lite has no rootfs mounted yet) a volume mounted over a directory of
// the image is seeded from it, unless nocopy: the directory's contents if
// the volume is empty, and its owner and mode in any case (see
// rootfs.Volumes.Seed). An anonymous one ("-v /path") gets docker's
// label saying so.
func (e *Engine) volumePath(c *state.Container, m state.MountPoint, anonymous bool, root string) (string, error) {
	ctx, name, dest := context.Background(), m.Source, m.Destination
	l, err := e.Containers.GlobalLock(ctx)
	if err != nil {
		return "", err
	}
	var labels map[string]string
	if anonymous {
		labels = map[string]string{rootfs.AnonymousLabel: ""}
	}
	vol, created, err := e.Volumes.EnsureWith(l, name, labels, m.VolumeOptions)
	if err == nil { // under the lock: a user stopping unmounts under it too
		if err = e.Volumes.MountData(vol); err != nil && created {
			e.Volumes.Remove(name)
		}
	}
	l.Unlock()
	if err != nil {
		return "", err
	}
	var src *os.File // nil: Seed only finishes a seed a crash cut short
	if !m.NoCopy && c.State.StartedAt.IsZero() {
		if src, err = openImageDir(root, dest); err != nil {
			return "", fmt.Errorf("open %s to seed volume %s: %w", dest, name, err)
		}
		if src != nil {
			defer src.Close()
		}
	}
	if err := e.Volumes.Seed(ctx, name, src); err != nil {
		if created {
			e.removeCreatedVolume(ctx, c.ID, name)
		}
		return "", err
	}
	return vol.Mountpoint, nil
}

// openImageDir opens dest inside rootfs (symlinks resolved, never out of
// it, by an fd-based lookup) for reading; nil if it is not a directory.
func openImageDir(rootfs, dest string) (*os.File, error) {
	handle, err := pathrs.OpenInRoot(rootfs, dest)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, unix.ENOTDIR) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer handle.Close()
	if fi, err := handle.Stat(); err != nil || !fi.IsDir() {
		return nil, err
	}
	return pathrs.Reopen(handle, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC)
}

// removeCreatedVolume takes back a volume that volumePath made for
// container id and could not seed, so a failed start leaves no volume
// behind; it stays if another container names it, which may have found
// it made already and be starting with it.
func (e *Engine) removeCreatedVolume(ctx context.Context, id, name string) {
	l, err := e.Containers.GlobalLock(ctx)
	if err != nil {
		return
	}
	defer l.Unlock()
	users, err := e.VolumeUserIDs(name)
	if err != nil {
		return
	}
	for _, u := range users {
		if u != id {
			return
		}
	}
	e.Volumes.Remove(name)
}

// VolumeUserIDs lists the IDs of the containers, running or not, whose
// mounts name volume name. Read under the global lock, which create
// holds while it makes a record visible, it misses none.
func (e *Engine) VolumeUserIDs(name string) ([]string, error) {
	ids, err := e.Containers.IDs()
	if err != nil {
		return nil, err
	}
	var users []string
	for _, id := range ids {
		hc, err := e.Containers.LoadHostConfig(id)
		if err != nil {
			continue
		}
		for _, m := range hc.MountPoints {
			if m.Type == state.MountVolume && m.Source == name {
				users = append(users, id)
				break
			}
		}
	}
	return users, nil
}

// releaseVolumes unmounts the devices of c's volumes that have options
// (docker's local driver: tmpfs, a bind) unless another container still
// running or starting uses them: their last user stopping unmounts them.
// A volume whose record cannot be read is left for volume rm to unmount.
func (e *Engine) releaseVolumes(c *state.Container, hc *state.HostConfig) error {
	var vols []*rootfs.Volume
	for _, m := range hc.MountPoints {
		if v, err := e.Volumes.Get(m.Source); m.Type == state.MountVolume && err == nil && len(v.Options) > 0 {
			vols = append(vols, v)
		}
	}
	if len(vols) == 0 {
		return nil
	}
	l, err := e.Containers.GlobalLock(context.Background())
	if err != nil {
		return err
	}
	defer l.Unlock()
	var errs []error
	for _, v := range vols {
		if !e.volumeInUse(v.Name, c.ID) {
			errs = append(errs, e.Volumes.UnmountData(v))
		}
	}
	return errors.Join(errs...)
}

// volumeInUse says whether a container other than self, running or
// starting, uses volume name. Read under the global lock. A start mounts
// the volume's device under the global lock (volumePath) but saves its
// record as running only at its end, holding the container's lock all
// along: a user whose record says stopped but whose lock is held may be
// starting with the device mounted, so it counts too (if it was another
// command holding that lock, the device stays mounted until the next
// user stops or volume rm, which is safe; unmounting under a start is not).
func (e *Engine) volumeInUse(name, self string) bool {
	ids, err := e.VolumeUserIDs(name)
	if err != nil {
		return true // unsure: keep it mounted
	}
	for _, id := range ids {
		if id == self {
			continue
		}
		if c, err := e.Containers.Load(id); err != nil || c.Alive() != state.Gone || e.Containers.LockHeld(id) {
			return true
		}
	}
	return false
}

// removeAnonymousVolumes deletes the volumes made for "-v /path", but
// not one another container still mounts (--volumes-from), as docker
// keeps a volume in use.
func (e *Engine) removeAnonymousVolumes(names []string) error {
	var errs []error
	for _, n := range names {
		if users, err := e.VolumeUserIDs(n); err == nil && len(users) > 0 {
			continue
		}
		if err := e.Volumes.Remove(n); err != nil && !errors.Is(err, rootfs.ErrVolumeNotFound) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// bindSource creates a missing host directory, as docker does, and
// resolves the path once to its real location: runc gets a path without
// symlinks, so a symlink swapped in later does not redirect the mount.
func bindSource(src string) (string, error) {
	if _, err := os.Stat(src); errors.Is(err, os.ErrNotExist) {
		if err := os.MkdirAll(src, 0o755); err != nil {
			return "", WithCode(ExitEngine, fmt.Errorf("create bind source %q: %w", src, err))
		}
	}
	real, err := filepath.EvalSymlinks(src)
	if err != nil {
		return "", WithCode(ExitEngine, fmt.Errorf("resolve bind source %q: %w", src, err))
	}
	return real, nil
}

// resolveMounts gives each mount its host source: a volume becomes its
// directory (made on first use, with the image's files at that path
// copied in, as docker does); a missing host path is created as a
// directory, as docker does; a tmpfs needs none.
func (e *Engine) resolveMounts(c *state.Container, hc *state.HostConfig, rootfs string) ([]state.MountPoint, error) {
	out := make([]state.MountPoint, 0, len(hc.MountPoints))
	for _, m := range hc.MountPoints {
		var err error
		switch m.Type {
		case state.MountVolume:
			anonymous := slices.Contains(hc.AnonymousVolumes, m.Source)
			if m.Source, err = e.volumePath(c, m, anonymous, rootfs); err != nil {
				return nil, WithCode(ExitEngine, err)
			}
		case state.MountBind:
			if m.Source, err = bindSource(m.Source); err != nil {
				return nil, err
			}
		}
		out = append(out, m)
	}
	return out, nil
}
