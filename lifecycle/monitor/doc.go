// Package monitor runs detached containers, and foreground -t ones whose
// terminal the detach keys may leave running: Start re-executes ctr-lite as
// the container's monitor (as conmon is for podman) and returns once the
// container runs or failed to start. The monitor, in its own session and
// the child subreaper of the container, runs runc create and start (with
// the pty of a -t container received on a console socket), then execs
// the small waiter (smallwaiter_linux.go; a program of its own embedded in
// ctr-lite, lifecycle/monitor/smallwaiter), or, for what that does not do
// (bigWaiterReason: -t, foreground starts, CTR_LITE_BIG_WAITER=1, a waiter
// that cannot be installed), itself as the big waiter. A waiter keeps
// only what waiting needs: it copies
// the output into the json log, waits, records the exit, tears down what
// start set up, removes the container with --rm, and restarts it by its
// restart policy; under a Type=notify unit it tells systemd its PID and
// when the container is ready (--sdnotify). It also serves the container's attach socket (package
// attach): output to attached clients besides the log, their input to a
// -i container's stdin pipe or a -t one's pty. A foreground run -t or
// start -a of a -t container (StartAttached) is a monitor's start whose
// output waits for the CLI's attach; exec -t has an exec monitor of its
// own (exec_linux.go). A container with a health check gets its timer in
// the waiter (package lifecycle/health, health_linux.go): each check is
// the ctr-lite binary run as `healthcheck run --internal-from-monitor
// ID`, reaped by the waiter's reap loop. The hand-over between CLI,
// monitor and waiter is one
// typed, versioned message (handover.go); the monitor logs to monitor.log.
//
// Guarantees: no lock is held while the container runs; the starting CLI
// gets the first start's outcome with docker's exit code; the monitor
// keeps no descriptor of its caller open; a restart begins under the
// container's lock, so a stop is final.
package monitor
