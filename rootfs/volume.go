package rootfs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"time"

	"golang.org/x/sys/unix"

	"github.com/ctr-lite/ctr-lite/internal/fault"
	"github.com/ctr-lite/ctr-lite/state"
)

// ErrVolumeNotFound is returned (wrapped) for an unknown volume.
var ErrVolumeNotFound = errors.New("no such volume")

// Volume is a named or anonymous volume under <root>/volumes/<name>.
type Volume struct {
	Name       string
	Driver     string
	Mountpoint string
	CreatedAt  time.Time
	Anonymous  bool `json:",omitempty"`
	// Seeded says the volume was first mounted over an image directory
	// (and took its contents, owner and mode if it was empty then): it
	// is never seeded again. Kept as the file "seeded" beside volume.json,
	// so inspect shows docker's fields only.
	Seeded bool `json:"-"`
}

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
	return &Volume{Name: name, Driver: "local", Mountpoint: filepath.Join(v.dir(name), "_data")}
}

func (v *Volumes) dir(name string) string { return filepath.Join(v.Root, "volumes", name) }

// Get reads volume name.
func (v *Volumes) Get(name string) (*Volume, error) {
	var vol Volume
	err := state.ReadJSON(filepath.Join(v.dir(name), "volume.json"), &vol)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s", ErrVolumeNotFound, name)
	}
	_, serr := os.Stat(filepath.Join(v.dir(name), "seeded"))
	vol.Seeded = serr == nil
	return &vol, err
}

// Ensure returns volume name, creating it if missing ("" makes an
// anonymous one); created says whether it is new. It runs under the
// global lock (g).
func (v *Volumes) Ensure(g *state.Global, name string) (vol *Volume, created bool, err error) {
	anonymous := name == ""
	if anonymous {
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
	vol = &Volume{Name: name, Driver: "local", Mountpoint: filepath.Join(v.dir(name), "_data"), CreatedAt: time.Now().UTC(), Anonymous: anonymous}
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

// Remove deletes a volume and its data.
func (v *Volumes) Remove(name string) error {
	if _, err := v.Get(name); errors.Is(err, state.ErrDamaged) {
		v.damaged(name, err)
	} else if err != nil {
		return err
	}
	if err := os.RemoveAll(v.dir(name)); err != nil {
		return fmt.Errorf("remove volume %q: %w", name, err)
	}
	return nil
}

// Seed gives volume name, on its first mount over an image directory,
// that directory's contents, owner and mode, as docker does, if the
// volume is empty then; a volume with data keeps it. Either way the
// volume is marked seeded and never seeded again. src is the image
// directory, opened inside the container's rootfs.
//
// The copy is built beside the volume's data and renamed over the empty
// data directory, so a failure or a crash leaves the volume as it was
// (a staging directory left by a crash is removed by the next Seed). The
// volume's own lock keeps two containers starting at once from seeding
// it twice; the global lock is not held during the copy.
func (v *Volumes) Seed(ctx context.Context, name string, src *os.File) error {
	l, err := state.AcquireLock(ctx, filepath.Join(v.dir(name), "lock"))
	if err != nil {
		return fmt.Errorf("seed volume %q: %w", name, err)
	}
	defer l.Unlock()
	vol, err := v.Get(name)
	if err != nil || vol.Seeded {
		return err
	}
	if err := v.seedData(vol, src); err != nil {
		return fmt.Errorf("seed volume %q: %w", name, err)
	}
	return state.WriteFileAtomic(filepath.Join(v.dir(name), "seeded"), nil, 0o600, true)
}

func (v *Volumes) seedData(vol *Volume, src *os.File) error {
	staging := filepath.Join(v.dir(vol.Name), "_seed")
	if err := os.RemoveAll(staging); err != nil {
		return err
	}
	if empty, err := emptyDir(vol.Mountpoint); err != nil || !empty {
		return err
	}
	parent, err := os.Open(v.dir(vol.Name))
	if err != nil {
		return err
	}
	defer parent.Close()
	err = copyTreeAt(src, int(parent.Fd()), filepath.Base(staging))
	fault.Point("volume:seed-staged")
	if err == nil {
		// rename(2) replaces an empty directory in one step (os.Rename
		// refuses any existing directory).
		err = unix.Rename(staging, vol.Mountpoint)
	}
	if err != nil {
		os.RemoveAll(staging)
	}
	return err
}

func emptyDir(dir string) (bool, error) {
	f, err := os.Open(dir)
	if err != nil {
		return false, err
	}
	defer f.Close()
	names, err := f.Readdirnames(1)
	if errors.Is(err, io.EOF) {
		return true, nil
	}
	return len(names) == 0, err
}
