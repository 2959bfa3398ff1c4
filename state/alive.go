package state

import (
	"os"
	"strconv"
	"strings"
)

// Liveness is what a container's record and its two processes (the
// container's own and the ctr-lite process that waits on it: its monitor or
// the attached CLI) say together. It is the one meaning of "alive" that
// ps, rm, start, stop, the address and port leases and the after-reboot
// cleanup share.
type Liveness int

const (
	// Gone: the record says the container is not running (nor between
	// restarts), or it says so but neither process exists any more: a
	// crash or a reboot ended them and their cleanup is due.
	Gone Liveness = iota
	// Running: the container's process lives. Its monitor may be dead (a
	// kill -9 of the monitor): the container still runs, and still holds
	// its name, address and published ports.
	Running
	// Waiting: the monitor lives but the container's process does not: it
	// is starting (no PID recorded yet) or waiting out a restart backoff.
	// It is not gone: rm needs -f, start is a no-op, and a lease it holds
	// (a start takes them before it records the PID) stays its own. After
	// an exit its leases are released and a restart takes them again.
	Waiting
)

// Holds reports whether the container still holds what it runs with (its
// address and ports): anything but Gone.
func (l Liveness) Holds() bool { return l != Gone }

func (l Liveness) String() string {
	switch l {
	case Running:
		return "running"
	case Waiting:
		return "waiting"
	}
	return "gone"
}

// Alive says whether the container's record is borne out by live
// processes. A PID counts only with the start time recorded for it, so a
// recycled PID (after a crash or a reboot) is never taken for the
// container or its monitor. A PID recorded without one (start 0) counts
// for nothing: every ctr-lite since start times were added (before record
// versions) records the start with the PID, and a process whose start
// cannot be read is gone (RecordPid then records no PID).
func (c *Container) Alive() Liveness {
	s := c.State
	switch {
	case !s.Running && !s.Restarting:
		return Gone
	case s.PidLives():
		return Running
	case s.MonitorLives():
		return Waiting
	}
	return Gone
}

// PidLives reports whether the container's recorded process lives (see
// Alive for a PID recorded without its start time).
func (s State) PidLives() bool { return s.PidStart != 0 && ProcessLives(s.Pid, s.PidStart) }

// MonitorLives reports whether the recorded waiter (monitor or attached
// CLI) lives.
func (s State) MonitorLives() bool {
	return s.MonitorStart != 0 && ProcessLives(s.MonitorPid, s.MonitorStart)
}

// ProcessLives reports whether a process exists, has not exited and
// started at start (clock ticks since boot, 0: any, for a PID known
// without its start, such as runc's pid file): a recycled PID is another
// process. kill -0 alone also succeeds for a zombie, which lingers
// until its parent reaps it: a detached monitor's parent is PID 1, which
// may take its time.
func ProcessLives(pid int, start uint64) bool {
	if pid <= 0 {
		return false
	}
	st, started, ok := ProcStat(strconv.Itoa(pid))
	return ok && st != 'Z' && (start == 0 || started == start)
}

// ProcStat reads a process's state and start time from /proc/PID/stat
// (pid may be "self").
func ProcStat(pid string) (state byte, start uint64, ok bool) {
	st, ok := ReadStat(pid)
	return st.State, st.Start, ok
}

// Stat is what ctr-lite reads of /proc/PID/stat.
type Stat struct {
	State byte
	PPid  int
	Start uint64 // in clock ticks since boot: with the PID, a process's identity
}

// ReadStat parses /proc/PID/stat, the one reader of it.
func ReadStat(pid string) (Stat, bool) {
	data, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return Stat{}, false
	}
	// Fields follow the command name, which is in parentheses and may
	// hold spaces: state is field 3, ppid field 4, starttime field 22.
	i := strings.LastIndexByte(string(data), ')')
	if i < 0 {
		return Stat{}, false
	}
	fields := strings.Fields(string(data[i+1:]))
	if len(fields) < 20 {
		return Stat{}, false
	}
	ppid, _ := strconv.Atoi(fields[1])
	start, _ := strconv.ParseUint(fields[19], 10, 64)
	return Stat{State: fields[0][0], PPid: ppid, Start: start}, true
}
