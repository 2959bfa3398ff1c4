package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/ctr-lite/ctr-lite/internal/fault"
	"github.com/ctr-lite/ctr-lite/state"
)

// Pause freezes every process of a running container (runc pause: the
// freezer cgroup). The record is marked first and the freeze follows, so a
// crash between the two leaves a container marked paused that is not
// frozen, which Unpause accepts: it never leaves one frozen and unmarked,
// which nothing would ever thaw.
func (e *Engine) Pause(ctx context.Context, ref string) error {
	c, l, err := e.lockRunning(ctx, ref, "pause")
	if err != nil {
		return err
	}
	defer l.Unlock()
	if c.State.Paused {
		return fmt.Errorf("container %s is already paused", c.Name)
	}
	setPaused(c, true)
	if err := e.Containers.Save(c, false); err != nil {
		return fmt.Errorf("record pause of %q: %w", c.Name, err)
	}
	fault.Point("pause:after-mark")
	if out, err := e.RuncFor(c, "pause", c.ID).CombinedOutput(); err != nil {
		setPaused(c, false)
		e.Containers.Save(c, false)
		return fmt.Errorf("pause %q: %s", c.Name, strings.TrimSpace(string(out)))
	}
	return nil
}

// Unpause thaws a paused container.
func (e *Engine) Unpause(ctx context.Context, ref string) error {
	c, l, err := e.lockRunning(ctx, ref, "unpause")
	if err != nil {
		return err
	}
	defer l.Unlock()
	if !c.State.Paused {
		return fmt.Errorf("container %s is not paused", c.Name)
	}
	if err := e.thaw(c); err != nil {
		return err
	}
	setPaused(c, false)
	if err := e.Containers.Save(c, false); err != nil {
		return fmt.Errorf("record unpause of %q: %w", c.Name, err)
	}
	return nil
}

// thaw resumes c's processes; a container that is not frozen (a crash
// came between Pause's mark and its freeze) is thawed already.
func (e *Engine) thaw(c *state.Container) error {
	out, err := e.RuncFor(c, "resume", c.ID).CombinedOutput()
	if err != nil && !strings.Contains(string(out), "not paused") {
		return fmt.Errorf("unpause %q: %s", c.Name, strings.TrimSpace(string(out)))
	}
	return nil
}

// thawForSignal lets a signal reach a paused container's processes, as
// docker's stop and kill do: a frozen process handles no signal until it
// is thawed, so the signal is sent first and the thaw follows.
func (e *Engine) thawForSignal(ctx context.Context, id string) {
	c, _, l, err := e.LockAndLoad(ctx, id)
	if err != nil {
		return
	}
	defer l.Unlock()
	if !c.State.Paused {
		return
	}
	if e.thaw(c) == nil {
		setPaused(c, false)
		e.Containers.Save(c, false)
	}
}

func (e *Engine) lockRunning(ctx context.Context, ref, verb string) (*state.Container, *state.ContainerLock, error) {
	c, err := e.Lookup(ref)
	if err != nil {
		return nil, nil, err
	}
	c, _, l, err := e.LockAndLoad(ctx, c.ID)
	if err != nil {
		return nil, nil, err
	}
	if !IsRunning(c) {
		l.Unlock()
		return nil, nil, fmt.Errorf("cannot %s container %s: it is not running", verb, c.Name)
	}
	return c, l, nil
}

func setPaused(c *state.Container, paused bool) {
	c.State.Paused = paused
	c.State.Status = state.StatusRunning
	if paused {
		c.State.Status = state.StatusPaused
	}
}

// WithPaused runs fn with c (locked by the caller) frozen when it is
// running and not paused already, as docker commit --pause does, and
// thaws it after fn however fn ends: the thaw is deferred, and Ctrl-C or
// SIGTERM only cancel the context (main), so they reach it too. The
// record is marked paused first, as Pause does, and a thaw guard
// (thawguard_linux.go) is started before that: a ctr-lite killed by
// SIGKILL mid-commit has its guard run `unpause`, and should the guard
// die too, the container is still shown as paused, for `unpause`, never
// frozen and shown as running.
func (e *Engine) WithPaused(c *state.Container, fn func() error) (err error) {
	if !IsRunning(c) || c.State.Paused {
		return fn()
	}
	guard, err := e.startThawGuard(c.ID)
	if err != nil {
		return err
	}
	defer guard.release() // after the thaw below: deferred calls run last first
	setPaused(c, true)
	if err := e.Containers.Save(c, false); err != nil {
		return fmt.Errorf("record pause of %q: %w", c.Name, err)
	}
	defer func() {
		if terr := e.thaw(c); terr != nil {
			err = errors.Join(err, terr)
			return
		}
		setPaused(c, false)
		if serr := e.Containers.Save(c, false); serr != nil {
			err = errors.Join(err, fmt.Errorf("record unpause of %q: %w", c.Name, serr))
		}
	}()
	fault.Point("commit:after-mark")
	if out, perr := e.RuncFor(c, "pause", c.ID).CombinedOutput(); perr != nil {
		return fmt.Errorf("pause %q: %s", c.Name, strings.TrimSpace(string(out)))
	}
	fault.Point("commit:paused")
	return fn()
}
