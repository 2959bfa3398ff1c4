package rootfs

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

// A container's diff as a layer tar (commit). The entries are the
// changes diff lists (FinishChanges: sorted by path, parents included,
// the engine's paths left out), each read from the driver's diff root:
// overlay's upper dir, vfs's full copy. Deletions become ".wh.NAME"
// entries; an overlay opaque directory (trusted.overlay.opaque=y) becomes
// its ".wh..wh..opq" entry instead of one whiteout per hidden name.
// Every entry is opened inside the root without following a symlink out
// of it (pathrs), so a running container that swaps a directory for a
// symlink cannot make commit read a host file. The tar is reproducible:
// sorted entries, no atime/ctime, no user or group names, whiteouts at
// time 0.

// capabilityXattr is the one xattr a layer carries, as docker's archive
// writes it (file capabilities, e.g. ping's cap_net_raw).
const capabilityXattr = "security.capability"

// overlayStateXattrs mark upper entries whose data or name lives in a
// lower layer (redirect_dir, metacopy): their upper copy is not the file,
// so they cannot be committed from the upper dir alone.
var overlayStateXattrs = []string{"trusted.overlay.redirect", "trusted.overlay.metacopy"}

// diffWriter writes one layer tar of changes read below root.
type diffWriter struct {
	tw      *tar.Writer
	root    *os.File
	overlay bool                 // root is an overlay upper dir
	links   map[[2]uint64]string // (dev, ino) of a regular file with links -> its first name
	opaque  []string             // opaque directories written, whose whiteouts are implied
	entries int
}

// WriteDiffTar writes changes (FinishChanges output) read below root as
// an uncompressed layer tar to w, and returns how many entries it holds
// (0: the container changed nothing, an empty layer).
func WriteDiffTar(w io.Writer, root string, changes []Change, overlay bool) (int, error) {
	rootf, err := os.Open(root)
	if err != nil {
		return 0, fmt.Errorf("open container layer %q: %w", root, err)
	}
	defer rootf.Close()
	d := &diffWriter{tw: tar.NewWriter(w), root: rootf, overlay: overlay, links: map[[2]uint64]string{}}
	for _, c := range changes {
		if err := d.change(c); err != nil {
			return d.entries, err
		}
	}
	if d.entries == 0 {
		return 0, nil // no end marker: an empty layer is not stored
	}
	return d.entries, d.tw.Close()
}

func (d *diffWriter) change(c Change) error {
	rel := strings.TrimPrefix(path.Clean(c.Path), "/")
	if rel == "" || rel == "." {
		return nil
	}
	if c.Kind == ChangeDelete {
		if d.inOpaque(rel) {
			return nil // the opaque entry hides it already
		}
		return d.whiteout(path.Join(path.Dir(rel), WhiteoutPrefix+path.Base(rel)))
	}
	return d.entry(rel)
}

// inOpaque reports whether rel lies below an opaque directory written.
func (d *diffWriter) inOpaque(rel string) bool {
	for _, o := range d.opaque {
		if strings.HasPrefix(rel, o+"/") {
			return true
		}
	}
	return false
}

func (d *diffWriter) whiteout(name string) error {
	d.entries++
	return d.tw.WriteHeader(&tar.Header{Name: name, Typeflag: tar.TypeReg, ModTime: time.Unix(0, 0), Format: tar.FormatPAX})
}

// openEntry opens rel as an O_PATH handle: its parent resolved inside
// root, its last component not followed.
func (d *diffWriter) openEntry(rel string) (*os.File, error) {
	parent, err := pathrs.OpenatInRoot(d.root, "/"+path.Dir(rel))
	if err != nil {
		return nil, err
	}
	defer parent.Close()
	fd, err := unix.Openat(int(parent.Fd()), path.Base(rel), unix.O_PATH|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	return os.NewFile(uintptr(fd), rel), nil
}

func (d *diffWriter) entry(rel string) error {
	h, err := d.openEntry(rel)
	if errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ENOTDIR) {
		// gone since the changes were read (a running container committed
		// with --pause=false): its state at the walk is lost, as in docker
		return nil
	}
	if err != nil {
		return fmt.Errorf("read %q: %w", "/"+rel, err)
	}
	defer h.Close()
	var st unix.Stat_t
	if err := unix.Fstatat(int(h.Fd()), "", &st, unix.AT_EMPTY_PATH); err != nil {
		return fmt.Errorf("read %q: %w", "/"+rel, err)
	}
	hdr := &tar.Header{Name: rel, Mode: int64(st.Mode & 0o7777), Uid: int(st.Uid), Gid: int(st.Gid),
		ModTime: time.Unix(st.Mtim.Unix()), Format: tar.FormatPAX}
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFDIR:
		return d.dir(h, rel, hdr)
	case unix.S_IFREG:
		return d.file(h, rel, hdr, &st)
	case unix.S_IFLNK:
		buf := make([]byte, unix.PathMax)
		n, err := unix.Readlinkat(int(h.Fd()), "", buf)
		if err != nil {
			return fmt.Errorf("read link %q: %w", "/"+rel, err)
		}
		hdr.Typeflag, hdr.Linkname = tar.TypeSymlink, string(buf[:n])
	case unix.S_IFCHR, unix.S_IFBLK:
		if d.overlay && isWhiteout(&st) { // a whiteout FinishChanges kept as a parent
			return nil
		}
		hdr.Typeflag = tar.TypeChar
		if st.Mode&unix.S_IFMT == unix.S_IFBLK {
			hdr.Typeflag = tar.TypeBlock
		}
		hdr.Devmajor, hdr.Devminor = int64(unix.Major(st.Rdev)), int64(unix.Minor(st.Rdev))
	case unix.S_IFIFO:
		hdr.Typeflag = tar.TypeFifo
	default:
		return nil // sockets are not part of an image, as in docker
	}
	d.entries++
	return d.tw.WriteHeader(hdr)
}

func (d *diffWriter) dir(h *os.File, rel string, hdr *tar.Header) error {
	hdr.Typeflag, hdr.Name = tar.TypeDir, rel+"/"
	var opaque bool
	if d.overlay {
		f, err := pathrs.Reopen(h, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC)
		if err != nil {
			return fmt.Errorf("read %q: %w", "/"+rel, err)
		}
		defer f.Close()
		if err := d.checkOverlayState(int(f.Fd()), rel); err != nil {
			return err
		}
		buf := make([]byte, 4)
		n, err := unix.Fgetxattr(int(f.Fd()), overlayOpaqueXattr, buf)
		opaque = err == nil && string(buf[:n]) == "y"
	}
	d.entries++
	if err := d.tw.WriteHeader(hdr); err != nil {
		return err
	}
	if !opaque {
		return nil
	}
	d.opaque = append(d.opaque, rel)
	return d.whiteout(rel + "/" + WhiteoutOpaqueDir)
}

// checkOverlayState refuses an upper entry that is not whole by itself.
func (d *diffWriter) checkOverlayState(fd int, rel string) error {
	for _, x := range overlayStateXattrs {
		if _, err := unix.Fgetxattr(fd, x, nil); err == nil {
			return fmt.Errorf("commit %q: the overlay upper entry has %s (the kernel's redirect_dir or metacopy is on): commit needs them off (overlay module options redirect_dir=off,metacopy=off)", "/"+rel, x)
		}
	}
	return nil
}

func (d *diffWriter) file(h *os.File, rel string, hdr *tar.Header, st *unix.Stat_t) error {
	if st.Nlink > 1 {
		key := [2]uint64{st.Dev, st.Ino}
		if first, ok := d.links[key]; ok {
			hdr.Typeflag, hdr.Linkname = tar.TypeLink, first
			d.entries++
			return d.tw.WriteHeader(hdr)
		}
		d.links[key] = rel
	}
	f, err := pathrs.Reopen(h, unix.O_RDONLY|unix.O_CLOEXEC)
	if err != nil {
		return fmt.Errorf("read %q: %w", "/"+rel, err)
	}
	defer f.Close()
	if d.overlay {
		if err := d.checkOverlayState(int(f.Fd()), rel); err != nil {
			return err
		}
	}
	if err := unix.Fstat(int(f.Fd()), st); err != nil {
		return fmt.Errorf("read %q: %w", "/"+rel, err)
	}
	hdr.Typeflag, hdr.Size = tar.TypeReg, st.Size
	if cap := fileCapability(int(f.Fd())); cap != "" {
		hdr.PAXRecords = map[string]string{"SCHILY.xattr." + capabilityXattr: cap}
	}
	d.entries++
	if err := d.tw.WriteHeader(hdr); err != nil {
		return err
	}
	if _, err := io.CopyN(d.tw, f, hdr.Size); err != nil {
		return fmt.Errorf("read %q: %w (did it shrink during the commit? commit with --pause)", "/"+rel, err)
	}
	return nil
}

func fileCapability(fd int) string {
	buf := make([]byte, 256)
	n, err := unix.Fgetxattr(fd, capabilityXattr, buf)
	if err != nil || n <= 0 {
		return ""
	}
	return string(buf[:n])
}
