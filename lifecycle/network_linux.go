package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/ctr-lite/ctr-lite/netsetup"
	"github.com/ctr-lite/ctr-lite/specgen"
	"github.com/ctr-lite/ctr-lite/state"
)

// setupNetwork gives a bridged container its namespace, address, link,
// published ports and hosts file, recording them in c.NetworkSettings.
// Every step is undone if a later one fails.
func (e *Engine) setupNetwork(ctx context.Context, c *state.Container, hc *state.HostConfig) (retErr error) {
	if !netsetup.IsBridged(hc.NetworkMode) {
		return nil
	}
	defer e.Step("set up network")()
	n, err := e.network(ctx, hc.NetworkMode)
	if err != nil {
		return WithCode(ExitEngine, err)
	}
	if _, err := e.linkEntries(c, hc); err != nil {
		return WithCode(ExitEngine, err)
	}
	ports, err := portMappings(c, hc)
	if err != nil {
		return WithCode(ExitEngine, err)
	}
	addr, addr6, err := e.lease(ctx, n, c, hc, ports)
	if err != nil {
		return err
	}
	c.NetworkSettings = settings(n, addr, addr6, filepath.Join(e.RunRoot, "netns", c.ID), ports)
	defer func() {
		if retErr != nil {
			e.teardownNetwork(c, hc)
		}
	}()
	if err := e.plug(c, hc, n, addr, addr6, ports); err != nil {
		return WithCode(ExitEngine, err)
	}
	joined, err := e.attachAll(ctx, c, hc)
	if err != nil {
		return err
	}
	if err := e.writeHosts(c, hc); err != nil {
		return WithCode(ExitEngine, err)
	}
	e.updatePeers(n, c.ID)
	for _, j := range joined {
		e.updatePeers(j, c.ID)
	}
	return nil
}

// lease allocates the addresses (IPv4, and IPv6 on an --ipv6 network)
// and host ports under the global lock, and makes sure the network's
// bridge and rules exist.
func (e *Engine) lease(ctx context.Context, n *netsetup.Network, c *state.Container, hc *state.HostConfig, ports []netsetup.PortMapping) (addr, addr6 netip.Addr, _ error) {
	l, err := e.Containers.GlobalLock(ctx)
	if err != nil {
		return addr, addr6, WithCode(ExitEngine, err)
	}
	defer l.Unlock()
	if err := netsetup.EnsureBridge(l, n, e.BridgeOwner()); err != nil {
		return addr, addr6, WithCode(ExitEngine, err)
	}
	if addr, addr6, err = e.allocateBoth(l, n, c.ID, hc.IPAddress, hc.IPv6Address); err != nil {
		return addr, addr6, WithCode(ExitEngine, err)
	}
	if err := netsetup.ReservePorts(netsetup.HostPortsDir, e.holder(c.ID), ports, e.portHolderAlive, dropStalePorts); err != nil {
		e.Networks.Release(l, n.Name, addr, c.ID)
		if addr6.IsValid() {
			e.Networks.Release(l, n.Name, addr6, c.ID)
		}
		// docker run exits 125 for "port is already allocated": its CLI
		// gives 126/127 only for a command that cannot be invoked or found.
		return addr, addr6, WithCode(ExitEngine, err)
	}
	return addr, addr6, nil
}

// allocateBoth leases id's IPv4 address on n (ip if given) and, on an
// --ipv6 network, its IPv6 one (ip6 if given); the IPv4 lease is undone
// if the IPv6 one fails. --ip6 on a network without IPv6 is docker's
// error.
func (e *Engine) allocateBoth(g *state.Global, n *netsetup.Network, id, ip, ip6 string) (addr, addr6 netip.Addr, _ error) {
	want, want6, err := fixedAddresses(n, ip, ip6)
	if err != nil {
		return addr, addr6, err
	}
	if addr, err = e.Networks.Allocate(g, n, e.holder(id), want, e.leaseAlive, e.dropStaleAddress); err != nil {
		return addr, addr6, err
	}
	if !n.EnableIPv6 {
		return addr, addr6, nil
	}
	if addr6, err = e.Networks.Allocate6(g, n, e.holder(id), want6, e.leaseAlive, e.dropStaleAddress); err != nil {
		e.Networks.Release(g, n.Name, addr, id)
		return netip.Addr{}, netip.Addr{}, err
	}
	return addr, addr6, nil
}

// fixedAddresses parses --ip and --ip6 ("" for none) and checks them
// against n (inside its subnets, not reserved; --ip6 on an --ipv6
// network only), at create and again at start.
func fixedAddresses(n *netsetup.Network, ip, ip6 string) (want, want6 netip.Addr, err error) {
	if ip != "" {
		if want, err = netip.ParseAddr(ip); err != nil || !want.Is4() {
			return want, want6, fmt.Errorf("invalid --ip %q: want an IPv4 address", ip)
		}
	}
	if ip6 != "" {
		if want6, err = netip.ParseAddr(ip6); err != nil || !want6.Is6() || want6.Is4In6() {
			return want, want6, fmt.Errorf("invalid --ip6 %q: want an IPv6 address", ip6)
		}
	}
	return want, want6, n.CheckAddresses(want, want6)
}

// checkNetworks refuses at create what start would refuse later, as
// docker does: a network that does not exist, and an --ip or --ip6 the
// network cannot take (fixedAddresses). The default network, made at its
// first start, is checked as it will be made.
func (e *Engine) checkNetworks(hc *state.HostConfig) error {
	if !netsetup.IsBridged(hc.NetworkMode) {
		return nil
	}
	first := state.NetworkAttachment{Name: hc.NetworkMode, IPAddress: hc.IPAddress, IPv6Address: hc.IPv6Address}
	for _, at := range append([]state.NetworkAttachment{first}, hc.Networks...) {
		n, err := e.Networks.Get(at.Name)
		if errors.Is(err, netsetup.ErrNetworkNotFound) && at.Name == netsetup.ModeBridge {
			n, err = netsetup.NewNetwork(netsetup.ModeBridge, e.defaultSubnet, "", e.defaultBridge)
		}
		if err != nil {
			return err
		}
		if _, _, err := fixedAddresses(n, at.IPAddress, at.IPv6Address); err != nil {
			return err
		}
	}
	return nil
}

// dropStalePorts deletes the port rules of a dead holder whose host port
// lease is taken over: its dnat would shadow the new one. Rules are
// tagged by container ID, which is unique across roots.
func dropStalePorts(h netsetup.Holder) error {
	return netsetup.DeletePortRules(h.ID)
}

// dropStaleAddress undoes what a dead holder (a container of this root
// whose teardown never ran) left on the address being taken over: its
// port rules, which DNAT to that address, and its namespace, whose eth0
// still has the address on the bridge.
func (e *Engine) dropStaleAddress(h netsetup.Holder) error {
	if !state.ValidID(h.ID) {
		return nil // a damaged lease names no container, so owns nothing
	}
	return errors.Join(netsetup.DeletePortRules(h.ID), netsetup.DeleteNetNS(filepath.Join(e.RunRoot, "netns", h.ID)))
}

// holder is this process (the container's waiter) holding a lease for id.
func (e *Engine) holder(id string) netsetup.Holder {
	_, start, _ := procStat("self")
	h := e.holderOf(id)
	h.PID, h.Start = os.Getpid(), start
	return h
}

// BridgeOwner is the mark on the bridges this root made (netsetup owns
// one root per bridge).
func (e *Engine) BridgeOwner() string { return netsetup.BridgeOwner(e.Root) }

// holderOf names container id of this root, to release its leases.
func (e *Engine) holderOf(id string) netsetup.Holder {
	root, err := filepath.Abs(e.Root)
	if err != nil {
		root = e.Root
	}
	return netsetup.Holder{ID: id, Root: root}
}

// portHolderAlive is leaseAlive for host port leases, which are host-wide:
// a lease of another root is judged against that root's records.
func (e *Engine) portHolderAlive(h netsetup.Holder) bool {
	if h.Root == "" || h.Root == e.holderOf("").Root {
		return e.leaseAlive(h)
	}
	other := &Engine{Root: h.Root, Containers: &state.Store{Root: h.Root}, Networks: &netsetup.Store{Root: h.Root}, Log: e.Log}
	return other.leaseAlive(h)
}

// leaseAlive: a lease holds while its container exists and either the
// process that took it (the container's waiter, not a recycled PID) lives
// (a start not yet recorded as running) or the container is alive by its
// record (state.Container.Alive): after a kill -9 of its monitor a
// container that runs on keeps its address and ports.
func (e *Engine) leaseAlive(h netsetup.Holder) bool {
	if !state.ValidID(h.ID) {
		return false // a damaged lease: stale
	}
	if _, err := os.Stat(e.Containers.Dir(h.ID)); err != nil {
		return false
	}
	if processLives(h.PID, h.Start) {
		return true
	}
	c, err := e.Containers.Load(h.ID)
	return err == nil && c.Alive().Holds()
}

// plug creates the namespace, the veth pair and the port rules.
func (e *Engine) plug(c *state.Container, hc *state.HostConfig, n *netsetup.Network, addr, addr6 netip.Addr, ports []netsetup.PortMapping) error {
	if err := netsetup.CreateNetNS(c.NetworkSettings.SandboxKey); err != nil {
		return err
	}
	mac, _ := net.ParseMAC(hc.MacAddress) // checked by --mac-address; "" gives nil
	ep, err := netsetup.Attach(n, c.NetworkSettings.SandboxKey, c.ID, addr, addr6, mac)
	if err != nil {
		return err
	}
	c.NetworkSettings.MacAddress = ep.MAC
	c.NetworkSettings.Networks[n.Name].MacAddress = ep.MAC
	return netsetup.AddPortRules(c.ID, addr, ports)
}

func settings(n *netsetup.Network, addr, addr6 netip.Addr, sandbox string, ports []netsetup.PortMapping) state.NetworkSettings {
	ns := state.NetworkSettings{
		IPAddress: addr.String(), IPPrefixLen: n.Subnet.Bits(), Gateway: n.Gateway.String(), SandboxKey: sandbox,
		Ports:    state.PortMap{},
		Networks: map[string]*state.EndpointSettings{n.Name: endpoint(n, addr, addr6)},
	}
	for _, p := range ports {
		key := state.Port{Number: p.ContainerPort, Proto: p.Proto}
		ns.Ports[key] = append(ns.Ports[key], state.PortBinding{HostIP: netsetup.HostIPOrAny(p.HostIP), HostPort: strconv.Itoa(int(p.HostPort))})
	}
	return ns
}

// endpoint is c's record on n with its addresses (docker's fields).
func endpoint(n *netsetup.Network, addr, addr6 netip.Addr) *state.EndpointSettings {
	ep := &state.EndpointSettings{IPAddress: addr.String(), IPPrefixLen: n.Subnet.Bits(), Gateway: n.Gateway.String(), NetworkID: n.ID}
	if addr6.IsValid() {
		ep.GlobalIPv6Address, ep.GlobalIPv6PrefixLen, ep.IPv6Gateway = addr6.String(), n.Subnet6.Bits(), n.Gateway6.String()
	}
	return ep
}

// portMappings are the container's -p mappings plus, with -P, its image's
// exposed ports on free host ports.
func portMappings(c *state.Container, hc *state.HostConfig) ([]netsetup.PortMapping, error) {
	out := mappingsOf(hc.PortBindings)
	if hc.PublishAllPorts {
		exposed, err := netsetup.ExposedPorts(c.Config.ExposedPorts)
		if err != nil {
			return nil, err
		}
		out = append(out, exposed...)
	}
	return out, nil
}

// teardownNetwork releases everything setupNetwork made. Each part is
// idempotent, and it also works from a record a crash left half-written.
// It takes the global lock for the address releases (after the
// container's lock, as start does).
func (e *Engine) teardownNetwork(c *state.Container, hc *state.HostConfig) error {
	if !netsetup.IsBridged(hc.NetworkMode) {
		return nil
	}
	defer e.Step("tear down network")()
	ns := c.NetworkSettings
	var errs []error
	if len(ns.Ports) > 0 || len(hc.PortBindings) > 0 || hc.PublishAllPorts {
		errs = append(errs, netsetup.DeletePortRules(c.ID))
		ports := mappingsOf(ns.Ports)
		netsetup.ReleasePorts(netsetup.HostPortsDir, e.holderOf(c.ID), ports)
		if len(ns.Ports) == 0 { // a start that died before recording them
			netsetup.ReleaseHolderPorts(netsetup.HostPortsDir, e.holderOf(c.ID))
		}
	}
	// Deleting the namespace destroys eth0 and so its host peer, in the
	// background: an explicit veth delete would wait ~30 ms for the kernel.
	errs = append(errs, netsetup.DeleteNetNS(filepath.Join(e.RunRoot, "netns", c.ID)))
	// Every network, not only the recorded ones: a start, or a network
	// connect, may have died between its lease and its record. The
	// recorded addresses are released by name too: a damaged lease names
	// no holder, so only its address finds it.
	errs = append(errs, e.releaseRecorded(c.ID, ns), e.releaseHolderEverywhere(c.ID))
	for name := range ns.Networks {
		if n, err := e.Networks.Get(name); err == nil {
			e.updatePeers(n, c.ID)
		}
	}
	c.NetworkSettings = state.NetworkSettings{}
	return errors.Join(errs...)
}

// withGlobal runs f under the global lock, taken for f alone.
func (e *Engine) withGlobal(f func(*state.Global) error) error {
	g, err := e.Containers.GlobalLock(context.Background())
	if err != nil {
		return err
	}
	defer g.Unlock()
	return f(g)
}

// releaseHolderEverywhere frees every address container id holds on any
// network of this root, under the global lock: the cleanup for a
// container whose record no longer names its networks.
// releaseRecorded frees the addresses the record holds, v4 and v6.
func (e *Engine) releaseRecorded(id string, ns state.NetworkSettings) error {
	return e.withGlobal(func(g *state.Global) error {
		var errs []error
		for name, ep := range ns.Networks {
			for _, a := range []string{ep.IPAddress, ep.GlobalIPv6Address} {
				if addr, err := netip.ParseAddr(a); err == nil {
					errs = append(errs, e.Networks.Release(g, name, addr, id))
				}
			}
		}
		return errors.Join(errs...)
	})
}

func (e *Engine) releaseHolderEverywhere(id string) error {
	nets, err := e.Networks.List()
	if err != nil {
		return err
	}
	return e.withGlobal(func(g *state.Global) error {
		var errs []error
		for _, n := range nets {
			errs = append(errs, e.Networks.ReleaseHolder(g, n.Name, id))
		}
		return errors.Join(errs...)
	})
}

// mappingsOf turns docker's port bindings ({"80/tcp": [{HostIp,
// HostPort}]}) into mappings; an empty HostPort stays 0 (any port).
func mappingsOf(bindings state.PortMap) []netsetup.PortMapping {
	var out []netsetup.PortMapping
	for port, bs := range bindings {
		for _, b := range bs {
			hport, _ := strconv.Atoi(b.HostPort)
			out = append(out, netsetup.PortMapping{HostIP: b.HostIP, HostPort: uint16(hport), ContainerPort: port.Number, Proto: port.Proto})
		}
	}
	return out
}

// writeHosts rewrites the container's /etc/hosts: localhost, its own
// address and names, --add-host entries, and on each user-defined network
// it is on the other running containers by name. It is the one writer of
// hosts files, for a starting container and for its peers alike: the
// entries are read under the file's lock (netsetup.UpdateInPlace says why
// in place). It works from c.NetworkSettings, so a network joined or left
// shows at the next write.
func (e *Engine) writeHosts(c *state.Container, hc *state.HostConfig) error {
	ns := c.NetworkSettings
	return netsetup.UpdateInPlace(c.HostsPath, func() []byte {
		names := []string{c.Config.Hostname}
		if c.Name != c.Config.Hostname {
			names = append(names, c.Name)
		}
		entries := []netsetup.HostEntry{{IP: ns.IPAddress, Names: names}}
		if ep := ns.Networks[hc.NetworkMode]; ep != nil && ep.GlobalIPv6Address != "" {
			// docker: the container's own IPv6 address under its names too
			entries = append(entries, netsetup.HostEntry{IP: ep.GlobalIPv6Address, Names: names})
		}
		extra, _ := netsetup.ParseExtraHosts(hc.ExtraHosts, ns.Gateway)
		entries = append(entries, extra...)
		links, _ := e.linkEntries(c, hc)
		entries = append(entries, links...)
		for _, name := range slices.Sorted(maps.Keys(ns.Networks)) {
			if name == netsetup.ModeBridge { // docker: names resolve on user-defined networks only
				continue
			}
			if n, err := e.Networks.Get(name); err == nil {
				entries = append(entries, e.peerEntries(n, c.ID)...)
			}
		}
		return netsetup.BuildHosts(entries)
	})
}

// linkEntries are the hosts entries of --link NAME[:ALIAS]: the target's
// address under the alias, its hostname and its name, as docker writes
// them. A target that is not running is docker's error.
func (e *Engine) linkEntries(c *state.Container, hc *state.HostConfig) ([]netsetup.HostEntry, error) {
	var out []netsetup.HostEntry
	for _, l := range hc.Links {
		name, alias, _ := strings.Cut(l, ":")
		if alias == "" {
			alias = name
		}
		t, err := e.Lookup(name)
		if err != nil {
			return nil, fmt.Errorf("could not get container for %s: %w", name, err)
		}
		if !IsRunning(t) || t.NetworkSettings.IPAddress == "" {
			return nil, fmt.Errorf("cannot link to a non running container: /%s AS /%s/%s", t.Name, c.Name, alias)
		}
		names := []string{alias}
		for _, n := range []string{t.Config.Hostname, t.Name} {
			if !slices.Contains(names, n) {
				names = append(names, n)
			}
		}
		out = append(out, netsetup.HostEntry{IP: t.NetworkSettings.IPAddress, Names: names})
	}
	return out, nil
}

// livePeers are the containers holding a live lease on n, but self. A
// lease, not the record's state, says who is on the network: a container
// joining is not recorded as running until after its network is up.
func (e *Engine) livePeers(n *netsetup.Network, self string) map[netip.Addr]*state.Container {
	leases, _ := e.Networks.Leases(n.Name)
	out := map[netip.Addr]*state.Container{}
	for addr, l := range leases {
		if l.ID == self || !e.leaseAlive(l) {
			continue
		}
		if peer, err := e.Containers.Load(l.ID); err == nil {
			out[addr] = peer
		}
	}
	return out
}

// peerEntries are n's other containers under their names and their
// aliases on n: --network-alias on their first network, connect's
// --alias on the others.
func (e *Engine) peerEntries(n *netsetup.Network, self string) []netsetup.HostEntry {
	var out []netsetup.HostEntry
	for addr, peer := range e.livePeers(n, self) {
		names := []string{peer.Name}
		if hc, err := e.Containers.LoadHostConfig(peer.ID); err == nil && hc.NetworkMode == n.Name {
			names = append(names, hc.NetworkAliases...)
		}
		if ep := peer.NetworkSettings.Networks[n.Name]; ep != nil {
			for _, a := range ep.Aliases {
				if !slices.Contains(names, a) {
					names = append(names, a)
				}
			}
		}
		out = append(out, netsetup.HostEntry{IP: addr.String(), Names: names})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].IP < out[j].IP })
	return out
}

// updatePeers rewrites the hosts files of the other running
// containers of a user-defined network after one joined or left.
func (e *Engine) updatePeers(n *netsetup.Network, changed string) {
	if n.Name == netsetup.ModeBridge {
		return
	}
	done := map[string]bool{} // a dual-stack peer holds two leases
	for _, peer := range e.livePeers(n, changed) {
		if peer.NetworkSettings.Networks[n.Name] == nil || done[peer.ID] {
			continue // still starting: it writes its own file once up
		}
		done[peer.ID] = true
		if hc, err := e.Containers.LoadHostConfig(peer.ID); err == nil {
			if err := e.writeHosts(peer, hc); err != nil {
				e.Log.Warn("update a peer's hosts file", "container", peer.ID, "err", err)
			}
		}
	}
}

// network returns the network for a bridged mode; the default one is
// created on first use.
func (e *Engine) network(ctx context.Context, name string) (*netsetup.Network, error) {
	n, err := e.Networks.Get(name)
	if err == nil || name != netsetup.ModeBridge || !errors.Is(err, netsetup.ErrNetworkNotFound) {
		return n, err
	}
	n, err = netsetup.NewNetwork(netsetup.ModeBridge, e.defaultSubnet, "", e.defaultBridge)
	if err != nil {
		return nil, fmt.Errorf("default network: %w; set --default-subnet (CTR_LITE_DEFAULT_SUBNET)", err)
	}
	if err := e.SaveNetwork(ctx, n); err != nil {
		if existing, gerr := e.Networks.Get(name); gerr == nil {
			return existing, nil // made by a concurrent start
		}
		if errors.Is(err, netsetup.ErrBridgeTaken) {
			return nil, fmt.Errorf("default network: %w; set --default-bridge (CTR_LITE_DEFAULT_BRIDGE) and --default-subnet (CTR_LITE_DEFAULT_SUBNET) to ones no other root uses", err)
		}
		return nil, fmt.Errorf("default network: %w; set --default-subnet (CTR_LITE_DEFAULT_SUBNET) to a free range", err)
	}
	return n, nil
}

// SaveNetwork stores a new network after checking that its subnet clashes
// with no host route and no other network.
func (e *Engine) SaveNetwork(ctx context.Context, n *netsetup.Network) error {
	if err := netsetup.CheckRoutes(n.Subnet, n.Bridge, e.BridgeOwner()); err != nil {
		return err
	}
	if n.EnableIPv6 {
		if err := netsetup.CheckRoutes(n.Subnet6, n.Bridge, e.BridgeOwner()); err != nil {
			return err
		}
	}
	l, err := e.Containers.GlobalLock(ctx)
	if err != nil {
		return err
	}
	defer l.Unlock()
	others, err := e.Networks.List()
	if err != nil {
		return err
	}
	for _, o := range others {
		if o.Subnet.Overlaps(n.Subnet) {
			return fmt.Errorf("subnet %s overlaps network %s (%s)", n.Subnet, o.Name, o.Subnet)
		}
		if n.EnableIPv6 && o.EnableIPv6 && o.Subnet6.Overlaps(n.Subnet6) {
			return fmt.Errorf("subnet %s overlaps network %s (%s)", n.Subnet6, o.Name, o.Subnet6)
		}
	}
	return e.Networks.Save(l, n)
}

// networkSpec sets the spec's network namespace and, for container:NAME,
// the target's name files.
func (e *Engine) networkSpec(c *state.Container, hc *state.HostConfig, in *specgen.Input) error {
	switch mode := hc.NetworkMode; {
	case mode == netsetup.ModeHost:
		in.NetNS = "host"
	case mode == netsetup.ModeNone:
	case strings.HasPrefix(mode, netsetup.ModeContainer):
		return e.joinNetwork(strings.TrimPrefix(mode, netsetup.ModeContainer), in)
	default:
		in.NetNS = c.NetworkSettings.SandboxKey
	}
	return nil
}

// joinNetwork points the spec at a running container's namespace and
// files, as docker's --network container:NAME does.
func (e *Engine) joinNetwork(ref string, in *specgen.Input) error {
	target, err := e.Lookup(ref)
	if err != nil {
		return err
	}
	if !IsRunning(target) || target.State.Pid == 0 {
		return WithCode(ExitEngine, fmt.Errorf("cannot join the network of container %s: it is not running", target.Name))
	}
	thc, err := e.Containers.LoadHostConfig(target.ID)
	if err != nil {
		return WithCode(ExitEngine, err)
	}
	switch {
	case thc.NetworkMode == netsetup.ModeHost:
		in.NetNS = "host"
	case target.NetworkSettings.SandboxKey != "":
		in.NetNS = target.NetworkSettings.SandboxKey
	default:
		in.NetNS = fmt.Sprintf("/proc/%d/ns/net", target.State.Pid)
	}
	in.Hostname = target.Config.Hostname
	in.NetworkFiles = map[string]string{"/etc/hostname": target.HostnamePath, "/etc/hosts": target.HostsPath, "/etc/resolv.conf": target.ResolvConfPath}
	return nil
}
