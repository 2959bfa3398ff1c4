package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ctr-lite/ctr-lite/internal/fault"
	"github.com/ctr-lite/ctr-lite/netsetup"
	"github.com/ctr-lite/ctr-lite/rootfs"
	"github.com/ctr-lite/ctr-lite/specgen"
	"github.com/ctr-lite/ctr-lite/state"
)

// CreateOptions is a container to create.
type CreateOptions struct {
	Name       string
	Image      string
	Config     UserConfig
	Binds      []string
	Tmpfs      []string
	ReadOnly   bool
	AutoRemove bool
	Privileged bool
	CapAdd     []string
	CapDrop    []string
	Network    string
	// Networking: -p, -P, --ip, --dns*, --add-host.
	Publish    []string
	PublishAll bool
	IP         string
	DNS        []string
	DNSSearch  []string
	DNSOptions []string
	ExtraHosts []string
	// Detached-container options.
	Restart string // no, always, unless-stopped, on-failure[:N]
	Init    bool
	CIDFile string
	PidFile string
	// Security and resources.
	SecurityOpt []string
	Devices     []string
	Ulimits     []string
	Resources   ResourceOptions
}

// ResourceOptions are the resource flags as typed.
type ResourceOptions struct {
	Memory, MemorySwap, CPUs, CpusetCpus, ShmSize string
	CPUShares, PidsLimit                          int64
}

// Create makes a container: name, record, writable layer and network
// files. On any failure everything it made is removed again.
func (e *Engine) Create(ctx context.Context, o CreateOptions) (*state.Container, error) {
	c, hc, img, err := e.prepare(o)
	if err != nil {
		return nil, withCode(ExitEngine, err)
	}
	c, err = e.create(ctx, c, hc, img, o.Name)
	return c, withCode(ExitEngine, err)
}

// prepare validates everything that needs no state change, so bad input
// fails before anything is written.
func (e *Engine) prepare(o CreateOptions) (*state.Container, *state.HostConfig, *rootfs.Image, error) {
	done := e.step("resolve image")
	img, err := e.Images.Resolve(o.Image)
	done()
	if errors.Is(err, rootfs.ErrImageNotFound) {
		return nil, nil, nil, fmt.Errorf("unable to find image %q locally: pull it with 'ctr-lite pull', or load it with 'ctr-lite load -i FILE'", o.Image)
	}
	if err != nil {
		return nil, nil, nil, err
	}
	cfg, err := MergeConfig(img.Config.Config, o.Config)
	if err != nil {
		return nil, nil, nil, err
	}
	cfg.Image = o.Image
	o.Binds = append(o.Binds, imageVolumes(img.Config.Config.Volumes, o)...)
	hc, err := hostConfig(o)
	if err != nil {
		return nil, nil, nil, err
	}
	if _, err := specgen.Capabilities(o.Privileged, o.CapAdd, o.CapDrop, hostCaps()); err != nil {
		return nil, nil, nil, err
	}
	argv := append(append([]string(nil), cfg.Entrypoint...), cfg.Cmd...)
	c := &state.Container{
		Created: time.Now().UTC(), Path: argv[0], Args: argv[1:], Config: cfg,
		State: state.State{Status: state.StatusCreated}, Image: img.ID, ImageName: o.Image,
		Driver: e.Images.Driver.Name(),
	}
	return c, hc, img, nil
}

func hostConfig(o CreateOptions) (hc *state.HostConfig, err error) {
	network := o.Network
	if network == "" {
		network = netsetup.ModeBridge
	}
	if err := netsetup.ValidateMode(network); err != nil {
		return nil, err
	}
	hc = &state.HostConfig{
		NetworkMode: network, AutoRemove: o.AutoRemove, Privileged: o.Privileged,
		ReadonlyRootfs: o.ReadOnly, CapAdd: o.CapAdd, CapDrop: o.CapDrop,
		Runtime: "runc", Binds: o.Binds, PublishAllPorts: o.PublishAll, IPAddress: o.IP,
		DNS: o.DNS, DNSSearch: o.DNSSearch, DNSOptions: o.DNSOptions, ExtraHosts: o.ExtraHosts,
	}
	if err := networkOptions(o, hc); err != nil {
		return nil, err
	}
	if hc.RestartPolicy, err = ParseRestartPolicy(o.Restart); err != nil {
		return nil, err
	}
	if hc.RestartPolicy.Name != "no" && o.AutoRemove {
		return nil, errors.New("conflicting options: --restart and --rm: a removed container cannot be restarted")
	}
	hc.Init, hc.ContainerIDFile, hc.PidFile = o.Init, absPath(o.CIDFile), absPath(o.PidFile)
	if hc.Binds, hc.AnonymousVolumes, err = volumeBinds(o.Binds); err != nil {
		return nil, err
	}
	if err := securityOptions(o, hc); err != nil {
		return nil, err
	}
	if err := resourceOptions(o.Resources, o.Ulimits, hc); err != nil {
		return nil, err
	}
	for _, t := range o.Tmpfs {
		dest, opts, err := specgen.ParseTmpfs(t)
		if err != nil {
			return nil, err
		}
		if hc.Tmpfs == nil {
			hc.Tmpfs = map[string]string{}
		}
		hc.Tmpfs[dest] = opts
	}
	return hc, nil
}

// volumeBinds checks -v values and names each anonymous volume ("-v
// /path"), so the container finds the same volume at every start.
func volumeBinds(values []string) (binds, anonymous []string, err error) {
	for _, v := range values {
		vol, err := specgen.ParseVolume(v)
		if err != nil {
			return nil, nil, err
		}
		if vol.Named && vol.Source == "" {
			name := state.NewID()
			anonymous = append(anonymous, name)
			v = name + ":" + vol.Destination
		}
		binds = append(binds, v)
	}
	return binds, anonymous, nil
}

// imageVolumes turns the image's VOLUME paths that no -v or --tmpfs
// covers into anonymous volumes ("-v /path"), as docker does: they live
// under the root, never at a host path the image names.
func imageVolumes(vols map[string]struct{}, o CreateOptions) []string {
	taken := map[string]bool{}
	for _, v := range o.Binds {
		if vol, err := specgen.ParseVolume(v); err == nil {
			taken[vol.Destination] = true
		}
	}
	for _, t := range o.Tmpfs {
		if dest, _, err := specgen.ParseTmpfs(t); err == nil {
			taken[dest] = true
		}
	}
	var out []string
	for dest := range vols {
		clean := path.Clean("/" + dest)
		if !taken[clean] && clean != "/" {
			out = append(out, clean)
		}
	}
	sort.Strings(out)
	return out
}

// ParseRestartPolicy parses --restart: no, always, unless-stopped, or
// on-failure[:MAX-RETRIES].
func ParseRestartPolicy(s string) (state.RestartPolicy, error) {
	name, count, hasCount := strings.Cut(s, ":")
	p := state.RestartPolicy{Name: name}
	switch {
	case name == "" || name == "no":
		p.Name = "no"
	case (name == "always" || name == "unless-stopped") && !hasCount:
	case name == "on-failure":
		if hasCount {
			n, err := strconv.Atoi(count)
			if err != nil || n < 0 {
				return p, fmt.Errorf("invalid --restart %q: the retry count must be a number", s)
			}
			p.MaximumRetryCount = n
		}
	default:
		return p, fmt.Errorf("invalid --restart %q: use no, always, unless-stopped or on-failure[:N]", s)
	}
	return p, nil
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

// networkOptions checks -p, --ip, --dns and --add-host and records the
// port bindings in docker's form.
func networkOptions(o CreateOptions, hc *state.HostConfig) error {
	ports, err := netsetup.ParsePorts(o.Publish)
	if err != nil {
		return err
	}
	if len(ports) > 0 {
		hc.PortBindings = map[string][]state.PortBinding{}
	}
	for _, p := range ports {
		port := ""
		if p.HostPort != 0 {
			port = strconv.Itoa(int(p.HostPort))
		}
		hc.PortBindings[p.Key()] = append(hc.PortBindings[p.Key()], state.PortBinding{HostIP: p.HostIP, HostPort: port})
	}
	if o.IP != "" {
		if _, err := netip.ParseAddr(o.IP); err != nil || !netsetup.IsBridged(hc.NetworkMode) {
			return fmt.Errorf("invalid --ip %q: want an IPv4 address, on a bridge or user-defined network", o.IP)
		}
	}
	for _, d := range o.DNS {
		if _, err := netip.ParseAddr(d); err != nil {
			return fmt.Errorf("invalid --dns %q: want an IP address", d)
		}
	}
	_, err = netsetup.ParseExtraHosts(o.ExtraHosts)
	return err
}

// PortsDiscarded reports whether -p/-P were given for a mode without its
// own address, where docker warns that they are ignored.
func PortsDiscarded(o CreateOptions) bool {
	return (len(o.Publish) > 0 || o.PublishAll) && o.Network != "" && !netsetup.IsBridged(o.Network)
}

func (e *Engine) create(ctx context.Context, c *state.Container, hc *state.HostConfig, img *rootfs.Image, name string) (_ *state.Container, retErr error) {
	lock, err := e.reserve(ctx, c, name)
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
	defer e.step("write records")()
	if err := e.Containers.SaveHostConfig(c.ID, hc, !hc.AutoRemove); err != nil {
		return nil, err
	}
	fault.Point("create:after-hostconfig")
	if err := e.saveWithImage(ctx, c, !hc.AutoRemove); err != nil {
		return nil, err
	}
	fault.Point("create:after-record")
	return c, writeIDFile(hc.ContainerIDFile, c.ID)
}

// reserve takes the name (reclaiming it from a create that died) and the
// new container's lock, held until its record is written.
func (e *Engine) reserve(ctx context.Context, c *state.Container, name string) (*state.Lock, error) {
	defer e.step("reserve name")()
	l, err := e.Containers.GlobalLock(ctx)
	if err != nil {
		return nil, err
	}
	defer l.Unlock()
	c.ID, c.Name, err = e.Containers.Reserve(name)
	var inUse *state.NameInUseError
	if errors.As(err, &inUse) && inUse.ID != "" && e.Containers.Orphaned(inUse.ID) {
		e.removeOrphan(inUse.ID, name)
		e.Log.Info("reclaimed the name of a create that died", "name", name, "id", inUse.ID)
		c.ID, c.Name, err = e.Containers.Reserve(name)
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

// removeOrphan removes what a create that died had made; the caller
// holds the global lock and has checked Containers.Orphaned.
func (e *Engine) removeOrphan(id, name string) error {
	e.Images.Driver.RemoveRW(id)
	os.RemoveAll(e.bundleDir(id))
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
	defer e.step("create layer")()
	return e.Images.Driver.CreateRW(c.ID, img.ChainIDs(), img.TopChainID())
}

// writeNetworkFiles writes hostname, hosts and resolv.conf into the
// container's directory; they are bind-mounted over the init layer's.
func (e *Engine) writeNetworkFiles(c *state.Container, hc *state.HostConfig) error {
	defer e.step("write network files")()
	dir := e.Containers.Dir(c.ID)
	if c.Config.Hostname == "" {
		c.Config.Hostname = state.ShortID(c.ID)
		if hc.NetworkMode == netsetup.ModeHost {
			c.Config.Hostname, _ = os.Hostname()
		}
	}
	extra, _ := netsetup.ParseExtraHosts(hc.ExtraHosts)
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
