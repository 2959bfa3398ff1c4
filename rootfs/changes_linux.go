package rootfs

import (
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/sys/unix"
)

// Every lookup here is by Lstat, one component at a time: a symlink in a
// layer or in the container's layer (both may come from a hostile image
// or a hostile container) is an entry like any other, never followed, so
// diff reads nothing outside the driver's own directories.

// lookup is what one layer says about a path.
type lookup int

const (
	absent     lookup = iota // not in this layer: ask the one below
	found                    // here, with this stat
	hiddenHere               // deleted or hidden by this layer: stop looking
)

// layerLookup finds rel (slash separated, no leading "/") in one layer
// directory, in overlay's reading of whiteouts and opaque directories. A
// component that is not a directory (a symlink too) hides what is below it.
func layerLookup(layer, rel string) (unix.Stat_t, lookup, error) {
	var st unix.Stat_t
	parts := strings.Split(rel, "/")
	p, opaque := layer, false
	for i, name := range parts {
		p = filepath.Join(p, name)
		if err := unix.Lstat(p, &st); err != nil {
			if errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ENOTDIR) {
				if opaque {
					return st, hiddenHere, nil
				}
				return st, absent, nil
			}
			return st, absent, fmt.Errorf("read layer entry %q: %w", p, err)
		}
		if isWhiteout(&st) {
			return st, hiddenHere, nil
		}
		if i == len(parts)-1 {
			return st, found, nil
		}
		if st.Mode&unix.S_IFMT != unix.S_IFDIR {
			return st, hiddenHere, nil
		}
		opaque = opaque || isOpaque(p)
	}
	return st, absent, nil
}

// lowerLookup finds rel in the merged view of lowers (top first).
func lowerLookup(lowers []string, rel string) (unix.Stat_t, bool, error) {
	for _, l := range lowers {
		st, res, err := layerLookup(l, rel)
		if err != nil || res == hiddenHere {
			return st, false, err
		}
		if res == found {
			return st, true, nil
		}
	}
	return unix.Stat_t{}, false, nil
}

func isWhiteout(st *unix.Stat_t) bool {
	return st.Mode&unix.S_IFMT == unix.S_IFCHR && st.Rdev == 0
}

func isOpaque(dir string) bool {
	buf := make([]byte, 4)
	n, err := unix.Lgetxattr(dir, overlayOpaqueXattr, buf)
	return err == nil && string(buf[:n]) == "y"
}

func isDirStat(st *unix.Stat_t) bool { return st.Mode&unix.S_IFMT == unix.S_IFDIR }

// sameMeta is docker's test of a changed entry: type, permissions, owner
// and device; for non-directories also size and mtime (a directory's
// mtime and size say nothing: moby/moby#9874).
func sameMeta(a, b *unix.Stat_t) bool {
	if a.Mode != b.Mode || a.Uid != b.Uid || a.Gid != b.Gid || a.Rdev != b.Rdev {
		return false
	}
	return isDirStat(a) || (a.Size == b.Size && a.Mtim == b.Mtim)
}

// overlayChanges reads a container's upper dir against its lower layers
// (top first). It needs no mount, so it works on stopped containers.
func overlayChanges(upper string, lowers []string) ([]Change, error) {
	var out []Change
	err := walkLstat(upper, func(rel string, e *entry) (bool, error) {
		st := &e.st
		if isWhiteout(st) {
			out = append(out, Change{Path: "/" + rel, Kind: ChangeDelete})
			return false, nil
		}
		lst, inLower, err := lowerLookup(lowers, rel)
		if err != nil {
			return false, err
		}
		switch {
		case !inLower:
			out = append(out, Change{Path: "/" + rel, Kind: ChangeAdd})
		case !isDirStat(st):
			out = append(out, Change{Path: "/" + rel, Kind: ChangeModify})
		case e.opaque:
			out = append(out, Change{Path: "/" + rel, Kind: ChangeModify})
			gone, err := hiddenByOpaque(e.fd, lowers, rel)
			if err != nil {
				return false, err
			}
			out = append(out, gone...)
		case !sameMeta(st, &lst):
			out = append(out, Change{Path: "/" + rel, Kind: ChangeModify})
		}
		return true, nil
	})
	return out, err
}

// hiddenByOpaque lists as deleted the lower entries of opaque directory
// rel (open as upperFd) that the upper dir does not have again.
func hiddenByOpaque(upperFd int, lowers []string, rel string) ([]Change, error) {
	var out []Change
	seen := map[string]bool{}
	for _, l := range lowers {
		st, res, err := layerLookup(l, rel)
		if err != nil {
			return nil, err
		}
		if res != found || !isDirStat(&st) {
			continue
		}
		ents, err := os.ReadDir(filepath.Join(l, rel))
		if err != nil {
			return nil, fmt.Errorf("read layer directory %q: %w", filepath.Join(l, rel), err)
		}
		for _, ent := range ents {
			name := ent.Name()
			if seen[name] {
				continue
			}
			seen[name] = true
			var ust unix.Stat_t
			if err := unix.Fstatat(upperFd, name, &ust, unix.AT_SYMLINK_NOFOLLOW); err == nil {
				continue
			}
			if _, ok, err := lowerLookup(lowers, rel+"/"+name); err != nil {
				return nil, err
			} else if ok {
				out = append(out, Change{Path: "/" + rel + "/" + name, Kind: ChangeDelete})
			}
		}
	}
	return out, nil
}

// snapshotChanges compares a full copy of the filesystem (vfs) with the
// image's top layer, a full snapshot too ("" for an empty image).
func snapshotChanges(root, base string) ([]Change, error) {
	var out []Change
	inRoot := map[string]bool{} // path -> is a directory
	err := walkLstat(root, func(rel string, e *entry) (bool, error) {
		st := &e.st
		inRoot[rel] = isDirStat(st)
		bst, res := unix.Stat_t{}, absent
		if base != "" {
			var err error
			if bst, res, err = layerLookup(base, rel); err != nil {
				return false, err
			}
		}
		if res != found {
			out = append(out, Change{Path: "/" + rel, Kind: ChangeAdd})
		} else if !sameMeta(st, &bst) {
			out = append(out, Change{Path: "/" + rel, Kind: ChangeModify})
		}
		return true, nil
	})
	if err != nil || base == "" {
		return out, err
	}
	err = walkLstat(base, func(rel string, _ *entry) (bool, error) {
		isDir, ok := inRoot[rel]
		if !ok {
			out = append(out, Change{Path: "/" + rel, Kind: ChangeDelete})
			return false, nil
		}
		return isDir, nil // below a non-directory, the change is the entry itself
	})
	return out, err
}

// entry is what walkLstat tells about one entry: its stat and, for a
// directory, whether it is opaque (read from its own descriptor).
type entry struct {
	st     unix.Stat_t
	opaque bool
	fd     int // a directory's own descriptor, valid during the callback
}

// walkLstat calls fn for every entry below dir (not dir itself) with its
// path relative to dir; fn returns whether to descend into a directory.
// The walk is by file descriptor (fstatat without following, openat with
// O_NOFOLLOW): a running container that swaps a directory for a symlink
// mid-walk cannot make it read outside dir. An entry that vanishes
// meanwhile is skipped.
func walkLstat(dir string, fn func(rel string, e *entry) (bool, error)) error {
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("read %q: %w", dir, err)
	}
	return walkFd(fd, dir, "", fn)
}

// walkFd walks the directory open as fd (and closes it).
func walkFd(fd int, dir, rel string, fn func(rel string, e *entry) (bool, error)) error {
	f := os.NewFile(uintptr(fd), filepath.Join(dir, rel))
	defer f.Close()
	names, err := f.Readdirnames(-1)
	if err != nil {
		return fmt.Errorf("read %q: %w", f.Name(), err)
	}
	sort.Strings(names)
	for _, name := range names {
		var e entry
		if err := unix.Fstatat(fd, name, &e.st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
			if errors.Is(err, unix.ENOENT) {
				continue
			}
			return fmt.Errorf("read %q: %w", filepath.Join(f.Name(), name), err)
		}
		child := path.Join(rel, name)
		cfd := -1
		if isDirStat(&e.st) {
			if cfd, err = unix.Openat(fd, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0); err != nil {
				if errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ELOOP) || errors.Is(err, unix.ENOTDIR) {
					continue // replaced meanwhile
				}
				return fmt.Errorf("read %q: %w", filepath.Join(f.Name(), name), err)
			}
			buf := make([]byte, 4)
			n, err := unix.Fgetxattr(cfd, overlayOpaqueXattr, buf)
			e.opaque = err == nil && string(buf[:n]) == "y"
		}
		e.fd = cfd
		descend, err := fn(child, &e)
		if err == nil && cfd >= 0 && descend {
			err = walkFd(cfd, dir, child, fn)
			cfd = -1
		}
		if cfd >= 0 {
			unix.Close(cfd)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (d *overlayDriver) Changes(id string, layers []string, topChain string) ([]Change, error) {
	return overlayChanges(filepath.Join(d.ctrDir(id), "diff"), d.lowerDirs(layers, topChain))
}

func (d *vfsDriver) Changes(id string, _ []string, topChain string) ([]Change, error) {
	base := ""
	if topChain != "" {
		h, _ := digestHex(topChain)
		base = filepath.Join(d.home, "layers", h, "diff")
	}
	raw, err := snapshotChanges(d.rootfs(id), base)
	if err != nil {
		return nil, err
	}
	// What the init layer added to the copy is the engine's, not a change.
	var initPaths []string
	for _, e := range initEntries {
		initPaths = append(initPaths, e.path)
	}
	return pruneChanges(raw, initPaths, ChangeAdd), nil
}
