package rootfs

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"

	"github.com/ctr-lite/ctr-lite/internal/fault"
)

// The copy that seeds a volume reads an image directory of a container's
// rootfs, which the image (or an earlier run of the container) controls.
// Every entry is opened relative to its parent's descriptor with
// O_NOFOLLOW and checked by fstat on what was opened, so a symlink is
// copied as a link and never followed, and a name swapped between the
// check and the open makes the copy fail instead of reading outside the
// rootfs.

const openDir = unix.O_RDONLY | unix.O_DIRECTORY | unix.O_NOFOLLOW | unix.O_CLOEXEC

// seedCopier copies one tree; links maps a source inode with several
// links to the first copy's path relative to the destination root, so
// hard links stay hard links.
type seedCopier struct {
	dstRoot int
	links   map[[2]uint64]string
}

// copyTreeAt makes dst (a new directory, in the directory dstRoot is)
// a copy of the directory open as src: its entries, then its owner,
// mode, xattrs and times.
func copyTreeAt(src *os.File, dstParent int, dst string) error {
	if err := unix.Mkdirat(dstParent, dst, 0o700); err != nil {
		return fmt.Errorf("create %q: %w", dst, err)
	}
	fd, err := unix.Openat(dstParent, dst, openDir, 0)
	if err != nil {
		return fmt.Errorf("open %q: %w", dst, err)
	}
	out := os.NewFile(uintptr(fd), dst)
	defer out.Close()
	c := &seedCopier{dstRoot: fd, links: map[[2]uint64]string{}}
	if err := c.copyDir(src, out, ""); err != nil {
		return err
	}
	return nil
}

// copyDir copies the entries of src into out (at rel under the
// destination root), then src's own metadata onto out.
func (c *seedCopier) copyDir(src, out *os.File, rel string) error {
	names, err := src.Readdirnames(-1)
	if err != nil {
		return fmt.Errorf("read directory %q: %w", rel, err)
	}
	for _, name := range names {
		if err := c.copyEntry(src, out, name, filepath.Join(rel, name)); err != nil {
			return err
		}
	}
	var st unix.Stat_t
	if err := unix.Fstat(int(src.Fd()), &st); err != nil {
		return err
	}
	return setMetaFd(src, out, &st)
}

func (c *seedCopier) copyEntry(srcDir, outDir *os.File, name, rel string) error {
	var st unix.Stat_t
	if err := unix.Fstatat(int(srcDir.Fd()), name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return fmt.Errorf("stat %q: %w", rel, err)
	}
	typ := st.Mode & unix.S_IFMT
	if typ != unix.S_IFDIR && st.Nlink > 1 {
		key := [2]uint64{st.Dev, st.Ino}
		if first, ok := c.links[key]; ok {
			return unix.Linkat(c.dstRoot, first, int(outDir.Fd()), name, 0)
		}
		c.links[key] = rel
	}
	var err error
	switch typ {
	case unix.S_IFDIR:
		err = c.copySubdir(srcDir, outDir, name, rel)
	case unix.S_IFREG:
		err = copyFileAt(srcDir, outDir, name, &st)
	case unix.S_IFLNK:
		err = copySymlinkAt(srcDir, outDir, name, &st)
	default: // devices, fifos and sockets: the node itself, as docker copies it
		err = copyNodeAt(outDir, name, &st)
	}
	if err != nil {
		return fmt.Errorf("copy %q: %w", rel, err)
	}
	return nil
}

func (c *seedCopier) copySubdir(srcDir, outDir *os.File, name, rel string) error {
	in, err := openAt(srcDir, name, openDir)
	if err != nil {
		return err
	}
	defer in.Close()
	if err := unix.Mkdirat(int(outDir.Fd()), name, 0o700); err != nil {
		return err
	}
	out, err := openAt(outDir, name, openDir)
	if err != nil {
		return err
	}
	defer out.Close()
	return c.copyDir(in, out, rel)
}

func openAt(dir *os.File, name string, flags int) (*os.File, error) {
	fd, err := unix.Openat(int(dir.Fd()), name, flags, 0)
	if err != nil {
		return nil, err
	}
	return os.NewFile(uintptr(fd), name), nil
}

func copyFileAt(srcDir, outDir *os.File, name string, st *unix.Stat_t) error {
	// O_NONBLOCK: a fifo swapped in after the stat must not hang the copy.
	in, err := openAt(srcDir, name, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_NONBLOCK|unix.O_CLOEXEC)
	if err != nil {
		return err
	}
	defer in.Close()
	var got unix.Stat_t
	if err := unix.Fstat(int(in.Fd()), &got); err != nil {
		return err
	}
	if got.Mode&unix.S_IFMT != unix.S_IFREG || got.Ino != st.Ino {
		return errors.New("changed while being copied")
	}
	out, err := openAt(outDir, name, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC)
	if err != nil {
		return err
	}
	defer out.Close()
	if _, err := io.Copy(out, in); err != nil { // copy_file_range where the kernel allows
		return err
	}
	return setMetaFd(in, out, &got)
}

// setMetaFd gives out in's owner, xattrs, mode and times, by descriptor.
// Owner first: chown clears setuid bits and file capabilities.
func setMetaFd(in, out *os.File, st *unix.Stat_t) error {
	fd := int(out.Fd())
	if err := unix.Fchown(fd, int(st.Uid), int(st.Gid)); err != nil {
		return err
	}
	copyXattrsFd(int(in.Fd()), fd)
	if err := unix.Fchmod(fd, st.Mode&0o7777); err != nil {
		return err
	}
	return unix.UtimesNanoAt(fd, "", []unix.Timespec{st.Atim, st.Mtim}, unix.AT_EMPTY_PATH)
}

func copySymlinkAt(srcDir, outDir *os.File, name string, st *unix.Stat_t) error {
	buf := make([]byte, unix.PathMax)
	n, err := unix.Readlinkat(int(srcDir.Fd()), name, buf)
	if err != nil {
		return err
	}
	if err := unix.Symlinkat(string(buf[:n]), int(outDir.Fd()), name); err != nil {
		return err
	}
	return setNameMeta(outDir, name, st)
}

func copyNodeAt(outDir *os.File, name string, st *unix.Stat_t) error {
	if err := unix.Mknodat(int(outDir.Fd()), name, st.Mode, int(st.Rdev)); err != nil {
		return err
	}
	if err := setNameMeta(outDir, name, st); err != nil {
		return err
	}
	return unix.Fchmodat(int(outDir.Fd()), name, st.Mode&0o7777, 0)
}

// setNameMeta sets owner and times of an entry that cannot be opened
// (a symlink or a device node), never following it.
func setNameMeta(outDir *os.File, name string, st *unix.Stat_t) error {
	dir := int(outDir.Fd())
	if err := unix.Fchownat(dir, name, int(st.Uid), int(st.Gid), unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return err
	}
	return unix.UtimesNanoAt(dir, name, []unix.Timespec{st.Atim, st.Mtim}, unix.AT_SYMLINK_NOFOLLOW)
}

// copyXattrsFd copies extended attributes where the filesystem allows; a
// missing one changes no file content, so failures are not fatal.
func copyXattrsFd(src, dst int) {
	buf := make([]byte, 64<<10)
	n, err := unix.Flistxattr(src, buf)
	if err != nil || n <= 0 {
		return
	}
	val := make([]byte, 64<<10)
	for _, name := range splitNul(buf[:n]) {
		if m, err := unix.Fgetxattr(src, name, val); err == nil {
			_ = unix.Fsetxattr(dst, name, val[:m], 0)
		}
	}
}

// seedingMarker, beside _data, says _seed holds a complete copy whose
// entries are being moved into _data (see Volumes.Seed).
const seedingMarker = "seeding"

// seedVolume seeds the volume in dir from src (nil: only finish a seed a
// crash cut short) under the volume's lock.
func seedVolume(dir string, src *os.File) error {
	vol, err := os.OpenFile(dir, openDir, 0)
	if err != nil {
		return err
	}
	defer vol.Close()
	data, err := openAt(vol, "_data", openDir)
	if err != nil {
		return err
	}
	defer data.Close()
	if err := finishSeed(vol, data); err != nil || src == nil {
		return err
	}
	if err := stageSeed(vol, data, src); err != nil {
		return err
	}
	return copyOwnerMode(src, data)
}

// stageSeed copies src into _seed and moves it into data if src has
// entries and data has none.
func stageSeed(vol, data, src *os.File) error {
	srcEmpty, err := dirEmpty(src)
	if err != nil || srcEmpty {
		return err
	}
	if empty, err := dirEmpty(data); err != nil || !empty {
		return err
	}
	if err := copyTreeAt(src, int(vol.Fd()), "_seed"); err != nil {
		os.RemoveAll(filepath.Join(vol.Name(), "_seed"))
		return err
	}
	fault.Point("volume:seed-staged")
	if err := unix.Mknodat(int(vol.Fd()), seedingMarker, unix.S_IFREG|0o600, 0); err != nil {
		return fmt.Errorf("mark seeding: %w", err)
	}
	if err := unix.Fsync(int(vol.Fd())); err != nil {
		return err
	}
	return finishSeed(vol, data)
}

// finishSeed completes a seed the marker says is staged: it moves what
// is left in _seed into data, gives data _seed's owner and mode, and
// removes _seed and the marker. Without the marker, a _seed left by a
// crash during the copy is partial and is removed.
func finishSeed(vol, data *os.File) error {
	staging := filepath.Join(vol.Name(), "_seed")
	if !present(filepath.Join(vol.Name(), seedingMarker)) {
		return os.RemoveAll(staging)
	}
	seed, err := openAt(vol, "_seed", openDir)
	if errors.Is(err, fs.ErrNotExist) { // a crash after the moves, before the marker went
		return unlinkMarker(vol)
	}
	if err != nil {
		return fmt.Errorf("open staged copy: %w", err)
	}
	defer seed.Close()
	if err := moveEntries(seed, data); err != nil {
		return err
	}
	if err := copyOwnerMode(seed, data); err != nil {
		return err
	}
	if err := unix.Fsync(int(data.Fd())); err != nil { // the moves are durable before the marker goes
		return err
	}
	// The marker goes first: a crash after it leaves an unmarked _seed,
	// which the next Seed removes as a partial copy.
	if err := unlinkMarker(vol); err != nil {
		return err
	}
	return os.RemoveAll(staging)
}

func unlinkMarker(vol *os.File) error {
	if err := unix.Unlinkat(int(vol.Fd()), seedingMarker, 0); err != nil && !errors.Is(err, unix.ENOENT) {
		return fmt.Errorf("remove the seeding marker: %w", err)
	}
	return unix.Fsync(int(vol.Fd()))
}

// moveEntries renames each entry of from into to, never over one there:
// a name a running container created meanwhile keeps its file, and the
// staged one is dropped with the staging directory.
func moveEntries(from, to *os.File) error {
	dir, err := openAt(from, ".", openDir) // its own offset: from is read again later
	if err != nil {
		return err
	}
	defer dir.Close()
	names, err := dir.Readdirnames(-1)
	if err != nil {
		return fmt.Errorf("read staged copy: %w", err)
	}
	for i, name := range names {
		if i == 1 {
			fault.Point("volume:seed-moving")
		}
		if err := renameNoReplace(int(from.Fd()), int(to.Fd()), name); err != nil && !errors.Is(err, unix.EEXIST) {
			return fmt.Errorf("move %q into the volume: %w", name, err)
		}
	}
	return nil
}

// renameNoReplace moves name from one directory to the other unless the
// other has it. A filesystem without RENAME_NOREPLACE gets a check, then
// rename(2): a name created between the two is replaced only if it is
// an empty directory (rename(2) refuses any other).
func renameNoReplace(from, to int, name string) error {
	err := unix.Renameat2(from, name, to, name, unix.RENAME_NOREPLACE)
	if !errors.Is(err, unix.EINVAL) && !errors.Is(err, unix.ENOSYS) {
		return err
	}
	var st unix.Stat_t
	if err := unix.Fstatat(to, name, &st, unix.AT_SYMLINK_NOFOLLOW); err == nil {
		return unix.EEXIST
	}
	return unix.Renameat(from, name, to, name)
}

// copyOwnerMode gives dir src's owner and mode, as docker's
// copyOwnership does to a volume's root.
func copyOwnerMode(src, dir *os.File) error {
	var st unix.Stat_t
	if err := unix.Fstat(int(src.Fd()), &st); err != nil {
		return err
	}
	if err := unix.Fchown(int(dir.Fd()), int(st.Uid), int(st.Gid)); err != nil {
		return fmt.Errorf("give the volume its image directory's owner: %w", err)
	}
	if err := unix.Fchmod(int(dir.Fd()), st.Mode&0o7777); err != nil {
		return fmt.Errorf("give the volume its image directory's mode: %w", err)
	}
	return nil
}

// dirEmpty says whether the open directory d has no entries; it reads a
// new descriptor, so d's own offset is untouched.
func dirEmpty(d *os.File) (bool, error) {
	f, err := openAt(d, ".", openDir)
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
