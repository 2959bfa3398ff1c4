package rootfs

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// copyTree copies src to dst keeping modes, owners, times, xattrs, devices,
// symlinks and hard links. dst must not exist.
func copyTree(src, dst string) error {
	links := map[uint64]string{} // inode -> first copy, to keep hard links
	var dirs []string
	err := filepath.WalkDir(src, func(p string, de fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		var st unix.Stat_t
		if err := unix.Lstat(p, &st); err != nil {
			return err
		}
		if st.Mode&unix.S_IFMT == unix.S_IFDIR {
			dirs = append(dirs, rel)
		}
		return copyEntry(p, target, &st, links)
	})
	if err != nil {
		return fmt.Errorf("copy %q: %w", src, err)
	}
	for i := len(dirs) - 1; i >= 0; i-- { // children first: they touch the parent
		if err := copyTimes(filepath.Join(src, dirs[i]), filepath.Join(dst, dirs[i])); err != nil {
			return err
		}
	}
	return nil
}

func copyEntry(p, target string, st *unix.Stat_t, links map[uint64]string) error {
	if st.Mode&unix.S_IFMT != unix.S_IFDIR && st.Nlink > 1 {
		if first, ok := links[st.Ino]; ok {
			return unix.Link(first, target)
		}
		links[st.Ino] = target
	}
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFDIR:
		if err := os.Mkdir(target, 0o700); err != nil {
			return err
		}
	case unix.S_IFREG:
		if err := copyFile(p, target); err != nil {
			return err
		}
	case unix.S_IFLNK:
		dest, err := os.Readlink(p)
		if err != nil {
			return err
		}
		if err := os.Symlink(dest, target); err != nil {
			return err
		}
	default:
		if err := unix.Mknod(target, st.Mode, int(st.Rdev)); err != nil {
			return err
		}
	}
	return copyMeta(p, target, st)
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, in) // copy_file_range where the kernel allows
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return err
}

func copyMeta(src, dst string, st *unix.Stat_t) error {
	if err := unix.Lchown(dst, int(st.Uid), int(st.Gid)); err != nil {
		return err
	}
	isLink := st.Mode&unix.S_IFMT == unix.S_IFLNK
	if !isLink {
		if err := unix.Chmod(dst, st.Mode&0o7777); err != nil {
			return err
		}
	}
	copyXattrs(src, dst)
	if st.Mode&unix.S_IFMT == unix.S_IFDIR {
		return nil
	}
	ts := []unix.Timespec{st.Atim, st.Mtim}
	return unix.UtimesNanoAt(unix.AT_FDCWD, dst, ts, unix.AT_SYMLINK_NOFOLLOW)
}

func copyTimes(src, dst string) error {
	var st unix.Stat_t
	if err := unix.Lstat(src, &st); err != nil {
		return err
	}
	return unix.UtimesNanoAt(unix.AT_FDCWD, dst, []unix.Timespec{st.Atim, st.Mtim}, unix.AT_SYMLINK_NOFOLLOW)
}

// copyXattrs copies extended attributes where the filesystem allows; a
// missing one changes no file content, so failures are not fatal.
func copyXattrs(src, dst string) {
	buf := make([]byte, 4096)
	n, err := unix.Llistxattr(src, buf)
	if err != nil || n <= 0 {
		return
	}
	for _, name := range splitNul(buf[:n]) {
		val := make([]byte, 4096)
		m, err := unix.Lgetxattr(src, name, val)
		if err == nil {
			_ = unix.Lsetxattr(dst, name, val[:m], 0)
		}
	}
}

func splitNul(b []byte) []string {
	var out []string
	start := 0
	for i, c := range b {
		if c == 0 {
			if i > start {
				out = append(out, string(b[start:i]))
			}
			start = i + 1
		}
	}
	return out
}
