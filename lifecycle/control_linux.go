package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/ctr-lite/ctr-lite/internal/fault"
	"github.com/ctr-lite/ctr-lite/opts"
	"github.com/ctr-lite/ctr-lite/specgen"
	"github.com/ctr-lite/ctr-lite/state"
)

// Stop sends sig (empty: the container's stop signal, its image's
// StopSignal, else SIGTERM, as docker stop --signal), waits up to timeout
// for it to end, then kills it. A container that is not running is
// already stopped; one whose monitor waits to restart it stays down.
// A negative timeout (ContainerStopTimeout) is the container's own
// --stop-timeout, else 10 seconds, as docker stop without -t.
func (e *Engine) Stop(ctx context.Context, ref, sig string, timeout time.Duration) error {
	start := time.Now()
	if sig != "" && opts.SignalNumber(sig) == 0 {
		return WithCode(ExitEngine, fmt.Errorf("invalid signal %q: use a name like TERM or a number", sig))
	}
	c, err := e.Lookup(ref)
	if err != nil {
		return err
	}
	if timeout < 0 {
		timeout = stopTimeout(c)
	}
	deadline := start.Add(timeout) // one deadline for every wait below
	if !IsRunning(c) && !monitorLives(c) {
		return nil
	}
	// The mark is set under the container's lock, where the monitor
	// decides on and begins every restart: from here on it starts nothing,
	// and the record read under that lock says whether a run is on.
	if c, err = e.MarkStopped(ctx, c.ID); err != nil {
		return err
	}
	fault.Point("stop:after-mark")
	if !IsRunning(c) { // between runs: the monitor gives up at its next check
		waitForExit(ctx, c.State.MonitorPid, c.State.MonitorStart, 15*time.Second)
		return nil
	}
	if sig == "" {
		sig = stopSignal(c)
	}
	// This fails when the container exited meanwhile: gone() sees that.
	e.signal(ctx, c, sig)
	if c.State.Paused {
		e.thawForSignal(ctx, c.ID)
	}
	fault.Point("stop:after-signal")
	if !gone(ctx, c, time.Until(deadline)) {
		e.signal(ctx, c, "KILL")
		if !gone(ctx, c, 10*time.Second) {
			return WithCode(ExitEngine, fmt.Errorf("container %s did not stop after SIGKILL", c.Name))
		}
	}
	if err := e.reconcileRef(ctx, c.ID); err != nil {
		return err
	}
	e.Event(c, "stop")
	return nil
}

// reconcileRef cleans up after a container whose monitor is gone too.
func (e *Engine) reconcileRef(ctx context.Context, id string) error {
	c, hc, l, err := e.LockAndLoad(ctx, id)
	if err != nil {
		return nil // removed meanwhile (--rm)
	}
	defer l.Unlock()
	return WithCode(ExitEngine, e.reconcile(l, c, hc))
}

// Kill sends a signal (name, SIGNAME or number) to a running container.
// As docker's kill does, SIGKILL and the container's stop signal end it
// for good (no restart by its policy), and a kill of a container waiting
// out a restart backoff just ends the restarts.
func (e *Engine) Kill(ctx context.Context, ref, sig string) error {
	c, err := e.Lookup(ref)
	if err != nil {
		return err
	}
	if !IsRunning(c) && !IsRestarting(c) {
		return WithCode(ExitEngine, fmt.Errorf("cannot kill container %s: it is not running", c.Name))
	}
	sig = strings.TrimPrefix(strings.ToUpper(sig), "SIG")
	if opts.SignalNumber(sig) == 0 {
		return WithCode(ExitEngine, fmt.Errorf("invalid signal %q: use a name like TERM or a number", sig))
	}
	final := opts.SameSignal(sig, "KILL") || opts.SameSignal(sig, stopSignal(c))
	if final || !IsRunning(c) {
		if c, err = e.MarkStopped(ctx, c.ID); err != nil {
			return err
		}
	}
	if !IsRunning(c) { // between runs: its monitor gives up at its next check
		waitForExit(ctx, c.State.MonitorPid, c.State.MonitorStart, 15*time.Second)
		return nil
	}
	if err := e.signal(ctx, c, sig); err != nil {
		return WithCode(ExitEngine, err)
	}
	if c.State.Paused && final {
		e.thawForSignal(ctx, c.ID)
	}
	return nil
}

// signal sends sig to c and logs docker's kill event, holding c's lock:
// the monitor logs die under the same lock, so kill comes before die as
// in docker, and only a signal runc delivered is logged.
func (e *Engine) signal(ctx context.Context, c *state.Container, sig string) error {
	_, _, l, err := e.LockAndLoad(ctx, c.ID)
	if err != nil {
		return err
	}
	defer l.Unlock()
	if out, err := e.RuncFor(c, "kill", c.ID, runcSignal(sig)).CombinedOutput(); err != nil {
		return fmt.Errorf("kill %s with %s: %s", c.Name, sig, strings.TrimSpace(string(out)))
	}
	e.Event(c, "kill", "signal", strconv.Itoa(int(opts.SignalNumber(sig))))
	return nil
}

// runcSignal is sig as runc kill reads it: a real-time signal
// (SIGRTMIN+3) goes as its number, which runc takes whatever its name.
func runcSignal(sig string) string {
	if s, err := opts.ParseSignal(sig); err == nil {
		return s
	}
	return strings.TrimPrefix(strings.ToUpper(sig), "SIG")
}

// stopSignal is the signal stop sends c first: its image's StopSignal,
// else SIGTERM.
func stopSignal(c *state.Container) string {
	if c.Config.StopSignal != "" {
		return c.Config.StopSignal
	}
	return "TERM"
}

// ContainerStopTimeout asks Stop for the container's stop timeout.
const ContainerStopTimeout time.Duration = -1

// stopTimeout is how long stop waits for c by default: its
// --stop-timeout (negative: with no limit), else 10 seconds.
func stopTimeout(c *state.Container) time.Duration {
	switch t := c.Config.StopTimeout; {
	case t == nil:
		return 10 * time.Second
	case *t < 0:
		return 100 * 365 * 24 * time.Hour
	default:
		return time.Duration(*t) * time.Second
	}
}

// markStopped sets HasBeenManuallyStopped and returns the record as read
// under the container's lock.
func (e *Engine) MarkStopped(ctx context.Context, id string) (*state.Container, error) {
	c, _, l, err := e.LockAndLoad(ctx, id)
	if err != nil {
		return nil, WithCode(ExitEngine, err)
	}
	defer l.Unlock()
	return c, WithCode(ExitEngine, e.markStoppedLocked(c))
}

// markStoppedLocked records that the user stopped c (stop, kill, rm -f):
// its restart policy restarts it no more until a user's start. The caller
// holds c's lock, under which the monitor decides on every restart.
func (e *Engine) markStoppedLocked(c *state.Container) error {
	if c.HasBeenManuallyStopped {
		return nil
	}
	c.HasBeenManuallyStopped = true
	return e.Containers.Save(c, false)
}

// Wait blocks until the container is not running and returns its exit
// code. Its record is polled: there is no daemon to notify anyone.
func (e *Engine) Wait(ctx context.Context, ref string) (int, error) {
	c, err := e.Lookup(ref)
	if err != nil {
		return 0, err
	}
	for IsRunning(c) || (c.State.Restarting && monitorLives(c)) {
		select {
		case <-ctx.Done():
			return 0, WithCode(ExitEngine, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
		if c, err = e.Containers.Load(c.ID); err != nil {
			return 0, WithCode(ExitEngine, fmt.Errorf("container %s was removed before its exit code was read", ref))
		}
	}
	return c.State.ExitCode, nil
}

// LogsOptions select what `logs` prints.
type LogsOptions struct {
	Follow     bool
	Timestamps bool
	Filter     state.LogFilter
}

// Logs prints a container's log, stdout and stderr apart, streaming the
// file entry by entry; with Follow it keeps printing until the container
// stops running or ctx ends.
func (e *Engine) Logs(ctx context.Context, ref string, o LogsOptions, stdout, stderr io.Writer) error {
	c, err := e.Lookup(ref)
	if err != nil {
		return err
	}
	switch d := e.LogDriver(c.ID); d {
	case "none", "passthrough": // docker's words
		return WithCode(ExitEngine, errors.New("configured logging driver does not support reading"))
	}
	path := e.LogPath(c.ID)
	print := func(en state.LogEntry) error {
		w := stdout
		if en.Stream == "stderr" {
			w = stderr
		}
		if o.Timestamps {
			io.WriteString(w, en.Time.Format(time.RFC3339Nano)+" ")
		}
		_, err := io.WriteString(w, en.Log)
		return err
	}
	if e.LogDriver(c.ID) == "journald" {
		return e.journaldLogs(ctx, c, o, print)
	}
	r, err := state.ReadLogFiles(path, o.Filter, print)
	if err != nil {
		return WithCode(ExitEngine, err)
	}
	defer r.Close()
	for o.Follow {
		running := IsRunning(c)
		if err = r.Next(o.Filter, print); err != nil {
			return WithCode(ExitEngine, err)
		}
		if !running {
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(100 * time.Millisecond):
		}
		if c, err = e.Containers.Load(c.ID); err != nil {
			return nil // removed (--rm): the log went with it
		}
	}
	return nil
}

// ExecOptions is a process to run in a running container.
type ExecOptions struct {
	Cmd              []string
	Env              []string
	User, Workdir    string
	Tty, Interactive bool
	// Detach starts the process and returns; its output goes nowhere.
	Detach bool
	// Privileged gives the process every capability the host has.
	Privileged bool
	// DetachKeys leave a -t process running (docker's syntax; "" is
	// ctrl-p,ctrl-q): see the monitor package's Exec.
	DetachKeys string
	// Rows and Cols are a -t process's first terminal size (0: runc's),
	// set by runc before the process runs.
	Rows, Cols uint16
}

// PreparedExec is an exec made ready by PrepareExec: its process.json
// and pid file in Dir, which is the runner's to remove.
type PreparedExec struct {
	Container   *state.Container
	Dir         string
	Args        []string // runc's, before the container's ID: exec --process ... --pid-file ...
	ID, Command string   // as docker's exec events name them
}

// PrepareExec checks that container ref can run o, writes the process
// the container's own settings give it (capabilities, seccomp, user,
// unless overridden) and records docker's exec_create and exec_start.
func (e *Engine) PrepareExec(ref string, o ExecOptions) (*PreparedExec, error) {
	c, err := e.Lookup(ref)
	if err != nil {
		return nil, err
	}
	if !IsRunning(c) {
		return nil, WithCode(ExitEngine, fmt.Errorf("container %s is not running: start it first", c.Name))
	}
	if c.State.Paused { // docker's words
		return nil, WithCode(ExitEngine, fmt.Errorf("container %s is paused, unpause the container before exec", c.Name))
	}
	return e.prepareExec(c, o)
}

// prepareExec writes the process of o in container c (found running by
// the caller) into a new exec directory and records exec_create and
// exec_start; the caller removes the directory and records exec_die.
func (e *Engine) prepareExec(c *state.Container, o ExecOptions) (*PreparedExec, error) {
	id := state.NewID()
	// Named by the exec's ID, so that a teardown finds the sockets of an
	// exec monitor killed with -9 (removeSockets).
	dir := filepath.Join(e.BundleDir(c.ID), execDirPrefix+id)
	if err := os.Mkdir(dir, 0o700); err != nil {
		return nil, WithCode(ExitEngine, err)
	}
	proc, err := e.execProcess(c, o)
	if err == nil {
		err = state.WriteJSONAtomic(filepath.Join(dir, "process.json"), proc, false)
	}
	if err != nil {
		os.RemoveAll(dir)
		return nil, WithCode(ExitEngine, err)
	}
	p := &PreparedExec{Container: c, Dir: dir, ID: id, Command: execCommand(o.Cmd),
		Args: []string{"exec", "--process", filepath.Join(dir, "process.json"), "--pid-file", filepath.Join(dir, "pid")}}
	// docker's exec events: create and start (one step here) name the
	// command; exec_die carries the exit code (not for -d: nothing waits
	// on a detached process to see it end).
	e.Event(c, "exec_create: "+p.Command, "execID", p.ID)
	e.Event(c, "exec_start: "+p.Command, "execID", p.ID)
	return p, nil
}

// Exec runs a process in a running container through `runc exec` and
// returns its exit status; with -d it returns once the process runs. (A
// -t process that the detach keys can leave running is the monitor
// package's Exec.)
func (e *Engine) Exec(ctx context.Context, ref string, o ExecOptions, stdio Stdio) error {
	p, err := e.PrepareExec(ref, o)
	if err != nil {
		return err
	}
	defer os.RemoveAll(p.Dir)
	c := p.Container
	if o.Detach {
		// runc returns once the process runs; docker's exec -d prints
		// nothing and the process's output is discarded.
		// The process gets runc's stdio, so runc gets /dev/null and
		// says what failed in its log.
		log := filepath.Join(p.Dir, "runc.log")
		if err := e.RuncFor(c, append([]string{"--log", log, "--log-format", "json"}, append(p.Args, "--detach", c.ID)...)...).Run(); err != nil {
			return WithCode(ExitEngine, fmt.Errorf("exec in %q: %s", c.Name, RuntimeError(log)))
		}
		return nil
	}
	cmd := e.RuncFor(c, append(p.Args, c.ID)...)
	cmd.Dir, cmd.Stdout, cmd.Stderr = p.Dir, stdio.Stdout, stdio.Stderr
	if o.Interactive {
		cmd.Stdin = stdio.Stdin
	}
	code, err := e.runAttached(cmd, true, func() {})
	if err != nil {
		return WithCode(ExitEngine, err)
	}
	e.Event(c, "exec_die", "execID", p.ID, "exitCode", strconv.Itoa(code))
	if code != 0 {
		return &ExitError{Code: code}
	}
	return nil
}

// execCommand is the command as docker's exec events name it: the
// entrypoint, a space, and the arguments joined by spaces.
func execCommand(cmd []string) string {
	if len(cmd) == 0 {
		return " "
	}
	return cmd[0] + " " + strings.Join(cmd[1:], " ")
}

// execProcess derives the exec'd process from the container's spec.
func (e *Engine) execProcess(c *state.Container, o ExecOptions) (*specs.Process, error) {
	var spec specs.Spec
	if err := state.ReadJSON(filepath.Join(e.BundleDir(c.ID), "config.json"), &spec); err != nil {
		return nil, WithCode(ExitEngine, err)
	}
	p := *spec.Process
	p.Args, p.Terminal = o.Cmd, o.Tty
	if o.Tty && o.Rows > 0 && o.Cols > 0 {
		p.ConsoleSize = &specs.Box{Height: uint(o.Rows), Width: uint(o.Cols)}
	}
	p.Env = mergeEnv(p.Env, o.Env)
	if o.Workdir != "" {
		p.Cwd = o.Workdir
	}
	if o.User != "" {
		u, err := resolveUser(spec.Root.Path, o.User)
		if err == nil { // docker's exec -u keeps --group-add's groups
			var hc *state.HostConfig
			if hc, err = e.Containers.LoadHostConfig(c.ID); err == nil {
				err = addGroups(spec.Root.Path, &u, hc.GroupAdd)
			}
		}
		if err != nil {
			return nil, WithCode(ExitEngine, err)
		}
		p.User = specs.User{UID: u.UID, GID: u.GID, AdditionalGids: u.AdditionalGids}
	}
	if o.Privileged {
		// docker's exec --privileged: every capability, seccomp kept. Never
		// inheritable or ambient ones: a non-root user keeps only the
		// bounding set across execve, as in docker (CVE-2022-24769).
		caps, _ := specgen.Capabilities(true, nil, nil, hostCaps())
		p.Capabilities = &specs.LinuxCapabilities{Bounding: caps, Effective: caps, Permitted: caps}
	}
	var dests []string
	for _, m := range spec.Mounts {
		if m.Type == "bind" || m.Type == "tmpfs" {
			dests = append(dests, m.Destination)
		}
	}
	if err := checkCommand(spec.Root.Path, p.Args[0], p.Cwd, p.Env, dests); err != nil {
		return nil, err
	}
	return &p, nil
}
