package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/ctr-lite/ctr-lite/internal/fault"
	"github.com/ctr-lite/ctr-lite/state"
)

// Rename gives container ref the name newName, as docker rename does, in
// an order a crash cannot break: the new name is added to the index, the
// record saved with it, then the old name dropped, so the container is
// found by one of its names after a crash at any step (and rm -f of it
// leaves nothing that a later create does not reclaim). A running
// container's hosts file and its peers' on user-defined networks follow.
func (e *Engine) Rename(ctx context.Context, ref, newName string) error {
	found, err := e.Lookup(ref)
	if err != nil {
		return err
	}
	c, hc, l, err := e.LockAndLoad(ctx, found.ID)
	if err != nil {
		return WithCode(ExitEngine, err)
	}
	defer l.Unlock()
	newName = strings.TrimPrefix(newName, "/")
	if c.Name == newName {
		return WithCode(ExitEngine, errors.New("Renaming a container with the same name as its current name"))
	}
	if !state.ValidName(newName) {
		return WithCode(ExitEngine, fmt.Errorf("Invalid container name (/%s), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed", newName))
	}
	oldName := c.Name
	if err := e.renameRecord(ctx, c, newName, !hc.AutoRemove); err != nil {
		return WithCode(ExitEngine, err)
	}
	c.Name = newName
	e.Event(c, "rename", "oldName", "/"+oldName)
	if IsRunning(c) {
		e.renameInHosts(c, hc)
	}
	return nil
}

// renameRecord does the steps under the global lock, which guards the
// name index; c's lock is held, so no other step saves its record. The
// record names the second index entry (OtherName) before it exists and
// until it is gone, so rm -f after a crash at any step removes both.
func (e *Engine) renameRecord(ctx context.Context, c *state.Container, newName string, durable bool) error {
	g, err := e.Containers.GlobalLock(ctx)
	if err != nil {
		return err
	}
	defer g.Unlock()
	// A rename that crashed left its second entry: drop it first, or a
	// rename to a third name would forget it and the name stay taken.
	if left := c.OtherName; left != "" && left != newName {
		if err := e.Containers.DropName(left, c.ID); err != nil {
			return err
		}
	}
	oldName := c.Name
	c.OtherName = newName
	if err := e.Containers.Save(c, durable); err != nil {
		return err
	}
	if err := e.claimName(g, newName, c.ID, durable); err != nil {
		c.OtherName = ""
		return errors.Join(err, e.Containers.Save(c, durable))
	}
	fault.Point("rename:after-add-name")
	c.Name, c.OtherName = newName, oldName
	if err := e.Containers.Save(c, durable); err != nil {
		return err // both names lead to it; rm -f removes both
	}
	fault.Point("rename:after-record")
	if err := e.Containers.DropName(oldName, c.ID); err != nil {
		return err
	}
	c.OtherName = ""
	return e.Containers.Save(c, durable)
}

// claimName adds newName to the index for id, reclaiming it from a
// create that died, with docker's error for a name in use.
func (e *Engine) claimName(g *state.Global, newName, id string, durable bool) error {
	err := e.Containers.AddName(g, newName, id, durable)
	var inUse *state.NameInUseError
	if errors.As(err, &inUse) && inUse.ID != "" && e.Containers.Orphaned(g, inUse.ID) {
		e.removeOrphan(g, inUse.ID, newName)
		err = e.Containers.AddName(g, newName, id, durable)
	}
	if errors.As(err, &inUse) {
		return fmt.Errorf("Error when allocating new name: Conflict. The container name \"/%s\" is already in use by container %q. You have to remove (or rename) that container to be able to reuse that name.", newName, inUse.ID)
	}
	return err
}

// renameInHosts rewrites c's own hosts file and those of its peers on
// each of its networks: the names they hold for it are its record's.
// The rename is done by then, so a hosts file that cannot be written is
// only warned about.
func (e *Engine) renameInHosts(c *state.Container, hc *state.HostConfig) {
	if len(c.NetworkSettings.Networks) > 0 {
		if err := e.writeHosts(c, hc); err != nil {
			e.Log.Warn("update the hosts file after a rename", "container", c.ID, "err", err)
		}
	}
	for name := range c.NetworkSettings.Networks {
		if n, err := e.Networks.Get(name); err == nil {
			e.updatePeers(n, c.ID)
		}
	}
}
