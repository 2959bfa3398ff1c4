package lifecycle

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
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/ctr-lite/ctr-lite/internal/fault"
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

func (e *Engine) monitorArgs(id string) []string {
	return []string{e.Root, e.RunRoot, e.runtime, e.Images.Driver.Name(), e.defaultSubnet, e.defaultBridge, id}
}

// engineFromArgs opens the engine monitorArgs described.
func engineFromArgs(a []string) (*Engine, error) {
	return New(Options{Root: a[0], RunRoot: a[1], Runtime: a[2], StorageDriver: a[3], DefaultSubnet: a[4], DefaultBridge: a[5]})
}

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

func monitorMain() {
	a := os.Args[1:]
	if len(a) != 7 {
		os.Exit(2)
	}
	debug.SetGCPercent(20) // a small heap: the monitor lives as long as the container
	// The status pipe is inherited without close-on-exec: set it, so runc
	// never gets it.
	unix.CloseOnExec(3)
	closeInherited()
	status := os.NewFile(3, "status")
	e, err := engineFromArgs(a)
	if err != nil {
		reportStatus(status, err)
		os.Exit(1)
	}
	unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
	os.Exit(e.monitor(a[6], status))
}

// StartDetached starts container ref under a new monitor and returns once
// the container runs (or failed to start, with docker's exit code).
func (e *Engine) StartDetached(ctx context.Context, ref string) error {
	c, err := e.Lookup(ref)
	if err != nil {
		return err
	}
	if IsRunning(c) {
		return nil // docker start of a running container is a no-op
	}
	if _, err := e.Runtime(); err != nil {
		return err
	}
	if err := e.setStopped(ctx, c.ID, false); err != nil {
		return err
	}
	r, w, err := os.Pipe()
	if err != nil {
		return withCode(ExitEngine, err)
	}
	defer r.Close()
	cmd := reexec.Command(monitorEntry, e.monitorArgs(c.ID)...)
	cmd.ExtraFiles = []*os.File{w}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	err = cmd.Start()
	w.Close()
	if err != nil {
		return withCode(ExitEngine, fmt.Errorf("start container monitor: %w", err))
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
		code := ExitEngine
		var ee *ExitError
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
		return withCode(ExitEngine, errors.New("the container monitor exited before the container started"))
	}
	return &ExitError{Code: n, Err: errors.New(text)}
}

// monitor supervises container id until it ends for good, restarting it
// as its policy says. status gets the first start's outcome.
func (e *Engine) monitor(id string, status *os.File) int {
	return e.supervise(id, status, 0)
}

// supervise starts the container (attempt counts restarts) and, while the
// policy says so, again after each exit.
func (e *Engine) supervise(id string, status *os.File, attempt int) int {
	for ; ; attempt++ {
		code, err := e.superviseOnce(id, status, attempt)
		status = nil
		if err != nil || !e.restartAfter(id, code, attempt) {
			return 0
		}
	}
}

// restartAfter applies the policy to an exit, waits the backoff and counts
// the restart; false means the container stays down.
func (e *Engine) restartAfter(id string, code, attempt int) bool {
	if !e.shouldRestart(id, code) {
		return false
	}
	time.Sleep(restartDelay(attempt))
	return e.countRestart(id)
}

// superviseOnce starts the container, reports, waits for it and finishes.
func (e *Engine) superviseOnce(id string, status *os.File, attempt int) (int, error) {
	ctx := context.Background()
	c, lock, err := e.prepareStart(ctx, id, false)
	if err != nil {
		err = e.startFailed(id, err)
		reportStatus(status, err)
		return 0, err
	}
	out, err := e.openOutput(id)
	if err != nil {
		lock.Unlock()
		err = e.finish(id, ExitEngine, err)
		reportStatus(status, err)
		return 0, err
	}
	pid, err := e.createAndStart(c, out)
	e.recordPid(id)
	lock.Unlock()
	if err != nil {
		out.startCopying() // runc's own words go to the log
		out.wait(time.Second)
		err = e.finish(id, 0, err)
		reportStatus(status, err)
		return 0, err
	}
	fault.Point("monitor:after-runtime-start")
	reportStatus(status, nil)
	e.execWaiter(id, pid, attempt, out) // returns only if the exec failed
	return e.waitContainer(id, pid, out), nil
}

// waitContainer copies the container's output to its log until it exits,
// and records the exit.
func (e *Engine) waitContainer(id string, pid int, out *output) int {
	out.startCopying()
	debug.FreeOSMemory() // start is done: give its heap back while we wait
	dropCodePages()
	code := waitChild(pid)
	out.wait(2 * time.Second)
	// finish reports the container's own non-zero status as an error;
	// for the monitor that is an ordinary exit, which the policy judges.
	e.finish(id, code, nil)
	return code
}

// createAndStart runs `runc create` then `runc start`. When create exits
// the container's init is reparented to us, the subreaper.
func (e *Engine) createAndStart(c *state.Container, out *output) (int, error) {
	var flags []string
	var console *consoleSocket
	if c.Config.Tty {
		var err error
		if console, err = listenConsole(e.RunRoot, c.ID); err != nil {
			return 0, withCode(ExitEngine, err)
		}
		defer console.close()
		flags = []string{"--console-socket", console.path}
	}
	cmd := e.runtimeCommand(c, Stdio{Stdout: out.stdoutW, Stderr: out.stderrW}, "create", flags...)
	cmd.SysProcAttr = nil
	err := cmd.Run()
	if console != nil && err == nil {
		if out.pty, err = console.receive(); err != nil {
			e.kill(c)
			return 0, withCode(ExitEngine, err)
		}
	}
	if err != nil {
		code, _ := exitStatus(err)
		if failed := e.classify(c.ID, max(code, 1), nil); failed != nil {
			return 0, failed
		}
		return 0, withCode(ExitEngine, err)
	}
	data, err := os.ReadFile(filepath.Join(e.bundleDir(c.ID), "pid"))
	if err != nil {
		return 0, withCode(ExitEngine, fmt.Errorf("read container pid: %w", err))
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(data)))
	fault.Point("monitor:after-runtime-create")
	if msg, err := e.runc("start", c.ID).CombinedOutput(); err != nil {
		e.kill(c)
		return 0, &ExitError{Code: codeForRuntimeMessage(string(msg)), Err: fmt.Errorf("start container: %s", strings.TrimSpace(string(msg)))}
	}
	return pid, nil
}

// waitChild waits for the container's init as its subreaper, reaping any
// orphans it leaves on the way (the same loop as --init's).
func waitChild(pid int) int { return reapUntil(pid) }

// output carries the container's stdout and stderr into its json log,
// and for an attached run also to the terminal (tee).
type output struct {
	log              *state.LogWriter
	stdoutR, stderrR *os.File
	stdoutW, stderrW *os.File
	pty              *os.File // the terminal's master end (run -t), or nil
	teeOut, teeErr   io.Writer
	wg               sync.WaitGroup
}

// LogPath is where container id's json-file log lives.
func (e *Engine) LogPath(id string) string {
	return filepath.Join(e.Containers.Dir(id), id+"-json.log")
}

func (e *Engine) openOutput(id string) (*output, error) {
	log, err := state.OpenLog(e.LogPath(id))
	if err != nil {
		return nil, fmt.Errorf("open container log: %w", err)
	}
	o := &output{log: log}
	if o.stdoutR, o.stdoutW, err = os.Pipe(); err == nil {
		o.stderrR, o.stderrW, err = os.Pipe()
	}
	if err != nil {
		o.close()
		return nil, err
	}
	return o, nil
}

// startCopying closes our write ends (the container holds its own) and
// copies both streams into the log; a terminal's output is stdout (it has
// one stream) and ends with EIO once the container is gone.
func (o *output) startCopying() {
	for _, w := range []*os.File{o.stdoutW, o.stderrW} {
		if w != nil {
			w.Close()
		}
	}
	o.wg.Add(2)
	go func() { defer o.wg.Done(); o.log.Copy("stdout", tee(o.stdoutR, o.teeOut)) }()
	go func() { defer o.wg.Done(); o.log.Copy("stderr", tee(o.stderrR, o.teeErr)) }()
	if o.pty != nil {
		o.wg.Add(1)
		go func() { defer o.wg.Done(); o.log.Copy("stdout", o.pty) }()
	}
}

func tee(r io.Reader, w io.Writer) io.Reader {
	if w == nil {
		return r
	}
	return io.TeeReader(r, w)
}

// wait lets the copiers drain; a process the container left running may
// keep the pipes open, so it waits at most timeout.
func (o *output) wait(timeout time.Duration) {
	done := make(chan struct{})
	go func() { o.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(timeout):
	}
	o.close()
}

func (o *output) close() {
	for _, f := range []*os.File{o.stdoutR, o.stderrR, o.stdoutW, o.stderrW, o.pty} {
		if f != nil {
			f.Close()
		}
	}
	o.log.Close()
}

// shouldRestart applies the restart policy to an exit.
func (e *Engine) shouldRestart(id string, code int) bool {
	c, err := e.Containers.Load(id)
	if err != nil || c.HasBeenManuallyStopped {
		return false
	}
	hc, err := e.Containers.LoadHostConfig(id)
	if err != nil {
		return false
	}
	p := hc.RestartPolicy
	switch p.Name {
	case "always", "unless-stopped":
		return true
	case "on-failure":
		return code != 0 && (p.MaximumRetryCount == 0 || c.RestartCount < p.MaximumRetryCount)
	}
	return false
}

// countRestart records one more restart, unless the container was
// stopped or removed meanwhile.
func (e *Engine) countRestart(id string) bool {
	l, err := e.Containers.LockContainer(context.Background(), id)
	if err != nil {
		return false
	}
	defer l.Unlock()
	c, err := e.Containers.Load(id)
	if err != nil || c.HasBeenManuallyStopped {
		return false
	}
	c.RestartCount++
	return e.Containers.Save(c, false) == nil
}

// restartDelay doubles from 100 ms up to 10 s, like docker's backoff.
func restartDelay(attempt int) time.Duration {
	d := 100 * time.Millisecond << min(attempt, 7)
	return min(d, 10*time.Second)
}
