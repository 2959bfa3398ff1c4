package archive

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strconv"
	"strings"
	"time"

	pathrs "github.com/cyphar/filepath-securejoin/pathrs-lite"
	"golang.org/x/sys/unix"
)

// overlayXattrPrefix: overlayfs reads these xattrs as instructions; a
// copied file may not carry them.
const overlayXattrPrefix = "trusted.overlay."

// Extract unpacks the tar r into directory dir inside root, which must
// exist; show is how errors name dir (the path the user gave). Unlike an
// image layer, a cp tar has no whiteouts: ".wh." names are ordinary files.
//
// The tree may change while we write (a running container, or a host
// directory it can write through a mount), so nothing is done by path:
// each entry's parent is resolved inside root to a file descriptor, and
// the entry is created, replaced and given its metadata relative to that
// descriptor without following a symlink in its last component.
func Extract(r io.Reader, root, dir, show string) error {
	rootf, err := os.OpenFile(root, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open %q: %w", show, err)
	}
	defer rootf.Close()
	x := &extractor{root: rootf, dir: path.Clean("/" + dir), show: show}
	d, err := pathrs.OpenatInRoot(rootf, x.dir)
	if err != nil {
		return fmt.Errorf("extract into %q: %w", show, notExist(err))
	}
	var st unix.Stat_t
	err = unix.Fstatat(int(d.Fd()), "", &st, unix.AT_EMPTY_PATH)
	d.Close()
	if err != nil || st.Mode&unix.S_IFMT != unix.S_IFDIR {
		return fmt.Errorf("extract into %q: not a directory", show)
	}
	defer x.closeParent()
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("read tar: %w", err)
		}
		if err := x.entry(hdr, tr); err != nil {
			return err
		}
	}
	return x.dirTimes()
}

type extractor struct {
	root      *os.File
	dir       string // inside root
	show      string
	parent    *os.File // the last entry's parent, reused for its siblings
	parentRel string
	dirs      []*tar.Header // directory times are set last: children change them
}

// cleanName turns a tar name into a path relative to the extraction dir,
// refusing "..", as docker's untar refuses a breakout.
func cleanName(name string) (string, error) {
	for _, part := range strings.Split(name, "/") {
		if part == ".." {
			return "", fmt.Errorf("tar entry %q: path leads out of the destination with \"..\"", name)
		}
	}
	return strings.TrimPrefix(path.Clean("/"+name), "/"), nil
}

// parentOf returns a directory fd for rel's parent (created 0755 where
// missing, as docker does), resolved inside root: a symlink in the tree
// resolves as it would in the container, never outside root.
func (x *extractor) parentOf(rel string) (*os.File, error) {
	dir := path.Dir(rel)
	if x.parent != nil && x.parentRel == dir {
		return x.parent, nil
	}
	x.closeParent()
	p, err := pathrs.MkdirAllHandle(x.root, path.Join(x.dir, dir), 0o755)
	if err != nil {
		return nil, fmt.Errorf("create parent of %q: %w", rel, err)
	}
	x.parent, x.parentRel = p, dir
	return p, nil
}

func (x *extractor) closeParent() {
	if x.parent != nil {
		x.parent.Close()
		x.parent = nil
	}
}

func (x *extractor) entry(hdr *tar.Header, r io.Reader) error {
	if hdr.Typeflag == tar.TypeXGlobalHeader {
		return nil // only defaults for later entries, as docker ignores it
	}
	rel, err := cleanName(hdr.Name)
	if err != nil || rel == "" {
		return err // "" is the destination itself: it exists already
	}
	parent, err := x.parentOf(rel)
	if err != nil {
		return err
	}
	pfd, base := int(parent.Fd()), path.Base(rel)
	merge, err := x.replace(pfd, base, rel, hdr)
	if err != nil {
		return err
	}
	if err := x.create(pfd, base, hdr, r, merge); err != nil {
		return fmt.Errorf("copy %q: %w", hdr.Name, err)
	}
	return nil
}

// replace makes room for hdr at base: a directory onto a directory merges
// (merge is set); a directory and a non-directory never replace each
// other (docker cp's NoOverwriteDirNonDir); another non-directory is
// unlinked, through the parent fd.
func (x *extractor) replace(pfd int, base, rel string, hdr *tar.Header) (merge bool, err error) {
	var st unix.Stat_t
	err = unix.Fstatat(pfd, base, &st, unix.AT_SYMLINK_NOFOLLOW)
	if errors.Is(err, unix.ENOENT) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	isDir, wantDir := st.Mode&unix.S_IFMT == unix.S_IFDIR, hdr.Typeflag == tar.TypeDir
	shown := path.Join(x.show, rel)
	switch {
	case isDir && wantDir:
		return true, nil
	case isDir:
		return false, fmt.Errorf("cannot overwrite directory %q with non-directory %q", shown, hdr.Name)
	case wantDir:
		return false, fmt.Errorf("cannot overwrite non-directory %q with directory %q", shown, hdr.Name)
	}
	if err := unix.Unlinkat(pfd, base, 0); err != nil && !errors.Is(err, unix.ENOENT) {
		return false, fmt.Errorf("replace %q: %w", shown, err)
	}
	return false, nil
}

func (x *extractor) create(pfd int, base string, hdr *tar.Header, r io.Reader, merge bool) error {
	mode := uint32(hdr.Mode & 0o7777)
	switch hdr.Typeflag {
	case tar.TypeDir:
		if !merge {
			if err := unix.Mkdirat(pfd, base, 0o700); err != nil {
				return err
			}
		}
		x.dirs = append(x.dirs, hdr)
		return x.withFd(pfd, base, unix.O_RDONLY|unix.O_DIRECTORY, func(fd int) error { return fdMetadata(fd, hdr, mode, false) })
	case tar.TypeReg, tar.TypeRegA:
		return x.writeFile(pfd, base, hdr, r, mode)
	case tar.TypeSymlink:
		if err := unix.Symlinkat(hdr.Linkname, pfd, base); err != nil {
			return err
		}
		return atMetadata(pfd, base, hdr, false)
	case tar.TypeLink:
		// The link shares its target's inode: its header's owner and mode
		// are not applied (a chown would also clear a setuid bit).
		return x.hardlink(pfd, base, hdr.Linkname)
	case tar.TypeChar, tar.TypeBlock, tar.TypeFifo:
		kind := map[byte]uint32{tar.TypeChar: unix.S_IFCHR, tar.TypeBlock: unix.S_IFBLK, tar.TypeFifo: unix.S_IFIFO}[hdr.Typeflag]
		dev := int(unix.Mkdev(uint32(hdr.Devmajor), uint32(hdr.Devminor)))
		if err := unix.Mknodat(pfd, base, kind|0o600, dev); err != nil {
			return err
		}
		return atMetadata(pfd, base, hdr, true)
	}
	return fmt.Errorf("unsupported tar entry type %q", hdr.Typeflag)
}

// withFd opens base below pfd without following a symlink and calls fn.
func (x *extractor) withFd(pfd int, base string, flags int, fn func(int) error) error {
	fd, err := unix.Openat(pfd, base, flags|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	return fn(fd)
}

func (x *extractor) writeFile(pfd int, base string, hdr *tar.Header, r io.Reader, mode uint32) error {
	fd, err := unix.Openat(pfd, base, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return err
	}
	f := os.NewFile(uintptr(fd), base)
	defer f.Close()
	if _, err := io.Copy(f, r); err != nil {
		return err
	}
	return fdMetadata(fd, hdr, mode, true)
}

// fdMetadata sets owner, then mode (a chown clears setuid bits), xattrs
// and, unless a directory (set last), times on an open fd.
func fdMetadata(fd int, hdr *tar.Header, mode uint32, times bool) error {
	if err := unix.Fchown(fd, hdr.Uid, hdr.Gid); err != nil {
		return err
	}
	if err := unix.Fchmod(fd, mode); err != nil {
		return err
	}
	for key, value := range hdr.PAXRecords {
		if name, ok := strings.CutPrefix(key, "SCHILY.xattr."); ok && !strings.HasPrefix(name, overlayXattrPrefix) {
			// Unprivileged or foreign xattr namespaces may be refused; the
			// file itself is still right, as docker also tolerates.
			_ = unix.Fsetxattr(fd, name, []byte(value), 0)
		}
	}
	if !times {
		return nil
	}
	return unix.UtimesNanoAt(fd, "", timespecs(hdr), unix.AT_EMPTY_PATH)
}

// atMetadata sets a symlink's or a device node's owner and times by name
// below pfd without following a symlink. A symlink's mode is never set
// (chmod follows it, CVE-2021-32760); a node's is set through an O_PATH
// fd's /proc magic link, which names that inode and no other.
func atMetadata(pfd int, base string, hdr *tar.Header, chmod bool) error {
	if err := unix.Fchownat(pfd, base, hdr.Uid, hdr.Gid, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return err
	}
	if chmod {
		fd, err := unix.Openat(pfd, base, unix.O_PATH|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		if err != nil {
			return err
		}
		var st unix.Stat_t
		err = unix.Fstat(fd, &st)
		if err == nil && st.Mode&unix.S_IFMT == unix.S_IFLNK {
			err = fmt.Errorf("%q changed into a symlink", base)
		}
		if err == nil {
			err = unix.Chmod("/proc/self/fd/"+strconv.Itoa(fd), uint32(hdr.Mode&0o7777))
		}
		unix.Close(fd)
		if err != nil {
			return err
		}
	}
	return unix.UtimesNanoAt(pfd, base, timespecs(hdr), unix.AT_SYMLINK_NOFOLLOW)
}

// hardlink links base to an earlier entry, named relative to the
// extraction dir and resolved inside root by fd; the link target's last
// component is not followed (a link to a symlink links the symlink).
func (x *extractor) hardlink(pfd int, base, linkname string) error {
	rel, err := cleanName(linkname)
	if err != nil {
		return err
	}
	if rel == "" {
		return errors.New("hard link to the destination directory")
	}
	src, err := pathrs.OpenatInRoot(x.root, path.Join(x.dir, path.Dir(rel)))
	if err != nil {
		return fmt.Errorf("hard link to %q: %w", linkname, notExist(err))
	}
	defer src.Close()
	if err := unix.Linkat(int(src.Fd()), path.Base(rel), pfd, base, 0); err != nil {
		return fmt.Errorf("hard link to %q: %w", linkname, err)
	}
	return nil
}

// dirTimes sets the directories' times once their children are written,
// by name below their parent without following a symlink.
func (x *extractor) dirTimes() error {
	x.closeParent()
	for i := len(x.dirs) - 1; i >= 0; i-- {
		hdr := x.dirs[i]
		rel, _ := cleanName(hdr.Name)
		parent, err := pathrs.OpenatInRoot(x.root, path.Join(x.dir, path.Dir(rel)))
		if err != nil {
			continue // moved or removed meanwhile: nothing to date
		}
		err = unix.UtimesNanoAt(int(parent.Fd()), path.Base(rel), timespecs(hdr), unix.AT_SYMLINK_NOFOLLOW)
		parent.Close()
		if err != nil && !errors.Is(err, unix.ENOENT) {
			return fmt.Errorf("set times of %q: %w", hdr.Name, err)
		}
	}
	return nil
}

func timespecs(hdr *tar.Header) []unix.Timespec {
	at := hdr.AccessTime
	if at.IsZero() {
		at = hdr.ModTime
	}
	return []unix.Timespec{timespec(at), timespec(hdr.ModTime)}
}

func timespec(t time.Time) unix.Timespec {
	if t.IsZero() {
		return unix.Timespec{Nsec: unix.UTIME_OMIT}
	}
	return unix.NsecToTimespec(t.UnixNano())
}
