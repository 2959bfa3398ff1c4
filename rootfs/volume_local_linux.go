package rootfs

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/moby/sys/mountinfo"
	"golang.org/x/sys/unix"
)

// localOptions are the local driver's options, and those each needs
// beside it (docker's validOpts and mandatoryOpts; "size" needs a quota
// filesystem, which ctr-lite does not set up).
var localOptions = map[string][]string{
	"type":   {"device"},
	"device": {"type"},
	"o":      {"device", "type"},
}

// CheckLocalOptions checks a volume's --opt as docker's local driver
// does, with its messages.
func CheckLocalOptions(opts map[string]string) error {
	for k := range opts {
		if _, ok := localOptions[k]; !ok {
			if k == "size" {
				return errors.New(`quota size requested but no quota support: drop --opt size`)
			}
			return fmt.Errorf("invalid option: %q: the local driver takes type, device and o", k)
		}
	}
	for k := range opts {
		for _, need := range localOptions[k] {
			if _, ok := opts[need]; !ok {
				return fmt.Errorf("missing required option: %q", need)
			}
		}
	}
	// A relative device would be resolved against the cwd of whatever
	// starts a container (a shell, a unit's /), a different directory
	// each time.
	if IsBindVolume(opts) && !filepath.IsAbs(opts["device"]) {
		return fmt.Errorf("invalid option device=%q: a bind volume's device must be an absolute host path", opts["device"])
	}
	return nil
}

// IsBindVolume reports whether a volume's options (o=) ask for a bind
// mount of its device.
func IsBindVolume(opts map[string]string) bool {
	for _, w := range strings.Split(opts["o"], ",") {
		if w == "bind" || w == "rbind" {
			return true
		}
	}
	return false
}

func nonNil(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

// mountFlags are the o= words that are mount flags (the rest is data
// for the filesystem, as mount(8) and docker's mount.Mount do).
var mountFlags = map[string]struct {
	clear bool
	flag  uintptr
}{
	"ro": {false, unix.MS_RDONLY}, "rw": {true, unix.MS_RDONLY}, "bind": {false, unix.MS_BIND},
	"rbind": {false, unix.MS_BIND | unix.MS_REC}, "nosuid": {false, unix.MS_NOSUID}, "suid": {true, unix.MS_NOSUID},
	"nodev": {false, unix.MS_NODEV}, "dev": {true, unix.MS_NODEV}, "noexec": {false, unix.MS_NOEXEC},
	"exec": {true, unix.MS_NOEXEC}, "noatime": {false, unix.MS_NOATIME}, "relatime": {false, unix.MS_RELATIME},
	"sync": {false, unix.MS_SYNCHRONOUS}, "defaults": {},
}

func parseMountOptions(o string) (uintptr, string) {
	var flags uintptr
	var data []string
	for _, w := range strings.Split(o, ",") {
		if w == "" {
			continue
		}
		if f, ok := mountFlags[w]; ok {
			if f.clear {
				flags &^= f.flag
			} else {
				flags |= f.flag
			}
			continue
		}
		data = append(data, w)
	}
	return flags, strings.Join(data, ",")
}

// MountData mounts a volume's device on its Mountpoint, as docker's local
// driver does when a container mounts the volume; a volume without
// options, or one mounted already (another container uses it), is left
// as it is. The target is the volume's own directory under the root; a
// bind's device is the host path the volume's creator named.
func (v *Volumes) MountData(vol *Volume) error {
	if len(vol.Options) == 0 {
		return nil
	}
	if mounted, err := mountinfo.Mounted(vol.Mountpoint); err != nil || mounted {
		return err
	}
	flags, data := parseMountOptions(vol.Options["o"])
	device, typ := vol.Options["device"], vol.Options["type"]
	if flags&unix.MS_BIND != 0 {
		real, err := filepath.EvalSymlinks(device) // mount the place it names now
		if err != nil {
			return fmt.Errorf("mount volume %q: bind device: %w", vol.Name, err)
		}
		device = real
	}
	if err := unix.Mount(device, vol.Mountpoint, typ, flags, data); err != nil {
		return fmt.Errorf("mount volume %q (type %s, device %s): failed to mount local volume: %w", vol.Name, typ, device, err)
	}
	if flags&unix.MS_BIND != 0 && flags&unix.MS_RDONLY != 0 { // a bind takes ro only on a remount
		if err := unix.Mount("", vol.Mountpoint, "", flags|unix.MS_REMOUNT, ""); err != nil {
			unix.Unmount(vol.Mountpoint, unix.MNT_DETACH)
			return fmt.Errorf("mount volume %q read-only: %w", vol.Name, err)
		}
	}
	return nil
}

// UnmountData undoes MountData (when the volume's last user stops, or
// before the volume is removed); not mounted is done. It fails if the
// mount is still there afterwards.
func (v *Volumes) UnmountData(vol *Volume) error {
	for i := 0; ; i++ {
		mounted, err := mountinfo.Mounted(vol.Mountpoint)
		if errors.Is(err, os.ErrNotExist) || err == nil && !mounted {
			return nil
		}
		if err != nil {
			return err
		}
		if i == 8 { // stacked mounts no unmount takes off: keep the data
			return fmt.Errorf("volume %q: %s is still mounted: unmount it by hand", vol.Name, vol.Mountpoint)
		}
		if err := unmount(vol.Mountpoint); err != nil {
			return err
		}
	}
}
