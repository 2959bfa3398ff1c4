package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"

	"github.com/ctr-lite/ctr-lite/events"
	"github.com/ctr-lite/ctr-lite/internal/fault"
	"github.com/ctr-lite/ctr-lite/netsetup"
	"github.com/ctr-lite/ctr-lite/state"
)

// ConnectOptions are network connect's.
type ConnectOptions struct {
	Network, Container string
	Aliases            []string // --alias
	IPAddress          string   // --ip
	IPv6Address        string   // --ip6
}

// attachAll joins a starting container to the networks after its first
// (hc.Networks), recording each in c.NetworkSettings before its veth is
// made, so the start's teardown undoes a failed one.
func (e *Engine) attachAll(ctx context.Context, c *state.Container, hc *state.HostConfig) ([]*netsetup.Network, error) {
	var joined []*netsetup.Network
	for _, at := range hc.Networks {
		n, err := e.attachOne(ctx, c, at)
		if err != nil {
			return nil, err
		}
		joined = append(joined, n)
	}
	return joined, nil
}

// attachOne leases an address on at's network and plugs the next ethN of
// c's namespace into its bridge, recording the endpoint in c (not on
// disk). On failure what it made is undone.
func (e *Engine) attachOne(ctx context.Context, c *state.Container, at state.NetworkAttachment) (_ *netsetup.Network, retErr error) {
	n, err := e.Networks.Get(at.Name)
	if err != nil {
		return nil, WithCode(ExitEngine, err)
	}
	if _, ok := c.NetworkSettings.Networks[n.Name]; ok {
		return nil, WithCode(ExitEngine, fmt.Errorf("container %s is already connected to network %s", c.Name, n.Name))
	}
	var addr, addr6 netip.Addr
	err = e.withGlobalCtx(ctx, func(g *state.Global) error {
		if err := e.stillThere(n); err != nil {
			return err
		}
		if err := netsetup.EnsureBridge(g, n, e.BridgeOwner()); err != nil {
			return err
		}
		addr, addr6, err = e.allocateBoth(g, n, c.ID, at.IPAddress, at.IPv6Address)
		return err
	})
	if err != nil {
		return nil, WithCode(ExitEngine, err)
	}
	defer func() {
		if retErr != nil {
			e.withGlobal(func(g *state.Global) error {
				return errors.Join(e.Networks.Release(g, n.Name, addr, c.ID), e.release6(g, n, addr6, c.ID))
			})
		}
	}()
	ifname, err := netsetup.FreeIfName(c.NetworkSettings.SandboxKey)
	if err != nil {
		return nil, WithCode(ExitEngine, err)
	}
	ep, err := netsetup.AttachAs(n, c.NetworkSettings.SandboxKey, addr, netsetup.Attachment{HostVeth: netsetup.HostVethNameOn(c.ID, n.ID), IfName: ifname, Addr6: addr6})
	if err != nil {
		return nil, WithCode(ExitEngine, fmt.Errorf("connect container %s to network %s: %w", c.Name, n.Name, err))
	}
	if c.NetworkSettings.Networks == nil {
		c.NetworkSettings.Networks = map[string]*state.EndpointSettings{}
	}
	es := endpoint(n, addr, addr6)
	es.MacAddress, es.Aliases = ep.MAC, at.Aliases
	c.NetworkSettings.Networks[n.Name] = es
	return n, nil
}

// stillThere fails unless network n (by its ID) still exists; the caller
// holds the global lock, under which networks are removed.
func (e *Engine) stillThere(n *netsetup.Network) error {
	if cur, err := e.Networks.Get(n.Name); err != nil || cur.ID != n.ID {
		return fmt.Errorf("network %s not found: it was removed meanwhile", n.Name)
	}
	return nil
}

// release6 frees addr6 when valid (an --ipv6 network's lease).
func (e *Engine) release6(g *state.Global, n *netsetup.Network, addr6 netip.Addr, id string) error {
	if !addr6.IsValid() {
		return nil
	}
	return e.Networks.Release(g, n.Name, addr6, id)
}

// withGlobalCtx is withGlobal under ctx.
func (e *Engine) withGlobalCtx(ctx context.Context, f func(*state.Global) error) error {
	g, err := e.Containers.GlobalLock(ctx)
	if err != nil {
		return err
	}
	defer g.Unlock()
	return f(g)
}

// ConnectNetwork joins a container to one more network, as docker's
// network connect: a running one gets its next ethN now; a created or
// stopped one has it recorded, applied at its next start.
func (e *Engine) ConnectNetwork(ctx context.Context, o ConnectOptions) (retErr error) {
	n, err := e.Networks.Get(o.Network)
	if err != nil {
		return WithCode(ExitEngine, err)
	}
	c, hc, l, err := e.lockForNetwork(ctx, o.Container)
	if err != nil {
		return err
	}
	defer l.Unlock()
	if hc.NetworkMode == n.Name || slices.ContainsFunc(hc.Networks, func(a state.NetworkAttachment) bool { return a.Name == n.Name }) {
		return WithCode(ExitEngine, fmt.Errorf("endpoint with name %s already exists in network %s", c.Name, n.Name))
	}
	if o.IPAddress != "" {
		if a, err := netip.ParseAddr(o.IPAddress); err != nil || !n.Subnet.Contains(a) {
			return WithCode(ExitEngine, fmt.Errorf("invalid --ip %q: want an address inside network %s's subnet %s", o.IPAddress, n.Name, n.Subnet))
		}
	}
	if o.IPv6Address != "" {
		if a, err := netip.ParseAddr(o.IPv6Address); err != nil || !n.EnableIPv6 || !n.Subnet6.Contains(a) {
			return WithCode(ExitEngine, fmt.Errorf("invalid --ip6 %q: want an address inside network %s's IPv6 subnet (one made with --ipv6)", o.IPv6Address, n.Name))
		}
	}
	at := state.NetworkAttachment{Name: n.Name, Aliases: o.Aliases, IPAddress: o.IPAddress, IPv6Address: o.IPv6Address}
	if IsRunning(c) {
		if _, err := e.attachOne(ctx, c, at); err != nil {
			return err
		}
		defer func() {
			if retErr != nil {
				e.detachOne(c, n)
			}
		}()
		fault.Point("connect:after-attach")
	}
	hc.Networks = append(hc.Networks, at)
	// Saved under the global lock, where network rm reads its users, and
	// only if the network is still there: read before any lock, it may
	// have been removed meanwhile (review 11b).
	err = e.withGlobalCtx(ctx, func(*state.Global) error {
		if err := e.stillThere(n); err != nil {
			return WithCode(ExitEngine, err)
		}
		return e.saveNetworkRecords(c, hc)
	})
	if err != nil {
		return err
	}
	if IsRunning(c) {
		e.refreshHosts(c, hc, n)
	}
	e.Emit(events.Network(n.ID, n.Name, "connect", c.ID))
	return nil
}

// DisconnectNetwork takes a container off a network it joined after its
// first: a running one loses the interface and its lease now.
func (e *Engine) DisconnectNetwork(ctx context.Context, network, ref string, force bool) error {
	n, err := e.Networks.Get(network)
	if err != nil {
		return WithCode(ExitEngine, err)
	}
	c, hc, l, err := e.lockForNetwork(ctx, ref)
	if err != nil {
		return err
	}
	defer l.Unlock()
	if hc.NetworkMode == n.Name {
		return WithCode(ExitEngine, fmt.Errorf("disconnect container %s from network %s: it is the container's first network (eth0), which ctr-lite cannot take away yet; recreate the container instead", c.Name, n.Name))
	}
	i := slices.IndexFunc(hc.Networks, func(a state.NetworkAttachment) bool { return a.Name == n.Name })
	if i < 0 {
		return WithCode(ExitEngine, fmt.Errorf("container %s is not connected to network %s", c.Name, n.Name))
	}
	hc.Networks = slices.Delete(hc.Networks, i, i+1)
	// Record first: a crash after it leaves a veth and a lease that the
	// container's stop or rm -f releases (the namespace goes, and rm
	// frees every lease the container holds).
	running := IsRunning(c)
	if err := e.Containers.SaveHostConfig(c.ID, hc, true); err != nil {
		return WithCode(ExitEngine, err)
	}
	fault.Point("disconnect:after-record")
	if running {
		if err := e.detachOne(c, n); err != nil && !force {
			return WithCode(ExitEngine, err)
		}
		if err := e.Containers.Save(c, true); err != nil {
			return WithCode(ExitEngine, err)
		}
		e.refreshHosts(c, hc, n)
	}
	e.Emit(events.Network(n.ID, n.Name, "disconnect", c.ID))
	return nil
}

// lockForNetwork locks and loads a container that network connect or
// disconnect may change: one with its own network namespace.
func (e *Engine) lockForNetwork(ctx context.Context, ref string) (*state.Container, *state.HostConfig, *state.ContainerLock, error) {
	c, err := e.Lookup(ref)
	if err != nil {
		return nil, nil, nil, err
	}
	l, err := e.Containers.LockContainer(ctx, c.ID)
	if err != nil {
		return nil, nil, nil, WithCode(ExitEngine, err)
	}
	if c, err = e.Containers.Load(c.ID); err == nil {
		var hc *state.HostConfig
		if hc, err = e.Containers.LoadHostConfig(c.ID); err == nil {
			if !netsetup.IsBridged(hc.NetworkMode) {
				err = fmt.Errorf("container %s uses network mode %s: only a container on a bridge network can join another", c.Name, hc.NetworkMode)
			} else {
				return c, hc, l, nil
			}
		}
	}
	l.Unlock()
	return nil, nil, nil, WithCode(ExitEngine, err)
}

// saveNetworkRecords writes both records after a connect.
func (e *Engine) saveNetworkRecords(c *state.Container, hc *state.HostConfig) error {
	if err := e.Containers.SaveHostConfig(c.ID, hc, true); err != nil {
		return WithCode(ExitEngine, err)
	}
	if err := e.Containers.Save(c, true); err != nil {
		return WithCode(ExitEngine, err)
	}
	return nil
}

// detachOne removes c's interface on n and frees its lease, dropping the
// endpoint from c (not on disk). Each part is idempotent.
func (e *Engine) detachOne(c *state.Container, n *netsetup.Network) error {
	ep := c.NetworkSettings.Networks[n.Name]
	errs := []error{netsetup.DeleteVeth(netsetup.HostVethNameOn(c.ID, n.ID))}
	if ep != nil {
		for _, ip := range []string{ep.IPAddress, ep.GlobalIPv6Address} {
			if addr, err := netip.ParseAddr(ip); err == nil {
				errs = append(errs, e.withGlobal(func(g *state.Global) error { return e.Networks.Release(g, n.Name, addr, c.ID) }))
			}
		}
	}
	delete(c.NetworkSettings.Networks, n.Name)
	return errors.Join(errs...)
}

// refreshHosts rewrites c's hosts file and those of its peers on n after
// c joined or left n. Both records are saved by then, so a failure is
// only warned about.
func (e *Engine) refreshHosts(c *state.Container, hc *state.HostConfig, n *netsetup.Network) {
	if err := e.writeHosts(c, hc); err != nil {
		e.Log.Warn("update the hosts file", "container", c.ID, "err", err)
	}
	e.updatePeers(n, c.ID)
}
