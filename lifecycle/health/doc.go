// Package health schedules a container's health checks inside its
// monitor, with no daemon and no timer units: the monitor keeps one timer
// and, when it fires, fork-execs the ctr-lite binary to run one check
// (`ctr-lite healthcheck run --internal-from-monitor ID`), which does the
// whole check (runc exec with the timeout, the record, events; it starts
// the --health-on-failure action as a detached process, which the Grace
// kill below never reaches). The package imports only the standard
// library and x/sys, so a small waiter program can carry it.
//
// Guarantees:
//   - at most one check runs at a time: the next is timed from the end of
//     the last (docker's monitor does the same), Interval after it, or
//     StartInterval while the container is within its start period and
//     still starting;
//   - the scheduler never waits on its checks itself (unless SelfReap):
//     the monitor is the container's subreaper and its reap loop reaps
//     every child, so it hands each reaped PID to Reaped, which ends the
//     run it belongs to (a PID is registered before the reap loop can see
//     it);
//   - a check still running Timeout plus Grace after it began is killed,
//     through its pidfd (os.Process's), never a PID reused after the reap
//     loop reaped it (the check command kills a hung check at Timeout
//     itself; this is the backstop against a stuck check command);
//   - after Stop no check starts; one running finishes on its own.
//
// A check's exit code tells the scheduler the status it recorded:
// ExitHealthy, ExitUnhealthy or ExitStarting; any other code (an error)
// leaves the status as it was.
package health
