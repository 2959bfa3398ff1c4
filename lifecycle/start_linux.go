package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
	"golang.org/x/term"

	"github.com/ctr-lite/ctr-lite/internal/fault"
	"github.com/ctr-lite/ctr-lite/lifecycle/attach"
	"github.com/ctr-lite/ctr-lite/specgen"
	"github.com/ctr-lite/ctr-lite/state"
)

// Stdio is what an attached container reads and writes.
type Stdio struct {
	Stdin, Stdout, Stderr *os.File
	// NoSignalProxy keeps the signals an attached run gets from the
	// container (run --sig-proxy=false): they are caught and dropped.
	NoSignalProxy bool
}

// forwarded are the signals an attached run passes on to the container.
var forwarded = []os.Signal{unix.SIGINT, unix.SIGTERM, unix.SIGHUP, unix.SIGQUIT, unix.SIGUSR1, unix.SIGUSR2}

// StartAttached starts container ref in the foreground and waits for it.
// It returns nil when the container exits 0, an *ExitError carrying its
// status otherwise, or an engine error (125/126/127) if it cannot start.
func (e *Engine) StartAttached(ctx context.Context, ref string, stdio Stdio) error {
	id, err := e.Containers.Resolve(ref)
	if err != nil {
		return WithCode(ExitEngine, err)
	}
	if err := e.checkPassthrough(id, stdio); err != nil {
		return err
	}
	c, hc, lock, err := e.PrepareStart(ctx, id, true, nil)
	if err != nil {
		return e.StartFailed(id, err)
	}
	notify, err := e.OpenNotifier(c)
	if err != nil {
		lock.Unlock()
		return e.Finish(id, ExitEngine, err)
	}
	defer notify.Close()
	out := e.attachedOutput(c, &stdio)
	cmd, run := e.RuntimeCommand(c, stdio, "run"), e.runAttached
	if hc.LogConfig.Type == "passthrough" {
		// runc's foreground run copies through pipes of its own; detached
		// it hands the container our descriptors as they are.
		cmd, run = e.RuntimeCommand(c, stdio, "run", "--detach"), e.runPassthrough
	}
	done := e.Step("runtime run")
	stopChecks := func() {}
	// The lock is held until the container has a process, so that rm -f
	// or a second start never sees a half-started container.
	code, runErr := run(cmd, !stdio.NoSignalProxy, func() {
		if out != nil {
			out.StartCopying()
		}
		e.RecordPid(c, hc)
		lock.Unlock()
		notify.StartRelay()
		if err := notify.Started(); err != nil {
			e.Log.Warn("tell systemd the container started", "container", id, "error", err)
		}
		fault.Point("run:after-runtime-start")
		stopChecks = e.attachedHealthchecks(c)
	})
	stopChecks()
	if out != nil {
		out.Wait(2 * time.Second)
	}
	done()
	return e.Finish(id, code, runErr)
}

// attachedOutput routes a non-tty container's output through pipes that
// are copied both to the caller's stdio and to the json log, so `logs`
// works for attached containers too. A terminal stays direct (runc owns
// the pty). Without a log (or a driver that keeps none) the output
// simply stays direct.
func (e *Engine) attachedOutput(c *state.Container, stdio *Stdio) *Output {
	if c.Config.Tty || (stdio.Stdout == nil && stdio.Stderr == nil) || !e.logsRead(c.ID) {
		return nil
	}
	out, err := e.OpenOutput(c.ID)
	if err != nil {
		e.Log.Warn("container output is not logged", "err", err)
		return nil
	}
	// a stream -a left out goes to the log only (a nil *os.File must not
	// become a non-nil io.Writer)
	if stdio.Stdout != nil {
		out.teeOut = stdio.Stdout
	}
	if stdio.Stderr != nil {
		out.teeErr = stdio.Stderr
	}
	stdio.Stdout, stdio.Stderr = out.StdoutW, out.StderrW
	return out
}

// prepareStart does every step up to launching the runtime, under the
// container's lock, undoing them all if one fails. On success the lock is
// returned still held with the record and host config read under it, and
// the record says running, waited on by this process. begin, if not nil,
// runs first under the lock (a monitor's restart: see beginRestart); its
// error ends the start. Without begin it is a user's start, which clears
// the mark of a user's stop (HasBeenManuallyStopped) in the same save.
func (e *Engine) PrepareStart(ctx context.Context, id string, attached bool, begin func(*state.Container) error) (_ *state.Container, _ *state.HostConfig, _ *state.ContainerLock, retErr error) {
	c, hc, l, err := e.LockAndLoad(ctx, id)
	if err != nil {
		return nil, nil, nil, WithCode(ExitEngine, err)
	}
	defer func() {
		if retErr != nil {
			l.Unlock()
		}
	}()
	if begin != nil {
		if err := begin(c); err != nil {
			return nil, nil, nil, err
		}
	}
	if err := e.checkStartable(c, attached); err != nil {
		return nil, nil, nil, err
	}
	if !attached {
		if err := CheckDetachable(hc); err != nil {
			return nil, nil, nil, err
		}
	}
	if err := e.reconcile(l, c, hc); err != nil {
		return nil, nil, nil, WithCode(ExitEngine, err)
	}
	if _, err := e.RuntimeFor(c); err != nil {
		return nil, nil, nil, err
	}
	if err := e.reserveRealtime(id, hc); err != nil {
		removeCgroupParents(hc.CgroupParent)
		return nil, nil, nil, WithCode(ExitEngine, err)
	}
	defer func() {
		if retErr != nil {
			removeCgroupParents(hc.CgroupParent)
		}
	}()
	rootfs, err := e.mount(c, hc.AutoRemove)
	if err != nil {
		return nil, nil, nil, WithCode(ExitEngine, err)
	}
	defer func() {
		if retErr != nil {
			e.unmountRoot(id)
		}
	}()
	fault.Point("start:after-mount")
	if err := e.mountShm(c, hc); err != nil {
		return nil, nil, nil, WithCode(ExitEngine, err)
	}
	defer func() {
		if retErr != nil {
			e.unmountShm(id)
		}
	}()
	if err := e.setupNetwork(ctx, c, hc); err != nil {
		return nil, nil, nil, err
	}
	fault.Point("start:after-network")
	defer func() {
		if retErr != nil {
			e.teardownNetwork(c, hc)
		}
	}()
	if err := e.writeBundle(c, hc, rootfs); err != nil {
		return nil, nil, nil, err
	}
	fault.Point("start:after-bundle")
	defer func() {
		if retErr != nil {
			os.RemoveAll(e.BundleDir(id))
		}
	}()
	_, selfStart, _ := procStat("self")
	if begin == nil {
		c.HasBeenManuallyStopped = false
	}
	c.HealthRestart = false // asked for this start, if any
	c.State = state.State{Status: state.StatusRunning, Running: true, StartedAt: time.Now().UTC(),
		MonitorPid: os.Getpid(), MonitorStart: selfStart, Health: startingHealth(c)}
	if err := e.Containers.Save(c, false); err != nil {
		return nil, nil, nil, WithCode(ExitEngine, err)
	}
	fault.Point("start:after-running-record")
	return c, hc, l, nil
}

func (e *Engine) checkStartable(c *state.Container, attached bool) error {
	if IsRunning(c) {
		return WithCode(ExitEngine, fmt.Errorf("container %s is already running", c.Name))
	}
	if restartingElsewhere(c) {
		return WithCode(ExitEngine, fmt.Errorf("container %s is restarting: stop it first, or wait for its restart", c.Name))
	}
	if c.Config.Tty && attached { // detached, the monitor holds the pty
		return CheckTerminal()
	}
	return nil
}

// restartingElsewhere reports whether another process (a monitor) waits
// out a backoff to restart c: a monitor's own restart is this process.
func restartingElsewhere(c *state.Container) bool {
	return IsRestarting(c) && c.State.MonitorPid != os.Getpid()
}

// RecordPid stores the container's PID, which runc wrote to its pid
// file, with its start time in c (the record read under the container's
// lock, still held) and in --pidfile. A process whose start time cannot
// be read has exited: no PID is recorded, which a recycled PID would
// otherwise make "running" (state.Container.Alive).
func (e *Engine) RecordPid(c *state.Container, hc *state.HostConfig) {
	defer e.Event(c, "start") // runc has started it, even if it is gone already
	data, err := os.ReadFile(filepath.Join(e.BundleDir(c.ID), "pid"))
	if err != nil {
		return
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil || pid <= 0 {
		return
	}
	_, start, ok := procStat(strconv.Itoa(pid))
	if !ok {
		return
	}
	c.State.Pid, c.State.PidStart = pid, start
	e.Containers.Save(c, false)
	writeIDFile(hc.PidFile, strconv.Itoa(pid))
}

func (e *Engine) mount(c *state.Container, volatile bool) (string, error) {
	defer e.Step("mount rootfs")()
	img, err := e.Images.ImageByID(c.Image)
	if err != nil {
		return "", fmt.Errorf("image of container %s: %w", c.Name, err)
	}
	return e.Images.Driver.Mount(c.ID, img.ChainIDs(), img.TopChainID(), volatile)
}

// writeBundle resolves the user, checks workdir and command, and writes
// config.json into the bundle directory under the runroot.
func (e *Engine) writeBundle(c *state.Container, hc *state.HostConfig, rootfs string) error {
	defer e.Step("write config.json")()
	spec, err := e.buildSpec(c, hc, rootfs)
	if err != nil {
		return err
	}
	dir := e.BundleDir(c.ID)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return WithCode(ExitEngine, fmt.Errorf("create bundle: %w", err))
	}
	if err := state.WriteJSONAtomic(filepath.Join(dir, "config.json"), spec, false); err != nil {
		os.RemoveAll(dir)
		return WithCode(ExitEngine, err)
	}
	return nil
}

func (e *Engine) buildSpec(c *state.Container, hc *state.HostConfig, rootfs string) (*specs.Spec, error) {
	// Checked at create too; here again through the image's symlinks.
	if err := checkResolvedWorkdir(rootfs, c.Config.WorkingDir); err != nil {
		return nil, WithCode(ExitEngine, err)
	}
	in, err := e.specInput(c, hc, rootfs)
	if err != nil {
		return nil, err
	}
	if err := prepareWorkdir(rootfs, c.Config.WorkingDir); err != nil {
		return nil, err
	}
	var dests []string
	for _, m := range in.Mounts {
		dests = append(dests, m.Destination)
	}
	if err := checkCommand(rootfs, c.Path, in.Cwd, in.Env, dests); err != nil {
		return nil, err
	}
	spec, err := specgen.Generate(in)
	if err == nil {
		err = specgen.ApplySeccomp(spec, hc.Privileged, hc.SeccompUnconfined, hc.SeccompProfile)
	}
	return spec, WithCode(ExitEngine, err)
}

func (e *Engine) specInput(c *state.Container, hc *state.HostConfig, rootfs string) (specgen.Input, error) {
	u, err := resolveUser(rootfs, c.Config.User)
	if err == nil {
		err = addGroups(rootfs, &u, hc.GroupAdd)
	}
	if err != nil {
		return specgen.Input{}, WithCode(ExitEngine, err)
	}
	in := specgen.Input{
		ID: c.ID, Rootfs: rootfs, Host: hc, Args: append([]string{c.Path}, c.Args...), Env: c.Config.Env,
		Cwd: c.Config.WorkingDir, User: u, Hostname: c.Config.Hostname, Domainname: c.Config.Domainname,
		Terminal: c.Config.Tty, HostCaps: hostCaps(), AppArmor: appArmorEnabled(),
		NetworkFiles: map[string]string{"/etc/hostname": c.HostnamePath, "/etc/hosts": c.HostsPath, "/etc/resolv.conf": c.ResolvConfPath},
		CgroupsPath:  cgroupsPath(c.ID, hc.CgroupParent), CgroupV2: cgroupV2(),
	}
	if err := e.networkSpec(c, hc, &in); err != nil {
		return in, err
	}
	if err := e.namespaceSpec(hc, &in); err != nil {
		return in, err
	}
	if hc.IpcMode == ipcShareable {
		in.ShmPath = e.shmDir(c.ID) // mounted by mountShm
	}
	if hc.Privileged {
		in.HostDevices = hostDevices()
	}
	for _, d := range hc.Devices {
		dev, err := hostDevice(d)
		if err != nil {
			return in, WithCode(ExitEngine, err)
		}
		in.Devices = append(in.Devices, dev)
	}
	if hc.Init {
		if in.InitBinary, err = os.Executable(); err != nil {
			return in, WithCode(ExitEngine, fmt.Errorf("find ctr-lite for --init: %w", err))
		}
	}
	if in.Mounts, err = e.resolveMounts(c, hc, rootfs); err != nil {
		return in, err
	}
	return in, e.notifySpec(c, &in)
}

func cgroupV2() bool {
	_, err := os.Stat("/sys/fs/cgroup/cgroup.controllers")
	return err == nil
}

// runtimeCommand is `runc run` (or create) of the bundle. With run, runc
// stays in the foreground: it passes our stdio to the container (or runs
// a pty with -t) and forwards the signals it gets.
func (e *Engine) RuntimeCommand(c *state.Container, stdio Stdio, verb string, flags ...string) *exec.Cmd {
	bundle := e.BundleDir(c.ID)
	args := []string{"--log", filepath.Join(bundle, "runc.log"), "--log-format", "json",
		verb, "--bundle", bundle, "--pid-file", filepath.Join(bundle, "pid")}
	cmd := e.RuncFor(c, append(append(args, flags...), c.ID)...)
	cmd.Dir = bundle
	cmd.Stdout, cmd.Stderr = stdio.Stdout, stdio.Stderr
	readsTerminal := false
	if c.Config.OpenStdin {
		cmd.Stdin = stdio.Stdin
		readsTerminal = stdio.Stdin != nil && term.IsTerminal(int(stdio.Stdin.Fd()))
	}
	// A runtime that reads the terminal must stay in its foreground process
	// group; otherwise it gets its own group, so a ^C reaches the container
	// once (through us) and not twice.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: !readsTerminal, Pdeathsig: unix.SIGTERM}
	return cmd
}

// runAttached runs the runtime, forwarding signals, calls running once the
// container has a process (or the runtime gave up), and returns the exit
// status: the container's, or 128+N if it died of signal N.
func (e *Engine) runAttached(cmd *exec.Cmd, proxy bool, running func()) (int, error) {
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, forwarded...)
	defer signal.Stop(sigs)
	if err := cmd.Start(); err != nil {
		running()
		return ExitEngine, fmt.Errorf("start runtime: %w", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	pidFile := filepath.Join(cmd.Dir, "pid")
	err, done := awaitPidFile(pidFile, exited, sigs, cmd.Process)
	running()
	for !done {
		select {
		case s := <-sigs:
			if proxy {
				cmd.Process.Signal(s)
			}
		case err = <-exited:
			done = true
		}
	}
	return ExitStatus(err)
}

// runPassthrough runs `runc run --detach`, which gives the container the
// runtime's own stdio, then waits for the container's init itself: as a
// subreaper it inherits init once runc exits. Signals go to init.
func (e *Engine) runPassthrough(cmd *exec.Cmd, proxy bool, running func()) (int, error) {
	if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
		running()
		return ExitEngine, fmt.Errorf("become the container's subreaper: %w", err)
	}
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, forwarded...)
	defer signal.Stop(sigs)
	err := cmd.Run()
	running()
	if err != nil {
		return ExitStatus(err)
	}
	b, err := os.ReadFile(filepath.Join(cmd.Dir, "pid"))
	if err != nil {
		return ExitEngine, fmt.Errorf("read the container's pid: %w", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return ExitEngine, fmt.Errorf("read the container's pid %q: %w", b, err)
	}
	exited := make(chan unix.WaitStatus, 1)
	go func() {
		var ws unix.WaitStatus
		for {
			if _, err := unix.Wait4(pid, &ws, 0, nil); err != unix.EINTR {
				exited <- ws
				return
			}
		}
	}()
	for {
		select {
		case s := <-sigs:
			if proxy {
				unix.Kill(pid, s.(syscall.Signal))
			}
		case ws := <-exited:
			if ws.Signaled() {
				return 128 + int(ws.Signal()), nil
			}
			return ws.ExitStatus(), nil
		}
	}
}

// awaitPidFile polls, with a growing interval, until runc has written the
// container's pid file or has exited, forwarding signals meanwhile.
func awaitPidFile(path string, exited <-chan error, sigs <-chan os.Signal, p *os.Process) (error, bool) {
	for delay := 200 * time.Microsecond; ; delay = min(2*delay, 5*time.Millisecond) {
		if _, err := os.Stat(path); err == nil {
			return nil, false
		}
		select {
		case err := <-exited:
			return err, true
		case s := <-sigs:
			p.Signal(s)
		case <-time.After(delay):
		}
	}
}

func ExitStatus(err error) (int, error) {
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		if ws, ok := exitErr.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return 128 + int(ws.Signal()), nil
		}
		return exitErr.ExitCode(), nil
	}
	return 0, err
}

// finish records how the container ended and releases what start took:
// runtime state, mount and bundle; with --rm it removes the container.
func (e *Engine) Finish(id string, code int, runErr error) error {
	ctx := context.Background() // cleanup must run even after ^C
	result := e.Classify(id, code, runErr)
	c, hc, l, err := e.LockAndLoad(ctx, id)
	if errors.Is(err, state.ErrNotFound) {
		return result // removed meanwhile (rm -f): it cleaned up
	}
	if err != nil {
		return WithCode(ExitEngine, err)
	}
	defer l.Unlock()
	e.Event(c, "die", "exitCode", strconv.Itoa(resultCode(result)))
	fault.Point("finish:before-release")
	if hc.AutoRemove { // removal releases the runtime itself
		if err := e.removeLocked(l, c, hc); err != nil {
			return WithCode(ExitEngine, err)
		}
		return result
	}
	if err := e.releaseRuntime(c, hc); err != nil {
		return WithCode(ExitEngine, err)
	}
	fault.Point("finish:after-release")
	e.recordExit(c, result)
	if err := e.Containers.Save(c, true); err != nil {
		return WithCode(ExitEngine, err)
	}
	return result
}

// classify turns the runtime's exit into the error run returns: the
// container's status, or a start failure that runc logged.
func (e *Engine) Classify(id string, code int, runErr error) error {
	if runErr != nil {
		return WithCode(ExitEngine, runErr)
	}
	if code != 0 {
		if msg := RuntimeError(filepath.Join(e.BundleDir(id), "runc.log")); msg != "" {
			return &ExitError{Code: CodeForRuntimeMessage(msg), Err: fmt.Errorf("start container: %s", msg)}
		}
	}
	if code == 0 {
		return nil
	}
	return &ExitError{Code: code}
}

// startFailed records a start that failed before the runtime ran and,
// for --rm containers, removes the container, as docker run --rm does.
func (e *Engine) StartFailed(id string, startErr error) error {
	l, err := e.Containers.LockContainer(context.Background(), id)
	if err != nil {
		return startErr
	}
	defer l.Unlock()
	c, err := e.Containers.Load(id)
	// "already running" or "restarting" must not touch it
	if err != nil || IsRunning(c) || restartingElsewhere(c) {
		return startErr
	}
	e.recordExit(c, startErr)
	if hc, err := e.Containers.LoadHostConfig(id); err == nil && hc.AutoRemove {
		e.removeLocked(l, c, hc)
	} else {
		e.Containers.Save(c, true)
	}
	return startErr
}

// resultCode is the status an exit result records.
func resultCode(result error) int {
	var ee *ExitError
	if errors.As(result, &ee) {
		return ee.Code
	}
	return 0
}

func (e *Engine) recordExit(c *state.Container, result error) {
	code, msg := resultCode(result), ""
	var ee *ExitError
	if errors.As(result, &ee) && ee.Err != nil {
		msg = ee.Err.Error()
	}
	status := state.StatusExited
	if msg != "" && c.State.StartedAt.IsZero() {
		status = state.StatusCreated
	}
	// MonitorPid stays: while it lives, a restart may follow (stop cancels it).
	c.State = state.State{Status: status, ExitCode: code, Error: msg, StartedAt: c.State.StartedAt,
		FinishedAt: time.Now().UTC(), MonitorPid: c.State.MonitorPid, MonitorStart: c.State.MonitorStart,
		Health: c.State.Health} // docker keeps the last health state
}

// releaseRuntime deletes the runtime's state (if any is left), tears down
// the network, unmounts the rootfs and /dev/shm and removes the bundle. Each part is
// idempotent.
func (e *Engine) releaseRuntime(c *state.Container, hc *state.HostConfig) error {
	defer e.Step("release runtime")()
	if _, err := os.Stat(filepath.Join(e.runcRoot(), c.ID)); err == nil {
		e.RuncFor(c, "delete", "--force", c.ID).Run()
	}
	e.releaseRealtime(c.ID)
	removeCgroupParents(hc.CgroupParent)
	if err := e.teardownNetwork(c, hc); err != nil {
		return err
	}
	if err := e.unmountRoot(c.ID); err != nil {
		return err
	}
	if err := e.unmountShm(c.ID); err != nil {
		return err
	}
	// A volume that will not unmount is reported, but the rest is still
	// released: the pidfile, the bundle and a monitor's socket are not
	// the volume's to keep.
	verr := e.releaseVolumes(c, hc)
	if hc.PidFile != "" {
		os.Remove(hc.PidFile)
	}
	e.removeSockets(c.ID) // a monitor or exec monitor killed with -9 left them
	return errors.Join(verr, os.RemoveAll(e.BundleDir(c.ID)))
}

// execDirPrefix names an exec's directory in the bundle: exec-EXECID.
const execDirPrefix = "exec-"

// ConsoleSocketPath is where a monitor receives the terminal of container
// or exec id from runc (--console-socket).
func ConsoleSocketPath(runroot, id string) string {
	return filepath.Join(runroot, "console-"+id[:min(20, len(id))]+".sock")
}

// removeSockets removes the attach and console sockets of container id
// and of its execs, whose monitors remove their own unless killed.
func (e *Engine) removeSockets(id string) {
	ids := []string{id}
	entries, _ := os.ReadDir(e.BundleDir(id))
	for _, d := range entries {
		if x, ok := strings.CutPrefix(d.Name(), execDirPrefix); ok && d.IsDir() && state.ValidID(x) {
			ids = append(ids, x)
		}
	}
	for _, x := range ids {
		os.Remove(attach.SocketPath(e.RunRoot, x))
		os.Remove(ConsoleSocketPath(e.RunRoot, x))
	}
}

// processLives and procStat are state's, the one place liveness is read.
func processLives(pid int, start uint64) bool { return state.ProcessLives(pid, start) }

func procStat(pid string) (byte, uint64, bool) { return state.ProcStat(pid) }

// CheckDetachable refuses a detached start of a --log-driver passthrough
// container (podman's rule): its output is the caller's own stdout and
// stderr, which a detached container outlives.
func CheckDetachable(hc *state.HostConfig) error {
	if hc.LogConfig.Type == "passthrough" {
		return WithCode(ExitEngine, errors.New("--log-driver passthrough cannot be used with a detached container: its stdout and stderr are the caller's; run it in the foreground, or use --log-driver json-file"))
	}
	return nil
}

// checkPassthrough refuses a passthrough run on the caller's terminal,
// as podman does: the container could push input into it (TIOCSTI). (-t
// needs a terminal, so it is refused here too.)
func (e *Engine) checkPassthrough(id string, stdio Stdio) error {
	if e.LogDriver(id) != "passthrough" {
		return nil
	}
	for _, f := range []*os.File{stdio.Stdin, stdio.Stdout, stdio.Stderr} {
		if f != nil && term.IsTerminal(int(f.Fd())) {
			return WithCode(ExitEngine, fmt.Errorf("--log-driver passthrough cannot be used on a terminal (%s): the container could type into it; redirect the container's stdio, or use --log-driver json-file", f.Name()))
		}
	}
	return nil
}

// CheckTerminal fails unless this process has a controlling terminal: an
// attached -t container gets its pty from the runtime, which needs one.
func CheckTerminal() error {
	f, err := os.Open("/dev/tty")
	if err != nil {
		return WithCode(ExitEngine, errors.New("-t needs a controlling terminal for an attached container: run from a terminal, or drop -t"))
	}
	return f.Close()
}

// Spec returns the OCI spec container ref would run with now. It mounts
// the rootfs to resolve the user and command, and unmounts it again
// unless the container is running.
func (e *Engine) Spec(ctx context.Context, ref string) (*specs.Spec, error) {
	id, err := e.Containers.Resolve(ref)
	if err != nil {
		return nil, WithCode(ExitEngine, err)
	}
	c, hc, l, err := e.LockAndLoad(ctx, id)
	if err != nil {
		return nil, WithCode(ExitEngine, err)
	}
	defer l.Unlock()
	rootfs, err := e.mount(c, false)
	if err != nil {
		return nil, WithCode(ExitEngine, err)
	}
	if !IsRunning(c) {
		defer e.unmountRoot(id)
	}
	return e.buildSpec(c, hc, rootfs)
}

// hostCaps is this process's capability bounding set: no container can
// have more. nil (no limit) if it cannot be read. It cannot change within
// a process, so run reads it once for create and start.
var hostCaps = sync.OnceValue(readHostCaps)

func readHostCaps() []string {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return nil
	}
	for _, line := range strings.Split(string(data), "\n") {
		if hex, ok := strings.CutPrefix(line, "CapBnd:"); ok {
			mask, err := strconv.ParseUint(strings.TrimSpace(hex), 16, 64)
			if err != nil {
				return nil
			}
			return specgen.CapsFromMask(mask)
		}
	}
	return nil
}
