package lifecycle

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/ctr-lite/ctr-lite/opts"

	"github.com/ctr-lite/ctr-lite/specgen"
	"github.com/ctr-lite/ctr-lite/state"
)

// UpdateOptions is docker update's flags: Apply sets the changed fields
// on a container's HostConfig.
type UpdateOptions struct {
	Apply func(*state.HostConfig)
}

// Update changes a container's resource limits and restart policy, as
// docker update does. The record (hostconfig.json) is written first, so
// inspect and the next start use it and the monitor reads the new policy
// at the container's next exit; a running container's cgroup follows
// through runc update. If runc refuses, the record is put back.
func (e *Engine) Update(ctx context.Context, ref string, o UpdateOptions) error {
	c, err := e.Lookup(ref)
	if err != nil {
		return err
	}
	c, hc, l, err := e.LockAndLoad(ctx, c.ID)
	if err != nil {
		return err
	}
	defer l.Unlock()
	old := *hc
	o.Apply(hc)
	// The checks create makes, so no record holds what create would refuse.
	if err := opts.ValidateUpdate(hc); err != nil {
		return fmt.Errorf("update %q: %w", c.Name, err)
	}
	if err := e.Containers.SaveHostConfig(c.ID, hc, true); err != nil {
		return fmt.Errorf("record update of %q: %w", c.Name, err)
	}
	if IsRunning(c) {
		err := e.reserveRealtime(c.ID, hc)
		if err == nil {
			err = e.runcUpdate(c, hc)
		}
		if err != nil {
			e.Containers.SaveHostConfig(c.ID, &old, true)
			// runc may have set some cgroup files before it failed: put
			// the old limits back so the cgroup matches the record again.
			e.runcUpdate(c, &old)
			return fmt.Errorf("update %q: %w", c.Name, err)
		}
	}
	e.Event(c, "update") // docker's, once the update holds
	return nil
}

// runcUpdate sets a running container's cgroup to hc's resources. The
// error is the one runc logged, not its two-line logrus output.
func (e *Engine) runcUpdate(c *state.Container, hc *state.HostConfig) error {
	body, err := json.Marshal(specgen.Resources(hc))
	if err != nil {
		return err
	}
	log := filepath.Join(e.BundleDir(c.ID), "update.log")
	defer os.Remove(log)
	cmd := e.RuncFor(c, "--log", log, "--log-format", "json", "update", "--resources", "-", c.ID)
	cmd.Stdin = bytes.NewReader(body)
	if out, err := cmd.CombinedOutput(); err != nil {
		if msg := RuntimeError(log); msg != "" {
			return errors.New(msg)
		}
		return errors.New(strings.TrimSpace(string(out)))
	}
	return nil
}
