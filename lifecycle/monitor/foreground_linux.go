package monitor

import (
	"context"
	"os"
	"os/signal"

	"golang.org/x/sys/unix"
	"golang.org/x/term"

	"github.com/ctr-lite/ctr-lite/lifecycle"
)

// StartAttached starts container ref in the foreground through a monitor,
// as docker's run -t and start -a do through the daemon: the monitor
// holds the container's terminal, and the CLI attaches to it as attach
// does. The monitor's output waits for this first client (attach before
// start: nothing is lost), the terminal starts at the caller's size, and
// the detach keys leave the container running under its monitor (nil is
// returned). Otherwise it returns once the container exits, with its
// status as an *ExitError when not 0; the monitor has recorded the exit
// and applied --rm by then. A start that fails has docker's run codes
// (125/126/127), as for run -d.
func StartAttached(ctx context.Context, e *lifecycle.Engine, ref string, o lifecycle.AttachOptions, stdio lifecycle.Stdio) error {
	if err := lifecycle.CheckDetachKeys(o.DetachKeys); err != nil { // before the start, not after it
		return lifecycle.WithCode(lifecycle.ExitEngine, err)
	}
	c, err := e.Lookup(ref)
	if err != nil {
		return lifecycle.WithCode(lifecycle.ExitEngine, err)
	}
	if lifecycle.IsRunning(c) { // docker start -a of a running one attaches; run never gets here
		return e.Attach(ctx, c.ID, o, stdio)
	}
	if o.SigProxy && o.ProxyTerminal { // run -t: a signal while it starts is passed on too
		o.Caught = lifecycle.CatchSignals()
		defer signal.Stop(o.Caught)
	}
	if err := (&supervisor{Engine: e}).startDetached(ctx, c.ID, foreground(stdio)); err != nil {
		return err
	}
	o.JustStarted = true
	return lifecycle.WithCode(lifecycle.ExitEngine, e.Attach(ctx, c.ID, o, stdio))
}

// foreground is the hand-over's request of a foreground start: the size
// of the caller's terminal, if it has one.
func foreground(stdio lifecycle.Stdio) *attachedStart {
	a := &attachedStart{}
	for _, f := range []*os.File{stdio.Stdout, stdio.Stdin} {
		if f == nil || !term.IsTerminal(int(f.Fd())) {
			continue
		}
		if ws, err := unix.IoctlGetWinsize(int(f.Fd()), unix.TIOCGWINSZ); err == nil {
			a.Rows, a.Cols = ws.Row, ws.Col
			break
		}
	}
	return a
}

// Run creates container r and runs it in the foreground through a
// monitor (StartAttached): run -t, whose terminal the monitor holds so
// that the detach keys can leave it running. A failed start of a --rm
// container removes it, as the monitor's StartFailed does for run -d.
func Run(ctx context.Context, e *lifecycle.Engine, r lifecycle.CreateRequest, o lifecycle.AttachOptions, stdio lifecycle.Stdio) error {
	if err := lifecycle.CheckDetachKeys(o.DetachKeys); err != nil {
		return lifecycle.WithCode(lifecycle.ExitEngine, err)
	}
	if _, err := e.ResolveRuntime(r.Host.Runtime); err != nil { // before anything is made
		return err
	}
	c, err := e.Create(ctx, r)
	if err != nil {
		return err
	}
	return StartAttached(ctx, e, c.ID, o, stdio)
}

// StartForeground is start -a: a -t container through its monitor
// (StartAttached, with the detach keys), any other as the CLI's child
// (lifecycle's StartAttached), as run does. Signals reach the container
// with --sig-proxy, without -t only (docker's start -a).
func StartForeground(ctx context.Context, e *lifecycle.Engine, ref string, o lifecycle.AttachOptions, stdio lifecycle.Stdio) error {
	c, err := e.Lookup(ref)
	if err != nil {
		return lifecycle.WithCode(lifecycle.ExitEngine, err)
	}
	if !ThroughMonitor(c.Config.Tty, e.LogDriver(c.ID)) {
		stdio.NoSignalProxy = !o.SigProxy
		return e.StartAttached(ctx, c.ID, stdio)
	}
	o.NoStdin = stdio.Stdin == nil
	return StartAttached(ctx, e, c.ID, o, stdio)
}

// ThroughMonitor tells whether a foreground run or start -a goes through
// a monitor: with -t, which the detach keys need (docker's detach only
// works with a terminal). Without one it stays the CLI's child, the fast
// path; so does a --log-driver passthrough container, whose output is
// the CLI's own stdio, never a monitor's.
func ThroughMonitor(tty bool, logDriver string) bool {
	return tty && logDriver != "passthrough"
}
