package lifecycle

import (
	"context"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/ctr-lite/ctr-lite/state"
)

// A --health-on-failure restart that cannot stop the container (here the
// runtime fails every kill) withdraws its restart request: HealthRestart
// must not restart the container on some later exit.
func TestRestartUnhealthyWithdrawsWhenTheStopFails(t *testing.T) {
	defer func(w time.Duration) { killWait = w }(killWait)
	killWait = 100 * time.Millisecond
	dir := t.TempDir()
	e, err := New(Options{Root: filepath.Join(dir, "root"), RunRoot: filepath.Join(dir, "run"), StorageDriver: "vfs", Runtime: "/bin/false"})
	if err != nil {
		t.Fatal(err)
	}
	sleep := exec.Command("sleep", "30") // the container's process, alive throughout
	if err := sleep.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { sleep.Process.Kill(); sleep.Wait() }()
	_, start, _ := procStat(strconv.Itoa(sleep.Process.Pid))
	g, err := e.Containers.GlobalLock(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	id, name, err := e.Containers.Reserve(g, "sick", false)
	g.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	one := 1
	started := time.Now().UTC().Add(-time.Minute)
	c := &state.Container{ID: id, Name: name,
		State: state.State{Status: state.StatusRunning, Running: true, StartedAt: started, Pid: sleep.Process.Pid, PidStart: start}}
	c.Config.StopTimeout = &one
	if err := e.Containers.SaveHostConfig(id, &state.HostConfig{}, false); err != nil {
		t.Fatal(err)
	}
	if err := e.Containers.Save(c, false); err != nil {
		t.Fatal(err)
	}
	if err := e.restartUnhealthy(context.Background(), id, started); err == nil {
		t.Error("a restart whose stop failed reported success")
	}
	got, err := e.Containers.Load(id)
	if err != nil {
		t.Fatal(err)
	}
	if got.HealthRestart {
		t.Error("HealthRestart survived a restart that could not stop the container")
	}
	// An action for another run does nothing at all.
	if err := e.restartUnhealthy(context.Background(), id, started.Add(time.Second)); err != nil {
		t.Errorf("an action for an earlier run: %v", err)
	}
}
