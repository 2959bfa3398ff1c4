package monitor

import (
	"fmt"
	"os"
	"runtime/debug"
	"time"

	"golang.org/x/sys/unix"

	"github.com/ctr-lite/ctr-lite/lifecycle"
	"github.com/ctr-lite/ctr-lite/lifecycle/monitor/waiterbin"
	"github.com/ctr-lite/ctr-lite/reexec"
)

// Once the container runs, the monitor only copies its output and waits.
// Starting it left the monitor's heap holding what start needed (the spec
// and its JSON encoder caches, netlink and nftables state, the seccomp
// profile), so the monitor re-executes itself as the waiter: the same PID,
// still the container's parent, with the log and the output pipes handed
// on by descriptor, named in the hand-over message (handover.go), and
// nothing else. A restart (by policy) happens in the waiter, which execs
// a fresh waiter after it.

const waiterEntry = "ctr-lite-monitor-wait"

func init() { reexec.Register(waiterEntry, waiterMain) }

// waiterFiles are the descriptors a waiter needs, and the optional one.
// "stdin" is a -i container's stdin pipe, "attach" the attach socket,
// "notify" the socket a --sdnotify container service sends to: all
// optional, so the hand-over stays version 1 (a message without them is
// a container nobody can attach to, not a misread one).
var waiterFiles, waiterOptional = []string{"stdout", "stderr"}, []string{"log", "pty", "stdin", "attach", "notify"}

// execWaiter replaces the monitor with a waiter for container id (pid),
// whose start followed backoff; it returns only if the exec failed, and
// then the caller waits itself.
func (e *supervisor) execWaiter(id string, pid int, backoff time.Duration, out *lifecycle.Output, notify *lifecycle.Notifier) {
	out.StdoutW.Close() // the container holds its own write ends
	out.StderrW.Close()
	out.StdoutW, out.StderrW = nil, nil
	if reason := e.bigWaiterReason(id); reason == "" {
		err := e.execSmallWaiter(id, pid, backoff, out, notify) // returns only if it failed
		e.Log.Warn("monitor: the small waiter cannot run: the big one waits", "container", id, "error", err)
	} else {
		e.Log.Debug("monitor: the big waiter waits", "container", id, "reason", reason)
	}
	open := map[string]*os.File{"log": out.Log.File(), "stdout": out.StdoutR, "stderr": out.StderrR, "pty": out.PTY,
		"stdin": out.StdinW, "attach": out.Attach, "notify": notify.Relay()}
	h := e.handover(id)
	h.Pid, h.Backoff, h.SdNotify, h.Attached = pid, backoff, notify.Mode(), e.attached
	for _, name := range append(append([]string(nil), waiterFiles...), waiterOptional...) {
		if f := open[name]; f != nil {
			fd := int(f.Fd())
			unix.FcntlInt(uintptr(fd), unix.F_SETFD, 0) // kept across exec
			h.Files = append(h.Files, handoverFile{Name: name, FD: fd})
		}
	}
	os.Setenv(handoverEnv, h.encode())
	err := reexec.Exec(waiterEntry, psArgs(e, id)...)
	os.Unsetenv(handoverEnv)
	e.Log.Warn("monitor: waiting in the starting process", "error", err)
	for _, f := range h.Files {
		unix.CloseOnExec(f.FD)
	}
}

// bigWaiterReason is bigWaiterReason for container id.
func (e *supervisor) bigWaiterReason(id string) string {
	c, err := e.Containers.Load(id)
	if err != nil {
		return err.Error()
	}
	return bigWaiterReason(c, e.LogDriver(id), e.attached != nil, len(waiterbin.Binary()) > 0, os.Getenv)
}

func waiterMain() {
	debug.SetGCPercent(20)
	h, err := receiveHandover()
	if err != nil {
		fmt.Fprintln(os.Stderr, "ctr-lite monitor:", err)
		os.Exit(2)
	}
	e, err := h.openEngine()
	if err != nil {
		os.Exit(1)
	}
	unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
	files, err := h.files(waiterFiles, waiterOptional...)
	if err != nil {
		e.Log.Error("monitor: the container is left unwaited; rm -f cleans up", "container", h.ID, "error", err)
		os.Exit(2)
	}
	log, err := e.OpenLogSink(h.ID, files["log"])
	if err != nil {
		e.Log.Error("monitor: the container's output is not logged", "container", h.ID, "error", err)
		log = lifecycle.DiscardLog()
	}
	e.attached = h.Attached
	out := &lifecycle.Output{Log: log, StdoutR: files["stdout"], StderrR: files["stderr"], PTY: files["pty"],
		StdinW: files["stdin"], Attach: files["attach"]}
	code := e.waitContainer(h.ID, h.Pid, out, lifecycle.ResumeNotifier(h.SdNotify, files["notify"]))
	e.attached = nil // a restart has no foreground CLI
	if backoff, again := e.restartAfter(h.ID, code, h.Backoff); again {
		os.Exit(e.supervise(h.ID, nil, backoff))
	}
	os.Exit(e.exit)
}
