package rootfs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/ctr-lite/ctr-lite/state"
)

// ErrVolumeNotFound is returned (wrapped) for an unknown volume.
var ErrVolumeNotFound = errors.New("no such volume")

// Volume is a named or anonymous volume under <root>/volumes/<name>.
type Volume struct { // fields in docker's inspect order
	CreatedAt time.Time // whole seconds: docker shows RFC 3339
	Driver    string
	Labels    map[string]string
	// Mountpoint is the volume's data. With Options (the local driver's
	// type, device, o, as docker's) it is a mount of device made while a
	// container uses the volume (see MountData).
	Mountpoint string
	Name       string
	Options    map[string]string
	Scope      string
}

// AnonymousLabel marks the volumes made for "-v /path", as docker's:
// volume prune takes only these unless -a.
const AnonymousLabel = "com.docker.volume.anonymous"

// Volumes stores volumes under Root.
type Volumes struct {
	Root string
	// Warn, if set, gets a one-line message for each damaged record
	// worked around. A damaged volume.json is listed and removable, and
	// the next use of the volume writes it again; its data is untouched.
	Warn func(msg string)
}

// damaged stands in for volume name whose record cannot be read.
func (v *Volumes) damaged(name string, err error) *Volume {
	if v.Warn != nil {
		v.Warn(fmt.Sprintf("volume %s: %v: its data is kept; using it repairs the record", name, err))
	}
	return &Volume{Name: name, Driver: "local", Mountpoint: filepath.Join(v.dir(name), "_data"), Scope: "local"}
}

func (v *Volumes) dir(name string) string { return filepath.Join(v.Root, "volumes", name) }

// DataPath is where volume name's data is (or will be, for a volume a
// container's first start makes): docker's Mountpoint.
func (v *Volumes) DataPath(name string) string { return filepath.Join(v.dir(name), "_data") }

// Get reads volume name.
func (v *Volumes) Get(name string) (*Volume, error) {
	var vol Volume
	err := state.ReadJSON(filepath.Join(v.dir(name), "volume.json"), &vol)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s", ErrVolumeNotFound, name)
	}
	return &vol, err
}

// Ensure returns volume name, creating it if missing ("" makes an
// anonymous one); created says whether it is new. It runs under the
// global lock (g).
func (v *Volumes) Ensure(g *state.Global, name string) (vol *Volume, created bool, err error) {
	return v.EnsureWith(g, name, nil, nil)
}

// EnsureWith is Ensure making a new volume with labels and the local
// driver's options (checked as docker's: see CheckLocalOptions); an
// existing volume is returned as it is.
func (v *Volumes) EnsureWith(g *state.Global, name string, labels, options map[string]string) (vol *Volume, created bool, err error) {
	if err := CheckLocalOptions(options); err != nil {
		return nil, false, fmt.Errorf("create volume %q: %w", name, err)
	}
	if name == "" {
		b := make([]byte, 32)
		rand.Read(b)
		name = hex.EncodeToString(b)
	} else if err := state.ValidateName(name); err != nil {
		return nil, false, fmt.Errorf("invalid volume name %q: use [a-zA-Z0-9][a-zA-Z0-9_.-]*", name)
	}
	old, err := v.Get(name)
	if err == nil {
		return old, false, nil
	}
	repair := errors.Is(err, state.ErrDamaged) // its data stays: not a new volume
	if repair {
		v.damaged(name, err)
	}
	vol = &Volume{Name: name, Driver: "local", Mountpoint: filepath.Join(v.dir(name), "_data"), CreatedAt: time.Now().UTC().Truncate(time.Second),
		Labels: nonNil(labels), Options: nonNil(options), Scope: "local"}
	if err := os.MkdirAll(vol.Mountpoint, 0o755); err != nil {
		return nil, false, fmt.Errorf("create volume %q: %w", name, err)
	}
	if err := state.WriteJSONAtomic(filepath.Join(v.dir(name), "volume.json"), vol, true); err != nil {
		os.RemoveAll(v.dir(name))
		return nil, false, err
	}
	return vol, !repair, nil
}

// List reads every volume, by name.
func (v *Volumes) List() ([]*Volume, error) {
	entries, err := os.ReadDir(filepath.Join(v.Root, "volumes"))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	var out []*Volume
	for _, e := range entries {
		vol, err := v.Get(e.Name())
		if errors.Is(err, state.ErrDamaged) {
			vol, err = v.damaged(e.Name(), err), nil
		}
		if err == nil {
			out = append(out, vol)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Remove deletes a volume and its data. A volume with options is
// unmounted first, and never deleted while its device is still mounted
// there: deleting would reach into the device (a host directory bound).
func (v *Volumes) Remove(name string) error {
	vol, err := v.Get(name)
	if errors.Is(err, state.ErrDamaged) {
		vol = v.damaged(name, err)
	} else if err != nil {
		return err
	}
	if err := v.UnmountData(vol); err != nil {
		return fmt.Errorf("remove volume %q: %w", name, err)
	}
	if err := os.RemoveAll(v.dir(name)); err != nil {
		return fmt.Errorf("remove volume %q: %w", name, err)
	}
	return nil
}

// Seed does for volume name what docker's copy-up does when a container
// is created with the volume mounted over a directory of its image, open
// as src (inside the container's rootfs): if src has entries and the
// volume has none, the volume gets a copy of them; in every case the
// volume's root takes src's owner and mode. With src nil (nocopy, or no
// directory there in the image) it only finishes a seed that a crash cut
// short.
//
// The copy is built in _seed beside _data, and its entries are then moved
// into _data one by one; _data itself is never replaced, because a
// running container may have it mounted already (with nocopy, or over a
// path its image lacks) and must go on seeing the volume. A name such a
// container creates meanwhile keeps its file. The marker "seeding" is
// written once the copy is complete and removed after the moves: a crash
// before it leaves a partial _seed, which the next Seed discards; a crash
// after it leaves moves, which the next Seed finishes. The volume's own
// lock keeps two containers starting at once from both copying; the
// global lock is not held during the copy.
func (v *Volumes) Seed(ctx context.Context, name string, src *os.File) error {
	dir := v.dir(name)
	if src == nil && !present(filepath.Join(dir, seedingMarker)) {
		return nil // nothing to do: skip the lock
	}
	l, err := state.AcquireLock(ctx, filepath.Join(dir, "lock"))
	if err != nil {
		return fmt.Errorf("seed volume %q: %w", name, err)
	}
	defer l.Unlock()
	if err := seedVolume(dir, src); err != nil {
		return fmt.Errorf("seed volume %q: %w", name, err)
	}
	return nil
}

func present(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}
