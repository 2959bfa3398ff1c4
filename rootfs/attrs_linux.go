package rootfs

import (
	"errors"
	"fmt"
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

// takeRootAttrs gives dir the owner and mode of directory ref, or 0755
// and this process's owner when ref is "" (an image without layers).
// overlayfs shows an upper dir's owner and mode as the merged root, so
// the upper dirs of init and container layers take the image's: "/" in
// the container is then what the image says, 0755 root as docker's.
func takeRootAttrs(dir, ref string) error {
	uid, gid, mode := os.Getuid(), os.Getgid(), uint32(0o755)
	if ref != "" {
		var st unix.Stat_t
		if err := unix.Stat(ref, &st); err != nil {
			return fmt.Errorf("read owner and mode of %q: %w", ref, err)
		}
		uid, gid, mode = int(st.Uid), int(st.Gid), st.Mode&0o7777
	}
	var cur unix.Stat_t
	if err := unix.Stat(dir, &cur); err != nil {
		return err
	}
	chown := int(cur.Uid) != uid || int(cur.Gid) != gid // unprivileged tests own both
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
