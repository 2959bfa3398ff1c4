package lifecycle

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/ctr-lite/ctr-lite/reexec"
	"github.com/ctr-lite/ctr-lite/state"
)

// --health-on-failure's action (kill, stop, restart) does not run in the
// check process: the monitor's scheduler kills a check still running
// Timeout plus Grace after it began, and a stop waits up to the
// container's stop timeout, so an action in the check would be cut short
// by any container that ignores its stop signal. The check starts the
// action as a process of its own instead: the same binary re-executed
// (healthActionEntry), in its own session, output to the container's
// monitor log, which the scheduler does not know and never kills. It is
// reparented to the monitor (the container's subreaper), which reaps it
// as any other child.

const (
	healthActionEntry = "ctr-lite-health-action"
	healthActionEnv   = "CTR_LITE_HEALTH_ACTION"
)

func init() { reexec.Register(healthActionEntry, healthActionMain) }

// healthAction is the action process's message: the engine as the check
// opened it (never the config file), the container, the action and the
// run found unhealthy (an action never touches a later run).
type healthAction struct {
	Root, RunRoot, Runtime, StorageDriver string
	LogLevel                              string
	ID, Action                            string
	Started                               time.Time
}

// startHealthAction starts c's --health-on-failure action, detached.
func (e *Engine) startHealthAction(c *state.Container) error {
	msg, _ := json.Marshal(healthAction{Root: e.Root, RunRoot: e.RunRoot, Runtime: e.runtime, StorageDriver: e.Images.Driver.Name(),
		LogLevel: logLevel(e.Log), ID: c.ID, Action: c.Config.HealthcheckOnFailureAction, Started: c.State.StartedAt})
	out, err := os.OpenFile(filepath.Join(e.Containers.Dir(c.ID), "monitor.log"), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		out = nil // the action's words are lost, not the action
	} else {
		defer out.Close()
	}
	// The root in argv is for ps and the test suite's leak check only.
	cmd := reexec.Command(healthActionEntry, "--root", e.Root, c.ID)
	cmd.Env = append(cmd.Env, healthActionEnv+"="+string(msg))
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start the --health-on-failure %s of %q: %w", c.Config.HealthcheckOnFailureAction, c.Name, err)
	}
	return cmd.Process.Release()
}

// logLevel is the lowest level l logs, by name.
func logLevel(l *slog.Logger) string {
	for _, lv := range []slog.Level{slog.LevelDebug, slog.LevelInfo, slog.LevelWarn} {
		if l.Enabled(context.Background(), lv) {
			return lv.String()
		}
	}
	return slog.LevelError.String()
}

func healthActionMain() {
	var a healthAction
	err := json.Unmarshal([]byte(os.Getenv(healthActionEnv)), &a)
	os.Unsetenv(healthActionEnv)
	var lv slog.Level
	if lv.UnmarshalText([]byte(a.LogLevel)) != nil {
		lv = slog.LevelWarn
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: lv})).With("pid", os.Getpid(), "container", a.ID, "action", a.Action)
	if err != nil || a.ID == "" || a.Root == "" {
		log.Error("--health-on-failure: read the action's message: started by ctr-lite's health check only", "error", err)
		os.Exit(2)
	}
	e, err := New(Options{Root: a.Root, RunRoot: a.RunRoot, Runtime: a.Runtime, StorageDriver: a.StorageDriver, Log: log})
	if err != nil {
		log.Error("--health-on-failure: open the engine", "error", err)
		os.Exit(1)
	}
	if err := e.runHealthAction(context.Background(), a); err != nil {
		log.Warn("--health-on-failure failed", "error", err)
		os.Exit(1)
	}
	os.Exit(0)
}

// runHealthAction carries out --health-on-failure (podman's) on the run
// that was found unhealthy: kill and stop as the user's commands (the
// restart policy then restarts nothing; stop waits the container's stop
// timeout, then kills); restart asks the monitor to restart the
// container after it ends and stops it without marking it stopped.
func (e *Engine) runHealthAction(ctx context.Context, a healthAction) error {
	if a.Action == "restart" {
		return e.restartUnhealthy(ctx, a.ID, a.Started)
	}
	c, err := e.Containers.Load(a.ID)
	if err != nil || !sameRun(c, a.Started) {
		return nil // removed, or stopped or restarted meanwhile
	}
	e.Log.Info("--health-on-failure: the container is unhealthy")
	switch a.Action {
	case "kill":
		return e.Kill(ctx, a.ID, "KILL")
	case "stop":
		return e.Stop(ctx, a.ID, "", ContainerStopTimeout)
	}
	return fmt.Errorf("unknown --health-on-failure action %q", a.Action)
}

// sameRun: c still runs the run that began at started.
func sameRun(c *state.Container, started time.Time) bool {
	return IsRunning(c) && c.State.StartedAt.Equal(started)
}

// killWait is how long a SIGKILLed container may take to end (a var for
// tests).
var killWait = 10 * time.Second

// restartUnhealthy sets HealthRestart (under the lock, where the monitor
// reads it when the container exits), stops the run with its stop signal,
// its stop timeout and SIGKILL. If the run outlives all that, or a signal
// fails with it alive, the mark is cleared: it must never restart the
// container on some later exit.
func (e *Engine) restartUnhealthy(ctx context.Context, id string, started time.Time) error {
	c, _, l, err := e.LockAndLoad(ctx, id)
	if err != nil {
		return nil // removed meanwhile
	}
	if c.HasBeenManuallyStopped || !sameRun(c, started) {
		l.Unlock()
		return nil
	}
	c.HealthRestart = true
	err = e.Containers.Save(c, false)
	l.Unlock()
	if err != nil {
		return fmt.Errorf("record the restart of the unhealthy container %q: %w", c.Name, err)
	}
	e.Log.Info("restarting the unhealthy container")
	err = e.signal(ctx, c, stopSignal(c))
	if err == nil {
		waitForExit(ctx, c.State.Pid, c.State.PidStart, stopTimeout(c))
	}
	if c.State.PidLives() {
		err = e.signal(ctx, c, "KILL")
		waitForExit(ctx, c.State.Pid, c.State.PidStart, killWait)
	}
	if !c.State.PidLives() {
		return nil // it ended: the monitor restarts it
	}
	if cerr := e.clearHealthRestart(ctx, id, started); cerr != nil {
		return cerr
	}
	return fmt.Errorf("restart the unhealthy container %q: it did not stop (%v); it runs on, no restart pending", c.Name, err)
}

// clearHealthRestart drops the restart mark of the run that began at
// started, if it still runs.
func (e *Engine) clearHealthRestart(ctx context.Context, id string, started time.Time) error {
	c, _, l, err := e.LockAndLoad(ctx, id)
	if err != nil {
		return nil
	}
	defer l.Unlock()
	if !c.HealthRestart || !c.State.StartedAt.Equal(started) {
		return nil
	}
	c.HealthRestart = false
	if err := e.Containers.Save(c, false); err != nil {
		return fmt.Errorf("clear the restart mark of %q: %w", c.Name, err)
	}
	return nil
}
