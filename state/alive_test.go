package state

import (
	"os"
	"os/exec"
	"runtime"
	"testing"
)

// deadPID is the PID of a process that has exited and been reaped.
func deadPID(t *testing.T) int {
	t.Helper()
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Skip("no true(1) to run:", err)
	}
	return cmd.Process.Pid
}

func TestContainerAlive(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	_, self, ok := ProcStat("self")
	if !ok {
		t.Fatal("ProcStat(self) failed")
	}
	me, dead := os.Getpid(), deadPID(t)
	cases := []struct {
		name  string
		state State
		want  Liveness
	}{
		{"created", State{Status: StatusCreated}, Gone},
		{"exited, monitor still alive", State{Status: StatusExited, MonitorPid: me, MonitorStart: self}, Gone},
		{"running, both alive", State{Running: true, Pid: me, PidStart: self, MonitorPid: me, MonitorStart: self}, Running},
		{"running, monitor killed", State{Running: true, Pid: me, PidStart: self, MonitorPid: dead}, Running},
		{"running, container dead, monitor alive", State{Running: true, Pid: dead, MonitorPid: me, MonitorStart: self}, Waiting},
		{"starting, no pid yet", State{Running: true, MonitorPid: me, MonitorStart: self}, Waiting},
		{"restart backoff", State{Restarting: true, Pid: dead, MonitorPid: me, MonitorStart: self}, Waiting},
		{"running, both dead", State{Running: true, Pid: dead, MonitorPid: dead}, Gone},
		{"running, recycled pids", State{Running: true, Pid: me, PidStart: self + 1, MonitorPid: me, MonitorStart: self + 1}, Gone},
		{"running, no pids", State{Running: true}, Gone},
		// A PID recorded without its start time is any process that takes
		// the PID: it counts for nothing (review 2a #9).
		{"running, pid without start", State{Running: true, Pid: me}, Gone},
		{"running, monitor without start", State{Running: true, MonitorPid: me}, Gone},
		{"restart backoff, monitor without start", State{Restarting: true, MonitorPid: me}, Gone},
	}
	for _, tc := range cases {
		c := &Container{State: tc.state}
		if got := c.Alive(); got != tc.want {
			t.Errorf("%s: Alive() = %v, want %v", tc.name, got, tc.want)
		}
		if got := c.Alive().Holds(); got != (tc.want != Gone) {
			t.Errorf("%s: Holds() = %v", tc.name, got)
		}
	}
}

func TestProcessLives(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	_, self, _ := ProcStat("self")
	for _, tc := range []struct {
		pid   int
		start uint64
		want  bool
	}{
		{os.Getpid(), self, true},
		{os.Getpid(), 0, true},
		{os.Getpid(), self + 1, false},
		{deadPID(t), 0, false},
		{0, 0, false},
		{-1, 0, false},
	} {
		if got := ProcessLives(tc.pid, tc.start); got != tc.want {
			t.Errorf("ProcessLives(%d, %d) = %v, want %v", tc.pid, tc.start, got, tc.want)
		}
	}
}
