package health

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func TestNext(t *testing.T) {
	tm := Timing{Interval: 30 * time.Second, StartPeriod: time.Minute, StartInterval: 5 * time.Second}
	start := time.Unix(1000, 0)
	cases := []struct {
		name     string
		since    time.Duration
		starting bool
		want     time.Duration
	}{
		{"in the start period, starting", 10 * time.Second, true, 5 * time.Second},
		{"in the start period, healthy", 10 * time.Second, false, 30 * time.Second},
		{"after the start period, starting", 2 * time.Minute, true, 30 * time.Second},
		{"no start period", 0, true, 30 * time.Second},
	}
	for _, c := range cases {
		tt := tm
		if c.name == "no start period" {
			tt.StartPeriod = 0
		}
		if got := tt.Next(start.Add(c.since), start, c.starting); got != c.want {
			t.Errorf("%s: Next = %v, want %v", c.name, got, c.want)
		}
	}
}

// reaper is the monitor's reap loop in small: it reaps every child and
// hands each to the scheduler.
func reaper(t *testing.T, s *Scheduler) (stop func()) { return reaperNotify(t, s, nil) }

func reaperNotify(t *testing.T, s *Scheduler, checkEnded func(unix.WaitStatus)) (stop func()) {
	t.Helper()
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			var ws unix.WaitStatus
			pid, err := unix.Wait4(-1, &ws, unix.WNOHANG, nil)
			if pid > 0 {
				if s.Reaped(pid, ws) && checkEnded != nil {
					checkEnded(ws)
				}
				continue
			}
			if err != nil && !errors.Is(err, unix.ECHILD) && !errors.Is(err, unix.EINTR) {
				t.Errorf("wait4: %v", err)
				return
			}
			select {
			case <-done:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}

func shell(script string) (string, []string) { return "/bin/sh", []string{"sh", "-c", script} }

func TestChecksNeverOverlap(t *testing.T) {
	log := filepath.Join(t.TempDir(), "log")
	bin, args := shell("echo s >> " + log + "; sleep 0.1; echo e >> " + log)
	s := &Scheduler{Config: Config{Binary: bin, Args: args, Timing: Timing{Interval: time.Millisecond, Timeout: time.Second}, Started: time.Now()}}
	stop := reaper(t, s)
	s.Start()
	time.Sleep(700 * time.Millisecond)
	s.Stop()
	time.Sleep(300 * time.Millisecond) // the last run ends
	stop()
	data, _ := os.ReadFile(log)
	lines := strings.Fields(string(data))
	if len(lines) < 4 {
		t.Fatalf("want at least two runs, got %q", lines)
	}
	for i, l := range lines {
		if want := map[bool]string{true: "s", false: "e"}[i%2 == 0]; l != want {
			t.Fatalf("runs overlapped: %q", lines)
		}
	}
}

func TestStartIntervalWhileStarting(t *testing.T) {
	tm := Timing{Interval: time.Hour, Timeout: time.Second, StartPeriod: time.Hour, StartInterval: 20 * time.Millisecond}
	for _, c := range []struct {
		code    string
		atLeast int
		atMost  int
	}{{"2", 3, 1000}, {"0", 1, 1}, {"1", 1, 1}} {
		bin, args := shell("exit " + c.code)
		s := &Scheduler{Config: Config{Binary: bin, Args: args, Timing: tm, Started: time.Now()}}
		stop := reaper(t, s)
		s.Start()
		time.Sleep(500 * time.Millisecond)
		s.Stop()
		stop()
		if n := s.Runs(); n < c.atLeast || n > c.atMost {
			t.Errorf("exit %s: %d runs, want %d to %d", c.code, n, c.atLeast, c.atMost)
		}
	}
}

func TestHungCheckKilled(t *testing.T) {
	bin, args := shell("exec sleep 100")
	s := &Scheduler{Config: Config{Binary: bin, Args: args, Timing: Timing{Interval: time.Hour, StartInterval: time.Millisecond, StartPeriod: time.Hour, Timeout: 10 * time.Millisecond},
		Started: time.Now()}, Grace: 10 * time.Millisecond}
	ended := make(chan unix.WaitStatus, 10)
	stop := reaperNotify(t, s, func(ws unix.WaitStatus) { ended <- ws })
	defer stop()
	s.Start()
	select {
	case ws := <-ended:
		if !ws.Signaled() || ws.Signal() != unix.SIGKILL {
			t.Fatalf("want the check killed by SIGKILL, got %v", ws)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the hung check was not killed")
	}
	s.Stop()
}

func TestNoCheckAfterStop(t *testing.T) {
	bin, args := shell("exit 0")
	s := &Scheduler{Config: Config{Binary: bin, Args: args, Timing: Timing{Interval: 50 * time.Millisecond, Timeout: time.Second}, Started: time.Now()}}
	stop := reaper(t, s)
	defer stop()
	s.Start()
	s.Stop()
	time.Sleep(200 * time.Millisecond)
	if n := s.Runs(); n != 0 {
		t.Fatalf("%d checks ran after Stop", n)
	}
}

func TestReapedIgnoresOtherChildren(t *testing.T) {
	s := &Scheduler{}
	if s.Reaped(12345, 0) || s.Reaped(0, 0) {
		t.Fatal("Reaped claimed a PID that was not a check")
	}
}

func TestSelfReap(t *testing.T) {
	bin, args := shell("exit 0")
	s := &Scheduler{Config: Config{Binary: bin, Args: args, Timing: Timing{Interval: 20 * time.Millisecond, Timeout: time.Second}, Started: time.Now()}, SelfReap: true}
	s.Start()
	time.Sleep(500 * time.Millisecond)
	s.Stop()
	if n := s.Runs(); n < 3 {
		t.Fatalf("%d runs: a self-reaped check did not end its run", n)
	}
}
