package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"strings"

	pathrs "github.com/cyphar/filepath-securejoin/pathrs-lite"
	"golang.org/x/sys/unix"

	"github.com/ctr-lite/ctr-lite/rootfs"
	"github.com/ctr-lite/ctr-lite/state"
)

// volumePath returns the volume's directory, creating the volume on first
// use; on its first mount over a directory of the image it is seeded from
// that directory (see rootfs.Volumes.Seed), unless nocopy.
func (e *Engine) volumePath(m state.MountPoint, root string) (string, error) {
	ctx, name, dest := context.Background(), m.Source, m.Destination
	l, err := e.Containers.GlobalLock(ctx)
	if err != nil {
		return "", err
	}
	vol, created, err := e.Volumes.Ensure(l, name)
	l.Unlock()
	if err != nil || vol.Seeded || m.NoCopy {
		return mountpoint(vol), err
	}
	src, err := openImageDir(root, dest)
	if err != nil {
		return "", fmt.Errorf("open %s to seed volume %s: %w", dest, name, err)
	}
	if src == nil {
		return vol.Mountpoint, nil
	}
	defer src.Close()
	if err := e.Volumes.Seed(ctx, name, src); err != nil {
		if created {
			e.removeCreatedVolume(ctx, name)
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

// removeCreatedVolume takes back a volume that volumePath made and could
// not seed, so a failed start leaves no volume behind.
func (e *Engine) removeCreatedVolume(ctx context.Context, name string) {
	if l, err := e.Containers.GlobalLock(ctx); err == nil {
		e.Volumes.Remove(name)
		l.Unlock()
	}
}

func mountpoint(v *rootfs.Volume) string {
	if v == nil {
		return ""
	}
	return v.Mountpoint
}

// VolumeUsers lists the containers, running or not, whose -v names a volume.
func (e *Engine) VolumeUsers(name string) ([]string, error) {
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
				if c, err := e.Containers.Load(id); err == nil {
					users = append(users, c.Name)
				} else { // a create still writing its record uses it too
					users = append(users, state.ShortID(id))
				}
			}
		}
	}
	sort.Strings(users)
	return users, nil
}

// CreateVolume makes a named volume ("" makes an anonymous one).
func (e *Engine) CreateVolume(ctx context.Context, name string) (*rootfs.Volume, error) {
	l, err := e.Containers.GlobalLock(ctx)
	if err != nil {
		return nil, withCode(ExitEngine, err)
	}
	defer l.Unlock()
	v, _, err := e.Volumes.Ensure(l, name)
	return v, withCode(ExitEngine, err)
}

// RemoveVolume deletes a volume; refused while a container uses it. The
// users are read under the global lock, which create holds while it
// makes a record visible, so no container is missed.
func (e *Engine) RemoveVolume(ctx context.Context, name string) error {
	l, err := e.Containers.GlobalLock(ctx)
	if err != nil {
		return withCode(ExitEngine, err)
	}
	defer l.Unlock()
	users, err := e.VolumeUsers(name)
	if err != nil {
		return withCode(ExitEngine, err)
	}
	if len(users) > 0 {
		return withCode(ExitEngine, fmt.Errorf("volume %s is in use by %s: remove them first", name, strings.Join(users, ", ")))
	}
	return withCode(ExitEngine, e.Volumes.Remove(name))
}

// PruneVolumes removes every volume no container uses.
func (e *Engine) PruneVolumes(ctx context.Context) ([]string, error) {
	vols, err := e.Volumes.List()
	if err != nil {
		return nil, withCode(ExitEngine, err)
	}
	var removed []string
	for _, v := range vols {
		if err := e.RemoveVolume(ctx, v.Name); err == nil {
			removed = append(removed, v.Name)
		} else if !strings.Contains(err.Error(), "in use") {
			return removed, err
		}
	}
	return removed, nil
}

// removeAnonymousVolumes deletes the volumes made for "-v /path".
func (e *Engine) removeAnonymousVolumes(names []string) error {
	var errs []error
	for _, n := range names {
		if err := e.Volumes.Remove(n); err != nil && !errors.Is(err, rootfs.ErrVolumeNotFound) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
