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
	Driver                   string
	Internal                 bool
	Labels, Options          map[string]string
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
	id := make([]byte, 32)
	rand.Read(id)
	n := &Network{Name: name, ID: hex.EncodeToString(id), Driver: "bridge", Subnet: p, Gateway: gw, Bridge: bridge, Created: time.Now().UTC(),
		IPRange: ipRange, Internal: cfg.Internal, Labels: cfg.Labels}
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
