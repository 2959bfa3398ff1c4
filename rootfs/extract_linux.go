package rootfs

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	securejoin "github.com/cyphar/filepath-securejoin"
	"golang.org/x/sys/unix"
)

const (
	overlayOpaqueXattr = "trusted.overlay.opaque"
	// overlayXattrPrefix: overlayfs reads these xattrs as instructions
	// (opaque, redirect, origin, metacopy). A layer may not carry them;
	// only whiteout handling sets them.
	overlayXattrPrefix = "trusted.overlay."
)

// ApplyLayer unpacks the uncompressed layer tar r into root, applying
// whiteouts in the given format. It returns the bytes of file content written.
func ApplyLayer(r io.Reader, root string, format Format) (int64, error) {
	return applyLayer(r, root, format, defaultBombFloor)
}

// applyLayer is ApplyLayer with the floor of its sparse-file guard: a tar
// can declare a sparse file whose holes the reader fills with zeros, so a
// few bytes of tar could write terabytes. Past floor, content may be at
// most defaultBombRatio times the tar bytes read.
func applyLayer(r io.Reader, root string, format Format, floor int64) (int64, error) {
	in := &countingReader{r: r}
	a := &applier{root: root, format: format, unpacked: map[string]bool{}, in: in, floor: floor}
	tr := tar.NewReader(in)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return a.size, fmt.Errorf("read layer: %w", err)
		}
		if err := a.apply(hdr, tr); err != nil {
			return a.size, err
		}
	}
	return a.size, a.fixDirTimes()
}

type applier struct {
	root     string
	format   Format
	in       *countingReader // the tar stream, for the sparse guard
	floor    int64
	size     int64
	unpacked map[string]bool // entries this layer wrote, kept by opaque dirs
	dirs     []*tar.Header   // mtimes are set last: children change them
}

// cleanName turns a tar name into a root-relative path, refusing "..".
func cleanName(name string) (string, error) {
	for _, part := range strings.Split(name, "/") {
		if part == ".." {
			return "", fmt.Errorf("layer entry %q: path escapes the layer with \"..\"", name)
		}
	}
	rel := strings.TrimPrefix(filepath.Clean("/"+name), "/")
	return rel, nil
}

func (a *applier) apply(hdr *tar.Header, r io.Reader) error {
	if hdr.Typeflag == tar.TypeXGlobalHeader {
		// A PAX global header (git archive writes one) only holds
		// defaults for later entries; like docker and containerd, ignore it.
		return nil
	}
	rel, err := cleanName(hdr.Name)
	if err != nil || rel == "" {
		return err // "" is the root itself: nothing to create
	}
	dir, base := filepath.Split(rel)
	parent, err := a.resolveDir(dir)
	if err != nil {
		return err
	}
	if strings.HasPrefix(base, WhiteoutPrefix) {
		return a.whiteout(parent, dir, base)
	}
	target := filepath.Join(parent, base)
	if err := a.replace(target, hdr); err != nil {
		return err
	}
	if err := a.create(target, hdr, r); err != nil {
		return fmt.Errorf("unpack %q: %w", hdr.Name, err)
	}
	a.unpacked[target] = true
	return nil
}

// resolveDir returns the real directory for rel inside root, following
// symlinks only within root, and creates it if missing.
func (a *applier) resolveDir(rel string) (string, error) {
	p, err := securejoin.SecureJoin(a.root, rel)
	if err != nil {
		return "", fmt.Errorf("resolve %q in layer: %w", rel, errors.Unwrap(err))
	}
	if err := mkdirAll(p, 0o755); err != nil {
		return "", fmt.Errorf("create parent %q: %w", rel, err)
	}
	return p, nil
}

// replace removes what stands at target unless both are directories.
func (a *applier) replace(target string, hdr *tar.Header) error {
	fi, err := os.Lstat(target)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if fi.IsDir() && hdr.Typeflag == tar.TypeDir {
		return nil
	}
	return os.RemoveAll(target)
}

func (a *applier) whiteout(parent, dir, base string) error {
	if base == WhiteoutOpaqueDir {
		return a.opaque(parent)
	}
	if strings.HasPrefix(base, WhiteoutMetaPrefix) {
		return nil
	}
	name := strings.TrimPrefix(base, WhiteoutPrefix)
	if name == "" || name == "." || name == ".." || strings.Contains(name, "/") {
		return fmt.Errorf("layer whiteout %q: names no file in %q", base, "/"+dir)
	}
	target := filepath.Join(parent, name)
	if err := os.RemoveAll(target); err != nil {
		return fmt.Errorf("apply whiteout %q: %w", base, err)
	}
	if a.format == FormatOverlay {
		if err := unix.Mknod(target, unix.S_IFCHR, 0); err != nil {
			return fmt.Errorf("write whiteout for %q: %w", name, err)
		}
	}
	return nil
}

func (a *applier) opaque(dir string) error {
	if a.format == FormatOverlay {
		return unix.Setxattr(dir, overlayOpaqueXattr, []byte("y"), 0)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		if !a.unpacked[p] {
			if err := os.RemoveAll(p); err != nil {
				return err
			}
		}
	}
	return nil
}

func (a *applier) create(target string, hdr *tar.Header, r io.Reader) error {
	switch hdr.Typeflag {
	case tar.TypeDir:
		if err := os.Mkdir(target, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
			return err
		}
		a.dirs = append(a.dirs, hdr)
	case tar.TypeReg, tar.TypeRegA:
		if err := a.writeFile(target, hdr, r); err != nil {
			return err
		}
	case tar.TypeSymlink:
		if err := os.Symlink(hdr.Linkname, target); err != nil {
			return err
		}
	case tar.TypeLink:
		// The link shares its target's inode: its header's owner and mode
		// are not applied (a chown would also clear a setuid bit).
		return a.hardlink(target, hdr.Linkname)
	case tar.TypeChar, tar.TypeBlock, tar.TypeFifo:
		if err := mknod(target, hdr); err != nil {
			return err
		}
	default:
		return fmt.Errorf("unsupported entry type %q", hdr.Typeflag)
	}
	return setMetadata(target, hdr)
}

func (a *applier) writeFile(target string, hdr *tar.Header, r io.Reader) error {
	if hdr.Size < 0 {
		return fmt.Errorf("negative size %d", hdr.Size)
	}
	f, err := os.OpenFile(target, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	n, err := io.Copy(f, &sparseGuard{r: r, a: a})
	a.size += n
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// sparseGuard fails a file's copy once the layer's content outgrows its
// tar stream by more than a real layer can.
type sparseGuard struct {
	r io.Reader
	a *applier
	n int64
}

func (g *sparseGuard) Read(p []byte) (int, error) {
	n, err := g.r.Read(p)
	g.n += int64(n)
	if total, in := g.a.size+g.n, g.a.in.n.Load(); total > g.a.floor && total > defaultBombRatio*in {
		return n, fmt.Errorf("%w: %d bytes of files from %d bytes of tar (sparse files?)", ErrBomb, total, in)
	}
	return n, err
}

// hardlink links target to an earlier entry of this layer. The link's own
// target must resolve inside root and must not be reached through a symlink
// that leaves it; linking to a symlink is allowed (it is not followed).
func (a *applier) hardlink(target, linkname string) error {
	rel, err := cleanName(linkname)
	if err != nil {
		return err
	}
	if rel == "" {
		return fmt.Errorf("hard link to the layer root")
	}
	dir, base := filepath.Split(rel)
	parent, err := securejoin.SecureJoin(a.root, dir)
	if err != nil {
		return err
	}
	src := filepath.Join(parent, base)
	if _, err := os.Lstat(src); err != nil {
		return fmt.Errorf("hard link to %q: no such entry earlier in the layer", linkname)
	}
	return unix.Linkat(unix.AT_FDCWD, src, unix.AT_FDCWD, target, 0)
}

func mknod(target string, hdr *tar.Header) error {
	mode := uint32(hdr.Mode & 0o7777)
	switch hdr.Typeflag {
	case tar.TypeChar:
		mode |= unix.S_IFCHR
	case tar.TypeBlock:
		mode |= unix.S_IFBLK
	case tar.TypeFifo:
		mode |= unix.S_IFIFO
	}
	return unix.Mknod(target, mode, int(unix.Mkdev(uint32(hdr.Devmajor), uint32(hdr.Devminor))))
}

// setMetadata sets owner, mode (setuid bits kept), xattrs and times. A
// symlink's mode is never set: chmod would follow it (CVE-2021-32760).
func setMetadata(target string, hdr *tar.Header) error {
	if err := os.Lchown(target, hdr.Uid, hdr.Gid); err != nil {
		return err
	}
	if hdr.Typeflag != tar.TypeSymlink {
		if err := unix.Fchmodat(unix.AT_FDCWD, target, uint32(hdr.Mode&0o7777), 0); err != nil {
			return err
		}
	}
	for key, value := range hdr.PAXRecords {
		if name, ok := strings.CutPrefix(key, "SCHILY.xattr."); ok && !strings.HasPrefix(name, overlayXattrPrefix) {
			// Unprivileged or foreign xattr namespaces may be refused; the
			// file itself is still right, as docker also tolerates.
			_ = unix.Lsetxattr(target, name, []byte(value), 0)
		}
	}
	if hdr.Typeflag == tar.TypeDir {
		return nil
	}
	return setTimes(target, hdr)
}

func setTimes(target string, hdr *tar.Header) error {
	ts := []unix.Timespec{timespec(hdr.AccessTime, hdr.ModTime), timespec(hdr.ModTime, hdr.ModTime)}
	return unix.UtimesNanoAt(unix.AT_FDCWD, target, ts, unix.AT_SYMLINK_NOFOLLOW)
}

func timespec(t, fallback time.Time) unix.Timespec {
	if t.IsZero() {
		t = fallback
	}
	return unix.NsecToTimespec(t.UnixNano())
}

func (a *applier) fixDirTimes() error {
	for _, hdr := range a.dirs {
		rel, _ := cleanName(hdr.Name)
		p, err := securejoin.SecureJoin(a.root, rel)
		if err != nil {
			return err
		}
		if err := setTimes(p, hdr); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return nil
}
