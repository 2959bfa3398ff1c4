//go:build linux

package main

import (
	"os"

	"github.com/ctr-lite/ctr-lite/internal/sdnotify"
	"github.com/ctr-lite/ctr-lite/lifecycle/health"
)

// notify does the waiter's part of --sdnotify, as the big waiter's
// Notifier: READY=1 in conmon mode once the container runs (the monitor
// sent MAINPID before it started), the relay of what the service sends
// in container mode. The returned stop ends the relay.
func (w *waiter) notify(relay *os.File) (stop func()) {
	socket := sdnotify.Socket()
	if w.m.SdNotify == "" || socket == "" {
		if relay != nil {
			relay.Close()
		}
		return func() {}
	}
	if w.m.SdNotify == "conmon" {
		if err := sdnotify.Send(socket, "READY=1"); err != nil {
			w.log.Warn("tell systemd the container is ready", err)
		}
	}
	if relay == nil {
		return func() {}
	}
	return sdnotify.Relay(relay, socket)
}

// startHealthchecks arms the container's checks: each is ctr-lite run as
// `healthcheck run --internal-from-monitor ID`, which does and records
// the whole check; this program keeps only the timer.
func (w *waiter) startHealthchecks() *health.Scheduler {
	h := w.m.Health
	if h == nil {
		return nil
	}
	s := &health.Scheduler{
		Config: health.Config{Binary: w.big, Args: h.Args, Started: h.Started,
			Timing: health.Timing{Interval: h.Interval, Timeout: h.Timeout, StartPeriod: h.StartPeriod, StartInterval: h.StartInterval}},
		Log: func(msg string, err error) { w.log.Warn(msg, err) },
	}
	s.Start()
	return s
}
