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

// Network is a stored network definition.
type Network struct {
	Name    string
	ID      string
	Driver  string
	Subnet  netip.Prefix
	Gateway netip.Addr
	Bridge  string
	Created time.Time
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
	if err := state.ValidateName(name); err != nil {
		return nil, fmt.Errorf("invalid network name %q: use [a-zA-Z0-9][a-zA-Z0-9_.-]*", name)
	}
	p, err := netip.ParsePrefix(subnet)
	if err != nil || !p.Addr().Is4() || p.Bits() > 30 {
		return nil, fmt.Errorf("invalid subnet %q: want an IPv4 CIDR of /30 or larger, such as 10.77.0.0/24", subnet)
	}
	p = p.Masked()
	gw := p.Addr().Next()
	if gateway != "" {
		if gw, err = netip.ParseAddr(gateway); err != nil || !p.Contains(gw) {
			return nil, fmt.Errorf("invalid gateway %q: want an address inside %s", gateway, p)
		}
	}
	id := make([]byte, 32)
	rand.Read(id)
	n := &Network{Name: name, ID: hex.EncodeToString(id), Driver: "bridge", Subnet: p, Gateway: gw, Bridge: bridge, Created: time.Now().UTC()}
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
