package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/ctr-lite/ctr-lite/internal/fault"
	"github.com/ctr-lite/ctr-lite/netsetup"
	"github.com/ctr-lite/ctr-lite/opts"
	"github.com/ctr-lite/ctr-lite/rootfs"
	"github.com/ctr-lite/ctr-lite/specgen"
	"github.com/ctr-lite/ctr-lite/state"
)

// CreateRequest is a container to create: its image, the user's part of
// its config, and its host config as the flags' parsers (package opts)
// filled it. A run flag is one field here (in UserConfig or
// state.HostConfig), set by its flag and read by specgen: nothing between
// them copies or parses it again.
type CreateRequest struct {
	Name   string
	Image  string
	Config UserConfig
	Host   state.HostConfig
	// CreateCommand is the command line as typed, and CreateEnv the
	// CTR_LITE_* environment it ran with, kept in the record.
	CreateCommand, CreateEnv []string
}

// Create makes a container: name, record, writable layer and network
// files. On any failure everything it made is removed again.
func (e *Engine) Create(ctx context.Context, r CreateRequest) (*state.Container, error) {
	c, hc, img, err := e.prepare(r)
	if err != nil {
		return nil, WithCode(ExitEngine, err)
	}
	c, err = e.create(ctx, c, hc, img, r.Name)
	return c, WithCode(ExitEngine, err)
}

// prepare validates everything that needs no state change, so bad input
// fails before anything is written.
func (e *Engine) prepare(r CreateRequest) (*state.Container, *state.HostConfig, *rootfs.Image, error) {
	done := e.Step("resolve image")
	img, err := e.Images.Resolve(r.Image)
	done()
	if errors.Is(err, rootfs.ErrImageNotFound) {
		return nil, nil, nil, fmt.Errorf("unable to find image %q locally: pull it with 'ctr-lite pull', or load it with 'ctr-lite load -i FILE'", r.Image)
	}
	if err != nil {
		return nil, nil, nil, err
	}
	cfg, err := MergeConfig(img.Config.Config, r.Config)
	if err != nil {
		return nil, nil, nil, err
	}
	if r.Host.UTSMode == specgen.ModeHost && r.Config.Hostname != "" {
		return nil, nil, nil, errors.New("conflicting options: hostname and the UTS mode: drop --hostname or --uts host")
	}
	cfg.Image, cfg.CreateCommand, cfg.CreateEnv = r.Image, r.CreateCommand, r.CreateEnv
	// The image's WORKDIR is the route a hostile image takes, so the check
	// is on the merged value, not only -w (CVE-2024-21626).
	if err := checkWorkdir(cfg.WorkingDir); err != nil {
		return nil, nil, nil, err
	}
	runtimePath, err := e.ResolveRuntime(r.Host.Runtime)
	if err != nil {
		return nil, nil, nil, err
	}
	hc, err := e.hostConfig(r.Host, img)
	if err != nil {
		return nil, nil, nil, err
	}
	argv := append(append([]string(nil), cfg.Entrypoint...), cfg.Cmd...)
	c := &state.Container{
		Created: time.Now().UTC(), Path: argv[0], Args: argv[1:], Config: cfg,
		State: state.State{Status: state.StatusCreated}, Image: img.ID, ImageName: r.Image,
		Driver: e.Images.Driver.Name(), RuntimePath: runtimePath,
	}
	return c, hc, img, nil
}

// hostConfig completes the flags' host config: the checks that need
// several flags or the host, the image's VOLUMEs, and names for
// anonymous volumes, so the container finds the same volume at every
// start.
func (e *Engine) hostConfig(given state.HostConfig, img *rootfs.Image) (*state.HostConfig, error) {
	hc := given
	if err := opts.Validate(&hc); err != nil {
		return nil, err
	}
	if _, err := specgen.Capabilities(hc.Privileged, hc.CapAdd, hc.CapDrop, hostCaps()); err != nil {
		return nil, err
	}
	if err := e.checkFixedAddresses(&hc); err != nil {
		return nil, err
	}
	for _, d := range hc.Devices {
		if _, err := hostDevice(d); err != nil {
			return nil, err
		}
	}
	if hc.Runtime == "" {
		hc.Runtime = DefaultRuntimeName // docker's inspect shows the name
	}
	hc.RecordVersion = state.CurrentRecordVersion
	hc.ContainerIDFile, hc.PidFile = absPath(hc.ContainerIDFile), absPath(hc.PidFile)
	from, err := e.volumesFrom(hc.VolumesFrom, hc.MountPoints)
	if err != nil {
		return nil, err
	}
	hc.MountPoints = append(append([]state.MountPoint(nil), hc.MountPoints...), from...)
	hc.MountPoints = append(hc.MountPoints, imageVolumes(img.Config.Config.Volumes, hc.MountPoints)...)
	for i, m := range hc.MountPoints {
		if m.Type == state.MountVolume && m.Source == "" {
			hc.MountPoints[i].Source = state.NewID()
			hc.AnonymousVolumes = append(hc.AnonymousVolumes, hc.MountPoints[i].Source)
		}
	}
	return &hc, nil
}

// volumesFrom are the binds and volumes of each --volumes-from
// CONTAINER[:ro|:rw] at the same targets, as docker's: read-only with
// :ro, read-write with :rw, else as the other container has them; a
// target the container's own -v or --mount takes is skipped (docker's
// binds win), as is the other's tmpfs (docker keeps those apart). The
// volumes are then this container's users too, so volume rm refuses.
func (e *Engine) volumesFrom(specs []string, own []state.MountPoint) ([]state.MountPoint, error) {
	taken := map[string]bool{}
	for _, m := range own {
		taken[m.Destination] = true
	}
	var out []state.MountPoint
	for _, spec := range specs {
		ref, mode, _ := strings.Cut(spec, ":")
		if mode != "" && mode != "ro" && mode != "rw" {
			return nil, fmt.Errorf("invalid --volumes-from %q: mode %q is not ro or rw", spec, mode)
		}
		c, err := e.Lookup(ref)
		if err != nil {
			return nil, fmt.Errorf("--volumes-from %q: %w", ref, err)
		}
		hc, err := e.Containers.LoadHostConfig(c.ID)
		if err != nil {
			return nil, fmt.Errorf("--volumes-from %q: read its host config: %w", ref, err)
		}
		for _, m := range hc.MountPoints {
			if m.Type == state.MountTmpfs || taken[m.Destination] {
				continue
			}
			taken[m.Destination] = true
			if mode != "" {
				m.ReadOnly = mode == "ro"
			}
			m.NoCopy, m.FromContainer = true, c.ID // docker seeds nothing a second time
			out = append(out, m)
		}
	}
	return out, nil
}

// imageVolumes turns the image's VOLUME paths that no mount covers into
// anonymous volumes, as docker does: they live under the root, never at
// a host path the image names.
func imageVolumes(vols map[string]struct{}, mounts []state.MountPoint) []state.MountPoint {
	taken := map[string]bool{}
	for _, m := range mounts {
		taken[m.Destination] = true
	}
	var dests []string
	for dest := range vols {
		clean := path.Clean("/" + dest)
		if !taken[clean] && clean != "/" {
			dests = append(dests, clean)
		}
	}
	sort.Strings(dests)
	var out []state.MountPoint
	for _, d := range dests {
		out = append(out, state.MountPoint{Type: state.MountVolume, Destination: d})
	}
	return out
}

func absPath(p string) string {
	if p == "" {
		return ""
	}
	a, err := filepath.Abs(p)
	if err != nil {
		return p
	}
	return a
}

func (e *Engine) create(ctx context.Context, c *state.Container, hc *state.HostConfig, img *rootfs.Image, name string) (_ *state.Container, retErr error) {
	lock, err := e.reserve(ctx, c, name, !hc.AutoRemove)
	if err != nil {
		return nil, err
	}
	defer lock.Unlock()
	defer func() {
		if retErr != nil {
			e.Containers.Release(c.ID, c.Name)
		}
	}()
	fault.Point("create:after-reserve")
	if err := e.createLayer(c, img); err != nil {
		return nil, err
	}
	fault.Point("create:after-layer")
	defer func() {
		if retErr != nil {
			e.Images.Driver.RemoveRW(c.ID)
		}
	}()
	if err := e.writeNetworkFiles(c, hc); err != nil {
		return nil, err
	}
	fault.Point("create:after-network-files")
	defer e.Step("write records")()
	if err := e.Containers.SaveHostConfig(c.ID, hc, !hc.AutoRemove); err != nil {
		return nil, err
	}
	fault.Point("create:after-hostconfig")
	if err := e.saveWithImage(ctx, c, !hc.AutoRemove); err != nil {
		return nil, err
	}
	fault.Point("create:after-record")
	e.Event(c, "create")
	return c, writeIDFile(hc.ContainerIDFile, c.ID)
}

// reserve takes the name (reclaiming it from a create that died) and the
// new container's lock, held until its record is written; the name is as
// durable as the record will be.
func (e *Engine) reserve(ctx context.Context, c *state.Container, name string, durable bool) (*state.ContainerLock, error) {
	defer e.Step("reserve name")()
	l, err := e.Containers.GlobalLock(ctx)
	if err != nil {
		return nil, err
	}
	defer l.Unlock()
	c.ID, c.Name, err = e.Containers.Reserve(l, name, durable)
	var inUse *state.NameInUseError
	if errors.As(err, &inUse) && inUse.ID != "" && e.Containers.Orphaned(l, inUse.ID) {
		e.removeOrphan(l, inUse.ID, name)
		e.Log.Info("reclaimed the name of a create that died", "name", name, "id", inUse.ID)
		c.ID, c.Name, err = e.Containers.Reserve(l, name, durable)
	}
	if err != nil {
		return nil, err
	}
	lock, err := e.Containers.LockNew(ctx, c.ID)
	if err != nil {
		e.Containers.Release(c.ID, c.Name)
	}
	return lock, err
}

// removeOrphan removes what a create that died had made, under the global
// lock (g), once Containers.Orphaned said so.
func (e *Engine) removeOrphan(g *state.Global, id, name string) error {
	e.Images.Driver.RemoveRW(id)
	os.RemoveAll(e.BundleDir(id))
	return e.Containers.Release(id, name)
}

// writeIDFile writes --cidfile (truncating an old one, as the issue asks;
// a file of our own, so not a state record).
func writeIDFile(path, content string) error {
	if path == "" {
		return nil
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		return fmt.Errorf("write %q: %w", path, err)
	}
	return nil
}

func (e *Engine) createLayer(c *state.Container, img *rootfs.Image) error {
	defer e.Step("create layer")()
	return e.Images.Driver.CreateRW(c.ID, img.ChainIDs(), img.TopChainID())
}

// writeNetworkFiles writes hostname, hosts and resolv.conf into the
// container's directory; they are bind-mounted over the init layer's.
func (e *Engine) writeNetworkFiles(c *state.Container, hc *state.HostConfig) error {
	defer e.Step("write network files")()
	dir := e.Containers.Dir(c.ID)
	if c.Config.Hostname == "" {
		c.Config.Hostname = state.ShortID(c.ID)
		if hc.NetworkMode == netsetup.ModeHost || hc.UTSMode == specgen.ModeHost {
			c.Config.Hostname, _ = os.Hostname()
		}
	}
	extra, _ := netsetup.ParseExtraHosts(hc.ExtraHosts, "") // host-gateway: at start, once the network is known
	hosts := netsetup.BuildHosts(extra)
	if hc.NetworkMode == netsetup.ModeHost {
		hosts, _ = os.ReadFile("/etc/hosts") // a host without one gets an empty file
	}
	hostResolv, _ := os.ReadFile("/etc/resolv.conf")
	resolv := hostResolv
	dnsOpts := netsetup.ResolvOptions{Nameservers: hc.DNS, Search: hc.DNSSearch, Options: hc.DNSOptions}
	if hc.NetworkMode != netsetup.ModeHost || len(hc.DNS)+len(hc.DNSSearch)+len(hc.DNSOptions) > 0 {
		resolv = netsetup.BuildResolvConf(hostResolv, dnsOpts)
	}
	c.HostnamePath = filepath.Join(dir, "hostname")
	c.HostsPath = filepath.Join(dir, "hosts")
	c.ResolvConfPath = filepath.Join(dir, "resolv.conf")
	files := map[string][]byte{c.HostnamePath: []byte(c.Config.Hostname + "\n"), c.HostsPath: hosts, c.ResolvConfPath: resolv}
	for p, data := range files {
		if err := state.WriteFileAtomic(p, data, 0o644, false); err != nil {
			return err
		}
	}
	return os.Mkdir(filepath.Join(dir, "checkpoints"), 0o700)
}

// saveWithImage writes a new container's record, making it visible to
// usesImage, under the global lock and only if its image still exists: a
// concurrent rmi either removed the image first (create fails) or sees
// the container (the image stays).
func (e *Engine) saveWithImage(ctx context.Context, c *state.Container, durable bool) error {
	l, err := e.Containers.GlobalLock(ctx)
	if err != nil {
		return err
	}
	defer l.Unlock()
	if _, err := e.Images.ImageByID(c.Image); err != nil {
		return fmt.Errorf("image %s of container %s was removed while it was created: %w", c.ImageName, c.Name, err)
	}
	return e.Containers.Save(c, durable)
}
