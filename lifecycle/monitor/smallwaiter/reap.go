//go:build linux

package main

import (
	"errors"
	"os"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"github.com/ctr-lite/ctr-lite/lifecycle/health"
)

// reaper is the waiter's one reap loop: as the container's subreaper it
// reaps every child (orphans of the container too), and hands on those it
// started itself (health checks, log compression, the finish entry).
type reaper struct {
	mu   sync.Mutex
	kids map[int]chan unix.WaitStatus
	// checks gets every child no one else claims (nil: none).
	checks *health.Scheduler
	exited chan unix.WaitStatus
	pid    int // the container's init
}

func newReaper() *reaper {
	return &reaper{kids: map[int]chan unix.WaitStatus{}, exited: make(chan unix.WaitStatus, 1)}
}

// start starts a child whose wait status comes on the returned channel.
// The lock held across the start makes the reap loop wait for the
// registration, so a child that exits at once is still matched.
func (r *reaper) start(bin string, argv, env []string, files []*os.File) (int, <-chan unix.WaitStatus, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	p, err := os.StartProcess(bin, argv, &os.ProcAttr{Env: env, Files: files})
	if err != nil {
		return 0, nil, err
	}
	ch := make(chan unix.WaitStatus, 1)
	r.kids[p.Pid] = ch
	p.Release() // reaped by the loop
	return p.Pid, ch, nil
}

// waitContainer starts the reap loop and returns the container's status
// once it exits (128+N for signal N); the loop goes on reaping until the
// process execs or exits.
func (r *reaper) waitContainer(pid int, checks *health.Scheduler) int {
	r.pid, r.checks = pid, checks
	go r.loop()
	ws := <-r.exited
	if ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return ws.ExitStatus()
}

func (r *reaper) loop() {
	for {
		var ws unix.WaitStatus
		got, err := unix.Wait4(-1, &ws, 0, nil)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil { // no child now: the container is gone, a finish may come
			if r.pid != 0 && errors.Is(err, unix.ECHILD) {
				r.exited <- 0xff00 // status 255: not known
				r.pid = 0
			}
			time.Sleep(20 * time.Millisecond)
			continue
		}
		r.dispatch(got, ws)
	}
}

func (r *reaper) dispatch(pid int, ws unix.WaitStatus) {
	if pid == r.pid && pid != 0 {
		r.pid = 0
		r.exited <- ws
		return
	}
	r.mu.Lock()
	ch, ok := r.kids[pid]
	delete(r.kids, pid)
	r.mu.Unlock()
	if ok {
		ch <- ws
		return
	}
	if r.checks != nil {
		r.checks.Reaped(pid, ws)
	}
}
