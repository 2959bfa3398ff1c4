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
// that died (killed pull or load), so SweepTmp removes it. Directories
// still named ".new-*" are only removed once old, since their creator may
// be between mkdir and rename.
const newWorkPrefix = ".new-"

// newWorkDir creates tmp/<prefix>XXXX, locked until release is called.
func (s *Store) newWorkDir(prefix string) (dir string, release func(), err error) {
	fresh, err := os.MkdirTemp(s.tmpDir(), newWorkPrefix)
	if err != nil {
		return "", nil, fmt.Errorf("create work directory: %w", err)
	}
	fd, err := unix.Open(fresh, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err == nil {
		err = unix.Flock(fd, unix.LOCK_EX|unix.LOCK_NB)
	}
	if err == nil {
		dir = filepath.Join(s.tmpDir(), prefix+strings.TrimPrefix(filepath.Base(fresh), newWorkPrefix))
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
// pull or load); pull, load and image prune call it.
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
		if orphaned(p) {
			os.RemoveAll(p)
		}
	}
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
