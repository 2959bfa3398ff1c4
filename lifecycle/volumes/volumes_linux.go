package volumes

import (
	"context"
	"errors"
	"fmt"
	"github.com/ctr-lite/ctr-lite/events"
	"sort"
	"strings"

	"github.com/ctr-lite/ctr-lite/lifecycle"
	"github.com/ctr-lite/ctr-lite/rootfs"
	"github.com/ctr-lite/ctr-lite/state"
)

// VolumeUsers names the containers, running or not, whose -v names a
// volume.
func (e *Engine) VolumeUsers(name string) ([]string, error) {
	ids, err := e.VolumeUserIDs(name)
	if err != nil {
		return nil, err
	}
	users := make([]string, 0, len(ids))
	for _, id := range ids {
		if c, err := e.Containers.Load(id); err == nil {
			users = append(users, c.Name)
		} else { // a create still writing its record uses it too
			users = append(users, state.ShortID(id))
		}
	}
	sort.Strings(users)
	return users, nil
}

// CreateVolume makes a named volume ("" makes an anonymous one) with
// labels and the local driver's options (type, device, o; checked as
// docker's). An existing volume is returned as it is.
func (e *Engine) CreateVolume(ctx context.Context, name string, labels, options map[string]string) (*rootfs.Volume, error) {
	l, err := e.Containers.GlobalLock(ctx)
	if err != nil {
		return nil, lifecycle.WithCode(lifecycle.ExitEngine, err)
	}
	defer l.Unlock()
	v, _, err := e.Volumes.EnsureWith(l, name, labels, options)
	if err == nil {
		e.Emit(events.Volume(v.Name, "create"))
	}
	return v, lifecycle.WithCode(lifecycle.ExitEngine, err)
}

// RemoveVolume deletes a volume; refused while a container uses it. The
// users are read under the global lock, which create holds while it
// makes a record visible, so no container is missed.
func (e *Engine) RemoveVolume(ctx context.Context, name string) error {
	l, err := e.Containers.GlobalLock(ctx)
	if err != nil {
		return lifecycle.WithCode(lifecycle.ExitEngine, err)
	}
	defer l.Unlock()
	users, err := e.VolumeUsers(name)
	if err != nil {
		return lifecycle.WithCode(lifecycle.ExitEngine, err)
	}
	if len(users) > 0 {
		return lifecycle.WithCode(lifecycle.ExitEngine, fmt.Errorf("volume %s is in use by %s: remove them first", name, strings.Join(users, ", ")))
	}
	if err := e.Volumes.Remove(name); err != nil {
		return lifecycle.WithCode(lifecycle.ExitEngine, err)
	}
	e.Emit(events.Volume(name, "destroy"))
	return nil
}

// PruneVolumes removes the volumes no container uses: the anonymous ones,
// or with all every one, as docker's. size gives a volume's bytes, read
// before it goes; it returns the removed names and the bytes freed.
func (e *Engine) PruneVolumes(ctx context.Context, all bool, size func(*rootfs.Volume) int64) ([]string, int64, error) {
	vols, err := e.Volumes.List()
	if err != nil {
		return nil, 0, lifecycle.WithCode(lifecycle.ExitEngine, err)
	}
	var removed []string
	var freed int64
	for _, v := range vols {
		if _, anonymous := v.Labels[rootfs.AnonymousLabel]; !all && !anonymous {
			continue
		}
		n := size(v)
		if err := e.RemoveVolume(ctx, v.Name); err == nil {
			removed, freed = append(removed, v.Name), freed+n
		} else if !strings.Contains(err.Error(), "in use") && !errors.Is(err, rootfs.ErrVolumeNotFound) { // another prune took it
			return removed, freed, err
		}
	}
	return removed, freed, nil
}
