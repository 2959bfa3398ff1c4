package netsetup

import (
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"slices"

	"github.com/ctr-lite/ctr-lite/state"
)

// An address lease is a lease file (lease.go) at
// <root>/networks/<name>/leases/<ip>.

// Allocate leases an IPv4 address in n for h: want if valid, else the
// lowest free one. alive reports whether a lease's holder still runs;
// stale cleans up after a dead holder whose lease is taken over (its port
// rules DNAT to this address). The global lock (the token) makes the look
// and the claim one step.
func (s *Store) Allocate(g *state.Global, n *Network, h Holder, want netip.Addr, alive func(Holder) bool, stale Stale) (netip.Addr, error) {
	pool := n.Subnet
	if n.IPRange.IsValid() {
		pool = n.IPRange
	}
	return s.allocate(g, n.Name, pool4(n.Subnet, pool, n.Gateway), h, want, alive, stale)
}

// Allocate6 is Allocate for n's IPv6 subnet (--ipv6). Its leases sit
// beside the IPv4 ones, so every release path frees both.
func (s *Store) Allocate6(g *state.Global, n *Network, h Holder, want netip.Addr, alive func(Holder) bool, stale Stale) (netip.Addr, error) {
	if !n.EnableIPv6 {
		return netip.Addr{}, fmt.Errorf("network %s has no IPv6 subnet: create it with --ipv6 --subnet", n.Name)
	}
	return s.allocate(g, n.Name, pool6(n.Subnet6, n.Gateway6), h, want, alive, stale)
}

// pool is where addresses are handed out: first to last, less the
// addresses no container may have.
type pool struct {
	subnet, from netip.Prefix
	first, last  netip.Addr
	reserved     []netip.Addr
	maxScan      int // stop after this many candidates (a /64 is 2^64)
}

func (p pool) usable(a netip.Addr) bool {
	return p.subnet.Contains(a) && !slices.Contains(p.reserved, a)
}

func (p pool) check(a netip.Addr, network string) error {
	if !p.usable(a) {
		return fmt.Errorf("address %s is not a usable address of network %s (%s)", a, network, p.subnet)
	}
	return nil
}

// CheckAddresses tells whether want (IPv4) and want6 (IPv6), each if
// valid, are addresses Allocate and Allocate6 could give out in n, not
// whether they are free: create checks a fixed --ip and --ip6 with it,
// before the start leases them.
func (n *Network) CheckAddresses(want, want6 netip.Addr) error {
	if want.IsValid() {
		pool := n.Subnet
		if n.IPRange.IsValid() {
			pool = n.IPRange
		}
		if err := pool4(n.Subnet, pool, n.Gateway).check(want, n.Name); err != nil {
			return err
		}
	}
	if want6.IsValid() {
		if !n.EnableIPv6 {
			return fmt.Errorf("invalid --ip6 %s: network %s was not created with --ipv6", want6, n.Name)
		}
		return pool6(n.Subnet6, n.Gateway6).check(want6, n.Name)
	}
	return nil
}

// pool4: the network address, the gateway and the broadcast are reserved.
func pool4(subnet, from netip.Prefix, gw netip.Addr) pool {
	return pool{subnet: subnet, from: from, first: from.Addr(), last: broadcast(from),
		reserved: []netip.Addr{gw, subnet.Addr(), broadcast(subnet)}, maxScan: 1 << 24}
}

// pool6: the subnet-router anycast address (the subnet's first) and the
// gateway are reserved; IPv6 has no broadcast. The scan is sequential from
// the start, as for IPv4, and bounded: each taken address is a lease file,
// so a free one is found within (leases + 2) steps.
func pool6(subnet netip.Prefix, gw netip.Addr) pool {
	return pool{subnet: subnet, from: subnet, first: subnet.Addr(), last: lastAddr(subnet),
		reserved: []netip.Addr{gw, subnet.Addr()}, maxScan: 1 << 16}
}

func (s *Store) allocate(_ *state.Global, network string, p pool, h Holder, want netip.Addr, alive func(Holder) bool, stale Stale) (netip.Addr, error) {
	dir := s.leaseDir(network)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return netip.Addr{}, err
	}
	if want.IsValid() {
		if err := p.check(want, network); err != nil {
			return netip.Addr{}, err
		}
		ok, err := claim(filepath.Join(dir, want.String()), h, alive, stale)
		if err != nil {
			return netip.Addr{}, fmt.Errorf("take over the stale lease of %s: %w", want, err)
		}
		if ok {
			return want, nil
		}
		return netip.Addr{}, fmt.Errorf("address %s is already in use on network %s", want, network)
	}
	n := 0
	for a := p.first; a.IsValid() && !p.last.Less(a) && n < p.maxScan; a, n = a.Next(), n+1 {
		if !p.usable(a) {
			continue
		}
		ok, err := claim(filepath.Join(dir, a.String()), h, alive, stale)
		if err != nil {
			return netip.Addr{}, fmt.Errorf("take over the stale lease of %s: %w", a, err)
		}
		if ok {
			return a, nil
		}
	}
	return netip.Addr{}, fmt.Errorf("network %s (%s) has no free address left: remove stopped containers' leases with rm, or use a larger subnet", network, p.from)
}

// lastAddr is p's last address, for either family.
func lastAddr(p netip.Prefix) netip.Addr {
	b := p.Masked().Addr().AsSlice()
	for i := p.Bits(); i < len(b)*8; i++ {
		b[i/8] |= 0x80 >> (i % 8)
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}

// Release frees addr if container id holds it; it is idempotent. The
// global lock (the token) makes its read and remove one step: without it,
// an Allocate could take the lease over between the two, and Release
// would remove the new holder's lease.
func (s *Store) Release(_ *state.Global, network string, addr netip.Addr, id string) error {
	if err := unclaim(filepath.Join(s.leaseDir(network), addr.String()), Holder{ID: id}); err != nil {
		return fmt.Errorf("release %s on %s: %w", addr, network, err)
	}
	return nil
}

// Leases lists the addresses leased in a network, with their holders.
func (s *Store) Leases(network string) (map[netip.Addr]Holder, error) {
	entries, err := os.ReadDir(s.leaseDir(network))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	out := map[netip.Addr]Holder{}
	for _, e := range entries {
		addr, err := netip.ParseAddr(e.Name())
		if err != nil {
			continue
		}
		if h, err := readLease(filepath.Join(s.leaseDir(network), e.Name())); err == nil {
			out[addr] = h
		}
	}
	return out, nil
}

func broadcast(p netip.Prefix) netip.Addr {
	a := p.Masked().Addr().As4()
	host := uint32(1)<<(32-p.Bits()) - 1
	v := uint32(a[0])<<24 | uint32(a[1])<<16 | uint32(a[2])<<8 | uint32(a[3]) | host
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}

// ReleaseHolder frees every address in network that container id holds:
// the cleanup for a start that died before recording its address. It runs
// under the global lock, as Release does.
func (s *Store) ReleaseHolder(g *state.Global, network, id string) error {
	leases, err := s.Leases(network)
	if err != nil {
		return err
	}
	for addr, h := range leases {
		if h.ID == id {
			if err := s.Release(g, network, addr, id); err != nil {
				return err
			}
		}
	}
	return nil
}
