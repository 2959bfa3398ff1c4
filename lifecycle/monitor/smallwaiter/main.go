//go:build linux

// Command smallwaiter is the small waiter: what a detached container's
// monitor execs into once the container runs, in place of re-executing
// the whole ctr-lite binary (package monitor, waiter.go). It is built on
// its own and embedded in ctr-lite (lifecycle/monitor/waiterbin), so
// ctr-lite stays one file to install. It imports the standard library,
// x/sys and stdlib-only ctr-lite packages only, which keeps it near
// conmon's memory: it copies the output to the log driver, serves the
// attach socket, runs the health check timer, tells systemd, reaps the
// container, and then hands over to ctr-lite's own entries for
// everything that needs the engine: `ctr-lite-monitor-finish` (a child:
// record the exit, tear down, --rm) and `ctr-lite-monitor-restart`
// (exec'd, same PID: the restart policy, or exit with the monitor's
// status). ctr-lite is run through a descriptor of its binary that the
// monitor opened (/proc/self/fd/N), so it is the binary that started the
// container whatever is at its path now.
package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"time"

	"golang.org/x/sys/unix"

	"github.com/ctr-lite/ctr-lite/internal/memtrim"
	"github.com/ctr-lite/ctr-lite/lifecycle/monitor/waitproto"
)

// Entry points of the ctr-lite binary (package monitor registers them).
const (
	finishEntry   = "ctr-lite-monitor-finish"
	restartEntry  = "ctr-lite-monitor-restart"
	compressEntry = "ctr-lite-log-compress"
	// reexecMark is reexec's mark of a process started as an entry point.
	reexecMark = "CTR_LITE_REEXEC_CHILD=1"
)

func main() {
	debug.SetGCPercent(20) // the monitor also sets GOGC for the runtime's start
	m, err := waitproto.Parse(os.Getenv(waitproto.Env))
	os.Unsetenv(waitproto.Env)
	// Set by the monitor for this program's runtime only: not for the
	// checks and entries it runs.
	os.Unsetenv("GOMAXPROCS")
	os.Unsetenv("GOGC")
	if err != nil {
		fmt.Fprintln(os.Stderr, "ctr-lite waiter:", err)
		os.Exit(2)
	}
	unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
	w := &waiter{m: m, log: newLogger(m), kids: newReaper()}
	os.Exit(w.run())
}

// waiter is one container's wait.
type waiter struct {
	m    *waitproto.Message
	log  *logger
	kids *reaper
	big  string // the ctr-lite binary, /proc/self/fd/N
	// self is the open ctr-lite binary big names: referenced for the
	// waiter's life, or a GC would close its descriptor.
	self *os.File
}

func (w *waiter) run() int {
	files := w.files()
	w.self = files["ctr-lite"]
	w.big = "/proc/self/fd/" + strconv.Itoa(w.m.FD("ctr-lite"))
	if w.self == nil {
		w.log.Error("the ctr-lite binary was not handed over: the container is left unwaited; rm -f cleans up", nil)
		return 2
	}
	out := w.startOutput(files)
	stopNotify := w.notify(files["notify"])
	checks := w.startHealthchecks()
	// Start is done: give back its heap and its code pages, then wait.
	debug.FreeOSMemory()
	memtrim.DropCodePages()
	code := w.kids.waitContainer(w.m.Pid, checks)
	if checks != nil {
		checks.Stop()
	}
	stopNotify()
	w.log.Info("container exited", "code", strconv.Itoa(code))
	out.wait(2 * time.Second)
	exit := w.finish(code)
	out.exit(code) // after the finish: an attach that returns sees the container exited
	w.restart(code, exit)
	runtime.KeepAlive(w.self)
	return exit
}

// files opens the handed-over descriptors, close-on-exec so that what
// this program starts never gets them.
func (w *waiter) files() map[string]*os.File {
	out := map[string]*os.File{}
	for _, f := range w.m.Files {
		if _, err := unix.FcntlInt(uintptr(f.FD), unix.F_GETFD, 0); err != nil {
			w.log.Warn("a handed-over descriptor is not open", err, "name", f.Name)
			continue
		}
		unix.CloseOnExec(f.FD)
		out[f.Name] = os.NewFile(uintptr(f.FD), f.Name)
	}
	return out
}

// entryEnv is the environment of a ctr-lite entry point with message m.
func entryEnv(m *waitproto.Message) []string {
	return append(os.Environ(), reexecMark, waitproto.Env+"="+m.Encode())
}

func (w *waiter) psArgs(entry string) []string { return []string{entry, "--root", w.m.Root, w.m.ID} }

// finish runs ctr-lite's finish entry, which records the exit and tears
// down what start set up, and returns the status the monitor exits with
// (what the entry prints: 0 after a user's stop, else code).
func (w *waiter) finish(code int) int {
	m := *w.m
	m.Code, m.Files = code, nil
	r, wr, err := os.Pipe()
	if err != nil {
		w.log.Warn("finish: make a pipe", err)
		return code
	}
	defer r.Close()
	null, _ := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	defer null.Close()
	pid, done, err := w.kids.start(w.big, w.psArgs(finishEntry), entryEnv(&m), []*os.File{null, wr, null})
	wr.Close()
	if err != nil {
		w.log.Warn("finish: run ctr-lite; rm -f cleans up", err)
		return code
	}
	var buf [32]byte
	n, _ := r.Read(buf[:])
	ws := <-done
	exit, perr := strconv.Atoi(string(trimSpace(buf[:n])))
	if !ws.Exited() || ws.ExitStatus() != 0 || perr != nil {
		w.log.Warn("finish failed; rm -f cleans up", fmt.Errorf("pid %d: wait status %#x, said %q", pid, uint32(ws), buf[:n]))
		return code
	}
	return exit
}

// restart execs ctr-lite's restart entry (same PID, still the subreaper):
// it applies the restart policy and restarts the container, whose next
// run gets a small waiter again, or exits with exit. It returns only if
// the exec failed.
func (w *waiter) restart(code, exit int) {
	m := *w.m
	m.Code, m.Exit, m.Files = code, exit, nil
	err := unix.Exec(w.big, w.psArgs(restartEntry), entryEnv(&m))
	w.log.Warn("exec ctr-lite for the restart policy: the container is not restarted", err)
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == ' ') {
		b = b[:len(b)-1]
	}
	return b
}
