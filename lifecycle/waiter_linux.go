package lifecycle

import (
	"os"
	"runtime/debug"
	"strconv"

	"golang.org/x/sys/unix"

	"github.com/ctr-lite/ctr-lite/reexec"
	"github.com/ctr-lite/ctr-lite/state"
)

// Once the container runs, the monitor only copies its output and waits.
// Starting it left the monitor's heap holding what start needed (the spec
// and its JSON encoder caches, netlink and nftables state, the seccomp
// profile), so the monitor re-executes itself as the waiter: the same PID,
// still the container's parent, with the log and the output pipes handed
// on by descriptor and nothing else. A restart (by policy) happens in the
// waiter, which execs a fresh waiter after it.

const waiterEntry = "ctr-lite-monitor-wait"

func init() { reexec.Register(waiterEntry, waiterMain) }

// execWaiter replaces the monitor with a waiter for container id (pid);
// it returns only if the exec failed, and then the caller waits itself.
func (e *Engine) execWaiter(id string, pid, attempt int, out *output) {
	files := []*os.File{out.log.File(), out.stdoutR, out.stderrR, out.pty}
	args := append(e.monitorArgs(id), strconv.Itoa(pid), strconv.Itoa(attempt))
	for _, f := range files {
		fd := -1
		if f != nil {
			fd = int(f.Fd())
			unix.FcntlInt(uintptr(fd), unix.F_SETFD, 0) // kept across exec
		}
		args = append(args, strconv.Itoa(fd))
	}
	out.stdoutW.Close() // the container holds its own write ends
	out.stderrW.Close()
	out.stdoutW, out.stderrW = nil, nil
	err := reexec.Exec(waiterEntry, args...)
	e.Log.Warn("monitor: waiting in the starting process", "error", err)
	for _, f := range files {
		if f != nil {
			unix.CloseOnExec(int(f.Fd()))
		}
	}
}

func waiterMain() {
	a := os.Args[1:]
	if len(a) != 13 {
		os.Exit(2)
	}
	debug.SetGCPercent(20)
	e, err := engineFromArgs(a)
	if err != nil {
		os.Exit(1)
	}
	unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
	id := a[6]
	pid, _ := strconv.Atoi(a[7])
	attempt, _ := strconv.Atoi(a[8])
	out := &output{log: state.LogFromFile(inherited(a[9])), stdoutR: inherited(a[10]), stderrR: inherited(a[11]), pty: inherited(a[12])}
	code := e.waitContainer(id, pid, out)
	if e.restartAfter(id, code, attempt) {
		os.Exit(e.supervise(id, nil, attempt+1))
	}
	os.Exit(0)
}

// inherited opens a descriptor handed on across exec (-1: none), marking
// it close-on-exec again so that runc, started by a restart, never gets it.
func inherited(s string) *os.File {
	fd, err := strconv.Atoi(s)
	if err != nil || fd < 0 {
		return nil
	}
	unix.CloseOnExec(fd)
	return os.NewFile(uintptr(fd), "inherited-"+s)
}
