package monitor

import (
	"golang.org/x/sys/unix"

	"github.com/ctr-lite/ctr-lite/lifecycle/health"
	"github.com/ctr-lite/ctr-lite/reexec"
)

// healthchecks is a container's check schedule while the waiter waits;
// nil for a container without a check (its methods are no-ops then).
type healthchecks struct{ s *health.Scheduler }

// startHealthchecks arms container id's health checks: the waiter keeps
// only the timer, and each check is the ctr-lite binary run as
// `healthcheck run --internal-from-monitor ID` (the flag cmd/healthcheck.go
// defines), which does and records the whole check.
func (e *supervisor) startHealthchecks(id string) *healthchecks {
	c, err := e.Containers.Load(id)
	if err != nil {
		return nil
	}
	// The running binary, whatever is at its path now.
	cfg, ok := e.HealthSchedule(c, "/proc/self/exe", "--log-level", levelOf(e.Log).String())
	if !ok {
		return nil
	}
	s := &health.Scheduler{Config: cfg,
		Env: reexec.PlainEnv(), // the CLI, not an entry point
		Log: func(msg string, err error) { e.Log.Warn(msg, "container", id, "error", err) },
	}
	s.Start()
	e.Log.Info("health checks scheduled", "container", id, "interval", cfg.Timing.Interval, "start-period", cfg.Timing.StartPeriod)
	return &healthchecks{s: s}
}

// Reaped hands a reaped child to the schedule (ReapUntilWith's other).
func (h *healthchecks) Reaped(pid int, ws unix.WaitStatus) bool {
	return h != nil && h.s.Reaped(pid, ws)
}

// Stop ends the schedule once the container exited.
func (h *healthchecks) Stop() {
	if h != nil {
		h.s.Stop()
	}
}
