package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/coreos/go-systemd/v22/daemon"
	"golang.org/x/sys/unix"

	"github.com/ctr-lite/ctr-lite/lifecycle/health"
	"github.com/ctr-lite/ctr-lite/state"
)

// A health check runs as docker's does: the test through the runtime's
// exec with the container's process settings, its output (stdout and
// stderr together, the first 4096 bytes) and exit code kept as a result,
// the last five results in State.Health.Log, and the status following
// docker's rules (a success is healthy; Retries failures in a row are
// unhealthy; failures while starting within the start period do not
// count). The container's monitor runs one every interval (package
// lifecycle/health) by running `ctr-lite healthcheck run
// --internal-from-monitor`, which lands here.

// ErrNoHealthcheck: the container has no health check (podman's words).
var ErrNoHealthcheck = errors.New("has no defined healthcheck")

// HealthcheckReport is what one check did.
type HealthcheckReport struct {
	Result state.HealthResult
	// Status is the container's health status after the check.
	Status string
	// Recorded is false when the result was not kept: the container
	// stopped or started again while the check ran.
	Recorded bool
	// Uncounted: a failure in the start period, not counted (podman's
	// healthcheck run says "starting").
	Uncounted bool
}

// startingHealth is the health state a container starts with, docker's:
// starting, no failures, the old log kept; nil without a check.
func startingHealth(c *state.Container) *state.Health {
	if !c.Config.Healthcheck.Enabled() {
		return nil
	}
	h := &state.Health{Status: state.HealthStarting}
	if c.State.Health != nil {
		h.Log = c.State.Health.Log
	}
	return h
}

// RunHealthcheck runs container ref's health check once now and records
// it: the result, the status, docker's health_status event when the
// status changes, READY=1 to $NOTIFY_SOCKET when --sdnotify healthy
// first sees it healthy, and --health-on-failure when it becomes
// unhealthy.
func (e *Engine) RunHealthcheck(ctx context.Context, ref string) (*HealthcheckReport, error) {
	c, err := e.Lookup(ref)
	if err != nil {
		return nil, err
	}
	if !c.Config.Healthcheck.Enabled() {
		return nil, WithCode(ExitEngine, fmt.Errorf("container %s %w: create it with --health-cmd, or use an image with a HEALTHCHECK", c.Name, ErrNoHealthcheck))
	}
	if !IsRunning(c) {
		return nil, WithCode(ExitEngine, fmt.Errorf("container %s is not running: start it first", c.Name))
	}
	if c.State.Paused {
		return nil, WithCode(ExitEngine, fmt.Errorf("container %s is paused: unpause it first", c.Name))
	}
	hc := c.Config.Healthcheck.WithDefaults()
	res := e.probe(ctx, c, hc)
	old, rep, err := e.recordHealth(ctx, c.ID, c.State.StartedAt, hc, res)
	if err != nil || !rep.Recorded {
		return rep, err
	}
	if rep.Status != old {
		e.Event(c, "health_status: "+rep.Status)
	}
	if old == state.HealthStarting && rep.Status == state.HealthHealthy && c.Config.SdNotify == "healthy" {
		if _, err := daemon.SdNotify(false, daemon.SdNotifyReady); err != nil {
			e.Log.Warn("health check: notify systemd", "container", c.ID, "error", err)
		}
	}
	if rep.Status == state.HealthUnhealthy && old != state.HealthUnhealthy {
		if err := e.onUnhealthy(c); err != nil {
			e.Log.Warn("health check: --health-on-failure", "container", c.ID, "action", c.Config.HealthcheckOnFailureAction, "error", err)
		}
	}
	return rep, nil
}

// healthCommand is the argv of a test: CMD's words, or CMD-SHELL's
// command under /bin/sh -c (docker's default shell).
func healthCommand(test []string) ([]string, error) {
	switch {
	case len(test) >= 2 && test[0] == "CMD":
		return test[1:], nil
	case len(test) == 2 && test[0] == "CMD-SHELL":
		return []string{"/bin/sh", "-c", test[1]}, nil
	}
	return nil, fmt.Errorf("unknown healthcheck test %q: want [\"CMD\", ARGS...] or [\"CMD-SHELL\", COMMAND]", test)
}

// probe runs the test once; a test that cannot run, or runs past the
// timeout (then it is killed), is a failure with exit code -1, as in
// docker.
func (e *Engine) probe(ctx context.Context, c *state.Container, hc state.HealthConfig) (res state.HealthResult) {
	res = state.HealthResult{Start: time.Now().UTC(), ExitCode: -1}
	defer func() { res.End = time.Now().UTC() }()
	argv, err := healthCommand(hc.Test)
	if err != nil {
		res.Output = err.Error()
		return res
	}
	x, err := e.prepareExec(c, ExecOptions{Cmd: argv})
	if err != nil {
		res.Output = err.Error()
		return res
	}
	defer os.RemoveAll(x.Dir)
	out, err := newCheckOutput()
	if err != nil {
		res.Output = err.Error()
		return res
	}
	cmd := e.RuncFor(c, append(x.Args, c.ID)...)
	cmd.Dir, cmd.Stdout, cmd.Stderr = x.Dir, out.w, out.w
	err = cmd.Start()
	out.w.Close() // runc and the test hold their own
	if err != nil {
		out.Result(0)
		res.Output = fmt.Sprintf("start runtime: %v", err)
		return res
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	timer := time.NewTimer(hc.Timeout)
	defer timer.Stop()
	var timedOut bool
	select {
	case err = <-exited:
	case <-timer.C:
		timedOut = true
	case <-ctx.Done():
		timedOut = true
	}
	if timedOut {
		killExec(filepath.Join(x.Dir, "pid"), cmd.Process)
		err = <-exited
	}
	output := out.Result(outputDrain)
	if timedOut {
		res.Output = fmt.Sprintf("Health check exceeded timeout (%v)", hc.Timeout) // docker's words
		if output != "" {
			res.Output = limitOutput(res.Output+": "+output, false)
		}
		return res
	}
	code, runErr := ExitStatus(err)
	if runErr != nil {
		res.Output = runErr.Error()
		return res
	}
	res.ExitCode, res.Output = code, output
	e.Event(c, "exec_die", "execID", x.ID, "exitCode", strconv.Itoa(code))
	return res
}

// killExec kills a hung check: the exec'd process and every process
// under it (by the pid file runc wrote), then runc itself if it lingers.
// Each is killed through a pidfd opened while its start time is still
// the one read, so a PID recycled meanwhile is never hit.
func killExec(pidFile string, runc *os.Process) {
	data, _ := os.ReadFile(pidFile)
	if pid, err := strconv.Atoi(strings.TrimSpace(string(data))); err == nil && pid > 0 {
		_, start, ok := procStat(strconv.Itoa(pid))
		procs := descendants(pid)
		if ok {
			procs = append(procs, proc{pid, start})
		}
		for _, p := range procs {
			p.kill()
		}
	}
	go func() { // runc exec ends with its process; if not, it goes too
		time.Sleep(5 * time.Second)
		runc.Kill() // our child: os.Process signals through its pidfd
	}()
}

// proc is a process by PID and start time (clock ticks since boot).
type proc struct {
	pid   int
	start uint64
}

// kill sends SIGKILL to p if it is still the process that started then.
func (p proc) kill() {
	fd, err := unix.PidfdOpen(p.pid, 0)
	if err != nil {
		return // gone already
	}
	defer unix.Close(fd)
	if _, start, ok := procStat(strconv.Itoa(p.pid)); !ok || start != p.start {
		return // the PID is another process's now
	}
	unix.PidfdSendSignal(fd, unix.SIGKILL, nil, 0)
}

// descendants are the processes under pid, by /proc's parent links,
// with their start times.
func descendants(pid int) []proc {
	children := map[int][]proc{}
	entries, _ := os.ReadDir("/proc")
	for _, en := range entries {
		p, err := strconv.Atoi(en.Name())
		if err != nil {
			continue
		}
		if pp, start, ok := parentOf(en.Name()); ok {
			children[pp] = append(children[pp], proc{p, start})
		}
	}
	var out []proc
	for queue := children[pid]; len(queue) > 0; queue = queue[1:] {
		out = append(out, queue[0])
		queue = append(queue, children[queue[0].pid]...)
	}
	return out
}

// parentOf is process pid's parent and start time (state's reader).
func parentOf(pid string) (int, uint64, bool) {
	st, ok := state.ReadStat(pid)
	return st.PPid, st.Start, ok
}

// outputDrain is how long a check's output is still read once its
// runtime exited: what it wrote is in the pipe already, so this bounds
// only a process the test left behind holding the pipe open (it gets
// EPIPE once the read end is closed).
const outputDrain = 250 * time.Millisecond

// checkOutput is a check's stdout and stderr together, read through a
// pipe: the first HealthOutputMax bytes are kept and the rest is read
// and dropped, so a test that writes without end (`yes`) costs neither
// memory nor disk.
type checkOutput struct {
	r, w      *os.File
	done      chan struct{}
	buf       []byte
	truncated bool
}

func newCheckOutput() (*checkOutput, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("make the health check's output pipe: %w", err)
	}
	o := &checkOutput{r: r, w: w, done: make(chan struct{})}
	go o.read()
	return o, nil
}

// read keeps the head of the output and drains the rest until EOF, an
// error or the deadline Result sets.
func (o *checkOutput) read() {
	defer close(o.done)
	chunk := make([]byte, 32<<10)
	for {
		n, err := o.r.Read(chunk)
		keep := min(n, state.HealthOutputMax-len(o.buf))
		o.buf = append(o.buf, chunk[:keep]...)
		if keep < n {
			o.truncated = true
		}
		if err != nil {
			return
		}
	}
}

// Result stops reading after wait (at once with 0) and returns the
// output as docker keeps it.
func (o *checkOutput) Result(wait time.Duration) string {
	o.r.SetReadDeadline(time.Now().Add(wait))
	<-o.done
	o.r.Close()
	return limitOutput(string(o.buf), o.truncated)
}

// limitOutput is s cut to HealthOutputMax bytes, with "..." after when
// it was cut or truncated already (docker's).
func limitOutput(s string, truncated bool) string {
	if len(s) > state.HealthOutputMax {
		s, truncated = s[:state.HealthOutputMax], true
	}
	if truncated {
		return s + "..."
	}
	return s
}

// recordHealth adds res to the container's health state under its lock,
// unless the container stopped or started again since the run that was
// checked began (started). It returns the status before and the report.
func (e *Engine) recordHealth(ctx context.Context, id string, started time.Time, hc state.HealthConfig, res state.HealthResult) (string, *HealthcheckReport, error) {
	rep := &HealthcheckReport{Result: res}
	c, _, l, err := e.LockAndLoad(ctx, id)
	if err != nil {
		return "", rep, err
	}
	defer l.Unlock()
	if !c.State.Running || !c.State.StartedAt.Equal(started) {
		return "", rep, nil
	}
	if c.State.Health == nil {
		c.State.Health = &state.Health{Status: state.HealthStarting}
	}
	h := c.State.Health
	old := h.Status
	rep.Uncounted = !applyResult(h, hc, started, res)
	if err := e.Containers.Save(c, false); err != nil {
		return old, rep, WithCode(ExitEngine, fmt.Errorf("record the health check of %q: %w", c.Name, err))
	}
	rep.Status, rep.Recorded = h.Status, true
	return old, rep, nil
}

// applyResult is docker's handleProbeResult: the log keeps the last
// five; a success is healthy and ends the streak; a failure counts,
// except while starting within the start period, and Retries of them make
// it unhealthy. It reports false for a failure not counted.
func applyResult(h *state.Health, hc state.HealthConfig, started time.Time, res state.HealthResult) bool {
	h.Log = append(h.Log, res)
	if n := len(h.Log); n > state.HealthLogEntries {
		h.Log = append([]state.HealthResult(nil), h.Log[n-state.HealthLogEntries:]...)
	}
	if res.ExitCode == 0 {
		h.FailingStreak, h.Status = 0, state.HealthHealthy
		return true
	}
	if h.Status == state.HealthStarting && res.Start.Sub(started) < hc.StartPeriod {
		return false
	}
	h.FailingStreak++
	if h.FailingStreak >= hc.Retries {
		h.Status = state.HealthUnhealthy
	}
	return true
}

// onUnhealthy starts --health-on-failure's action, in a process of its
// own (healthaction_linux.go): this check may be killed before a stop
// ends.
func (e *Engine) onUnhealthy(c *state.Container) error {
	switch c.Config.HealthcheckOnFailureAction {
	case "kill", "stop", "restart":
		return e.startHealthAction(c)
	}
	return nil
}

// Wait conditions (podman's wait --condition); stopped and exited are
// docker's wait, the exit code.
var waitConditions = map[string]bool{"running": true, "healthy": true, "unhealthy": true, "stopped": true, "exited": true}

// CheckWaitConditions refuses a condition WaitCondition does not know.
func CheckWaitConditions(conds []string) error {
	for _, cond := range conds {
		if !waitConditions[cond] {
			return fmt.Errorf("invalid --condition %q: use running, healthy, unhealthy, stopped or exited", cond)
		}
	}
	return nil
}

// WaitCondition blocks until container ref meets one of conds and
// returns what podman's wait prints: the exit code for stopped or exited,
// -1 for the others. A container that stops while waited on for running
// or a health status fails, unless stopped or exited is asked for too.
func (e *Engine) WaitCondition(ctx context.Context, ref string, conds []string) (int, error) {
	if err := CheckWaitConditions(conds); err != nil {
		return 0, WithCode(ExitEngine, err)
	}
	c, err := e.Lookup(ref)
	if err != nil {
		return 0, err
	}
	want := map[string]bool{}
	for _, cond := range conds {
		want[cond] = true
	}
	if (want["healthy"] || want["unhealthy"]) && !c.Config.Healthcheck.Enabled() && !want["stopped"] && !want["exited"] && !want["running"] {
		return 0, WithCode(ExitEngine, fmt.Errorf("container %s %w: it can never be healthy or unhealthy", c.Name, ErrNoHealthcheck))
	}
	for {
		running := IsRunning(c)
		between := c.State.Restarting && monitorLives(c) // docker's wait waits out a restart too
		switch {
		case running && want["running"]:
			return -1, nil
		case running && c.State.Health != nil && want[c.State.Health.Status]:
			return -1, nil
		case !running && !between && (want["stopped"] || want["exited"]):
			return c.State.ExitCode, nil
		case !running && !between && c.State.Status != state.StatusCreated:
			return 0, WithCode(ExitEngine, fmt.Errorf("container %s exited (%d) before meeting the condition %s", c.Name, c.State.ExitCode, strings.Join(conds, ", ")))
		}
		select {
		case <-ctx.Done():
			return 0, WithCode(ExitEngine, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
		if c, err = e.Containers.Load(c.ID); err != nil {
			return 0, WithCode(ExitEngine, fmt.Errorf("container %s was removed while waited on", ref))
		}
	}
}

// HealthSchedule is the schedule of container c's checks (false: it has
// none): binary (this ctr-lite, as its process can name it) run as
// `[global...] healthcheck run --internal-from-monitor ID` with the
// engine's settings, so the check opens the same engine. A monitor keeps
// it; package lifecycle/health runs it.
func (e *Engine) HealthSchedule(c *state.Container, binary string, global ...string) (health.Config, bool) {
	if !c.Config.Healthcheck.Enabled() {
		return health.Config{}, false
	}
	hc := c.Config.Healthcheck.WithDefaults()
	args := append([]string{"ctr-lite", "--root", e.Root, "--runroot", e.RunRoot, "--storage-driver", e.Images.Driver.Name()}, global...)
	if e.runtime != "" {
		args = append(args, "--runtime", e.runtime)
	}
	return health.Config{
		Binary:  binary,
		Args:    append(args, "healthcheck", "run", "--internal-from-monitor", c.ID),
		Timing:  health.Timing{Interval: hc.Interval, Timeout: hc.Timeout, StartPeriod: hc.StartPeriod, StartInterval: hc.StartInterval},
		Started: c.State.StartedAt,
	}, true
}

// attachedHealthchecks runs the checks of a foreground container from
// the attached CLI, which has no reap loop: the schedule waits for its
// own checks. The returned stop ends it (a no-op without a check).
func (e *Engine) attachedHealthchecks(c *state.Container) (stop func()) {
	cfg, ok := e.HealthSchedule(c, "/proc/self/exe")
	if !ok {
		return func() {}
	}
	s := &health.Scheduler{Config: cfg, SelfReap: true,
		Log: func(msg string, err error) { e.Log.Warn(msg, "container", c.ID, "error", err) }}
	s.Start()
	return s.Stop
}
