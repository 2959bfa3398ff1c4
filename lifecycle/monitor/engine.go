package monitor

import (
	"context"

	"github.com/ctr-lite/ctr-lite/lifecycle"
)

// supervisor is the engine as the monitor drives it: the start, finish
// and runtime steps of package lifecycle, plus the monitor's own.
type supervisor struct {
	*lifecycle.Engine
	exit int // the status to exit with: see waitContainer
	// attached is the first run's foreground start, if it is one (nil
	// for run -d, start and every restart).
	attached *attachedStart
}

// Start starts container ref under a new monitor and returns once the
// container runs (or failed to start, with docker's exit code). A running
// container is left as it is, as docker start does.
func Start(ctx context.Context, e *lifecycle.Engine, ref string) error {
	return (&supervisor{Engine: e}).startDetached(ctx, ref, nil)
}

// openSupervisor opens the engine o describes, as a monitor, a waiter or
// a test of this package does; on error the supervisor holds no engine.
func openSupervisor(o lifecycle.Options) (*supervisor, error) {
	e, err := lifecycle.New(o)
	return &supervisor{Engine: e}, err
}
