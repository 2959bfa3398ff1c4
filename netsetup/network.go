package netsetup

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"time"

	"github.com/ctr-lite/ctr-lite/state"
)

// Network modes besides a network's name.
const (
	ModeBridge    = "bridge" // the default network
	ModeContainer = "container:"
)

// Defaults for the default network; both can be changed before it is
// first used (--default-subnet, CTR_LITE_DEFAULT_BRIDGE).
const (
	DefaultSubnet = "10.99.0.0/16"
	DefaultBridge = "ctrlite0"
)

// ErrNetworkNotFound is returned (wrapped) for an unknown network name.
var ErrNetworkNotFound = errors.New("no such network")

// Network is a stored network definition. Fields added after the first
// release are zero in older records, and their zero is docker's default.
type Network struct {
	Name    string
	ID      string
	Driver  string
	Subnet  netip.Prefix
	Gateway netip.Addr
	Bridge  string
	Created time.Time
	// IPRange, when valid, is where addresses are allocated (--ip-range);
	// a static --ip may be anywhere in Subnet, as in docker.
	IPRange  netip.Prefix      `json:",omitempty"`
	Internal bool              `json:",omitempty"` // no route, NAT or forwarding out of the bridge
	Labels   map[string]string `json:",omitempty"`
	Options  map[string]string `json:",omitempty"` // the -o driver options, as given
	// EnableIPv6 (--ipv6) gives the network a second, IPv6 subnet
	// (Subnet6) beside its IPv4 one, its gateway (Gateway6) the subnet's
	// first address: dual stack, as docker's bridge. A v6-only network
	// is not supported.
	EnableIPv6 bool         `json:",omitempty"`
	Subnet6    netip.Prefix `json:",omitempty"`
	Gateway6   netip.Addr   `json:",omitempty"`
}

// Docker's bridge driver options that ctr-lite honours (-o).
const (
	OptBridgeName = "com.docker.network.bridge.name"
	OptMasquerade = "com.docker.network.bridge.enable_ip_masquerade"
	OptICC        = "com.docker.network.bridge.enable_icc"
	OptMTU        = "com.docker.network.driver.mtu"
)

// Config is what `network create` asks for besides the name; empty fields
// take their defaults.
type Config struct {
	Subnet, Gateway, IPRange string
	// Subnet6 is the IPv6 --subnet; it needs EnableIPv6 (--ipv6), as in
	// docker, and --ipv6 needs it (ctr-lite picks no IPv6 subnet).
	Subnet6         string
	Gateway6        string // the IPv6 --gateway; default: the subnet's first address
	EnableIPv6      bool
	Driver          string
	Internal        bool
	Labels, Options map[string]string
}

// Masquerade reports whether traffic leaving the bridge is NATed: not on
// an internal network, nor with enable_ip_masquerade=false.
func (n *Network) Masquerade() bool {
	return !n.Internal && n.Options[OptMasquerade] != "false"
}

// MTU is the bridge's and its veths' MTU (-o com.docker.network.driver.mtu).
func (n *Network) MTU() int {
	if v, err := strconv.Atoi(n.Options[OptMTU]); err == nil {
		return v
	}
	return 1500
}

// checkOptions refuses driver options ctr-lite does not know or values
// that are not docker's.
func checkOptions(opts map[string]string) error {
	for k, v := range opts {
		switch k {
		case OptBridgeName:
		case OptMasquerade, OptICC:
			if _, err := strconv.ParseBool(v); err != nil {
				return fmt.Errorf("invalid value %q for option %s: want true or false", v, k)
			}
			b, _ := strconv.ParseBool(v)
			if k == OptICC && !b {
				return fmt.Errorf("option %s=false is not supported yet: containers on a ctr-lite bridge always reach each other", k)
			}
			opts[k] = strconv.FormatBool(b)
		case OptMTU:
			if m, err := strconv.Atoi(v); err != nil || m < 68 || m > 65535 {
				return fmt.Errorf("invalid value %q for option %s: want an MTU of 68-65535", v, k)
			}
		default:
			return fmt.Errorf("unknown bridge driver option %q: ctr-lite supports %s, %s, %s and %s", k, OptBridgeName, OptMasquerade, OptICC, OptMTU)
		}
	}
	return nil
}

// Store keeps network definitions and leases under <root>/networks.
type Store struct {
	Root string // ctr-lite's --root
}

func (s *Store) dir(name string) string      { return filepath.Join(s.Root, "networks", name) }
func (s *Store) leaseDir(name string) string { return filepath.Join(s.dir(name), "leases") }

// Get reads network name.
func (s *Store) Get(name string) (*Network, error) {
	var n Network
	err := state.ReadJSON(filepath.Join(s.dir(name), "network.json"), &n)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s (see 'ctr-lite network ls')", ErrNetworkNotFound, name)
	}
	return &n, err
}

// List reads every network, by name.
func (s *Store) List() ([]*Network, error) {
	entries, err := os.ReadDir(filepath.Join(s.Root, "networks"))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	var out []*Network
	for _, e := range entries {
		if n, err := s.Get(e.Name()); err == nil {
			out = append(out, n)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// NewNetwork validates a definition: a private IPv4 subnet with room for
// containers, a gateway inside it (default: the first address).
func NewNetwork(name, subnet, gateway, bridge string) (*Network, error) {
	return New(name, Config{Subnet: subnet, Gateway: gateway, Options: map[string]string{OptBridgeName: bridge}})
}

// New validates a definition from `network create`'s options: the bridge
// driver, a private IPv4 subnet with room for containers, a gateway inside
// it (default: the first address), an --ip-range inside it, and the
// driver options docker's bridge driver takes that ctr-lite honours.
func New(name string, cfg Config) (*Network, error) {
	if err := state.ValidateName(name); err != nil {
		return nil, fmt.Errorf("invalid network name %q: use [a-zA-Z0-9][a-zA-Z0-9_.-]*", name)
	}
	if cfg.Driver != "" && cfg.Driver != "bridge" {
		return nil, fmt.Errorf("unsupported network driver %q: ctr-lite has only the bridge driver", cfg.Driver)
	}
	opts := map[string]string{}
	for k, v := range cfg.Options {
		opts[k] = v
	}
	bridge := opts[OptBridgeName]
	delete(opts, OptBridgeName)
	if err := checkOptions(opts); err != nil {
		return nil, err
	}
	p, err := netip.ParsePrefix(cfg.Subnet)
	if err != nil || !p.Addr().Is4() || p.Bits() > 30 {
		return nil, fmt.Errorf("invalid subnet %q: want an IPv4 CIDR of /30 or larger, such as 10.77.0.0/24", cfg.Subnet)
	}
	p = p.Masked()
	gw := p.Addr().Next()
	if cfg.Gateway != "" {
		if gw, err = netip.ParseAddr(cfg.Gateway); err != nil || !p.Contains(gw) {
			return nil, fmt.Errorf("invalid gateway %q: want an address inside %s", cfg.Gateway, p)
		}
	}
	var ipRange netip.Prefix
	if cfg.IPRange != "" {
		if ipRange, err = netip.ParsePrefix(cfg.IPRange); err != nil || !ipRange.Addr().Is4() || !p.Contains(ipRange.Addr()) || ipRange.Bits() < p.Bits() {
			return nil, fmt.Errorf("invalid ip-range %q: want a CIDR inside the subnet %s", cfg.IPRange, p)
		}
		ipRange = ipRange.Masked()
	}
	sub6, gw6, err := ipv6Subnet(cfg)
	if err != nil {
		return nil, err
	}
	id := make([]byte, 32)
	rand.Read(id)
	n := &Network{Name: name, ID: hex.EncodeToString(id), Driver: "bridge", Subnet: p, Gateway: gw, Bridge: bridge, Created: time.Now().UTC(),
		IPRange: ipRange, Internal: cfg.Internal, Labels: cfg.Labels,
		EnableIPv6: sub6.IsValid(), Subnet6: sub6, Gateway6: gw6}
	if len(opts) > 0 {
		n.Options = opts
	}
	if n.Bridge == "" {
		n.Bridge = "ctrlite-" + n.ID[:7]
	}
	if len(n.Bridge) > 15 {
		return nil, fmt.Errorf("bridge name %q is longer than the kernel's 15 characters", n.Bridge)
	}
	return n, nil
}

// ipv6Subnet checks cfg's IPv6 subnet: one only with --ipv6 and --ipv6
// only with one, a /126 or larger (room for a gateway and
// containers), its gateway the first address unless --gateway gives one
// inside it.
func ipv6Subnet(cfg Config) (netip.Prefix, netip.Addr, error) {
	switch {
	case cfg.Gateway6 != "" && cfg.Subnet6 == "":
		return netip.Prefix{}, netip.Addr{}, fmt.Errorf("invalid gateway %q: an IPv6 gateway needs an IPv6 --subnet (and --ipv6)", cfg.Gateway6)
	case cfg.Subnet6 == "" && !cfg.EnableIPv6:
		return netip.Prefix{}, netip.Addr{}, nil
	case cfg.Subnet6 == "":
		return netip.Prefix{}, netip.Addr{}, fmt.Errorf("--ipv6 needs an IPv6 --subnet, such as --subnet fd00:77::/64: ctr-lite does not pick one")
	case !cfg.EnableIPv6:
		return netip.Prefix{}, netip.Addr{}, fmt.Errorf("invalid subnet %q: an IPv6 subnet needs --ipv6 (IPv6 is not enabled on the network)", cfg.Subnet6)
	}
	p, err := netip.ParsePrefix(cfg.Subnet6)
	if err != nil || !p.Addr().Is6() || p.Addr().Is4In6() || p.Bits() > 126 {
		return netip.Prefix{}, netip.Addr{}, fmt.Errorf("invalid subnet %q: want an IPv6 CIDR of /126 or larger, such as fd00:77::/64", cfg.Subnet6)
	}
	p = p.Masked()
	gw := p.Addr().Next()
	if cfg.Gateway6 != "" {
		if gw, err = netip.ParseAddr(cfg.Gateway6); err != nil || !p.Contains(gw) || gw == p.Addr() {
			return netip.Prefix{}, netip.Addr{}, fmt.Errorf("invalid gateway %q: want an address inside %s", cfg.Gateway6, p)
		}
	}
	return p, gw, nil
}

// SplitSubnets sorts network create's --subnet values into the IPv4 and
// the IPv6 one; at most one of each.
func SplitSubnets(subnets []string) (v4, v6 string, err error) {
	return splitFamilies("subnet", subnets, func(s string) (netip.Addr, error) {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Addr{}, fmt.Errorf("invalid subnet %q: want a CIDR such as 10.77.0.0/24 or fd00:77::/64", s)
		}
		return p.Addr(), nil
	})
}

// SplitGateways sorts network create's --gateway values likewise: each
// goes with the --subnet of its family (docker pairs them in order, which
// for one subnet of each family is the same).
func SplitGateways(gateways []string) (v4, v6 string, err error) {
	return splitFamilies("gateway", gateways, func(s string) (netip.Addr, error) {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return netip.Addr{}, fmt.Errorf("invalid gateway %q: want an IP address such as 10.77.0.1 or fd00:77::1", s)
		}
		return a, nil
	})
}

func splitFamilies(what string, values []string, parse func(string) (netip.Addr, error)) (v4, v6 string, err error) {
	for _, s := range values {
		a, err := parse(s)
		if err != nil {
			return "", "", err
		}
		slot := &v4
		if a.Is6() && !a.Is4In6() {
			slot = &v6
		}
		if *slot != "" {
			return "", "", fmt.Errorf("invalid %ss %q and %q: ctr-lite takes one IPv4 and one IPv6 --%s", what, *slot, s, what)
		}
		*slot = s
	}
	return v4, v6, nil
}

// Save stores n; it fails if the name is taken. A directory without a
// network.json (a crash inside Save) does not count as taken. The global
// lock (the token) makes the check and the write one step.
func (s *Store) Save(_ *state.Global, n *Network) error {
	if _, err := s.Get(n.Name); err == nil {
		return fmt.Errorf("network %q already exists", n.Name)
	}
	if err := os.MkdirAll(s.leaseDir(n.Name), 0o700); err != nil {
		return err
	}
	return state.WriteJSONAtomic(filepath.Join(s.dir(n.Name), "network.json"), n, true)
}

// Delete removes a network's definition and leases.
func (s *Store) Delete(name string) error {
	return os.RemoveAll(s.dir(name))
}
