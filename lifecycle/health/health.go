package health

import (
	"fmt"
	"os"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Exit codes of the check command, the status it recorded.
const (
	ExitHealthy   = 0
	ExitUnhealthy = 1
	ExitStarting  = 2
)

// Grace is how long past its Timeout a check command may run before the
// scheduler kills it.
const Grace = 10 * time.Second

// Timing is when checks run, docker's defaults already applied.
type Timing struct {
	Interval      time.Duration `json:"interval"`
	Timeout       time.Duration `json:"timeout"`
	StartPeriod   time.Duration `json:"startPeriod"`
	StartInterval time.Duration `json:"startInterval"`
}

// Next is the delay before the next check, docker's: StartInterval while
// the container is within StartPeriod of started and still starting,
// else Interval.
func (t Timing) Next(now, started time.Time, starting bool) time.Duration {
	if starting && now.Sub(started) < t.StartPeriod {
		return t.StartInterval
	}
	return t.Interval
}

// Config is what a schedule needs, plain data (a monitor can pass it on
// to another program in a message).
type Config struct {
	// Binary is the ctr-lite binary to run (a parameter: a small waiter's
	// own executable is not ctr-lite), Args its whole argv (Args[0]
	// included).
	Binary string   `json:"binary"`
	Args   []string `json:"args"`
	Timing Timing   `json:"timing"`
	// Started is when the container started, for the start period.
	Started time.Time `json:"started"`
}

// Scheduler runs one container's checks. Set the fields, then Start.
type Scheduler struct {
	Config
	// Env is the check command's environment (nil: this process's).
	Env []string
	// SelfReap makes the scheduler wait for its checks itself, for a
	// process with no reap loop of its own (a foreground run); without
	// it the caller's reap loop must hand every reaped child to Reaped.
	SelfReap bool
	// Grace is how long past Timeout a check command may run before it is
	// killed (0: the package's Grace).
	Grace time.Duration
	// Log, if set, is told of a check that could not be started.
	Log func(msg string, err error)

	mu       sync.Mutex
	timer    *time.Timer
	pid      int         // the running check, 0 when none
	proc     *os.Process // the running check, signalled through its pidfd
	kill     *time.Timer
	starting bool
	stopped  bool
	failing  bool // the last check command failed (logged once)
	runs     int
}

// Start arms the first check, one Next after now.
func (s *Scheduler) Start() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.starting = true
	s.armLocked()
}

// Stop ends the schedule: no check starts after it returns.
func (s *Scheduler) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stopped = true
	if s.timer != nil {
		s.timer.Stop()
	}
}

// Runs is how many checks were started.
func (s *Scheduler) Runs() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.runs
}

func (s *Scheduler) armLocked() {
	if s.stopped {
		return
	}
	d := s.Timing.Next(time.Now(), s.Started, s.starting)
	s.timer = time.AfterFunc(d, s.fire)
}

// fire starts a check, unless one runs or the schedule stopped. The PID
// is registered under the lock Reaped takes, so a check that ends at
// once is still matched.
func (s *Scheduler) fire() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped || s.pid != 0 {
		return
	}
	p, err := s.spawn()
	if err != nil {
		if s.Log != nil {
			s.Log("health check: start the check command", err)
		}
		s.armLocked()
		return
	}
	s.pid, s.proc, s.runs = p.Pid, p, s.runs+1
	pid := p.Pid
	if s.SelfReap {
		go s.reap(p)
	}
	// Else never waited on here: the reap loop reaps it, and Reaped
	// releases p.
	grace := s.Grace
	if grace == 0 {
		grace = Grace
	}
	s.kill = time.AfterFunc(s.Timing.Timeout+grace, func() { s.killRun(pid) })
}

func (s *Scheduler) spawn() (*os.Process, error) {
	null, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		return nil, err
	}
	defer null.Close()
	env := s.Env
	if env == nil {
		env = os.Environ()
	}
	return os.StartProcess(s.Binary, s.Args, &os.ProcAttr{Env: env, Files: []*os.File{null, null, null}})
}

// reap waits for a check this scheduler started (SelfReap).
func (s *Scheduler) reap(p *os.Process) {
	ps, err := p.Wait()
	var ws unix.WaitStatus = 0xff00 // exit status 255: not known
	if err == nil {
		if w, ok := ps.Sys().(syscall.WaitStatus); ok {
			ws = unix.WaitStatus(w)
		}
	}
	s.Reaped(p.Pid, ws)
}

// killRun kills the check pid if it is still the one running. The
// signal goes through the process's pidfd (os.Process uses one on
// Linux): the reap loop may have reaped the check, and its PID been
// reused, just before Reaped takes the lock.
func (s *Scheduler) killRun(pid int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pid == pid {
		s.proc.Kill()
	}
}

// Reaped is called by the reap loop for every child it reaps; it reports
// whether pid was a check, and then arms the next one.
func (s *Scheduler) Reaped(pid int, ws unix.WaitStatus) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if pid == 0 || pid != s.pid {
		return false
	}
	s.pid = 0
	s.kill.Stop()
	if !s.SelfReap {
		s.proc.Release()
	}
	s.proc = nil
	failed := true
	if ws.Exited() {
		switch ws.ExitStatus() {
		case ExitHealthy, ExitUnhealthy:
			s.starting, failed = false, false
		case ExitStarting:
			s.starting, failed = true, false
		}
	}
	if failed && !s.failing && s.Log != nil { // once until one succeeds
		s.Log("health check: the check command failed", fmt.Errorf("wait status %#x", uint32(ws)))
	}
	s.failing = failed
	s.armLocked()
	return true
}
