package netsetup

import (
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"

	"github.com/ctr-lite/ctr-lite/state"
)

// An address lease is a lease file (lease.go) at
// <root>/networks/<name>/leases/<ip>.

// Allocate leases an address in n for h: want if valid, else the lowest
// free one. alive reports whether a lease's holder still runs; stale
// cleans up after a dead holder whose lease is taken over (its port rules
// DNAT to this address). The global lock (the token) makes the look and
// the claim one step.
func (s *Store) Allocate(_ *state.Global, n *Network, h Holder, want netip.Addr, alive func(Holder) bool, stale Stale) (netip.Addr, error) {
	dir := s.leaseDir(n.Name)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return netip.Addr{}, err
	}
	if want.IsValid() {
		if !n.Subnet.Contains(want) || want == n.Gateway || want == n.Subnet.Addr() || want == broadcast(n.Subnet) {
			return netip.Addr{}, fmt.Errorf("address %s is not a usable address of network %s (%s)", want, n.Name, n.Subnet)
		}
		ok, err := claim(filepath.Join(dir, want.String()), h, alive, stale)
		if err != nil {
			return netip.Addr{}, fmt.Errorf("take over the stale lease of %s: %w", want, err)
		}
		if ok {
			return want, nil
		}
		return netip.Addr{}, fmt.Errorf("address %s is already in use on network %s", want, n.Name)
	}
	pool := n.Subnet
	if n.IPRange.IsValid() {
		pool = n.IPRange
	}
	last := broadcast(pool)
	for a := pool.Addr(); a.IsValid() && !last.Less(a); a = a.Next() {
		if a == n.Gateway || a == n.Subnet.Addr() || a == broadcast(n.Subnet) {
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
	return netip.Addr{}, fmt.Errorf("network %s (%s) has no free address left: remove stopped containers' leases with rm, or use a larger subnet", n.Name, pool)
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
