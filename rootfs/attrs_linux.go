package rootfs

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// Directories a container sees get their modes set explicitly: the umask
// of whoever runs ctr-lite (077 on hardened hosts) must not decide them.

// mkdirAll is os.MkdirAll, except that the directories it creates get
// exactly mode.
func mkdirAll(p string, mode os.FileMode) error {
	fi, err := os.Stat(p)
	if err == nil {
		if !fi.IsDir() {
			return &fs.PathError{Op: "mkdir", Path: p, Err: unix.ENOTDIR}
		}
		return nil
	}
	if parent := filepath.Dir(p); parent != p {
		if err := mkdirAll(parent, mode); err != nil {
			return err
		}
	}
	if err := os.Mkdir(p, mode); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return nil // made by a concurrent caller
		}
		return err
	}
	return os.Chmod(p, mode)
}

// takeRootAttrs gives dir 0755 and this process's owner (root, when
// ctr-lite runs as root). overlayfs shows an upper dir's owner and mode as
// the merged root, so the upper dirs of init and container layers get
// them: "/" in the container is 0755 root, as docker's. They never come
// from a layer's own root dir: that is a directory ctr-lite made (a
// layer's "./" entry is skipped), and an older version made it under the
// caller's umask (0700 with 077).
func takeRootAttrs(dir string) error {
	uid, gid, mode := os.Getuid(), os.Getgid(), uint32(0o755)
	var cur unix.Stat_t
	if err := unix.Stat(dir, &cur); err != nil {
		return err
	}
	chown := int(cur.Uid) != uid || int(cur.Gid) != gid
	if chown {
		if err := os.Lchown(dir, uid, gid); err != nil {
			return err
		}
	}
	if !chown && cur.Mode&0o7777 == mode {
		return nil // already right: an existing init layer costs one stat
	}
	return unix.Chmod(dir, mode)
}
