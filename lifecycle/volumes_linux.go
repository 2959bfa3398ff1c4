package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"

	securejoin "github.com/cyphar/filepath-securejoin"

	"github.com/ctr-lite/ctr-lite/rootfs"
	"github.com/ctr-lite/ctr-lite/specgen"
	"github.com/ctr-lite/ctr-lite/state"
)

// volumePath returns volume name's directory, creating the volume on
// first use with a copy of what the image has at dest.
func (e *Engine) volumePath(name, root, dest string) (string, error) {
	l, err := e.Containers.GlobalLock(context.Background())
	if err != nil {
		return "", err
	}
	defer l.Unlock()
	vol, created, err := e.Volumes.Ensure(name)
	if err != nil || !created {
		return mountpoint(vol), err
	}
	src, err := securejoin.SecureJoin(root, dest)
	if err != nil {
		return "", err
	}
	if fi, err := os.Stat(src); err == nil && fi.IsDir() {
		if err := rootfs.CopyInto(src, vol.Mountpoint); err != nil {
			e.Volumes.Remove(name)
			return "", fmt.Errorf("copy %s into volume %s: %w", dest, name, err)
		}
	}
	return vol.Mountpoint, nil
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
		for _, b := range hc.Binds {
			if v, err := specgen.ParseVolume(b); err == nil && v.Named && v.Source == name {
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
	v, _, err := e.Volumes.Ensure(name)
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
