package monitor

import (
	"os"
	"path/filepath"
	"strconv"

	"github.com/ctr-lite/ctr-lite/lifecycle"
	"github.com/ctr-lite/ctr-lite/state"
)

// PidFile is where the monitor of container id keeps its PID while the
// container runs, as podman's conmon keeps its pid file: a systemd unit
// names it in PIDFile=, so a unit that starts a container that already
// runs follows that container's monitor instead of stopping it. It is in
// the bundle directory, which the container's teardown (after its exit,
// or rm -f) removes with it.
func PidFile(e *lifecycle.Engine, id string) string {
	return filepath.Join(e.BundleDir(id), "monitor.pid")
}

// writePidFile records the monitor's PID in PidFile once the container
// runs; without it only a unit's PIDFile= misses it, so a failure is
// logged, not fatal.
func (e *supervisor) writePidFile(id string) {
	pid := []byte(strconv.Itoa(os.Getpid()) + "\n")
	if err := state.WriteFileAtomic(PidFile(e.Engine, id), pid, 0o644, false); err != nil {
		e.Log.Warn("record the monitor's pid", "container", id, "error", err)
	}
}
