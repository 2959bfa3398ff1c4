package netsetup

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"

	"github.com/ctr-lite/ctr-lite/state"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// ErrBridgeTaken is returned (wrapped) for a new network whose bridge
// exists on the host but is not this root's.
var ErrBridgeTaken = errors.New("bridge is in use by another ctr-lite root or program")

// One root owns a bridge, as one docker daemon does: two roots on one
// bridge would hand out the same addresses from separate leases, and one
// root's reset would delete the bridge under the other's containers. The
// owner is recorded on the bridge itself, as its link alias (ip link
// shows it), so it is checked against the kernel and goes with the link.

// BridgeOwner is the alias that marks a bridge as root's.
func BridgeOwner(root string) string {
	if abs, err := filepath.Abs(root); err == nil {
		root = abs
	}
	owner := "ctr-lite root " + root
	if len(owner) > 255 { // the kernel's IFALIASZ
		sum := sha256.Sum256([]byte(root))
		owner = "ctr-lite root sha256:" + hex.EncodeToString(sum[:])
	}
	return owner
}

// EnsureBridge makes n's bridge, its gateway address, forwarding and
// firewall rules exist, the bridge marked as owner's. It is idempotent,
// and it looks at the real state, not at a note of its own: after `nft
// flush ruleset` or a firewall reload the next start puts the rules back.
// The common case costs two netlink requests: the bridge link, and the
// listing of one chain of the table. An unmarked bridge of n (made before
// owners were recorded) is marked as owner's; a bridge marked as another
// root's is refused (ErrBridgeTaken), at every start and not only when
// the network is made: after a reboot another root may have made it
// first.
func EnsureBridge(_ *state.Global, n *Network, owner string) error {
	if link, err := netlink.LinkByName(n.Bridge); err == nil {
		if err := claimBridge(link, n, owner); err != nil {
			return err
		}
		if networkRulesPresent(n) {
			return nil
		}
	}
	if err := ensureBridgeLink(n, owner); err != nil {
		return err
	}
	if err := enableForwarding(n.Bridge); err != nil {
		return err
	}
	return ensureNetworkRules(n)
}

// claimBridge marks an unmarked bridge as owner's and refuses one that is
// another's.
func claimBridge(link netlink.Link, n *Network, owner string) error {
	switch alias := link.Attrs().Alias; alias {
	case owner:
		return nil
	case "":
		if err := netlink.LinkSetAlias(link, owner); err != nil {
			return fmt.Errorf("mark bridge %q as this root's: %w", n.Bridge, err)
		}
		return nil
	default:
		return fmt.Errorf("bridge %q is marked %q: %w; set --default-bridge (CTR_LITE_DEFAULT_BRIDGE) and --default-subnet (CTR_LITE_DEFAULT_SUBNET), or --network, to ones no other root uses", n.Bridge, alias, ErrBridgeTaken)
	}
}

func ensureBridgeLink(n *Network, owner string) error {
	link, err := netlink.LinkByName(n.Bridge)
	if err != nil {
		if !errors.As(err, &netlink.LinkNotFoundError{}) {
			return fmt.Errorf("look up bridge %q: %w", n.Bridge, err)
		}
		br := &netlink.Bridge{LinkAttrs: netlink.LinkAttrs{Name: n.Bridge, MTU: n.MTU()}}
		if err := netlink.LinkAdd(br); err != nil && !errors.Is(err, os.ErrExist) {
			return fmt.Errorf("create bridge %q: %w", n.Bridge, err)
		}
		if link, err = netlink.LinkByName(n.Bridge); err != nil {
			return fmt.Errorf("look up bridge %q: %w", n.Bridge, err)
		}
	}
	// Made by another root in between (ErrExist above): its mark stays.
	if err := claimBridge(link, n, owner); err != nil {
		return err
	}
	addr := &netlink.Addr{IPNet: ipNet(n.Gateway, n.Subnet.Bits())}
	if err := netlink.AddrReplace(link, addr); err != nil {
		return fmt.Errorf("set %s on bridge %q: %w", addr.IPNet, n.Bridge, err)
	}
	if err := setGateway6(link, n); err != nil {
		return err
	}
	if err := netlink.LinkSetUp(link); err != nil {
		return fmt.Errorf("bring up bridge %q: %w", n.Bridge, err)
	}
	return nil
}

// setGateway6 gives an --ipv6 network's bridge its IPv6 gateway, without
// duplicate address detection (nodad, as the containers' addresses) so
// it answers at once. IPv6 forwarding is not turned on: it would stop
// the host taking router advertisements, and a ULA subnet is not routed
// out anyway (docker does not NAT IPv6 either unless told to), so IPv6
// reaches the bridge and the containers on it.
func setGateway6(link netlink.Link, n *Network) error {
	if !n.EnableIPv6 {
		return nil
	}
	p := "/proc/sys/net/ipv6/conf/" + n.Bridge + "/disable_ipv6"
	if err := os.WriteFile(p, []byte("0"), 0o644); err != nil {
		return fmt.Errorf("enable IPv6 on bridge %q (%s): %w", n.Bridge, p, err)
	}
	addr := &netlink.Addr{IPNet: ipNet(n.Gateway6, n.Subnet6.Bits()), Flags: unix.IFA_F_NODAD}
	if err := netlink.AddrReplace(link, addr); err != nil {
		return fmt.Errorf("set %s on bridge %q: %w", addr.IPNet, n.Bridge, err)
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

// DeleteBridge removes n's bridge and rules; it is idempotent. A bridge
// marked as another root's is left alone with its rules (the rules are
// named by the bridge, so they are that root's too): that root's
// containers still use it.
func DeleteBridge(n *Network, owner string) error {
	link, err := netlink.LinkByName(n.Bridge)
	if err == nil && !ownedBy(link, owner) {
		return nil
	}
	if err := deleteNetworkRules(n); err != nil {
		return err
	}
	if err == nil {
		if err := netlink.LinkDel(link); err != nil {
			return fmt.Errorf("delete bridge %q: %w", n.Bridge, err)
		}
	}
	return nil
}

// ownedBy: link is marked as owner's, or not marked at all (made before
// owners were recorded, or by hand for this root).
func ownedBy(link netlink.Link, owner string) bool {
	alias := link.Attrs().Alias
	return alias == "" || alias == owner
}

// CheckRoutes fails if a new network's subnet overlaps a host route, or if
// its bridge exists on the host but is not marked as owner's (only a
// leftover of this root's own is taken up again): the containers would
// shadow real hosts, or share a bridge, and addresses, with another root.
// An empty bridge checks only the routes.
func CheckRoutes(subnet netip.Prefix, bridge, owner string) error {
	if bridge != "" {
		if link, err := netlink.LinkByName(bridge); err == nil && link.Attrs().Alias != owner {
			by := "a bridge not made by this root"
			if a := link.Attrs().Alias; a != "" {
				by = fmt.Sprintf("marked %q", a)
			}
			return fmt.Errorf("bridge %q exists on the host (%s): %w", bridge, by, ErrBridgeTaken)
		}
	}
	family := netlink.FAMILY_V4
	if subnet.Addr().Is6() { // an --ipv6 network's second subnet
		family = netlink.FAMILY_V6
	}
	routes, err := netlink.RouteList(nil, family)
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
		// This root's own bridge (checked above) may hold the route.
		if link, err := netlink.LinkByIndex(r.LinkIndex); err == nil && bridge != "" && link.Attrs().Name == bridge {
			continue
		}
		return fmt.Errorf("subnet %s overlaps the host route %s", subnet, p)
	}
	return nil
}

func ipNet(a netip.Addr, bits int) *net.IPNet {
	return &net.IPNet{IP: net.IP(a.AsSlice()), Mask: net.CIDRMask(bits, a.BitLen())}
}

func netipPrefix(n *net.IPNet) (netip.Prefix, bool) {
	ip := n.IP
	if v4 := ip.To4(); v4 != nil {
		ip = v4
	}
	a, ok := netip.AddrFromSlice(ip)
	if !ok {
		return netip.Prefix{}, false
	}
	ones, _ := n.Mask.Size()
	return netip.PrefixFrom(a, ones), true
}
