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
	l, err := e.Containers.GlobalLock(ctx)
	if err != nil {
		return err
	}
	defer l.Unlock()
	if old, err := os.ReadFile(e.bootIDPath()); err == nil && bytes.Equal(old, cur) {
		return nil // another command did it meanwhile
	}
	e.afterReboot(ctx, l)
	return state.WriteFileAtomic(e.bootIDPath(), cur, 0o600, false)
}

// afterReboot marks the containers that were running, and whose
// processes are gone, as exited (code 255,
// docker's "unknown") and releases what survives a reboot: their address
// leases (under g, the global lock its caller holds). Mounts, namespaces, rules and processes went with the old boot.
func (e *Engine) afterReboot(ctx context.Context, g *state.Global) {
	list, err := e.Containers.List()
	if err != nil {
		return
	}
	for _, c := range list {
		if !c.State.Running || IsRunning(c) {
			continue // a runroot switched by hand while containers run
		}
		e.Log.Info("marking a container of the previous boot exited", "name", c.Name)
		if c, hc, l, err := e.LockAndLoad(ctx, c.ID); err == nil {
			e.teardownNetworkHeld(g, c, hc)
			e.recordExit(c, &ExitError{Code: ExitUnknownCode})
			e.Containers.Save(c, true)
			l.Unlock()
		}
	}
}
