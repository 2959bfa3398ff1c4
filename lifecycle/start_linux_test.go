package lifecycle

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/ctr-lite/ctr-lite/state"
)

// RecordPid records a PID only with its start time: a process that is
// gone when it reads /proc gets no PID, which a recycled PID would make
// "running" (review 2a #9).
func TestRecordPidNeedsTheStartTime(t *testing.T) {
	dir := t.TempDir()
	e := &Engine{RunRoot: filepath.Join(dir, "run"), Containers: &state.Store{Root: filepath.Join(dir, "root")}}
	if err := e.Containers.Init(); err != nil {
		t.Fatal(err)
	}
	g, err := e.Containers.GlobalLock(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	id, name, err := e.Containers.Reserve(g, "p", false)
	g.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(e.BundleDir(id), 0o700)
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Skip("no true(1):", err)
	}
	_, self, _ := state.ProcStat("self")
	for _, tc := range []struct {
		pid       int
		wantPid   int
		wantStart uint64
	}{
		{dead.Process.Pid, 0, 0},
		{os.Getpid(), os.Getpid(), self},
	} {
		c := &state.Container{ID: id, Name: name, State: state.State{Running: true}}
		e.Containers.Save(c, false)
		pidFile := filepath.Join(dir, "pidfile")
		os.Remove(pidFile)
		os.WriteFile(filepath.Join(e.BundleDir(id), "pid"), []byte(strconv.Itoa(tc.pid)), 0o600)
		e.RecordPid(c, &state.HostConfig{PidFile: pidFile})
		saved, err := e.Containers.Load(id)
		if err != nil {
			t.Fatal(err)
		}
		if saved.State.Pid != tc.wantPid || saved.State.PidStart != tc.wantStart {
			t.Errorf("pid %d: recorded %d (start %d), want %d (start %d)", tc.pid, saved.State.Pid, saved.State.PidStart, tc.wantPid, tc.wantStart)
		}
		if _, err := os.Stat(pidFile); (err == nil) != (tc.wantPid != 0) {
			t.Errorf("pid %d: --pidfile written: %v", tc.pid, err == nil)
		}
	}
}
