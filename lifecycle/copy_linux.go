package lifecycle

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"github.com/ctr-lite/ctr-lite/rootfs"
	"github.com/moby/sys/mountinfo"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	securejoin "github.com/cyphar/filepath-securejoin"

	"github.com/ctr-lite/ctr-lite/lifecycle/archive"
	"github.com/ctr-lite/ctr-lite/state"
)

// CopyOptions is docker cp: one side in container Ref at CtrPath, the
// other HostPath on the host ("-" for a tar stream on Stdin/Stdout).
type CopyOptions struct {
	Ref, CtrPath, HostPath string
	ToContainer            bool
	Archive, FollowLink    bool
	Stdin                  io.Reader
	Stdout                 io.Writer
}

// Copy copies between a container's filesystem and the host. A stopped
// container's root is mounted for the copy and unmounted after it; a
// running one's is used where it is mounted. A path in a volume or bind
// mount (after resolving its symlinks) is the mount's host directory (a
// copy of a directory above a mount does not descend into it).
func (e *Engine) Copy(ctx context.Context, o CopyOptions) error {
	return e.withRoot(ctx, o.Ref, func(c *state.Container, root fsRoot) error {
		if o.ToContainer {
			return copyIn(c, root, o)
		}
		return copyOut(c, root, o)
	})
}

// Export writes a tar of container ref's whole filesystem to w.
func (e *Engine) Export(ctx context.Context, ref string, w io.Writer) error {
	return e.withRoot(ctx, ref, func(_ *state.Container, root fsRoot) error {
		return archive.Write(w, root.root, "/", false, ".", nil)
	})
}

// fsRoot is a container's root directory and its volume and bind mounts.
type fsRoot struct {
	root   string
	mounts []hostMount
}

type hostMount struct {
	dest, host string
	readOnly   bool
}

// locate returns the host directory p lies in and p relative to it: the
// mount with the longest destination holding p, else the container root.
func (r fsRoot) locate(p string) (dir, rel string, readOnly bool) {
	clean := path.Clean("/" + p)
	dir, rel, best := r.root, p, 0
	for _, m := range r.mounts {
		if m.dest == clean || strings.HasPrefix(clean, m.dest+"/") {
			if len(m.dest) > best {
				suffix := ""
				if strings.HasSuffix(p, "/.") {
					suffix = "/."
				} else if strings.HasSuffix(p, "/") {
					suffix = "/"
				}
				rel = strings.TrimPrefix(clean, m.dest) + suffix
				if rel == "" {
					rel = "/"
				}
				dir, readOnly, best = m.host, m.readOnly, len(m.dest)
			}
		}
	}
	return dir, rel, readOnly
}

// resolve resolves container path p's symlinks the way the container
// sees them, across its volume and bind mounts (the last component only
// when followLast), keeping a trailing "/" or "/.". The walk is by path:
// it only picks the mount (locate), inside which the copy itself then
// resolves by file descriptor, so a race can at worst pick another of the
// container's own directories.
func (r fsRoot) resolve(p string, followLast bool) (string, error) {
	clean := path.Clean("/" + p)
	suffix := ""
	if strings.HasSuffix(p, "/.") {
		suffix = "/."
	} else if strings.HasSuffix(p, "/") && clean != "/" {
		suffix = "/"
	}
	dir, base := clean, ""
	if !followLast && suffix == "" && clean != "/" {
		dir, base = path.Dir(clean), path.Base(clean)
	}
	resolved, err := securejoin.SecureJoinVFS("/", dir, mountVFS{r})
	if err != nil {
		return "", err
	}
	return path.Join(resolved, base) + suffix, nil
}

// mountVFS reads the container's tree through its mounts for resolve.
type mountVFS struct{ r fsRoot }

func (v mountVFS) host(p string) string {
	dir, rel, _ := v.r.locate(p)
	return filepath.Join(dir, rel)
}

func (v mountVFS) Lstat(p string) (os.FileInfo, error) { return os.Lstat(v.host(p)) }
func (v mountVFS) Readlink(p string) (string, error)   { return os.Readlink(v.host(p)) }

// withRoot mounts ref's root (if it is not running) and calls fn with it
// and its mounts. The container lock is held only to mount and to record a
// hold on the mount (holdRoot), not across fn's stream: stop, kill, rm and
// the monitor go on meanwhile, and no unmount but rm's takes the root away
// while the hold's process lives.
func (e *Engine) withRoot(ctx context.Context, ref string, fn func(*state.Container, fsRoot) error) error {
	found, err := e.Lookup(ref)
	if err != nil {
		return err
	}
	c, hc, l, err := e.LockAndLoad(ctx, found.ID)
	if err != nil {
		return err
	}
	r, hold, err := e.holdRoot(c, hc)
	l.Unlock()
	if err != nil {
		return err
	}
	defer e.releaseRoot(c.ID, hold)
	return fn(c, r)
}

// holdRoot mounts c's root and records this process's hold on it (the
// caller holds c's lock).
func (e *Engine) holdRoot(c *state.Container, hc *state.HostConfig) (fsRoot, string, error) {
	running := IsRunning(c)
	root, err := e.mount(c, false)
	if err != nil {
		return fsRoot{}, "", fmt.Errorf("mount container %q: %w", c.Name, err)
	}
	_, start, _ := procStat("self")
	hold := filepath.Join(e.Containers.Dir(c.ID), fmt.Sprintf("%s%d.%d", rootHoldPrefix, os.Getpid(), start))
	if err := state.WriteFileAtomic(hold, nil, 0o600, false); err != nil {
		if !running {
			e.unmountRoot(c.ID)
		}
		return fsRoot{}, "", fmt.Errorf("hold the filesystem of container %q: %w", c.Name, err)
	}
	r := fsRoot{root: root}
	for _, m := range hc.MountPoints {
		host := m.Source
		switch m.Type {
		case state.MountTmpfs:
			continue
		case state.MountVolume:
			v, err := e.Volumes.Get(m.Source)
			if err != nil {
				continue
			}
			if host, err = volumeData(v); err != nil {
				os.Remove(hold)
				if !running {
					e.unmountRoot(c.ID)
				}
				return fsRoot{}, "", fmt.Errorf("copy with container %q: %w", c.Name, err)
			}
		}
		r.mounts = append(r.mounts, hostMount{dest: path.Clean("/" + m.Destination), host: host, readOnly: m.ReadOnly})
	}
	return r, hold, nil
}

// volumeData is where a volume's files are for cp: its data directory,
// or for a volume with a device (docker's local driver options) that no
// container has mounted now, the bind device itself. Another device
// (tmpfs, a filesystem) holds nothing until a container mounts it.
func volumeData(v *rootfs.Volume) (string, error) {
	if len(v.Options) == 0 {
		return v.Mountpoint, nil
	}
	if mounted, err := mountinfo.Mounted(v.Mountpoint); err != nil || mounted {
		return v.Mountpoint, err
	}
	if rootfs.IsBindVolume(v.Options) {
		return filepath.EvalSymlinks(v.Options["device"])
	}
	return "", fmt.Errorf("volume %q (type %s) is mounted only while a container uses it: start the container first", v.Name, v.Options["type"])
}

// releaseRoot drops the hold and unmounts the root if the container is
// not running and nobody else holds it. A container removed meanwhile
// (rm -f) took its mount and the hold with it.
func (e *Engine) releaseRoot(id, hold string) {
	l, err := e.Containers.LockContainer(context.Background(), id)
	if err != nil {
		os.Remove(hold)
		return
	}
	defer l.Unlock()
	os.Remove(hold)
	c, err := e.Containers.Load(id)
	if err == nil && !IsRunning(c) {
		e.unmountRoot(id)
	}
}

// rootHoldPrefix names a cp or export's hold on a container's mounted
// root in the container's directory: "cp.PID.START".
const rootHoldPrefix = "cp."

// unmountRoot unmounts id's root unless a live cp or export holds it
// (the last one unmounts when it ends). Holds of dead processes (a cp
// killed mid-stream) are removed. The caller holds id's lock; rm removes
// the layer whatever holds it.
func (e *Engine) unmountRoot(id string) error {
	dir := e.Containers.Dir(id)
	holds, _ := filepath.Glob(filepath.Join(dir, rootHoldPrefix+"*"))
	held := false
	for _, h := range holds {
		var pid int
		var start uint64
		if _, err := fmt.Sscanf(filepath.Base(h), rootHoldPrefix+"%d.%d", &pid, &start); err == nil && processLives(pid, start) {
			held = true
			continue
		}
		os.Remove(h)
	}
	if held {
		return nil
	}
	return e.Images.Driver.Unmount(id)
}

func noSuchPath(c *state.Container, p string) error {
	return fmt.Errorf("No such container:path: %s:%s", c.Name, p)
}

func copyOut(c *state.Container, r fsRoot, o CopyOptions) error {
	resolved, err := r.resolve(o.CtrPath, o.FollowLink)
	if err != nil {
		return err
	}
	root, ctrPath, _ := r.locate(resolved)
	exists, dir, err := archive.Stat(root, ctrPath, o.FollowLink)
	if err != nil {
		return err
	}
	if !exists {
		return noSuchPath(c, o.CtrPath)
	}
	if o.HostPath == "-" {
		return archive.Write(o.Stdout, root, ctrPath, o.FollowLink, archive.BaseName(o.CtrPath, dir), nil)
	}
	host := absHost(o.HostPath)
	hexists, hdir, err := archive.Stat("/", host, true)
	if err != nil {
		return err
	}
	if !hexists {
		// As docker: the destination's parent must exist, cp creates no more.
		if _, err := os.Stat(filepath.Dir(host)); err != nil {
			return err
		}
	}
	plan, err := archive.PlanCopy(o.CtrPath, dir, o.HostPath, hexists, hdir)
	if err != nil {
		return err
	}
	// Ownership at the destination is the user running cp, as docker's.
	uid, gid := os.Getuid(), os.Getgid()
	// The tar's names and link targets are the container's: they unpack
	// inside the host destination directory, by file descriptor.
	dest := absHost(plan.Dir)
	return pipe(func(w io.Writer) error {
		return archive.Write(w, root, ctrPath, o.FollowLink, plan.Top, func(h *tar.Header) { h.Uid, h.Gid = uid, gid })
	}, func(r io.Reader) error { return archive.Extract(r, dest, "/", dest) })
}

func copyIn(c *state.Container, r fsRoot, o CopyOptions) error {
	owner := func(h *tar.Header) { h.Uid, h.Gid, h.Uname, h.Gname = 0, 0, "", "" }
	if o.Archive {
		owner = nil
	}
	dest, err := r.resolve(o.CtrPath, true)
	if err != nil {
		return err
	}
	root, ctrPath, _ := r.locate(dest)
	dexists, ddir, err := archive.Stat(root, ctrPath, true)
	if err != nil {
		return err
	}
	if o.HostPath == "-" {
		if !dexists || !ddir {
			return fmt.Errorf("destination %q must be a directory", o.CtrPath)
		}
		return extractIn(o.Stdin, r, dest)
	}
	src := absHost(o.HostPath)
	exists, dir, err := archive.Stat("/", src, o.FollowLink)
	if err != nil {
		return err
	}
	if !exists {
		return fmt.Errorf("stat %s: no such file or directory", o.HostPath)
	}
	plan, err := archive.PlanCopy(o.HostPath, dir, dest, dexists, ddir)
	if err != nil {
		return err
	}
	return pipe(func(w io.Writer) error {
		return archive.Write(w, "/", src, o.FollowLink, plan.Top, owner)
	}, func(in io.Reader) error { return extractIn(in, r, plan.Dir) })
}

func pipe(write func(io.Writer) error, read func(io.Reader) error) error {
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(write(pw)) }()
	err := read(pr)
	pr.CloseWithError(errors.New("copy stopped"))
	return err
}

func absHost(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

// extractIn unpacks a tar into dir inside the container, refusing a
// read-only mount as docker does.
func extractIn(in io.Reader, r fsRoot, dir string) error {
	root, rel, readOnly := r.locate(dir)
	if readOnly {
		return fmt.Errorf("mounted volume is marked read-only: %s", dir)
	}
	return archive.Extract(in, root, rel, path.Clean("/"+dir))
}
