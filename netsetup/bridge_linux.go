package netsetup

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"

	"github.com/ctr-lite/ctr-lite/state"
	"github.com/vishvananda/netlink"
)

// EnsureBridge makes n's bridge, its gateway address, forwarding and
// firewall rules exist. It is idempotent, and it looks at the real state,
// not at a note of its own: after `nft flush ruleset` or a firewall reload
// the next start puts the rules back. The common case costs two netlink
// requests: the bridge link, and the listing of one chain of the table.
func EnsureBridge(_ *state.Global, n *Network) error {
	if _, err := netlink.LinkByName(n.Bridge); err == nil && networkRulesPresent(n) {
		return nil
	}
	if err := ensureBridgeLink(n); err != nil {
		return err
	}
	if err := enableForwarding(n.Bridge); err != nil {
		return err
	}
	return ensureNetworkRules(n)
}

func ensureBridgeLink(n *Network) error {
	link, err := netlink.LinkByName(n.Bridge)
	if err != nil {
		if !errors.As(err, &netlink.LinkNotFoundError{}) {
			return fmt.Errorf("look up bridge %q: %w", n.Bridge, err)
		}
		br := &netlink.Bridge{LinkAttrs: netlink.LinkAttrs{Name: n.Bridge, MTU: 1500}}
		if err := netlink.LinkAdd(br); err != nil && !errors.Is(err, os.ErrExist) {
			return fmt.Errorf("create bridge %q: %w", n.Bridge, err)
		}
		if link, err = netlink.LinkByName(n.Bridge); err != nil {
			return fmt.Errorf("look up bridge %q: %w", n.Bridge, err)
		}
	}
	addr := &netlink.Addr{IPNet: ipNet(n.Gateway, n.Subnet.Bits())}
	if err := netlink.AddrReplace(link, addr); err != nil {
		return fmt.Errorf("set %s on bridge %q: %w", addr.IPNet, n.Bridge, err)
	}
	if err := netlink.LinkSetUp(link); err != nil {
		return fmt.Errorf("bring up bridge %q: %w", n.Bridge, err)
	}
	return nil
}

// enableForwarding turns on IPv4 forwarding (as docker does) and lets
// DNAT'd traffic from 127.0.0.1 be routed out of the bridge.
func enableForwarding(bridge string) error {
	// Sysctls, not state files: plain writes. (containernetworking's
	// pkg/ip has a helper for the first, but pulls in iptables and CNI.)
	for _, p := range []string{"/proc/sys/net/ipv4/ip_forward", "/proc/sys/net/ipv4/conf/" + bridge + "/route_localnet"} {
		if err := os.WriteFile(p, []byte("1"), 0o644); err != nil {
			return fmt.Errorf("enable %s: %w", p, err)
		}
	}
	return nil
}

// DeleteBridge removes n's bridge and rules; it is idempotent.
func DeleteBridge(n *Network) error {
	if err := deleteNetworkRules(n); err != nil {
		return err
	}
	if link, err := netlink.LinkByName(n.Bridge); err == nil {
		if err := netlink.LinkDel(link); err != nil {
			return fmt.Errorf("delete bridge %q: %w", n.Bridge, err)
		}
	}
	return nil
}

// CheckRoutes fails if subnet overlaps a host route that is not the
// network's own bridge: the containers would shadow real hosts.
func CheckRoutes(subnet netip.Prefix, bridge string) error {
	routes, err := netlink.RouteList(nil, netlink.FAMILY_V4)
	if err != nil {
		return fmt.Errorf("list host routes: %w", err)
	}
	for _, r := range routes {
		if r.Dst == nil {
			continue // the default route overlaps everything by design
		}
		p, ok := netipPrefix(r.Dst)
		if !ok || p.Bits() == 0 || !p.Overlaps(subnet) { // a default route overlaps everything by design
			continue
		}
		if !p.Overlaps(subnet) {
			continue
		}
		if link, err := netlink.LinkByIndex(r.LinkIndex); err == nil && link.Attrs().Name == bridge {
			continue
		}
		return fmt.Errorf("subnet %s overlaps the host route %s", subnet, p)
	}
	return nil
}

func ipNet(a netip.Addr, bits int) *net.IPNet {
	return &net.IPNet{IP: net.IP(a.AsSlice()), Mask: net.CIDRMask(bits, 32)}
}

func netipPrefix(n *net.IPNet) (netip.Prefix, bool) {
	a, ok := netip.AddrFromSlice(n.IP.To4())
	if !ok {
		return netip.Prefix{}, false
	}
	ones, _ := n.Mask.Size()
	return netip.PrefixFrom(a, ones), true
}
