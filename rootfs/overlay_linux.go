package rootfs

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// overlayDriver keeps each layer's own files (whiteouts in the kernel's
// format) and mounts the container as an overlay of them. The init layer
// is shared by all containers of an image: its content is the same for all.
type overlayDriver struct{ home string }

func (d *overlayDriver) Name() string   { return "overlay" }
func (d *overlayDriver) Home() string   { return d.home }
func (d *overlayDriver) Format() Format { return FormatOverlay }

func (d *overlayDriver) PrepareLayer(dir, _ string) error { return mkdirAll(dir, 0o755) }

func (d *overlayDriver) ctrDir(id string) string { return filepath.Join(d.home, "containers", id) }

func (d *overlayDriver) layerDiff(chain string) string {
	h, _ := digestHex(chain)
	return filepath.Join(d.home, "layers", h, "diff")
}

func (d *overlayDriver) initDir(topChain string) string {
	h, _ := digestHex(topChain)
	return filepath.Join(d.home, "layers", h+"-init")
}

// lowerDirs is the overlay lowerdir list, top first: init, then image layers.
func (d *overlayDriver) lowerDirs(layers []string, topChain string) []string {
	dirs := []string{filepath.Join(d.initDir(topChain), "diff")}
	for i := len(layers) - 1; i >= 0; i-- {
		dirs = append(dirs, d.layerDiff(layers[i]))
	}
	return dirs
}

func (d *overlayDriver) CreateRW(id string, layers []string, topChain string) (retErr error) {
	if err := d.ensureInit(layers, topChain); err != nil {
		return err
	}
	dir := d.ctrDir(id)
	defer func() {
		if retErr != nil {
			os.RemoveAll(dir)
		}
	}()
	if err := os.MkdirAll(filepath.Join(dir, "work"), 0o700); err != nil {
		return fmt.Errorf("create container layer: %w", err)
	}
	if err := mkdirAll(filepath.Join(dir, "merged"), 0o755); err != nil {
		return fmt.Errorf("create container layer: %w", err)
	}
	// overlayfs shows the upper dir's owner and mode as the container's
	// "/": 0755 root, never the private 0700 of ctrDir.
	upper := filepath.Join(dir, "diff")
	if err := os.Mkdir(upper, 0o700); err != nil {
		return fmt.Errorf("create container layer: %w", err)
	}
	if err := takeRootAttrs(upper); err != nil {
		return fmt.Errorf("create container layer: %w", err)
	}
	return nil
}

// ensureInit builds the image's init layer once: an overlay of the image
// with a fresh upper dir, into which the missing init entries are written.
func (d *overlayDriver) ensureInit(layers []string, topChain string) (retErr error) {
	final := d.initDir(topChain)
	lower := d.lowerDirs(layers, topChain)[1:]
	if _, err := os.Stat(final); err == nil {
		// Built before "/" got fixed attrs (0700 under umask 077):
		// re-applied each time, a stat when they are already right.
		if err := takeRootAttrs(filepath.Join(final, "diff")); err != nil {
			return fmt.Errorf("update init layer: %w", err)
		}
		return nil
	}
	tmp, release, err := newWorkDir(tmpDirOf(d.home), initWorkPrefix) // locked: SweepTmp keeps it
	if err != nil {
		return fmt.Errorf("create init layer: %w", err)
	}
	defer release()
	defer os.RemoveAll(tmp)
	upper, work, merged := filepath.Join(tmp, "diff"), filepath.Join(tmp, "work"), filepath.Join(tmp, "merged")
	for _, p := range []string{upper, work, merged} {
		if err := os.Mkdir(p, 0o700); err != nil {
			return fmt.Errorf("create init layer: %w", err)
		}
	}
	if err := takeRootAttrs(upper); err != nil {
		return fmt.Errorf("create init layer: %w", err)
	}
	if len(lower) == 0 {
		if err := setupInitLayer(upper); err != nil {
			return err
		}
	} else if err := d.buildInit(lower, upper, work, merged); err != nil {
		return err
	}
	os.RemoveAll(work)
	os.Remove(merged)
	if err := os.Rename(tmp, final); err != nil {
		if _, serr := os.Stat(final); serr == nil {
			return nil // built by a concurrent create
		}
		return fmt.Errorf("commit init layer: %w", err)
	}
	return nil
}

func (d *overlayDriver) buildInit(lower []string, upper, work, merged string) error {
	if err := mountOverlay(lower, upper, work, merged, ""); err != nil {
		return fmt.Errorf("create init layer: %w", err)
	}
	err := setupInitLayer(merged)
	if uerr := unmount(merged); err == nil {
		err = uerr
	}
	return err
}

func (d *overlayDriver) Mount(id string, layers []string, topChain string, volatile bool) (string, error) {
	dir := d.ctrDir(id)
	merged := filepath.Join(dir, "merged")
	if isMountpoint(merged) {
		return merged, nil
	}
	lower := d.lowerDirs(layers, topChain)
	if err := mountMaybeVolatile(mountOverlay, lower, filepath.Join(dir, "diff"), filepath.Join(dir, "work"), merged, volatile); err != nil {
		return "", fmt.Errorf("mount container filesystem: %w", err)
	}
	return merged, nil
}

// volatileRefused is set once this process's kernel refused the volatile
// option (it came in Linux 5.10): later mounts do without it at once.
var volatileRefused atomic.Bool

// mountMaybeVolatile mounts with ",volatile" when asked and the kernel
// has it, else without: volatile only saves syncs, so losing it is safe.
// The kernel answers an unknown option with EINVAL; the option counts as
// refused only when the same mount then works without it.
func mountMaybeVolatile(mount func(lower []string, upper, work, target, extra string) error, lower []string, upper, work, target string, volatile bool) error {
	if !volatile || volatileRefused.Load() {
		return mount(lower, upper, work, target, "")
	}
	err := mount(lower, upper, work, target, ",volatile")
	if !errors.Is(err, unix.EINVAL) {
		return err
	}
	if err := mount(lower, upper, work, target, ""); err != nil {
		return err
	}
	volatileRefused.Store(true)
	return nil
}

func mountOverlay(lower []string, upper, work, target, extra string) error {
	opts := "lowerdir=" + strings.Join(lower, ":") + ",upperdir=" + upper + ",workdir=" + work + extra
	if len(opts) >= os.Getpagesize() {
		return fmt.Errorf("overlay mount options are %d bytes (limit %d): the image has too many layers for this root path; use a shorter --root", len(opts), os.Getpagesize())
	}
	if err := unix.Mount("overlay", target, "overlay", 0, opts); err != nil {
		return fmt.Errorf("mount overlay on %q: %w", target, err)
	}
	return nil
}

func (d *overlayDriver) Unmount(id string) error {
	return unmount(filepath.Join(d.ctrDir(id), "merged"))
}

func (d *overlayDriver) RemoveRW(id string) error {
	if err := d.Unmount(id); err != nil {
		return err
	}
	if err := os.RemoveAll(d.ctrDir(id)); err != nil {
		return fmt.Errorf("remove container layer: %w", err)
	}
	return nil
}

func (d *overlayDriver) DiffRoot(id string) string { return filepath.Join(d.ctrDir(id), "diff") }

func (d *overlayDriver) Data(id string, layers []string, topChain string) map[string]string {
	dir := d.ctrDir(id)
	return map[string]string{
		"LowerDir":  strings.Join(d.lowerDirs(layers, topChain), ":"),
		"UpperDir":  filepath.Join(dir, "diff"),
		"WorkDir":   filepath.Join(dir, "work"),
		"MergedDir": filepath.Join(dir, "merged"),
	}
}

// unmount unmounts target; "not mounted" and "gone" count as done, and a
// busy mount is retried briefly, then detached. A symlink at target is
// not followed (it is "not mounted"): target's last component may come
// from an image or archive, and must never name a host mount.
func unmount(target string) error {
	for i := 0; ; i++ {
		err := unix.Unmount(target, unix.UMOUNT_NOFOLLOW)
		switch {
		case err == nil, errors.Is(err, unix.EINVAL), errors.Is(err, unix.ENOENT):
			return nil
		case errors.Is(err, unix.EBUSY) && i < 10:
			time.Sleep(10 * time.Millisecond)
		case errors.Is(err, unix.EBUSY):
			if err := unix.Unmount(target, unix.MNT_DETACH|unix.UMOUNT_NOFOLLOW); err != nil {
				return fmt.Errorf("detach %q: %w", target, err)
			}
			return nil
		default:
			return fmt.Errorf("unmount %q: %w", target, err)
		}
	}
}

// isMountpoint reports whether p is the root of a mount (its device differs
// from its parent's), which is all Mount needs to stay idempotent. It uses
// Lstat: a symlink at p is not a mountpoint, wherever it points.
func isMountpoint(p string) bool {
	var st, parent unix.Stat_t
	if unix.Lstat(p, &st) != nil || unix.Lstat(filepath.Dir(p), &parent) != nil {
		return false
	}
	return st.Dev != parent.Dev
}
