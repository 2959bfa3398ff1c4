package lifecycle

import (
	"fmt"
	"os"
	"path/filepath"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/ctr-lite/ctr-lite/specgen"
	"github.com/ctr-lite/ctr-lite/state"
)

// hostDevices lists the host's device nodes for --privileged, as docker
// does: /dev and its subdirectories, but not the per-container
// filesystems runc mounts itself (pts, shm, mqueue) or the console.
func hostDevices() []specs.LinuxDevice {
	var out []specs.LinuxDevice
	skip := map[string]bool{"/dev/pts": true, "/dev/shm": true, "/dev/mqueue": true, "/dev/console": true}
	filepath.WalkDir("/dev", func(p string, d os.DirEntry, err error) error {
		if err != nil || skip[p] {
			if d != nil && d.IsDir() && p != "/dev" {
				return filepath.SkipDir
			}
			return nil
		}
		if dev, ok := deviceAt(p); ok {
			out = append(out, dev)
		}
		return nil
	})
	return out
}

func deviceAt(p string) (specs.LinuxDevice, bool) {
	var st unix.Stat_t
	if unix.Lstat(p, &st) != nil {
		return specs.LinuxDevice{}, false
	}
	typ := ""
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFCHR:
		typ = "c"
	case unix.S_IFBLK:
		typ = "b"
	default:
		return specs.LinuxDevice{}, false
	}
	mode := os.FileMode(st.Mode & 0o777)
	uid, gid := st.Uid, st.Gid
	return specs.LinuxDevice{Path: p, Type: typ, Major: int64(unix.Major(st.Rdev)), Minor: int64(unix.Minor(st.Rdev)),
		FileMode: &mode, UID: &uid, GID: &gid}, true
}

// hostDevice resolves a --device mapping: the host path must be a device
// node (a symlink such as /dev/disk/by-id/... is followed once, here).
func hostDevice(m state.DeviceMapping) (specgen.Device, error) {
	real, err := filepath.EvalSymlinks(m.PathOnHost)
	if err != nil {
		return specgen.Device{}, fmt.Errorf("resolve --device %q: %w", m.PathOnHost, err)
	}
	dev, ok := deviceAt(real)
	if !ok {
		return specgen.Device{}, fmt.Errorf("resolve --device %q: not a character or block device", m.PathOnHost)
	}
	dev.Path = m.PathInContainer
	return specgen.Device{LinuxDevice: dev, Perms: m.CgroupPermissions}, nil
}

// appArmorEnabled reports whether the kernel enforces AppArmor profiles.
func appArmorEnabled() bool {
	b, err := os.ReadFile("/sys/module/apparmor/parameters/enabled")
	return err == nil && len(b) > 0 && b[0] == 'Y'
}
