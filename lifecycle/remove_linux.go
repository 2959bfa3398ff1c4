package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/ctr-lite/ctr-lite/internal/fault"
	"github.com/ctr-lite/ctr-lite/state"
)

// Remove deletes container ref, and with volumes its anonymous volumes. A
// running container is refused unless force, which kills it, lets the
// process that waits on it finish its own cleanup, and removes the rest.
func (e *Engine) Remove(ctx context.Context, ref string, force bool, volumes ...bool) error {
	id, err := e.Containers.Resolve(ref)
	if err != nil {
		return WithCode(ExitEngine, err)
	}
	l, err := e.Containers.LockContainer(ctx, id)
	if errors.Is(err, state.ErrNotFound) {
		return WithCode(ExitEngine, e.removeIfOrphan(ctx, id, err))
	}
	if err != nil {
		return WithCode(ExitEngine, err)
	}
	c, err := e.Containers.Load(id)
	if errors.Is(err, state.ErrDamaged) {
		defer l.Unlock()
		return WithCode(ExitEngine, e.removeDamaged(l, e.Containers.Damaged(id, err), force))
	}
	if err != nil {
		l.Unlock()
		return WithCode(ExitEngine, err)
	}
	if alive := c.Alive(); alive.Holds() {
		if !force {
			l.Unlock()
			return WithCode(ExitEngine, fmt.Errorf("cannot remove container %s: it is %s: stop it first or use rm -f", c.Name, c.State.Status))
		}
		// Marked stopped under this lock, where the monitor decides on a
		// restart, so that it does not restart what is being removed (as
		// Stop marks it; docker's rm -f kills with no restart).
		if err := e.markStoppedLocked(c); err != nil {
			l.Unlock()
			return WithCode(ExitEngine, err)
		}
		// In a restart backoff nothing runs: the monitor's restart begins
		// under this lock and finds the container gone. Anything else is
		// killed and its waiter left to finish first.
		if alive == state.Running || !c.State.Restarting {
			l.Unlock()
			if c, l, err = e.killAndRelock(ctx, c); c == nil {
				return WithCode(ExitEngine, err) // nil error: its --rm removed it
			}
		}
	}
	if err != nil {
		return WithCode(ExitEngine, err)
	}
	defer l.Unlock()
	hc := e.hostConfigToRemove(c)
	if err := e.removeLocked(l, c, hc); err != nil {
		return WithCode(ExitEngine, err)
	}
	if len(volumes) > 0 && volumes[0] {
		return WithCode(ExitEngine, e.removeAnonymousVolumes(hc.AnonymousVolumes))
	}
	return nil
}

// hostConfigToRemove reads c's hostconfig.json. A missing or damaged one
// (a crash, a full disk) gives a stand-in that makes the teardown look for
// everything a container could own: port rules and reservations included.
func (e *Engine) hostConfigToRemove(c *state.Container) *state.HostConfig {
	hc, err := e.Containers.LoadHostConfig(c.ID)
	if err == nil {
		return hc
	}
	if errors.Is(err, state.ErrDamaged) {
		e.Containers.Warnf("container %s: %v: removing what it owns without it", state.ShortID(c.ID), err)
	}
	return &state.HostConfig{PublishAllPorts: true}
}

// removeDamaged removes container c whose record is damaged (c is
// Store.Damaged's stand-in), under its lock l. The record no longer says
// whether it runs: if the runtime still knows it, rm without force refuses,
// and force kills it (by its ID) and waits for its process (named by the
// bundle's pid file); then everything it could own is released.
func (e *Engine) removeDamaged(l *state.ContainerLock, c *state.Container, force bool) error {
	_, err := os.Stat(filepath.Join(e.runcRoot(), c.ID))
	mayRun := err == nil
	if mayRun && !force {
		return fmt.Errorf("cannot remove container %s: its record is damaged (%v) and it may be running: use rm -f", state.ShortID(c.ID), c.Damage)
	}
	e.Containers.Warnf("container %s: %v: removing it", state.ShortID(c.ID), c.Damage)
	if mayRun {
		e.ForceKill(c)
		if data, err := os.ReadFile(filepath.Join(e.BundleDir(c.ID), "pid")); err == nil {
			pid, _ := strconv.Atoi(strings.TrimSpace(string(data)))
			waitForExit(context.Background(), pid, 0, 10*time.Second)
		}
	}
	hc := e.hostConfigToRemove(c)
	// Its address leases: the record that named its networks is gone.
	errs := []error{e.releaseHolderEverywhere(c.ID)}
	errs = append(errs, e.removeLocked(l, c, hc))
	return errors.Join(errs...)
}

// removeIfOrphan removes a reservation whose create died (no record, lock
// free); otherwise it returns notFound.
func (e *Engine) removeIfOrphan(ctx context.Context, id string, notFound error) error {
	l, err := e.Containers.GlobalLock(ctx)
	if err != nil {
		return err
	}
	defer l.Unlock()
	if !e.Containers.Orphaned(l, id) {
		return notFound
	}
	return e.removeOrphan(l, id, "")
}

// killAndRelock kills a running container, waits for its waiter to exit,
// and takes the lock again. A nil container means it is already gone.
func (e *Engine) killAndRelock(ctx context.Context, c *state.Container) (*state.Container, *state.ContainerLock, error) {
	e.ForceKill(c)
	gone(ctx, c, 10*time.Second)
	l, err := e.Containers.LockContainer(ctx, c.ID)
	if errors.Is(err, state.ErrNotFound) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	c, err = e.Containers.Load(c.ID)
	if err != nil {
		l.Unlock()
		return nil, nil, err
	}
	return c, l, nil
}

// waitForExit polls until the process is gone, ctx ends, or the timeout
// passes; after that the caller cleans up itself.
func waitForExit(ctx context.Context, pid int, start uint64, timeout time.Duration) {
	deadline := time.Now().Add(timeout)
	for processLives(pid, start) && time.Now().Before(deadline) && ctx.Err() == nil {
		time.Sleep(5 * time.Millisecond)
	}
}

// IsRunning tells the truth about a record saying "running" (a run is on:
// not between restarts), by state.Container.Alive, the one meaning of
// alive. A container whose monitor was killed runs on.
func IsRunning(c *state.Container) bool { return c.State.Running && c.Alive().Holds() }

// IsRestarting reports whether c waits out a restart backoff under a live
// monitor: docker's Restarting (and Running) state.
func IsRestarting(c *state.Container) bool { return c.State.Restarting && monitorLives(c) }

func monitorLives(c *state.Container) bool { return c.State.MonitorLives() }

// gone waits until neither the container's waiter nor its process is
// alive, or the timeout passes; it reports whether both are gone. One
// deadline covers both waits (stop -t 2 means 2 seconds, not 2+2).
func gone(ctx context.Context, c *state.Container, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	waitForExit(ctx, c.State.MonitorPid, c.State.MonitorStart, timeout)
	waitForExit(ctx, c.State.Pid, c.State.PidStart, time.Until(deadline))
	return !monitorLives(c) && !c.State.PidLives()
}

// reconcile runs the cleanup a crash skipped: a record says running but
// nothing runs. l is the container's lock.
func (e *Engine) reconcile(l *state.ContainerLock, c *state.Container, hc *state.HostConfig) error {
	if !c.State.Running || IsRunning(c) {
		return nil
	}
	if err := e.releaseRuntime(c, hc); err != nil {
		return err
	}
	e.recordExit(c, &ExitError{Code: ExitUnknownCode})
	return e.Containers.Save(c, false)
}

// kill sends SIGKILL to the container; the runtime's own exit follows.
func (e *Engine) ForceKill(c *state.Container) {
	if _, err := e.RuntimeFor(c); err == nil {
		e.RuncFor(c, "kill", c.ID, "KILL").Run()
	}
}

// removeLocked releases everything a container owns, under its lock (l).
// Every part is idempotent, so a second attempt after a crash works.
func (e *Engine) removeLocked(l *state.ContainerLock, c *state.Container, hc *state.HostConfig) error {
	defer e.Step("remove container")()
	c.State.Status = state.StatusRemoving
	c.State.Running = false
	if err := e.Containers.Save(c, false); err != nil {
		return err
	}
	fault.Point("rm:after-removing-record")
	if err := e.releaseRuntime(c, hc); err != nil {
		return err
	}
	fault.Point("rm:after-release-runtime")
	if err := e.Images.Driver.RemoveRW(c.ID); err != nil {
		return err
	}
	fault.Point("rm:after-remove-layer")
	if hc.ContainerIDFile != "" {
		os.Remove(hc.ContainerIDFile)
	}
	if err := e.Containers.DropName(c.OtherName, c.ID); err != nil {
		return err
	}
	if err := e.Containers.Release(c.ID, c.Name); err != nil {
		return err
	}
	e.Event(c, "destroy")
	if hc.AutoRemove { // docker's --rm takes the anonymous volumes too
		return e.removeAnonymousVolumes(hc.AnonymousVolumes)
	}
	return nil
}

// Run creates and starts a container attached; with AutoRemove it is
// removed after it exits, and also when it fails to start.
func (e *Engine) Run(ctx context.Context, r CreateRequest, stdio Stdio) error {
	if _, err := e.ResolveRuntime(r.Host.Runtime); err != nil { // before anything is made
		return err
	}
	c, err := e.Create(ctx, r)
	if err != nil {
		return err
	}
	return e.StartAttached(ctx, c.ID, stdio)
}
