// Package archive copies files into and out of a container's root as tar
// streams (docker cp). Every path resolves inside its root, and neither
// direction acts on a path the kernel walks again, so a tree that changes
// during the copy (a running container swapping a directory for a symlink)
// cannot lead it out: reading walks file descriptors opened
// O_PATH|O_NOFOLLOW below a handle resolved in the root; writing (Extract)
// creates each entry relative to its parent's descriptor, resolved in the
// root, and never follows a symlink in an entry's last component. cp tars
// have no whiteouts: ".wh." names are ordinary files.
package archive

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"
	"time"

	pathrs "github.com/cyphar/filepath-securejoin/pathrs-lite"
	"golang.org/x/sys/unix"
)

// ErrNotExist marks a path that is not in the root.
var ErrNotExist = errors.New("no such file or directory")

// Stat is what a path inside root is: exists, and a directory.
func Stat(root, p string, follow bool) (exists, dir bool, err error) {
	h, err := open(root, p, follow)
	if errors.Is(err, ErrNotExist) {
		return false, false, nil
	}
	if err != nil {
		return false, false, err
	}
	defer h.Close()
	var st unix.Stat_t
	if err := unix.Fstatat(int(h.Fd()), "", &st, unix.AT_EMPTY_PATH); err != nil {
		return false, false, err
	}
	return true, st.Mode&unix.S_IFMT == unix.S_IFDIR, nil
}

// open returns an O_PATH handle of p resolved inside root; the last
// component is followed only when follow is set.
func open(root, p string, follow bool) (*os.File, error) {
	rootf, err := os.Open(root)
	if err != nil {
		return nil, err
	}
	defer rootf.Close()
	p = path.Clean("/" + p)
	if follow || p == "/" {
		h, err := pathrs.OpenatInRoot(rootf, p)
		return h, notExist(err)
	}
	parent, err := pathrs.OpenatInRoot(rootf, path.Dir(p))
	if err != nil {
		return nil, notExist(err)
	}
	defer parent.Close()
	fd, err := unix.Openat(int(parent.Fd()), path.Base(p), unix.O_PATH|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, notExist(err)
	}
	return os.NewFile(uintptr(fd), p), nil
}

func notExist(err error) error {
	if errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ENOTDIR) {
		return ErrNotExist
	}
	return err
}

// Write writes a tar of p (inside root) to w, its top entry named top
// ("." for a directory's contents only). owner, when set, changes each header.
func Write(w io.Writer, root, p string, follow bool, top string, owner func(*tar.Header)) error {
	h, err := open(root, p, follow)
	if err != nil {
		return err
	}
	defer h.Close()
	tw := tar.NewWriter(w)
	if err := walk(tw, h, top, owner); err != nil {
		return err
	}
	return tw.Close()
}

func walk(tw *tar.Writer, h *os.File, name string, owner func(*tar.Header)) error {
	var st unix.Stat_t
	fd := int(h.Fd())
	if err := unix.Fstatat(fd, "", &st, unix.AT_EMPTY_PATH); err != nil {
		return err
	}
	hdr := &tar.Header{Name: name, Mode: int64(st.Mode & 0o7777), Uid: int(st.Uid), Gid: int(st.Gid),
		ModTime: time.Unix(st.Mtim.Unix()), Format: tar.FormatPAX}
	var body *os.File
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFDIR:
		hdr.Typeflag, hdr.Name = tar.TypeDir, name+"/"
	case unix.S_IFREG:
		f, err := pathrs.Reopen(h, unix.O_RDONLY|unix.O_CLOEXEC)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := unix.Fstat(int(f.Fd()), &st); err != nil {
			return err
		}
		hdr.Typeflag, hdr.Size, body = tar.TypeReg, st.Size, f
	case unix.S_IFLNK:
		buf := make([]byte, unix.PathMax)
		n, err := unix.Readlinkat(fd, "", buf)
		if err != nil {
			return err
		}
		hdr.Typeflag, hdr.Linkname = tar.TypeSymlink, string(buf[:n])
	case unix.S_IFCHR, unix.S_IFBLK:
		hdr.Typeflag = tar.TypeChar
		if st.Mode&unix.S_IFMT == unix.S_IFBLK {
			hdr.Typeflag = tar.TypeBlock
		}
		hdr.Devmajor, hdr.Devminor = int64(unix.Major(st.Rdev)), int64(unix.Minor(st.Rdev))
	case unix.S_IFIFO:
		hdr.Typeflag = tar.TypeFifo
	default:
		return nil // sockets are not copied
	}
	if owner != nil {
		owner(hdr)
	}
	if name != "." {
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
	}
	if body != nil {
		_, err := io.CopyN(tw, body, hdr.Size)
		return err
	}
	if hdr.Typeflag != tar.TypeDir {
		return nil
	}
	d, err := pathrs.Reopen(h, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC)
	if err != nil {
		return err
	}
	defer d.Close()
	names, err := d.Readdirnames(-1)
	if err != nil {
		return err
	}
	for _, n := range names {
		cfd, err := unix.Openat(int(d.Fd()), n, unix.O_PATH|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		if err != nil {
			return err
		}
		child := os.NewFile(uintptr(cfd), n)
		err = walk(tw, child, strings.TrimPrefix(name+"/"+n, "./"), owner)
		child.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// Plan is where a copy lands: the top entry named Top, unpacked in Dir.
type Plan struct{ Dir, Top string }

// PlanCopy applies docker cp's rules: src (a directory or not; ending
// in "/." copies its contents) to dest (existing or not, a directory or not).
func PlanCopy(src string, srcDir bool, dest string, destExists, destDir bool) (Plan, error) {
	contents := strings.HasSuffix(src, "/.")
	base := path.Base(path.Clean("/" + src))
	dparent, dbase := path.Dir(path.Clean("/"+dest)), path.Base(path.Clean("/"+dest))
	if !srcDir {
		switch {
		case strings.HasSuffix(src, "/") || contents:
			return Plan{}, fmt.Errorf("source %q is not a directory", src)
		case !destExists && strings.HasSuffix(dest, "/"):
			return Plan{}, fmt.Errorf("destination directory %q does not exist", dest)
		case destDir:
			return Plan{Dir: dest, Top: base}, nil
		}
		return Plan{Dir: dparent, Top: dbase}, nil
	}
	switch {
	case !destExists:
		return Plan{Dir: dparent, Top: dbase}, nil
	case !destDir:
		return Plan{}, errors.New("cannot copy a directory to a file")
	case contents:
		return Plan{Dir: dest, Top: "."}, nil
	}
	return Plan{Dir: dest, Top: base}, nil
}

// BaseName is the top entry's name for a tar of p: its base name, or "."
// for a directory's contents ("/." ending).
func BaseName(p string, dir bool) string {
	if dir && strings.HasSuffix(p, "/.") {
		return "."
	}
	if b := path.Base(path.Clean("/" + p)); b != "/" {
		return b
	}
	return "."
}
