package rootfs

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// Work directories under tmp/ are held by their creator with an exclusive
// flock on the directory itself, taken before the directory gets its
// public name. A directory whose lock can be taken belongs to a process
// that died (killed pull, load or create), so SweepTmp removes it.
// Directories still named ".new-*" are only removed once old, since their
// creator may be between mkdir and rename. Every directory made under
// tmp/ must come from newWorkDir: an unlocked one is swept at once.
const newWorkPrefix = ".new-"

// initWorkPrefix names the overlay init layer's build directories, the
// only work directories that hold a mount (at merged). Every other kind
// may hold content from an archive (a load's is the archive itself), so
// a sweep never unmounts anything in them: a symlink there could name a
// host mount.
const initWorkPrefix = "init-"

// newWorkDir creates tmp/<prefix>XXXX, locked until release is called.
func (s *Store) newWorkDir(prefix string) (dir string, release func(), err error) {
	return newWorkDir(s.tmpDir(), prefix)
}

// tempWorkDir is newWorkDir for a scratch directory: done removes it,
// then drops its lock.
func (s *Store) tempWorkDir(prefix string) (dir string, done func(), err error) {
	dir, release, err := s.newWorkDir(prefix)
	if err != nil {
		return "", nil, err
	}
	return dir, func() { os.RemoveAll(dir); release() }, nil
}

// newWorkDir creates tmpDir/<prefix>XXXX, locked until release is called.
func newWorkDir(tmpDir, prefix string) (dir string, release func(), err error) {
	fresh, err := os.MkdirTemp(tmpDir, newWorkPrefix)
	if err != nil {
		return "", nil, fmt.Errorf("create work directory: %w", err)
	}
	fd, err := unix.Open(fresh, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err == nil {
		err = unix.Flock(fd, unix.LOCK_EX|unix.LOCK_NB)
	}
	if err == nil {
		dir = filepath.Join(tmpDir, prefix+strings.TrimPrefix(filepath.Base(fresh), newWorkPrefix))
		err = os.Rename(fresh, dir)
	}
	if err != nil {
		if fd >= 0 {
			unix.Close(fd)
		}
		os.RemoveAll(fresh)
		return "", nil, fmt.Errorf("create work directory: %w", err)
	}
	return dir, func() { unix.Close(fd) }, nil
}

// SweepTmp removes the work directories of processes that died (a killed
// pull, load or create); pull, load and image prune call it.
func (s *Store) SweepTmp() {
	entries, _ := os.ReadDir(s.tmpDir())
	for _, e := range entries {
		p := filepath.Join(s.tmpDir(), e.Name())
		if strings.HasPrefix(e.Name(), newWorkPrefix) {
			if fi, err := e.Info(); err == nil && time.Since(fi.ModTime()) > time.Minute {
				os.RemoveAll(p)
			}
			continue
		}
		if orphaned(p) && unmountInitBuild(p, e.Name()) == nil {
			os.RemoveAll(p)
		}
	}
}

// unmountInitBuild unmounts the overlay that a create killed while
// building an init layer leaves at p/merged: removing through it would
// not free it. Only init- directories are ours throughout, and merged
// must be a mount itself (Lstat: a symlink is not followed). An error
// keeps p for a later sweep rather than removing through a mount.
func unmountInitBuild(p, name string) error {
	merged := filepath.Join(p, "merged")
	if !strings.HasPrefix(name, initWorkPrefix) || !isMountpoint(merged) {
		return nil
	}
	return unmount(merged)
}

// orphaned reports whether nobody holds p's lock. Once that is so nobody
// ever will again (creators lock before naming), so the caller may remove
// p after the probe's lock is dropped.
func orphaned(p string) bool {
	fd, err := unix.Open(p, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return !os.IsNotExist(err) // a stray file: not ours to keep
	}
	defer unix.Close(fd)
	return unix.Flock(fd, unix.LOCK_EX|unix.LOCK_NB) == nil
}
