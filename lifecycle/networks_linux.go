package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/ctr-lite/ctr-lite/netsetup"
	"github.com/ctr-lite/ctr-lite/state"
)

// CreateNetwork defines a user network; its bridge is made when the first
// container joins.
func (e *Engine) CreateNetwork(ctx context.Context, name, subnet, gateway string) (*netsetup.Network, error) {
	if name == netsetup.ModeBridge || name == netsetup.ModeHost || name == netsetup.ModeNone {
		return nil, withCode(ExitEngine, fmt.Errorf("network name %q is reserved", name))
	}
	if subnet == "" {
		var err error
		if subnet, err = e.freeSubnet(); err != nil {
			return nil, withCode(ExitEngine, err)
		}
	}
	n, err := netsetup.NewNetwork(name, subnet, gateway, "")
	if err != nil {
		return nil, withCode(ExitEngine, err)
	}
	if err := e.saveNetwork(ctx, n); err != nil {
		return nil, withCode(ExitEngine, fmt.Errorf("create network %q: %w; choose another --subnet", name, err))
	}
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
		taken := netsetup.CheckRoutes(n.Subnet, "") != nil
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
		if _, ok := c.NetworkSettings.Networks[name]; ok && IsRunning(c) {
			users = append(users, c.Name)
		}
	}
	sort.Strings(users)
	return users, nil
}

// RemoveNetwork deletes a network, its bridge and its rules; refused while
// running containers use it.
func (e *Engine) RemoveNetwork(ctx context.Context, name string) error {
	n, err := e.Networks.Get(name)
	if err != nil {
		return withCode(ExitEngine, err)
	}
	users, err := e.NetworkUsers(name)
	if err != nil {
		return withCode(ExitEngine, err)
	}
	if len(users) > 0 {
		return withCode(ExitEngine, fmt.Errorf("network %s is in use by %s: stop or remove them first", name, strings.Join(users, ", ")))
	}
	l, err := e.Containers.GlobalLock(ctx)
	if err != nil {
		return withCode(ExitEngine, err)
	}
	defer l.Unlock()
	if err := netsetup.DeleteBridge(n); err != nil {
		return withCode(ExitEngine, err)
	}
	return withCode(ExitEngine, e.Networks.Delete(name))
}

// Reset removes every container (killing running ones), every network
// with its bridge and rules, and all images: the root is left empty. It
// keeps going past any one failure (a damaged record among them) and
// reports them all at the end.
func (e *Engine) Reset(ctx context.Context) error {
	var errs []error
	ids, err := e.Containers.IDs()
	errs = append(errs, err)
	for _, id := range ids {
		errs = append(errs, e.Remove(ctx, id, true))
	}
	nets, err := e.Networks.List()
	errs = append(errs, err)
	for _, n := range nets {
		errs = append(errs, netsetup.DeleteBridge(n))
	}
	errs = append(errs, e.damagedNetworks()...)
	for _, dir := range []string{e.RunRoot, e.Root} {
		if err := os.RemoveAll(dir); err != nil {
			errs = append(errs, fmt.Errorf("remove %s: %w", dir, err))
		}
	}
	return withCode(ExitEngine, errors.Join(errs...))
}

// damagedNetworks names the networks whose record cannot be read (List
// skips them): their bridge and rules are not known, so not removed.
func (e *Engine) damagedNetworks() []error {
	entries, _ := os.ReadDir(filepath.Join(e.Root, "networks"))
	var errs []error
	for _, ent := range entries {
		if _, err := e.Networks.Get(ent.Name()); errors.Is(err, state.ErrDamaged) {
			errs = append(errs, fmt.Errorf("network %q: %w: its bridge and rules could not be found: delete them by hand (ip link, nft)", ent.Name(), err))
		}
	}
	return errs
}
