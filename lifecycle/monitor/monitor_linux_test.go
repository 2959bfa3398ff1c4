package monitor

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/ctr-lite/ctr-lite/lifecycle"
	"github.com/ctr-lite/ctr-lite/state"
)

// reserveName is Containers.Reserve under the global lock, as create does it.
func reserveName(e *supervisor, name string) (string, string, error) {
	g, err := e.Containers.GlobalLock(context.Background())
	if err != nil {
		return "", "", err
	}
	defer g.Unlock()
	return e.Containers.Reserve(g, name, false)
}

// newRecordEngine gives an engine with one exited restart=always
// container record, nothing else (no image, no runtime).
func newRecordEngine(t *testing.T) (*supervisor, string) {
	t.Helper()
	dir := t.TempDir()
	e, err := openSupervisor(lifecycle.Options{Root: filepath.Join(dir, "root"), RunRoot: filepath.Join(dir, "run"), StorageDriver: "vfs"})
	if err != nil {
		t.Fatal(err)
	}
	id, name, err := reserveName(e, "loop")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	c := &state.Container{ID: id, Name: name, State: state.State{Status: state.StatusExited, ExitCode: 3,
		StartedAt: now.Add(-time.Second), FinishedAt: now}}
	if err := e.Containers.SaveHostConfig(id, &state.HostConfig{RestartPolicy: state.RestartPolicy{Name: "always"}}, false); err != nil {
		t.Fatal(err)
	}
	if err := e.Containers.Save(c, false); err != nil {
		t.Fatal(err)
	}
	return e, id
}

// A stop that lands after the monitor decided to restart, but before the
// restart began, is final: the restart's first step, under the container
// lock where stop sets its mark, sees it and starts nothing.
func TestStopBetweenRestartDecisionAndStart(t *testing.T) {
	e, id := newRecordEngine(t)
	ctx := context.Background()
	d, ok := e.markRestarting(id, 3, 0)
	if !ok || d != 100*time.Millisecond {
		t.Fatalf("restart decision: %v %v", d, ok)
	}
	c, _ := e.Containers.Load(id)
	if !c.State.Restarting || c.State.Status != state.StatusRestarting {
		t.Fatalf("waiting to restart: %+v", c.State)
	}
	if c, err := e.MarkStopped(ctx, id); err != nil || lifecycle.IsRunning(c) {
		t.Fatalf("stop: %v", err)
	}
	if _, _, _, err := e.PrepareStart(ctx, id, false, e.beginRestart); !errors.Is(err, errRestartCancelled) {
		t.Fatalf("the restart began after stop: %v", err)
	}
	c, _ = e.Containers.Load(id)
	if c.State.Restarting || c.State.Status != state.StatusExited || c.RestartCount != 0 {
		t.Fatalf("after a cancelled restart: count %d %+v", c.RestartCount, c.State)
	}
	if _, ok := e.markRestarting(id, 3, d); ok {
		t.Fatal("a stopped container must not be restarted")
	}
}

// A start that fails ends the monitor non-zero (systemd's
// Restart=on-failure then fires); a restart a stop cancelled with 0.
func TestStartFailedExit(t *testing.T) {
	for _, c := range []struct {
		err  error
		want int
	}{
		{errRestartCancelled, 0},
		{&lifecycle.ExitError{Code: 127, Err: errors.New("not found")}, 127},
		{lifecycle.WithCode(lifecycle.ExitEngine, errors.New("x")), 125},
		{errors.New("plain"), 125},
	} {
		if got := startFailedExit(c.err); got != c.want {
			t.Errorf("%v: %d, want %d", c.err, got, c.want)
		}
	}
}
