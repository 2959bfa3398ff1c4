package lifecycle

import (
	"bytes"
	"context"
	"os"
	"path/filepath"

	"github.com/ctr-lite/ctr-lite/state"
)

// A reboot ends every container and clears the runroot (a tmpfs), but the
// records under the root still say "running" and the address leases are
// still held. The runroot keeps the boot ID it was set up under; the first
// command that finds it missing or different cleans up after the old boot.

const bootIDFile = "/proc/sys/kernel/random/boot_id"

func (e *Engine) bootIDPath() string { return filepath.Join(e.RunRoot, "boot-id") }

// checkBoot runs afterReboot once per boot; otherwise it costs two reads.
func (e *Engine) checkBoot(ctx context.Context) error {
	cur, err := os.ReadFile(bootIDFile)
	if err != nil {
		return nil // no boot ID to compare (not Linux /proc): nothing to do
	}
	if old, err := os.ReadFile(e.bootIDPath()); err == nil && bytes.Equal(old, cur) {
		return nil
	}
	list, err := e.listAfterReboot(ctx, cur)
	if err != nil || list == nil {
		return err
	}
	e.afterReboot(ctx, list)
	// Last, once every container is handled: a command that finds the
	// boot ID written finds the old boot cleaned up.
	return state.WriteFileAtomic(e.bootIDPath(), cur, 0o600, false)
}

// listAfterReboot lists the containers under the global lock, which is
// released before any container's lock is taken (start takes them in the
// other order: container, then global). nil: another command did it.
func (e *Engine) listAfterReboot(ctx context.Context, cur []byte) ([]*state.Container, error) {
	l, err := e.Containers.GlobalLock(ctx)
	if err != nil {
		return nil, err
	}
	defer l.Unlock()
	if old, err := os.ReadFile(e.bootIDPath()); err == nil && bytes.Equal(old, cur) {
		return nil, nil // another command did it meanwhile
	}
	list, err := e.Containers.List()
	if err != nil {
		e.Log.Warn("list containers after a reboot", "error", err)
	}
	if list == nil {
		list = []*state.Container{}
	}
	return list, nil
}

// afterReboot marks the containers that were running, and whose
// processes are gone, as exited (code 255, docker's "unknown") and
// releases what survives a reboot: their address leases. Mounts,
// namespaces, rules and processes went with the old boot. Each container
// is judged again under its own lock: two commands may do this at once,
// and a container may have been started in this boot meanwhile.
func (e *Engine) afterReboot(ctx context.Context, list []*state.Container) {
	for _, c := range list {
		if !c.State.Running || IsRunning(c) {
			continue // a runroot switched by hand while containers run
		}
		c, hc, l, err := e.LockAndLoad(ctx, c.ID)
		if err != nil {
			continue
		}
		if c.State.Running && !IsRunning(c) {
			e.Log.Info("marking a container of the previous boot exited", "name", c.Name)
			e.teardownNetwork(c, hc)
			e.recordExit(c, &ExitError{Code: ExitUnknownCode})
			e.Containers.Save(c, true)
		}
		l.Unlock()
	}
}
