package netsetup

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// Endpoint is a container's attachment to a network.
type Endpoint struct {
	HostVeth string
	MAC      string
}

// HostVethName is the host end's name for container id (kernel limit 15).
func HostVethName(id string) string { return "vctr" + id[:10] }

// HostVethNameOn is the host end's name for container id's attachment to
// network netID after its first (network connect, a repeated --network):
// both IDs are in it, so disconnect finds it from the record alone.
func HostVethNameOn(id, netID string) string { return "vc" + id[:7] + netID[:6] }

// Attachment is one interface of a container on a network.
type Attachment struct {
	HostVeth string           // the host end
	IfName   string           // eth0, eth1, ... in the container
	MAC      net.HardwareAddr // nil: derived from the address
	// DefaultRoute adds the default route via the gateway (the first
	// network only; never on an internal one).
	DefaultRoute bool
	// Addr6, when valid, is the interface's IPv6 address on an --ipv6
	// network; DefaultRoute then adds the IPv6 default route too.
	Addr6 netip.Addr
}

// Attach makes a veth pair with its peer created directly in the
// namespace at nsPath as eth0 (address addr, default route via the
// gateway unless n is internal, n's MTU, MAC derived from the IP unless mac is
// given: --mac-address), brings lo up, and plugs the host end into n's
// bridge. On failure the pair is removed.
func Attach(n *Network, nsPath, id string, addr, addr6 netip.Addr, mac net.HardwareAddr) (Endpoint, error) {
	return AttachAs(n, nsPath, addr, Attachment{HostVeth: HostVethName(id), IfName: "eth0", MAC: mac, DefaultRoute: true, Addr6: addr6})
}

// AttachAs is Attach with the interface's names and route given: the
// step network connect shares with start. On failure the pair is removed.
func AttachAs(n *Network, nsPath string, addr netip.Addr, at Attachment) (_ Endpoint, retErr error) {
	mac := at.MAC
	br, err := netlink.LinkByName(n.Bridge)
	if err != nil {
		return Endpoint{}, fmt.Errorf("look up bridge %q: %w", n.Bridge, err)
	}
	ns, err := netns.GetFromPath(nsPath)
	if err != nil {
		return Endpoint{}, fmt.Errorf("open netns %q: %w", nsPath, err)
	}
	defer ns.Close()
	if mac == nil {
		mac = macFor(addr)
	}
	veth := &netlink.Veth{
		LinkAttrs:        netlink.LinkAttrs{Name: at.HostVeth, MTU: n.MTU(), MasterIndex: br.Attrs().Index},
		PeerMTU:          uint32(n.MTU()),
		PeerName:         at.IfName,
		PeerHardwareAddr: mac,
		PeerNamespace:    netlink.NsFd(int(ns)),
	}
	if err := addVeth(veth); err != nil {
		return Endpoint{}, err
	}
	defer func() {
		if retErr != nil {
			DeleteVeth(at.HostVeth)
		}
	}()
	if err := netlink.LinkSetUp(veth); err != nil {
		return Endpoint{}, fmt.Errorf("bring up %q: %w", veth.Name, err)
	}
	if err := configureInside(ns, n, addr, at.IfName, at.DefaultRoute && !n.Internal); err != nil {
		return Endpoint{}, err
	}
	if err := configureInside6(ns, n, at.Addr6, at.IfName, at.DefaultRoute && !n.Internal); err != nil {
		return Endpoint{}, err
	}
	return Endpoint{HostVeth: veth.Name, MAC: mac.String()}, nil
}

// addVeth creates the pair. A host end left by this container's previous
// pair (the kernel may still be reaping it) is deleted and the add retried
// once; a link of that name that is not a veth is someone else's and is
// left alone. Every failure is returned with its real cause.
func addVeth(veth *netlink.Veth) error {
	err := netlink.LinkAdd(veth)
	if errors.Is(err, os.ErrExist) {
		err = removeStaleVeth(veth.Name, err)
		if err == nil {
			err = netlink.LinkAdd(veth)
		}
	}
	if err != nil {
		return fmt.Errorf("create veth %q (peer %s in the container's namespace): %w", veth.Name, veth.PeerName, err)
	}
	return nil
}

// removeStaleVeth deletes the host link name if it is a veth (names embed
// the container ID, so a veth of that name is this container's). addErr
// is LinkAdd's "exists" error, returned when no such link is on the host:
// the clash was then inside the namespace, and retrying cannot help.
func removeStaleVeth(name string, addErr error) error {
	old, err := netlink.LinkByName(name)
	if errors.As(err, &netlink.LinkNotFoundError{}) {
		return addErr
	}
	if err != nil {
		return fmt.Errorf("%w; look up the existing link: %w", addErr, err)
	}
	if old.Type() != "veth" {
		return fmt.Errorf("a %s link of that name exists and is not ctr-lite's: %w", old.Type(), addErr)
	}
	if err := netlink.LinkDel(old); err != nil && !errors.Is(err, unix.ENODEV) { // ENODEV: reaped meanwhile
		return fmt.Errorf("%w; delete the stale veth: %w", addErr, err)
	}
	return nil
}

// configureInside sets up lo and the interface ifname through a netlink
// socket opened in the container's namespace; this thread never enters it.
func configureInside(ns netns.NsHandle, n *Network, addr netip.Addr, ifname string, defaultRoute bool) error {
	h, err := netlink.NewHandleAt(ns)
	if err != nil {
		return fmt.Errorf("open netlink in container namespace: %w", err)
	}
	defer h.Close()
	for _, name := range []string{"lo", ifname} {
		link, err := h.LinkByName(name)
		if err != nil {
			return fmt.Errorf("find %s in container: %w", name, err)
		}
		if name == ifname {
			if err := h.AddrAdd(link, &netlink.Addr{IPNet: ipNet(addr, n.Subnet.Bits())}); err != nil {
				return fmt.Errorf("set address %s: %w", addr, err)
			}
		}
		if err := h.LinkSetUp(link); err != nil {
			return fmt.Errorf("bring up %s in container: %w", name, err)
		}
		if name == ifname && defaultRoute { // docker: no way out of an internal network
			route := &netlink.Route{LinkIndex: link.Attrs().Index, Gw: net.IP(n.Gateway.AsSlice())}
			if err := h.RouteAdd(route); err != nil {
				return fmt.Errorf("add default route via %s: %w", n.Gateway, err)
			}
		}
	}
	return nil
}

// configureInside6 gives ifname its IPv6 address (nodad: usable at once,
// as docker sets it) and, with defaultRoute, the IPv6 default route via
// the bridge's IPv6 gateway. Nothing to do without an address.
func configureInside6(ns netns.NsHandle, n *Network, addr netip.Addr, ifname string, defaultRoute bool) error {
	if !addr.IsValid() {
		return nil
	}
	h, err := netlink.NewHandleAt(ns)
	if err != nil {
		return fmt.Errorf("open netlink in container namespace: %w", err)
	}
	defer h.Close()
	link, err := h.LinkByName(ifname)
	if err != nil {
		return fmt.Errorf("find %s in container: %w", ifname, err)
	}
	if err := h.AddrAdd(link, &netlink.Addr{IPNet: ipNet(addr, n.Subnet6.Bits()), Flags: unix.IFA_F_NODAD}); err != nil {
		return fmt.Errorf("set IPv6 address %s (is IPv6 disabled in the container, --sysctl net.ipv6.conf.all.disable_ipv6=1?): %w", addr, err)
	}
	if defaultRoute {
		route := &netlink.Route{LinkIndex: link.Attrs().Index, Gw: net.IP(n.Gateway6.AsSlice()), Family: netlink.FAMILY_V6}
		if err := h.RouteAdd(route); err != nil {
			return fmt.Errorf("add IPv6 default route via %s: %w", n.Gateway6, err)
		}
	}
	return nil
}

// Detach deletes container id's veth pair (both ends go together); a
// missing one counts as done. Teardown normally leaves this to the kernel,
// which removes the pair with the container's namespace.
func Detach(id string) error { return DeleteVeth(HostVethName(id)) }

// DeleteVeth deletes the veth pair whose host end is name (network
// disconnect); a missing one counts as done.
func DeleteVeth(name string) error {
	link, err := netlink.LinkByName(name)
	if err != nil {
		if errors.As(err, &netlink.LinkNotFoundError{}) {
			return nil
		}
		return fmt.Errorf("look up veth: %w", err)
	}
	if err := netlink.LinkDel(link); err != nil {
		return fmt.Errorf("delete veth %q: %w", link.Attrs().Name, err)
	}
	return nil
}

// macFor derives a locally administered MAC from an IPv4 address, as
// docker does (02:42:a.b.c.d), so a reused address keeps its MAC.
func macFor(a netip.Addr) net.HardwareAddr {
	b := a.As4()
	return net.HardwareAddr{0x02, 0x42, b[0], b[1], b[2], b[3]}
}

// FreeIfName is the lowest ethN not in the namespace at nsPath: the name
// of a container's next interface, as docker numbers them.
func FreeIfName(nsPath string) (string, error) {
	ns, err := netns.GetFromPath(nsPath)
	if err != nil {
		return "", fmt.Errorf("open netns %q: %w", nsPath, err)
	}
	defer ns.Close()
	h, err := netlink.NewHandleAt(ns)
	if err != nil {
		return "", fmt.Errorf("open netlink in container namespace: %w", err)
	}
	defer h.Close()
	for i := 0; ; i++ {
		name := fmt.Sprintf("eth%d", i)
		if _, err := h.LinkByName(name); errors.As(err, &netlink.LinkNotFoundError{}) {
			return name, nil
		} else if err != nil {
			return "", fmt.Errorf("look up %s in container: %w", name, err)
		}
	}
}
