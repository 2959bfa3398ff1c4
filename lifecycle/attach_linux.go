package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"strconv"
	"time"

	"golang.org/x/sys/unix"
	"golang.org/x/term"

	"github.com/ctr-lite/ctr-lite/lifecycle/attach"
	"github.com/ctr-lite/ctr-lite/state"
)

// AttachOptions are docker attach's.
type AttachOptions struct {
	NoStdin    bool   // do not pass stdin on, even to a -i container
	SigProxy   bool   // forward the signals we get to the container (not with -t)
	DetachKeys string // docker's syntax; "" is ctrl-p,ctrl-q
	// ProxyTerminal proxies signals with -t too: docker's run does
	// (--sig-proxy), its attach and start -a do not.
	ProxyTerminal bool
	// Caught, if not nil, are the signals CatchSignals has caught since
	// before the start: the proxy passes them on, so none that came while
	// the container started is lost.
	Caught chan os.Signal
	// JustStarted is a foreground start's attach: its monitor holds the
	// output and the exit for this client (attachWait), so a container
	// that already ended (a zombie its monitor has not reaped, or not
	// yet recorded) is attached to, not refused as stopped.
	JustStarted bool
}

// CatchSignals begins catching the signals sig-proxy passes on, for a
// start that attaches after it (AttachOptions.Caught).
func CatchSignals() chan os.Signal {
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, forwarded...)
	return sigs
}

// Attach connects stdio to running container ref through its monitor's
// attach socket until the container exits (its status is returned, as
// an *ExitError when not 0) or the user types the detach keys (-t only;
// nil, the container runs on).
func (e *Engine) Attach(ctx context.Context, ref string, o AttachOptions, stdio Stdio) error {
	keys, err := attach.ParseDetachKeys(defaultKeys(o.DetachKeys))
	if err != nil {
		return err
	}
	c, err := e.Lookup(ref)
	if err != nil {
		return err
	}
	if err := attachable(c); err != nil && !o.JustStarted {
		return err
	}
	conn, err := attach.Dial(e.RunRoot, c.ID)
	if err != nil {
		if c, lerr := e.Lookup(c.ID); lerr == nil && attachable(c) != nil {
			return attachable(c) // it exited meanwhile
		}
		// No socket: a foreground run or start -a holds the container's
		// stdio itself (or an older ctr-lite started it).
		return fmt.Errorf("attach to container %q: it has no attach socket (%w): attach works for containers started with -d, or in the foreground with -t; a foreground run without -t keeps its stdio", c.Name, err)
	}
	// with a terminal, ^C is a byte the container reads
	var proxy chan os.Signal
	if o.SigProxy && (!c.Config.Tty || o.ProxyTerminal) {
		if proxy = o.Caught; proxy == nil {
			proxy = CatchSignals()
		}
	}
	// Without a proxy a SIGINT or SIGTERM ends the attach, as it kills
	// docker's CLI: the container runs on (main's context only notes it).
	ended := func() unix.Signal { return 0 }
	if proxy == nil {
		ended = endOnSignal(conn)
	}
	err = e.attachConn(conn, c, keys, c.Config.Tty, c.Config.OpenStdin && !o.NoStdin, proxy, stdio)
	if sig := ended(); sig != 0 {
		return &ExitError{Code: 128 + int(sig)}
	}
	if errors.Is(err, errConnEnded) {
		// Dropped without the exit frame (too slow, or the monitor
		// died): the exit code still comes, from the record, once the
		// container's monitor has recorded it.
		if code, ok := e.awaitRecordedExit(ctx, c.ID); ok {
			if code == 0 {
				return nil
			}
			return &ExitError{Code: code}
		}
	}
	return err
}

// awaitRecordedExit waits until container id's record holds its exit and
// returns the code; false if the record is gone, a restart began, ctx
// ended, or nobody will record it (its monitor and process both dead:
// rm -f cleans up).
func (e *Engine) awaitRecordedExit(ctx context.Context, id string) (int, bool) {
	for {
		c, err := e.Lookup(id)
		switch {
		case err != nil || IsRestarting(c):
			return 0, false
		case !c.State.Running:
			return c.State.ExitCode, true
		case !c.Alive().Holds() && !monitorLives(c):
			return 0, false
		}
		select {
		case <-ctx.Done():
			return 0, false
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// AttachExec connects stdio to exec'd process execID of container c
// (a -t one, run by its exec monitor) as Attach does to a container,
// without signals: docker's exec passes none on, and its CLI dies of a
// SIGINT or SIGTERM; this one leaves (the process runs on under its
// exec monitor, as after the detach keys) with 128+N, the status of a
// process the signal killed.
func (e *Engine) AttachExec(c *state.Container, execID string, interactive bool, detachKeys string, stdio Stdio) error {
	keys, err := attach.ParseDetachKeys(defaultKeys(detachKeys))
	if err != nil {
		return err
	}
	conn, err := attach.Dial(e.RunRoot, execID)
	if err != nil {
		return WithCode(ExitEngine, fmt.Errorf("attach to the exec in container %q: %w", c.Name, err))
	}
	ended := endOnSignal(conn)
	err = e.attachConn(conn, c, keys, true, interactive, nil, stdio)
	if sig := ended(); sig != 0 {
		return &ExitError{Code: 128 + int(sig)}
	}
	return err
}

// endOnSignal closes conn, ending the attach on it, once this process
// gets SIGINT or SIGTERM (main's context only notes them). The returned
// func stops watching and tells the signal that ended it (0: none).
func endOnSignal(conn *net.UnixConn) func() unix.Signal {
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, unix.SIGINT, unix.SIGTERM)
	done, finished := make(chan struct{}), make(chan struct{})
	var got unix.Signal
	go func() {
		defer close(finished)
		select {
		case s := <-sigs:
			got = s.(unix.Signal)
			conn.Close()
		case <-done:
		}
	}()
	return func() unix.Signal {
		signal.Stop(sigs)
		close(done)
		<-finished
		return got
	}
}

// attachConn passes stdin (if withStdin) to conn and its output to stdio
// until the exit frame or the detach keys (tty only, on a terminal),
// and the signals proxy catches (if not nil) to container c.
func (e *Engine) attachConn(conn *net.UnixConn, c *state.Container, keys []byte, tty, withStdin bool, proxy chan os.Signal, stdio Stdio) error {
	defer conn.Close()
	if withStdin && stdio.Stdin != nil {
		in := io.Reader(stdio.Stdin)
		if tty && term.IsTerminal(int(stdio.Stdin.Fd())) {
			restore, err := rawTerminal(stdio.Stdin, conn)
			if err != nil {
				return err
			}
			defer restore()
			in = attach.NewEscapeReader(in, keys)
		}
		go sendStdin(conn, in)
	}
	if proxy != nil {
		defer e.proxySignals(c, proxy)()
	}
	return receiveOutput(conn, stdio, c.Name)
}

// CheckDetachKeys refuses keys that are not docker's syntax ("" is the
// default), so run can refuse them before it makes a container.
func CheckDetachKeys(keys string) error {
	_, err := attach.ParseDetachKeys(defaultKeys(keys))
	return err
}

// errConnEnded is an attach connection that ended without an exit frame.
var errConnEnded = errors.New("the connection to its monitor ended")

func defaultKeys(k string) string {
	if k == "" {
		return attach.DefaultDetachKeys
	}
	return k
}

// attachable is docker's refusal to attach to a container not running.
func attachable(c *state.Container) error {
	switch {
	case IsRestarting(c) && !IsRunning(c):
		return errors.New("You cannot attach to a restarting container, wait until it is running")
	case !IsRunning(c):
		return errors.New("You cannot attach to a stopped container, start it first")
	case c.State.Paused:
		return errors.New("You cannot attach to a paused container, unpause it first")
	}
	return nil
}

// sendStdin passes in on as Stdin frames; on the detach keys it hangs
// up, which ends receiveOutput. At EOF it stops sending: a -i container
// keeps its stdin open for the next client, as docker's does.
func sendStdin(conn *net.UnixConn, in io.Reader) {
	buf := make([]byte, 32<<10)
	for {
		n, err := in.Read(buf)
		if n > 0 {
			if attach.WriteFrame(conn, attach.Stdin, buf[:n]) != nil {
				return
			}
		}
		if errors.Is(err, attach.ErrDetached) {
			conn.Close()
			return
		}
		if err != nil {
			return
		}
	}
}

// receiveOutput copies output frames to stdio until the exit frame; a
// connection closed without one is a detach (ours) or a lost monitor.
func receiveOutput(conn *net.UnixConn, stdio Stdio, name string) error {
	buf := make([]byte, attach.MaxPayload)
	for {
		kind, p, err := attach.ReadFrame(conn, buf)
		if errors.Is(err, net.ErrClosed) {
			return nil // detached: the container runs on
		}
		if err != nil {
			return fmt.Errorf("attach to container %q: %w (this client fell over 1 MiB behind, or the monitor died): %w", name, errConnEnded, err)
		}
		switch kind {
		case attach.Stdout:
			writeTo(stdio.Stdout, p)
		case attach.Stderr:
			writeTo(stdio.Stderr, p)
		case attach.Exit:
			code, err := attach.ParseExit(p)
			if err != nil {
				return err
			}
			if code == 0 {
				return nil
			}
			return &ExitError{Code: code}
		}
	}
}

func writeTo(f *os.File, p []byte) {
	if f != nil {
		f.Write(p)
	}
}

// rawTerminal puts the terminal in raw mode, as docker attach -t does,
// and keeps the container's terminal size in step with it.
func rawTerminal(f *os.File, conn *net.UnixConn) (func(), error) {
	fd := int(f.Fd())
	old, err := term.MakeRaw(fd)
	if err != nil {
		return nil, fmt.Errorf("set the terminal to raw mode: %w", err)
	}
	sendSize := func() {
		if ws, err := unix.IoctlGetWinsize(fd, unix.TIOCGWINSZ); err == nil {
			attach.WriteFrame(conn, attach.Resize, attach.EncodeSize(ws.Row, ws.Col))
		}
	}
	sendSize()
	winch := make(chan os.Signal, 1)
	signal.Notify(winch, unix.SIGWINCH)
	go func() {
		for range winch {
			sendSize()
		}
	}()
	return func() {
		signal.Stop(winch)
		close(winch)
		term.Restore(fd, old)
	}, nil
}

// proxySignals forwards the signals sigs catches (CatchSignals) to c
// until the returned stop is called.
func (e *Engine) proxySignals(c *state.Container, sigs chan os.Signal) (stop func()) {
	done := make(chan struct{})
	go func() {
		for {
			select {
			case s := <-sigs:
				// as kill does: under the lock, with its event; a
				// container that exited meanwhile is no error here
				e.signal(context.Background(), c, strconv.Itoa(int(s.(unix.Signal))))
			case <-done:
				return
			}
		}
	}()
	return func() { signal.Stop(sigs); close(done) }
}
