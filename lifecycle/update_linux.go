package lifecycle

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"

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
	if hc.Memory > 0 && hc.MemorySwap > 0 && hc.MemorySwap < hc.Memory {
		return fmt.Errorf("update %q: --memory-swap must be at least --memory: raise it or use -1 for unlimited swap", c.Name)
	}
	if hc.MemoryReservation > 0 && hc.Memory > 0 && hc.MemoryReservation > hc.Memory {
		return fmt.Errorf("update %q: --memory-reservation must be at most --memory", c.Name)
	}
	if err := e.Containers.SaveHostConfig(c.ID, hc, true); err != nil {
		return fmt.Errorf("record update of %q: %w", c.Name, err)
	}
	if !IsRunning(c) {
		return nil
	}
	res := specgen.Resources(hc)
	body, err := json.Marshal(res)
	if err != nil {
		return err
	}
	cmd := e.Runc("update", "--resources", "-", c.ID)
	cmd.Stdin = bytes.NewReader(body)
	if out, err := cmd.CombinedOutput(); err != nil {
		e.Containers.SaveHostConfig(c.ID, &old, true)
		return fmt.Errorf("update %q: %s", c.Name, strings.TrimSpace(string(out)))
	}
	return nil
}
