package monitor

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/ctr-lite/ctr-lite/internal/fault"
	"github.com/ctr-lite/ctr-lite/internal/memtrim"
	"github.com/ctr-lite/ctr-lite/lifecycle"
	"github.com/ctr-lite/ctr-lite/lifecycle/attach"
	"github.com/ctr-lite/ctr-lite/lifecycle/initproc"
	"github.com/ctr-lite/ctr-lite/reexec"
	"github.com/ctr-lite/ctr-lite/state"
)

// The monitor is ctr-lite re-executed as the one long-lived process of a
// detached container, as conmon is for podman: in its own session, the
// child subreaper of the container, it writes the container's output to
// its json log, waits for it, records how it ended, tears down what start
// set up, removes it with --rm, and restarts it by its restart policy. It
// holds no lock while the container runs.
const monitorEntry = "ctr-lite-monitor"

func init() { reexec.Register(monitorEntry, monitorMain) }

// closeInherited closes the descriptors the monitor inherited by accident
// (those without close-on-exec, above its status pipe): it lives as long as
// its container, and must not keep a caller's pipe open all that time (a
// shell's $(...), bats' fd 3). The Go runtime's own are close-on-exec.
func closeInherited() {
	entries, _ := os.ReadDir("/proc/self/fd")
	for _, e := range entries {
		fd, err := strconv.Atoi(e.Name())
		if err != nil || fd <= 3 {
			continue
		}
		if flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err == nil && flags&unix.FD_CLOEXEC == 0 {
			unix.Close(fd)
		}
	}
}

// statusFD is where a monitor finds its status pipe: ExtraFiles[0].
const statusFD = 3

func monitorMain() {
	debug.SetGCPercent(20) // a small heap: the monitor lives as long as the container
	h, e, status := enterMonitor()
	e.attached = h.Attached
	e.Log.Info("monitor started", "container", h.ID)
	os.Exit(e.supervise(h.ID, status, h.Backoff))
}

// enterMonitor is the start of a monitor's or exec monitor's main: it
// takes its status pipe, the hand-over and the engine, and becomes a
// child subreaper. It exits (reporting why) if it cannot.
func enterMonitor() (*handover, *supervisor, *os.File) {
	// The status pipe is inherited without close-on-exec: set it, so runc
	// never gets it.
	unix.CloseOnExec(statusFD)
	closeInherited()
	status := os.NewFile(statusFD, "status")
	h, err := receiveHandover()
	if err != nil {
		reportStatus(status, err)
		os.Exit(2)
	}
	e, err := h.openEngine()
	if err != nil {
		reportStatus(status, err)
		os.Exit(1)
	}
	unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
	return h, e, status
}

// openEngine opens the engine the message describes, logging to the
// container's monitor log.
func (h *handover) openEngine() (*supervisor, error) {
	opts := h.Engine.options()
	opts.Log = monitorLogger(filepath.Join((&state.Store{Root: opts.Root}).Dir(h.ID), "monitor.log"), h.LogLevel)
	e, err := openSupervisor(opts)
	if err != nil {
		opts.Log.Error("open the engine", "error", err)
	}
	return e, err
}

// psArgs are a monitor's arguments: for ps (and the test suite's leak
// check, which finds processes by root) only; the hand-over message is
// what it reads.
func psArgs(e *supervisor, id string) []string { return []string{"--root", e.Root, id} }

// handover is the message for a monitor or waiter of container id.
func (e *supervisor) handover(id string, files ...handoverFile) *handover {
	return &handover{Engine: e.engineConfig(), ID: id, LogLevel: levelOf(e.Log).String(), Files: files}
}

// startDetached starts container ref under a new monitor and returns once
// the container runs (or failed to start, with docker's exit code).
func (e *supervisor) startDetached(ctx context.Context, ref string, attached *attachedStart) error {
	c, err := e.Lookup(ref)
	if err != nil {
		return err
	}
	// docker start of a running container is a no-op, and docker counts
	// one waiting out a restart backoff as running: its monitor restarts
	// it (a second monitor would skip the backoff and race the first).
	if lifecycle.IsRunning(c) || (lifecycle.IsRestarting(c) && !c.HasBeenManuallyStopped) {
		return nil
	}
	if _, err := e.RuntimeFor(c); err != nil {
		return err
	}
	// The new monitor's start clears the stop mark (PrepareStart).
	h := e.handover(c.ID, handoverFile{Name: "status", FD: statusFD})
	h.Attached = attached
	return e.spawn(monitorEntry, h)
}

// spawn starts entry (a monitor) in its own session with message h and
// returns the outcome it reports on its status pipe.
func (e *supervisor) spawn(entry string, h *handover) error {
	r, w, err := os.Pipe()
	if err != nil {
		return lifecycle.WithCode(lifecycle.ExitEngine, err)
	}
	defer r.Close()
	cmd := reexec.Command(entry, psArgs(e, h.ID)...)
	cmd.Env = append(cmd.Env, handoverEnv+"="+h.encode())
	cmd.ExtraFiles = []*os.File{w} // statusFD
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	err = cmd.Start()
	w.Close()
	if err != nil {
		return lifecycle.WithCode(lifecycle.ExitEngine, fmt.Errorf("start container monitor: %w", err))
	}
	msg, _ := io.ReadAll(r)
	cmd.Process.Release()
	return parseStatus(string(msg))
}

// reportStatus tells the starting CLI how the start went: "ok", or the
// exit code and message of the error. Closing the pipe ends the report.
func reportStatus(w *os.File, err error) {
	if w == nil {
		return
	}
	if err == nil {
		w.WriteString("ok\n")
	} else {
		code := lifecycle.ExitEngine
		var ee *lifecycle.ExitError
		if errors.As(err, &ee) {
			code = ee.Code
		}
		fmt.Fprintf(w, "%d %s\n", code, err.Error())
	}
	w.Close()
}

func parseStatus(msg string) error {
	msg = strings.TrimSpace(msg)
	if msg == "ok" {
		return nil
	}
	code, text, ok := strings.Cut(msg, " ")
	n, err := strconv.Atoi(code)
	if !ok || err != nil {
		return lifecycle.WithCode(lifecycle.ExitEngine, errors.New("the container monitor exited before the container started"))
	}
	return &lifecycle.ExitError{Code: n, Err: errors.New(text)}
}

// supervise starts the container and, while the policy says so, again
// after each exit; status gets the first start's outcome. backoff is the
// delay that preceded this start (0: none). A start that fails ends the
// monitor with the start's exit code (docker's 125/126/127): under a
// unit whose main process it is, Restart=on-failure then fires; a
// restart cancelled by a stop ends it with 0.
func (e *supervisor) supervise(id string, status *os.File, backoff time.Duration) int {
	for {
		code, err := e.superviseOnce(id, status, backoff)
		status, e.attached = nil, nil // a restart has no foreground CLI
		if err != nil {
			return startFailedExit(err)
		}
		var again bool
		if backoff, again = e.restartAfter(id, code, backoff); !again {
			return e.exit
		}
	}
}

// superviseOnce starts the container, reports, waits for it and finishes.
// A start after a backoff is a restart, begun under the container's lock.
func (e *supervisor) superviseOnce(id string, status *os.File, backoff time.Duration) (int, error) {
	ctx := context.Background()
	var begin func(*state.Container) error
	if backoff > 0 {
		begin = e.beginRestart
	}
	c, hc, lock, err := e.PrepareStart(ctx, id, false, begin)
	if errors.Is(err, errRestartCancelled) {
		e.Log.Info("restart cancelled: the container was stopped", "container", id)
		return 0, err
	}
	if err != nil {
		err = e.StartFailed(id, err)
		e.Log.Warn("start failed", "container", id, "error", err)
		reportStatus(status, err)
		return 0, err
	}
	out, err := e.OpenOutput(id)
	if err != nil {
		lock.Unlock()
		err = e.Finish(id, lifecycle.ExitEngine, err)
		e.Log.Warn("start failed", "container", id, "error", err)
		reportStatus(status, err)
		return 0, err
	}
	if err := e.prepareAttach(c, out); err != nil {
		lock.Unlock()
		out.Wait(0)
		err = e.Finish(id, lifecycle.ExitEngine, err)
		e.Log.Warn("start failed", "container", id, "error", err)
		reportStatus(status, err)
		return 0, err
	}
	notify, err := e.OpenNotifier(c)
	if err != nil {
		lock.Unlock()
		out.Wait(0)
		os.Remove(attach.SocketPath(e.RunRoot, id))
		err = e.Finish(id, lifecycle.ExitEngine, err)
		e.Log.Warn("start failed", "container", id, "error", err)
		reportStatus(status, err)
		return 0, err
	}
	if err := notify.Announce(); err != nil {
		e.Log.Warn("tell systemd the monitor's PID", "container", id, "error", err)
	}
	pid, err := e.createAndStart(c, out)
	e.RecordPid(c, hc)
	lock.Unlock()
	if err != nil {
		notify.Close()
		out.StartCopying() // runc's own words go to the log
		out.Wait(time.Second)
		os.Remove(attach.SocketPath(e.RunRoot, id))
		err = e.Finish(id, 0, err)
		e.Log.Warn("start failed", "container", id, "error", err)
		reportStatus(status, err)
		return 0, err
	}
	fault.Point("monitor:after-runtime-start")
	e.Log.Info("container started", "container", id, "pid", pid)
	e.writePidFile(id) // before the report: a unit's PIDFile= is read once start returns
	reportStatus(status, nil)
	e.execWaiter(id, pid, backoff, out, notify) // returns only if the exec failed
	return e.waitContainer(id, pid, out, notify), nil
}

// attachWait bounds how long a foreground start's output waits for its
// CLI to attach (a CLI killed in between must not hold it up for good).
const attachWait = 10 * time.Second

// waitContainer copies the container's output to its log (and relays
// what its service notifies) until it exits, records the exit and
// returns its status. It keeps the status the monitor exits with if
// nothing restarts the container (e.exit): the container's, or 0 when a
// user stopped it, so a unit's Restart=on-failure restarts a container
// that died and not one that `systemctl stop` (its ExecStop) ended.
func (e *supervisor) waitContainer(id string, pid int, out *lifecycle.Output, notify *lifecycle.Notifier) int {
	srv := e.serveAttach(id, out)
	if e.attached != nil && srv != nil && !srv.AwaitClient(attachWait) {
		e.Log.Warn("the foreground client did not attach: the output goes to the log only", "container", id)
	}
	out.StartCopying()
	notify.StartRelay()
	if err := notify.Ready(); err != nil {
		e.Log.Warn("tell systemd the container is ready", "container", id, "error", err)
	}
	debug.FreeOSMemory() // start is done: give its heap back while we wait
	memtrim.DropCodePages()
	checks := e.startHealthchecks(id)
	code := initproc.ReapUntilWith(pid, checks.Reaped)
	checks.Stop()
	notify.Close()
	e.Log.Info("container exited", "container", id, "code", code)
	e.exit = code
	if c, err := e.Containers.Load(id); err == nil && c.HasBeenManuallyStopped {
		e.exit = 0
	}
	out.Wait(2 * time.Second)
	// finish reports the container's own non-zero status as an error;
	// for the monitor that is an ordinary exit, which the policy judges.
	if err := e.Finish(id, code, nil); !isPlainExit(err) {
		e.Log.Warn("teardown after the exit failed; rm -f cleans up", "container", id, "error", err)
	}
	if srv != nil { // after Finish: an attach that returns sees the container exited
		srv.Exit(code)
	}
	return code
}

// createAndStart runs `runc create` then `runc start`. When create exits
// the container's init is reparented to us, the subreaper.
func (e *supervisor) createAndStart(c *state.Container, out *lifecycle.Output) (int, error) {
	var flags []string
	var console *consoleSocket
	if c.Config.Tty {
		var err error
		if console, err = listenConsole(e.RunRoot, c.ID); err != nil {
			return 0, lifecycle.WithCode(lifecycle.ExitEngine, err)
		}
		defer console.close()
		flags = []string{"--console-socket", console.path}
	}
	cmd := e.RuntimeCommand(c, lifecycle.Stdio{Stdin: out.StdinR, Stdout: out.StdoutW, Stderr: out.StderrW}, "create", flags...)
	cmd.SysProcAttr = nil
	err := cmd.Run()
	if out.StdinR != nil { // the container holds its own read end
		out.StdinR.Close()
		out.StdinR = nil
	}
	if console != nil && err == nil {
		if out.PTY, err = console.receive(); err != nil {
			e.ForceKill(c)
			return 0, lifecycle.WithCode(lifecycle.ExitEngine, err)
		}
		if a := e.attached; a != nil && a.Rows > 0 && a.Cols > 0 { // before start: the first prompt fits
			unix.IoctlSetWinsize(int(out.PTY.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: a.Rows, Col: a.Cols})
		}
	}
	if err != nil {
		code, _ := lifecycle.ExitStatus(err)
		if failed := e.Classify(c.ID, max(code, 1), nil); failed != nil {
			return 0, failed
		}
		return 0, lifecycle.WithCode(lifecycle.ExitEngine, err)
	}
	data, err := os.ReadFile(filepath.Join(e.BundleDir(c.ID), "pid"))
	if err != nil {
		return 0, lifecycle.WithCode(lifecycle.ExitEngine, fmt.Errorf("read container pid: %w", err))
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(data)))
	fault.Point("monitor:after-runtime-create")
	if msg, err := e.RuncFor(c, "start", c.ID).CombinedOutput(); err != nil {
		e.ForceKill(c)
		return 0, &lifecycle.ExitError{Code: lifecycle.CodeForRuntimeMessage(string(msg)), Err: fmt.Errorf("start container: %s", strings.TrimSpace(string(msg)))}
	}
	return pid, nil
}

// startFailedExit is the monitor's exit status after a start that failed
// with err: 0 for a restart a stop cancelled, else the start's code.
func startFailedExit(err error) int {
	if errors.Is(err, errRestartCancelled) {
		return 0
	}
	var ee *lifecycle.ExitError
	if errors.As(err, &ee) && ee.Code != 0 {
		return ee.Code
	}
	return lifecycle.ExitEngine
}

// isPlainExit tells a container's own exit status (or success) from a
// failure with a message.
func isPlainExit(err error) bool {
	var ee *lifecycle.ExitError
	return err == nil || (errors.As(err, &ee) && ee.Err == nil)
}

// errRestartCancelled: the user stopped the container while its monitor
// waited to restart it.
var errRestartCancelled = errors.New("restart cancelled: the container was stopped")

// restartAfter applies the policy to an exit and, if it restarts, waits
// the backoff, which it returns. The decision is made, and the restart
// begun (beginRestart), under the container's lock, where stop sets
// HasBeenManuallyStopped: a stop is never followed by a restart.
func (e *supervisor) restartAfter(id string, code int, prev time.Duration) (time.Duration, bool) {
	d, ok := e.markRestarting(id, code, prev)
	if !ok {
		return 0, false
	}
	e.Log.Info("restarting", "container", id, "code", code, "delay", d)
	e.sleepUnlessStopped(id, d)
	return d, true
}

// markRestarting records State.Restarting if the policy restarts the
// container after this exit, and returns the delay before the restart.
func (e *supervisor) markRestarting(id string, code int, prev time.Duration) (time.Duration, bool) {
	c, hc, l, err := e.LockAndLoad(context.Background(), id)
	if err != nil {
		return 0, false // removed meanwhile
	}
	defer l.Unlock()
	if !restartPolicyAllows(c, hc.RestartPolicy, code) {
		return 0, false
	}
	d := restartBackoff(prev, c.State.FinishedAt.Sub(c.State.StartedAt))
	c.State.Restarting, c.State.Status = true, state.StatusRestarting
	if err := e.Containers.Save(c, false); err != nil {
		e.Log.Warn("record the restart", "container", id, "error", err)
		return 0, false
	}
	return d, true
}

// sleepUnlessStopped waits d, or less once the user stopped the container
// (a stop need not wait out a long backoff; beginRestart decides).
func (e *supervisor) sleepUnlessStopped(id string, d time.Duration) {
	for end := time.Now().Add(d); time.Now().Before(end); {
		time.Sleep(min(100*time.Millisecond, time.Until(end)))
		if c, err := e.Containers.Load(id); err != nil || c.HasBeenManuallyStopped {
			return
		}
	}
}

// beginRestart runs under the container's lock as a restart's first step:
// a container stopped meanwhile stays down, else the restart is counted.
func (e *supervisor) beginRestart(c *state.Container) error {
	if c.HasBeenManuallyStopped {
		c.State.Restarting, c.State.Status = false, state.StatusExited
		e.Containers.Save(c, false)
		return errRestartCancelled
	}
	c.RestartCount++
	return nil
}

// restartPolicyAllows applies the restart policy to an exit.
func restartPolicyAllows(c *state.Container, p state.RestartPolicy, code int) bool {
	if c.HasBeenManuallyStopped {
		return false
	}
	if c.HealthRestart { // --health-on-failure restart
		return true
	}
	switch p.Name {
	case "always", "unless-stopped":
		return true
	case "on-failure":
		return code != 0 && (p.MaximumRetryCount == 0 || c.RestartCount < p.MaximumRetryCount)
	}
	return false
}

// restartBackoff is docker's restart delay: 100 ms after the first exit,
// doubled after each further one up to a minute, and back to 100 ms once
// a run lasted 10 s. prev is the delay before the run that just ended
// (0: none), ran how long it ran.
func restartBackoff(prev, ran time.Duration) time.Duration {
	const first, most = 100 * time.Millisecond, time.Minute
	if prev == 0 || ran >= 10*time.Second {
		return first
	}
	return min(2*prev, most)
}
