package rootfs

import (
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
type Volume struct {
	Name       string
	Driver     string
	Mountpoint string
	CreatedAt  time.Time
	Anonymous  bool `json:",omitempty"`
}

// Volumes stores volumes under Root.
type Volumes struct{ Root string }

func (v *Volumes) dir(name string) string { return filepath.Join(v.Root, "volumes", name) }

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
// anonymous one); created says whether it is new. The caller holds the
// global lock.
func (v *Volumes) Ensure(name string) (vol *Volume, created bool, err error) {
	anonymous := name == ""
	if anonymous {
		b := make([]byte, 32)
		rand.Read(b)
		name = hex.EncodeToString(b)
	} else if err := state.ValidateName(name); err != nil {
		return nil, false, fmt.Errorf("invalid volume name %q: use [a-zA-Z0-9][a-zA-Z0-9_.-]*", name)
	}
	if vol, err := v.Get(name); err == nil {
		return vol, false, nil
	}
	vol = &Volume{Name: name, Driver: "local", Mountpoint: filepath.Join(v.dir(name), "_data"), CreatedAt: time.Now().UTC(), Anonymous: anonymous}
	if err := os.MkdirAll(vol.Mountpoint, 0o755); err != nil {
		return nil, false, fmt.Errorf("create volume %q: %w", name, err)
	}
	if err := state.WriteJSONAtomic(filepath.Join(v.dir(name), "volume.json"), vol, true); err != nil {
		os.RemoveAll(v.dir(name))
		return nil, false, err
	}
	return vol, true, nil
}

// List reads every volume, by name.
func (v *Volumes) List() ([]*Volume, error) {
	entries, err := os.ReadDir(filepath.Join(v.Root, "volumes"))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	var out []*Volume
	for _, e := range entries {
		if vol, err := v.Get(e.Name()); err == nil {
			out = append(out, vol)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Remove deletes a volume and its data.
func (v *Volumes) Remove(name string) error {
	if _, err := v.Get(name); err != nil {
		return err
	}
	if err := os.RemoveAll(v.dir(name)); err != nil {
		return fmt.Errorf("remove volume %q: %w", name, err)
	}
	return nil
}
