package rootfs

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
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
