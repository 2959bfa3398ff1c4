package networks

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/ctr-lite/ctr-lite/events"
	"github.com/ctr-lite/ctr-lite/lifecycle"
	"github.com/ctr-lite/ctr-lite/netsetup"
)

// ErrNetworkInUse is why RemoveNetwork refuses a network containers use.
var ErrNetworkInUse = errors.New("is in use")

// CreateNetwork defines a user network; its bridge is made when the first
// container joins.
func (e *Engine) CreateNetwork(ctx context.Context, name string, cfg netsetup.Config) (*netsetup.Network, error) {
	if name == netsetup.ModeBridge || name == netsetup.ModeHost || name == netsetup.ModeNone {
		return nil, lifecycle.WithCode(lifecycle.ExitEngine, fmt.Errorf("network name %q is reserved", name))
	}
	if cfg.Subnet == "" {
		if cfg.IPRange != "" || cfg.Gateway != "" {
			return nil, lifecycle.WithCode(lifecycle.ExitEngine, fmt.Errorf("create network %q: --ip-range and --gateway need --subnet", name))
		}
		var err error
		if cfg.Subnet, err = e.freeSubnet(); err != nil {
			return nil, lifecycle.WithCode(lifecycle.ExitEngine, err)
		}
	}
	n, err := netsetup.New(name, cfg)
	if err != nil {
		return nil, lifecycle.WithCode(lifecycle.ExitEngine, err)
	}
	if err := e.SaveNetwork(ctx, n); err != nil {
		return nil, lifecycle.WithCode(lifecycle.ExitEngine, fmt.Errorf("create network %q: %w; choose another --subnet", name, err))
	}
	e.Emit(events.Network(n.ID, n.Name, "create", ""))
	return n, nil
}

// freeSubnet picks the first 10.100-10.199 /24 that no network or host
// route uses, for `network create` without --subnet.
func (e *Engine) freeSubnet() (string, error) {
	nets, err := e.Networks.List()
	if err != nil {
		return "", err
	}
	for i := 100; i < 200; i++ {
		cand := fmt.Sprintf("10.%d.0.0/24", i)
		n, _ := netsetup.NewNetwork("probe", cand, "", "probe")
		taken := netsetup.CheckRoutes(n.Subnet, "", "") != nil
		for _, o := range nets {
			taken = taken || o.Subnet.Overlaps(n.Subnet)
		}
		if !taken {
			return cand, nil
		}
	}
	return "", fmt.Errorf("no free subnet in 10.100.0.0-10.199.0.0: pass --subnet")
}

// NetworkUsers lists the running containers attached to a network.
func (e *Engine) NetworkUsers(name string) ([]string, error) {
	list, err := e.Containers.List()
	if err != nil {
		return nil, err
	}
	var users []string
	for _, c := range list {
		if _, ok := c.NetworkSettings.Networks[name]; ok && lifecycle.IsRunning(c) {
			users = append(users, c.Name)
		}
	}
	sort.Strings(users)
	return users, nil
}

// RemoveNetwork deletes a network, its bridge and its rules (a bridge
// marked as another root's stays); refused while running containers use
// it. Its users are read under the global lock, which a start holds
// while it leases an address, and a lease whose container is still
// starting counts as a user.
func (e *Engine) RemoveNetwork(ctx context.Context, name string) error {
	n, err := e.Networks.Get(name)
	if err != nil {
		return lifecycle.WithCode(lifecycle.ExitEngine, err)
	}
	l, err := e.Containers.GlobalLock(ctx)
	if err != nil {
		return lifecycle.WithCode(lifecycle.ExitEngine, err)
	}
	defer l.Unlock()
	users, err := e.NetworkUsers(name)
	if err != nil {
		return lifecycle.WithCode(lifecycle.ExitEngine, err)
	}
	users = append(users, e.startingOn(name, users)...)
	if len(users) > 0 {
		return lifecycle.WithCode(lifecycle.ExitEngine, fmt.Errorf("network %s %w by %s: stop or remove them first", name, ErrNetworkInUse, strings.Join(users, ", ")))
	}
	if err := netsetup.DeleteBridge(n, e.BridgeOwner()); err != nil {
		return lifecycle.WithCode(lifecycle.ExitEngine, err)
	}
	if err := e.Networks.Delete(name); err != nil {
		return lifecycle.WithCode(lifecycle.ExitEngine, err)
	}
	e.Emit(events.Network(n.ID, n.Name, "destroy", ""))
	return nil
}

// startingOn names the containers that hold an address on the network
// and are alive but not yet among users (a start between its lease and
// its record).
func (e *Engine) startingOn(name string, users []string) []string {
	leases, _ := e.Networks.Leases(name)
	var out []string
	for _, h := range leases {
		c, err := e.Containers.Load(h.ID)
		if err != nil || !c.Alive().Holds() || slices.Contains(users, c.Name) {
			continue
		}
		out = append(out, c.Name)
	}
	return out
}

// PruneNetworks removes every user-defined network no container uses (the
// default bridge stays), but those keep (if set) holds on to, and returns
// their names. A network in use is left; any other failure to remove one
// is the error.
func (e *Engine) PruneNetworks(ctx context.Context, keep func(*netsetup.Network) bool) ([]string, error) {
	nets, err := e.Networks.List()
	if err != nil {
		return nil, lifecycle.WithCode(lifecycle.ExitEngine, err)
	}
	var removed []string
	for _, n := range nets {
		if n.Name == netsetup.ModeBridge || (keep != nil && keep(n)) {
			continue
		}
		if err := e.RemoveNetwork(ctx, n.Name); err == nil {
			removed = append(removed, n.Name)
		} else if !errors.Is(err, ErrNetworkInUse) && !errors.Is(err, netsetup.ErrNetworkNotFound) { // another prune took it
			return removed, err
		}
	}
	return removed, nil
}
